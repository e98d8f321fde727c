//! The team's view against strangers, without an identity provider to sign in at: what anyone on
//! the network can make it do or cost before signing in. (Signing in end to end, against a real
//! provider, is in the browser tests.)

mod common;

use std::io::{BufRead as _, BufReader};
use std::net::{IpAddr, Ipv4Addr};
use std::process::{Command, Stdio};

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::{TestApp, form_post, with_team};

fn post(path: &str, cookie: Option<&str>) -> Request<Body> {
    form_post(path, cookie, "csrf=anything")
}

/// The refusals in the audit trail: (who, detail).
fn refusals(app: &TestApp) -> Vec<(String, String)> {
    let database = rusqlite::Connection::open(app.data_dir.path().join("reports.sqlite3"))
        .expect("the report database");
    let mut rows = database
        .prepare(
            "SELECT who, COALESCE(detail, '') FROM audit WHERE action = 'refused' ORDER BY seq",
        )
        .expect("query");
    rows.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
        .expect("rows")
        .map(|row| row.expect("row"))
        .collect()
}

#[tokio::test]
async fn signing_out_with_no_live_session_ends_signed_out_and_never_starts_a_sign_in() {
    let app = TestApp::spawn_with(with_team).await;
    // No cookie at all, and a session that ended (idle, or signed out in another tab).
    for cookie in [None, Some("__Host-lost-device-team=ended-long-ago")] {
        let (status, headers, _) = app.send(post("/team/sign-out", cookie)).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{cookie:?}");
        assert_eq!(
            headers.get(header::LOCATION).and_then(|l| l.to_str().ok()),
            Some("/team/signed-out")
        );
        let cleared = headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .any(|value| {
                value.starts_with("__Host-lost-device-team=;") && value.contains("Max-Age=0")
            });
        assert!(cleared, "{headers:?}");
    }
    let (status, _, page) = app.get("/team/signed-out").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("You have signed out"));
}

#[tokio::test]
async fn a_reference_of_any_other_shape_is_404_before_anything_else() {
    let app = TestApp::spawn_with(with_team).await;
    for path in [
        "/team/reports/LD%0D%0AX-Injected:%201",
        "/team/reports/LD-2026-000001%00",
        "/team/reports/LD-2026-000001%1B%5B31m",
        "/team/reports/..%2F..%2Fetc",
    ] {
        let (status, headers, page) = app.get(path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert!(page.contains("Page not found"), "{path}");
        assert!(headers.get(header::LOCATION).is_none());
        let (status, _, _) = app.send(post(&format!("{path}/acknowledge"), None)).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}/acknowledge");
    }
    // A reference of the right shape goes on to sign in (here: the provider cannot be reached).
    let (status, _, page) = app.get("/team/reports/LD-2026-000001").await;
    assert_eq!(status, StatusCode::BAD_GATEWAY);
    assert!(page.contains("Sign-in is not available just now"));
}

