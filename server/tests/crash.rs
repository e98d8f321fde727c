//! The intake as a separate process, stopped the hard way and the polite way while phones are
//! sending: killed with SIGKILL and restarted, every report it acknowledged is there, once, with
//! its deliveries; sent SIGTERM, it stops taking connections, answers what it had, and exits
//! within its drain deadline, and every answer matches the database.
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
    let application = server::startup::Application::build(config)
        .await
        .expect("the server starts");
    println!("listening on {}", application.address());
    application
        .run_until_stopped(server::startup::shutdown_signal())
        .await;
}

fn start(database: &Path) -> ServerProcess {
    let data_dir = database.parent().expect("the data directory");
    ServerProcess::start("child_server", "CRASH_CHILD_DATA_DIR", data_dir)
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
