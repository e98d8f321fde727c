//! The PostgreSQL backend, for several server instances sharing one database: a connection pool
//! (`deadpool-postgres` over `tokio-postgres`), migrations under an advisory lock so instances
//! starting together take turns, references from a sequence, a per-id advisory lock so a report
//! in flight on one instance is answered "in progress" on another, claims with
//! `FOR UPDATE SKIP LOCKED` so instances never take the same delivery, and one advisory lock
//! each for audit rows and sign-ins begun, so that instances write them one at a time (the audit
//! trail's chain and the bound on sign-ins need to see every row written before).

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use incident_report::ReportId;
use tokio_postgres::NoTls;

use crate::migration::Migration;
use crate::{Backlog, Claim, Delivery, Known, Mark, NewReport, StoreError, Submitted};

mod team;

/// Our advisory lock space (two-key form): key 0 is migrations, [`AUDIT_LOCK`] the audit trail,
/// [`SIGN_IN_LOCK`] sign-ins begun, key `hashtext(id)` a report (a report whose hash is one of
/// the small keys only waits a moment longer now and then).
const LOCKS: i32 = 0x4c44; // "LD"

/// Held from before an audit row's seq is drawn until its transaction ends.
const AUDIT_LOCK: i32 = 1;

/// Held while a sign-in is stored and the oldest beyond the bound are ended.
const SIGN_IN_LOCK: i32 = 2;

/// Each migration takes the schema from version `index` to `index + 1`.
const MIGRATIONS: &[Migration] = &[
    Migration::sql(
        "CREATE SEQUENCE report_references;
    CREATE TABLE reports (
        seq BIGINT PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        reference TEXT NOT NULL UNIQUE,
        fingerprint TEXT NOT NULL,
        form TEXT NOT NULL,
        received_at TEXT NOT NULL
    );
    CREATE TABLE deliveries (
        report_id TEXT NOT NULL REFERENCES reports (id),
        destination TEXT NOT NULL,
        state TEXT NOT NULL DEFAULT 'pending'
            CHECK (state IN ('pending', 'delivered', 'parked')),
        attempts INTEGER NOT NULL DEFAULT 0,
        created_at BIGINT NOT NULL,
        next_attempt_at BIGINT NOT NULL,
        lease TEXT,
        lease_until BIGINT,
        last_error TEXT,
        delivered_at BIGINT,
        PRIMARY KEY (report_id, destination)
    );
    CREATE INDEX deliveries_due ON deliveries (state, next_attempt_at);",
    ),
    Migration::sql(team::MIGRATION),
    team::CHAIN_MIGRATION,
    // Who started each sign-in, so a flood ends its own first. Unfinished sign-ins from before
    // count as one starter's: they end first.
    Migration::sql("ALTER TABLE sign_ins ADD COLUMN started_by TEXT NOT NULL DEFAULT '';"),
];

/// The most connections one instance opens.
const POOL_SIZE: usize = 16;

#[derive(Debug, Clone)]
pub(crate) struct PostgresStore {
    pool: Pool,
}

