//! The store's promises, through its public interface only, run unchanged against both
//! backends (SQLite in memory, and a real PostgreSQL server the tests start): one report per id,
//! the same reference for a repeat, other content refused, and a delivery per destination that is
//! claimed under a lease and finished only by its holder; an audit trail that cannot be changed
//! unseen, even by someone who reaches past the store into the database. Then what only one
//! backend has.

mod common;

use common::Direct;
use incident_report::ReportId;
use incident_report::progress::Outcome;
use report_store::{
    Actor, Alert, AuditAction, AuditCheck, AuditEntry, Changed, Claim, Delivery, ListState, Mark,
    NewReport, PassedOn, PendingSignIn, ReportFilter, ReportStore, Session, StoreError, Submitted,
    TeamState,
};

const RECEIVED_MS: i64 = 1_795_000_000_000;

fn id(byte: u8) -> ReportId {
    ReportId::from_random_bytes([byte; 16])
}

fn report(id: ReportId, fingerprint: &str) -> NewReport {
    NewReport {
        id,
        fingerprint: fingerprint.to_owned(),
        form_json: "{}".to_owned(),
        received_at: "2026-11-28T10:00:00Z".to_owned(),
        received_at_ms: RECEIVED_MS,
        year: 2026,
        destinations: vec!["maildir".to_owned(), "webhook".to_owned()],
    }
}

/// A report with an answer in it (a cleared one keeps `{}`).
fn answered(id: ReportId, fingerprint: &str) -> NewReport {
    NewReport {
        form_json: r#"{"name":"Sam Example"}"#.to_owned(),
        ..report(id, fingerprint)
    }
}

fn created(n: u32) -> Submitted {
    Submitted::Created {
        reference: format!("LD-2026-{n:06}"),
    }
}

fn claim(lease: &str, now_ms: i64) -> Claim {
    Claim {
        destinations: vec!["maildir".to_owned(), "webhook".to_owned()],
        now_ms,
        lease_ms: 30_000,
        lease: lease.to_owned(),
        limit: 10,
    }
}

/// Each shared test, once per backend; those after `direct:` are also given the database
/// itself, to reach past the store (a SQLite file rather than memory).
macro_rules! on_every_backend {
    ($($name:ident),+ $(,)?; direct: $($direct:ident),+ $(,)?) => {
        mod sqlite {
            $(#[tokio::test]
            async fn $name() {
                super::$name(crate::common::sqlite().await).await;
            })+
            $(#[tokio::test]
            async fn $direct() {
                let (store, database) = crate::common::sqlite_direct().await;
                super::$direct(store, database).await;
            })+
        }
        mod postgres {
            $(#[tokio::test]
            async fn $name() {
                super::$name(crate::common::postgres().await).await;
            })+
            $(#[tokio::test]
            async fn $direct() {
                let (store, database) = crate::common::postgres_direct().await;
                super::$direct(store, database).await;
            })+
        }
    };
}

on_every_backend!(
    a_new_report_gets_the_next_reference,
    a_repeat_gets_the_same_reference_and_stores_nothing_new,
    the_same_id_with_other_content_is_refused_and_changes_nothing,
    each_new_report_is_due_once_per_destination_and_a_lease_keeps_it_from_others,
    only_configured_destinations_are_claimed,
    a_delivered_row_is_never_due_again,
    an_expired_lease_lets_another_forwarder_take_the_row_and_the_first_cannot_finish_it,
    a_temporary_failure_is_due_again_later_and_counts_the_attempt,
    a_parked_row_waits_for_an_operator_and_shows_in_the_backlog,
    a_delivered_report_s_answers_are_cleared_after_the_retention_period_and_its_id_still_works,
    the_retention_period_counts_from_the_last_delivery_not_from_receipt,
    a_renewed_lease_keeps_the_row_from_others_until_it_runs_out,
    a_restarted_holder_frees_its_own_leases_and_no_one_else_s,
    a_stored_id_is_found_with_its_reference_and_fingerprint,
    a_report_s_status_follows_its_deliveries_and_the_team,
    two_people_acknowledging_at_once_give_one_acknowledgement_and_two_audit_rows,
    the_team_s_list_is_newest_first_by_state_or_reference,
    a_retried_held_back_delivery_is_due_again_and_audited,
    clearing_the_answers_keeps_the_team_s_state_and_audit_trail,
    a_session_lasts_until_idle_or_too_old_or_ended,
    a_sign_in_is_taken_once_and_not_after_its_limit,
    records_written_at_once_keep_the_audit_trail_intact,
    an_alert_is_raised_once_per_report_and_kind_and_is_not_the_report_s_delivery,
    a_case_is_taken_noted_and_reopened_and_each_step_is_audited,
    erasing_removes_the_personal_details_and_keeps_what_counts;
    direct:
    past_the_bound_a_new_sign_in_ends_the_oldest_of_whoever_began_the_most,
    the_audit_trail_is_intact_until_a_row_is_changed_in_the_database,
    a_row_removed_from_the_middle_of_the_audit_trail_is_found,
    the_migration_chains_the_audit_rows_already_there,
    a_database_behind_its_high_water_mark_is_refused_or_started_above_it_by_choice,
    rows_removed_from_the_newest_end_of_the_audit_trail_are_found_through_the_mark,
);

fn actor(who: &str) -> Actor {
    Actor {
        who: who.to_owned(),
        address: "127.0.0.1".to_owned(),
    }
}

/// Finishes every due delivery of `store`: delivered, or parked for the webhook if `park`.
async fn deliver_all(store: &ReportStore, now_ms: i64, park_webhook: bool) {
    for delivery in store.claim_due(claim("t:1", now_ms)).await.expect("claim") {
        if park_webhook && delivery.destination == "webhook" {
            assert!(
                store
                    .mark_parked(&delivery, "400 Bad Request", None)
                    .await
                    .expect("park")
            );
        } else {
            assert!(store.mark_delivered(&delivery, now_ms).await.expect("mark"));
        }
    }
}

async fn a_report_s_status_follows_its_deliveries_and_the_team(store: ReportStore) {
    assert_eq!(store.status(id(1)).await.expect("status"), None);
    store.submit(report(id(1), "a")).await.expect("stored");
    let status = store.status(id(1)).await.expect("status").expect("found");
    assert_eq!(status.reference, "LD-2026-000001");
    assert_eq!((status.id, status.received_at_ms), (id(1), RECEIVED_MS));
    assert_eq!(status.passed_on, PassedOn::Trying);
    assert_eq!(status.state, TeamState::New);
    deliver_all(&store, RECEIVED_MS + 5, true).await;
    let status = store.status(id(1)).await.expect("status").expect("found");
    assert_eq!(status.passed_on, PassedOn::HeldBack);
    assert_eq!(status.passed_on_at_ms, None);
    assert_eq!(
        store
            .retry_delivery("LD-2026-000001", &actor("a@example.org"), RECEIVED_MS + 6)
            .await
            .expect("retry"),
        Changed::Yes
    );
    deliver_all(&store, RECEIVED_MS + 7, false).await;
    let status = store.status(id(1)).await.expect("status").expect("found");
    assert_eq!(status.passed_on, PassedOn::Delivered);
    assert_eq!(status.passed_on_at_ms, Some(RECEIVED_MS + 7));
    let ack = RECEIVED_MS + 60_000;
    assert_eq!(
        store
            .acknowledge("LD-2026-000001", &actor("a@example.org"), ack)
            .await
            .expect("acknowledge"),
        Changed::Yes
    );
    let status = store.status(id(1)).await.expect("status").expect("found");
    assert_eq!(
        (status.state, status.acknowledged_at_ms),
        (TeamState::Acknowledged, Some(ack))
    );
    let closed = ack + 60_000;
    assert_eq!(
        store
            .close(
                "LD-2026-000001",
                Outcome::Recovered,
                "Found in the office",
                &actor("b@example.org"),
                closed
            )
            .await
            .expect("close"),
        Changed::Yes
    );
    let status = store.status(id(1)).await.expect("status").expect("found");
    assert_eq!(
        (status.state, status.acknowledged_at_ms, status.closed_at_ms),
        (TeamState::Closed, Some(ack), Some(closed))
    );
    assert_eq!(
        store
            .acknowledge("LD-2026-000001", &actor("c@example.org"), closed + 1)
            .await
            .expect("acknowledge"),
        Changed::Already
    );
    assert_eq!(
        store
            .acknowledge("LD-2026-999999", &actor("c@example.org"), closed + 1)
            .await
            .expect("acknowledge"),
        Changed::NoSuchReport
    );
    let page = store
        .team_report("LD-2026-000001")
        .await
        .expect("read")
        .expect("found");
    assert_eq!(page.acknowledged_by.as_deref(), Some("a@example.org"));
    assert_eq!(page.closed_by.as_deref(), Some("b@example.org"));
    assert_eq!(page.outcome, Some(Outcome::Recovered));
    assert_eq!(page.note.as_deref(), Some("Found in the office"));
    let actions: Vec<_> = page.audit.iter().map(|entry| entry.action).collect();
    assert_eq!(
        actions,
        [
            AuditAction::RetriedDelivery,
            AuditAction::Acknowledged,
            AuditAction::Closed,
            AuditAction::AlreadyAcknowledged
        ]
    );
}

