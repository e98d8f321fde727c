//! Forwarding by webhook to a receiver in the test that checks the signature as a real one does,
//! with the Standard Webhooks specification's own library: a 503 is tried again and the report
//! accepted once; a wrong secret is refused by the receiver.

mod common;

use clock::{Clock, SystemClock};
use std::sync::{Arc, Mutex};

use axum::http::{HeaderMap, StatusCode};
use common::{forward, forwarder, forwarder_with, id, run_until_delivered, store_with_report};
use forwarding::Destination;
use forwarding::webhook::Webhook;
use secrecy::SecretString;

/// The secret the sender signs with.
const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
/// Another.
const OTHER_SECRET: &str = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";

fn webhook(url: &str, secret: &str) -> Destination {
    Destination::Webhook(Webhook::new(url, SecretString::from(secret.to_owned())).expect("webhook"))
}

/// What the receiver saw: the idempotency keys it accepted, and how many requests it refused.
#[derive(Default)]
struct Seen {
    accepted: Vec<String>,
    bad_signatures: usize,
    requests: usize,
}

/// A webhook receiver on a free loopback port, answering `first` to the first request and 200
/// after (when the signature checks out with `secret`).
async fn receiver(secret: &'static str, first: StatusCode) -> (String, Arc<Mutex<Seen>>) {
    let seen = Arc::new(Mutex::new(Seen::default()));
    let state = Arc::clone(&seen);
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap, body: axum::body::Bytes| {
            let seen = Arc::clone(&state);
            async move {
                let mut seen = seen.lock().expect("lock");
                seen.requests += 1;
                let verifier = standardwebhooks::Webhook::new(secret).expect("secret");
                if verifier.verify(&body, &headers).is_err() {
                    seen.bad_signatures += 1;
                    return StatusCode::UNAUTHORIZED;
                }
                if seen.requests == 1 && first != StatusCode::OK {
                    return first;
                }
                let key = headers
                    .get("webhook-id")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("");
                // A real receiver drops a repeat by its key.
                if !seen.accepted.iter().any(|k| k == key) {
                    seen.accepted.push(key.to_owned());
                }
                StatusCode::OK
            }
        }),
    );
    (serve_hook(app).await, seen)
}

/// Serves `app` on a free loopback port; returns its `/hook` address.
async fn serve_hook(app: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}/hook", listener.local_addr().expect("address"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

#[tokio::test]
async fn a_503_is_tried_again_and_the_report_is_accepted_once() {
    let (url, seen) = receiver(SECRET, StatusCode::SERVICE_UNAVAILABLE).await;
    let (store, _) = store_with_report(&["webhook"]).await;
    let forwarder = forwarder(&store, webhook(&url, SECRET));
    forward(&forwarder, 4).await;

    assert_eq!(store.backlog().await.expect("backlog").undelivered, 0);
    let seen = seen.lock().expect("lock");
    assert_eq!(seen.requests, 2, "503, then 200, then nothing more");
    assert_eq!(seen.accepted, [id().to_string()]);
    assert_eq!(seen.bad_signatures, 0);
}

#[tokio::test]
async fn a_wrong_secret_is_refused_by_the_receiver_and_the_delivery_parked() {
    let (url, seen) = receiver(SECRET, StatusCode::OK).await;
    let (store, _) = store_with_report(&["webhook"]).await;
    let forwarder = forwarder(&store, webhook(&url, OTHER_SECRET));
    forward(&forwarder, 3).await;

    let backlog = store.backlog().await.expect("backlog");
    let seen = seen.lock().expect("lock");
    assert_eq!(seen.bad_signatures, 1);
    assert_eq!(seen.accepted.len(), 0);
    assert_eq!(
        backlog.parked, 1,
        "401 is permanent until the secret is fixed"
    );
    assert!(
        backlog
            .parked_error
            .as_deref()
            .is_some_and(|e| e.contains("401"))
    );
}

/// A receiver that takes `delay` to accept anything; counts the requests.
async fn slow_receiver(delay: std::time::Duration) -> (String, Arc<Mutex<usize>>) {
    let requests = Arc::new(Mutex::new(0));
    let counted = Arc::clone(&requests);
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move || {
            let counted = Arc::clone(&counted);
            async move {
                *counted.lock().expect("lock") += 1;
                tokio::time::sleep(delay).await;
                StatusCode::OK
            }
        }),
    );
    (serve_hook(app).await, requests)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receiver_slower_than_the_lease_gets_one_request() {
    let (url, requests) = slow_receiver(std::time::Duration::from_millis(2500)).await;
    let (store, _) = store_with_report(&["webhook"]).await;
    let forwarder = forwarder_with(&store, webhook(&url, SECRET), |settings| {
        settings.lease = std::time::Duration::from_secs(1);
        settings.poll = std::time::Duration::from_millis(50);
    });
    run_until_delivered(forwarder, &store, std::time::Duration::from_secs(15)).await;
    assert_eq!(store.backlog().await.expect("backlog").undelivered, 0);
    assert_eq!(*requests.lock().expect("lock"), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_instance_restarted_after_a_crash_resends_its_own_deliveries_at_once() {
    let (url, seen) = receiver(SECRET, StatusCode::OK).await;
    let (store, _) = store_with_report(&["webhook"]).await;
    // The instance "a" claimed the delivery for ten minutes, then died.
    let claimed = store
        .claim_due(report_store::Claim {
            destinations: vec!["webhook".into()],
            now_ms: SystemClock.now_ms(),
            lease_ms: 600_000,
            lease: "a:before-the-crash".into(),
            limit: 1,
        })
        .await
        .expect("claim");
    assert_eq!(claimed.len(), 1);
    // Another instance leaves it alone: it may still be working on it.
    let other = forwarder_with(&store, webhook(&url, SECRET), |settings| {
        settings.holder = "b".into();
    });
    assert!(!other.run_once().await, "nothing claimed");
    assert_eq!(store.backlog().await.expect("backlog").undelivered, 1);
    // "a" itself, started again, knows it is not.
    let restarted = forwarder_with(&store, webhook(&url, SECRET), |settings| {
        settings.holder = "a".into();
    });
    run_until_delivered(restarted, &store, std::time::Duration::from_secs(5)).await;
    assert_eq!(store.backlog().await.expect("backlog").undelivered, 0);
    assert_eq!(seen.lock().expect("lock").accepted.len(), 1);
}
