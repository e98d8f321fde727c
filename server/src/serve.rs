//! Serving the app on a socket, with a limit on everything a client can hold: connections
//! (a cap that leaves each one room for its socket and a file, below the process's file
//! descriptor limit), time to send headers (which is also how
//! long an idle keep-alive connection stays open: hyper starts the same timer while it waits for
//! the next request), time to send a whole body, and a deadline for a whole request. On
//! shutdown the server stops accepting, lets requests in progress finish for up to the drain
//! deadline, then returns.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use std::pin::Pin;
use std::task::{Context, Poll};

use crate::fixed::{DESCRIPTORS_KEPT, DESCRIPTORS_PER_CONNECTION};
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::ConnectInfo;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::ServiceExt as _;

/// What a client may take.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Time to send a request's headers; also the longest an idle keep-alive connection stays.
    pub header: Duration,
    /// Time to send a request's body.
    pub body: Duration,
    /// Time for a whole request, from its headers to the end of the answer.
    pub request: Duration,
    /// Connections open at once, at most (lowered to fit the file descriptor limit).
    pub connections: usize,
    /// How long requests in progress may take to finish once shutdown starts.
    pub drain: Duration,
}

impl Default for Limits {
    /// What a reverse proxy would use: 10 s for headers (and idle), 30 s for a body, 60 s for a
    /// request, 1,024 connections, 10 s to drain.
    fn default() -> Self {
        Self {
            header: Duration::from_secs(10),
            body: Duration::from_secs(30),
            request: Duration::from_secs(60),
            connections: 1024,
            drain: Duration::from_secs(10),
        }
    }
}

impl Limits {
    /// The connection cap that fits the process's file descriptor limit, counting for each
    /// connection its socket and a file it is being sent, so that a file that exists is never
    /// answered 404 for want of a descriptor to open it.
    pub fn connection_cap(&self) -> usize {
        let soft = rustix::process::getrlimit(rustix::process::Resource::Nofile)
            .current
            .unwrap_or(u64::MAX);
        let fits = soft.saturating_sub(DESCRIPTORS_KEPT) / DESCRIPTORS_PER_CONNECTION;
        self.connections
            .min(usize::try_from(fits).unwrap_or(usize::MAX))
            .max(1)
    }
}

/// The layers that bound a request in time: the whole body must arrive within `limits.body`
/// of the headers, and the whole request be answered within
/// `limits.request` (408 otherwise).
pub fn bounded(app: Router, limits: Limits) -> Router {
    app.layer(tower::util::MapRequestLayer::new(
        move |request: axum::http::Request<Body>| {
            request.map(|body| Body::new(DeadlineBody::new(body, limits.body)))
        },
    ))
    .layer(tower_http::timeout::TimeoutLayer::with_status_code(
        axum::http::StatusCode::REQUEST_TIMEOUT,
        limits.request,
    ))
}

/// A request body that must arrive whole before a deadline. (tower-http's body timeout bounds
/// the wait between two chunks, so a body sent a byte at a time was never cut off by it.)
struct DeadlineBody {
    inner: Body,
    deadline: Pin<Box<tokio::time::Sleep>>,
}

impl DeadlineBody {
    /// The clock starts now, when the request's headers have arrived.
    fn new(inner: Body, limit: Duration) -> Self {
        Self {
            inner,
            deadline: Box::pin(tokio::time::sleep(limit)),
        }
    }
}

/// The body did not arrive in time.
#[derive(Debug, thiserror::Error)]
#[error("the request body did not arrive whole within its time limit")]
struct BodyTooSlow;

impl http_body::Body for DeadlineBody {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        context: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, axum::Error>>> {
        if self.deadline.as_mut().poll(context).is_ready() {
            return Poll::Ready(Some(Err(axum::Error::new(BodyTooSlow))));
        }
        Pin::new(&mut self.inner).poll_frame(context)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.inner.size_hint()
    }
}

/// Serves `app` on `listener` until `shutdown` resolves, then drains.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()>,
) {
    let app = bounded(app, limits);
    let cap = limits.connection_cap();
    let slots = Arc::new(Semaphore::new(cap));
    let graceful = GracefulShutdown::new();
    tracing::info!(connections = cap, ?limits, "serving");
    tokio::pin!(shutdown);
    loop {
        // Wait for a free slot before accepting: beyond the cap, clients wait in the kernel's
        // queue rather than taking descriptors the server needs.
        let permit = tokio::select! {
            () = &mut shutdown => break,
            permit = Arc::clone(&slots).acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
        };
        let (stream, client) = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of descriptors or a connection reset before it was accepted: wait
                    // a moment rather than spin.
                    tracing::warn!(%error, "could not accept a connection");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
        };
        let service = app.clone().map_request(
            move |mut request: axum::http::Request<hyper::body::Incoming>| {
                request.extensions_mut().insert(ConnectInfo(client));
                request
            },
        );
        let connection = hyper::server::conn::http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(limits.header)
            .serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%error, %client, "connection ended with an error");
            }
            drop(permit);
        });
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => tracing::info!("every request in progress finished"),
        () = tokio::time::sleep(limits.drain) => {
            tracing::warn!(drain = ?limits.drain, "stopping with requests still in progress");
        }
    }
}

/// Who sent a request, worked out once as it arrives (`request_log`) for the access log and the
/// rate limits to share.
#[derive(Debug, Clone, Copy)]
pub struct Client(pub Option<std::net::IpAddr>);

/// The client's address: the socket's peer, or for a request through a trusted proxy, the last
/// entry of `X-Forwarded-For` (the one that proxy added; those before it are the client's own
/// words). Addresses are compared and returned in canonical form: a server listening on `::`
/// sees an IPv4 peer as `::ffff:a.b.c.d`, which is the same client as `a.b.c.d`.
pub fn client_address(
    request: &axum::http::Request<axum::body::Body>,
    trusted_proxy: Option<std::net::IpAddr>,
) -> Option<std::net::IpAddr> {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(address)| address.ip().to_canonical())?;
    if Some(peer) != trusted_proxy.map(|proxy| proxy.to_canonical()) {
        return Some(peer);
    }
    let added = request
        .headers()
        .get_all("x-forwarded-for")
        .iter()
        .next_back()
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.rsplit(',').next());
    // An entry the proxy wrote that is not an address ("unknown", an obfuscated name) makes
    // the client the proxy itself: never the entry before it, which the client could write.
    Some(added.and_then(forwarded_ip).unwrap_or(peer))
}

/// The address in one `X-Forwarded-For` entry: `192.0.2.1`, `192.0.2.1:4444`, `2001:db8::1` or
/// `[2001:db8::1]:443`.
fn forwarded_ip(entry: &str) -> Option<std::net::IpAddr> {
    let entry = entry.trim();
    entry
        .parse::<std::net::IpAddr>()
        .or_else(|_| entry.parse::<SocketAddr>().map(|address| address.ip()))
        .or_else(|_| {
            entry
                .trim_start_matches('[')
                .trim_end_matches(']')
                .parse::<std::net::IpAddr>()
        })
        .ok()
        .map(|ip| ip.to_canonical())
}
