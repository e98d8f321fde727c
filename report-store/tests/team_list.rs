//! The team's list at the size of years of reports, on both backends: every filter, the search,
//! the counts and the paging, against what the test itself knows it stored.

#[allow(dead_code, reason = "each test file uses some of the shared helpers")]
mod common;

use incident_report::ReportForm;
use incident_report::ReportId;
use incident_report::form::{DeviceKind, WhatHappened};
use report_store::{
    Actor, Claim, ListState, NewReport, ReportFilter, ReportStore, StateCounts, TeamSummary,
};

/// How many reports each test stores.
const REPORTS: u32 = 10_000;

/// The first report's arrival; each next one a minute later.
const FIRST_MS: i64 = 1_780_000_000_000;
const MINUTE_MS: i64 = 60_000;

const KINDS: [WhatHappened; 4] = [
    WhatHappened::Lost,
    WhatHappened::Stolen,
    WhatHappened::HackedOrCompromised,
    WhatHappened::SomethingElse,
];
const DEVICES: [DeviceKind; 3] = [DeviceKind::Laptop, DeviceKind::Phone, DeviceKind::Tablet];

/// Report `n`'s answers (from 1): kinds in turn, a ticket on every tenth.
fn form(n: u32) -> ReportForm {
    ReportForm {
        what_happened: Some(KINDS[n as usize % KINDS.len()]),
        device: Some(DEVICES[n as usize % DEVICES.len()]),
        name: format!("Person {n}"),
        email: format!("Person{n}@Example.org"),
        asset_tag: format!("MOJ-{n:05}"),
        service_desk_ticket: if n.is_multiple_of(10) {
            format!("INC{n}")
        } else {
            String::new()
        },
        location: format!("Platform {n}"),
        ..ReportForm::default()
    }
}

fn new_report(n: u32) -> NewReport {
    let mut bytes = [0x11; 16];
    bytes[..4].copy_from_slice(&n.to_le_bytes());
    NewReport {
        id: ReportId::from_random_bytes(bytes),
        fingerprint: format!("f{n}"),
        form_json: serde_json::to_string(&form(n)).expect("a form serialises"),
        received_at: "2026-06-01T00:00:00Z".to_owned(),
        received_at_ms: FIRST_MS + i64::from(n - 1) * MINUTE_MS,
        year: 2026,
        destinations: vec!["maildir".to_owned()],
    }
}

fn reference(n: u32) -> String {
    format!("LD-2026-{n:06}")
}

