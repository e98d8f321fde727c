//! The SQLite backend: one connection behind a lock (SQLite allows one writer at a time anyway),
//! created and migrated on open (`user_version` plus a list of migrations, each SQL and, where
//! SQL cannot do it, a step in Rust, all in one transaction).

use std::path::Path;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

use incident_report::ReportId;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use crate::migration::Migration;
use crate::{Backlog, Claim, Delivery, Known, Mark, NewReport, StoreError, Submitted};

mod team;

/// Each migration takes the schema from version `index` to `index + 1`.
const MIGRATIONS: &[Migration] = &[
    Migration::sql(
        "CREATE TABLE reports (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        reference TEXT NOT NULL UNIQUE,
        fingerprint TEXT NOT NULL,
        form TEXT NOT NULL,
        received_at TEXT NOT NULL
    ) STRICT;",
    ),
    // One row per report and destination. Times are milliseconds since the Unix epoch.
    Migration::sql(
        "CREATE TABLE deliveries (
        report_id TEXT NOT NULL REFERENCES reports (id),
        destination TEXT NOT NULL,
        state TEXT NOT NULL DEFAULT 'pending'
            CHECK (state IN ('pending', 'delivered', 'parked')),
        attempts INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL,
        next_attempt_at INTEGER NOT NULL,
        lease TEXT,
        lease_until INTEGER,
        last_error TEXT,
        delivered_at INTEGER,
        PRIMARY KEY (report_id, destination)
    ) STRICT;
    CREATE INDEX deliveries_due ON deliveries (state, next_attempt_at);",
    ),
    Migration::sql(team::MIGRATION),
    team::CHAIN_MIGRATION,
    // Who started each sign-in, so a flood ends its own first. Unfinished sign-ins from before
    // count as one starter's: they end first.
    Migration::sql("ALTER TABLE sign_ins ADD COLUMN started_by TEXT NOT NULL DEFAULT '';"),
];

/// Pages the write-ahead log may grow to before SQLite checkpoints it by itself (1 MiB).
const WAL_PAGES: i64 = 256;

#[derive(Debug)]
pub(crate) struct SqliteStore {
    connection: Mutex<Connection>,
    /// New references are above this (see [`Mark::floor`]).
    floor: AtomicI64,
}