async fn two_people_acknowledging_at_once_give_one_acknowledgement_and_two_audit_rows(
    store: ReportStore,
) {
    store.submit(report(id(1), "a")).await.expect("stored");
    let (one, two) = (actor("one@example.org"), actor("two@example.org"));
    let (first, second) = tokio::join!(
        store.acknowledge("LD-2026-000001", &one, RECEIVED_MS + 1),
        store.acknowledge("LD-2026-000001", &two, RECEIVED_MS + 1),
    );
    let mut outcomes = [first.expect("one"), second.expect("two")];
    outcomes.sort_by_key(|changed| *changed == Changed::Already);
    assert_eq!(outcomes, [Changed::Yes, Changed::Already]);
    let page = store
        .team_report("LD-2026-000001")
        .await
        .expect("read")
        .expect("found");
    assert_eq!(page.audit.len(), 2);
    let who: Vec<_> = page
        .audit
        .iter()
        .map(|entry| entry.actor.who.as_str())
        .collect();
    assert!(who.contains(&"one@example.org") && who.contains(&"two@example.org"));
}

async fn an_alert_is_raised_once_per_report_and_kind_and_is_not_the_report_s_delivery(
    store: ReportStore,
) {
    store.submit(report(id(1), "a")).await.expect("stored");
    store.submit(report(id(2), "b")).await.expect("stored");
    let alerts = || {
        let store = store.clone();
        async move {
            store
                .claim_due(Claim {
                    destinations: vec![
                        Alert::HeldBack.destination(),
                        Alert::Unacknowledged.destination(),
                    ],
                    now_ms: RECEIVED_MS + 1_000_000,
                    lease_ms: 1,
                    lease: format!("look:{RECEIVED_MS}"),
                    limit: 10,
                })
                .await
                .expect("claimed")
        }
    };
    // Late: received by `RECEIVED_MS`, within the window; asked twice.
    for _ in 0..2 {
        store
            .raise_unacknowledged(RECEIVED_MS - 1, RECEIVED_MS, RECEIVED_MS)
            .await
            .expect("raised");
    }
    // Received before the window: never.
    assert_eq!(
        store
            .raise_unacknowledged(RECEIVED_MS, RECEIVED_MS + 10, RECEIVED_MS)
            .await
            .expect("none"),
        0
    );
    assert_eq!(alerts().await.len(), 2, "one for each report");
    // Held back twice: one alert, due when asked.
    let due = store
        .claim_due(claim("held", RECEIVED_MS))
        .await
        .expect("claimed");
    let webhook = due
        .iter()
        .find(|d| d.report_id == id(1) && d.destination == "webhook")
        .expect("the webhook's row");
    assert!(
        store
            .mark_parked(webhook, "400", Some(RECEIVED_MS))
            .await
            .expect("parked")
    );
    store.retry_parked(RECEIVED_MS).await.expect("retried");
    let due = store
        .claim_due(claim("again", RECEIVED_MS + 60_000))
        .await
        .expect("claimed");
    let webhook = due
        .iter()
        .find(|d| d.report_id == id(1) && d.destination == "webhook")
        .expect("the webhook's row again");
    store
        .mark_parked(webhook, "400", Some(RECEIVED_MS))
        .await
        .expect("parked");
    let claimed = alerts().await;
    assert_eq!(claimed.len(), 1, "the held-back alert only: {claimed:?}");
    assert_eq!(claimed[0].destination, "alert:held-back");
    // What the phone is told counts the report's deliveries only.
    let status = store.status(id(2)).await.expect("status").expect("there");
    assert_eq!(status.passed_on, PassedOn::Trying);
    let delivered = store
        .claim_due(claim("go", RECEIVED_MS + 120_000))
        .await
        .expect("claimed");
    for delivery in delivered.iter().filter(|d| d.report_id == id(2)) {
        store
            .mark_delivered(delivery, RECEIVED_MS)
            .await
            .expect("delivered");
    }
    let status = store.status(id(2)).await.expect("status").expect("there");
    assert_eq!(
        status.passed_on,
        PassedOn::Delivered,
        "its alert is not one of its deliveries"
    );
}

#[expect(
    clippy::too_many_lines,
    reason = "one case's whole story, step by step"
)]
async fn a_case_is_taken_noted_and_reopened_and_each_step_is_audited(store: ReportStore) {
    store.submit(answered(id(1), "a")).await.expect("stored");
    let reference = "LD-2026-000001";
    let (sam, alex) = (actor("sam@example.org"), actor("alex@example.org"));
    let at = |minutes: i64| RECEIVED_MS + minutes * 60_000;
    assert_eq!(
        store
            .take(reference, Some("sam@example.org"), &sam, at(1))
            .await
            .expect("taken"),
        Changed::Yes
    );
    assert_eq!(
        store
            .take(reference, Some("sam@example.org"), &sam, at(2))
            .await
            .expect("again"),
        Changed::Already
    );
    store
        .add_note(
            reference,
            "Called Sam: laptop left on the train.",
            &sam,
            at(3),
        )
        .await
        .expect("noted");
    store
        .add_note(reference, "BTP reference received.", &alex, at(4))
        .await
        .expect("noted");
    store
        .take(reference, Some("alex@example.org"), &sam, at(5))
        .await
        .expect("handed over");
    assert_eq!(
        store.reopen(reference, &alex, at(6)).await.expect("asked"),
        Changed::Already,
        "not closed"
    );
    store
        .close(reference, Outcome::Recovered, "", &alex, at(7))
        .await
        .expect("closed");
    assert_eq!(
        store
            .reopen(reference, &alex, at(8))
            .await
            .expect("reopened"),
        Changed::Yes
    );
    assert_eq!(
        store
            .take("LD-2026-999999", None, &sam, at(9))
            .await
            .expect("asked"),
        Changed::NoSuchReport
    );

    let report = store
        .team_report(reference)
        .await
        .expect("read")
        .expect("there");
    assert_eq!(report.owner.as_deref(), Some("alex@example.org"));
    assert_eq!(
        report.summary.progress.state,
        TeamState::Acknowledged,
        "seen again, not new"
    );
    assert_eq!(report.outcome, None);
    let notes: Vec<(&str, &str, i64)> = report
        .notes
        .iter()
        .map(|note| (note.who.as_str(), note.text.as_str(), note.at_ms))
        .collect();
    assert_eq!(
        notes,
        [
            (
                "sam@example.org",
                "Called Sam: laptop left on the train.",
                at(3)
            ),
            ("alex@example.org", "BTP reference received.", at(4)),
        ]
    );
    let actions: Vec<(AuditAction, Option<&str>)> = report
        .audit
        .iter()
        .map(|entry| (entry.action, entry.detail.as_deref()))
        .collect();
    assert_eq!(
        actions,
        [
            (AuditAction::OwnerChanged, Some("sam@example.org")),
            (AuditAction::OwnerChanged, Some("sam@example.org")),
            (AuditAction::NoteAdded, None),
            (AuditAction::NoteAdded, None),
            (AuditAction::OwnerChanged, Some("alex@example.org")),
            (AuditAction::NotClosed, None),
            (AuditAction::Closed, Some("recovered")),
            (AuditAction::Reopened, None),
        ],
        "the notes' words are not in the audit trail"
    );
    assert_eq!(
        store.check_audit_trail().await.expect("check"),
        AuditCheck::Intact { rows: 8 }
    );
}

