//! The high-water mark: what the database has held, kept outside it (`DATA_DIR/high-water`), so
//! that a database that has lost history is noticed at start instead of handing its references
//! out a second time.
//!
//! SQLite takes a damaged write-ahead log as its end and a 0-byte file as a new database, and its
//! integrity check sees nothing wrong with either; a database restored from an older backup looks
//! just as healthy. The mark is the highest reference number and the number of reports this
//! server has stored, written (and flushed to disk) after each new report is committed and before
//! its reference is answered, so every reference a phone has been given is at or below it. A
//! database behind it has lost reports. The mark also keeps the length of the audit trail as
//! last walked: a trail cut short from its newest end still follows its chain, but not the mark.
//!
//! The file holds two fixed-size slots, written in turn, each with its own checksum: a write torn
//! by a crash spoils one slot and the other still holds the mark before it. Writes are grouped:
//! a report committed while others are still being stored waits (a moment, at most) for them,
//! and reports committed while the mark is being flushed share the next flush, so under load the
//! disk sees one flush per group rather than one per report.

use std::fs::File;
use std::io::ErrorKind;
use std::os::unix::fs::{FileExt as _, OpenOptionsExt as _};
use std::path::{Path, PathBuf};
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use sha2::{Digest as _, Sha256};

use crate::StoreError;

/// Bytes in one slot.
const SLOT: usize = 256;

/// What a database holds, or has held: the highest reference number (`LD-2026-000123` is 123),
/// the number of reports, and the number references start above (raised when an operator chose
/// to start on a database that had lost history, so its references are never given again).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Mark {
    /// The highest reference number.
    pub seq: i64,
    /// How many reports.
    pub count: i64,
    /// New references are above this.
    pub floor: i64,
    /// The most audit-trail entries a walk of the trail has found: fewer later means entries
    /// were removed from its newest end, which the chain alone cannot show.
    pub audit: i64,
}

impl Mark {
    /// Whether `database` has less than this mark says it had.
    pub fn is_ahead_of(&self, database: &Self) -> bool {
        database.seq < self.seq || database.count < self.count
    }

    /// One slot's text: the numbers, a checksum of them, padded to [`SLOT`] bytes.
    fn slot(&self) -> [u8; SLOT] {
        let numbers = format!(
            "lost-device high-water seq={} count={} floor={} audit={}",
            self.seq, self.count, self.floor, self.audit
        );
        let text = format!("{numbers} sum={}", checksum(&numbers));
        let mut slot = [b' '; SLOT];
        slot[..text.len()].copy_from_slice(text.as_bytes());
        slot[SLOT - 1] = b'\n';
        slot
    }

    /// Reads one slot; `None` when it is empty, torn or not a mark.
    fn read_slot(bytes: &[u8]) -> Option<Self> {
        let text = std::str::from_utf8(bytes).ok()?.trim_end();
        let (numbers, sum) = text.rsplit_once(" sum=")?;
        if checksum(numbers) != sum {
            return None;
        }
        let mut fields = numbers.strip_prefix("lost-device high-water ")?.split(' ');
        let mut next = |name: &str| {
            fields
                .next()?
                .strip_prefix(name)?
                .strip_prefix('=')?
                .parse::<i64>()
                .ok()
        };
        Some(Self {
            seq: next("seq")?,
            count: next("count")?,
            floor: next("floor")?,
            audit: next("audit")?,
        })
    }
}

/// The first 8 bytes of the text's SHA-256, in hex.
fn checksum(text: &str) -> String {
    hex::encode(&Sha256::digest(text.as_bytes())[..8])
}

/// What reading the mark found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Found {
    /// No mark file: a data directory this release has not used before.
    Nothing,
    /// The mark.
    Mark(Mark),
}

/// The mark file, and the grouping of its writes.
#[derive(Debug)]
pub(crate) struct HighWater {
    path: PathBuf,
    file: File,
    state: Mutex<State>,
    flushed: Condvar,
}

#[derive(Debug)]
struct State {
    /// The mark every report committed so far asks for.
    wanted: Mark,
    /// The mark on disk.
    durable: Mark,
    /// A flush is under way (by one of the waiting threads).
    flushing: bool,
    /// Which slot the next write goes to.
    next_slot: u64,
    /// New reports being stored right now (see [`HighWater::storing`]).
    storing: u32,
}

