//! Where the server keeps incident reports: one embedded SQLite database, created and migrated
//! when it opens, in WAL mode with full synchronous commits, so a report is on disk before the
//! server answers.
//!
//! A report's id is its idempotency key: [`ReportStore::submit`] stores a new id once and gives
//! it a reference (`LD-2026-000123`); the same id with the same content gets the same reference
//! again; the same id with different content is refused. Keys live as long as the reports
//! themselves (nothing is ever deleted), far longer than any phone keeps a report.

use std::path::Path;
use std::sync::{Mutex, PoisonError};

use incident_report::ReportId;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

/// Why the store failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite reported an error.
    #[error("the report database failed: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The database was written by a newer version of the server.
    #[error("the report database has schema version {found}, newer than this server's {supported}")]
    NewerSchema {
        /// The version found.
        found: i64,
        /// The newest this code knows.
        supported: i64,
    },
}

/// The result of submitting a report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Submission {
    /// Stored now, with this new reference.
    Created {
        /// The reference given to it.
        reference: String,
    },
    /// Already stored with the same content: the same reference as before.
    Repeat {
        /// The reference given the first time.
        reference: String,
    },
    /// Already stored, but with different content: nothing was changed.
    Mismatch,
}

/// What a report is stored with.
#[derive(Debug, Clone, Copy)]
pub struct NewReport<'a> {
    /// Its id and idempotency key.
    pub id: ReportId,
    /// A hash of its canonical content, to tell a repeat from a different report.
    pub fingerprint: &'a str,
    /// The answers, as JSON.
    pub form_json: &'a str,
    /// When the server received it (RFC 3339).
    pub received_at: &'a str,
    /// The year for its reference.
    pub year: i32,
}

/// Each migration takes the schema from version `index` to `index + 1`.
const MIGRATIONS: &[&str] = &["CREATE TABLE reports (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        reference TEXT NOT NULL UNIQUE,
        fingerprint TEXT NOT NULL,
        form TEXT NOT NULL,
        received_at TEXT NOT NULL
    ) STRICT;"];

/// The report database. One connection behind a lock: SQLite allows one writer at a time anyway.
#[derive(Debug)]
pub struct ReportStore {
    connection: Mutex<Connection>,
}

impl ReportStore {
    /// Opens (creating and migrating if needed) the database at `path`.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        Self::prepare(Connection::open(path)?)
    }

    /// A database in memory, for tests.
    pub fn open_in_memory() -> Result<Self, StoreError> {
        Self::prepare(Connection::open_in_memory()?)
    }

    fn prepare(mut connection: Connection) -> Result<Self, StoreError> {
        // WAL lets readers work during a write; synchronous=FULL makes every commit durable
        // (with NORMAL, WAL mode may lose the last commits on power loss).
        connection.pragma_update(None, "journal_mode", "WAL")?;
        connection.pragma_update(None, "synchronous", "FULL")?;
        connection.busy_timeout(std::time::Duration::from_secs(5))?;
        migrate(&mut connection)?;
        Ok(Self {
            connection: Mutex::new(connection),
        })
    }

    /// Stores `report` unless its id is already stored; see [`Submission`].
    pub fn submit(&self, report: NewReport<'_>) -> Result<Submission, StoreError> {
        let mut connection = self
            .connection
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let transaction = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let id = report.id.to_string();
        let existing: Option<(String, String)> = transaction
            .query_row(
                "SELECT reference, fingerprint FROM reports WHERE id = ?1",
                [&id],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()?;
        let outcome = match existing {
            Some((reference, fingerprint)) if fingerprint == report.fingerprint => {
                Submission::Repeat { reference }
            }
            Some(_) => Submission::Mismatch,
            None => {
                let seq: i64 = transaction.query_row(
                    "SELECT COALESCE(MAX(seq), 0) + 1 FROM reports",
                    [],
                    |row| row.get(0),
                )?;
                let reference = format!("LD-{}-{seq:06}", report.year);
                transaction.execute(
                    "INSERT INTO reports (seq, id, reference, fingerprint, form, received_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    params![
                        seq,
                        id,
                        reference,
                        report.fingerprint,
                        report.form_json,
                        report.received_at
                    ],
                )?;
                Submission::Created { reference }
            }
        };
        transaction.commit()?;
        Ok(outcome)
    }

    /// How many reports are stored.
    pub fn count(&self) -> Result<u64, StoreError> {
        let connection = self
            .connection
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let count: i64 =
            connection.query_row("SELECT COUNT(*) FROM reports", [], |row| row.get(0))?;
        Ok(u64::try_from(count).unwrap_or(0))
    }
}

