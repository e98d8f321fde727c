//! Pages, files, the worker and the health check, from the real server on a loopback port
//! ([`common::TestApp`]) serving a small hand-made site.

mod common;

use axum::{
    body::Body,
    http::{Request, StatusCode, header},
};
use common::TestApp;
use leptos::config::LeptosOptions;

fn store() -> report_store::ReportStore {
    report_store::ReportStore::sqlite_in_memory().expect("store")
}

#[tokio::test]
async fn every_guidance_page_renders_with_its_heading_and_a_nonce_policy() {
    let site = TestApp::spawn().await;
    for page in guidance::PAGES {
        let (status, headers, body) = site.get(page.path).await;
        assert_eq!(status, StatusCode::OK, "{}", page.path);
        let title = page.title.replace('\'', "&#39;");
        assert!(body.contains(&title), "{} shows its title", page.path);
        let csp = headers[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .expect("ascii");
        assert!(
            csp.contains("'nonce-") && !csp.contains("'unsafe-inline'"),
            "{csp}"
        );
        assert_eq!(headers[header::CACHE_CONTROL], "no-cache");
    }
}

#[tokio::test]
async fn an_unknown_page_is_a_404_with_the_service_desk_number() {
    let (status, _, body) = TestApp::spawn().await.get("/guidance/no-such-page").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body.contains("Page not found") && body.contains("tel:08009175148"));
}

#[tokio::test]
async fn with_no_identity_provider_the_team_s_view_is_not_there() {
    let site = TestApp::spawn().await;
    for path in [
        "/team",
        "/team/reports/LD-2026-000001",
        "/team/signed-in?code=x&state=y",
    ] {
        let (status, _, body) = site.get(path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert!(body.contains("Page not found"), "{path}");
    }
    let sign_out = Request::post("/team/sign-out")
        .body(Body::empty())
        .expect("request");
    assert_eq!(site.send(sign_out).await.0, StatusCode::NOT_FOUND);
}

#[test]
fn the_team_s_view_says_what_its_settings_lack() {
    use clap::Parser as _;
    let parse = |args: &[&str]| {
        let mut all = vec!["lost-device"];
        all.extend_from_slice(args);
        server::config::Config::parse_from(all).team.settings()
    };
    assert!(parse(&[]).expect("off").is_none());
    let issuer = ["--oidc-issuer", "https://idp.example.org"];
    let error = |args: &[&str]| parse(args).expect_err("refused").to_string();
    assert!(error(&issuer).contains("--oidc-client-id"));
    let with_client = [&issuer[..], &["--oidc-client-id", "lost-device"]].concat();
    assert!(error(&with_client).contains("--public-url"));
    let with_url = [
        &with_client[..],
        &["--public-url", "https://ld.example.org/"],
    ]
    .concat();
    assert!(error(&with_url).contains("nobody may enter"));
    let team = parse(
        &[
            &with_url[..],
            &["--team-emails", " A@Example.org ,b@example.org"],
        ]
        .concat(),
    )
    .expect("settings")
    .expect("on");
    assert_eq!(team.public_url, "https://ld.example.org");
    assert_eq!(team.allowed.emails, ["a@example.org", "b@example.org"]);
}

#[tokio::test]
async fn the_offline_page_has_no_hydration_scripts() {
    let (status, _, body) = TestApp::spawn().await.get("/offline").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("You are offline") && body.contains("tel:08009175148"));
    assert!(!body.contains("type=\"module\""), "{body}");
}

#[tokio::test]
async fn the_worker_precaches_every_page_and_file() {
    let (status, headers, body) = TestApp::spawn().await.get("/sw.js").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        headers[header::CONTENT_TYPE]
            .to_str()
            .expect("ascii")
            .starts_with("text/javascript")
    );
    for path in
        guidance::paths().chain(["/offline", "/pkg/lost-device.css", "/manifest.webmanifest"])
    {
        assert!(body.contains(&format!("\"{path}\"")), "{path} is precached");
    }
}

#[tokio::test]
async fn the_worker_is_not_sent_again_while_it_is_unchanged() {
    let site = TestApp::spawn().await;
    let (_, headers, _) = site.get("/sw.js").await;
    let etag = headers[header::ETAG].clone();
    let request = Request::get("/sw.js")
        .header(header::IF_NONE_MATCH, etag)
        .body(Body::empty())
        .expect("request");
    let (status, _, body) = site.send(request).await;
    assert_eq!((status, body.as_str()), (StatusCode::NOT_MODIFIED, ""));
}

