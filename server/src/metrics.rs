//! Metrics for the people who run the service, in Prometheus' text format (by
//! `prometheus-client`), served only on a listener of their own (`--metrics-listen`), never on
//! the public one: requests by route and how long they took, reports received by outcome (the
//! refusal's code), rate-limit refusals by what they limit, sign-ins by outcome, deliveries by
//! destination and outcome, and, read from the store when scraped, what is not delivered yet,
//! what is held back and how old the oldest is.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use incident_report::wire::ErrorCode;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

use crate::reports::Reports;

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    route: String,
    method: String,
    status: u16,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OutcomeLabels {
    outcome: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PurposeLabels {
    purpose: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct DeliveryLabels {
    destination: String,
    outcome: String,
}

/// Every series the service keeps, in one registry per server.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Histogram>,
    reports: Family<OutcomeLabels, Counter>,
    rate_limited: Family<PurposeLabels, Counter>,
    sign_ins: Family<OutcomeLabels, Counter>,
    deliveries: Family<DeliveryLabels, Counter>,
    undelivered: Gauge,
    held_back: Gauge,
    oldest_undelivered_seconds: Gauge,
    reports_stored: Gauge,
}

/// Request durations' buckets, in seconds: 5 ms to 10 s.
const DURATION_BUCKETS: [f64; 11] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("lost_device");
        let requests = Family::<RequestLabels, Histogram>::new_with_constructor(|| {
            Histogram::new(DURATION_BUCKETS)
        });
        registry.register(
            "http_request_duration_seconds",
            "Requests by route, method and status, and how long each took",
            requests.clone(),
        );
        let reports = Family::default();
        registry.register(
            "reports_received",
            "Reports sent to the API, by outcome: stored, repeat, or the refusal's code",
            reports.clone(),
        );
        let rate_limited = Family::default();
        registry.register(
            "rate_limited",
            "Requests refused over an allowance, by what the allowance limits",
            rate_limited.clone(),
        );
        let sign_ins = Family::default();
        registry.register(
            "sign_ins",
            "Returns from the identity provider, by outcome: signed_in, refused or failed",
            sign_ins.clone(),
        );
        let deliveries = Family::default();
        registry.register(
            "deliveries",
            "Attempts to pass a report or an alert on, by destination and outcome",
            deliveries.clone(),
        );
        let undelivered = Gauge::default();
        registry.register(
            "undelivered",
            "Deliveries not yet accepted by their destination, held back ones included",
            undelivered.clone(),
        );
        let held_back = Gauge::default();
        registry.register(
            "held_back",
            "Deliveries held back after a permanent failure, waiting for someone",
            held_back.clone(),
        );
        let oldest_undelivered_seconds = Gauge::default();
        registry.register(
            "oldest_undelivered_age_seconds",
            "How long ago the oldest delivery not yet accepted was created (0 when none)",
            oldest_undelivered_seconds.clone(),
        );
        let reports_stored = Gauge::default();
        registry.register(
            "reports_stored",
            "Reports in the database",
            reports_stored.clone(),
        );
        Self {
            registry,
            requests,
            reports,
            rate_limited,
            sign_ins,
            deliveries,
            undelivered,
            held_back,
            oldest_undelivered_seconds,
            reports_stored,
        }
    }
}

impl Metrics {
    /// Counts an attempt at a delivery (called by the forwarder).
    pub fn delivery(&self, destination: &str, outcome: &str) {
        self.deliveries
            .get_or_create(&DeliveryLabels {
                destination: destination.to_owned(),
                outcome: outcome.to_owned(),
            })
            .inc();
    }

    /// Counts one answered request: its duration, and what its route and status say.
    fn answered(&self, route: &str, method: &str, response: &Response, seconds: f64) {
        let status = response.status();
        self.requests
            .get_or_create(&RequestLabels {
                route: route.to_owned(),
                method: method.to_owned(),
                status: status.as_u16(),
            })
            .observe(seconds);
        let outcome = |outcome: &str| OutcomeLabels {
            outcome: outcome.to_owned(),
        };
        if status == StatusCode::TOO_MANY_REQUESTS {
            let purpose = match route {
                "/api/v1/reports" => "reports",
                "/api/v1/reports/{id}/status" => "status_checks",
                app::team::TEAM_PATH | "/team/signed-in" => "sign_ins",
                _ => "team_work",
            };
            self.rate_limited
                .get_or_create(&PurposeLabels {
                    purpose: purpose.to_owned(),
                })
                .inc();
        }
        match route {
            "/api/v1/reports" => {
                let code = response.extensions().get::<ErrorCode>().map(|code| {
                    serde_json::to_value(code)
                        .ok()
                        .and_then(|value| value.as_str().map(str::to_owned))
                        .unwrap_or_default()
                });
                let label = match (status, code) {
                    (_, Some(code)) => code,
                    (StatusCode::CREATED, None) => "stored".to_owned(),
                    (StatusCode::OK, None) => "repeat".to_owned(),
                    (status, None) => status.as_u16().to_string(),
                };
                self.reports.get_or_create(&outcome(&label)).inc();
            }
            "/team/signed-in" => {
                let label = match status {
                    StatusCode::SEE_OTHER => "signed_in",
                    StatusCode::FORBIDDEN => "refused",
                    _ => "failed",
                };
                self.sign_ins.get_or_create(&outcome(label)).inc();
            }
            _ => {}
        }
    }

    /// Everything, in the text format, with the store's figures read now.
    async fn render(&self, reports: &Reports) -> Result<String, String> {
        let backlog = reports.store().backlog().await.map_err(|e| e.to_string())?;
        let stored = reports.store().count().await.map_err(|e| e.to_string())?;
        let now_ms = reports.now_ms();
        self.undelivered
            .set(i64::try_from(backlog.undelivered).unwrap_or(i64::MAX));
        self.held_back
            .set(i64::try_from(backlog.parked).unwrap_or(i64::MAX));
        self.oldest_undelivered_seconds.set(
            backlog
                .oldest_ms
                .map_or(0, |oldest| now_ms.saturating_sub(oldest).max(0) / 1000),
        );
        self.reports_stored
            .set(i64::try_from(stored).unwrap_or(i64::MAX));
        let mut text = String::new();
        prometheus_client::encoding::text::encode(&mut text, &self.registry)
            .map_err(|e| e.to_string())?;
        Ok(text)
    }
}

/// Counts every request the public router answers.
pub async fn count(State(metrics): State<Arc<Metrics>>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    // Only the route's pattern, never the path: paths hold report ids and references.
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "other".to_owned(), |path| path.as_str().to_owned());
    let method = request.method().as_str().to_owned();
    let response = next.run(request).await;
    metrics.answered(&route, &method, &response, started.elapsed().as_secs_f64());
    response
}

/// The router of the metrics listener: `GET /metrics` only.
pub fn router(metrics: Arc<Metrics>, reports: Arc<Reports>) -> axum::Router {
    axum::Router::new().route(
        "/metrics",
        axum::routing::get(move || {
            let (metrics, reports) = (Arc::clone(&metrics), Arc::clone(&reports));
            async move {
                match metrics.render(&reports).await {
                    Ok(text) => (
                        [(
                            header::CONTENT_TYPE,
                            "application/openmetrics-text; version=1.0.0; charset=utf-8",
                        )],
                        text,
                    )
                        .into_response(),
                    Err(error) => {
                        tracing::error!(%error, "the metrics could not be read");
                        StatusCode::SERVICE_UNAVAILABLE.into_response()
                    }
                }
            }
        }),
    )
}
