//! `POST /api/v1/reports` and `/readyz`, answered by the real server on a loopback port
//! ([`common::TestApp`]), one test per answer.

mod common;

use clock::{Clock, SystemClock};
use std::net::IpAddr;
use std::sync::Arc;

use axum::{
    body::Body,
    http::{Request, StatusCode, header},
};
use common::TestApp;
use incident_report::ReportId;
use serde_json::{Value, json};
use server::config::Config;

type Api = TestApp;

async fn api() -> Api {
    TestApp::spawn().await
}

/// The server with `per_client` reports a minute from one client (1,000 in all), believing
/// `X-Forwarded-For` from `trusted_proxy` only.
fn rate_limits(per_client: u32, trusted_proxy: Option<&str>) -> impl FnOnce(&mut Config) {
    let trusted_proxy = trusted_proxy.map(|ip| ip.parse().expect("ip"));
    move |config| {
        config.protection.rate_limit_per_client =
            std::num::NonZeroU32::new(per_client).expect("limit");
        config.protection.rate_limit_global = std::num::NonZeroU32::new(1000).expect("limit");
        config.protection.trusted_proxy = trusted_proxy;
    }
}

fn id(byte: u8) -> ReportId {
    ReportId::from_random_bytes([byte; 16])
}

/// A complete, valid set of answers.
fn form() -> Value {
    serde_json::to_value(incident_report::ReportForm::example()).expect("json")
}

/// POSTs `body` as JSON with `key` as the Idempotency-Key; returns the status, headers and body
/// text.
async fn post(
    api: &Api,
    key: Option<&str>,
    body: String,
) -> (StatusCode, axum::http::HeaderMap, String) {
    post_as(api, &Sender::default(), key, body).await
}

/// Who sends a request, and how.
struct Sender<'a> {
    content_type: &'a str,
    /// The loopback address it connects from (none: 127.0.0.1).
    from: Option<&'a str>,
    forwarded_for: Option<&'a str>,
}

impl Default for Sender<'_> {
    fn default() -> Self {
        Self {
            content_type: "application/json",
            from: None,
            forwarded_for: None,
        }
    }
}

async fn post_as(
    api: &Api,
    sender: &Sender<'_>,
    key: Option<&str>,
    body: String,
) -> (StatusCode, axum::http::HeaderMap, String) {
    let mut request =
        Request::post("/api/v1/reports").header(header::CONTENT_TYPE, sender.content_type);
    if let Some(key) = key {
        request = request.header("idempotency-key", key);
    }
    if let Some(forwarded) = sender.forwarded_for {
        request = request.header("x-forwarded-for", forwarded);
    }
    let request = request.body(Body::from(body)).expect("request");
    let from: IpAddr = sender.from.unwrap_or("127.0.0.1").parse().expect("address");
    api.send_from(from, request).await
}

fn json_of(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or(Value::Null)
}

async fn send(api: &Api, report: ReportId, form: &Value) -> (StatusCode, Value) {
    let key = format!("\"{report}\"");
    let (status, _, body) = post(
        api,
        Some(&key),
        json!({ "id": report, "form": form }).to_string(),
    )
    .await;
    (status, json_of(&body))
}

#[tokio::test]
async fn a_new_report_is_stored_and_gets_a_reference() {
    let api = api().await;
    let (status, body) = send(&api, id(1), &form()).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(body["id"], id(1).to_string());
    let reference = body["reference"].as_str().expect("reference");
    assert!(
        reference.starts_with("LD-20") && reference.ends_with("-000001"),
        "{reference}"
    );
    assert_eq!(api.reports.count().await.expect("count"), 1);
}

#[tokio::test]
async fn a_repeat_gets_the_same_reference_and_stores_nothing_new() {
    let api = api().await;
    let (_, first) = send(&api, id(1), &form()).await;
    // The same answers with different spacing and key order are the same report.
    let answers = form();
    let fields: Vec<String> = answers
        .as_object()
        .expect("object")
        .iter()
        .rev()
        .map(|(name, value)| format!("\n    {name:?} :  {value}"))
        .collect();
    let reordered = format!(
        "{{ \"form\" : {{{} }},\n \"id\": \"{}\" }}",
        fields.join(" ,"),
        id(1)
    );
    let compact = json!({ "id": id(1), "form": answers }).to_string();
    assert_ne!(reordered, compact, "other bytes");
    assert_eq!(json_of(&reordered), json_of(&compact), "the same report");
    let (status, _, again) = post(&api, Some(&format!("\"{}\"", id(1))), reordered).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(json_of(&again), first);
    assert_eq!(api.reports.count().await.expect("count"), 1);
}

