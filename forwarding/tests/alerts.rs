//! Alerts to the team, through a real Maildir: one when a delivery is held back and one when
//! nobody acknowledged a report in time, each sent once by two instances sharing the store (one
//! SQLite database, or two connections to one PostgreSQL database) and again after a restart,
//! written to the audit trail, and holding no answer.

#[allow(dead_code, reason = "each test file uses some of the shared helpers")]
mod common;
#[allow(
    dead_code,
    reason = "the store's own test databases: only PostgreSQL's are used here"
)]
#[path = "../../report-store/tests/common/mod.rs"]
mod databases;

use std::path::Path;
use std::time::Duration;

use axum::http::StatusCode;
use clock::{Clock as _, ManualClock};
use common::{forward, forwarder_with, report_in, store_with_report};
use forwarding::alert::Alerts;
use forwarding::maildir::Maildir;
use forwarding::webhook::Webhook;
use forwarding::{Destination, Forwarder};
use report_store::{Actor, AuditAction, ReportStore};
use secrecy::SecretString;

const FOUR_HOURS: Duration = Duration::from_hours(4);

/// An instance named `holder` sending to the Maildir at `root` (and to `also`), alerting the team.
fn instance(
    store: &ReportStore,
    clock: &ManualClock,
    root: &Path,
    holder: &str,
    also: Option<Destination>,
) -> Forwarder {
    forwarder_with(
        store,
        Destination::Maildir(Maildir::new(root)),
        |settings| {
            settings.destinations.extend(also);
            holder.clone_into(&mut settings.holder);
            settings.clock = clock.shared();
            settings.team_view = Some("https://lost-device.example.org".to_owned());
            settings.alerts = Some(Alerts {
                to: "Incident team <team@example.test>".parse().expect("to"),
                acknowledge_within: FOUR_HOURS,
            });
        },
    )
}

/// A member of the team, at work.
fn sam() -> Actor {
    Actor {
        who: "sam@example.org".into(),
        address: "127.0.0.1".into(),
    }
}

/// The alert files in the Maildir, read.
fn alerts_in(root: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(root.join("new")) else {
        return Vec::new();
    };
    entries
        .filter_map(Result::ok)
        .filter(|entry| entry.file_name().to_string_lossy().starts_with("alert."))
        .map(|entry| std::fs::read_to_string(entry.path()).expect("readable"))
        .collect()
}

async fn alerts_audited(store: &ReportStore, reference: &str) -> usize {
    let report = store
        .team_report(reference)
        .await
        .expect("read")
        .expect("the report");
    report
        .audit
        .iter()
        .filter(|entry| entry.action == AuditAction::AlertSent)
        .count()
}

#[tokio::test]
async fn a_report_nobody_acknowledged_in_time_is_alerted_once_across_instances_and_restarts() {
    let store = ReportStore::sqlite_in_memory().expect("store");
    alerted_once_by_two_instances(store.clone(), store).await;
}

#[tokio::test]
async fn the_same_on_postgresql_with_each_instance_its_own_connections() {
    let database = databases::postgres_database().await;
    let open = || async {
        ReportStore::open_postgres(&database)
            .await
            .expect("open the PostgreSQL store")
    };
    alerted_once_by_two_instances(open().await, open().await).await;
}