/// The most reports committed but not yet in the mark before one of them flushes it, however
/// many more are on their way.
const GROUP: i64 = 32;

/// How long a committed report waits for one still being stored to join its flush.
const GROUP_WAIT: Duration = Duration::from_millis(2);

/// While alive, a report is being stored (see [`HighWater::storing`]).
pub(crate) struct Storing<'a>(&'a HighWater);

impl Drop for Storing<'_> {
    fn drop(&mut self) {
        let mut state = self.0.lock();
        state.storing = state.storing.saturating_sub(1);
        self.0.flushed.notify_all();
    }
}

impl HighWater {
    /// Reads the mark at `path`, if there is one. A file whose slots are both unreadable is an
    /// error: the mark is what tells a database that lost history, so it is never guessed.
    pub(crate) fn read(path: &Path) -> Result<Found, StoreError> {
        let bytes = match std::fs::read(path) {
            Ok(bytes) => bytes,
            Err(error) if error.kind() == ErrorKind::NotFound => return Ok(Found::Nothing),
            Err(error) => return Err(StoreError::Io(format!("{}: {error}", path.display()))),
        };
        bytes
            .chunks(SLOT)
            .take(2)
            .filter_map(Mark::read_slot)
            .max()
            .map(Found::Mark)
            .ok_or_else(|| StoreError::HighWaterDamaged {
                path: path.to_owned(),
            })
    }

    /// Opens (creating, private to this user) the mark file at `path` and writes `mark` to it.
    pub(crate) fn create(path: &Path, mark: Mark) -> Result<Self, StoreError> {
        let io = |error: std::io::Error| StoreError::Io(format!("{}: {error}", path.display()));
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            .open(path)
            .map_err(io)?;
        // Both slots hold the same mark, so neither is stale or unwritten.
        let mut both = [0; 2 * SLOT];
        both[..SLOT].copy_from_slice(&mark.slot());
        both[SLOT..].copy_from_slice(&mark.slot());
        file.write_all_at(&both, 0).map_err(io)?;
        file.set_len(both.len() as u64).map_err(io)?;
        file.sync_all().map_err(io)?;
        // A new file's name is durable only once its directory is flushed.
        if let Some(dir) = path.parent().filter(|dir| !dir.as_os_str().is_empty()) {
            File::open(dir).and_then(|dir| dir.sync_all()).map_err(io)?;
        }
        Ok(Self {
            path: path.to_owned(),
            file,
            state: Mutex::new(State {
                wanted: mark,
                durable: mark,
                flushing: false,
                next_slot: 0,
                storing: 0,
            }),
            flushed: Condvar::new(),
        })
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The mark as it stands.
    pub(crate) fn mark(&self) -> Mark {
        self.lock().wanted
    }

    /// Says a new report is about to be stored, until the guard is dropped (after its commit,
    /// or its failure). A report committed while others are being stored waits for the last of
    /// them (up to [`GROUP`] reports or [`GROUP_WAIT`]), so one flush covers the group.
    pub(crate) fn storing(&self) -> Storing<'_> {
        self.lock().storing += 1;
        Storing(self)
    }

    /// Records a new report with reference number `seq`, committed (its [`Storing`] guard
    /// dropped), and returns once the mark on disk covers it. Blocks: call it off the async
    /// threads.
    pub(crate) fn record_new(&self, seq: i64) -> Result<(), StoreError> {
        let mut state = self.lock();
        state.wanted.seq = state.wanted.seq.max(seq);
        state.wanted.count += 1;
        let needed = state.wanted;
        self.flush_until(state, needed)
    }

    /// Records that a walk of the audit trail found `rows` entries, and returns the most any walk
    /// found before (kept on disk before it returns).
    pub(crate) fn record_audit(&self, rows: i64) -> Result<i64, StoreError> {
        let mut state = self.lock();
        let before = state.wanted.audit;
        if rows <= before {
            return Ok(before);
        }
        state.wanted.audit = rows;
        let needed = state.wanted;
        self.flush_until(state, needed)?;
        Ok(before)
    }

