//! What every request passes before and after its handler: a request id (taken from
//! `X-Request-Id` when it is sane, made otherwise, and echoed), an access log line, and, for
//! reports, the rate limits per client address and for the whole server.
//!
//! The access log names the method, the path without its query, the status, the duration, the
//! request id and the client address: never a header or body, which may hold a report.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use governor::clock::{Clock, DefaultClock};
use governor::{Quota, RateLimiter};
use incident_report::wire::{ErrorCode, Refusal};

/// The longest request id taken from a client.
const REQUEST_ID_MAX: usize = 64;

/// Who may send how many reports.
#[derive(Debug, Clone, Copy)]
pub struct RateLimits {
    /// Reports per minute from one client address (a burst of as many is allowed).
    pub per_client: NonZeroU32,
    /// Reports per minute for the whole server.
    pub global: NonZeroU32,
}

impl Default for RateLimits {
    /// 30 a minute from one address (a phone sends one report and retries it; an office behind
    /// one address sends a few), 600 a minute in all.
    fn default() -> Self {
        Self {
            per_client: NonZeroU32::new(30).unwrap_or(NonZeroU32::MIN),
            global: NonZeroU32::new(600).unwrap_or(NonZeroU32::MIN),
        }
    }
}

/// The rate limiters and how to tell clients apart. Cheap to clone.
#[derive(Clone)]
pub struct Guard {
    per_client: Arc<governor::DefaultKeyedRateLimiter<IpAddr>>,
    global: Arc<governor::DefaultDirectRateLimiter>,
    trusted_proxy: Option<IpAddr>,
}

impl std::fmt::Debug for Guard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Guard")
            .field("trusted_proxy", &self.trusted_proxy)
            .finish_non_exhaustive()
    }
}

impl Guard {
    /// Limits as given; `trusted_proxy` is the one address whose `X-Forwarded-For` is believed.
    pub fn new(limits: RateLimits, trusted_proxy: Option<IpAddr>) -> Self {
        Self {
            per_client: Arc::new(RateLimiter::keyed(Quota::per_minute(limits.per_client))),
            global: Arc::new(RateLimiter::direct(Quota::per_minute(limits.global))),
            trusted_proxy,
        }
    }

    /// Forgets addresses that have not sent anything for a while, so the table stays small.
    pub fn forget_quiet_clients(&self) {
        self.per_client.retain_recent();
        self.per_client.shrink_to_fit();
    }

    /// How long `client` must wait before its next report is taken, if it must. A report the
    /// client's own limit refuses spends nothing of the global allowance, so one client over its
    /// limit cannot lock everyone else out.
    fn wait_for(&self, client: Option<IpAddr>) -> Option<Duration> {
        let clock = DefaultClock::default();
        let refused = match client {
            Some(ip) => self.per_client.check_key(&ip).err(),
            None => None,
        }
        .or_else(|| self.global.check().err());
        refused.map(|not_until| not_until.wait_time_from(clock.now()))
    }
}

/// The request id for this request: the client's, if it is short and plain, or a new one.
fn request_id(request: &Request) -> String {
    request
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|id| {
            !id.is_empty()
                && id.len() <= REQUEST_ID_MAX
                && id
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        })
        .map_or_else(new_request_id, str::to_owned)
}

fn new_request_id() -> String {
    let mut bytes = [0; 8];
    // Without the system's randomness, zeros still make a (non-unique) id; it is no secret.
    let _ = getrandom::fill(&mut bytes);
    hex::encode(bytes)
}

/// Who sent the request, as [`access_log`] worked it out, for the rate limit to count by.
#[derive(Debug, Clone, Copy)]
struct Client(Option<IpAddr>);

/// Gives the request an id, logs it when answered, and echoes the id. It also works out the
/// client's address once, for the rate limit further in.
pub async fn access_log(State(guard): State<Guard>, mut request: Request, next: Next) -> Response {
    let started = Instant::now();
    let id = request_id(&request);
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let client = crate::serve::client_address(&request, guard.trusted_proxy);
    request.extensions_mut().insert(Client(client));
    let mut response = next.run(request).await;
    let status = response.status().as_u16();
    let duration_ms = started.elapsed().as_secs_f64() * 1000.0;
    let client = client.map(|ip| ip.to_string()).unwrap_or_default();
    tracing::info!(
        target: "access",
        %method, %path, status, duration_ms, request_id = %id, %client, "request"
    );
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert("x-request-id", value);
    }
    response
}

/// Refuses a report over the rate limits: 429, with `Retry-After` and words a person can read.
pub async fn rate_limit(State(guard): State<Guard>, request: Request, next: Next) -> Response {
    let client = request
        .extensions()
        .get::<Client>()
        .and_then(|Client(ip)| *ip);
    match guard.wait_for(client) {
        None => next.run(request).await,
        Some(wait) => {
            let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            tracing::warn!(client = ?client, retry_after_s = seconds, "report refused: rate limit");
            let mut refusal = Refusal::new(ErrorCode::RateLimited);
            refusal.message = format!(
                "{} It will be tried again in {seconds} seconds.",
                refusal.message
            );
            let mut response = crate::reports::refusal_response(&refusal);
            if let Ok(value) = HeaderValue::from_str(&seconds.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
            response
        }
    }
}
