//! PostgreSQL: the team's states, the audit trail and the team's sessions. Two people changing
//! one report at once: the second `UPDATE` waits for the first to commit, then finds its
//! condition no longer true.
//!
//! The audit trail is append-only: triggers refuse to change, delete or truncate rows (also when
//! a `TRUNCATE … CASCADE` of the reports it refers to reaches it). Each row is chained to the one
//! before it (see `crate::team`); [`record`] is the one place that inserts a row, and instances
//! take turns there (an advisory lock held until the row's transaction ends, taken before its seq
//! is drawn), so the chain follows seq order.

use deadpool_postgres::{GenericClient as _, Transaction};
use incident_report::ReportId;
use tokio_postgres::Row;
use tokio_postgres::types::ToSql;

use super::{AUDIT_LOCK, LOCKS, PostgresStore, SIGN_IN_LOCK};
use crate::StoreError;
use crate::migration::Migration;
use crate::team::{
    AUDIT_PAGE, Actor, AuditAction, AuditCheck, AuditEntry, AuditRow, AuditWalk, Changed,
    DeliveryRecord, DeliveryState, PendingSignIn, Session, TeamReport, TeamSummary,
};
use incident_report::progress::{PassedOn, Progress, TeamState};

pub(super) const MIGRATION: &str = "
    ALTER TABLE reports ADD COLUMN received_at_ms BIGINT,
        ADD COLUMN acknowledged_at BIGINT,
        ADD COLUMN acknowledged_by TEXT,
        ADD COLUMN closed_at BIGINT,
        ADD COLUMN closed_by TEXT,
        ADD COLUMN outcome TEXT,
        ADD COLUMN note TEXT;
    UPDATE reports SET received_at_ms =
        (SELECT MIN(created_at) FROM deliveries WHERE report_id = reports.id);
    CREATE TABLE audit (
        seq BIGSERIAL PRIMARY KEY,
        at BIGINT NOT NULL,
        who TEXT NOT NULL,
        address TEXT NOT NULL,
        action TEXT NOT NULL,
        report_id TEXT REFERENCES reports (id),
        detail TEXT
    );
    CREATE INDEX audit_by_report ON audit (report_id, seq);
    CREATE FUNCTION audit_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'the audit trail is append-only'; END $$;
    CREATE TRIGGER audit_is_append_only BEFORE UPDATE OR DELETE ON audit
        FOR EACH ROW EXECUTE FUNCTION audit_is_append_only();
    CREATE TABLE sessions (
        token_hash TEXT PRIMARY KEY,
        email TEXT NOT NULL,
        name TEXT NOT NULL,
        csrf TEXT NOT NULL,
        id_token TEXT,
        created_at BIGINT NOT NULL,
        last_seen BIGINT NOT NULL
    );
    CREATE TABLE sign_ins (
        state TEXT PRIMARY KEY,
        verifier TEXT NOT NULL,
        nonce TEXT NOT NULL,
        return_to TEXT NOT NULL,
        created_at BIGINT NOT NULL
    );";

/// The audit trail chained, row to row, and never truncated. The rows already there are chained
/// by `migrate` (in Rust, [`chain_existing_audit_rows`]) while the trigger refusing updates is
/// disabled, then it is enabled again, in the same transaction. Every row has a chain from then
/// on: an instance still running older code during an upgrade has its audit writes refused
/// rather than leaving an unchained row that would mark the trail changed for good.
pub(super) const CHAIN_MIGRATION: Migration = Migration {
    sql: "
    ALTER TABLE audit ADD COLUMN chain TEXT;
    ALTER TABLE audit DISABLE TRIGGER audit_is_append_only;
    CREATE TRIGGER audit_is_not_truncated BEFORE TRUNCATE ON audit
        FOR EACH STATEMENT EXECUTE FUNCTION audit_is_append_only();",
    chain_audit: true,
    then: "
    ALTER TABLE audit ENABLE TRIGGER audit_is_append_only;
    ALTER TABLE audit ALTER COLUMN chain SET NOT NULL;",
};