/// Two instances, on `store` and `other` (one database), look for late reports and forward
/// what they find at the same moments: one alert is sent, and none after a restart.
async fn alerted_once_by_two_instances(store: ReportStore, other: ReportStore) {
    let maildir = tempfile::tempdir().expect("dir");
    let reference = report_in(&store, &["maildir"]).await;
    let clock = ManualClock::starting_now();
    let (first, second) = (
        instance(&store, &clock, maildir.path(), "first", None),
        instance(&other, &clock, maildir.path(), "second", None),
    );
    first.raise_unacknowledged().await;
    forward(&first, 1).await;
    assert!(alerts_in(maildir.path()).is_empty(), "not late yet");

    clock.advance(Duration::from_mins(4 * 60 - 1));
    first.raise_unacknowledged().await;
    forward(&first, 1).await;
    assert!(alerts_in(maildir.path()).is_empty(), "a minute to go");

    clock.advance(Duration::from_secs(61));
    // Both instances look, and both forward.
    tokio::join!(first.raise_unacknowledged(), second.raise_unacknowledged());
    tokio::join!(forward(&second, 1), forward(&first, 1));
    let alerts = alerts_in(maildir.path());
    assert_eq!(alerts.len(), 1, "one alert");
    let alert = &alerts[0];
    assert!(alert.contains(&format!(
        "Subject: [{reference}] Not acknowledged within 4 hours"
    )));
    assert!(
        alert.contains("<team@example.test>"),
        "to the team: {alert}"
    );
    assert!(alert.contains(&format!(
        "https://lost-device.example.org/team/reports/{reference}"
    )));
    let example = incident_report::ReportForm::example();
    assert!(
        !alert.contains(&example.name) && !alert.contains(&example.email),
        "no answer"
    );
    assert_eq!(alerts_audited(&store, &reference).await, 1);

    // Started again: nothing new.
    let again = instance(&store, &clock, maildir.path(), "first", None);
    again.release_own_leases().await;
    clock.advance(Duration::from_secs(3600));
    again.raise_unacknowledged().await;
    forward(&again, 2).await;
    assert_eq!(alerts_in(maildir.path()).len(), 1);
    assert_eq!(alerts_audited(&store, &reference).await, 1);
}

#[tokio::test]
async fn a_report_acknowledged_in_time_is_not_alerted() {
    let maildir = tempfile::tempdir().expect("dir");
    let (store, reference) = store_with_report(&["maildir"]).await;
    let clock = ManualClock::starting_now();
    let forwarder = instance(&store, &clock, maildir.path(), "only", None);
    store
        .acknowledge(&reference, &sam(), clock.now_ms())
        .await
        .expect("acknowledged");
    clock.advance(FOUR_HOURS * 2);
    forwarder.raise_unacknowledged().await;
    forward(&forwarder, 2).await;
    assert_eq!(alerts_in(maildir.path()), [] as [std::string::String; 0]);
}

#[tokio::test]
async fn a_delivery_held_back_is_alerted_once_however_often_it_is_held_back() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}/hook", listener.local_addr().expect("address"));
    let refusing = axum::Router::new().route(
        "/hook",
        axum::routing::post(|| async { StatusCode::BAD_REQUEST }),
    );
    tokio::spawn(async move { axum::serve(listener, refusing).await });
    let webhook = || {
        Destination::Webhook(
            Webhook::new(
                &url,
                SecretString::from("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw".to_owned()),
            )
            .expect("webhook"),
        )
    };
    let maildir = tempfile::tempdir().expect("dir");
    let (store, reference) = store_with_report(&["webhook"]).await;
    let clock = ManualClock::starting_now();
    let forwarder = instance(&store, &clock, maildir.path(), "only", Some(webhook()));
    forward(&forwarder, 2).await;
    let alerts = alerts_in(maildir.path());
    assert_eq!(alerts.len(), 1);
    assert!(alerts[0].contains(&format!(
        "Subject: [{reference}] Held back: a destination refused this report"
    )));
    // The team tries again; it is held back again; no second alert.
    store
        .retry_delivery(&reference, &sam(), clock.now_ms())
        .await
        .expect("retried");
    forward(&forwarder, 2).await;
    assert_eq!(alerts_in(maildir.path()).len(), 1);
    assert_eq!(alerts_audited(&store, &reference).await, 1);
    // The alert is the team's, not the report's: the report is held back, not delivered.
    let status = store
        .status(common::id())
        .await
        .expect("status")
        .expect("the report");
    assert_eq!(status.passed_on, report_store::PassedOn::HeldBack);
}