async fn erasing_removes_the_personal_details_and_keeps_what_counts(store: ReportStore) {
    let form = incident_report::ReportForm::example();
    store
        .submit(NewReport {
            form_json: serde_json::to_string(&form).expect("json"),
            ..report(id(1), "a")
        })
        .await
        .expect("stored");
    let reference = "LD-2026-000001";
    let sam = actor("sam@example.org");
    store
        .add_note(reference, "Spoke to Sam Example.", &sam, RECEIVED_MS)
        .await
        .expect("noted");
    store
        .close(
            reference,
            Outcome::AccountsSecured,
            "Sam's manager told.",
            &sam,
            RECEIVED_MS,
        )
        .await
        .expect("closed");
    assert_eq!(
        store
            .erase(reference, "Asked by the reporter", &sam, RECEIVED_MS)
            .await
            .expect("erased"),
        Changed::Yes
    );
    assert_eq!(
        store
            .erase(reference, "Again", &sam, RECEIVED_MS)
            .await
            .expect("asked"),
        Changed::Already
    );
    let report = store
        .team_report(reference)
        .await
        .expect("read")
        .expect("there");
    assert_eq!(report.summary.form_json, report_store::CLEARED_ANSWERS);
    assert_eq!(report.note, None);
    assert_eq!(report.notes, []);
    assert_eq!(
        report.outcome,
        Some(Outcome::AccountsSecured),
        "the outcome stays"
    );
    assert_eq!(report.summary.what_happened.as_deref(), Some("stolen"));
    assert_eq!(report.summary.device.as_deref(), Some("laptop"));
    let found = store
        .list(
            &ReportFilter {
                text: Some(form.name.clone()),
                ..ReportFilter::default()
            },
            None,
            10,
        )
        .await
        .expect("list");
    assert!(found.reports.is_empty(), "not found by the name any more");
    let erased: Vec<(AuditAction, Option<&str>)> = report
        .audit
        .iter()
        .filter(|entry| {
            matches!(
                entry.action,
                AuditAction::Erased | AuditAction::AlreadyErased
            )
        })
        .map(|entry| (entry.action, entry.detail.as_deref()))
        .collect();
    assert_eq!(
        erased,
        [
            (AuditAction::Erased, Some("Asked by the reporter")),
            (AuditAction::AlreadyErased, Some("Again"))
        ]
    );
}

async fn the_team_s_list_is_newest_first_by_state_or_reference(store: ReportStore) {
    for n in 1..=3 {
        store.submit(report(id(n), "a")).await.expect("stored");
    }
    store
        .acknowledge("LD-2026-000002", &actor("a@example.org"), RECEIVED_MS)
        .await
        .expect("acknowledge");
    let references = |state: Option<ListState>, text: Option<&str>, limit: u32| {
        let store = store.clone();
        let filter = ReportFilter {
            state,
            text: text.map(str::to_owned),
            ..ReportFilter::default()
        };
        async move {
            let page = store.list(&filter, None, limit).await.expect("list");
            page.reports
                .into_iter()
                .map(|s| s.progress.reference)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        references(None, None, 10).await,
        ["LD-2026-000003", "LD-2026-000002", "LD-2026-000001"]
    );
    assert_eq!(
        references(Some(ListState::New), None, 10).await,
        ["LD-2026-000003", "LD-2026-000001"]
    );
    assert_eq!(
        references(Some(ListState::Acknowledged), None, 10).await,
        ["LD-2026-000002"]
    );
    assert_eq!(
        references(Some(ListState::Closed), None, 10).await,
        Vec::<String>::new()
    );
    assert_eq!(
        references(None, Some("ld-2026-000001"), 10).await,
        ["LD-2026-000001"]
    );
    assert_eq!(references(None, None, 1).await, ["LD-2026-000003"]);
}

async fn a_retried_held_back_delivery_is_due_again_and_audited(store: ReportStore) {
    store.submit(report(id(1), "a")).await.expect("stored");
    assert_eq!(
        store
            .retry_delivery("LD-2026-000001", &actor("a@example.org"), RECEIVED_MS)
            .await
            .expect("retry"),
        Changed::Already,
        "nothing is held back yet"
    );
    deliver_all(&store, RECEIVED_MS, true).await;
    let parked = store
        .claim_due(claim("t:2", RECEIVED_MS + 10))
        .await
        .expect("claim");
    assert!(parked.is_empty(), "{parked:?}");
    store
        .retry_delivery("LD-2026-000001", &actor("a@example.org"), RECEIVED_MS + 20)
        .await
        .expect("retry");
    let due = store
        .claim_due(claim("t:3", RECEIVED_MS + 20))
        .await
        .expect("claim");
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].destination, "webhook");
    let page = store
        .team_report("LD-2026-000001")
        .await
        .expect("read")
        .expect("found");
    let details: Vec<_> = page
        .audit
        .iter()
        .map(|entry| entry.detail.as_deref())
        .collect();
    assert_eq!(details, [Some("nothing was held back"), Some("webhook")]);
}

async fn clearing_the_answers_keeps_the_team_s_state_and_audit_trail(store: ReportStore) {
    let new = NewReport {
        form_json: r#"{"name":"Ada"}"#.to_owned(),
        ..report(id(1), "a")
    };
    store.submit(new).await.expect("stored");
    deliver_all(&store, RECEIVED_MS, false).await;
    store
        .close(
            "LD-2026-000001",
            Outcome::Recovered,
            "Ada's bag",
            &actor("a@example.org"),
            RECEIVED_MS,
        )
        .await
        .expect("close");
    assert_eq!(
        store.clear_delivered(RECEIVED_MS + 1).await.expect("clear"),
        1
    );
    let page = store
        .team_report("LD-2026-000001")
        .await
        .expect("read")
        .expect("found");
    assert_eq!(page.summary.form_json, report_store::CLEARED_ANSWERS);
    assert_eq!(page.note, None, "the team's note may name the person too");
    assert_eq!(page.outcome, Some(Outcome::Recovered));
    assert_eq!(page.summary.progress.state, TeamState::Closed);
    assert_eq!(page.audit.len(), 1);
}

fn session(token_hash: &str, at_ms: i64) -> Session {
    Session {
        token_hash: token_hash.to_owned(),
        email: "a@example.org".to_owned(),
        name: "A Person".to_owned(),
        csrf: "csrf".to_owned(),
        id_token: Some("id.token".to_owned()),
        created_at_ms: at_ms,
        last_seen_ms: at_ms,
    }
}