/// The columns [`progress`] reads, from `reports r LEFT JOIN deliveries d … GROUP BY r.seq`.
const STATUS_COLUMNS: &str =
    "r.id, r.reference, COALESCE(r.received_at_ms, 0), COUNT(d.destination),
    COUNT(*) FILTER (WHERE d.state = 'delivered'), COUNT(*) FILTER (WHERE d.state = 'parked'),
    MAX(d.delivered_at), r.acknowledged_at, r.closed_at";

/// The team state of `reports r` as SQL, to filter by.
const STATE_SQL: &str = "CASE WHEN r.closed_at IS NOT NULL THEN 'closed'
    WHEN r.acknowledged_at IS NOT NULL THEN 'acknowledged' ELSE 'new' END";

const SESSION_COLUMNS: &str = "token_hash, email, name, csrf, id_token, created_at, last_seen";

/// The progress of the report in `row` (the [`STATUS_COLUMNS`], first); `None` for an id that
/// cannot be read (ids are checked before they are stored).
fn progress(row: &Row) -> Option<Progress> {
    let id = ReportId::parse(row.get(0)).ok()?;
    let passed_on = crate::team::passed_on(row.get(3), row.get(4), row.get(5));
    let acknowledged_at_ms = row.get(7);
    let closed_at_ms = row.get(8);
    Some(Progress {
        id,
        reference: row.get(1),
        received_at_ms: row.get(2),
        passed_on,
        passed_on_at_ms: if passed_on == PassedOn::Delivered {
            row.get(6)
        } else {
            None
        },
        state: crate::team::team_state(acknowledged_at_ms, closed_at_ms),
        acknowledged_at_ms,
        closed_at_ms,
    })
}

/// The [`STATUS_COLUMNS`], then the answers.
fn summary(row: &Row) -> Option<TeamSummary> {
    Some(TeamSummary {
        progress: progress(row)?,
        form_json: row.get(9),
    })
}

fn audit_entry(row: &Row) -> Option<AuditEntry> {
    Some(AuditEntry {
        at_ms: row.get(0),
        actor: Actor {
            who: row.get(1),
            address: row.get(2),
        },
        action: row.get::<_, String>(3).parse().ok()?,
        report: row
            .get::<_, Option<String>>(4)
            .and_then(|id| ReportId::parse(&id).ok()),
        detail: row.get(5),
    })
}

fn session(row: &Row) -> Session {
    Session {
        token_hash: row.get(0),
        email: row.get(1),
        name: row.get(2),
        csrf: row.get(3),
        id_token: row.get(4),
        created_at_ms: row.get(5),
        last_seen_ms: row.get(6),
    }
}

/// Appends `entry` to the audit trail, chained to the newest row: the one way a row is written.
/// Instances take turns: the lock is taken before the seq is drawn and held until `transaction`
/// ends, so every row is chained to the one committed just before it, in seq order. Callers
/// write the row last, just before they commit, so the lock is held only a moment.
async fn record(transaction: &Transaction<'_>, entry: &AuditEntry) -> Result<(), StoreError> {
    transaction
        .execute(
            "SELECT pg_advisory_xact_lock($1, $2)",
            &[&LOCKS, &AUDIT_LOCK],
        )
        .await?;
    // Read after the lock: a statement's snapshot is taken when it starts, so this sees the row
    // of whoever held the lock before.
    let newest: Option<String> = match transaction
        .query_opt("SELECT chain FROM audit ORDER BY seq DESC LIMIT 1", &[])
        .await?
    {
        Some(row) => Some(row.try_get(0)?),
        None => None,
    };
    let seq: i64 = transaction
        .query_one(
            "SELECT nextval(pg_get_serial_sequence('audit', 'seq'))",
            &[],
        )
        .await?
        .try_get(0)?;
    let row = AuditRow::new(seq, entry);
    let chain = row.chain_after(newest.as_deref());
    transaction
        .execute(
            "INSERT INTO audit (seq, at, who, address, action, report_id, detail, chain)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            &[
                &row.seq,
                &row.at,
                &row.who,
                &row.address,
                &row.action,
                &row.report_id,
                &row.detail,
                &chain,
            ],
        )
        .await?;
    Ok(())
}

