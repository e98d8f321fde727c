//! The intake as a separate process, stopped the hard way and the polite way while phones are
//! sending: killed with SIGKILL and restarted, every report it acknowledged is there, once, with
//! its deliveries; sent SIGTERM, it stops taking connections, answers what it had, and exits
//! within its drain deadline, and every answer matches the database. A data directory whose
//! database has lost reports (a damaged write-ahead log, an emptied file, an older backup put in
//! its place) is refused at start with what to do, or started on by the operator's choice with
//! references above every one given before.
//!
//! The server process is this test binary run again (`child_server`): the real server, started as
//! `main` starts it, on a small hand-made site and a SQLite file.

mod common;

use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::time::{Duration, Instant};

use common::ServerProcess;
use incident_report::ReportId;
use serde_json::json;

/// Run as a child process by the tests below; does nothing when run as a test on its own.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a child server that the tests below start"]
async fn child_server() {
    let Some(data_dir) = std::env::var_os("CRASH_CHILD_DATA_DIR") else {
        return;
    };
    let site = common::site_files();
    let mut config = common::test_config(Path::new(&data_dir), site.path());
    config.protection.rate_limit_per_client = std::num::NonZeroU32::MAX;
    config.protection.rate_limit_global = std::num::NonZeroU32::MAX;
    config.protection.drain_timeout = 2;
    config.start_despite_lost_reports = std::env::var_os("CRASH_CHILD_START_BEHIND").is_some();
    let application = match server::startup::Application::build(config).await {
        Ok(application) => application,
        Err(error) => {
            println!("refused: {}", format!("{error:#}").replace('\n', "\\n"));
            return;
        }
    };
    println!("listening on {}", application.address());
    application
        .run_until_stopped(server::startup::shutdown_signal())
        .await;
}

fn start(database: &Path) -> ServerProcess {
    try_start(database, false).expect("the server starts")
}

/// Starts a server on `database` (`start_behind`: as if with `--start-despite-lost-reports`),
/// or says why it would not start.
fn try_start(database: &Path, start_behind: bool) -> Result<ServerProcess, String> {
    let data_dir = database.parent().expect("the data directory");
    let more: &[(&str, &str)] = if start_behind {
        &[("CRASH_CHILD_START_BEHIND", "1")]
    } else {
        &[]
    };
    ServerProcess::try_start("child_server", "CRASH_CHILD_DATA_DIR", data_dir, more)
}

fn id(n: u32) -> ReportId {
    let mut bytes = [0x42; 16];
    bytes[..4].copy_from_slice(&n.to_le_bytes());
    ReportId::from_random_bytes(bytes)
}

/// POSTs report `n`; returns the status and reference, or `None` when no answer came.
fn send(address: SocketAddr, n: u32) -> Option<(u16, String)> {
    let body = json!({ "id": id(n), "form": incident_report::ReportForm::example() }).to_string();
    let mut stream = TcpStream::connect(address).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .ok()?;
    let request = format!(
        "POST /api/v1/reports HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
         Idempotency-Key: \"{}\"\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        id(n),
        body.len()
    );
    stream.write_all(request.as_bytes()).ok()?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer).ok()?;
    let status = answer.get(9..12)?.parse().ok()?;
    let reference = answer
        .split("\"reference\":\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_default()
        .to_owned();
    Some((status, reference))
}

