//! The store's promises, through its public interface only, run unchanged against both
//! backends (SQLite in memory, and a real PostgreSQL server the tests start): one report per id,
//! the same reference for a repeat, other content refused, and a delivery per destination that is
//! claimed under a lease and finished only by its holder. Then what only one backend has.

mod common;

use incident_report::ReportId;
use report_store::{Claim, Delivery, NewReport, ReportStore, Submitted};

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

/// Each shared test, once per backend.
macro_rules! on_every_backend {
    ($($name:ident),+ $(,)?) => {
        mod sqlite {
            $(#[tokio::test]
            async fn $name() {
                super::$name(crate::common::sqlite().await).await;
            })+
        }
        mod postgres {
            $(#[tokio::test]
            async fn $name() {
                super::$name(crate::common::postgres().await).await;
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
    a_renewed_lease_keeps_the_row_from_others_until_it_runs_out,
    a_restarted_holder_frees_its_own_leases_and_no_one_else_s,
    a_stored_id_is_found_with_its_reference_and_fingerprint,
);

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
            .mark_parked(&due[0], "550 mailbox unknown")
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
    let with_answers = NewReport {
        form_json: r#"{"name":"Sam Example"}"#.to_owned(),
        ..report(id(1), "a")
    };
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
            "SELECT version, COUNT(*) FROM schema_version GROUP BY version ORDER BY version",
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