/// Up to [`AUDIT_PAGE`] audit rows from seq `from` on, in seq order.
async fn audit_page(
    client: &impl deadpool_postgres::GenericClient,
    from: i64,
) -> Result<Vec<AuditRow>, StoreError> {
    let rows = client
        .query(
            "SELECT seq, at, who, address, action, report_id, detail, chain
             FROM audit WHERE seq >= $1 ORDER BY seq LIMIT $2",
            &[&from, &AUDIT_PAGE],
        )
        .await?;
    let mut page = Vec::with_capacity(rows.len());
    for row in rows {
        page.push(AuditRow {
            seq: row.try_get(0)?,
            at: row.try_get(1)?,
            who: row.try_get(2)?,
            address: row.try_get(3)?,
            action: row.try_get(4)?,
            report_id: row.try_get(5)?,
            detail: row.try_get(6)?,
            chain: row.try_get(7)?,
        });
    }
    Ok(page)
}

/// Chains the audit rows a database had before it had chains, oldest first, a page per
/// statement; run by `migrate` in its transaction, while the trigger refusing updates is off.
pub(super) async fn chain_existing_audit_rows(
    transaction: &Transaction<'_>,
) -> Result<(), StoreError> {
    let mut walk = AuditWalk::default();
    loop {
        let page = audit_page(transaction, walk.from()).await?;
        let seqs: Vec<i64> = page.iter().map(|row| row.seq).collect();
        let chains: Vec<String> = page.iter().map(|row| walk.step(row)).collect();
        transaction
            .execute(
                "UPDATE audit SET chain = page.chain
                 FROM unnest($1::bigint[], $2::text[]) AS page (seq, chain)
                 WHERE audit.seq = page.seq",
                &[&seqs, &chains],
            )
            .await?;
        if walk.at_end(&page) {
            return Ok(());
        }
    }
}

/// The id of the report with `reference`.
async fn id_of(
    client: &impl deadpool_postgres::GenericClient,
    reference: &str,
) -> Result<Option<String>, StoreError> {
    let row = client
        .query_opt("SELECT id FROM reports WHERE reference = $1", &[&reference])
        .await?;
    Ok(row.map(|row| row.get(0)))
}

/// What a change of team state sets, and the audit actions for done and already done.
struct StateChange<'a> {
    set: &'a str,
    only_if: &'a str,
    values: &'a [&'a (dyn ToSql + Sync)],
    done: AuditAction,
    already: AuditAction,
    detail: Option<String>,
}

impl PostgresStore {
    pub(crate) async fn status(&self, id: ReportId) -> Result<Option<Progress>, StoreError> {
        let sql = format!(
            "SELECT {STATUS_COLUMNS} FROM reports r LEFT JOIN deliveries d ON d.report_id = r.id
             WHERE r.id = $1 GROUP BY r.seq"
        );
        let row = self
            .client()
            .await?
            .query_opt(&sql, &[&id.to_string()])
            .await?;
        Ok(row.as_ref().and_then(progress))
    }

    pub(crate) async fn list(
        &self,
        state: Option<TeamState>,
        reference: Option<&str>,
        limit: u32,
    ) -> Result<Vec<TeamSummary>, StoreError> {
        let sql = format!(
            "SELECT {STATUS_COLUMNS}, r.form
             FROM reports r LEFT JOIN deliveries d ON d.report_id = r.id
             WHERE ($1::text IS NULL OR {STATE_SQL} = $1) AND ($2::text IS NULL OR r.reference = $2)
             GROUP BY r.seq ORDER BY r.seq DESC LIMIT $3"
        );
        let rows = self
            .client()
            .await?
            .query(
                &sql,
                &[&state.map(|s| s.to_string()), &reference, &i64::from(limit)],
            )
            .await?;
        Ok(rows.iter().filter_map(summary).collect())
    }

