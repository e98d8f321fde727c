//! Response layers every route shares: caching rules, security headers, compression.

use std::collections::HashMap;
use std::sync::Arc;

use axum::{
    Router,
    extract::{Request, State},
    http::{HeaderName, HeaderValue, Method, StatusCode, header},
    middleware::{self, Next},
    response::{IntoResponse, Response},
};
use tower_http::{compression::CompressionLayer, set_header::SetResponseHeaderLayer};

/// Files whose names carry a content hash never change: cache them for a year.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// Everything else (pages, manifest, worker, icons) is checked with the server on each use.
const REVALIDATE: &str = "no-cache";
/// Answers about reports are never kept by any cache.
const NO_STORE: &str = "no-store";
/// The policy for anything that is not a page: pages set their own, with a nonce.
const DEFAULT_CSP: &str = "default-src 'self'; object-src 'none'; base-uri 'none'; \
                           frame-ancestors 'none'; form-action 'self'";

/// Wraps every route of `router` in the shared layers.
pub fn apply(router: Router) -> Router {
    let fixed = [
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (
            HeaderName::from_static("cross-origin-opener-policy"),
            "same-origin",
        ),
        (
            HeaderName::from_static("permissions-policy"),
            "camera=(), microphone=(), geolocation=(), payment=()",
        ),
    ];
    let mut router = router
        .layer(middleware::from_fn(cache_control))
        .layer(middleware::from_fn(read_only_outside_api))
        // Generated responses (pages, worker) are compressed here; built files are served
        // precompressed by the file handler and are left alone.
        .layer(CompressionLayer::new())
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(DEFAULT_CSP),
        ));
    for (name, value) in fixed {
        router = router.layer(SetResponseHeaderLayer::overriding(
            name,
            HeaderValue::from_static(value),
        ));
    }
    router
}

/// Whether `path` is the team's view.
fn is_team(path: &str) -> bool {
    path == app::team::TEAM_PATH || path.starts_with("/team/")
}

/// Pages and files are only read: anything but GET and HEAD outside `/api/`, the report
/// form's own page and the team's view is 405.
async fn read_only_outside_api(request: Request, next: Next) -> Response {
    let readable = matches!(request.method(), &Method::GET | &Method::HEAD);
    let path = request.uri().path();
    if readable || path.starts_with("/api/") || path == app::report::REPORT_PATH || is_team(path) {
        return next.run(request).await;
    }
    (
        StatusCode::METHOD_NOT_ALLOWED,
        [(header::ALLOW, HeaderValue::from_static("GET, HEAD"))],
        "Only GET and HEAD are allowed here.",
    )
        .into_response()
}

/// Answers a revalidation of an unchanged built file with 304, and tags every built file.
pub async fn file_etag(
    State(tags): State<Arc<HashMap<String, HeaderValue>>>,
    request: Request,
    next: Next,
) -> Response {
    let Some(tag) = tags.get(request.uri().path()).cloned() else {
        return next.run(request).await;
    };
    let unchanged = request
        .headers()
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|given| {
            let given = given.trim();
            given == "*"
                || given.trim_start_matches("W/")
                    == tag.to_str().unwrap_or("").trim_start_matches("W/")
        });
    if unchanged {
        return (StatusCode::NOT_MODIFIED, [(header::ETAG, tag)]).into_response();
    }
    let mut response = next.run(request).await;
    if response.status().is_success() {
        response.headers_mut().insert(header::ETAG, tag);
    }
    response
}

/// Sets how long browsers may keep a response, and that it varies with `Accept-Encoding`
/// (the precompressed files do not say so themselves).
async fn cache_control(request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let immutable = path.starts_with("/pkg/");
    // An answer to a posted form carries the answers, and the team's view shows them: nothing
    // may keep either.
    let private = path.starts_with("/api/") || is_team(path) || request.method() == Method::POST;
    let mut response = next.run(request).await;
    let policy = match (private, immutable && response.status().is_success()) {
        (true, _) => NO_STORE,
        (false, true) => IMMUTABLE,
        (false, false) => REVALIDATE,
    };
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
    if !headers.contains_key(header::VARY) {
        headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    }
    response
}