#[tokio::test]
async fn the_same_id_with_a_different_report_is_refused() {
    let api = api().await;
    send(&api, id(1), &form()).await;
    let mut other = form();
    other["location"] = json!("Somewhere else");
    let (status, body) = send(&api, id(1), &other).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"], "idempotency-key-reused");
    assert_eq!(api.reports.count().await.expect("count"), 1);
}

#[tokio::test]
async fn invalid_answers_are_refused_with_a_message_per_field() {
    let api = api().await;
    let mut bad = form();
    bad["email"] = json!("not an email");
    bad["name"] = json!("");
    let (status, body) = send(&api, id(1), &bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"], "invalid-report");
    let fields: Vec<&str> = body["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .filter_map(|f| f["id"].as_str())
        .collect();
    assert_eq!(fields, ["name", "email"]);
    assert_eq!(body["fields"][0]["message"], "Enter your name");
    assert_eq!(api.reports.count().await.expect("count"), 0);
}

#[tokio::test]
async fn a_missing_or_wrong_key_or_broken_json_is_a_bad_request() {
    let api = api().await;
    let body = json!({ "id": id(1), "form": form() }).to_string();
    let other_key = id(2).to_string();
    for (key, body, error) in [
        (None, body.clone(), "bad-idempotency-key"),
        (Some("not-a-uuid"), body.clone(), "bad-idempotency-key"),
        (
            Some(other_key.as_str()),
            body.clone(),
            "idempotency-key-mismatch",
        ),
        (
            Some(other_key.as_str()),
            "{\"id\":".to_owned(),
            "malformed-report",
        ),
    ] {
        let (status, _, answer) = post(&api, key, body).await;
        assert_eq!(
            (status, json_of(&answer)["error"].as_str()),
            (StatusCode::BAD_REQUEST, Some(error))
        );
    }
    assert_eq!(api.reports.count().await.expect("count"), 0);
}

#[tokio::test]
async fn a_body_over_the_limit_is_refused() {
    let api = api().await;
    let mut huge = form();
    huge["location"] = json!("x".repeat(server::fixed::BODY_LIMIT));
    let (status, body) = send(&api, id(1), &huge).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::PAYLOAD_TOO_LARGE, Some("too-large"))
    );
    assert_eq!(api.reports.count().await.expect("count"), 0);
}

#[tokio::test]
async fn a_report_still_being_processed_gets_409() {
    let api = api().await;
    let held = api.reports.begin(id(1)).expect("not yet in flight");
    let (status, body) = send(&api, id(1), &form()).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::CONFLICT, Some("in-progress"))
    );
    drop(held);
    assert_eq!(send(&api, id(1), &form()).await.0, StatusCode::CREATED);
}

#[tokio::test]
async fn answers_about_reports_are_never_cached() {
    let api = api().await;
    let body = json!({ "id": id(1), "form": form() }).to_string();
    let (_, headers, _) = post(&api, Some(&id(1).to_string()), body).await;
    assert_eq!(headers[header::CACHE_CONTROL], "no-store");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_duplicates_store_one_report() {
    let api = Arc::new(api().await);
    let sends = (0..20).map(|_| {
        let api = Arc::clone(&api);
        tokio::spawn(async move { send(&api, id(7), &form()).await })
    });
    let mut statuses = Vec::new();
    let mut references = std::collections::HashSet::new();
    for handle in sends {
        let (status, body) = handle.await.expect("task");
        if status != StatusCode::CONFLICT {
            references.insert(body["reference"].as_str().expect("reference").to_owned());
        }
        statuses.push(status);
    }
    assert_eq!(
        statuses
            .iter()
            .filter(|s| **s == StatusCode::CREATED)
            .count(),
        1,
        "{statuses:?}"
    );
    assert!(
        statuses
            .iter()
            .all(|s| [StatusCode::CREATED, StatusCode::OK, StatusCode::CONFLICT].contains(s))
    );
    assert_eq!(references.len(), 1);
    assert_eq!(api.reports.count().await.expect("count"), 1);
}

/// The contract, walked error by error: every code the server can give is provoked through the
/// real router, comes with the contract's status and body, and the phone's reading of it
/// (`incident_report::wire::classify`) is what the code means. A code added to the contract
/// without a way to provoke it here does not compile.
#[tokio::test]
async fn every_error_the_server_gives_is_the_contract_s_and_the_phone_reads_it_so() {
    use incident_report::json::SerdeJson;
    use incident_report::wire::{Attempt, ErrorCode, Meaning, Outcome, Refusal, classify};
    for code in ErrorCode::ALL {
        let (report, (status, headers, body)) = provoke(code).await;
        let refusal: Refusal = serde_json::from_str(&body).expect("a refusal body");
        assert_eq!(refusal.error, code, "{body}");
        assert_eq!(status.as_u16(), code.status(), "{code:?}");
        assert_ne!(refusal.message, "");
        let text = |name| headers.get(name).and_then(|v| v.to_str().ok());
        let outcome = classify(
            &SerdeJson,
            report,
            Attempt::Answered {
                status: status.as_u16(),
                content_type: text(header::CONTENT_TYPE),
                body: &body,
                retry_after: text(header::RETRY_AFTER),
            },
        );
        match (code.meaning(), outcome) {
            (Meaning::Refuse, Outcome::Rejected { reasons }) => assert_ne!(reasons.len(), 0),
            (Meaning::Retry(why), Outcome::Retry { why: read, wait }) => {
                assert_eq!(read, why);
                assert_eq!(
                    wait.is_some(),
                    matches!(code, ErrorCode::RateLimited | ErrorCode::Unavailable),
                    "{code:?}"
                );
            }
            (meaning, outcome) => panic!("{code:?} means {meaning:?} but was read as {outcome:?}"),
        }
    }
    // And the answers that are not errors: a new report, then its repeat, deliver it.
    let api = api().await;
    for expected in [StatusCode::CREATED, StatusCode::OK] {
        let body = json!({ "id": id(1), "form": form() }).to_string();
        let (status, headers, body) = post(&api, Some(&id(1).to_string()), body).await;
        assert_eq!(status, expected);
        let attempt = Attempt::Answered {
            status: status.as_u16(),
            content_type: headers
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok()),
            body: &body,
            retry_after: None,
        };
        assert!(matches!(
            classify(&SerdeJson, id(1), attempt),
            Outcome::Delivered { .. }
        ));
    }
}