/// Stores reports 1 to `REPORTS` (16 at a time), acknowledges 1–30, closes 21–30 and holds back
/// the delivery of 41–45.
async fn stored(store: &ReportStore) {
    let tasks: Vec<_> = (0..16)
        .map(|task| {
            let store = store.clone();
            tokio::spawn(async move {
                for n in (1..=REPORTS).filter(|n| n % 16 == task) {
                    store.submit(new_report(n)).await.expect("stored");
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("the task ran");
    }
    let member = Actor {
        who: "sam@example.org".to_owned(),
        address: "127.0.0.1".to_owned(),
    };
    // The references follow the order of arrival only when stored one by one: find each by its
    // asset tag instead.
    let mut by_number = std::collections::HashMap::new();
    for page in all_pages(store, &ReportFilter::default()).await {
        let form: ReportForm = serde_json::from_str(&page.form_json).expect("answers");
        let n: u32 = form.asset_tag[4..].parse().expect("a number");
        by_number.insert(n, page.progress.reference);
    }
    for n in 1..=30 {
        store
            .acknowledge(&by_number[&n], &member, FIRST_MS)
            .await
            .expect("acknowledged");
    }
    for n in 21..=30 {
        store
            .close(
                &by_number[&n],
                incident_report::progress::Outcome::Recovered,
                "",
                &member,
                FIRST_MS,
            )
            .await
            .expect("closed");
    }
    let due = store
        .claim_due(Claim {
            destinations: vec!["maildir".to_owned()],
            // Due by now: reports 1 to 45, whose deliveries were due on arrival.
            now_ms: FIRST_MS + 44 * MINUTE_MS,
            lease_ms: 60_000,
            lease: "test:1".to_owned(),
            limit: 100,
        })
        .await
        .expect("claimed");
    assert_eq!(due.len(), 45);
    for delivery in &due {
        let n = by_number
            .iter()
            .find(|(_, reference)| **reference == delivery.reference)
            .map(|(n, _)| *n)
            .expect("ours");
        if (41..=45).contains(&n) {
            store
                .mark_parked(delivery, "refused", None)
                .await
                .expect("parked");
        } else {
            store
                .mark_retry(delivery, i64::MAX / 2, "later")
                .await
                .expect("retried");
        }
    }
}

/// Every page of the list for `filter`, 500 at a time, in order.
async fn all_pages(store: &ReportStore, filter: &ReportFilter) -> Vec<TeamSummary> {
    let mut all = Vec::new();
    let mut before = None;
    loop {
        let page = store.list(filter, before, 500).await.expect("a page");
        all.extend(page.reports);
        match page.older {
            Some(older) => before = Some(older),
            None => return all,
        }
    }
}

/// The asset-tag numbers of the reports `filter` finds, in the list's order.
async fn numbers(store: &ReportStore, filter: &ReportFilter) -> Vec<u32> {
    all_pages(store, filter)
        .await
        .iter()
        .map(|summary| {
            let form: ReportForm = serde_json::from_str(&summary.form_json).expect("answers");
            form.asset_tag[4..].parse().expect("a number")
        })
        .collect()
}

async fn every_filter_search_count_and_page_holds_at_ten_thousand_reports(store: ReportStore) {
    stored(&store).await;
    let everything = all_pages(&store, &ReportFilter::default()).await;
    assert_eq!(everything.len(), REPORTS as usize, "every report, once");
    let references: Vec<&str> = everything
        .iter()
        .map(|s| s.progress.reference.as_str())
        .collect();
    let mut newest_first = references.clone();
    newest_first.sort_unstable_by(|a, b| b.cmp(a));
    assert_eq!(references, newest_first, "newest first, no gaps or repeats");

    // Counts for each state, whatever state is chosen.
    let counts = StateCounts {
        all: u64::from(REPORTS),
        new: u64::from(REPORTS) - 30,
        acknowledged: 20,
        closed: 10,
        held_back: 5,
    };
    for state in [None, Some(ListState::Closed)] {
        let filter = ReportFilter {
            state,
            ..ReportFilter::default()
        };
        assert_eq!(store.counts(&filter).await.expect("counts"), counts);
    }
    let in_state = |state| ReportFilter {
        state: Some(state),
        ..ReportFilter::default()
    };
    let mut closed = numbers(&store, &in_state(ListState::Closed)).await;
    closed.sort_unstable();
    assert_eq!(closed, (21..=30).collect::<Vec<_>>());
    let mut held = numbers(&store, &in_state(ListState::HeldBack)).await;
    held.sort_unstable();
    assert_eq!(held, (41..=45).collect::<Vec<_>>());
    assert_eq!(
        numbers(&store, &in_state(ListState::Acknowledged))
            .await
            .len(),
        20
    );

    // Kinds and a received-between range, combined.
    let filter = ReportFilter {
        what_happened: Some("stolen".to_owned()),
        device: Some("laptop".to_owned()),
        received_from_ms: Some(FIRST_MS + 999 * MINUTE_MS),
        received_before_ms: Some(FIRST_MS + 2_000 * MINUTE_MS),
        ..ReportFilter::default()
    };
    let mut found = numbers(&store, &filter).await;
    found.sort_unstable();
    let expected: Vec<u32> = (1_000..=2_000)
        .filter(|n| n % 4 == 1 && n % 3 == 0)
        .collect();
    assert_eq!(found, expected);
    let counted = store.counts(&filter).await.expect("counts");
    assert_eq!(counted.all, expected.len() as u64);

    // Free text: any case, anywhere in the searched answers; `%` and `_` only as themselves.
    let text = |text: &str| ReportFilter {
        text: Some(text.to_owned()),
        ..ReportFilter::default()
    };
    assert_eq!(numbers(&store, &text("PERSON1234@example")).await, [1_234]);
    assert_eq!(numbers(&store, &text(" moj-00077 ")).await, [77]);
    let mut tickets = numbers(&store, &text("inc99")).await;
    tickets.sort_unstable();
    assert_eq!(
        tickets,
        [
            990, 9_900, 9_910, 9_920, 9_930, 9_940, 9_950, 9_960, 9_970, 9_980, 9_990
        ]
    );
    let none: [u32; 0] = [];
    assert_eq!(numbers(&store, &text("%")).await, none);
    assert_eq!(numbers(&store, &text("person_1")).await, none);
    assert_eq!(
        numbers(&store, &text("platform 12")).await,
        none,
        "the location is not searched"
    );
    let by_reference = store
        .list(&text(&reference(5_000).to_lowercase()), None, 10)
        .await
        .expect("list");
    assert_eq!(by_reference.reports.len(), 1);
    assert_eq!(by_reference.reports[0].progress.reference, reference(5_000));

    // A page holds still while reports arrive: the next page follows on from the last shown.
    let first = store
        .list(&ReportFilter::default(), None, 100)
        .await
        .expect("a page");
    store.submit(new_report(REPORTS + 1)).await.expect("stored");
    let second = store
        .list(&ReportFilter::default(), first.older, 100)
        .await
        .expect("the next page");
    assert_eq!(
        second.reports[0].progress.reference, references[100],
        "the next page starts where the first ended"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_filter_search_count_and_page_holds_at_ten_thousand_reports_on_sqlite() {
    every_filter_search_count_and_page_holds_at_ten_thousand_reports(common::sqlite().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_filter_search_count_and_page_holds_at_ten_thousand_reports_on_postgres() {
    every_filter_search_count_and_page_holds_at_ten_thousand_reports(common::postgres().await)
        .await;
}

/// Reports stored before the list kept what it finds them by are found once the database is
/// migrated.
async fn reports_stored_before_the_listing_are_found_after_the_migration(
    store: ReportStore,
    database: common::Direct,
) {
    for n in 1..=3 {
        store.submit(new_report(n)).await.expect("stored");
    }
    drop(store);
    database
        .run(
            "DROP TABLE notes;
             ALTER TABLE reports DROP COLUMN owner;
             DROP INDEX reports_received;
             ALTER TABLE reports DROP COLUMN what_happened;
             ALTER TABLE reports DROP COLUMN device;
             ALTER TABLE reports DROP COLUMN search;
             PRAGMA user_version = 5;",
            "DROP TABLE notes;
             ALTER TABLE reports DROP COLUMN owner;
             DELETE FROM schema_history WHERE version = 7;
             DROP INDEX reports_received;
             DROP INDEX reports_search;
             ALTER TABLE reports DROP COLUMN what_happened, DROP COLUMN device, DROP COLUMN search;
             DELETE FROM schema_history WHERE version = 6;",
        )
        .await
        .expect("back to the schema before the listing");
    let store = database.open().await;
    let filter = ReportFilter {
        text: Some("person2@".to_owned()),
        what_happened: Some("hacked-or-compromised".to_owned()),
        device: Some("tablet".to_owned()),
        ..ReportFilter::default()
    };
    assert_eq!(numbers(&store, &filter).await, [2]);
}

#[tokio::test]
async fn reports_stored_before_the_listing_are_found_after_the_migration_on_sqlite() {
    let (store, database) = common::sqlite_direct().await;
    reports_stored_before_the_listing_are_found_after_the_migration(store, database).await;
}

#[tokio::test]
async fn reports_stored_before_the_listing_are_found_after_the_migration_on_postgres() {
    let (store, database) = common::postgres_direct().await;
    reports_stored_before_the_listing_are_found_after_the_migration(store, database).await;
}

#[tokio::test]
async fn postgres_searches_text_anywhere_through_an_index() {
    let (_store, database) = common::postgres_direct().await;
    let common::Direct::Postgres(url) = database else {
        unreachable!("a PostgreSQL database");
    };
    let client = common::connect(&url).await;
    // With few rows a scan is cheaper, so the planner is told to avoid one if it can: it can
    // only if an index serves `LIKE '%…%'`.
    client
        .batch_execute("SET enable_seqscan = off")
        .await
        .expect("set");
    let plan: Vec<String> = client
        .query(
            "EXPLAIN SELECT seq FROM reports r WHERE r.search LIKE '%person12%' ESCAPE '\\'",
            &[],
        )
        .await
        .expect("explain")
        .iter()
        .map(|row| row.get(0))
        .collect();
    assert!(
        plan.iter().any(|line| line.contains("reports_search")),
        "{plan:#?}"
    );
}

/// The kinds of incident and device stay when the answers go; the searched text goes with them.
async fn a_report_whose_answers_were_removed_is_still_counted_by_its_kinds(store: ReportStore) {
    for n in 1..=2 {
        store.submit(new_report(n)).await.expect("stored");
    }
    let due = store
        .claim_due(Claim {
            destinations: vec!["maildir".to_owned()],
            now_ms: FIRST_MS,
            lease_ms: 60_000,
            lease: "test:1".to_owned(),
            limit: 10,
        })
        .await
        .expect("claimed");
    assert_eq!(due.len(), 1, "report 1 is due");
    store
        .mark_delivered(&due[0], FIRST_MS)
        .await
        .expect("delivered");
    assert_eq!(
        store.clear_delivered(FIRST_MS + 1).await.expect("cleared"),
        1
    );

    let kind = ReportFilter {
        what_happened: Some("stolen".to_owned()),
        ..ReportFilter::default()
    };
    let found = store.list(&kind, None, 10).await.expect("list").reports;
    assert_eq!(found.len(), 1, "report 1 is a stolen phone");
    assert_eq!(found[0].form_json, report_store::CLEARED_ANSWERS);
    assert_eq!(found[0].what_happened.as_deref(), Some("stolen"));
    assert_eq!(found[0].device.as_deref(), Some("phone"));
    let by_name = |name: &str| ReportFilter {
        text: Some(name.to_owned()),
        ..ReportFilter::default()
    };
    let none: [u32; 0] = [];
    assert_eq!(
        numbers(&store, &by_name("person1@")).await,
        none,
        "its text went"
    );
    assert_eq!(numbers(&store, &by_name("person2@")).await, [2]);
}

#[tokio::test]
async fn a_report_whose_answers_were_removed_is_still_counted_by_its_kinds_on_sqlite() {
    a_report_whose_answers_were_removed_is_still_counted_by_its_kinds(common::sqlite().await).await;
}

#[tokio::test]
async fn a_report_whose_answers_were_removed_is_still_counted_by_its_kinds_on_postgres() {
    a_report_whose_answers_were_removed_is_still_counted_by_its_kinds(common::postgres().await)
        .await;
}
