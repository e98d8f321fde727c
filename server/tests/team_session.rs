//! The team's view for a person signed in: how long a session lasts, and what a form post does
//! with and without its CSRF token. The test starts the session in the store (signing in itself,
//! against a real provider, is in the browser tests) and moves the server's clock, so "31
//! minutes later" takes no time.

mod common;

use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use clock::{Clock, ManualClock};
use common::{CSRF, TestApp, form_post, signed_in, with_team};
use incident_report::{ReportForm, ReportId};
use report_store::{NewReport, Submitted};

const SIGN_IN_AGAIN: &str = "Sign-in is not available just now";

async fn list(app: &TestApp, cookie: &str) -> (StatusCode, String) {
    let request = Request::get("/team")
        .header(header::COOKIE, cookie)
        .body(Body::empty())
        .expect("request");
    let (status, _, page) = app.send(request).await;
    (status, page)
}

/// A report in the store, received now by `clock`; gives its reference.
async fn a_report(app: &TestApp, clock: &ManualClock) -> String {
    let submitted = app
        .store
        .submit(NewReport {
            id: ReportId::from_random_bytes([7; 16]),
            fingerprint: "f".into(),
            form_json: serde_json::to_string(&ReportForm::example()).expect("json"),
            received_at: "2026-12-07T10:04:05Z".into(),
            received_at_ms: clock.now_ms(),
            year: 2026,
            destinations: Vec::new(),
        })
        .await
        .expect("stored");
    let Submitted::Created { reference } = submitted else {
        panic!("a new report");
    };
    reference
}

/// The audit trail as (action, who, at), oldest first.
fn audit(app: &TestApp) -> Vec<(String, String, i64)> {
    let database = rusqlite::Connection::open(app.data_dir.path().join("reports.sqlite3"))
        .expect("the report database");
    let mut rows = database
        .prepare("SELECT action, who, at FROM audit ORDER BY seq")
        .expect("query");
    rows.query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
        .expect("rows")
        .map(|row| row.expect("row"))
        .collect()
}

#[tokio::test]
async fn a_session_ends_after_30_quiet_minutes_and_after_8_hours_however_busy() {
    let clock = ManualClock::starting_now();
    let app = TestApp::spawn_with_clock(&clock, with_team).await;

    let quiet = signed_in(&app, &clock, "quiet-session-token").await;
    let (status, page) = list(&app, &quiet).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Sam"), "signed in");
    // Each visit counts as activity: 29 minutes after the last one it still works.
    clock.advance(Duration::from_mins(29));
    assert_eq!(list(&app, &quiet).await.0, StatusCode::OK);
    clock.advance(Duration::from_mins(29));
    assert_eq!(list(&app, &quiet).await.0, StatusCode::OK);
    clock.advance(Duration::from_mins(31));
    let (status, page) = list(&app, &quiet).await;
    assert_eq!(status, StatusCode::BAD_GATEWAY, "sent to sign in again");
    assert!(page.contains(SIGN_IN_AGAIN));

    // Busy all day: used every 20 minutes, it still ends 8 hours after signing in.
    let busy = signed_in(&app, &clock, "busy-session-token").await;
    for _ in 0..23 {
        clock.advance(Duration::from_mins(20));
        assert_eq!(list(&app, &busy).await.0, StatusCode::OK);
    }
    clock.advance(Duration::from_mins(20)); // 8 hours since signing in.
    let (status, page) = list(&app, &busy).await;
    assert_eq!(status, StatusCode::BAD_GATEWAY, "sent to sign in again");
    assert!(page.contains(SIGN_IN_AGAIN));
}