    pub(crate) async fn team_report(
        &self,
        reference: &str,
    ) -> Result<Option<TeamReport>, StoreError> {
        let client = self.client().await?;
        let sql = format!(
            "SELECT {STATUS_COLUMNS}, r.form,
                    r.acknowledged_by, r.closed_by, r.outcome, r.note
             FROM reports r LEFT JOIN deliveries d ON d.report_id = r.id
             WHERE r.reference = $1 GROUP BY r.seq"
        );
        let Some(row) = client.query_opt(&sql, &[&reference]).await? else {
            return Ok(None);
        };
        let Some(summary) = summary(&row) else {
            return Ok(None);
        };
        let id = summary.progress.id.to_string();
        let deliveries = client
            .query(
                "SELECT destination, state, attempts, last_error, delivered_at, next_attempt_at
                 FROM deliveries WHERE report_id = $1 ORDER BY destination",
                &[&id],
            )
            .await?
            .iter()
            .map(|row| DeliveryRecord {
                destination: row.get(0),
                state: DeliveryState::of_row(&row.get::<_, String>(1)),
                attempts: u32::try_from(row.get::<_, i32>(2)).unwrap_or(0),
                last_error: row.get(3),
                delivered_at_ms: row.get(4),
                next_attempt_at_ms: row.get(5),
            })
            .collect();
        let audit = client
            .query(
                "SELECT at, who, address, action, report_id, detail
                 FROM audit WHERE report_id = $1 ORDER BY seq",
                &[&id],
            )
            .await?
            .iter()
            .filter_map(audit_entry)
            .collect();
        Ok(Some(TeamReport {
            summary,
            acknowledged_by: row.get(10),
            closed_by: row.get(11),
            outcome: row
                .get::<_, Option<String>>(12)
                .and_then(|outcome| outcome.parse().ok()),
            note: row.get(13),
            deliveries,
            audit,
        }))
    }

    /// Changes a report's team state and writes the audit row, in one transaction.
    async fn change_state(
        &self,
        reference: &str,
        actor: &Actor,
        now_ms: i64,
        change: StateChange<'_>,
    ) -> Result<Changed, StoreError> {
        let mut client = self.client().await?;
        let transaction = client.transaction().await?;
        let Some(id) = id_of(&transaction, reference).await? else {
            return Ok(Changed::NoSuchReport);
        };
        let sql = format!(
            "UPDATE reports SET {} WHERE id = $1 AND {}",
            change.set, change.only_if
        );
        let mut values: Vec<&(dyn ToSql + Sync)> = vec![&id];
        values.extend_from_slice(change.values);
        let changed = transaction.execute(&sql, &values).await? == 1;
        record(
            &transaction,
            &AuditEntry {
                at_ms: now_ms,
                actor: actor.clone(),
                action: if changed { change.done } else { change.already },
                report: ReportId::parse(&id).ok(),
                detail: change.detail,
            },
        )
        .await?;
        transaction.commit().await?;
        Ok(if changed {
            Changed::Yes
        } else {
            Changed::Already
        })
    }

    pub(crate) async fn acknowledge(
        &self,
        reference: &str,
        actor: &Actor,
        now_ms: i64,
    ) -> Result<Changed, StoreError> {
        self.change_state(
            reference,
            actor,
            now_ms,
            StateChange {
                set: "acknowledged_at = $2, acknowledged_by = $3",
                only_if: "acknowledged_at IS NULL AND closed_at IS NULL",
                values: &[&now_ms, &actor.who],
                done: AuditAction::Acknowledged,
                already: AuditAction::AlreadyAcknowledged,
                detail: None,
            },
        )
        .await
    }