async fn a_session_lasts_until_idle_or_too_old_or_ended(store: ReportStore) {
    const IDLE: i64 = 30 * 60_000;
    const ABSOLUTE: i64 = 8 * 60 * 60_000;
    let start = RECEIVED_MS;
    store
        .begin_session(&session("h1", start))
        .await
        .expect("begin");
    store
        .begin_session(&session("h2", start))
        .await
        .expect("begin");
    store
        .begin_session(&session("h3", start))
        .await
        .expect("begin");
    assert_eq!(
        store
            .touch_session("nope", start, IDLE, ABSOLUTE)
            .await
            .expect("touch"),
        None
    );
    // Seen every 20 minutes, h1 lives until its absolute limit.
    let mut now = start;
    while now + 20 * 60_000 < start + ABSOLUTE {
        now += 20 * 60_000;
        let seen = store
            .touch_session("h1", now, IDLE, ABSOLUTE)
            .await
            .expect("touch");
        assert_eq!(seen.map(|s| s.last_seen_ms), Some(now));
    }
    assert_eq!(
        store
            .touch_session("h1", start + ABSOLUTE, IDLE, ABSOLUTE)
            .await
            .expect("touch"),
        None
    );
    // Not seen for 30 minutes, h2 has ended.
    assert_eq!(
        store
            .touch_session("h2", start + IDLE, IDLE, ABSOLUTE)
            .await
            .expect("touch"),
        None
    );
    let ended = store
        .end_session("h3")
        .await
        .expect("end")
        .expect("was there");
    assert_eq!(ended.id_token.as_deref(), Some("id.token"));
    assert_eq!(
        store
            .touch_session("h3", start + 1, IDLE, ABSOLUTE)
            .await
            .expect("touch"),
        None
    );
    assert_eq!(
        store
            .forget_sessions(start + ABSOLUTE, IDLE, ABSOLUTE)
            .await
            .expect("forget"),
        2
    );
}

async fn a_sign_in_is_taken_once_and_not_after_its_limit(store: ReportStore) {
    let sign_in = |state: &str| PendingSignIn {
        state: state.to_owned(),
        verifier: "verifier".to_owned(),
        nonce: "nonce".to_owned(),
        return_to: "/team".to_owned(),
        created_at_ms: RECEIVED_MS,
        started_by: "192.0.2.1".to_owned(),
    };
    store.begin_sign_in(&sign_in("s1")).await.expect("begin");
    store.begin_sign_in(&sign_in("s2")).await.expect("begin");
    assert_eq!(
        store
            .take_sign_in("s1", RECEIVED_MS + 1)
            .await
            .expect("take"),
        Some(sign_in("s1"))
    );
    assert_eq!(
        store
            .take_sign_in("s1", RECEIVED_MS + 1)
            .await
            .expect("take"),
        None
    );
    let late = RECEIVED_MS + report_store::SIGN_IN_LIMIT_MS;
    assert_eq!(store.take_sign_in("s2", late).await.expect("take"), None);
}

async fn past_the_bound_a_new_sign_in_ends_the_oldest_of_whoever_began_the_most(
    store: ReportStore,
    database: Direct,
) {
    const FLOOD: &str = "203.0.113.7";
    let sign_in = |n: i64| PendingSignIn {
        state: format!("s{n}"),
        verifier: "verifier".to_owned(),
        nonce: "nonce".to_owned(),
        return_to: "/team".to_owned(),
        created_at_ms: RECEIVED_MS + n,
        started_by: FLOOD.to_owned(),
    };
    let bound = report_store::MAX_PENDING_SIGN_INS;
    // A flood from one address: all but two below the bound at once (one by one, PostgreSQL's
    // durable commits take seconds), then through the store.
    database
        .run_on_both(&format!(
            "WITH RECURSIVE n (i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < {last})
             INSERT INTO sign_ins (state, verifier, nonce, return_to, created_at, started_by)
             SELECT 's' || i, 'verifier', 'nonce', '/team', {RECEIVED_MS} + i, '{FLOOD}' FROM n",
            last = bound - 3
        ))
        .await
        .expect("sign-ins begun");
    // A team member's one sign-in, older than most of the flood.
    let member = PendingSignIn {
        state: "member".to_owned(),
        started_by: "192.0.2.1".to_owned(),
        ..sign_in(5)
    };
    store.begin_sign_in(&member).await.expect("begin");
    let count = "SELECT COUNT(*) FROM sign_ins";
    store
        .begin_sign_in(&sign_in(bound - 1))
        .await
        .expect("begin");
    assert_eq!(database.number(count).await, bound, "up to the bound");
    store.begin_sign_in(&sign_in(bound)).await.expect("begin");
    assert_eq!(database.number(count).await, bound, "never past it");
    let now = RECEIVED_MS + bound + 1;
    assert_eq!(
        store.take_sign_in("s0", now).await.expect("take"),
        None,
        "the flood's oldest was ended"
    );
    assert_eq!(
        store.take_sign_in("member", now).await.expect("take"),
        Some(member),
        "the member's sign-in outlives the flood"
    );
    for n in [1, bound / 2, bound] {
        assert_eq!(
            store
                .take_sign_in(&format!("s{n}"), now)
                .await
                .expect("take"),
            Some(sign_in(n)),
            "the flood's newest are kept"
        );
    }
    // Back up to the bound, then a sign-in whose clock is behind (the oldest by its time): it is
    // still the newest begun, never the one ended.
    for n in 1..=4 {
        store
            .begin_sign_in(&sign_in(bound + n))
            .await
            .expect("begin");
    }
    assert_eq!(database.number(count).await, bound);
    let behind = PendingSignIn {
        created_at_ms: RECEIVED_MS - 1,
        ..sign_in(bound + 5)
    };
    store.begin_sign_in(&behind).await.expect("begin");
    assert_eq!(database.number(count).await, bound);
    assert_eq!(
        store.take_sign_in(&behind.state, now).await.expect("take"),
        Some(behind)
    );
    assert_eq!(store.take_sign_in("s2", now).await.expect("take"), None);
}

/// Writes an audit row of every kind a store writes: plain records, and the rows written with an
/// acknowledgement, a close and a retry, in their transactions. Returns how many rows.
async fn write_audit_rows(store: &ReportStore) -> u64 {
    store.submit(report(id(1), "a")).await.expect("stored");
    let entry = |who: &str, action: AuditAction, at_ms: i64| AuditEntry {
        at_ms,
        actor: actor(who),
        action,
        report: None,
        detail: None,
    };
    store
        .record(&entry("a@example.org", AuditAction::SignedIn, RECEIVED_MS))
        .await
        .expect("record");
    store
        .record(&AuditEntry {
            report: Some(id(1)),
            ..entry("a@example.org", AuditAction::Viewed, RECEIVED_MS + 1)
        })
        .await
        .expect("record");
    let reference = "LD-2026-000001";
    let (a, b) = (actor("a@example.org"), actor("b@example.org"));
    store
        .acknowledge(reference, &a, RECEIVED_MS + 2)
        .await
        .expect("acknowledge");
    store
        .acknowledge(reference, &b, RECEIVED_MS + 3)
        .await
        .expect("acknowledge");
    store
        .retry_delivery(reference, &b, RECEIVED_MS + 4)
        .await
        .expect("retry");
    store
        .close(reference, Outcome::Recovered, "", &b, RECEIVED_MS + 5)
        .await
        .expect("close");
    store
        .record(&entry(
            "b@example.org",
            AuditAction::SignedOut,
            RECEIVED_MS + 6,
        ))
        .await
        .expect("record");
    7
}

