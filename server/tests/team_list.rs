//! The team's list through HTTP: the filter in the address, the counts beside each state, a day
//! that is not a real one, and pages that keep the filter.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use clock::{Clock as _, ManualClock};
use common::{TestApp, signed_in, with_team};
use incident_report::form::{DeviceKind, WhatHappened};
use incident_report::{ReportForm, ReportId};
use report_store::NewReport;

async fn get(app: &TestApp, cookie: &str, path: &str) -> (StatusCode, String) {
    let request = Request::get(path)
        .header(header::COOKIE, cookie)
        .body(Body::empty())
        .expect("request");
    let (status, _, page) = app.send(request).await;
    (status, page)
}

/// Stores `count` reports received a day apart up to now, stolen laptops and lost phones in
/// turn, the reporters "Person 1" …
async fn reports(app: &TestApp, clock: &ManualClock, count: u8) {
    for n in 1..=count {
        let (what, device) = if n % 2 == 0 {
            (WhatHappened::Stolen, DeviceKind::Laptop)
        } else {
            (WhatHappened::Lost, DeviceKind::Phone)
        };
        let form = ReportForm {
            what_happened: Some(what),
            device: Some(device),
            name: format!("Person {n}"),
            ..ReportForm::example()
        };
        app.store
            .submit(NewReport {
                id: ReportId::from_random_bytes([n; 16]),
                fingerprint: format!("f{n}"),
                form_json: serde_json::to_string(&form).expect("json"),
                received_at: "2026-12-07T10:00:00Z".into(),
                received_at_ms: clock.now_ms() - i64::from(count - n) * 86_400_000,
                year: 2026,
                destinations: Vec::new(),
            })
            .await
            .expect("stored");
    }
}