impl PostgresStore {
    pub(crate) async fn open(url: &str) -> Result<Self, StoreError> {
        let config: tokio_postgres::Config = url
            .parse()
            .map_err(|e: tokio_postgres::Error| StoreError::Postgres(e.to_string()))?;
        let manager = Manager::from_config(
            config,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(POOL_SIZE)
            .build()
            .map_err(|e| StoreError::Postgres(e.to_string()))?;
        let store = Self { pool };
        store.migrate().await?;
        Ok(store)
    }

    async fn client(&self) -> Result<deadpool_postgres::Object, StoreError> {
        self.pool
            .get()
            .await
            .map_err(|e| StoreError::Unavailable(format!("no database connection: {e}")))
    }

    async fn migrate(&self) -> Result<(), StoreError> {
        let mut client = self.client().await?;
        let transaction = client.transaction().await?;
        // Two instances starting together: the second waits here until the first committed.
        transaction
            .execute("SELECT pg_advisory_xact_lock($1, 0)", &[&LOCKS])
            .await?;
        transaction
            .batch_execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            .await?;
        let version: i32 = transaction
            .query_one("SELECT COALESCE(MAX(version), 0) FROM schema_version", &[])
            .await?
            .get(0);
        let supported = i32::try_from(MIGRATIONS.len()).unwrap_or(i32::MAX);
        if version > supported {
            return Err(StoreError::NewerSchema {
                found: i64::from(version),
                supported: i64::from(supported),
            });
        }
        for (next, migration) in (1..=supported)
            .zip(MIGRATIONS)
            .skip(usize::try_from(version).unwrap_or(0))
        {
            transaction.batch_execute(migration.sql).await?;
            if migration.chain_audit {
                team::chain_existing_audit_rows(&transaction).await?;
            }
            if !migration.then.is_empty() {
                transaction.batch_execute(migration.then).await?;
            }
            transaction
                .execute("INSERT INTO schema_version (version) VALUES ($1)", &[&next])
                .await?;
        }
        transaction.commit().await?;
        Ok(())
    }

    /// Stores `report` (see [`crate::ReportStore::submit`]); with the new reference's number
    /// when it was stored now.
    pub(crate) async fn submit(
        &self,
        report: &NewReport,
    ) -> Result<(Submitted, Option<i64>), StoreError> {
        let mut client = self.client().await?;
        let transaction = client.transaction().await?;
        let id = report.id.to_string();
        let mine: bool = transaction
            .query_one(
                "SELECT pg_try_advisory_xact_lock($1, hashtext($2))",
                &[&LOCKS, &id],
            )
            .await?
            .get(0);
        if !mine {
            return Ok((Submitted::InProgress, None));
        }
        let existing = transaction
            .query_opt(
                "SELECT reference, fingerprint FROM reports WHERE id = $1",
                &[&id],
            )
            .await?;
        let outcome = match existing {
            Some(row) if row.get::<_, String>(1) == report.fingerprint => (
                Submitted::Repeat {
                    reference: row.get(0),
                },
                None,
            ),
            Some(_) => (Submitted::Mismatch, None),
            None => {
                let seq: i64 = transaction
                    .query_one("SELECT nextval('report_references')", &[])
                    .await?
                    .get(0);
                let reference = format!("LD-{}-{seq:06}", report.year);
                transaction
                    .execute(
                        "INSERT INTO reports
                             (seq, id, reference, fingerprint, form, received_at, received_at_ms)
                         VALUES ($1, $2, $3, $4, $5, $6, $7)",
                        &[
                            &seq,
                            &id,
                            &reference,
                            &report.fingerprint,
                            &report.form_json,
                            &report.received_at,
                            &report.received_at_ms,
                        ],
                    )
                    .await?;
                for destination in &report.destinations {
                    transaction
                        .execute(
                            "INSERT INTO deliveries (report_id, destination, created_at, next_attempt_at)
                             VALUES ($1, $2, $3, $3)",
                            &[&id, destination, &report.received_at_ms],
                        )
                        .await?;
                }
                (Submitted::Created { reference }, Some(seq))
            }
        };
        transaction.commit().await?;
        Ok(outcome)
    }

    /// The highest reference number and the number of reports.
    pub(crate) async fn holding(&self) -> Result<Mark, StoreError> {
        let row = self
            .client()
            .await?
            .query_one("SELECT COALESCE(MAX(seq), 0), COUNT(*) FROM reports", &[])
            .await?;
        Ok(Mark {
            seq: row.get(0),
            count: row.get(1),
            ..Mark::default()
        })
    }

    /// Makes new references start above `floor`: the sequence every instance draws from is
    /// moved on if it is behind (a database restored from an older backup carries its older
    /// sequence too).
    pub(crate) async fn raise_floor(&self, floor: i64) -> Result<(), StoreError> {
        self.client()
            .await?
            .execute(
                "SELECT setval('report_references', $1) FROM report_references
                 WHERE CASE WHEN is_called THEN last_value ELSE last_value - 1 END < $1",
                &[&floor],
            )
            .await?;
        Ok(())
    }

    /// Writes one row version through the server's log and disk: whether the database can take
    /// writes.
    pub(crate) async fn try_write(&self) -> Result<(), StoreError> {
        self.client()
            .await?
            .execute(
                "UPDATE schema_version SET version = version
                 WHERE version = (SELECT MAX(version) FROM schema_version)",
                &[],
            )
            .await?;
        Ok(())
    }

    pub(crate) async fn find(&self, id: ReportId) -> Result<Option<Known>, StoreError> {
        let row = self
            .client()
            .await?
            .query_opt(
                "SELECT reference, fingerprint FROM reports WHERE id = $1",
                &[&id.to_string()],
            )
            .await?;
        Ok(row.map(|row| Known {
            reference: row.get(0),
            fingerprint: row.get(1),
        }))
    }

    pub(crate) async fn count(&self) -> Result<u64, StoreError> {
        let count: i64 = self
            .client()
            .await?
            .query_one("SELECT COUNT(*) FROM reports", &[])
            .await?
            .get(0);
        Ok(u64::try_from(count).unwrap_or(0))
    }

    pub(crate) async fn claim_due(&self, claim: &Claim) -> Result<Vec<Delivery>, StoreError> {
        let rows = self
            .client()
            .await?
            .query(
                "WITH due AS (
                    SELECT report_id, destination FROM deliveries
                    WHERE state = 'pending' AND next_attempt_at <= $1
                      AND (lease_until IS NULL OR lease_until <= $1)
                      AND destination = ANY($2)
                    ORDER BY next_attempt_at
                    LIMIT $3
                    FOR UPDATE SKIP LOCKED
                 )
                 UPDATE deliveries d SET lease = $4, lease_until = $5
                 FROM due, reports r
                 WHERE d.report_id = due.report_id AND d.destination = due.destination
                   AND r.id = d.report_id
                 RETURNING d.report_id, d.destination, r.reference, r.form, r.received_at,
                           d.attempts, r.seq",
                &[
                    &claim.now_ms,
                    &claim.destinations,
                    &i64::from(claim.limit),
                    &claim.lease,
                    &claim.now_ms.saturating_add(claim.lease_ms),
                ],
            )
            .await?;
        let mut claimed: Vec<(i64, Delivery)> = rows
            .iter()
            .filter_map(|row| {
                // Ids are checked before they are stored; an unreadable one is left alone.
                let id = ReportId::parse(row.get(0)).ok()?;
                Some((
                    row.get(6),
                    Delivery {
                        report_id: id,
                        destination: row.get(1),
                        reference: row.get(2),
                        form_json: row.get(3),
                        received_at: row.get(4),
                        attempts: u32::try_from(row.get::<_, i32>(5)).unwrap_or(0),
                        lease: claim.lease.clone(),
                    },
                ))
            })
            .collect();
        // Oldest report first, as SQLite gives them (UPDATE … RETURNING has no order).
        claimed.sort_by(|a, b| (a.0, &a.1.destination).cmp(&(b.0, &b.1.destination)));
        Ok(claimed.into_iter().map(|(_, delivery)| delivery).collect())
    }

