//! The embedded default destination: each report as an `.eml` file in a Maildir
//! (`DATA_DIR/mail`), readable with any mail client (`mutt -f data/mail`), with nothing to set up.
//!
//! Written by the Maildir rule: the whole message into `tmp/`, flushed to disk, then renamed
//! into `new/`, so a reader never sees half a message. The file name comes from the report id,
//! so a repeat after a crash replaces the same file (or finds it already read, in `cur/`) rather
//! than adding a second copy.

use std::io::Write as _;
use std::os::unix::fs::{DirBuilderExt as _, OpenOptionsExt as _};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use crate::Failure;
use crate::message::ForwardedReport;

/// A Maildir on this machine.
#[derive(Debug, Clone)]
pub struct Maildir {
    root: PathBuf,
}

impl Maildir {
    /// The Maildir at `root` (created, private to this user, on first delivery).
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    /// Where it is.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The message's file name: Maildir's `time.unique.host`, with the report id as the unique
    /// part, so every copy of one report has the same name.
    pub fn file_name(report: &ForwardedReport) -> String {
        format!(
            "{}.{}.lost-device",
            report.received_at.unix_timestamp(),
            report.id
        )
    }

    /// Writes `message` for `report`, unless it is already there.
    pub async fn deliver(
        &self,
        report: &ForwardedReport,
        message: &lettre::Message,
    ) -> Result<(), Failure> {
        self.deliver_as(Self::file_name(report), message).await
    }

    /// Writes `message` as the file `name`, unless it is already there.
    pub async fn deliver_as(&self, name: String, message: &lettre::Message) -> Result<(), Failure> {
        let root = self.root.clone();
        let bytes = message.formatted();
        tokio::task::spawn_blocking(move || write(&root, &name, &bytes))
            .await
            .map_err(|e| Failure::temporary(format!("the Maildir write did not finish: {e}")))?
            .map_err(|e| Failure::temporary(format!("the Maildir could not be written: {e}")))
    }
}

impl Maildir {
    /// Removes what writes stopped part-way (a crash, a kill) left in `tmp/`: files there last
    /// changed longer than `older_than` ago, longer than any write takes, so none is one in
    /// progress. A finished write renames its file out of `tmp/` at once. Returns how many.
    pub async fn clear_leftovers(&self, older_than: Duration) -> std::io::Result<usize> {
        let tmp = self.root.join("tmp");
        tokio::task::spawn_blocking(move || clear_older(&tmp, older_than))
            .await
            .map_err(std::io::Error::other)?
    }
}

fn clear_older(dir: &Path, older_than: Duration) -> std::io::Result<usize> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(error) => return Err(error),
    };
    let now = SystemTime::now();
    let mut removed = 0;
    for entry in entries {
        let entry = entry?;
        let metadata = entry.metadata()?;
        let age = metadata
            .modified()
            .ok()
            .and_then(|changed| now.duration_since(changed).ok());
        if metadata.is_file() && age.is_some_and(|age| age > older_than) {
            std::fs::remove_file(entry.path())?;
            removed += 1;
        }
    }
    Ok(removed)
}

fn write(root: &Path, name: &str, bytes: &[u8]) -> std::io::Result<()> {
    for sub in ["tmp", "new", "cur"] {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(root.join(sub))?;
    }
    let new = root.join("new").join(name);
    // A mail client moves read messages to `cur/`, adding `:2,` and flags to the name.
    let already_read = std::fs::read_dir(root.join("cur"))?
        .filter_map(Result::ok)
        .any(|entry| entry.file_name().to_string_lossy().starts_with(name));
    if new.exists() || already_read {
        return Ok(());
    }
    let tmp = root.join("tmp").join(name);
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&tmp)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    std::fs::rename(&tmp, &new)?;
    // The rename is durable only once the directory itself is flushed.
    std::fs::File::open(root.join("new"))?.sync_all()
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt as _;

    use super::*;
    use crate::message::Envelope;
    use incident_report::{ReportForm, ReportId};

    fn report() -> ForwardedReport {
        ForwardedReport {
            id: ReportId::from_random_bytes([9; 16]),
            reference: "LD-2026-000009".into(),
            received_at: time::macros::datetime!(2026-11-28 10:00 UTC),
            form: ReportForm::default(),
            team_view_url: None,
        }
    }

    fn email(report: &ForwardedReport) -> lettre::Message {
        let envelope = Envelope {
            from: "lost-device@localhost".parse().expect("from"),
            to: "incidents@localhost".parse().expect("to"),
        };
        report.email(&envelope).expect("email")
    }

    #[tokio::test]
    async fn a_leftover_in_tmp_is_removed_and_a_write_in_progress_is_not() {
        let dir = tempfile::tempdir().expect("dir");
        let maildir = Maildir::new(dir.path().join("mail"));
        assert_eq!(
            maildir
                .clear_leftovers(Duration::from_secs(60))
                .await
                .expect("none"),
            0
        );
        let tmp = dir.path().join("mail/tmp");
        std::fs::create_dir_all(&tmp).expect("tmp");
        let old = std::fs::File::create(tmp.join("1795000000.left-by-a-crash.lost-device"))
            .expect("leftover");
        old.set_modified(SystemTime::now() - Duration::from_secs(3600))
            .expect("an hour ago");
        std::fs::write(tmp.join("1795000000.being-written.lost-device"), "…").expect("new");
        assert_eq!(
            maildir
                .clear_leftovers(Duration::from_secs(60))
                .await
                .expect("clear"),
            1
        );
        assert_eq!(files(&tmp), vec!["1795000000.being-written.lost-device"]);
    }

    fn files(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .expect("dir")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[tokio::test]
    async fn a_report_becomes_one_private_file_in_new_and_nothing_is_left_in_tmp() {
        let dir = tempfile::tempdir().expect("dir");
        let maildir = Maildir::new(dir.path().join("mail"));
        let report = report();
        maildir
            .deliver(&report, &email(&report))
            .await
            .expect("delivered");
        let root = dir.path().join("mail");
        assert_eq!(files(&root.join("new")), [Maildir::file_name(&report)]);
        assert_eq!(files(&root.join("tmp")).len(), 0);
        let mode = std::fs::metadata(root.join("new").join(Maildir::file_name(&report)))
            .expect("file")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        let text = std::fs::read_to_string(root.join("new").join(Maildir::file_name(&report)))
            .expect("read");
        assert!(text.contains("Subject: [LD-2026-000009]"));
    }

    #[tokio::test]
    async fn a_repeat_adds_no_second_copy_even_after_the_first_was_read() {
        let dir = tempfile::tempdir().expect("dir");
        let root = dir.path().join("mail");
        let maildir = Maildir::new(&root);
        let report = report();
        maildir
            .deliver(&report, &email(&report))
            .await
            .expect("first");
        maildir
            .deliver(&report, &email(&report))
            .await
            .expect("repeat");
        assert_eq!(files(&root.join("new")).len(), 1);
        let name = Maildir::file_name(&report);
        std::fs::rename(
            root.join("new").join(&name),
            root.join("cur").join(format!("{name}:2,S")),
        )
        .expect("read by a client");
        maildir
            .deliver(&report, &email(&report))
            .await
            .expect("repeat");
        assert_eq!(files(&root.join("new")).len(), 0);
    }
}