/// The seq of the `n`th audit row (from 0), read from the database.
async fn seq_of_row(database: &Direct, n: u32) -> i64 {
    database
        .number(&format!(
            "SELECT seq FROM audit ORDER BY seq LIMIT 1 OFFSET {n}"
        ))
        .await
}

async fn the_audit_trail_is_intact_until_a_row_is_changed_in_the_database(
    store: ReportStore,
    database: Direct,
) {
    assert_eq!(
        store.check_audit_trail().await.expect("check"),
        AuditCheck::Intact { rows: 0 }
    );
    let rows = write_audit_rows(&store).await;
    assert_eq!(
        store.check_audit_trail().await.expect("check"),
        AuditCheck::Intact { rows }
    );
    let changed = seq_of_row(&database, 3).await;
    let rewrite = format!("UPDATE audit SET who = 'someone@example.org' WHERE seq = {changed}");
    assert!(
        database.run_on_both(&rewrite).await.is_err(),
        "the trigger refuses"
    );
    // Someone with the schema owner's rights drops the trigger first.
    database
        .run(
            &format!("DROP TRIGGER audit_is_not_changed; {rewrite}"),
            &format!("DROP TRIGGER audit_is_append_only ON audit; {rewrite}"),
        )
        .await
        .expect("rewrite a row");
    assert_eq!(
        store.check_audit_trail().await.expect("check"),
        AuditCheck::ChangedAt { seq: changed }
    );
}

async fn a_row_removed_from_the_middle_of_the_audit_trail_is_found(
    store: ReportStore,
    database: Direct,
) {
    write_audit_rows(&store).await;
    let (removed, next) = (
        seq_of_row(&database, 2).await,
        seq_of_row(&database, 3).await,
    );
    let remove = format!("DELETE FROM audit WHERE seq = {removed}");
    database
        .run(
            &format!("DROP TRIGGER audit_is_not_deleted; {remove}"),
            &format!("DROP TRIGGER audit_is_append_only ON audit; {remove}"),
        )
        .await
        .expect("remove a row");
    assert_eq!(
        store.check_audit_trail().await.expect("check"),
        AuditCheck::ChangedAt { seq: next }
    );
}

async fn the_migration_chains_the_audit_rows_already_there(store: ReportStore, database: Direct) {
    store.submit(report(id(1), "a")).await.expect("stored");
    drop(store);
    // Take the database back to the schema before chains (undoing exactly what that migration
    // adds: were anything left, running it again would fail), and write the rows a server of
    // that version wrote.
    let rows = "INSERT INTO audit (at, who, address, action, report_id, detail) VALUES
        (1, 'a@example.org', '127.0.0.1', 'signed_in', NULL, NULL),
        (2, 'a@example.org', '127.0.0.1', 'viewed', '01010101-0101-4101-8101-010101010101', NULL),
        (3, 'b@example.org', '127.0.0.1', 'closed', '01010101-0101-4101-8101-010101010101', 'x');";
    assert_eq!(id(1).to_string(), "01010101-0101-4101-8101-010101010101");
    database
        .run(
            &format!(
                "DROP TABLE notes;
                 ALTER TABLE reports DROP COLUMN owner;
                 DROP INDEX reports_received;
                 ALTER TABLE reports DROP COLUMN what_happened;
                 ALTER TABLE reports DROP COLUMN device;
                 ALTER TABLE reports DROP COLUMN search;
                 ALTER TABLE sign_ins DROP COLUMN started_by;
                 DROP TRIGGER audit_is_not_replaced;
                 ALTER TABLE audit DROP COLUMN chain;
                 PRAGMA user_version = 3;
                 {rows}"
            ),
            &format!(
                "DROP TABLE notes;
                 ALTER TABLE reports DROP COLUMN owner;
                 DELETE FROM schema_history WHERE version = 7;
                 DROP INDEX reports_received;
                 DROP INDEX reports_search;
                 ALTER TABLE reports DROP COLUMN what_happened, DROP COLUMN device, DROP COLUMN search;
                 DELETE FROM schema_history WHERE version = 6;
                 ALTER TABLE sign_ins DROP COLUMN started_by;
                 DELETE FROM schema_history WHERE version = 5;
                 DROP TRIGGER audit_is_not_truncated ON audit;
                 ALTER TABLE audit DROP COLUMN chain;
                 DELETE FROM schema_history WHERE version = 4;
                 {rows}"
            ),
        )
        .await
        .expect("back to the schema before chains");
    let store = database.open().await;
    assert_eq!(
        store.check_audit_trail().await.expect("check"),
        AuditCheck::Intact { rows: 3 }
    );
    store
        .acknowledge("LD-2026-000001", &actor("c@example.org"), RECEIVED_MS)
        .await
        .expect("acknowledge");
    assert_eq!(
        store.check_audit_trail().await.expect("check"),
        AuditCheck::Intact { rows: 4 },
        "new rows follow the chained ones"
    );
    assert!(
        database
            .run_on_both("UPDATE audit SET who = 'someone@example.org'")
            .await
            .is_err(),
        "the trail refuses changes again after the migration"
    );
}

async fn records_written_at_once_keep_the_audit_trail_intact(store: ReportStore) {
    let entry = |n: i64| AuditEntry {
        at_ms: RECEIVED_MS + n,
        actor: actor("a@example.org"),
        action: AuditAction::SignedIn,
        report: None,
        detail: Some(n.to_string()),
    };
    let writer = |from: i64| {
        let store = store.clone();
        tokio::spawn(async move {
            for n in from..from + 20 {
                store.record(&entry(n)).await.expect("record");
            }
        })
    };
    let writers = [writer(0), writer(100), writer(200), writer(300)];
    for writer in writers {
        writer.await.expect("writer");
    }
    assert_eq!(
        store.check_audit_trail().await.expect("check"),
        AuditCheck::Intact { rows: 80 }
    );
}

async fn a_renewed_lease_keeps_the_row_from_others_until_it_runs_out(store: ReportStore) {
    store.submit(report(id(1), "a")).await.expect("stored");
    let mine = store
        .claim_due(claim("a:1", RECEIVED_MS))
        .await
        .expect("claim");
    assert_eq!(mine.len(), 2);
    // The 30 s lease would run out at +30 s; renewed until +90 s, nobody takes the rows at +60 s.
    for delivery in &mine {
        assert!(
            store
                .renew_lease(delivery, RECEIVED_MS + 90_000)
                .await
                .expect("renew")
        );
    }
    let later = store
        .claim_due(claim("b:1", RECEIVED_MS + 60_000))
        .await
        .expect("claim");
    assert!(later.is_empty(), "{later:?}");
    let after = store
        .claim_due(claim("b:2", RECEIVED_MS + 90_000))
        .await
        .expect("claim");
    assert_eq!(after.len(), 2);
    // A lease another holder has taken cannot be renewed by the one who lost it.
    assert!(
        !store
            .renew_lease(&mine[0], RECEIVED_MS + 200_000)
            .await
            .expect("renew")
    );
}

async fn a_restarted_holder_frees_its_own_leases_and_no_one_else_s(store: ReportStore) {
    store.submit(report(id(1), "a")).await.expect("stored");
    let mut claim_one = claim("instance-a:1", RECEIVED_MS);
    claim_one.limit = 1;
    assert_eq!(store.claim_due(claim_one).await.expect("claim").len(), 1);
    let mut claim_other = claim("instance-b:1", RECEIVED_MS);
    claim_other.limit = 1;
    assert_eq!(store.claim_due(claim_other).await.expect("claim").len(), 1);
    // "instance" alone is not a holder of either: only `holder:` prefixes match.
    assert_eq!(store.release_leases("instance").await.expect("release"), 0);
    assert_eq!(
        store.release_leases("instance-a").await.expect("release"),
        1
    );
    let due = store
        .claim_due(claim("instance-a:2", RECEIVED_MS + 1))
        .await
        .expect("claim");
    assert_eq!(
        due.len(),
        1,
        "instance-a's row is due at once, not after its lease"
    );
}

