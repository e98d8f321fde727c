//! Each request's id and its line in the access log, by tower-http's request-id and trace
//! layers: the id is the client's `X-Request-Id` when it is short and plain, a new one
//! otherwise, and is echoed on the answer; the log line names the method, the path without its
//! query, the status, the duration, the request id and the client address, never a header or a
//! body, which may hold a report.

use std::net::IpAddr;

use axum::Router;
use axum::extract::Request;
use axum::http::HeaderValue;
use tower::util::MapRequestLayer;
use tower_http::request_id::{
    MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::trace::TraceLayer;

use crate::serve::Client;

/// The header that carries the id.
const REQUEST_ID: &str = "x-request-id";
/// The longest request id taken from a client.
const REQUEST_ID_MAX: usize = 64;

/// Makes a request id: 16 random hex digits.
#[derive(Debug, Clone, Copy, Default)]
struct NewRequestId;

impl MakeRequestId for NewRequestId {
    fn make_request_id<B>(&mut self, _: &axum::http::Request<B>) -> Option<RequestId> {
        let mut bytes = [0; 8];
        // Without the system's randomness the request simply goes without an id.
        getrandom::fill(&mut bytes).ok()?;
        HeaderValue::from_str(&hex::encode(bytes))
            .ok()
            .map(RequestId::new)
    }
}

/// Whether a client's request id is short and plain enough to log and echo.
fn is_plain(id: &HeaderValue) -> bool {
    id.to_str().is_ok_and(|id| {
        !id.is_empty()
            && id.len() <= REQUEST_ID_MAX
            && id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
    })
}

/// Notes who sent the request (see `serve::Client`), and drops a client's request id that is
/// not plain, so that a new one is made.
fn arrived(mut request: Request, trusted_proxy: Option<IpAddr>) -> Request {
    let client = crate::serve::client_address(&request, trusted_proxy);
    request.extensions_mut().insert(Client(client));
    if request
        .headers()
        .get(REQUEST_ID)
        .is_some_and(|id| !is_plain(id))
    {
        request.headers_mut().remove(REQUEST_ID);
    }
    request
}

/// `router` with request ids and an access-log line per request. `trusted_proxy` is the proxy
/// whose `X-Forwarded-For` names the client.
pub fn layers(router: Router, trusted_proxy: Option<IpAddr>) -> Router {
    let access_log = TraceLayer::new_for_http()
        .make_span_with(move |request: &Request| {
            let id = request
                .headers()
                .get(REQUEST_ID)
                .and_then(|id| id.to_str().ok())
                .unwrap_or_default();
            let client = request
                .extensions()
                .get::<Client>()
                .and_then(|Client(ip)| *ip)
                .map(|ip| ip.to_string())
                .unwrap_or_default();
            tracing::info_span!(
                target: "access",
                "request",
                method = %request.method(),
                path = %request.uri().path(),
                request_id = %id,
                %client,
            )
        })
        .on_response(
            |response: &axum::http::Response<_>,
             latency: std::time::Duration,
             _: &tracing::Span| {
                let status = response.status().as_u16();
                let duration_ms = latency.as_secs_f64() * 1000.0;
                tracing::info!(target: "access", status, duration_ms, "answered");
            },
        );
    // The last layer added is the first a request meets.
    router
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(access_log)
        .layer(SetRequestIdLayer::x_request_id(NewRequestId))
        .layer(MapRequestLayer::new(move |request| {
            arrived(request, trusted_proxy)
        }))
}
