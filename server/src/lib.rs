//! The Lost Device server: renders the app's pages, serves its files and the offline worker.
//!
//! Routes:
//! - every guidance page (`/`, `/guidance/{slug}`, `/contacts`) and the report pages (`/report`,
//!   `/reports`, `/your-data`): server-rendered, their interactive parts hydrated later;
//! - `/offline`: the page the worker shows for an unknown address while offline (no scripts);
//! - `/sw.js`: the service worker with this build's precache list;
//! - `/healthz`: liveness (the process answers);
//! - `/readyz`: readiness (the database answers and takes writes), with the forwarding backlog
//!   for monitoring;
//! - `POST /api/v1/reports`: incident reports from phones (see [`reports`]);
//! - `GET /api/v1/reports/{id}/status`: what became of a report, for its phone (see
//!   [`report_status`]);
//! - `POST /report`: the report form as plain HTML, before or without WebAssembly (see
//!   `report_form`);
//! - `/team…`: the team's view, signed in with the organisation's identity provider (see
//!   [`team`]; 404 when no provider is set);
//! - anything else: a file from the site root, or the app's 404 page.
//!
//! [`startup::Application`] wires the server from its [`config::Config`]; [`app`] is the router
//! it serves.

// Rendering the app's deeply nested view types needs more than the default limit.
#![recursion_limit = "256"]

pub mod config;
pub mod fixed;
mod headers;
pub mod metrics;
pub mod rate_limit;
mod report_form;
pub mod report_status;
pub mod reports;
mod request_log;
pub mod serve;
pub mod startup;
pub mod store_health;
pub mod team;
pub mod telemetry;

use std::path::PathBuf;
use std::sync::Arc;

use axum::{
    Json, Router,
    extract::State,
    http::{HeaderValue, header},
    response::{Html, IntoResponse, Response},
    routing::get,
};
use leptos::prelude::*;
use leptos_axum::{LeptosRoutes, generate_route_list};
use service_worker::Precache;

/// Everything the handlers share. Cheap to clone.
#[derive(Clone, Debug)]
pub struct AppState {
    /// Leptos build options (site root, output name, hashed file names).
    pub leptos_options: LeptosOptions,
    /// The bytes of `/sw.js` for this build.
    pub worker_script: Arc<str>,
    /// The entity tag of `/sw.js`: browsers check the worker on every visit, and with this the
    /// answer is a bodiless 304 until the next deploy.
    pub worker_etag: HeaderValue,
    /// The offline page, rendered once at start-up.
    pub offline_html: Arc<str>,
    /// Stored incident reports.
    pub reports: Arc<reports::Reports>,
    /// Rate limits for reports, and which proxy's `X-Forwarded-For` to believe.
    pub limiter: rate_limit::Limiter,
    /// The same allowance per client for asking what became of a report, counted apart, with
    /// none for the whole server.
    pub status_limiter: rate_limit::Limiter,
    /// The team's view, when an identity provider is set.
    pub team: Option<Arc<team::Team>>,
    /// The entity tag of each built file (from its hash), so revalidations get a bodiless 304.
    pub file_etags: Arc<std::collections::HashMap<String, HeaderValue>>,
    /// What the service counts, for the metrics listener.
    pub metrics: Arc<metrics::Metrics>,
}

impl axum::extract::FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The built site is missing: the server was not built with cargo-leptos.
    #[error(
        "the built site is incomplete ({0}). Build it with `cargo leptos build --release` \
         (or run ./scripts/run.sh), then start the server from the project folder"
    )]
    NotBuilt(String),
    /// The precache list could not be made.
    #[error(transparent)]
    Precache(#[from] service_worker::PrecacheError),
}

