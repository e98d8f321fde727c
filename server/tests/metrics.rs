//! `GET /metrics` on its own listener, scraped and parsed by a Prometheus text-format parser
//! after a known sequence of events: each named series holds what happened. The public listener
//! has no `/metrics`.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::TestApp;
use incident_report::ReportId;
use serde_json::json;

fn with_metrics(config: &mut server::config::Config) {
    config.metrics_listen = Some("127.0.0.1:0".parse().expect("address"));
    config.protection.rate_limit_per_client = std::num::NonZeroU32::new(3).expect("limit");
}

async fn post_report(app: &TestApp, byte: u8, form: &serde_json::Value) -> StatusCode {
    let id = ReportId::from_random_bytes([byte; 16]);
    let request = Request::post("/api/v1/reports")
        .header(header::CONTENT_TYPE, "application/json")
        .header("idempotency-key", format!("\"{id}\""))
        .body(Body::from(json!({ "id": id, "form": form }).to_string()))
        .expect("request");
    app.send(request).await.0
}

/// The samples of the metrics listener, parsed.
async fn scrape(app: &TestApp) -> Vec<prometheus_parse::Sample> {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let address = app.metrics_address.expect("a metrics listener");
    let mut connection = tokio::net::TcpStream::connect(address)
        .await
        .expect("connected");
    connection
        .write_all(b"GET /metrics HTTP/1.1\r\nHost: metrics\r\nConnection: close\r\n\r\n")
        .await
        .expect("asked");
    let mut answer = String::new();
    connection
        .read_to_string(&mut answer)
        .await
        .expect("answered");
    let (head, text) = answer.split_once("\r\n\r\n").expect("a head and a body");
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    prometheus_parse::Scrape::parse(text.lines().map(|line| Ok(line.to_owned())))
        .expect("Prometheus' text format")
        .samples
}

/// The value of the series `name` whose labels include `labels`.
fn value(samples: &[prometheus_parse::Sample], name: &str, labels: &[(&str, &str)]) -> f64 {
    samples
        .iter()
        .filter(|sample| sample.metric == name)
        .filter(|sample| {
            labels
                .iter()
                .all(|(key, want)| sample.labels.get(key) == Some(*want))
        })
        .map(|sample| match sample.value {
            prometheus_parse::Value::Counter(v)
            | prometheus_parse::Value::Gauge(v)
            | prometheus_parse::Value::Untyped(v) => v,
            prometheus_parse::Value::Histogram(ref buckets) => {
                buckets.last().map_or(0.0, |bucket| bucket.count)
            }
            prometheus_parse::Value::Summary(_) => 0.0,
        })
        .sum()
}

#[tokio::test]
async fn the_metrics_say_what_happened_and_only_on_their_own_listener() {
    let app = TestApp::spawn_with(with_metrics).await;
    let form = serde_json::to_value(incident_report::ReportForm::example()).expect("json");
    assert_eq!(post_report(&app, 1, &form).await, StatusCode::CREATED);
    assert_eq!(
        post_report(&app, 1, &form).await,
        StatusCode::OK,
        "a repeat"
    );
    assert_eq!(
        post_report(&app, 2, &json!({ "name": "" })).await,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        post_report(&app, 3, &form).await,
        StatusCode::TOO_MANY_REQUESTS,
        "three a minute from one address"
    );

    let samples = scrape(&app).await;
    let reports = "lost_device_reports_received_total";
    assert_eq!(value(&samples, reports, &[("outcome", "stored")]), 1.0);
    assert_eq!(value(&samples, reports, &[("outcome", "repeat")]), 1.0);
    assert_eq!(
        value(&samples, reports, &[("outcome", "invalid-report")]),
        1.0
    );
    assert_eq!(
        value(&samples, reports, &[("outcome", "rate-limited")]),
        1.0
    );
    assert_eq!(
        value(
            &samples,
            "lost_device_rate_limited_total",
            &[("purpose", "reports")]
        ),
        1.0
    );
    assert_eq!(value(&samples, "lost_device_reports_stored", &[]), 1.0);
    assert_eq!(
        value(&samples, "lost_device_undelivered", &[]),
        1.0,
        "not forwarded yet"
    );
    assert_eq!(value(&samples, "lost_device_held_back", &[]), 0.0);
    assert_eq!(
        value(
            &samples,
            "lost_device_http_request_duration_seconds",
            &[
                ("route", "/api/v1/reports"),
                ("method", "POST"),
                ("status", "201")
            ]
        ),
        1.0,
        "one request counted in the histogram"
    );
    assert!(
        samples.iter().all(|sample| sample
            .labels
            .get("route")
            .is_none_or(|route| !route.contains("LD-"))),
        "routes by pattern, never a reference"
    );

    // Forwarded: one delivery to the Maildir, nothing left undelivered.
    app.forwarder.run_once().await;
    let samples = scrape(&app).await;
    assert_eq!(
        value(
            &samples,
            "lost_device_deliveries_total",
            &[("destination", "maildir"), ("outcome", "delivered")]
        ),
        1.0
    );
    assert_eq!(value(&samples, "lost_device_undelivered", &[]), 0.0);

    // The public listener has no metrics.
    let (status, _, _) = app
        .send(
            Request::get("/metrics")
                .body(Body::empty())
                .expect("request"),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn without_the_setting_there_is_no_metrics_listener() {
    let app = TestApp::spawn().await;
    assert_eq!(app.metrics_address, None);
}
