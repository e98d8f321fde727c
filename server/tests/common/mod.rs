//! What the server's tests share: [`TestApp`], the real server ([`Application`]) on a loopback
//! port with its own data directory and a small hand-made site, and [`ServerProcess`], a server
//! in a child process for the tests that kill it or limit its file descriptors.
#![allow(dead_code, reason = "each test binary uses a part of this module")]

use std::ffi::OsStr;
use std::io::{BufRead as _, BufReader};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, Request, StatusCode, header};
use clock::{ManualClock, SharedClock, SystemClock};
use http_body_util::BodyExt as _;
use hyper_util::rt::TokioIo;
use server::config::{Config, SiteBuild};
use server::startup::Application;
use tokio::sync::oneshot;

/// A site as cargo-leptos would leave it, made by hand: the `pkg` folder with a stylesheet, and
/// a web manifest.
pub fn site_files() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir_all(dir.path().join("pkg")).expect("pkg dir");
    std::fs::write(dir.path().join("pkg/lost-device.css"), "body{}").expect("css");
    std::fs::write(dir.path().join("manifest.webmanifest"), "{}").expect("manifest");
    dir
}

/// The team's view on, with a provider nothing listens at: a request that has to sign in is
/// answered "Sign-in is not available just now" (a test that reaches the provider fails).
pub fn with_team(config: &mut Config) {
    config.team.oidc_issuer = Some("http://127.0.0.1:9".to_owned());
    config.team.oidc_client_id = Some("lost-device".to_owned());
    config.team.public_url = Some("https://lost-device.example.org".to_owned());
    config.team.team_emails = vec!["sam@example.org".to_owned()];
}

/// The CSRF token of every session [`signed_in`] starts.
pub const CSRF: &str = "the-session-s-own-form-token";

/// Sam signed in now by `clock` (the session started in the store: signing in itself, against a
/// real provider, is in the browser tests); gives the `Cookie` header their browser sends.
pub async fn signed_in(app: &TestApp, clock: &ManualClock, token: &str) -> String {
    use clock::Clock as _;
    use sha2::Digest as _;
    let now = clock.now_ms();
    app.store
        .begin_session(&report_store::Session {
            token_hash: format!("{:x}", sha2::Sha256::digest(token.as_bytes())),
            email: "sam@example.org".to_owned(),
            name: "Sam".to_owned(),
            csrf: CSRF.to_owned(),
            id_token: None,
            created_at_ms: now,
            last_seen_ms: now,
        })
        .await
        .expect("a session");
    format!("__Host-lost-device-team={token}")
}

/// A form posted to `path` with `body` (URL-encoded), carrying `cookie` if given.
pub fn form_post(path: &str, cookie: Option<&str>, body: impl Into<String>) -> Request<Body> {
    let mut request =
        Request::post(path).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    request.body(Body::from(body.into())).expect("request")
}

/// The settings a test server starts from: the defaults, a free port, the hand-made site.
pub fn test_config(data_dir: &std::path::Path, site: &std::path::Path) -> Config {
    let mut config = Config::defaults(data_dir, site);
    config.site_build = SiteBuild::Plain;
    config.port = 0;
    config
}

/// The whole server, started as `main` starts it, on 127.0.0.1 and a free port. Forwarding does
/// not run by itself: a test delivers with `app.forwarder.run_once()`. Stopped when dropped.
pub struct TestApp {
    /// Where it listens.
    pub address: SocketAddr,
    /// Its data directory (`reports.sqlite3`, `mail/`).
    pub data_dir: tempfile::TempDir,
    _site: tempfile::TempDir,
    /// Its report database.
    pub store: report_store::ReportStore,
    /// Its intake.
    pub reports: Arc<server::reports::Reports>,
    /// Its forwarder (to the Maildir `mail/` unless the test set another destination).
    pub forwarder: forwarding::Forwarder,
    /// Where its metrics listener listens, when the test set one (`--metrics-listen`).
    pub metrics_address: Option<SocketAddr>,
    stop: Option<oneshot::Sender<()>>,
    running: Option<tokio::task::JoinHandle<()>>,
}

impl TestApp {
    /// The server with its default settings.
    pub async fn spawn() -> Self {
        Self::spawn_with(|_| {}).await
    }

    /// The server with the default settings changed by `adjust`.
    pub async fn spawn_with(adjust: impl FnOnce(&mut Config)) -> Self {
        Self::spawn_on(tempfile::tempdir().expect("data dir"), adjust).await
    }

    /// The server on the data directory `data_dir` (a filesystem of the test's own, say).
    pub async fn spawn_on(data_dir: tempfile::TempDir, adjust: impl FnOnce(&mut Config)) -> Self {
        Self::start(data_dir, SystemClock::shared(), adjust).await
    }

    /// The server with the default settings changed by `adjust`, reading every time from
    /// `clock`, which the test moves.
    pub async fn spawn_with_clock(clock: &ManualClock, adjust: impl FnOnce(&mut Config)) -> Self {
        let data_dir = tempfile::tempdir().expect("data dir");
        Self::start(data_dir, clock.shared(), adjust).await
    }