impl AppState {
    /// Checks the built site and prepares the worker script and the offline page. `build_id`
    /// names this server build (see [`build_id`]).
    pub fn new(
        leptos_options: LeptosOptions,
        build_id: &str,
        store: report_store::ReportStore,
    ) -> Result<Self, StartError> {
        let site_root = PathBuf::from(leptos_options.site_root.as_ref());
        // Everything a release build leaves, so a half-built site fails here, in plain words.
        let mut required = vec![site_root.join(leptos_options.site_pkg_dir.as_ref())];
        if leptos_options.hash_files {
            required.push(app::hydration::hash_file(&leptos_options));
        }
        if let Some(missing) = required.iter().find(|path| !path.exists()) {
            return Err(StartError::NotBuilt(format!(
                "{} does not exist",
                missing.display()
            )));
        }
        app::hydration::BuildFiles::load(&leptos_options).map_err(|error| {
            StartError::NotBuilt(format!("its file names could not be read: {error}"))
        })?;
        let pages: Vec<&str> = guidance::paths().chain(app::report::PATHS).collect();
        let precache =
            Precache::from_site(&site_root, &pages, app::offline::OFFLINE_PATH, build_id)?
                .later(&app::report::NEEDS_APP_CODE);
        let offline_html = {
            let options = leptos_options.clone();
            Owner::new().with(move || app::offline::offline_document(options).to_html())
        };
        Ok(Self {
            leptos_options,
            worker_etag: worker_etag(&precache.version),
            worker_script: precache.worker_script().into(),
            offline_html: offline_html.into(),
            reports: Arc::new(reports::Reports::new(
                store,
                None,
                clock::SystemClock::shared(),
            )),
            limiter: rate_limit::Limiter::new(rate_limit::RateLimits::default(), None),
            status_limiter: rate_limit::Limiter::new(rate_limit::RateLimits::default(), None)
                .per_client_only(),
            team: None,
            file_etags: Arc::new(file_etags(&precache)),
            metrics: Arc::new(metrics::Metrics::default()),
        })
    }

    /// The same state, with these rate limits and trusted proxy.
    #[must_use]
    pub fn with_limiter(mut self, limiter: rate_limit::Limiter) -> Self {
        self.status_limiter = limiter.per_client_only();
        self.limiter = limiter;
        self
    }

    /// The same state, with the team's view signing people in with `provider`.
    #[must_use]
    pub fn with_team(mut self, provider: team::sign_in::Provider) -> Self {
        let limiter = self.limiter.per_client_only();
        self.team = Some(Arc::new(team::Team::new(provider, limiter)));
        self
    }

    /// The same state, with new reports forwarded by `forwarder`, and every time read from the
    /// forwarder's clock.
    #[must_use]
    pub fn with_forwarder(mut self, forwarder: forwarding::Forwarder) -> Self {
        let store = self.reports.store().clone();
        let clock = forwarder.clock().clone();
        self.reports = Arc::new(reports::Reports::new(store, Some(forwarder), clock));
        self
    }
}

/// A weak entity tag per built file, from the hash the precache list already has (weak, because
/// the same file is also sent precompressed).
fn file_etags(precache: &Precache) -> std::collections::HashMap<String, HeaderValue> {
    precache
        .assets
        .iter()
        .filter_map(|asset| {
            let tag = HeaderValue::from_str(&format!("W/\"{}\"", asset.integrity)).ok()?;
            Some((asset.url.clone(), tag))
        })
        .collect()
}

/// Identifies the running server build (a hash of its executable), so that a change to the server
/// alone still updates phones' copies of the pages it renders.
/// An error, rather than an empty id: phones would never see a new build as new.
pub fn build_id() -> std::io::Result<String> {
    // Read once: it hashes the whole executable, and tests start many servers in one process.
    static BUILD_ID: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    if let Some(id) = BUILD_ID.get() {
        return Ok(id.clone());
    }
    let id = build_id_of(&std::env::current_exe()?)?;
    Ok(BUILD_ID.get_or_init(|| id).clone())
}

/// The build id of the executable at `path`.
pub fn build_id_of(path: &std::path::Path) -> std::io::Result<String> {
    use sha2::{Digest, Sha256};
    std::fs::read(path).map(|bytes| format!("{:x}", Sha256::digest(bytes)))
}

