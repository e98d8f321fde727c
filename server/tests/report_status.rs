//! `GET /api/v1/reports/{id}/status` on a real server: the reference, times and states, never
//! an answer or who in the team; unknown and malformed ids answered alike; its own rate limit.

mod common;

use axum::{
    body::Body,
    http::{Request, StatusCode, header},
};
use common::TestApp;
use incident_report::progress::{PassedOn, Progress, TeamState, status_path};
use incident_report::{ReportForm, ReportId};
use report_store::Actor;
use serde_json::json;

fn id(byte: u8) -> ReportId {
    ReportId::from_random_bytes([byte; 16])
}

async fn send_report(app: &TestApp, id: ReportId) -> StatusCode {
    let body = json!({ "id": id, "form": ReportForm::example() }).to_string();
    let request = Request::post("/api/v1/reports")
        .header(header::CONTENT_TYPE, "application/json")
        .header("Idempotency-Key", id.to_string())
        .body(Body::from(body))
        .expect("request");
    app.send(request).await.0
}

/// The team member who acts on the report in these tests: their name must never reach the phone.
fn team_member() -> Actor {
    Actor {
        who: "alex.teammember@example.org".to_owned(),
        address: "127.0.0.9".to_owned(),
    }
}

/// Fails if `body` holds any answer of the example report (every field, as a JSON string, and
/// the free texts anywhere) or the team member's address or name.
fn assert_tells_nothing_private(body: &str) {
    let fields = ReportForm::example().fields();
    assert!(
        fields.len() >= 10,
        "the example report's answers: {fields:?}"
    );
    for (name, value) in fields {
        assert!(
            !body.contains(&format!("\"{value}\"")),
            "{name} = {value:?} is in {body}"
        );
        // A choice (`yes`, `laptop`) is a word a status could hold by chance; names, numbers,
        // emails and descriptions must not be anywhere.
        let free_text =
            value.len() > 4 && !value.chars().all(|c| c.is_ascii_lowercase() || c == '-');
        assert!(
            !free_text || !body.contains(&value),
            "{name} = {value:?} is in {body}"
        );
    }
    for secret in ["alex.teammember", "example.org", "Alex"] {
        assert!(!body.contains(secret), "{secret:?} is in {body}");
    }
}

#[tokio::test]
async fn the_phone_is_told_each_stage_and_nothing_private() {
    let app = TestApp::spawn().await;
    assert_eq!(send_report(&app, id(1)).await, StatusCode::CREATED);
    let read = |body: &str| -> Progress { serde_json::from_str(body).expect("a progress body") };

    let (status, headers, body) = app.get(&status_path(id(1))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(headers[header::CACHE_CONTROL], "no-store");
    let progress = read(&body);
    assert_eq!(progress.id, id(1));
    assert!(progress.reference.starts_with("LD-"));
    assert!(progress.received_at_ms > 1_700_000_000_000);
    assert_eq!(
        (progress.passed_on, progress.state),
        (PassedOn::Trying, TeamState::New)
    );
    assert_tells_nothing_private(&body);

    app.forwarder.run_once().await;
    let (_, _, body) = app.get(&status_path(id(1))).await;
    assert_eq!(read(&body).passed_on, PassedOn::Delivered);
    assert!(read(&body).passed_on_at_ms.is_some());

    let reference = progress.reference;
    app.store
        .acknowledge(&reference, &team_member(), 1_800_000_000_000)
        .await
        .expect("acknowledge");
    app.store
        .close(
            &reference,
            incident_report::progress::Outcome::Recovered,
            "Alex found it",
            &team_member(),
            1_800_000_060_000,
        )
        .await
        .expect("close");
    let (_, _, body) = app.get(&status_path(id(1))).await;
    let closed = read(&body);
    assert_eq!(closed.state, TeamState::Closed);
    assert_eq!(closed.acknowledged_at_ms, Some(1_800_000_000_000));
    assert_eq!(closed.closed_at_ms, Some(1_800_000_060_000));
    assert_tells_nothing_private(&body);
    assert!(
        !body.contains("recovered") && !body.contains("Alex"),
        "{body}"
    );
    app.stop().await;
}

#[tokio::test]
async fn an_unknown_id_and_a_malformed_one_are_answered_alike() {
    let app = TestApp::spawn().await;
    assert_eq!(send_report(&app, id(1)).await, StatusCode::CREATED);
    let unknown = app.get(&status_path(id(2))).await;
    for path in [
        "/api/v1/reports/not-an-id/status".to_owned(),
        "/api/v1/reports/%27%20OR%201=1--/status".to_owned(),
        format!("/api/v1/reports/{}/status", "f".repeat(200)),
        format!("/api/v1/reports/{}/status", &id(1).to_string()[..35]),
    ] {
        let malformed = app.get(&path).await;
        assert_eq!(malformed.0, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(malformed.2, unknown.2, "{path}");
        assert_eq!(
            malformed.1.get(header::CONTENT_TYPE),
            unknown.1.get(header::CONTENT_TYPE)
        );
    }
    assert_eq!(unknown.0, StatusCode::NOT_FOUND);
    assert!(unknown.2.contains("unknown-report"), "{}", unknown.2);
    app.stop().await;
}

#[tokio::test]
async fn asking_too_often_is_refused_in_plain_words_without_spending_the_report_allowance() {
    let app = TestApp::spawn_with(|config| {
        config.protection.rate_limit_per_client = std::num::NonZeroU32::new(2).expect("limit");
    })
    .await;
    for _ in 0..2 {
        assert_eq!(app.get(&status_path(id(9))).await.0, StatusCode::NOT_FOUND);
    }
    let (status, headers, body) = app.get(&status_path(id(9))).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(headers.contains_key(header::RETRY_AFTER));
    assert!(
        body.contains("Too many questions about reports were asked from this network just now."),
        "words about asking, not sending: {body}"
    );
    // Asking is counted apart from sending: the phone can still send its report.
    assert_eq!(send_report(&app, id(1)).await, StatusCode::CREATED);
    app.stop().await;
}