/// Writes `request` on a new connection, closes the sending side, and reads the answer (its
/// body sent with a Content-Length).
async fn raw_exchange(
    address: std::net::SocketAddr,
    request: &[u8],
) -> (StatusCode, axum::http::HeaderMap, String) {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let mut stream = tokio::net::TcpStream::connect(address)
        .await
        .expect("connect");
    stream.write_all(request).await.expect("write");
    stream.shutdown().await.expect("close the sending side");
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.expect("read");
    let answer = String::from_utf8_lossy(&answer).into_owned();
    let (head, body) = answer.split_once("\r\n\r\n").expect("a whole answer");
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|line| line.split(' ').nth(1))
        .and_then(|code| code.parse().ok())
        .expect("a status line");
    let headers = lines
        .filter_map(|line| {
            let (name, value) = line.split_once(": ")?;
            Some((
                axum::http::HeaderName::from_bytes(name.as_bytes()).ok()?,
                axum::http::HeaderValue::from_str(value).ok()?,
            ))
        })
        .collect();
    (status, headers, body.to_owned())
}

/// Makes the server answer with `code`; gives the report id sent and the answer.
async fn provoke(
    code: incident_report::wire::ErrorCode,
) -> (ReportId, (StatusCode, axum::http::HeaderMap, String)) {
    use incident_report::wire::ErrorCode as E;
    let api = api().await;
    let report = id(1);
    let key = report.to_string();
    let body = |form: Value| json!({ "id": report, "form": form }).to_string();
    let answer = match code {
        E::TooLarge => post(&api, Some(&key), "x".repeat(server::fixed::BODY_LIMIT + 1)).await,
        E::UnreadableBody => {
            // The phone's connection breaks after the first bytes of the body: it has said it
            // has nothing more to send.
            let request = format!(
                "POST /api/v1/reports HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n\
                 Idempotency-Key: {key}\r\nContent-Length: 100\r\n\r\n{{\"id\":"
            );
            raw_exchange(api.address, request.as_bytes()).await
        }
        E::NotJson => {
            let sender = Sender {
                content_type: "text/plain",
                ..Sender::default()
            };
            post_as(&api, &sender, Some(&key), body(form())).await
        }
        E::BadIdempotencyKey => post(&api, None, body(form())).await,
        E::MalformedReport => post(&api, Some(&key), "{}".to_owned()).await,
        E::IdempotencyKeyMismatch => post(&api, Some(&id(2).to_string()), body(form())).await,
        E::InvalidReport => {
            let mut invalid = form();
            invalid["email"] = json!("");
            post(&api, Some(&key), body(invalid)).await
        }
        E::InProgress => {
            let _held = api.reports.begin(report).expect("not in flight");
            post(&api, Some(&key), body(form())).await
        }
        E::IdempotencyKeyReused => {
            assert_eq!(send(&api, report, &form()).await.0, StatusCode::CREATED);
            let mut other = form();
            other["name"] = json!("Someone Else");
            post(&api, Some(&key), body(other)).await
        }
        E::RateLimited => {
            let api = TestApp::spawn_with(rate_limits(1, None)).await;
            let phone = Sender {
                from: Some("127.0.0.11"),
                ..Sender::default()
            };
            assert_eq!(send_from(&api, &phone, id(9)).await.0, StatusCode::CREATED);
            post_as(&api, &phone, Some(&key), body(form())).await
        }
        E::Unavailable => {
            // A full disk: the database capped at the pages it has, other reports fill them, and
            // then there is no room for this one.
            let api = TestApp::spawn_with(rate_limits(1_000, None)).await;
            api.store
                .cap_pages_for_tests(Some(1))
                .await
                .expect("cap the database");
            let mut filler = 100_u8;
            while send(&api, id(filler), &form()).await.0 == StatusCode::CREATED {
                filler = filler.checked_add(1).expect("the database fills up");
            }
            post(&api, Some(&key), body(form())).await
        }
        E::Internal => {
            // A database that fails under the server: its table renamed away behind its back.
            let api = TestApp::spawn().await;
            rusqlite::Connection::open(api.data_dir.path().join("reports.sqlite3"))
                .and_then(|db| db.execute_batch("ALTER TABLE reports RENAME TO gone"))
                .expect("break the database");
            post(&api, Some(&key), body(form())).await
        }
    };
    (report, answer)
}