/// Sends reports `from..to` from 8 threads at once; returns each acknowledged one.
fn send_many(address: SocketAddr, from: u32, to: u32) -> Vec<(u32, String)> {
    let threads: Vec<_> = (0..8)
        .map(|lane| {
            std::thread::spawn(move || {
                (from..to)
                    .filter(|n| n % 8 == lane)
                    .filter_map(|n| match send(address, n) {
                        Some((201 | 200, reference)) => Some((n, reference)),
                        _ => None,
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    threads
        .into_iter()
        .flat_map(|t| t.join().expect("thread"))
        .collect()
}

/// Every stored report's id with its reference, and how many have no delivery row.
fn stored(database: &Path) -> (Vec<(String, String)>, i64) {
    let connection = rusqlite::Connection::open(database).expect("open");
    let mut query = connection
        .prepare("SELECT id, reference FROM reports")
        .expect("query");
    let rows = query
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
        .expect("rows")
        .map(|row| row.expect("row"))
        .collect();
    let orphans = connection
        .query_row(
            "SELECT COUNT(*) FROM reports WHERE id NOT IN (SELECT report_id FROM deliveries)",
            [],
            |row| row.get(0),
        )
        .expect("count");
    (rows, orphans)
}

/// Starts a server on `database`, sends it 3,000 reports from 8 threads, stops it with `stop`
/// 200 ms in, and returns what it acknowledged.
fn interrupted(database: &Path, stop: impl FnOnce(&mut ServerProcess)) -> Vec<(u32, String)> {
    let mut child = start(database);
    let address = child.address;
    let sending = std::thread::spawn(move || send_many(address, 0, 3000));
    std::thread::sleep(Duration::from_millis(200));
    stop(&mut child);
    sending.join().expect("senders")
}

/// Checks that every acknowledged report is stored with its reference and its deliveries.
fn assert_kept(database: &Path, acknowledged: &[(u32, String)]) {
    let (rows, orphans) = stored(database);
    assert_eq!(orphans, 0, "no report without its deliveries");
    for (n, reference) in acknowledged {
        let found = rows
            .iter()
            .find(|(stored, _)| *stored == id(*n).to_string());
        assert_eq!(found.map(|(_, r)| r), Some(reference), "report {n}");
    }
}

#[test]
fn killed_during_submissions_it_keeps_every_report_it_acknowledged() {
    let dir = tempfile::tempdir().expect("dir");
    let database = dir.path().join("reports.sqlite3");
    let acknowledged = interrupted(&database, |child| {
        child.process.kill().expect("SIGKILL");
        child.process.wait().expect("dead");
    });
    assert!(
        !acknowledged.is_empty(),
        "some reports were stored before the kill"
    );
    assert_kept(&database, &acknowledged);
    let again = start(&database);
    for (n, reference) in &acknowledged {
        // Sent again after the restart, it gets the same reference.
        assert_eq!(send(again.address, *n), Some((200, reference.clone())));
    }
}

#[test]
fn sigterm_during_submissions_drains_and_every_answer_matches_the_database() {
    let dir = tempfile::tempdir().expect("dir");
    let database = dir.path().join("reports.sqlite3");
    let mut exit = None;
    let acknowledged = interrupted(&database, |child| {
        let pid = rustix::process::Pid::from_raw(i32::try_from(child.process.id()).expect("pid"))
            .expect("pid");
        rustix::process::kill_process(pid, rustix::process::Signal::TERM).expect("SIGTERM");
        let asked = Instant::now();
        let status = child.process.wait().expect("exit");
        exit = Some((status, asked.elapsed()));
    });
    let (status, took) = exit.expect("stopped");
    assert!(status.success(), "a clean exit: {status}");
    assert!(
        took < Duration::from_secs(4),
        "exited {took:?} after SIGTERM (drain: 2 s)"
    );
    assert_kept(&database, &acknowledged);
}

/// Starts a server on a new data directory, has it acknowledge reports `0..n`, and kills it
/// (SIGKILL, so nothing is checkpointed on the way out); returns the directory, the database and
/// the references given.
fn acknowledged_then_killed(n: u32) -> (tempfile::TempDir, std::path::PathBuf, Vec<String>) {
    let dir = tempfile::tempdir().expect("dir");
    let database = dir.path().join("reports.sqlite3");
    let mut child = start(&database);
    let references = (0..n)
        .map(|n| match send(child.address, n) {
            Some((201, reference)) => reference,
            other => panic!("report {n}: {other:?}"),
        })
        .collect();
    child.process.kill().expect("SIGKILL");
    child.process.wait().expect("dead");
    (dir, database, references)
}

/// How many reports a copy of `database` (with its log) holds, read as SQLite reads it.
fn reports_in_a_copy(database: &Path) -> i64 {
    let copy = tempfile::tempdir().expect("dir");
    for suffix in ["", "-wal"] {
        let from = format!("{}{suffix}", database.display());
        if Path::new(&from).exists() {
            std::fs::copy(&from, copy.path().join(format!("reports.sqlite3{suffix}")))
                .expect("copy");
        }
    }
    rusqlite::Connection::open(copy.path().join("reports.sqlite3"))
        .and_then(|c| c.query_row("SELECT COUNT(*) FROM reports", [], |row| row.get(0)))
        .unwrap_or(0)
}

/// Checks that a server on `database` is refused, in words that say what was lost and what to do.
fn assert_refused_as_lost(database: &Path, stored: usize) {
    let why = try_start(database, false)
        .map(|_| ())
        .expect_err("a database that lost reports is refused");
    assert!(
        why.contains(&format!(
            "this server has stored {stored} up to number {stored}"
        )),
        "{why}"
    );
    assert!(why.contains("reports have been lost"), "{why}");
    assert!(why.contains("lost-device backup"), "{why}");
    assert!(why.contains("--start-despite-lost-reports"), "{why}");
}

/// Overwrites `bytes.len()` bytes of the file at `path` from `offset`.
fn overwrite(path: &Path, offset: u64, bytes: &[u8]) {
    use std::os::unix::fs::FileExt as _;
    std::fs::OpenOptions::new()
        .write(true)
        .open(path)
        .and_then(|file| file.write_all_at(bytes, offset))
        .expect("overwrite");
}

/// The write-ahead log: a 32-byte header, then frames of a 24-byte header and a 4 KiB page.
const WAL_HEADER: u64 = 32;
const WAL_FRAME: u64 = 24 + 4096;

#[test]
fn a_damaged_frame_in_the_log_is_noticed_and_refused() {
    let (_dir, database, _) = acknowledged_then_killed(20);
    let wal = database.with_extension("sqlite3-wal");
    let frames = (std::fs::metadata(&wal).expect("the log").len() - WAL_HEADER) / WAL_FRAME;
    // 64 bytes in a page half-way through the log: SQLite takes the bad checksum as its end.
    overwrite(
        &wal,
        WAL_HEADER + frames / 2 * WAL_FRAME + 24 + 100,
        &[0x5a; 64],
    );
    assert!(
        reports_in_a_copy(&database) < 20,
        "the damage loses reports"
    );
    assert_refused_as_lost(&database, 20);
}

#[test]
fn an_overwritten_log_header_is_noticed_and_refused() {
    let (_dir, database, _) = acknowledged_then_killed(20);
    overwrite(&database.with_extension("sqlite3-wal"), 0, &[0; 32]);
    assert!(
        reports_in_a_copy(&database) < 20,
        "the damage loses reports"
    );
    assert_refused_as_lost(&database, 20);
}

#[test]
fn an_emptied_database_is_noticed_and_refused() {
    let (_dir, database, _) = acknowledged_then_killed(20);
    std::fs::remove_file(database.with_extension("sqlite3-wal")).expect("remove the log");
    std::fs::File::create(&database).expect("empty the database");
    assert_refused_as_lost(&database, 20);
}

#[test]
fn an_older_backup_is_refused_then_started_by_choice_above_every_reference_given() {
    let (dir, database, _) = acknowledged_then_killed(5);
    let backup = dir.path().join("backup.sqlite3");
    rusqlite::Connection::open(&database)
        .and_then(|c| c.execute("VACUUM INTO ?1", [backup.to_string_lossy()]))
        .expect("back up");
    let mut child = start(&database);
    for n in 5..10 {
        assert!(matches!(send(child.address, n), Some((201, _))));
    }
    child.process.kill().expect("SIGKILL");
    child.process.wait().expect("dead");
    // The backup put in place of the database, as the restore advice says.
    std::fs::rename(&backup, &database).expect("restore");
    let _ = std::fs::remove_file(database.with_extension("sqlite3-wal"));
    let _ = std::fs::remove_file(database.with_extension("sqlite3-shm"));
    assert_refused_as_lost(&database, 10);

    // Started on by choice: reports 6 to 10 are lost, and their references are never given again.
    let child = try_start(&database, true).expect("started by choice");
    let (status, reference) = send(child.address, 10).expect("an answer");
    assert_eq!(status, 201);
    assert!(reference.ends_with("-000011"), "{reference}");
    drop(child);
    let connection = rusqlite::Connection::open(&database).expect("open");
    let detail: String = connection
        .query_row(
            "SELECT detail FROM audit WHERE action = 'started_despite_lost_reports'",
            [],
            |row| row.get(0),
        )
        .expect("the choice is in the audit trail");
    assert_eq!(
        detail,
        "the database held 5 reports up to number 5; the mark said 10 up to number 10"
    );
    // Once past its choice, the database is what the mark expects: no flag needed.
    try_start(&database, false).expect("starts");
}

#[tokio::test]
async fn what_a_killed_write_left_in_the_maildir_s_tmp_is_removed_at_start() {
    let data_dir = tempfile::tempdir().expect("dir");
    let tmp = data_dir.path().join("mail/tmp");
    std::fs::create_dir_all(&tmp).expect("tmp");
    let leftover = tmp.join(format!("1795000000.{}.lost-device", id(1)));
    std::fs::File::create(&leftover)
        .and_then(|file| {
            file.set_modified(std::time::SystemTime::now() - Duration::from_secs(3600))
        })
        .expect("a write stopped an hour ago");
    let _app = common::TestApp::spawn_on(data_dir, |_| {}).await;
    let started = Instant::now();
    while leftover.exists() {
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "removed at start"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