/// The whole application: pages, worker, health check, files, and the layers around them.
pub fn app(state: AppState) -> Router {
    let page_routes = generate_route_list(app::App);
    let options = state.leptos_options.clone();
    let router = Router::new()
        .route("/healthz", get(healthz_show))
        .route("/readyz", get(readyz_show))
        .route(
            "/api/v1/reports",
            axum::routing::post(reports::reports_create)
                .layer(axum::extract::DefaultBodyLimit::max(fixed::BODY_LIMIT))
                .layer(axum::middleware::from_fn_with_state(
                    state.limiter.clone(),
                    rate_limit::rate_limit,
                )),
        )
        .route(
            "/api/v1/reports/{id}/status",
            get(report_status::status_show).layer(axum::middleware::from_fn_with_state(
                state.status_limiter.clone(),
                rate_limit::rate_limit_checks,
            )),
        )
        .route(
            app::report::REPORT_PATH,
            axum::routing::post(report_form::report_form_post)
                .layer(axum::extract::DefaultBodyLimit::max(fixed::BODY_LIMIT)),
        )
        .merge(team::routes(state.team.as_deref()))
        .route("/sw.js", get(worker_show))
        .route(app::offline::OFFLINE_PATH, get(offline_show))
        .leptos_routes(&state, page_routes, move || app::shell(options.clone()))
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(
            app::shell,
        ))
        .layer(axum::middleware::from_fn_with_state(
            Arc::clone(&state.file_etags),
            headers::file_etag,
        ));
    let router = router.layer(axum::middleware::from_fn_with_state(
        Arc::clone(&state.metrics),
        metrics::count,
    ));
    let trusted_proxy = state.limiter.trusted_proxy();
    request_log::layers(headers::apply(router.with_state(state)), trusted_proxy)
}

async fn healthz_show() -> Json<serde_json::Value> {
    Json(serde_json::json!({ "status": "ok" }))
}

/// Ready when the database answers (reading the backlog is the check). The forwarding backlog
/// is reported but does not make the instance unready: it can still take reports while a
/// destination is down, and monitoring alerts on the age of the oldest undelivered row instead.
/// The endpoint is public, so it gives counts only: why a delivery is parked names the
/// destination and what it answered, and goes to the log.
async fn readyz_show(State(state): State<AppState>) -> Response {
    if let Err(reason) = state.reports.health().check(state.reports.store()).await {
        tracing::warn!(%reason, "readiness check: the report database cannot take writes");
        return (
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            Json(serde_json::json!({ "status": "not-ready", "database": "cannot-write" })),
        )
            .into_response();
    }
    match state.reports.store().backlog().await {
        Ok(backlog) => {
            let now = state.reports.now_ms();
            let oldest_age_s = backlog.oldest_ms.map(|oldest| (now - oldest).max(0) / 1000);
            if let Some(reason) = &backlog.parked_error {
                tracing::warn!(parked = backlog.parked, %reason, "deliveries are parked");
            }
            Json(serde_json::json!({
                "status": "ready",
                "database": "reachable",
                "undelivered": backlog.undelivered,
                "parked": backlog.parked,
                "oldest_undelivered_age_seconds": oldest_age_s,
            }))
            .into_response()
        }
        Err(error) => {
            tracing::error!(%error, "readiness check: the database did not answer");
            (
                axum::http::StatusCode::SERVICE_UNAVAILABLE,
                Json(serde_json::json!({ "status": "not-ready", "database": "unreachable" })),
            )
                .into_response()
        }
    }
}

fn worker_etag(version: &str) -> HeaderValue {
    // The version is hex digits, so the value is always a valid header.
    HeaderValue::from_str(&format!("\"{version}\"")).unwrap_or(HeaderValue::from_static("\"\""))
}

async fn worker_show(State(state): State<AppState>, headers: axum::http::HeaderMap) -> Response {
    let etag = (header::ETAG, state.worker_etag.clone());
    if headers.get(header::IF_NONE_MATCH) == Some(&state.worker_etag) {
        return (axum::http::StatusCode::NOT_MODIFIED, [etag]).into_response();
    }
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/javascript; charset=utf-8"),
            ),
            // The worker's own policy: its code only from here, and it may compile WebAssembly.
            (
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(
                    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'",
                ),
            ),
            etag,
        ],
        state.worker_script.to_string(),
    )
        .into_response()
}

async fn offline_show(State(state): State<AppState>) -> Html<String> {
    Html(state.offline_html.to_string())
}