async fn get_json(api: &Api, path: &str) -> (StatusCode, Value) {
    let (status, _, body) = api.get(path).await;
    (status, json_of(&body))
}

#[tokio::test]
async fn a_new_report_is_forwarded_once_and_a_repeat_forwards_nothing() {
    let api = api().await;
    let (_, receipt) = send(&api, id(1), &form()).await;
    let reference = receipt["reference"].as_str().expect("reference").to_owned();
    let (_, before) = get_json(&api, "/readyz").await;
    assert_eq!(before["undelivered"], 1);
    assert!(api.forwarder.run_once().await, "the new report was due");

    send(&api, id(1), &form()).await;
    assert!(!api.forwarder.run_once().await, "a repeat adds no delivery");
    let mailed = api.mailed();
    assert_eq!(mailed.len(), 1);
    assert!(mailed[0].contains(&format!("Subject: [{reference}] Stolen laptop, reported ")));
    assert!(mailed[0].contains(&format!("Message-ID: <{}@localhost>", id(1))));
}

#[tokio::test]
async fn readiness_reports_the_database_and_how_far_forwarding_has_got() {
    let api = api().await;
    let (status, ready) = get_json(&api, "/readyz").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(ready["database"], "reachable");
    assert_eq!(ready["undelivered"], 0);
    assert_eq!(ready["oldest_undelivered_age_seconds"], Value::Null);

    send(&api, id(1), &form()).await;
    let store = api.reports.store();
    let claim = report_store::Claim {
        destinations: vec!["maildir".into()],
        now_ms: SystemClock.now_ms(),
        lease_ms: 60_000,
        lease: "test".into(),
        limit: 1,
    };
    let due = store.claim_due(claim).await.expect("claim");
    store
        .mark_parked(
            &due[0],
            "550 5.1.1 <incidents@mail.internal.example> no such mailbox",
            None,
        )
        .await
        .expect("park");
    let (status, ready) = get_json(&api, "/readyz").await;
    assert_eq!(
        status,
        StatusCode::OK,
        "an instance with a stuck destination still takes reports"
    );
    assert_eq!(
        (ready["undelivered"].as_u64(), ready["parked"].as_u64()),
        (Some(1), Some(1))
    );
    // Public: counts only, never a destination or what it answered.
    let text = ready.to_string();
    assert!(
        !text.contains("mailbox") && !text.contains("550") && !text.contains("mail.internal"),
        "{text}"
    );
    assert!(ready["oldest_undelivered_age_seconds"].as_u64().is_some());
}

#[tokio::test]
async fn a_body_not_sent_as_json_is_refused_with_415() {
    let api = api().await;
    let body = json!({ "id": id(1), "form": form() }).to_string();
    let key = format!("\"{}\"", id(1));
    let plain = Sender {
        content_type: "text/plain",
        ..Sender::default()
    };
    let (status, _, answer) = post_as(&api, &plain, Some(&key), body.clone()).await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert!(
        json_of(&answer)["message"]
            .as_str()
            .is_some_and(|m| m.contains("JSON"))
    );
    let with_charset = Sender {
        content_type: "application/json; charset=utf-8",
        ..Sender::default()
    };
    assert_eq!(
        post_as(&api, &with_charset, Some(&key), body).await.0,
        StatusCode::CREATED
    );
}