#[tokio::test]
async fn the_list_filters_by_what_the_address_says_counts_each_state_and_pages_on() {
    let clock = ManualClock::at_ms(1_796_644_800_000); // 7 December 2026, midday UK time
    let app = TestApp::spawn_with_clock(&clock, with_team).await;
    let cookie = signed_in(&app, &clock, "list-session-token").await;
    reports(&app, &clock, 60).await;

    let (status, page) = get(&app, &cookie, "/team").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("60 reports match."), "{page}");
    assert!(
        page.contains("All (60)") && page.contains("New (60)") && page.contains("Held back (0)")
    );
    assert_eq!(
        page.matches("govuk-table__row").count(),
        51,
        "a heading and 50 reports"
    );
    assert!(
        page.contains(r#"href="/team?before="#),
        "a link to older reports"
    );

    // Filters combine, are shown back, and the state links keep them.
    let (status, page) = get(&app, &cookie, "/team?what=stolen&device=laptop&q=person+1").await;
    assert_eq!(status, StatusCode::OK);
    // Person 1x stolen laptops: 10, 12, 14, 16, 18 (person 1 lost a phone).
    assert!(page.contains("5 reports match."), "{page}");
    assert!(page.contains(r#"<option value="stolen" selected"#));
    assert!(page.contains(r#"value="person 1""#));
    assert!(
        page.contains(r#"href="/team?state=new&amp;q=person+1&amp;what=stolen&amp;device=laptop""#)
    );

    // Received between two UK days, both included: yesterday and today.
    let (_, page) = get(&app, &cookie, "/team?from=2026-12-06&to=2026-12-07").await;
    assert!(page.contains("2 reports match."), "{page}");

    // A day that is not real says so, next to its field, and shows no reports.
    let (status, page) = get(&app, &cookie, "/team?from=2026-02-30").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("There is a problem"));
    assert!(page.contains(r##"<a href="#from">Received from must be a real date</a>"##));
    assert!(page.contains("0 reports match."));

    // The next page follows on, and keeps the filter; the first page is a link away.
    let (_, first) = get(&app, &cookie, "/team?q=person").await;
    let older = first
        .split(r#"href=""#)
        .find(|link| link.starts_with("/team?q=person&amp;before="))
        .and_then(|link| link.split('"').next())
        .expect("a link to older reports")
        .replace("&amp;", "&");
    let (_, second) = get(&app, &cookie, &older).await;
    assert!(second.contains("Newest reports"));
    assert!(!second.contains("Older reports"), "60 reports: two pages");
    assert_eq!(second.matches("govuk-table__row").count(), 1 + 10);
    assert!(
        second.contains(r#"href="/team?q=person""#),
        "back to the first page"
    );
}

#[tokio::test]
async fn the_filtered_reports_download_as_csv_and_json_and_each_download_is_audited() {
    let clock = ManualClock::at_ms(1_796_644_800_000);
    let app = TestApp::spawn_with_clock(&clock, with_team).await;
    let cookie = signed_in(&app, &clock, "export-session-token").await;
    reports(&app, &clock, 4).await;
    // A name a spreadsheet would run as a formula.
    let formula = ReportForm {
        what_happened: Some(WhatHappened::Stolen),
        device: Some(DeviceKind::Laptop),
        name: "=HYPERLINK(\"https://example.org\")".into(),
        ..ReportForm::example()
    };
    app.store
        .submit(NewReport {
            id: ReportId::from_random_bytes([90; 16]),
            fingerprint: "formula".into(),
            form_json: serde_json::to_string(&formula).expect("json"),
            received_at: "2026-12-07T10:00:00Z".into(),
            received_at_ms: clock.now_ms(),
            year: 2026,
            destinations: Vec::new(),
        })
        .await
        .expect("stored");

    let (status, csv_text) = get(&app, &cookie, "/team/reports.csv?what=stolen").await;
    assert_eq!(status, StatusCode::OK);
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    let headers = reader.headers().expect("a header row").clone();
    let column = |name: &str| {
        headers
            .iter()
            .position(|header| header == name)
            .unwrap_or_else(|| panic!("a {name} column in {headers:?}"))
    };
    let rows: Vec<csv::StringRecord> = reader.records().map(|row| row.expect("a row")).collect();
    // Reports 2 and 4 are stolen laptops, and the formula one.
    assert_eq!(rows.len(), 3);
    for row in &rows {
        assert_eq!(&row[column("what_happened")], "stolen");
        assert_eq!(&row[column("device")], "laptop");
        assert_eq!(&row[column("answers_are")], "kept");
        assert_eq!(&row[column("owner")], "", "nobody took these");
        assert!(row[column("reference")].starts_with("LD-2026-"));
        assert!(row[column("received_at")].ends_with('Z'));
    }
    let names: Vec<&str> = rows.iter().map(|row| &row[column("name")]).collect();
    assert!(names.contains(&"Person 4"), "{names:?}");
    assert!(
        names.contains(&"'=HYPERLINK(\"https://example.org\")"),
        "a formula is text: {names:?}"
    );

    let (status, json) = get(&app, &cookie, "/team/reports.json?what=lost").await;
    assert_eq!(status, StatusCode::OK);
    let rows: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    assert_eq!(rows.as_array().map(Vec::len), Some(2), "reports 1 and 3");
    // What was searched for may be a person's name: the trail says only that there was a search.
    let (status, _) = get(&app, &cookie, "/team/reports.csv?q=Person+4&device=laptop").await;
    assert_eq!(status, StatusCode::OK);

    let database = rusqlite::Connection::open(app.data_dir.path().join("reports.sqlite3"))
        .expect("the report database");
    let details: Vec<String> = database
        .prepare("SELECT detail FROM audit WHERE action = 'exported' ORDER BY seq")
        .expect("query")
        .query_map([], |row| row.get(0))
        .expect("rows")
        .map(|row| row.expect("row"))
        .collect();
    assert_eq!(
        details,
        [
            "csv, 3 reports, what=stolen",
            "json, 2 reports, what=lost",
            "csv, 1 reports, device=laptop and a text search"
        ]
    );
    assert!(details.iter().all(|detail| !detail.contains("Person")));

    // A day that is not real downloads nothing, and says why.
    let (status, page) = get(&app, &cookie, "/team/reports.csv?to=2026-13-01").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("These reports cannot be downloaded"));
}

#[tokio::test]
async fn a_download_past_the_limit_is_refused_in_words_and_one_at_the_limit_is_not() {
    let clock = ManualClock::at_ms(1_796_644_800_000);
    let app = TestApp::spawn_with_clock(&clock, |config| {
        with_team(config);
        config.team.export_limit = 3;
    })
    .await;
    let cookie = signed_in(&app, &clock, "limit-session-token").await;
    reports(&app, &clock, 5).await;

    // Reports 1, 3 and 5 were lost: exactly the limit.
    let (status, csv_text) = get(&app, &cookie, "/team/reports.csv?what=lost").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        csv::Reader::from_reader(csv_text.as_bytes())
            .records()
            .count(),
        3
    );

    for path in ["/team/reports.csv", "/team/reports.json?state=new"] {
        let (status, page) = get(&app, &cookie, path).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{path}");
        assert!(
            page.contains("Too many reports to download at once"),
            "{page}"
        );
        assert!(
            page.contains("More than 3 reports match this filter."),
            "{page}"
        );
        assert!(page.contains("Narrow the filter"), "{page}");
    }
    let database = rusqlite::Connection::open(app.data_dir.path().join("reports.sqlite3"))
        .expect("the report database");
    let downloads: i64 = database
        .query_row(
            "SELECT count(*) FROM audit WHERE action = 'exported'",
            [],
            |row| row.get(0),
        )
        .expect("count");
    assert_eq!(
        downloads, 1,
        "a refused download sent nothing, so it is not one"
    );
}

#[tokio::test]
async fn the_counts_page_counts_each_month_its_kinds_outcomes_and_waits() {
    let clock = ManualClock::at_ms(1_796_644_800_000); // 7 December 2026, midday UK time
    let app = TestApp::spawn_with_clock(&clock, with_team).await;
    let cookie = signed_in(&app, &clock, "counts-session-token").await;
    // Reports 1 to 40, a day apart: 7 in December, 30 in November, 3 in October.
    reports(&app, &clock, 40).await;
    let member = report_store::Actor {
        who: "sam@example.org".into(),
        address: "127.0.0.1".into(),
    };
    let now = clock.now_ms();
    // Today's report (40): acknowledged after 30 minutes; yesterday's (39) after 2 hours and
    // closed 4 days after it arrived.
    for (reference, acknowledged_after, closed_after) in [
        ("LD-2026-000040", 30 * 60_000, None),
        ("LD-2026-000039", 2 * 3_600_000, Some(4 * 86_400_000)),
    ] {
        let received = if reference.ends_with("40") {
            now
        } else {
            now - 86_400_000
        };
        app.store
            .acknowledge(reference, &member, received + acknowledged_after)
            .await
            .expect("acknowledged");
        if let Some(after) = closed_after {
            app.store
                .close(
                    reference,
                    incident_report::progress::Outcome::Recovered,
                    "",
                    &member,
                    received + after,
                )
                .await
                .expect("closed");
        }
    }
    let (status, page) = get(&app, &cookie, "/team/counts").await;
    assert_eq!(status, StatusCode::OK);
    let row = |month: &str| {
        page.split(&format!(
            r#"<th scope="row" class="govuk-table__header">{month}</th>"#
        ))
        .skip(1)
        .map(|rest| {
            rest.split("</tr>")
                .next()
                .unwrap_or_default()
                .split("govuk-table__cell--numeric\">")
                .skip(1)
                .map(|cell| cell.split('<').next().unwrap_or_default().to_owned())
                .collect::<Vec<_>>()
        })
        .collect::<Vec<_>>()
    };
    let december = row("December 2026");
    // Reports, then lost, stolen, hacked, something else: 7 (1–7 December: 34 to 40; odd are lost).
    assert_eq!(december[0], ["7", "3", "4", "0", "0"]);
    // Recovered first; 6 not closed.
    assert_eq!(december[1][0], "1");
    assert_eq!(december[1].last().map(String::as_str), Some("6"));
    assert_eq!(
        december[2],
        ["30 minutes", "2 hours", "4 days", "4 days"],
        "median and 90% of two waits to acknowledge, one to close"
    );
    assert_eq!(row("November 2026")[0][0], "30");
    assert_eq!(row("October 2026")[0][0], "3");
}