async fn a_stored_id_is_found_with_its_reference_and_fingerprint(store: ReportStore) {
    assert_eq!(store.find(id(1)).await.expect("find"), None);
    store.submit(report(id(1), "fp")).await.expect("stored");
    let known = store.find(id(1)).await.expect("find").expect("known");
    assert_eq!(
        (known.reference.as_str(), known.fingerprint.as_str()),
        ("LD-2026-000001", "fp")
    );
}

async fn a_new_report_gets_the_next_reference(store: ReportStore) {
    assert_eq!(
        store.submit(report(id(1), "a")).await.expect("ok"),
        created(1)
    );
    assert_eq!(
        store.submit(report(id(2), "b")).await.expect("ok"),
        created(2)
    );
}

async fn a_repeat_gets_the_same_reference_and_stores_nothing_new(store: ReportStore) {
    store.submit(report(id(1), "a")).await.expect("ok");
    assert_eq!(
        store.submit(report(id(1), "a")).await.expect("ok"),
        Submitted::Repeat {
            reference: "LD-2026-000001".into()
        }
    );
    assert_eq!(store.count().await.expect("count"), 1);
    assert_eq!(store.backlog().await.expect("backlog").undelivered, 2);
}

async fn the_same_id_with_other_content_is_refused_and_changes_nothing(store: ReportStore) {
    store.submit(report(id(1), "a")).await.expect("ok");
    assert_eq!(
        store.submit(report(id(1), "b")).await.expect("ok"),
        Submitted::Mismatch
    );
    assert_eq!(store.count().await.expect("count"), 1);
    assert_eq!(store.backlog().await.expect("backlog").undelivered, 2);
}

async fn each_new_report_is_due_once_per_destination_and_a_lease_keeps_it_from_others(
    store: ReportStore,
) {
    store.submit(report(id(1), "a")).await.expect("ok");
    let mine = store
        .claim_due(claim("mine", RECEIVED_MS))
        .await
        .expect("claim");
    let destinations: Vec<&str> = mine.iter().map(|d| d.destination.as_str()).collect();
    assert_eq!(destinations, ["maildir", "webhook"]);
    let theirs = store
        .claim_due(claim("theirs", RECEIVED_MS + 1_000))
        .await
        .expect("claim");
    assert!(theirs.is_empty(), "held by an unexpired lease");
}

async fn only_configured_destinations_are_claimed(store: ReportStore) {
    store.submit(report(id(1), "a")).await.expect("ok");
    let mut only_mail = claim("mine", RECEIVED_MS);
    only_mail.destinations = vec!["maildir".to_owned()];
    let due = store.claim_due(only_mail).await.expect("claim");
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].destination, "maildir");
}

async fn a_delivered_row_is_never_due_again(store: ReportStore) {
    store.submit(report(id(1), "a")).await.expect("ok");
    for delivery in store
        .claim_due(claim("mine", RECEIVED_MS))
        .await
        .expect("claim")
    {
        assert!(
            store
                .mark_delivered(&delivery, RECEIVED_MS)
                .await
                .expect("mark")
        );
    }
    let later = store
        .claim_due(claim("later", RECEIVED_MS + 3_600_000))
        .await
        .expect("claim");
    assert_eq!(later.len(), 0);
    assert_eq!(store.backlog().await.expect("backlog").undelivered, 0);
}

async fn an_expired_lease_lets_another_forwarder_take_the_row_and_the_first_cannot_finish_it(
    store: ReportStore,
) {
    store.submit(report(id(1), "a")).await.expect("ok");
    let first: Vec<Delivery> = store
        .claim_due(claim("first", RECEIVED_MS))
        .await
        .expect("claim");
    let second = store
        .claim_due(claim("second", RECEIVED_MS + 30_000))
        .await
        .expect("claim after the lease");
    assert_eq!(second.len(), 2);
    assert!(
        !store
            .mark_delivered(&first[0], RECEIVED_MS)
            .await
            .expect("mark")
    );
    assert!(
        store
            .mark_delivered(&second[0], RECEIVED_MS)
            .await
            .expect("mark")
    );
}

async fn a_temporary_failure_is_due_again_later_and_counts_the_attempt(store: ReportStore) {
    store.submit(report(id(1), "a")).await.expect("ok");
    let due = store
        .claim_due(claim("mine", RECEIVED_MS))
        .await
        .expect("claim");
    let retry_at = RECEIVED_MS + 5_000;
    assert!(
        store
            .mark_retry(&due[0], retry_at, "connection refused")
            .await
            .expect("mark")
    );
    let early = store
        .claim_due(claim("early", retry_at - 1))
        .await
        .expect("claim");
    assert!(early.iter().all(|d| d.destination != due[0].destination));
    let again = store
        .claim_due(claim("again", retry_at))
        .await
        .expect("claim");
    let again: Vec<&Delivery> = again
        .iter()
        .filter(|d| d.destination == due[0].destination)
        .collect();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].attempts, 1);
}

async fn a_parked_row_waits_for_an_operator_and_shows_in_the_backlog(store: ReportStore) {
    store.submit(report(id(1), "a")).await.expect("ok");
    let due = store
        .claim_due(claim("mine", RECEIVED_MS))
        .await
        .expect("claim");
    assert!(
        store
            .mark_parked(&due[0], "550 mailbox unknown", None)
            .await
            .expect("park")
    );
    let backlog = store.backlog().await.expect("backlog");
    assert_eq!((backlog.undelivered, backlog.parked), (2, 1));
    assert_eq!(backlog.oldest_ms, Some(RECEIVED_MS));
    assert_eq!(backlog.parked_error.as_deref(), Some("550 mailbox unknown"));
    let much_later = RECEIVED_MS + 86_400_000;
    let later = store
        .claim_due(claim("later", much_later))
        .await
        .expect("claim");
    assert!(
        later.iter().all(|d| d.destination != due[0].destination),
        "parked rows wait"
    );
    assert_eq!(store.retry_parked(much_later).await.expect("retry"), 1);
    let fixed = store
        .claim_due(claim("fixed", much_later))
        .await
        .expect("claim");
    assert!(fixed.iter().any(|d| d.destination == due[0].destination));
}

async fn a_delivered_report_s_answers_are_cleared_after_the_retention_period_and_its_id_still_works(
    store: ReportStore,
) {
    let with_answers = answered(id(1), "a");
    store.submit(with_answers.clone()).await.expect("ok");
    store.submit(report(id(2), "b")).await.expect("ok");
    for delivery in store
        .claim_due(claim("mine", RECEIVED_MS))
        .await
        .expect("claim")
    {
        if delivery.report_id == id(1) {
            assert!(
                store
                    .mark_delivered(&delivery, RECEIVED_MS)
                    .await
                    .expect("mark")
            );
        }
    }
    assert_eq!(
        store.clear_delivered(RECEIVED_MS).await.expect("clear"),
        0,
        "not older yet"
    );
    assert_eq!(
        store.clear_delivered(RECEIVED_MS + 1).await.expect("clear"),
        1,
        "only the delivered one"
    );
    assert_eq!(
        store.clear_delivered(RECEIVED_MS + 1).await.expect("clear"),
        0,
        "once"
    );
    assert_eq!(
        store.submit(with_answers).await.expect("ok"),
        Submitted::Repeat {
            reference: "LD-2026-000001".into()
        },
        "a late repeat still gets its reference"
    );
}

