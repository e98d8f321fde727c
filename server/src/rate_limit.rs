//! How many reports are taken: per client address and for the whole server (`governor`), 429
//! with `Retry-After` and words a person can read beyond that. The client address is the one
//! `request_log` noted as the request arrived (`serve::Client`).

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use governor::clock::{Clock, DefaultClock};
use governor::{Quota, RateLimiter};
use incident_report::wire::{ErrorCode, Refusal};

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

/// The report rate limiters, and which proxy to believe when telling clients apart. Cheap to
/// clone.
#[derive(Clone)]
pub struct Limiter {
    limits: RateLimits,
    per_client: Arc<governor::DefaultKeyedRateLimiter<IpAddr>>,
    global: Arc<governor::DefaultDirectRateLimiter>,
    trusted_proxy: Option<IpAddr>,
}

impl std::fmt::Debug for Limiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Limiter")
            .field("trusted_proxy", &self.trusted_proxy)
            .finish_non_exhaustive()
    }
}

impl Limiter {
    /// Limits as given; `trusted_proxy` is the one address whose `X-Forwarded-For` is believed.
    pub fn new(limits: RateLimits, trusted_proxy: Option<IpAddr>) -> Self {
        Self {
            limits,
            per_client: Arc::new(RateLimiter::keyed(Quota::per_minute(limits.per_client))),
            global: Arc::new(RateLimiter::direct(Quota::per_minute(limits.global))),
            trusted_proxy,
        }
    }

    /// The same limits and trusted proxy, counted apart: an allowance of its own.
    #[must_use]
    pub fn with_own_allowance(&self) -> Self {
        Self::new(self.limits, self.trusted_proxy)
    }

    /// The proxy whose `X-Forwarded-For` is believed, if any.
    pub fn trusted_proxy(&self) -> Option<IpAddr> {
        self.trusted_proxy
    }

    /// Forgets addresses that have not sent anything for a while, so the table stays small.
    pub fn forget_quiet_clients(&self) {
        self.per_client.retain_recent();
        self.per_client.shrink_to_fit();
    }

    /// How long `client` must wait before its next report is taken, in whole seconds (rounded
    /// up), if it must; a refusal is logged. A report the client's own limit refuses spends
    /// nothing of the global allowance, so one client over its limit cannot lock everyone else
    /// out.
    pub(crate) fn wait_for(&self, client: Option<IpAddr>) -> Option<u64> {
        let clock = DefaultClock::default();
        let refused = match client {
            Some(ip) => self.per_client.check_key(&ip).err(),
            None => None,
        }
        .or_else(|| self.global.check().err())?;
        let wait = refused.wait_time_from(clock.now());
        let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
        tracing::warn!(client = ?client, retry_after_s = seconds, "refused: rate limit");
        Some(seconds)
    }
}

/// Refuses a report over the rate limits: 429, with `Retry-After` and words a person can read.
pub async fn rate_limit(State(limiter): State<Limiter>, request: Request, next: Next) -> Response {
    let client = request
        .extensions()
        .get::<crate::serve::Client>()
        .and_then(|crate::serve::Client(ip)| *ip);
    match limiter.wait_for(client) {
        None => next.run(request).await,
        Some(seconds) => {
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