    async fn start(
        data_dir: tempfile::TempDir,
        clock: SharedClock,
        adjust: impl FnOnce(&mut Config),
    ) -> Self {
        let site = site_files();
        let mut config = test_config(data_dir.path(), site.path());
        adjust(&mut config);
        let application = Application::build_with_clock(config, clock)
            .await
            .expect("the server starts")
            .deliver_on_demand();
        let (stop, stopped) = oneshot::channel();
        let address = application.address();
        let store = application.store().clone();
        let reports = application.reports();
        let forwarder = application.forwarder().clone();
        let metrics_address = application.metrics_address();
        let running = tokio::spawn(application.run_until_stopped(async {
            let _ = stopped.await;
        }));
        Self {
            address,
            data_dir,
            _site: site,
            store,
            reports,
            forwarder,
            metrics_address,
            stop: Some(stop),
            running: Some(running),
        }
    }

    /// The Maildir reports are forwarded to by default.
    pub fn mail_dir(&self) -> PathBuf {
        self.data_dir.path().join("mail")
    }

    /// The messages in the Maildir.
    pub fn mailed(&self) -> Vec<String> {
        let Ok(entries) = std::fs::read_dir(self.mail_dir().join("new")) else {
            return Vec::new();
        };
        entries
            .map(|e| std::fs::read_to_string(e.expect("entry").path()).expect("message"))
            .collect()
    }

    /// Sends `request` (its URI a path) on a new connection from 127.0.0.1; returns the status,
    /// headers and body text.
    pub async fn send(&self, request: Request<Body>) -> (StatusCode, HeaderMap, String) {
        self.send_from(IpAddr::V4(Ipv4Addr::LOCALHOST), request)
            .await
    }

    /// Sends `request` on a new connection from the loopback address `from` (any of
    /// 127.0.0.0/8), so tests can be several clients.
    pub async fn send_from(
        &self,
        from: IpAddr,
        mut request: Request<Body>,
    ) -> (StatusCode, HeaderMap, String) {
        let socket = match from {
            IpAddr::V4(_) => tokio::net::TcpSocket::new_v4(),
            IpAddr::V6(_) => tokio::net::TcpSocket::new_v6(),
        }
        .expect("socket");
        socket
            .bind(SocketAddr::new(from, 0))
            .expect("bind the client's address");
        // To the server's port on loopback in the client's family (the server may listen on
        // `::`, and an IPv4 client then arrives as `::ffff:…`).
        let loopback = match from {
            IpAddr::V4(_) => IpAddr::V4(Ipv4Addr::LOCALHOST),
            IpAddr::V6(_) => IpAddr::V6(std::net::Ipv6Addr::LOCALHOST),
        };
        let server = SocketAddr::new(loopback, self.address.port());
        let stream = socket.connect(server).await.expect("connect");
        let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .expect("handshake");
        tokio::spawn(connection);
        if !request.headers().contains_key(header::HOST) {
            let host = HeaderValue::from_str(&self.address.to_string()).expect("host");
            request.headers_mut().insert(header::HOST, host);
        }
        let response = sender.send_request(request).await.expect("an answer");
        let (parts, body) = response.into_parts();
        let bytes = body.collect().await.expect("body").to_bytes();
        (
            parts.status,
            parts.headers,
            String::from_utf8_lossy(&bytes).into_owned(),
        )
    }

    /// GETs `path`.
    pub async fn get(&self, path: &str) -> (StatusCode, HeaderMap, String) {
        self.send(Request::get(path).body(Body::empty()).expect("request"))
            .await
    }

    /// Stops the server as SIGTERM would, and waits until it has.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(running) = self.running.take() {
            let _ = running.await;
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// A server in a child process, and where it listens.
pub struct ServerProcess {
    /// The child process.
    pub process: Child,
    /// Its address on loopback.
    pub address: SocketAddr,
}

impl ServerProcess {
    /// Runs this binary's test `test` as a child with `variable` set to `value`; it must print
    /// `listening on <address>` once it listens. The child is one of the binary's tests, ignored
    /// in an ordinary run so that it is not counted as a test that passed, and doing nothing
    /// unless its variable is set.
    pub fn start(test: &str, variable: &str, value: impl AsRef<OsStr>) -> Self {
        Self::try_start(test, variable, value, &[]).expect("the child server starts")
    }

    /// As [`ServerProcess::start`], with more variables set; a child that prints
    /// `refused: <why>` instead of its address (its server would not start) gives that `why`.
    pub fn try_start(
        test: &str,
        variable: &str,
        value: impl AsRef<OsStr>,
        more: &[(&str, &str)],
    ) -> Result<Self, String> {
        let mut process = Command::new(std::env::current_exe().expect("this test binary"))
            .args(["--exact", test, "--ignored", "--nocapture"])
            .env(variable, value)
            .envs(more.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the child server");
        let mut lines = BufReader::new(process.stdout.take().expect("stdout")).lines();
        let first = lines
            .by_ref()
            .map_while(Result::ok)
            .find(|line| line.starts_with("listening on ") || line.starts_with("refused: "))
            .expect("the child's address, or why it would not start");
        if let Some(why) = first.strip_prefix("refused: ") {
            let _ = process.wait();
            return Err(why.replace("\\n", "\n"));
        }
        let address = first
            .trim_start_matches("listening on ")
            .parse()
            .expect("address");
        // Keep reading, so the child can still write its test summary when it stops.
        std::thread::spawn(move || lines.for_each(drop));
        Ok(Self { process, address })
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}