async fn the_retention_period_counts_from_the_last_delivery_not_from_receipt(store: ReportStore) {
    const DAY: i64 = 24 * 60 * 60 * 1000;
    store.submit(answered(id(1), "a")).await.expect("ok");
    let due = store
        .claim_due(claim("mine", RECEIVED_MS))
        .await
        .expect("claim");
    // One destination takes it at once, the other ten days later.
    assert!(
        store
            .mark_delivered(&due[0], RECEIVED_MS)
            .await
            .expect("mark")
    );
    assert!(
        store
            .mark_delivered(&due[1], RECEIVED_MS + 10 * DAY)
            .await
            .expect("mark")
    );
    assert_eq!(
        store
            .clear_delivered(RECEIVED_MS + 9 * DAY)
            .await
            .expect("clear"),
        0,
        "received long enough ago, but passed on to the last destination only later"
    );
    assert_eq!(
        store
            .clear_delivered(RECEIVED_MS + 10 * DAY + 1)
            .await
            .expect("clear"),
        1
    );
}

// SQLite only: a file on disk.

#[tokio::test]
async fn reports_and_deliveries_survive_reopening_the_database() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("reports.sqlite3");
    let first = ReportStore::open_sqlite(&path).expect("open");
    first.submit(report(id(1), "a")).await.expect("ok");
    drop(first);
    let again = ReportStore::open_sqlite(&path).expect("reopen");
    assert_eq!(again.count().await.expect("count"), 1);
    let due = again
        .claim_due(claim("x", RECEIVED_MS))
        .await
        .expect("claim");
    assert_eq!(due.len(), 2);
    assert_eq!(due[0].reference, "LD-2026-000001");
}

#[tokio::test]
async fn a_backup_taken_while_in_use_is_a_private_working_copy() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = tempfile::tempdir().expect("dir");
    let store = ReportStore::open_sqlite(&dir.path().join("reports.sqlite3")).expect("open");
    store.submit(report(id(1), "a")).await.expect("ok");
    let copy = dir.path().join("backup.sqlite3");
    store.back_up(&copy).await.expect("backup");
    assert_eq!(
        std::fs::metadata(&copy).expect("copy").permissions().mode() & 0o777,
        0o600
    );
    let restored = ReportStore::open_sqlite(&copy).expect("open the copy");
    assert_eq!(restored.count().await.expect("count"), 1);
    assert!(
        store.back_up(&copy).await.is_err(),
        "never over an existing file"
    );
}

#[tokio::test]
async fn the_database_files_are_private_to_this_user() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("reports.sqlite3");
    let store = ReportStore::open_sqlite(&path).expect("open");
    store.submit(report(id(1), "a")).await.expect("ok");
    for name in [
        "reports.sqlite3",
        "reports.sqlite3-wal",
        "reports.sqlite3-shm",
    ] {
        let mode = std::fs::metadata(dir.path().join(name))
            .expect(name)
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "{name}");
    }
}

#[tokio::test]
async fn an_audit_row_cannot_be_replaced() {
    let (store, database) = common::sqlite_direct().await;
    let rows = write_audit_rows(&store).await;
    let first = seq_of_row(&database, 0).await;
    for verb in ["INSERT OR REPLACE", "REPLACE"] {
        let error = database
            .run_on_both(&format!(
                "{verb} INTO audit (seq, at, who, address, action)
                 VALUES ({first}, 0, 'someone@example.org', '127.0.0.1', 'viewed')"
            ))
            .await
            .expect_err("refused");
        assert!(error.contains("append-only"), "{verb}: {error}");
    }
    assert_eq!(
        store.check_audit_trail().await.expect("check"),
        AuditCheck::Intact { rows }
    );
}

#[tokio::test]
async fn a_database_from_a_newer_server_is_refused() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("reports.sqlite3");
    rusqlite::Connection::open(&path)
        .expect("open")
        .pragma_update(None, "user_version", 99)
        .expect("set");
    let error = ReportStore::open_sqlite(&path).expect_err("newer");
    assert!(error.to_string().contains("schema version 99"), "{error}");
}

// PostgreSQL only: several instances on one database.

#[tokio::test]
async fn two_instances_starting_at_once_migrate_the_database_once() {
    let url = common::postgres_database().await;
    let (first, second) = tokio::join!(
        ReportStore::open_postgres(&url),
        ReportStore::open_postgres(&url)
    );
    let (first, second) = (first.expect("first"), second.expect("second"));
    assert_eq!(
        first.submit(report(id(1), "a")).await.expect("ok"),
        created(1)
    );
    assert_eq!(
        second.submit(report(id(2), "b")).await.expect("ok"),
        created(2)
    );
    assert_eq!(
        second.submit(report(id(1), "a")).await.expect("ok"),
        Submitted::Repeat {
            reference: "LD-2026-000001".into()
        },
        "one database behind both"
    );
    // Each migration was applied once: one row per version, none twice.
    let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
        .await
        .expect("connect");
    tokio::spawn(connection);
    let rows = client
        .query(
            "SELECT version, COUNT(*) FROM schema_history GROUP BY version ORDER BY version",
            &[],
        )
        .await
        .expect("versions");
    assert!(!rows.is_empty());
    for (n, row) in rows.iter().enumerate() {
        let (version, applied): (i32, i64) = (row.get(0), row.get(1));
        assert_eq!(
            (i64::from(version), applied),
            (i64::try_from(n).expect("small") + 1, 1),
            "migration {version}"
        );
    }
}

#[tokio::test]
async fn a_database_an_older_server_numbered_is_renumbered_once_and_migrated_on() {
    let (store, database) = common::postgres_direct().await;
    store.submit(report(id(1), "a")).await.expect("stored");
    drop(store);
    // As an older server left it, at its version 3 (this history's 4: before sign-ins had a
    // starter): its versions were one lower, the first holding both reports and deliveries.
    database
        .run(
            "",
            "DROP TABLE schema_history;
             DROP TABLE notes;
             ALTER TABLE reports DROP COLUMN owner;
             DROP INDEX reports_received;
             DROP INDEX reports_search;
             ALTER TABLE reports DROP COLUMN what_happened, DROP COLUMN device, DROP COLUMN search;
             DELETE FROM schema_version;
             INSERT INTO schema_version (version) VALUES (1), (2), (3);
             ALTER TABLE sign_ins DROP COLUMN started_by;",
        )
        .await
        .expect("back to the older numbering");
    let store = database.open().await;
    assert_eq!(
        store.submit(report(id(1), "a")).await.expect("ok"),
        Submitted::Repeat {
            reference: "LD-2026-000001".into()
        },
        "the report is still there"
    );
    assert_eq!(
        database
            .number(
                "SELECT COUNT(*) FROM information_schema.columns WHERE column_name = 'started_by'"
            )
            .await,
        1,
        "version 5 ran"
    );
    assert_eq!(
        database
            .number("SELECT CAST(string_agg(version::text, '' ORDER BY version) AS BIGINT) FROM schema_history")
            .await,
        1_234_567
    );
    assert_eq!(
        database
            .number("SELECT CAST(MAX(version) AS BIGINT) FROM schema_version")
            .await,
        6,
        "an older server reads its own numbering"
    );
    drop(store);
    database.open().await;
    assert_eq!(
        database.number("SELECT COUNT(*) FROM schema_history").await,
        7,
        "renumbered once"
    );
}

#[tokio::test]
async fn the_audit_trail_is_never_truncated_not_even_with_the_reports() {
    let (store, database) = common::postgres_direct().await;
    let rows = write_audit_rows(&store).await;
    for truncate in ["TRUNCATE audit", "TRUNCATE reports CASCADE"] {
        let error = database.run("", truncate).await.expect_err("refused");
        assert!(error.contains("append-only"), "{truncate}: {error}");
    }
    assert_eq!(store.count().await.expect("count"), 1);
    assert_eq!(
        store.check_audit_trail().await.expect("check"),
        AuditCheck::Intact { rows }
    );
}

