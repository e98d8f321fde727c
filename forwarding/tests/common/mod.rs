//! What the forwarding tests share: a store with one report waiting for given destinations, and
//! settings whose retries are due at once.

use clock::{Clock, SystemClock};
use std::time::Duration;

use forwarding::message::Envelope;
use forwarding::{Destination, Forwarder, Settings};
use incident_report::{ReportForm, ReportId};
use report_store::{NewReport, ReportStore, Submitted};

/// The report every test forwards.
pub fn id() -> ReportId {
    ReportId::from_random_bytes([5; 16])
}

/// A store holding one new report, with a delivery for each of `destinations`. Returns it and
/// the report's reference.
pub async fn store_with_report(destinations: &[&str]) -> (ReportStore, String) {
    let store = ReportStore::sqlite_in_memory().expect("store");
    let reference = report_in(&store, destinations).await;
    (store, reference)
}

/// Stores the example report in `store`, with a delivery for each of `destinations`; returns its
/// reference.
pub async fn report_in(store: &ReportStore, destinations: &[&str]) -> String {
    let form = ReportForm::example();
    let now = SystemClock.now_ms();
    let submitted = store
        .submit(NewReport {
            id: id(),
            fingerprint: "f".into(),
            form_json: serde_json::to_string(&form).expect("json"),
            received_at: "2026-11-28T10:04:05Z".into(),
            received_at_ms: now,
            year: 2026,
            destinations: destinations.iter().map(|d| (*d).to_owned()).collect(),
        })
        .await
        .expect("stored");
    let Submitted::Created { reference } = submitted else {
        panic!("a new report");
    };
    reference
}

/// A forwarder to `destination` whose retries are due again at once.
pub fn forwarder(store: &ReportStore, destination: Destination) -> Forwarder {
    forwarder_with(store, destination, |_| {})
}

/// The same, with `change` made to its settings.
pub fn forwarder_with(
    store: &ReportStore,
    destination: Destination,
    change: impl FnOnce(&mut Settings),
) -> Forwarder {
    let envelope = Envelope {
        from: "Lost Device <lost-device@example.test>"
            .parse()
            .expect("from"),
        to: "Incidents <incidents@example.test>".parse().expect("to"),
    };
    let mut settings = Settings::new(vec![destination], envelope);
    settings.retry = incident_report::RetryPolicy {
        base: Duration::ZERO,
        cap: Duration::ZERO,
    };
    change(&mut settings);
    Forwarder::new(store.clone(), settings)
}

/// Runs the forwarder `rounds` times: each claims what is due (a retry at once) and waits for
/// every outcome to be recorded.
pub async fn forward(forwarder: &Forwarder, rounds: usize) {
    for _ in 0..rounds {
        forwarder.run_once().await;
    }
}

/// Runs `forwarder` in the background until every delivery in `store` is accepted (or `within`
/// passes), then stops it and waits for the deliveries it has in progress: a second copy of a
/// report would be one of them, or counted already (no row is due once all are delivered).
pub async fn run_until_delivered(forwarder: Forwarder, store: &ReportStore, within: Duration) {
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(forwarder.run(async move {
        let _ = stopped.await;
    }));
    let started = std::time::Instant::now();
    while started.elapsed() < within && store.backlog().await.expect("backlog").undelivered > 0 {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let _ = stop.send(());
    running.await.expect("the forwarder stops");
}