impl SqliteStore {
    /// Opens the database at `path`, readable and writable by this user only (SQLite gives its
    /// journal files the same mode): it holds names, emails and phone numbers.
    pub(crate) fn open(path: &Path) -> Result<Self, StoreError> {
        use std::os::unix::fs::{OpenOptionsExt as _, PermissionsExt as _};
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .mode(0o600)
            .open(path)
            .and_then(|_| std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)))
            .map_err(|e| StoreError::Io(format!("{}: {e}", path.display())))?;
        Self::prepare(Connection::open(path)?)
    }

    pub(crate) fn open_in_memory() -> Result<Self, StoreError> {
        Self::prepare(Connection::open_in_memory()?)
    }

    fn prepare(mut connection: Connection) -> Result<Self, StoreError> {
        // WAL lets readers work during a write; synchronous=FULL makes every commit durable
        // (with NORMAL, WAL mode may lose the last commits on power loss).
        connection.pragma_update(None, "journal_mode", "WAL")?;
        connection.pragma_update(None, "synchronous", "FULL")?;
        connection.pragma_update(None, "foreign_keys", "ON")?;
        connection.busy_timeout(std::time::Duration::from_secs(5))?;
        // A checkpoint at most this many pages (4 KiB each) into the log: the database file,
        // not only the log, holds all but the last few hundred reports (see `checkpoint`).
        connection.pragma_update(None, "wal_autocheckpoint", WAL_PAGES)?;
        migrate(&mut connection)?;
        Ok(Self {
            connection: Mutex::new(connection),
            floor: AtomicI64::new(0),
        })
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        self.connection
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Stores `report` (see [`crate::ReportStore::submit`]); with the new reference's number
    /// when it was stored now.
    pub(crate) fn submit(
        &self,
        report: &NewReport,
    ) -> Result<(Submitted, Option<i64>), StoreError> {
        let mut connection = self.lock();
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
                (Submitted::Repeat { reference }, None)
            }
            Some(_) => (Submitted::Mismatch, None),
            None => {
                let seq: i64 = transaction.query_row(
                    "SELECT MAX(COALESCE(MAX(seq), 0), ?1) + 1 FROM reports",
                    [self.floor.load(Ordering::Relaxed)],
                    |row| row.get(0),
                )?;
                let reference = format!("LD-{}-{seq:06}", report.year);
                transaction.execute(
                    "INSERT INTO reports
                         (seq, id, reference, fingerprint, form, received_at, received_at_ms)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                    params![
                        seq,
                        id,
                        reference,
                        report.fingerprint,
                        report.form_json,
                        report.received_at,
                        report.received_at_ms
                    ],
                )?;
                for destination in &report.destinations {
                    transaction.execute(
                        "INSERT INTO deliveries (report_id, destination, created_at, next_attempt_at)
                         VALUES (?1, ?2, ?3, ?3)",
                        params![id, destination, report.received_at_ms],
                    )?;
                }
                (Submitted::Created { reference }, Some(seq))
            }
        };
        transaction.commit()?;
        Ok(outcome)
    }

    /// The highest reference number and the number of reports.
    pub(crate) fn holding(&self) -> Result<Mark, StoreError> {
        Ok(self.lock().query_row(
            "SELECT COALESCE(MAX(seq), 0), COUNT(*) FROM reports",
            [],
            |row| {
                Ok(Mark {
                    seq: row.get(0)?,
                    count: row.get(1)?,
                    ..Mark::default()
                })
            },
        )?)
    }

    /// Makes new references start above `floor`.
    #[expect(
        clippy::unnecessary_wraps,
        reason = "the same shape as the PostgreSQL backend's call"
    )]
    pub(crate) fn raise_floor(&self, floor: i64) -> Result<(), StoreError> {
        self.floor.fetch_max(floor, Ordering::Relaxed);
        Ok(())
    }

    /// Copies what the write-ahead log holds into the database file, as far as readers allow
    /// (`PASSIVE`: never waits). Until then the log alone holds the newest reports, and SQLite
    /// takes a damaged log frame as the log's end.
    pub(crate) fn checkpoint(&self) -> Result<(), StoreError> {
        self.lock()
            .query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))?;
        Ok(())
    }

    /// Caps the database's size in pages (`PRAGMA max_page_count`).
    pub(crate) fn cap_pages(&self, pages: u64) -> Result<(), StoreError> {
        self.lock()
            .query_row(&format!("PRAGMA max_page_count = {pages}"), [], |_| Ok(()))?;
        Ok(())
    }

    /// Writes one page through the log and the disk: whether the database can take writes.
    pub(crate) fn try_write(&self) -> Result<(), StoreError> {
        let mut connection = self.lock();
        let transaction = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
        // Setting the schema version to itself still rewrites the page that holds it.
        let version: i64 = transaction.query_row("PRAGMA user_version", [], |row| row.get(0))?;
        transaction.pragma_update(None, "user_version", version)?;
        transaction.commit()?;
        Ok(())
    }

    pub(crate) fn find(&self, id: ReportId) -> Result<Option<Known>, StoreError> {
        Ok(self
            .lock()
            .query_row(
                "SELECT reference, fingerprint FROM reports WHERE id = ?1",
                [id.to_string()],
                |row| {
                    Ok(Known {
                        reference: row.get(0)?,
                        fingerprint: row.get(1)?,
                    })
                },
            )
            .optional()?)
    }

    pub(crate) fn count(&self) -> Result<u64, StoreError> {
        let count: i64 = self
            .lock()
            .query_row("SELECT COUNT(*) FROM reports", [], |row| row.get(0))?;
        Ok(u64::try_from(count).unwrap_or(0))
    }

    pub(crate) fn claim_due(&self, claim: &Claim) -> Result<Vec<Delivery>, StoreError> {
        let mut connection = self.lock();
        let transaction = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut claimed = Vec::new();
        {
            let mut due = transaction.prepare(
                "SELECT d.report_id, d.destination, r.reference, r.form, r.received_at, d.attempts
                 FROM deliveries d JOIN reports r ON r.id = d.report_id
                 WHERE d.state = 'pending' AND d.next_attempt_at <= ?1
                   AND (d.lease_until IS NULL OR d.lease_until <= ?1)
                   AND d.destination IN (SELECT value FROM json_each(?2))
                 ORDER BY d.next_attempt_at, r.seq
                 LIMIT ?3",
            )?;
            let mut take = transaction.prepare(
                "UPDATE deliveries SET lease = ?3, lease_until = ?4
                 WHERE report_id = ?1 AND destination = ?2",
            )?;
            // Destination names are ours (`maildir`, `smtp`, `webhook`): a JSON array of them
            // cannot fail to serialise.
            let destinations = serde_json::to_string(&claim.destinations).unwrap_or_default();
            let mut rows = due.query(params![claim.now_ms, destinations, claim.limit])?;
            while let Some(row) = rows.next()? {
                let report_id: String = row.get(0)?;
                // Ids are checked before they are stored; an unreadable one is left alone.
                let Ok(id) = ReportId::parse(&report_id) else {
                    continue;
                };
                let destination: String = row.get(1)?;
                take.execute(params![
                    report_id,
                    destination,
                    claim.lease,
                    claim.now_ms.saturating_add(claim.lease_ms)
                ])?;
                claimed.push(Delivery {
                    report_id: id,
                    destination,
                    reference: row.get(2)?,
                    form_json: row.get(3)?,
                    received_at: row.get(4)?,
                    attempts: row.get(5)?,
                    lease: claim.lease.clone(),
                });
            }
        }
        transaction.commit()?;
        Ok(claimed)
    }

    /// Updates the delivery's row only while `delivery.lease` still holds it.
    fn finish(
        &self,
        delivery: &Delivery,
        set: &str,
        values: &[&dyn rusqlite::ToSql],
    ) -> Result<bool, StoreError> {
        let sql = format!(
            "UPDATE deliveries SET {set}, attempts = attempts + 1, lease = NULL, lease_until = NULL
             WHERE report_id = ?1 AND destination = ?2 AND lease = ?3 AND state = 'pending'"
        );
        let id = delivery.report_id.to_string();
        let mut all: Vec<&dyn rusqlite::ToSql> = vec![&id, &delivery.destination, &delivery.lease];
        all.extend_from_slice(values);
        let changed = self.lock().execute(&sql, all.as_slice())?;
        Ok(changed == 1)
    }

    pub(crate) fn mark_delivered(
        &self,
        delivery: &Delivery,
        now_ms: i64,
    ) -> Result<bool, StoreError> {
        self.finish(
            delivery,
            "state = 'delivered', delivered_at = ?4, last_error = NULL",
            &[&now_ms],
        )
    }

    pub(crate) fn mark_retry(
        &self,
        delivery: &Delivery,
        retry_at_ms: i64,
        error: &str,
    ) -> Result<bool, StoreError> {
        self.finish(
            delivery,
            "next_attempt_at = ?4, last_error = ?5",
            &[&retry_at_ms, &error],
        )
    }

    pub(crate) fn mark_parked(&self, delivery: &Delivery, error: &str) -> Result<bool, StoreError> {
        self.finish(delivery, "state = 'parked', last_error = ?4", &[&error])
    }

    pub(crate) fn renew_lease(
        &self,
        delivery: &Delivery,
        until_ms: i64,
    ) -> Result<bool, StoreError> {
        let changed = self.lock().execute(
            "UPDATE deliveries SET lease_until = ?4
             WHERE report_id = ?1 AND destination = ?2 AND lease = ?3 AND state = 'pending'",
            params![
                delivery.report_id.to_string(),
                delivery.destination,
                delivery.lease,
                until_ms
            ],
        )?;
        Ok(changed == 1)
    }

    pub(crate) fn release_leases(&self, holder: &str) -> Result<u64, StoreError> {
        let changed = self.lock().execute(
            "UPDATE deliveries SET lease = NULL, lease_until = NULL
             WHERE state = 'pending' AND substr(lease, 1, length(?1) + 1) = ?1 || ':'",
            [holder],
        )?;
        Ok(u64::try_from(changed).unwrap_or(0))
    }

    pub(crate) fn retry_parked(&self, now_ms: i64) -> Result<u64, StoreError> {
        let changed = self.lock().execute(
            "UPDATE deliveries SET state = 'pending', next_attempt_at = ?1
             WHERE state = 'parked'",
            [now_ms],
        )?;
        Ok(u64::try_from(changed).unwrap_or(0))
    }

    pub(crate) fn clear_delivered(&self, before_ms: i64) -> Result<u64, StoreError> {
        let changed = self.lock().execute(
            "UPDATE reports SET form = '{}', note = NULL WHERE form != '{}' AND id IN (
                SELECT report_id FROM deliveries GROUP BY report_id
                HAVING MIN(state = 'delivered') = 1 AND MAX(delivered_at) < ?1)",
            [before_ms],
        )?;
        Ok(u64::try_from(changed).unwrap_or(0))
    }

    pub(crate) fn back_up(&self, to: &Path) -> Result<(), StoreError> {
        use std::os::unix::fs::OpenOptionsExt as _;
        // VACUUM INTO fills an empty file it is given, keeping its mode: made private first.
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(to)
            .map_err(|e| StoreError::Io(format!("{}: {e}", to.display())))?;
        let target = to.to_string_lossy().into_owned();
        self.lock().execute("VACUUM INTO ?1", [target])?;
        Ok(())
    }

    pub(crate) fn backlog(&self) -> Result<Backlog, StoreError> {
        let connection = self.lock();
        let (undelivered, parked, oldest_ms): (i64, i64, Option<i64>) = connection.query_row(
            "SELECT COUNT(*), COUNT(*) FILTER (WHERE state = 'parked'), MIN(created_at)
             FROM deliveries WHERE state != 'delivered'",
            [],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
        )?;
        let parked_error: Option<String> = connection
            .query_row(
                "SELECT last_error FROM deliveries WHERE state = 'parked'
                 ORDER BY created_at DESC LIMIT 1",
                [],
                |row| row.get(0),
            )
            .optional()?
            .flatten();
        Ok(Backlog {
            undelivered: u64::try_from(undelivered).unwrap_or(0),
            parked: u64::try_from(parked).unwrap_or(0),
            oldest_ms,
            parked_error,
        })
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
        transaction.execute_batch(migration.sql)?;
        if migration.chain_audit {
            team::chain_existing_audit_rows(&transaction)?;
        }
        transaction.execute_batch(migration.then)?;
        transaction.pragma_update(None, "user_version", next)?;
    }
    transaction.commit()?;
    Ok(())
}