#[tokio::test]
async fn instances_recording_at_once_keep_one_audit_chain() {
    let url = common::postgres_database().await;
    let first = ReportStore::open_postgres(&url).await.expect("first");
    let second = ReportStore::open_postgres(&url).await.expect("second");
    let entry = |n: i64| AuditEntry {
        at_ms: RECEIVED_MS + n,
        actor: actor("a@example.org"),
        action: AuditAction::Viewed,
        report: None,
        detail: None,
    };
    let write = |store: ReportStore, from: i64| async move {
        for n in from..from + 30 {
            store.record(&entry(n)).await.expect("record");
        }
    };
    tokio::join!(write(first.clone(), 0), write(second.clone(), 100));
    for store in [first, second] {
        assert_eq!(
            store.check_audit_trail().await.expect("check"),
            AuditCheck::Intact { rows: 60 }
        );
    }
}

#[tokio::test]
async fn a_report_being_stored_by_another_instance_is_in_progress() {
    let url = common::postgres_database().await;
    let store = ReportStore::open_postgres(&url).await.expect("store");
    // Another instance, in the middle of storing report 1, holds its lock.
    let (mut other, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
        .await
        .expect("connect");
    tokio::spawn(connection);
    let storing = other.transaction().await.expect("begin");
    storing
        .execute(
            "SELECT pg_advisory_xact_lock(19524, hashtext($1))",
            &[&id(1).to_string()],
        )
        .await
        .expect("lock");
    assert_eq!(
        store.submit(report(id(1), "a")).await.expect("ok"),
        Submitted::InProgress
    );
    storing.commit().await.expect("done");
    assert_eq!(
        store.submit(report(id(1), "a")).await.expect("ok"),
        created(1)
    );
}

#[tokio::test]
async fn instances_claiming_together_never_take_the_same_delivery() {
    let url = common::postgres_database().await;
    let first = ReportStore::open_postgres(&url).await.expect("first");
    let second = ReportStore::open_postgres(&url).await.expect("second");
    for n in 1..=20 {
        first.submit(report(id(n), "a")).await.expect("ok");
    }
    let mut one = claim("one", RECEIVED_MS);
    let mut two = claim("two", RECEIVED_MS);
    (one.limit, two.limit) = (25, 25);
    let (a, b) = tokio::join!(first.claim_due(one), second.claim_due(two));
    let (a, b) = (a.expect("claim"), b.expect("claim"));
    assert_eq!(a.len() + b.len(), 40, "every delivery claimed");
    let mut all: Vec<(ReportId, String)> = a
        .iter()
        .chain(&b)
        .map(|d| (d.report_id, d.destination.clone()))
        .collect();
    all.sort();
    all.dedup();
    assert_eq!(all.len(), 40, "none claimed twice");
}

/// Loses the reports numbered above `kept` (as a damaged log or an older backup would), the
/// PostgreSQL sequence with them.
async fn lose_reports_above(database: &Direct, kept: i64) {
    let sql = format!(
        "DELETE FROM deliveries WHERE report_id IN (SELECT id FROM reports WHERE seq > {kept});
         DELETE FROM reports WHERE seq > {kept};"
    );
    database
        .run(
            &sql,
            &format!("{sql} SELECT setval('report_references', GREATEST({kept}, 1), {kept} > 0);"),
        )
        .await
        .expect("lose reports");
}

async fn a_database_behind_its_high_water_mark_is_refused_or_started_above_it_by_choice(
    mut store: ReportStore,
    database: Direct,
) {
    let dir = tempfile::tempdir().expect("dir");
    let mark = dir.path().join("high-water");
    let first = store
        .keep_high_water(&mark, false, false)
        .await
        .expect("a first start");
    assert_eq!(first.before, None);
    for n in 1..=5 {
        assert_eq!(
            store.submit(report(id(n), "a")).await.expect("submit"),
            created(n.into())
        );
    }
    // Every reference answered is in the mark on disk.
    assert_eq!(
        store.high_water(),
        Some(Mark {
            seq: 5,
            count: 5,
            ..Mark::default()
        })
    );
    drop(store);

    lose_reports_above(&database, 3).await;
    let mut store = database.open().await;
    let refused = store.keep_high_water(&mark, false, false).await;
    assert!(
        matches!(
            &refused,
            Err(StoreError::LostHistory {
                database: Mark {
                    seq: 3,
                    count: 3,
                    ..
                },
                mark: Some(Mark {
                    seq: 5,
                    count: 5,
                    ..
                }),
            })
        ),
        "{refused:?}"
    );
    assert_eq!(
        refused.map(|_| ()).expect_err("refused").to_string(),
        "the report database holds 3 reports up to number 3, but this server has stored 5 up to \
         number 5: reports have been lost"
    );

    // Started on by choice: references 4 and 5 were given out, so the next is 6, and the next
    // start needs no choice.
    let started = store
        .keep_high_water(&mark, false, true)
        .await
        .expect("started by choice");
    assert!(started.started_behind);
    assert_eq!(
        store.submit(report(id(6), "a")).await.expect("submit"),
        created(6)
    );
    drop(store);
    let mut store = database.open().await;
    let again = store
        .keep_high_water(&mark, false, false)
        .await
        .expect("a database that kept up with its mark");
    assert!(!again.started_behind);
    assert_eq!(
        store.submit(report(id(7), "a")).await.expect("submit"),
        created(7)
    );
    drop(store);

    // Emptied, with the mark lost too, in a data directory that shows forwarded reports.
    lose_reports_above(&database, 0).await;
    std::fs::remove_file(&mark).expect("remove the mark");
    let mut store = database.open().await;
    assert!(matches!(
        store.keep_high_water(&mark, true, false).await,
        Err(StoreError::LostHistory {
            database: Mark { count: 0, .. },
            mark: None
        })
    ));
    // With no such sign, an empty database with no mark is a first start.
    store
        .keep_high_water(&mark, false, false)
        .await
        .expect("a first start");
}

async fn rows_removed_from_the_newest_end_of_the_audit_trail_are_found_through_the_mark(
    mut store: ReportStore,
    database: Direct,
) {
    let dir = tempfile::tempdir().expect("dir");
    let mark = dir.path().join("high-water");
    store
        .keep_high_water(&mark, false, false)
        .await
        .expect("keep the mark");
    let rows = write_audit_rows(&store).await;
    assert_eq!(
        store.check_audit_trail().await.expect("check"),
        AuditCheck::Intact { rows }
    );
    // The newest row removed by someone with the owner's rights: the rest still follows.
    let newest = "DELETE FROM audit WHERE seq = (SELECT MAX(seq) FROM audit)";
    database
        .run(
            &format!("DROP TRIGGER audit_is_not_deleted; {newest}"),
            &format!("SET session_replication_role = replica; {newest}"),
        )
        .await
        .expect("remove the newest row");
    assert_eq!(
        store.check_audit_trail().await.expect("check"),
        AuditCheck::Shortened {
            rows: rows - 1,
            seen: rows
        }
    );
    // Emptied past its triggers, and the server restarted: still found.
    database
        .run(
            "DELETE FROM audit",
            "SET session_replication_role = replica; TRUNCATE audit",
        )
        .await
        .expect("empty the trail");
    drop(store);
    let mut store = database.open().await;
    store
        .keep_high_water(&mark, false, false)
        .await
        .expect("keep the mark");
    assert_eq!(
        store.check_audit_trail().await.expect("check"),
        AuditCheck::Shortened {
            rows: 0,
            seen: rows
        }
    );
}