#[tokio::test]
async fn a_malformed_body_is_refused_in_plain_words_without_the_parser_s_detail() {
    let api = api().await;
    let key = format!("\"{}\"", id(1));
    for body in [
        json!({ "id": id(1), "form": { "nmae": "typo" } }).to_string(),
        json!({ "id": id(1), "form": { "what_happened": 7 } }).to_string(),
        "[1, 2".to_owned(),
    ] {
        let (status, _, answer) = post(&api, Some(&key), body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        let message = json_of(&answer)["message"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        for internal in [
            "expected",
            "struct",
            "line",
            "column",
            "nmae",
            "ReportForm",
            "Submission",
        ] {
            assert!(!message.contains(internal), "{message}");
        }
    }
}

#[tokio::test]
async fn the_stored_answers_are_the_checked_ones_without_surrounding_spaces() {
    let api = api().await;
    let mut padded = form();
    padded["phone"] = json!(format!("  07700 900 982{}", " ".repeat(30_000)));
    padded["name"] = json!("\tSam Example  ");
    let (status, _) = send(&api, id(1), &padded).await;
    assert_eq!(status, StatusCode::CREATED);
    let form = stored_form(&api).await;
    assert_eq!(form["phone"], "07700 900 982");
    assert_eq!(form["name"], "Sam Example");
    // The same answers with other spaces are the same report.
    assert_eq!(send(&api, id(1), &form).await.0, StatusCode::OK);
}

/// The stored answers of the one report in `api`'s store.
async fn stored_form(api: &Api) -> Value {
    let due = api
        .reports
        .store()
        .claim_due(report_store::Claim {
            destinations: vec!["maildir".into()],
            now_ms: SystemClock.now_ms(),
            lease_ms: 1,
            lease: "t".into(),
            limit: 1,
        })
        .await
        .expect("claim");
    serde_json::from_str(&due[0].form_json).expect("json")
}

#[tokio::test]
async fn an_answer_to_a_question_not_asked_is_neither_stored_nor_forwarded() {
    let api = api().await;
    let mut answers = form();
    answers["told_police"] = json!("no");
    answers["police_reference"] = json!("CAD 9999 secret");
    let (status, _) = send(&api, id(1), &answers).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(stored_form(&api).await["police_reference"], "");
    // Past the 1 ms lease `stored_form` took.
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    assert!(api.forwarder.run_once().await);
    let mailed = api.mailed();
    assert_eq!(mailed.len(), 1);
    assert!(!mailed[0].contains("CAD 9999"), "{}", mailed[0]);
    // A hidden answer is not checked either: nobody can see it to fix it.
    answers["police_reference"] = json!("x".repeat(5000));
    assert_eq!(send(&api, id(2), &answers).await.0, StatusCode::CREATED);
}

#[tokio::test]
async fn a_date_is_bounded_and_stored_one_way() {
    let api = api().await;
    for (part, typed) in [
        ("date_day", format!("{}2", "0".repeat(3000))),
        ("date_year", "+2026".to_owned()),
        ("date_month", " 1 1".to_owned()),
    ] {
        let mut answers = form();
        answers[part] = json!(typed);
        let (status, body) = send(&api, id(1), &answers).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{part}");
        assert_eq!(body["fields"][0]["field"], "date", "{part}");
    }
    let mut answers = form();
    answers["date_day"] = json!("02");
    answers["date_month"] = json!("011");
    assert_eq!(
        send(&api, id(1), &answers).await.0,
        StatusCode::UNPROCESSABLE_ENTITY,
        "three digits for a month"
    );
    answers["date_month"] = json!("09");
    assert_eq!(send(&api, id(1), &answers).await.0, StatusCode::CREATED);
    let stored = stored_form(&api).await;
    assert_eq!(
        [
            &stored["date_day"],
            &stored["date_month"],
            &stored["date_year"]
        ],
        ["2", "9", "2026"]
    );
    // The same report as typed is a repeat of what was stored.
    assert_eq!(send(&api, id(1), &answers).await.0, StatusCode::OK);
}

#[tokio::test]
async fn a_report_stored_under_older_rules_is_answered_with_its_reference_not_refused() {
    // An earlier release stored this report; today's rules would refuse it (a signed year).
    let api = api().await;
    let mut old = incident_report::ReportForm::example();
    old.date_year = "+2026".into();
    let form_json = serde_json::to_string(&old.trimmed()).expect("json");
    let stored = api
        .reports
        .store()
        .submit(report_store::NewReport {
            id: id(1),
            fingerprint: format!("{:x}", <sha2::Sha256 as sha2::Digest>::digest(&form_json)),
            form_json,
            received_at: "2026-11-27T10:00:00Z".into(),
            received_at_ms: 1_764_237_600_000,
            year: 2026,
            destinations: vec![],
        })
        .await
        .expect("stored");
    let report_store::Submitted::Created { reference } = stored else {
        panic!("{stored:?}");
    };
    // The phone, which never got the answer, sends it again after the upgrade.
    let (status, body) = send(&api, id(1), &serde_json::to_value(&old).expect("json")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["reference"], reference.as_str());
    // The same id with other answers is still refused as another report.
    let (status, body) = send(&api, id(1), &form()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"], "idempotency-key-reused");
}

#[tokio::test]
async fn a_report_says_which_form_version_it_was_written_under() {
    let api = api().await;
    let key = |n: u8| format!("\"{}\"", id(n));
    // From a phone of a release that recorded no version: the first.
    let unversioned = json!({ "id": id(1), "form": form() }).to_string();
    assert_eq!(
        post(&api, Some(&key(1)), unversioned).await.0,
        StatusCode::CREATED
    );
    let current = json!({ "id": id(2), "form": form(), "form_version": 1 }).to_string();
    assert_eq!(
        post(&api, Some(&key(2)), current).await.0,
        StatusCode::CREATED
    );
    // From a release newer than this server: checked by the newest rules the server knows.
    let mut empty = form();
    empty["name"] = json!("");
    let newer = json!({ "id": id(3), "form": empty, "form_version": 99 }).to_string();
    assert_eq!(
        post(&api, Some(&key(3)), newer).await.0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let malformed = json!({ "id": id(4), "form": form(), "form_version": "one" }).to_string();
    assert_eq!(
        post(&api, Some(&key(4)), malformed).await.0,
        StatusCode::BAD_REQUEST
    );
}

/// Every log line written while `run` runs, as text.
async fn logged_while<F: std::future::Future<Output = ()>>(run: F) -> String {
    #[derive(Clone, Default)]
    struct Lines(Arc<std::sync::Mutex<Vec<u8>>>);
    impl std::io::Write for Lines {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().expect("lines").extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let lines = Lines::default();
    let writer = lines.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _default = tracing::subscriber::set_default(subscriber);
    run.await;
    let bytes = lines.0.lock().expect("lines").clone();
    String::from_utf8_lossy(&bytes).into_owned()
}

#[tokio::test]
async fn nothing_a_malformed_report_says_reaches_the_log() {
    // About 80 bodies from one address: more than one client may send in a minute.
    let api = TestApp::spawn_with(rate_limits(1000, None)).await;
    let key = format!("\"{}\"", id(1));
    let example = form();
    let fields = example.as_object().expect("object").clone();
    let mut secrets = Vec::new();
    let log = logged_while(async {
        for (field, value) in &fields {
            let Some(text) = value.as_str().filter(|text| !text.is_empty()) else {
                continue;
            };
            // Marked, so a hit is this answer and not a word the log uses anyway.
            let secret = format!("{text} Zed Leakname");
            let digits: String = text.chars().filter(char::is_ascii_digit).collect();
            let mut bodies = Vec::new();
            // As a key the form does not know ("unknown field `…`").
            let mut unknown = example.clone();
            unknown[secret.as_str()] = json!(1);
            bodies.push(unknown);
            // As the value of a choice ("unknown variant `…`").
            let mut variant = example.clone();
            variant["what_happened"] = json!(secret);
            bodies.push(variant);
            // As a number where words belong ("invalid type: integer `…`").
            // (Long enough not to be found by chance in a time or a request id.)
            if let Some(number) = Some(format!("9{digits}"))
                .filter(|number| number.len() >= 7)
                .and_then(|number| number.parse::<u64>().ok())
            {
                let mut typed = example.clone();
                typed[field.as_str()] = json!(number);
                bodies.push(typed);
                secrets.push(format!("9{digits}"));
            }
            for body in bodies {
                let body = json!({ "id": id(1), "form": body }).to_string();
                let (status, _, _) = post(&api, Some(&key), body).await;
                assert_eq!(status, StatusCode::BAD_REQUEST, "{field}");
            }
            // Broken off inside the answer.
            let cut = format!(r#"{{"id":"{}","form":{{"name":"{secret}"#, id(1));
            assert_eq!(post(&api, Some(&key), cut).await.0, StatusCode::BAD_REQUEST);
            secrets.push(secret);
        }
    })
    .await;
    assert!(
        log.contains("a report body that is not a report"),
        "the refusals were logged: {log}"
    );
    assert!(secrets.len() > 15, "{}", secrets.len());
    for secret in &secrets {
        assert!(
            !log.contains(secret.as_str()),
            "{secret} in the log:\n{log}"
        );
    }
    assert!(!log.contains("Zed Leakname"), "{log}");
}

async fn send_from(
    api: &Api,
    sender: &Sender<'_>,
    report: ReportId,
) -> (StatusCode, axum::http::HeaderMap, Value) {
    let key = format!("\"{report}\"");
    let body = json!({ "id": report, "form": form() }).to_string();
    let (status, headers, body) = post_as(api, sender, Some(&key), body).await;
    (status, headers, json_of(&body))
}

#[tokio::test]
async fn a_client_over_the_rate_limit_is_told_when_to_try_again_in_plain_words() {
    let api = TestApp::spawn_with(rate_limits(2, None)).await;
    let phone = Sender {
        from: Some("127.0.0.11"),
        ..Sender::default()
    };
    assert_eq!(send_from(&api, &phone, id(1)).await.0, StatusCode::CREATED);
    assert_eq!(send_from(&api, &phone, id(2)).await.0, StatusCode::CREATED);
    let (status, headers, body) = send_from(&api, &phone, id(3)).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = headers[header::RETRY_AFTER]
        .to_str()
        .expect("text")
        .parse()
        .expect("seconds");
    assert!((1..=60).contains(&wait), "{wait}");
    assert_eq!(body["error"], "rate-limited");
    assert!(
        body["message"]
            .as_str()
            .is_some_and(|m| m.contains(&format!("{wait} seconds")))
    );
    assert_eq!(
        api.reports.count().await.expect("count"),
        2,
        "nothing stored for a 429"
    );
    // The phone reads it as "try again", no sooner than asked.
    let answer = body.to_string();
    let outcome = incident_report::wire::classify(
        &incident_report::json::SerdeJson,
        id(3),
        incident_report::wire::Attempt::Answered {
            status: 429,
            content_type: Some("application/json"),
            body: &answer,
            retry_after: headers[header::RETRY_AFTER].to_str().ok(),
        },
    );
    assert!(
        matches!(outcome, incident_report::wire::Outcome::Retry { wait: Some(w), .. } if w.as_secs() == wait)
    );

    let another = Sender {
        from: Some("127.0.0.12"),
        ..Sender::default()
    };
    assert_eq!(
        send_from(&api, &another, id(4)).await.0,
        StatusCode::CREATED
    );
}

/// Sends report `n` from the socket address `from` with `client` in `X-Forwarded-For`.
async fn send_forwarded(api: &Api, from: &str, client: &str, n: u8) -> StatusCode {
    let sender = Sender {
        from: Some(from),
        forwarded_for: Some(client),
        ..Sender::default()
    };
    send_from(api, &sender, id(n)).await.0
}

#[tokio::test]
async fn forwarded_addresses_count_only_through_the_trusted_proxy() {
    let api = TestApp::spawn_with(rate_limits(1, Some("127.0.0.9"))).await;
    for (n, client) in [(1, "192.0.2.1"), (2, "192.0.2.2")] {
        let status = send_forwarded(&api, "127.0.0.9", client, n).await;
        assert_eq!(status, StatusCode::CREATED, "{client}");
    }
    // Not the proxy: its X-Forwarded-For is not believed, so both count as 127.0.0.5.
    for (n, client, expected) in [
        (3, "192.0.2.3", StatusCode::CREATED),
        (4, "192.0.2.4", StatusCode::TOO_MANY_REQUESTS),
    ] {
        let status = send_forwarded(&api, "127.0.0.5", client, n).await;
        assert_eq!(status, expected, "{client}");
    }
}

#[tokio::test]
async fn only_the_entry_the_proxy_added_names_the_client_with_or_without_a_port() {
    let api = TestApp::spawn_with(rate_limits(1, Some("127.0.0.9"))).await;
    let proxy = "127.0.0.9";
    // The proxy adds the client with its port: that is the client, whatever came before.
    for (n, forwarded, expected) in [
        (1, "203.0.113.7, 192.0.2.1:4444", StatusCode::CREATED),
        (
            2,
            "203.0.113.8, 192.0.2.1:5555",
            StatusCode::TOO_MANY_REQUESTS,
        ),
        (3, "192.0.2.1, [2001:db8:9::1]:443", StatusCode::CREATED),
        (4, "2001:db8:9::2", StatusCode::TOO_MANY_REQUESTS),
        // An entry that names no address is the proxy's own allowance, never the one before.
        (5, "203.0.113.9, unknown", StatusCode::CREATED),
        (6, "203.0.113.10, _hidden", StatusCode::TOO_MANY_REQUESTS),
    ] {
        let status = send_forwarded(&api, proxy, forwarded, n).await;
        assert_eq!(status, expected, "{forwarded}");
    }
}

#[tokio::test]
async fn one_client_over_its_limit_spends_nothing_of_everyone_else_s_allowance() {
    // 2 a minute from one address, 5 in all: a burst of 40 from one address is refused 38
    // times, and those refusals must not use up what the other reporters are allowed.
    let api = TestApp::spawn_with(|config| {
        config.protection.rate_limit_per_client = std::num::NonZeroU32::new(2).expect("limit");
        config.protection.rate_limit_global = std::num::NonZeroU32::new(5).expect("limit");
    })
    .await;
    let flooder = Sender {
        from: Some("127.0.0.7"),
        ..Sender::default()
    };
    let mut refused = 0;
    for n in 0..40 {
        if send_from(&api, &flooder, id(100 + n)).await.0 == StatusCode::TOO_MANY_REQUESTS {
            refused += 1;
        }
    }
    assert_eq!(refused, 38);
    for (n, from) in ["127.0.1.1", "127.0.1.2", "127.0.1.3"]
        .into_iter()
        .enumerate()
    {
        let reporter = Sender {
            from: Some(from),
            ..Sender::default()
        };
        let byte = u8::try_from(n).expect("small") + 1;
        assert_eq!(
            send_from(&api, &reporter, id(byte)).await.0,
            StatusCode::CREATED,
            "{from}"
        );
    }
}

#[tokio::test]
async fn an_ipv4_proxy_seen_through_an_ipv6_socket_is_still_the_trusted_proxy() {
    // Listening on `::`, the proxy at 127.0.0.1 arrives as ::ffff:127.0.0.1.
    let api = TestApp::spawn_with(|config| {
        rate_limits(1, Some("127.0.0.1"))(config);
        config.bind = std::net::Ipv6Addr::UNSPECIFIED.into();
    })
    .await;
    let proxy = "127.0.0.1";
    for (n, client) in [(1, "192.0.2.1"), (2, "192.0.2.2"), (3, "::ffff:192.0.2.3")] {
        let status = send_forwarded(&api, proxy, client, n).await;
        assert_eq!(status, StatusCode::CREATED, "{client}");
    }
    // The same client by its two spellings is one client.
    let again = send_forwarded(&api, proxy, "192.0.2.3", 4).await;
    assert_eq!(again, StatusCode::TOO_MANY_REQUESTS);
}

/// Any JSON value, a few levels deep.
fn any_json() -> impl proptest::strategy::Strategy<Value = Value> {
    use proptest::prelude::*;
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        ".{0,40}".prop_map(Value::from),
        // Real values, so that some reports get far into validation.
        prop::sample::select(vec![
            "stolen", "lost", "yes", "no", "not-yet", "laptop", "2026", "11"
        ])
        .prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::btree_map(
                prop_oneof![
                    prop::sample::select(vec![
                        "id",
                        "form",
                        "what_happened",
                        "device",
                        "date_day",
                        "date_month",
                        "date_year",
                        "location",
                        "name",
                        "email",
                        "phone",
                        "told_police",
                    ])
                    .prop_map(str::to_owned),
                    "[a-z_]{1,12}",
                ],
                inner,
                0..8,
            )
            .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}

mod fuzz {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #![proptest_config(proptest::test_runner::Config::with_cases(300))]

        /// Arbitrary bodies, JSON and headers: never a panic, never a 5xx, and nothing stored unless
        /// the answer was 201.
        #[test]
        fn no_request_makes_the_intake_fail_or_store_what_it_refused(
            body in prop_oneof![
                proptest::collection::vec(proptest::num::u8::ANY, 0..2048).prop_map(|b| String::from_utf8_lossy(&b).into_owned()),
                any_json().prop_map(|v| v.to_string()),
                any_json().prop_map(|form| json!({ "id": id(1), "form": form }).to_string()),
            ],
            key in proptest::option::of(prop_oneof![
                Just(format!("\"{}\"", id(1))),
                Just(id(1).to_string()),
                ".{0,60}",
            ]),
            content_type in prop_oneof![
                Just("application/json"),
                Just("application/json; charset=utf-8"),
                Just("text/plain"),
                Just(""),
            ],
        ) {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
            runtime.block_on(async {
                let api = api().await;
                let sender = Sender { content_type, ..Sender::default() };
                let key = key.filter(|k| axum::http::HeaderValue::from_str(k).is_ok());
                let (status, _, _) = post_as(&api, &sender, key.as_deref(), body).await;
                prop_assert!(!status.is_server_error(), "{status}");
                let stored = api.reports.count().await.expect("count");
                prop_assert_eq!(stored, u64::from(status == StatusCode::CREATED));
                Ok(())
            })?;
        }
    }
}