    /// Updates the delivery's row only while `delivery.lease` still holds it.
    async fn finish(
        &self,
        delivery: &Delivery,
        set: &str,
        values: &[&(dyn tokio_postgres::types::ToSql + Sync)],
    ) -> Result<bool, StoreError> {
        let sql = format!(
            "UPDATE deliveries SET {set}, attempts = attempts + 1, lease = NULL, lease_until = NULL
             WHERE report_id = $1 AND destination = $2 AND lease = $3 AND state = 'pending'"
        );
        let id = delivery.report_id.to_string();
        let mut all: Vec<&(dyn tokio_postgres::types::ToSql + Sync)> =
            vec![&id, &delivery.destination, &delivery.lease];
        all.extend_from_slice(values);
        let changed = self.client().await?.execute(&sql, &all).await?;
        Ok(changed == 1)
    }

    pub(crate) async fn mark_delivered(
        &self,
        delivery: &Delivery,
        now_ms: i64,
    ) -> Result<bool, StoreError> {
        self.finish(
            delivery,
            "state = 'delivered', delivered_at = $4, last_error = NULL",
            &[&now_ms],
        )
        .await
    }

    pub(crate) async fn mark_retry(
        &self,
        delivery: &Delivery,
        retry_at_ms: i64,
        error: &str,
    ) -> Result<bool, StoreError> {
        self.finish(
            delivery,
            "next_attempt_at = $4, last_error = $5",
            &[&retry_at_ms, &error],
        )
        .await
    }