#[tokio::test]
async fn closing_asks_first_and_only_the_confirmed_form_closes() {
    let clock = ManualClock::starting_now();
    let app = TestApp::spawn_with_clock(&clock, with_team).await;
    let cookie = signed_in(&app, &clock, "close-session-token").await;
    let reference = a_report(&app, &clock).await;
    let path = format!("/team/reports/{reference}/close");
    let close = |body: String| form_post(&path, Some(&cookie), body);
    let chosen = format!("csrf={CSRF}&outcome=recovered&note=Found+on+the+train");

    let (status, _, page) = app.send(close(chosen.clone())).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Close this report?"));
    assert!(page.contains("Device recovered") && page.contains("Found on the train"));
    assert!(page.contains(r#"name="confirm" value="yes""#));
    let actions = |app: &TestApp| {
        audit(app)
            .into_iter()
            .map(|(action, _, _)| action)
            .collect::<Vec<_>>()
    };
    assert!(
        actions(&app).is_empty(),
        "asking closes nothing and writes nothing"
    );

    let (status, headers, _) = app.send(close(format!("{chosen}&confirm=yes"))).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        headers.get(header::LOCATION).and_then(|l| l.to_str().ok()),
        Some(format!("/team/reports/{reference}?done=closed").as_str())
    );
    assert_eq!(actions(&app), ["closed"]);
}

#[tokio::test]
async fn a_form_acts_only_with_its_session_s_token_then_redirects_and_both_are_audited() {
    let clock = ManualClock::starting_now();
    let app = TestApp::spawn_with_clock(&clock, with_team).await;
    let cookie = signed_in(&app, &clock, "form-session-token").await;
    let reference = a_report(&app, &clock).await;
    let path = format!("/team/reports/{reference}/acknowledge");
    let acknowledge = |body: &'static str| form_post(&path, Some(&cookie), body);

    clock.advance(Duration::from_mins(1));
    let refused_at = clock.now_ms();
    let (status, _, page) = app.send(acknowledge("csrf=a-guess")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(page.contains("This form could not be used"));
    let (status, _, page) = app.send(acknowledge("")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(page.contains("nothing was done"));

    clock.advance(Duration::from_mins(1));
    let acknowledged_at = clock.now_ms();
    let (status, headers, _) = app
        .send(acknowledge("csrf=the-session-s-own-form-token"))
        .await;
    // Post, redirect, get: reloading the page it lands on posts nothing again.
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        headers.get(header::LOCATION).and_then(|l| l.to_str().ok()),
        Some(format!("/team/reports/{reference}?done=acknowledged").as_str())
    );

    let trail = audit(&app);
    let sam = "sam@example.org".to_owned();
    assert_eq!(
        trail,
        vec![
            ("refused".to_owned(), sam.clone(), refused_at),
            ("refused".to_owned(), sam.clone(), refused_at),
            ("acknowledged".to_owned(), sam, acknowledged_at),
        ],
        "each refusal and the acknowledgement, at the server's time"
    );
}

#[tokio::test]
async fn a_case_is_taken_handed_over_noted_and_reopened_with_plain_forms() {
    let clock = ManualClock::starting_now();
    let app = TestApp::spawn_with_clock(&clock, with_team).await;
    let cookie = signed_in(&app, &clock, "case-session-token").await;
    let reference = a_report(&app, &clock).await;
    let act = |action: &str, body: &str| {
        form_post(
            &format!("/team/reports/{reference}/{action}"),
            Some(&cookie),
            format!("csrf={CSRF}&{body}"),
        )
    };
    let done = |headers: &axum::http::HeaderMap| {
        headers
            .get(header::LOCATION)
            .and_then(|l| l.to_str().ok())
            .and_then(|l| l.split_once("?done="))
            .map(|(_, done)| done.to_owned())
    };
    let page = || async {
        let request = Request::get(format!("/team/reports/{reference}"))
            .header(header::COOKIE, &cookie)
            .body(Body::empty())
            .expect("request");
        app.send(request).await.2
    };

    let (status, headers, _) = app.send(act("owner", "owner=me")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(done(&headers).as_deref(), Some("owner-changed"));
    assert!(
        page()
            .await
            .contains("You own this report (sam@example.org).")
    );

    let (status, _, refused) = app
        .send(act("owner", "owner=alex%40example.org%2C+x%40y.org"))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(refused.contains("Enter the email address of the person in the team to hand it to"));
    let (_, headers, _) = app.send(act("owner", "owner=Alex%40Example.org")).await;
    assert_eq!(done(&headers).as_deref(), Some("owner-changed"));
    assert!(page().await.contains("alex@example.org owns this report."));

    let (status, _, refused) = app.send(act("note", "text=+++")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(refused.contains("Enter the note"));
    let (_, headers, _) = app
        .send(act("note", "text=Called+the+reporter%3A+on+the+train."))
        .await;
    assert_eq!(done(&headers).as_deref(), Some("noted"));
    let shown = page().await;
    assert!(shown.contains("Called the reporter: on the train."));
    assert!(
        shown.contains("sam@example.org, "),
        "who wrote it, and when"
    );

    app.send(act("close", "outcome=recovered&confirm=yes"))
        .await;
    assert!(page().await.contains("Reopen this report"));
    let (_, headers, _) = app.send(act("reopen", "")).await;
    assert_eq!(done(&headers).as_deref(), Some("reopened"));
    let shown = page().await;
    assert!(!shown.contains("Reopen this report"), "no longer closed");
    assert!(shown.contains("Close this report"), "open again");
    let (_, headers, _) = app.send(act("reopen", "")).await;
    assert_eq!(done(&headers).as_deref(), Some("not-closed"));

    let actions: Vec<String> = audit(&app)
        .into_iter()
        .map(|(action, _, _)| action)
        .filter(|action| action != "viewed")
        .collect();
    assert_eq!(
        actions,
        [
            "owner_changed",
            "owner_changed",
            "note_added",
            "closed",
            "reopened",
            "not_closed"
        ],
        "refused forms change nothing"
    );
}

#[tokio::test]
async fn personal_details_are_erased_on_request_only_once_passed_on_with_a_reason() {
    let clock = ManualClock::starting_now();
    let app = TestApp::spawn_with_clock(&clock, with_team).await;
    let cookie = signed_in(&app, &clock, "erase-session-token").await;
    let submitted = app
        .store
        .submit(NewReport {
            id: ReportId::from_random_bytes([8; 16]),
            fingerprint: "f".into(),
            form_json: serde_json::to_string(&ReportForm::example()).expect("json"),
            received_at: "2026-12-07T10:04:05Z".into(),
            received_at_ms: clock.now_ms(),
            year: 2026,
            destinations: vec!["maildir".into()],
        })
        .await
        .expect("stored");
    let Submitted::Created { reference } = submitted else {
        panic!("a new report");
    };
    let erase = |body: &str| {
        form_post(
            &format!("/team/reports/{reference}/erase"),
            Some(&cookie),
            format!("csrf={CSRF}&{body}"),
        )
    };
    let (status, _, page) = app.send(erase("reason=")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("Enter why the details are erased"));
    assert!(page.contains("Select that you understand the details cannot be brought back"));

    // Not passed on yet: the copy still to be sent would be empty.
    let (status, _, page) = app
        .send(erase("reason=Asked+by+the+reporter&understood=yes"))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(page.contains("These details cannot be erased yet"));

    app.forwarder.run_once().await;
    let request = Request::get(format!("/team/reports/{reference}"))
        .header(header::COOKIE, &cookie)
        .body(Body::empty())
        .expect("request");
    let page = app.send(request).await.2;
    assert!(page.contains("Copies were passed on to these destinations"));
    assert!(page.contains("The mail folder on this server"));
    let (status, headers, _) = app
        .send(erase("reason=Asked+by+the+reporter&understood=yes"))
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(
        headers
            .get(header::LOCATION)
            .and_then(|l| l.to_str().ok())
            .is_some_and(|l| l.ends_with("?done=erased"))
    );
    let report = app
        .store
        .team_report(&reference)
        .await
        .expect("read")
        .expect("there");
    assert_eq!(report.summary.form_json, report_store::CLEARED_ANSWERS);
    assert!(
        audit(&app).iter().any(|(action, _, _)| action == "erased"),
        "audited"
    );
}
