//! A full disk under the data directory: every report is refused with 503, `Retry-After` and
//! words that say it is safe to send again, nothing is half-stored, `/readyz` says not ready,
//! and once space is freed the server is ready again by itself and takes the refused reports.
//!
//! The disk is a real one: a 4 MiB tmpfs, mounted by this test binary run again as a child in
//! user and mount namespaces of its own (`unshare`), so it needs no privileges and leaves no
//! mount behind.

mod common;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::TestApp;
use incident_report::ReportId;
use serde_json::json;

/// Run inside the namespaces by the test below; does nothing when run as a test on its own.
#[tokio::test]
#[ignore = "run by the test below, inside namespaces of its own"]
async fn on_a_small_disk() {
    if std::env::var_os("FULL_DISK_CHILD").is_none() {
        return;
    }
    let data_dir = tempfile::tempdir().expect("dir");
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=4m,mode=0700", "tmpfs"])
        .arg(data_dir.path())
        .status()
        .expect("run mount");
    assert!(mounted.success(), "mount a small tmpfs");
    let app = TestApp::spawn_on(data_dir, |config| {
        config.protection.rate_limit_per_client = std::num::NonZeroU32::MAX;
        config.protection.rate_limit_global = std::num::NonZeroU32::MAX;
    })
    .await;
    assert_eq!(ready(&app).await, StatusCode::OK);

    // All but a little of the space taken by something else.
    let filler = app.data_dir.path().join("filler");
    fill(&filler);
    let mut stored = 0_u64;
    let (refused, answer) = loop {
        let n = u32::try_from(stored).expect("few") + 1;
        let answer = post(&app, n).await;
        if answer.0 != StatusCode::CREATED {
            break (n, answer);
        }
        stored += 1;
        assert!(stored < 2_000, "the disk fills up");
    };
    let (status, retry_after, body) = answer;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_eq!(retry_after.as_deref(), Some("30"));
    let body: serde_json::Value = serde_json::from_str(&body).expect("json");
    assert_eq!(body["error"], "unavailable");
    assert_eq!(
        body["message"],
        "The server cannot store reports just now. It is safe to send the report again in a few \
         minutes."
    );
    // Every 201 is stored, and the refused report is not.
    assert_eq!(app.store.count().await.expect("count"), stored);
    assert_eq!(ready(&app).await, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(post(&app, refused).await.0, StatusCode::SERVICE_UNAVAILABLE);

    // Space freed: ready again by itself, with no report needed to find out.
    std::fs::remove_file(&filler).expect("free the space");
    let freed = Instant::now();
    while ready(&app).await != StatusCode::OK {
        assert!(freed.elapsed() < Duration::from_secs(10), "ready again");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let (status, _, body) = post(&app, refused).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(app.store.count().await.expect("count"), stored + 1);
    println!("full disk: checked after {stored} reports");
    let _ = Command::new("umount").arg(app.data_dir.path()).status();
}

#[test]
fn a_full_disk_answers_503_says_not_ready_and_recovers_by_itself() {
    let output = Command::new("unshare")
        .args(["--user", "--map-root-user", "--mount"])
        .arg(std::env::current_exe().expect("this test binary"))
        .args(["--exact", "on_a_small_disk", "--ignored", "--nocapture"])
        .env("FULL_DISK_CHILD", "1")
        .output()
        .expect("run unshare (util-linux)");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success() && stdout.contains("full disk: checked"),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Fills the filesystem under `path` with a file there, leaving 16 KiB.
fn fill(path: &Path) {
    use std::io::Write as _;
    let mut file = std::fs::File::create(path).expect("filler");
    let block = vec![0_u8; 16 * 1024];
    while file
        .write_all(&block)
        .and_then(|()| file.sync_data())
        .is_ok()
    {}
    file.set_len(
        file.metadata()
            .expect("size")
            .len()
            .saturating_sub(16 * 1024),
    )
    .expect("leave a little");
    file.sync_all().expect("sync");
}

/// POSTs report `n`; returns the status, `Retry-After` and body.
async fn post(app: &TestApp, n: u32) -> (StatusCode, Option<String>, String) {
    let mut bytes = [0x24; 16];
    bytes[..4].copy_from_slice(&n.to_le_bytes());
    let id = ReportId::from_random_bytes(bytes);
    let body = json!({ "id": id, "form": incident_report::ReportForm::example() }).to_string();
    let request = Request::post("/api/v1/reports")
        .header(header::CONTENT_TYPE, "application/json")
        .header("idempotency-key", id.to_string())
        .body(Body::from(body))
        .expect("request");
    let (status, headers, body) = app.send(request).await;
    let retry_after = headers
        .get(header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    (status, retry_after, body)
}

async fn ready(app: &TestApp) -> StatusCode {
    app.get("/readyz").await.0
}
