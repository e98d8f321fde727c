//! `POST /report`, the report form as plain HTML, on the real server: nothing is stored before
//! "Send report", which stores the report once under the id the form carries, so the phone
//! sending the same report later makes no second one; the answer is never kept by a cache.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::TestApp;
use incident_report::journey::{Go, field};
use incident_report::{FormPage, ReportForm, ReportId};
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::json;

/// Posts `form` as the page `page` with the button `go` (and the id `id`, if any).
async fn post_page(
    app: &TestApp,
    form: &ReportForm,
    page: FormPage,
    go: Go,
    id: Option<ReportId>,
) -> (StatusCode, axum::http::HeaderMap, String) {
    let mut fields: Vec<(&str, String)> = form.fields();
    fields.push((field::PAGE, page.slug().to_owned()));
    fields.push((field::GO, go.value()));
    if let Some(id) = id {
        fields.push((field::REPORT_ID, id.to_string()));
    }
    let body: Vec<String> = fields
        .iter()
        .map(|(name, value)| {
            format!(
                "{}={}",
                utf8_percent_encode(name, NON_ALPHANUMERIC),
                utf8_percent_encode(value, NON_ALPHANUMERIC)
            )
        })
        .collect();
    let request = Request::post("/report")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body.join("&")))
        .expect("request");
    app.send(request).await
}

/// The reference shown on a page, if any.
fn reference_in(page: &str) -> Option<String> {
    let at = page.find("LD-")?;
    Some(page[at..at + 14].to_owned())
}

#[tokio::test]
async fn a_page_is_answered_with_the_next_and_nothing_is_stored_or_kept() {
    let app = TestApp::spawn().await;
    let mut form = ReportForm::default();
    form.set_field("what-happened", "stolen");
    let (status, headers, page) =
        post_page(&app, &form, FormPage::WhatHappened, Go::Continue, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CACHE_CONTROL], "no-store");
    assert!(page.contains("What kind of device is it?"), "the next page");
    assert!(
        page.contains(r#"name="what-happened" value="stolen""#),
        "the answer travels on"
    );
    assert!(
        page.contains(r#"name="report-id""#),
        "the report has its id"
    );
    assert_eq!(app.reports.count().await.expect("count"), 0);

    // Nothing chosen: the same page, with GOV.UK's error summary and "Error: " in its title.
    let (_, _, page) = post_page(
        &app,
        &ReportForm::default(),
        FormPage::WhatHappened,
        Go::Continue,
        None,
    )
    .await;
    assert!(page.contains("There is a problem"));
    assert!(page.contains("<title>Error: "), "{page}");
}

#[tokio::test]
async fn sent_by_the_plain_form_then_by_the_phone_it_is_one_report_and_one_message() {
    let app = TestApp::spawn().await;
    let id = ReportId::from_random_bytes([9; 16]);
    let form = ReportForm::example();
    let (status, _, page) = post_page(&app, &form, FormPage::Check, Go::Continue, Some(id)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Report sent"), "{page}");
    let reference = reference_in(&page).expect("a reference on the page");

    // The phone, which had the same report queued, sends it too.
    let request = Request::post("/api/v1/reports")
        .header(header::CONTENT_TYPE, "application/json")
        .header("idempotency-key", format!("\"{id}\""))
        .body(Body::from(json!({ "id": id, "form": form }).to_string()))
        .expect("request");
    let (status, _, body) = app.send(request).await;
    assert_eq!(status, StatusCode::OK, "a repeat: {body}");
    assert!(body.contains(&reference));
    // And the form's button pressed twice.
    let (_, _, again) = post_page(&app, &form, FormPage::Check, Go::Continue, Some(id)).await;
    assert_eq!(reference_in(&again).as_deref(), Some(reference.as_str()));

    assert_eq!(app.reports.count().await.expect("count"), 1);
    assert!(app.forwarder.run_once().await);
    assert!(!app.forwarder.run_once().await);
    assert_eq!(app.mailed().len(), 1);
}

#[tokio::test]
async fn an_incomplete_report_is_not_sent_and_check_your_answers_says_what_to_fix() {
    let app = TestApp::spawn().await;
    let mut form = ReportForm::example();
    form.email.clear();
    let id = ReportId::from_random_bytes([8; 16]);
    let (_, _, page) = post_page(&app, &form, FormPage::Check, Go::Continue, Some(id)).await;
    assert!(page.contains("There is a problem"));
    assert!(page.contains("Check your answers before sending your report"));
    assert_eq!(app.reports.count().await.expect("count"), 0);
}

/// A finished report's fields, posted from its Check page, with `headers`.
fn finished_form_post(headers: &[(&str, &str)]) -> Request<Body> {
    let body: Vec<String> = ReportForm::example()
        .fields()
        .iter()
        .map(|(name, value)| format!("{name}={}", utf8_percent_encode(value, NON_ALPHANUMERIC)))
        .chain([
            format!("{}=check", field::PAGE),
            format!("{}=continue", field::GO),
            format!(
                "{}={}",
                field::REPORT_ID,
                ReportId::from_random_bytes([5; 16])
            ),
        ])
        .collect();
    let mut request = Request::post("/report")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::HOST, "lost-device.example.org");
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.body(Body::from(body.join("&"))).expect("request")
}

#[tokio::test]
async fn a_form_posted_from_another_site_is_refused_and_nothing_is_stored() {
    let app = TestApp::spawn().await;
    // A current browser says so itself; an older one (no `Sec-Fetch-Site`) names the other
    // site as the origin, or "null" from a sandboxed frame.
    for headers in [
        &[("sec-fetch-site", "cross-site")][..],
        &[("origin", "https://evil.example")],
        &[("origin", "null")],
        &[("origin", "https://lost-device.example.org.evil.example")],
    ] {
        let (status, _, page) = app.send(finished_form_post(headers)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{headers:?}");
        assert!(page.contains("own pages"), "{page}");
    }
    assert_eq!(app.reports.count().await.expect("count"), 0);
    // From its own pages, with either header, it is stored.
    let (status, _, _) = app
        .send(finished_form_post(&[(
            "origin",
            "https://lost-device.example.org",
        )]))
        .await;
    assert!(status.is_success() || status.is_redirection(), "{status}");
    assert_eq!(app.reports.count().await.expect("count"), 1);
}