    pub(crate) async fn close(
        &self,
        reference: &str,
        outcome: &str,
        note: &str,
        actor: &Actor,
        now_ms: i64,
    ) -> Result<Changed, StoreError> {
        self.change_state(
            reference,
            actor,
            now_ms,
            StateChange {
                set: "closed_at = $2, closed_by = $3, outcome = $4, note = $5,
                      acknowledged_at = COALESCE(acknowledged_at, $2),
                      acknowledged_by = COALESCE(acknowledged_by, $3)",
                only_if: "closed_at IS NULL",
                values: &[&now_ms, &actor.who, &outcome, &note],
                done: AuditAction::Closed,
                already: AuditAction::AlreadyClosed,
                detail: Some(outcome.to_owned()),
            },
        )
        .await
    }

    pub(crate) async fn retry_delivery(
        &self,
        reference: &str,
        actor: &Actor,
        now_ms: i64,
    ) -> Result<Changed, StoreError> {
        let mut client = self.client().await?;
        let transaction = client.transaction().await?;
        let Some(id) = id_of(&transaction, reference).await? else {
            return Ok(Changed::NoSuchReport);
        };
        let destinations: Vec<String> = transaction
            .query(
                "UPDATE deliveries SET state = 'pending', next_attempt_at = $2
                 WHERE report_id = $1 AND state = 'parked' RETURNING destination",
                &[&id, &now_ms],
            )
            .await?
            .iter()
            .map(|row| row.get(0))
            .collect();
        record(
            &transaction,
            &AuditEntry {
                at_ms: now_ms,
                actor: actor.clone(),
                action: AuditAction::RetriedDelivery,
                report: ReportId::parse(&id).ok(),
                detail: Some(crate::retried_detail(&destinations)),
            },
        )
        .await?;
        transaction.commit().await?;
        Ok(if destinations.is_empty() {
            Changed::Already
        } else {
            Changed::Yes
        })
    }

    pub(crate) async fn record(&self, entry: &AuditEntry) -> Result<(), StoreError> {
        let mut client = self.client().await?;
        let transaction = client.transaction().await?;
        record(&transaction, entry).await?;
        transaction.commit().await?;
        Ok(())
    }

    /// Walks the whole audit trail, a page per query: rows written meanwhile by any instance
    /// come after the walk (their seqs are drawn in turn, so none lands behind it).
    pub(crate) async fn check_audit_trail(&self) -> Result<AuditCheck, StoreError> {
        let client = self.client().await?;
        let mut walk = AuditWalk::default();
        loop {
            let page = audit_page(&client, walk.from()).await?;
            if let Some(found) = walk.check(&page) {
                return Ok(found);
            }
        }
    }

    pub(crate) async fn begin_session(&self, session: &Session) -> Result<(), StoreError> {
        self.client()
            .await?
            .execute(
                &format!(
                    "INSERT INTO sessions ({SESSION_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)"
                ),
                &[
                    &session.token_hash,
                    &session.email,
                    &session.name,
                    &session.csrf,
                    &session.id_token,
                    &session.created_at_ms,
                    &session.last_seen_ms,
                ],
            )
            .await?;
        Ok(())
    }

    pub(crate) async fn touch_session(
        &self,
        token_hash: &str,
        now_ms: i64,
        idle_after_ms: i64,
        absolute_ms: i64,
    ) -> Result<Option<Session>, StoreError> {
        let row = self
            .client()
            .await?
            .query_opt(
                &format!(
                    "UPDATE sessions SET last_seen = $2
                     WHERE token_hash = $1 AND last_seen > $2::bigint - $3::bigint AND created_at > $2::bigint - $4::bigint
                     RETURNING {SESSION_COLUMNS}"
                ),
                &[&token_hash, &now_ms, &idle_after_ms, &absolute_ms],
            )
            .await?;
        Ok(row.map(|row| session(&row)))
    }