#[tokio::test]
async fn a_stranger_s_refused_sign_ins_are_audited_and_bounded_by_their_address() {
    let app = TestApp::spawn_with(with_team).await;
    let stranger = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 7));
    let back = |query: &str| {
        Request::get(format!("/team/signed-in?{query}"))
            .header(
                header::COOKIE,
                "__Host-lost-device-sign-in=c3RhdGUtb2YtYW5vdGhlci1icm93c2Vy",
            )
            .body(Body::empty())
            .expect("request")
    };
    // A state with a NUL byte, one this browser did not start, and the provider's error.
    for query in [
        "state=%00abc&code=x",
        "state=bm90LW91cnMtYXQtYWxsLWF0LWFsbA&code=x",
        "error=access_denied%0A2026-12-07T00:00:00Z%20INFO%20forged",
    ] {
        let (status, _, page) = app.send_from(stranger, back(query)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}");
        assert!(page.contains("Sign in again"), "{query}");
    }
    let written = refusals(&app);
    assert_eq!(written.len(), 3, "{written:?}");
    assert!(written.iter().all(|(who, _)| who == "unknown"));
    assert_eq!(written[1].1, "a sign-in this browser did not start");
    assert_eq!(
        written[2].1,
        "the identity provider did not sign the person in"
    );

    // The stranger cannot fill the trail: past their address's sign-in allowance, 429 and no row.
    let mut refused = 0;
    for _ in 0..40 {
        let (status, headers, _) = app.send_from(stranger, back("state=x&code=y")).await;
        if status == StatusCode::TOO_MANY_REQUESTS {
            assert!(headers.contains_key(header::RETRY_AFTER));
            refused += 1;
        }
    }
    assert!(refused >= 10, "{refused}");
    let rows = refusals(&app).len();
    assert!(rows <= 30, "{rows} rows");
    // Another address still has its own allowance.
    let (status, _, _) = app
        .send_from(
            IpAddr::V4(Ipv4Addr::new(127, 0, 0, 8)),
            back("state=x&code=y"),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

/// The server's log, text format, when a stranger writes a forged line and escape codes into
/// every field they can reach.
#[tokio::test]
async fn nothing_a_stranger_sends_makes_a_log_line_of_its_own() {
    let mut child = Command::new(std::env::current_exe().expect("this test binary"))
        .args([
            "--exact",
            "server_logging_as_in_production",
            "--ignored",
            "--nocapture",
        ])
        .env("TEAM_LOG_CHILD", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the child server");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let address: std::net::SocketAddr = lines
        .by_ref()
        .map_while(Result::ok)
        .find_map(|line| line.strip_prefix("listening on ").map(str::to_owned))
        .expect("the child's address")
        .parse()
        .expect("address");
    let forged =
        "%0A2026-12-07T00:00:00.000000Z%20INFO%20forged:%20signed%20in%20as%20admin%1B%5B2J";
    let requests = [
        format!("GET /team/signed-in?error=x{forged}&error_description=y{forged} HTTP/1.1\r\n"),
        format!("GET /team/reports/LD{forged} HTTP/1.1\r\n"),
        "GET /api/v1/reports/%0Aforged/status HTTP/1.1\r\nX-Request-Id: a\u{1b}[2Jb\r\n".to_owned(),
    ];
    for request in requests {
        use std::io::{Read as _, Write as _};
        let mut stream = std::net::TcpStream::connect(address).expect("connect");
        // The server may refuse a bad header as soon as it reads it and close the connection
        // while the rest is still being written: what matters here is its log, not the answer.
        let _ = stream
            .write_all(format!("{request}Host: {address}\r\nConnection: close\r\n\r\n").as_bytes());
        let mut answer = Vec::new();
        let _ = stream.read_to_end(&mut answer);
    }
    // The log is written from a thread of its own: ask once more and wait for its line.
    let _ = std::net::TcpStream::connect(address).and_then(|mut stream| {
        use std::io::{Read as _, Write as _};
        write!(
            stream,
            "GET /healthz?last HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        )?;
        stream.read_to_end(&mut Vec::new())
    });
    let mut log = Vec::new();
    for line in lines.map_while(Result::ok) {
        let last = line.contains("/healthz") && line.contains("answered");
        log.push(line);
        if last {
            break;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(log.len() >= 4, "{log:#?}");
    for line in &log {
        assert!(!line.contains('\u{1b}'), "{line:?}");
        assert!(
            !line.starts_with("2026-12-07T00:00:00"),
            "a forged line: {line:?}"
        );
        assert!(
            !line.contains("forged") || line.contains("\\u000a") || line.contains("%0A"),
            "{line:?}"
        );
    }
}

#[tokio::test]
#[ignore = "a child server that a test in this file starts"]
async fn server_logging_as_in_production() {
    if std::env::var_os("TEAM_LOG_CHILD").is_none() {
        return;
    }
    let _logging = server::telemetry::init_logging(server::config::LogFormat::Text);
    let site = common::site_files();
    let data_dir = tempfile::tempdir().expect("data dir");
    let mut config = common::test_config(data_dir.path(), site.path());
    with_team(&mut config);
    let application = server::startup::Application::build(config)
        .await
        .expect("the server starts");
    println!("listening on {}", application.address());
    application
        .run_until_stopped(std::future::pending::<()>())
        .await;
}

#[tokio::test]
async fn sign_ins_waiting_for_a_provider_that_hangs_fail_together_within_its_time_limit() {
    // A provider that takes connections and never answers.
    let hung = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let issuer = format!("http://{}", hung.local_addr().expect("address"));
    let holding = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = hung.accept().await {
            held.push(socket);
        }
    });
    let app = TestApp::spawn_with(|config| {
        with_team(config);
        config.team.oidc_issuer = Some(issuer);
    })
    .await;
    let started = std::time::Instant::now();
    let sign_ins = (1..=5).map(|n| {
        let app = &app;
        async move {
            let from = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 10 + n));
            let (status, _, page) = app
                .send_from(
                    from,
                    Request::get("/team").body(Body::empty()).expect("request"),
                )
                .await;
            (status, page, started.elapsed())
        }
    });
    let answers = futures_util::future::join_all(sign_ins).await;
    for (status, page, after) in &answers {
        assert_eq!(*status, StatusCode::BAD_GATEWAY);
        assert!(page.contains("Sign-in is not available just now"));
        // One shared wait of the provider's 10 seconds, not five in a row.
        assert!(after.as_secs_f64() < 15.0, "answered after {after:?}");
    }
    holding.abort();
}