#[tokio::test]
async fn the_health_check_answers_ok() {
    let (status, _, body) = TestApp::spawn().await.get("/healthz").await;
    assert_eq!(
        (status, body.as_str()),
        (StatusCode::OK, r#"{"status":"ok"}"#)
    );
}

#[tokio::test]
async fn a_missing_build_is_refused_with_a_plain_reason() {
    let options = LeptosOptions::builder()
        .output_name("x")
        .site_root("/no/such/site")
        .build();
    let error = server::AppState::new(options, "test-build", store()).expect_err("not built");
    assert!(error.to_string().contains("cargo leptos build"), "{error}");
}

#[tokio::test]
async fn pages_and_files_answer_only_get_and_head() {
    let site = TestApp::spawn().await;
    for (method, path) in [
        ("POST", "/"),
        ("PUT", "/pkg/lost-device.css"),
        ("DELETE", "/manifest.webmanifest"),
    ] {
        let request = Request::builder()
            .method(method)
            .uri(path)
            .body(Body::empty())
            .expect("request");
        let (status, headers, body) = site.send(request).await;
        assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
        assert_eq!(headers[header::ALLOW], "GET, HEAD");
        assert!(!body.contains("body{}"), "the file is not sent");
    }
    let head = Request::head("/pkg/lost-device.css")
        .body(Body::empty())
        .expect("request");
    assert_eq!(site.send(head).await.0, StatusCode::OK);
}

#[tokio::test]
async fn an_unchanged_file_is_answered_304_when_revalidated() {
    let site = TestApp::spawn().await;
    let first = Request::get("/manifest.webmanifest")
        .body(Body::empty())
        .expect("request");
    let (status, headers, body) = site.send(first).await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, "{}"));
    let tag = headers[header::ETAG].to_str().expect("tag").to_owned();
    assert!(tag.starts_with("W/\"sha384-"), "{tag}");

    let again = Request::get("/manifest.webmanifest")
        .header(header::IF_NONE_MATCH, &tag)
        .body(Body::empty())
        .expect("request");
    let (status, headers, body) = site.send(again).await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);
    assert_eq!(headers[header::ETAG], tag.as_str());
    assert_eq!(body, "");

    let changed = Request::get("/manifest.webmanifest")
        .header(header::IF_NONE_MATCH, "W/\"sha384-other\"")
        .body(Body::empty())
        .expect("request");
    assert_eq!(site.send(changed).await.0, StatusCode::OK);
}

#[tokio::test]
async fn every_answer_carries_a_request_id_and_echoes_a_plain_one() {
    let site = TestApp::spawn().await;
    let (_, headers, _) = site
        .send(
            Request::get("/healthz")
                .body(Body::empty())
                .expect("request"),
        )
        .await;
    let made = headers["x-request-id"].to_str().expect("id");
    assert_eq!(made.len(), 16, "{made}");
    let given = Request::get("/healthz")
        .header("x-request-id", "abc-123")
        .body(Body::empty())
        .expect("request");
    assert_eq!(site.send(given).await.1["x-request-id"], "abc-123");
    let hostile = Request::get("/healthz")
        .header("x-request-id", "a b\tc<script>")
        .body(Body::empty())
        .expect("request");
    assert_ne!(site.send(hostile).await.1["x-request-id"], "a b\tc<script>");
}

#[test]
fn a_build_id_that_cannot_be_read_is_an_error_not_an_empty_id() {
    let dir = tempfile::tempdir().expect("temp dir");
    assert!(server::build_id_of(&dir.path().join("missing")).is_err());
    let id = server::build_id().expect("this test's own executable");
    assert_eq!(id.len(), 64);
}

#[test]
fn a_backup_from_a_directory_with_no_database_fails_and_creates_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mistyped = dir.path().join("dtaa");
    let copy = dir.path().join("copy.sqlite3");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_lost-device"))
        .arg("--data-dir")
        .arg(&mistyped)
        .arg("backup")
        .arg(&copy)
        .output()
        .expect("run the server binary");
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{said}");
    assert!(said.contains("there is no report database"), "{said}");
    assert!(!mistyped.exists(), "no data directory made");
    assert!(!copy.exists(), "no copy made");

    // The real data directory still backs up.
    let data = dir.path().join("data");
    std::fs::create_dir(&data).expect("data dir");
    drop(report_store::ReportStore::open_sqlite(&data.join("reports.sqlite3")).expect("store"));
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_lost-device"))
        .arg("--data-dir")
        .arg(&data)
        .arg("backup")
        .arg(&copy)
        .output()
        .expect("run the server binary");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(copy.is_file());
}