    pub(crate) async fn mark_parked(
        &self,
        delivery: &Delivery,
        error: &str,
    ) -> Result<bool, StoreError> {
        self.finish(delivery, "state = 'parked', last_error = $4", &[&error])
            .await
    }

    pub(crate) async fn renew_lease(
        &self,
        delivery: &Delivery,
        until_ms: i64,
    ) -> Result<bool, StoreError> {
        let changed = self
            .client()
            .await?
            .execute(
                "UPDATE deliveries SET lease_until = $4
                 WHERE report_id = $1 AND destination = $2 AND lease = $3 AND state = 'pending'",
                &[
                    &delivery.report_id.to_string(),
                    &delivery.destination,
                    &delivery.lease,
                    &until_ms,
                ],
            )
            .await?;
        Ok(changed == 1)
    }

    pub(crate) async fn release_leases(&self, holder: &str) -> Result<u64, StoreError> {
        Ok(self
            .client()
            .await?
            .execute(
                "UPDATE deliveries SET lease = NULL, lease_until = NULL
                 WHERE state = 'pending' AND starts_with(lease, $1 || ':')",
                &[&holder],
            )
            .await?)
    }

    pub(crate) async fn retry_parked(&self, now_ms: i64) -> Result<u64, StoreError> {
        Ok(self
            .client()
            .await?
            .execute(
                "UPDATE deliveries SET state = 'pending', next_attempt_at = $1 WHERE state = 'parked'",
                &[&now_ms],
            )
            .await?)
    }

    pub(crate) async fn clear_delivered(&self, before_ms: i64) -> Result<u64, StoreError> {
        Ok(self
            .client()
            .await?
            .execute(
                "UPDATE reports SET form = '{}', note = NULL WHERE form <> '{}' AND id IN (
                    SELECT report_id FROM deliveries GROUP BY report_id
                    HAVING bool_and(state = 'delivered') AND MAX(delivered_at) < $1)",
                &[&before_ms],
            )
            .await?)
    }

    pub(crate) async fn backlog(&self) -> Result<Backlog, StoreError> {
        let client = self.client().await?;
        let row = client
            .query_one(
                "SELECT COUNT(*), COUNT(*) FILTER (WHERE state = 'parked'), MIN(created_at)
                 FROM deliveries WHERE state <> 'delivered'",
                &[],
            )
            .await?;
        let parked_error: Option<String> = client
            .query_opt(
                "SELECT last_error FROM deliveries WHERE state = 'parked'
                 ORDER BY created_at DESC LIMIT 1",
                &[],
            )
            .await?
            .and_then(|row| row.get(0));
        Ok(Backlog {
            undelivered: u64::try_from(row.get::<_, i64>(0)).unwrap_or(0),
            parked: u64::try_from(row.get::<_, i64>(1)).unwrap_or(0),
            oldest_ms: row.get(2),
            parked_error,
        })
    }
}