    /// Waits until the mark on disk covers `needed`, flushing it (for every waiter) when no
    /// one else is.
    fn flush_until<'a>(
        &'a self,
        mut state: MutexGuard<'a, State>,
        needed: Mark,
    ) -> Result<(), StoreError> {
        let committed = Instant::now();
        loop {
            let durable = state.durable;
            if durable.seq >= needed.seq
                && durable.count >= needed.count
                && durable.audit >= needed.audit
            {
                return Ok(());
            }
            let waited = committed.elapsed();
            let others_coming = state.storing > 0
                && state.wanted.count - state.durable.count < GROUP
                && waited < GROUP_WAIT;
            if state.flushing || others_coming {
                // Woken by a flush, or by a report being stored finishing.
                state = self
                    .flushed
                    .wait_timeout(state, GROUP_WAIT.saturating_sub(waited))
                    .unwrap_or_else(PoisonError::into_inner)
                    .0;
                continue;
            }
            // This thread flushes for everyone waiting; what others add meanwhile waits for the
            // next flush.
            state.flushing = true;
            let writing = state.wanted;
            let slot = state.next_slot % 2;
            drop(state);
            let written = self.write(slot, writing);
            state = self.lock();
            state.flushing = false;
            self.flushed.notify_all();
            written?;
            state.next_slot += 1;
            state.durable = state.durable.max(writing);
        }
    }

    fn write(&self, slot: u64, mark: Mark) -> Result<(), StoreError> {
        self.file
            .write_all_at(&mark.slot(), slot * SLOT as u64)
            .and_then(|()| self.file.sync_data())
            .map_err(|error| StoreError::Io(format!("{}: {error}", self.path.display())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mark_reads_back_and_a_torn_slot_leaves_the_other() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("high-water");
        assert_eq!(HighWater::read(&path).expect("read"), Found::Nothing);
        let first = Mark {
            seq: 40,
            count: 40,
            ..Mark::default()
        };
        let water = HighWater::create(&path, first).expect("create");
        water.record_new(41).expect("record");
        assert_eq!(
            HighWater::read(&path).expect("read"),
            Found::Mark(Mark {
                seq: 41,
                count: 41,
                ..Mark::default()
            })
        );
        // A crash in the middle of that write (to the first slot): the other still holds 40.
        let mut bytes = std::fs::read(&path).expect("bytes");
        bytes[30] ^= 0xff;
        std::fs::write(&path, &bytes).expect("tear");
        assert_eq!(
            HighWater::read(&path).expect("read"),
            Found::Mark(Mark {
                seq: 40,
                count: 40,
                ..Mark::default()
            })
        );
        // Both torn: an error, never "no mark".
        std::fs::write(&path, [b'x'; 2 * SLOT]).expect("spoil");
        assert!(matches!(
            HighWater::read(&path),
            Err(StoreError::HighWaterDamaged { .. })
        ));
    }

    #[test]
    fn reports_recorded_from_many_threads_are_all_counted_with_the_highest_number() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("high-water");
        let water = std::sync::Arc::new(HighWater::create(&path, Mark::default()).expect("create"));
        let threads: Vec<_> = (0..8)
            .map(|thread| {
                let water = std::sync::Arc::clone(&water);
                std::thread::spawn(move || {
                    for n in 0..50 {
                        water.record_new(thread * 50 + n + 1).expect("record");
                    }
                })
            })
            .collect();
        for thread in threads {
            thread.join().expect("thread");
        }
        assert_eq!(
            HighWater::read(&path).expect("read"),
            Found::Mark(Mark {
                seq: 400,
                count: 400,
                ..Mark::default()
            })
        );
    }

    #[test]
    fn a_database_behind_the_mark_in_either_number_is_behind() {
        let mark = Mark {
            seq: 40,
            count: 40,
            ..Mark::default()
        };
        let database = |seq, count| Mark {
            seq,
            count,
            ..Mark::default()
        };
        assert!(!mark.is_ahead_of(&database(40, 40)));
        assert!(!mark.is_ahead_of(&database(41, 41)));
        assert!(mark.is_ahead_of(&database(21, 21)));
        assert!(mark.is_ahead_of(&database(40, 39)));
        assert!(mark.is_ahead_of(&database(0, 0)));
    }
}