fn migrate(connection: &mut Connection) -> Result<(), StoreError> {
    let transaction = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let version: i64 = transaction.pragma_query_value(None, "user_version", |row| row.get(0))?;
    let supported = i64::try_from(MIGRATIONS.len()).unwrap_or(i64::MAX);
    if version > supported {
        return Err(StoreError::NewerSchema {
            found: version,
            supported,
        });
    }
    for (next, migration) in (1..=supported)
        .zip(MIGRATIONS)
        .skip(usize::try_from(version).unwrap_or(0))
    {
        transaction.execute_batch(migration)?;
        transaction.pragma_update(None, "user_version", next)?;
    }
    transaction.commit()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(id: ReportId, fingerprint: &str) -> NewReport<'_> {
        NewReport {
            id,
            fingerprint,
            form_json: "{}",
            received_at: "2026-11-27T10:00:00Z",
            year: 2026,
        }
    }

    /// What resubmitting the first stored report answers.
    fn repeat_of_first() -> Submission {
        Submission::Repeat {
            reference: "LD-2026-000001".into(),
        }
    }

    fn id(byte: u8) -> ReportId {
        ReportId::from_random_bytes([byte; 16])
    }

    #[test]
    fn a_new_report_gets_the_next_reference() {
        let store = ReportStore::open_in_memory().expect("store");
        assert_eq!(
            store.submit(report(id(1), "a")).expect("ok"),
            Submission::Created {
                reference: "LD-2026-000001".into()
            }
        );
        assert_eq!(
            store.submit(report(id(2), "b")).expect("ok"),
            Submission::Created {
                reference: "LD-2026-000002".into()
            }
        );
    }

    #[test]
    fn a_repeat_gets_the_same_reference_and_stores_nothing_new() {
        let store = ReportStore::open_in_memory().expect("store");
        store.submit(report(id(1), "a")).expect("ok");
        assert_eq!(
            store.submit(report(id(1), "a")).expect("ok"),
            repeat_of_first()
        );
        assert_eq!(store.count().expect("count"), 1);
    }

    #[test]
    fn the_same_id_with_other_content_is_refused_and_changes_nothing() {
        let store = ReportStore::open_in_memory().expect("store");
        store.submit(report(id(1), "a")).expect("ok");
        assert_eq!(
            store.submit(report(id(1), "b")).expect("ok"),
            Submission::Mismatch
        );
        assert_eq!(
            store.submit(report(id(1), "a")).expect("ok"),
            repeat_of_first()
        );
        assert_eq!(store.count().expect("count"), 1);
    }

    #[test]
    fn reports_survive_reopening_the_database() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("reports.sqlite3");
        ReportStore::open(&path)
            .expect("open")
            .submit(report(id(1), "a"))
            .expect("ok");
        let again = ReportStore::open(&path).expect("reopen");
        assert_eq!(again.count().expect("count"), 1);
        assert_eq!(
            again.submit(report(id(1), "a")).expect("ok"),
            repeat_of_first()
        );
    }

    #[test]
    fn a_database_from_a_newer_server_is_refused() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("reports.sqlite3");
        Connection::open(&path)
            .expect("open")
            .pragma_update(None, "user_version", 99)
            .expect("set");
        let error = ReportStore::open(&path).expect_err("newer");
        assert!(error.to_string().contains("schema version 99"), "{error}");
    }
}