    pub(crate) async fn end_session(
        &self,
        token_hash: &str,
    ) -> Result<Option<Session>, StoreError> {
        let row = self
            .client()
            .await?
            .query_opt(
                &format!("DELETE FROM sessions WHERE token_hash = $1 RETURNING {SESSION_COLUMNS}"),
                &[&token_hash],
            )
            .await?;
        Ok(row.map(|row| session(&row)))
    }

    pub(crate) async fn forget_sessions(
        &self,
        now_ms: i64,
        idle_after_ms: i64,
        absolute_ms: i64,
    ) -> Result<u64, StoreError> {
        let client = self.client().await?;
        let sessions = client
            .execute(
                "DELETE FROM sessions WHERE last_seen <= $1::bigint - $2::bigint OR created_at <= $1::bigint - $3::bigint",
                &[&now_ms, &idle_after_ms, &absolute_ms],
            )
            .await?;
        let sign_ins = client
            .execute(
                "DELETE FROM sign_ins WHERE created_at <= $1::bigint - $2::bigint",
                &[&now_ms, &crate::SIGN_IN_LIMIT_MS],
            )
            .await?;
        Ok(sessions + sign_ins)
    }

    /// Stores the sign-in and, in the same transaction, ends the oldest others beyond
    /// [`crate::MAX_PENDING_SIGN_INS`] (never this one, whatever its clock says). Instances take
    /// turns, so each sees the others' sign-ins and the bound holds across them.
    pub(crate) async fn begin_sign_in(&self, sign_in: &PendingSignIn) -> Result<(), StoreError> {
        let mut client = self.client().await?;
        let transaction = client.transaction().await?;
        transaction
            .execute(
                "SELECT pg_advisory_xact_lock($1, $2)",
                &[&LOCKS, &SIGN_IN_LOCK],
            )
            .await?;
        transaction
            .execute(
                "INSERT INTO sign_ins (state, verifier, nonce, return_to, created_at, started_by)
                 VALUES ($1, $2, $3, $4, $5, $6)",
                &[
                    &sign_in.state,
                    &sign_in.verifier,
                    &sign_in.nonce,
                    &sign_in.return_to,
                    &sign_in.created_at_ms,
                    &sign_in.started_by,
                ],
            )
            .await?;
        // Past the bound, the oldest of whoever has the most unfinished: a flood from a few
        // addresses ends its own, not a team member's one sign-in.
        transaction
            .execute(
                "DELETE FROM sign_ins WHERE state IN (
                    SELECT state FROM sign_ins
                    WHERE state <> $1 AND started_by = (
                        SELECT started_by FROM sign_ins GROUP BY started_by
                        ORDER BY COUNT(*) DESC, MIN(created_at) LIMIT 1)
                    ORDER BY created_at, state
                    LIMIT GREATEST((SELECT COUNT(*) FROM sign_ins) - $2, 0))",
                &[&sign_in.state, &crate::MAX_PENDING_SIGN_INS],
            )
            .await?;
        transaction.commit().await?;
        Ok(())
    }

    pub(crate) async fn take_sign_in(
        &self,
        state: &str,
        now_ms: i64,
    ) -> Result<Option<PendingSignIn>, StoreError> {
        let row = self
            .client()
            .await?
            .query_opt(
                "DELETE FROM sign_ins WHERE state = $1 AND created_at > $2::bigint - $3::bigint
                 RETURNING state, verifier, nonce, return_to, created_at, started_by",
                &[&state, &now_ms, &crate::SIGN_IN_LIMIT_MS],
            )
            .await?;
        Ok(row.map(|row| PendingSignIn {
            state: row.get(0),
            verifier: row.get(1),
            nonce: row.get(2),
            return_to: row.get(3),
            created_at_ms: row.get(4),
            started_by: row.get(5),
        }))
    }
}
