//! How many requests are taken, by purpose and by who (`governor`), 429 with `Retry-After` and
//! words a person can read beyond that. Each purpose (reports, the phones' status checks, starting
//! a sign-in) has an allowance of its own, counted per client: an IPv4 address, or an IPv6
//! address's /64 (one subscriber's network, so holding many addresses of it buys nothing). Only
//! the intake of reports also has an allowance for the whole server, which bounds the rows
//! strangers can write; the others have none, so that no stranger can spend everyone's. The
//! client address is the one `request_log` noted as the request arrived (`serve::Client`).

use std::net::{IpAddr, Ipv6Addr};
use std::num::NonZeroU32;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use governor::clock::{Clock, DefaultClock};
use governor::{Quota, RateLimiter};
use incident_report::wire::{ErrorCode, Refusal};

/// Who may send how many requests of one purpose.
#[derive(Debug, Clone, Copy)]
pub struct RateLimits {
    /// Requests per minute from one client (a burst of as many is allowed).
    pub per_client: NonZeroU32,
    /// Requests per minute for the whole server.
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

/// One purpose's rate limiters, and which proxy to believe when telling clients apart. Cheap to
/// clone.
#[derive(Clone)]
pub struct Limiter {
    limits: RateLimits,
    per_client: Arc<governor::DefaultKeyedRateLimiter<IpAddr>>,
    global: Option<Arc<governor::DefaultDirectRateLimiter>>,
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
            global: Some(Arc::new(RateLimiter::direct(Quota::per_minute(
                limits.global,
            )))),
            trusted_proxy,
        }
    }

    /// The same allowance per client and trusted proxy, for another purpose: counted apart, and
    /// with no allowance for the whole server.
    #[must_use]
    pub fn per_client_only(&self) -> Self {
        Self {
            global: None,
            ..Self::new(self.limits, self.trusted_proxy)
        }
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

    /// How long `client` must wait before its next request this limiter counts (a report, a
    /// status check or a sign-in, by which limiter it is) is taken, in whole seconds (rounded
    /// up), if it must; a refusal is logged. A request the client's own limit refuses spends
    /// nothing of the global allowance, so one client over its limit cannot lock everyone else
    /// out.
    pub(crate) fn wait_for(&self, client: Option<IpAddr>) -> Option<u64> {
        let clock = DefaultClock::default();
        let refused = match client {
            Some(ip) => self.per_client.check_key(&allowance_key(ip)).err(),
            None => None,
        }
        .or_else(|| self.global.as_ref()?.check().err())?;
        let wait = refused.wait_time_from(clock.now());
        let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
        tracing::warn!(client = ?client, retry_after_s = seconds, "refused: rate limit");
        Some(seconds)
    }
}

/// An allowance per signed-in person (by their email), for the work of the team's view: each page
/// they open writes an audit row, so even a member's requests are bounded. Cheap to clone.
#[derive(Clone)]
pub struct PerPerson(Arc<governor::DefaultKeyedRateLimiter<String>>);

impl std::fmt::Debug for PerPerson {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PerPerson").finish_non_exhaustive()
    }
}

impl PerPerson {
    /// `per_minute` requests a minute for each person (a burst of as many is allowed).
    pub fn new(per_minute: NonZeroU32) -> Self {
        Self(Arc::new(RateLimiter::keyed(Quota::per_minute(per_minute))))
    }

    /// How long `who` must wait before their next request, in whole seconds, if they must.
    pub(crate) fn wait_for(&self, who: &str) -> Option<u64> {
        let refused = self.0.check_key(&who.to_owned()).err()?;
        let wait = refused.wait_time_from(DefaultClock::default().now());
        let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
        tracing::warn!(
            retry_after_s = seconds,
            "refused: a team member's rate limit"
        );
        Some(seconds)
    }

    /// Forgets people who have not asked for anything for a while.
    pub fn forget_quiet_people(&self) {
        self.0.retain_recent();
        self.0.shrink_to_fit();
    }
}

/// Whose allowance a request from `ip` spends: an IPv4 address's own, or its IPv6 /64's (an
/// IPv4 address written as IPv6 is the IPv4 address).
pub fn allowance_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(Ipv6Addr::from(u128::from(v6) & !u128::from(u64::MAX))),
        },
    }
}

/// Refuses a report over the rate limits: 429, with `Retry-After` and words a person can read.
pub async fn rate_limit(State(limiter): State<Limiter>, request: Request, next: Next) -> Response {
    limited(&limiter, None, request, next).await
}

/// Refuses a question about a report's progress over its allowance, as [`rate_limit`] does a
/// report, in words about asking rather than sending.
pub async fn rate_limit_checks(
    State(limiter): State<Limiter>,
    request: Request,
    next: Next,
) -> Response {
    const WORDS: &str = "Too many questions about reports were asked from this network just now. \
                         Your report is not affected.";
    limited(&limiter, Some(WORDS), request, next).await
}

/// Runs `request` if `limiter` allows it; else 429 with `Retry-After` and `words` (the rate-limit
/// refusal's own when `None`).
async fn limited(limiter: &Limiter, words: Option<&str>, request: Request, next: Next) -> Response {
    let client = request
        .extensions()
        .get::<crate::serve::Client>()
        .and_then(|crate::serve::Client(ip)| *ip);
    match limiter.wait_for(client) {
        None => next.run(request).await,
        Some(seconds) => {
            let mut refusal = Refusal::new(ErrorCode::RateLimited);
            if let Some(words) = words {
                words.clone_into(&mut refusal.message);
            }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(per_client: u32, global: u32) -> RateLimits {
        RateLimits {
            per_client: NonZeroU32::new(per_client).expect("not zero"),
            global: NonZeroU32::new(global).expect("not zero"),
        }
    }

    /// A client at address `text`.
    fn ip(text: &str) -> Option<IpAddr> {
        text.parse().ok()
    }

    #[test]
    fn addresses_of_one_ipv6_64_share_an_allowance_and_other_networks_do_not() {
        let limiter = Limiter::new(limits(2, 1000), None);
        assert_eq!(limiter.wait_for(ip("2001:db8:1:2::1")), None);
        assert_eq!(limiter.wait_for(ip("2001:db8:1:2:ffff::9")), None);
        assert!(limiter.wait_for(ip("2001:db8:1:2:abcd::7")).is_some());
        assert_eq!(limiter.wait_for(ip("2001:db8:1:3::1")), None);
        assert_eq!(
            allowance_key("::ffff:192.0.2.7".parse().expect("an address")),
            "192.0.2.7".parse::<IpAddr>().expect("an address")
        );
    }

    #[test]
    fn strangers_cannot_spend_another_client_s_allowance_for_status_checks_or_sign_ins() {
        let reports = Limiter::new(limits(30, 60), None);
        let other_purpose = reports.per_client_only();
        // Twenty-one strangers at their own limits, 630 requests...
        for stranger in 0..21 {
            let address = ip(&format!("198.51.100.{stranger}"));
            for _ in 0..30 {
                let _ = other_purpose.wait_for(address);
                let _ = reports.wait_for(address);
            }
        }
        // ...and a new address is still served for the purpose with no global allowance, while
        // the reports' allowance for the whole server is spent (it bounds the rows written).
        assert_eq!(other_purpose.wait_for(ip("203.0.113.9")), None);
        assert!(reports.wait_for(ip("203.0.113.9")).is_some());
    }
}
