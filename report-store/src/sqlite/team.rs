//! SQLite: the team's states, the audit trail and the team's sessions.
//!
//! The audit trail is append-only: triggers refuse to change or delete a row, or to replace one
//! (`INSERT OR REPLACE` deletes the row it replaces without firing delete triggers). Each row is
//! chained to the one before it (see `crate::team`); [`record`] is the one place that inserts a
//! row, reading the newest row's chain and writing the new one inside one IMMEDIATE transaction,
//! so no other writer comes between.

use incident_report::ReportId;
use rusqlite::{Connection, OptionalExtension, Row, Transaction, TransactionBehavior, params};

use super::SqliteStore;
use crate::StoreError;
use crate::migration::Migration;
use crate::team::{
    AUDIT_PAGE, Actor, AuditAction, AuditCheck, AuditEntry, AuditRow, AuditWalk, Changed,
    DeliveryRecord, DeliveryState, PendingSignIn, Session, TeamReport, TeamSummary,
};
use incident_report::progress::{PassedOn, Progress, TeamState};

pub(super) const MIGRATION: &str = "
    ALTER TABLE reports ADD COLUMN received_at_ms INTEGER;
    UPDATE reports SET received_at_ms =
        (SELECT MIN(created_at) FROM deliveries WHERE report_id = reports.id);
    ALTER TABLE reports ADD COLUMN acknowledged_at INTEGER;
    ALTER TABLE reports ADD COLUMN acknowledged_by TEXT;
    ALTER TABLE reports ADD COLUMN closed_at INTEGER;
    ALTER TABLE reports ADD COLUMN closed_by TEXT;
    ALTER TABLE reports ADD COLUMN outcome TEXT;
    ALTER TABLE reports ADD COLUMN note TEXT;
    CREATE TABLE audit (
        seq INTEGER PRIMARY KEY,
        at INTEGER NOT NULL,
        who TEXT NOT NULL,
        address TEXT NOT NULL,
        action TEXT NOT NULL,
        report_id TEXT REFERENCES reports (id),
        detail TEXT
    ) STRICT;
    CREATE INDEX audit_by_report ON audit (report_id, seq);
    CREATE TRIGGER audit_is_not_changed BEFORE UPDATE ON audit
        BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
    CREATE TRIGGER audit_is_not_deleted BEFORE DELETE ON audit
        BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
    CREATE TABLE sessions (
        token_hash TEXT PRIMARY KEY,
        email TEXT NOT NULL,
        name TEXT NOT NULL,
        csrf TEXT NOT NULL,
        id_token TEXT,
        created_at INTEGER NOT NULL,
        last_seen INTEGER NOT NULL
    ) STRICT;
    CREATE TABLE sign_ins (
        state TEXT PRIMARY KEY,
        verifier TEXT NOT NULL,
        nonce TEXT NOT NULL,
        return_to TEXT NOT NULL,
        created_at INTEGER NOT NULL
    ) STRICT;";

/// The audit trail chained, row to row. The rows already there are chained by `migrate` (in
/// Rust, [`chain_existing_audit_rows`]) while the trigger refusing updates is dropped; it is
/// recreated after, in the same transaction. A row inserted over an existing seq is refused:
/// `INSERT OR REPLACE` would otherwise delete the old row without firing the delete trigger.
pub(super) const CHAIN_MIGRATION: Migration = Migration {
    sql: "
    ALTER TABLE audit ADD COLUMN chain TEXT;
    DROP TRIGGER audit_is_not_changed;
    CREATE TRIGGER audit_is_not_replaced BEFORE INSERT ON audit
        WHEN EXISTS (SELECT 1 FROM audit WHERE seq = NEW.seq)
        BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;",
    chain_audit: true,
    then: "
    CREATE TRIGGER audit_is_not_changed BEFORE UPDATE ON audit
        BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;",
};

/// The columns [`progress`] reads, from `reports r LEFT JOIN deliveries d … GROUP BY r.seq`.
const STATUS_COLUMNS: &str =
    "r.id, r.reference, COALESCE(r.received_at_ms, 0), COUNT(d.destination),
    COUNT(*) FILTER (WHERE d.state = 'delivered'), COUNT(*) FILTER (WHERE d.state = 'parked'),
    MAX(d.delivered_at), r.acknowledged_at, r.closed_at";

/// The team state of `reports r` as SQL, to filter by.
const STATE_SQL: &str = "CASE WHEN r.closed_at IS NOT NULL THEN 'closed'
    WHEN r.acknowledged_at IS NOT NULL THEN 'acknowledged' ELSE 'new' END";

/// The progress of the report in `row` (the [`STATUS_COLUMNS`], first); `None` for an id that
/// cannot be read (ids are checked before they are stored).
fn progress(row: &Row<'_>) -> rusqlite::Result<Option<Progress>> {
    let id: String = row.get(0)?;
    let Ok(id) = ReportId::parse(&id) else {
        return Ok(None);
    };
    let passed_on = crate::team::passed_on(row.get(3)?, row.get(4)?, row.get(5)?);
    let acknowledged_at_ms = row.get(7)?;
    let closed_at_ms = row.get(8)?;
    Ok(Some(Progress {
        id,
        reference: row.get(1)?,
        received_at_ms: row.get(2)?,
        passed_on,
        passed_on_at_ms: if passed_on == PassedOn::Delivered {
            row.get(6)?
        } else {
            None
        },
        state: crate::team::team_state(acknowledged_at_ms, closed_at_ms),
        acknowledged_at_ms,
        closed_at_ms,
    }))
}

/// The [`STATUS_COLUMNS`], then the answers.
fn summary(row: &Row<'_>) -> rusqlite::Result<Option<TeamSummary>> {
    let Some(progress) = progress(row)? else {
        return Ok(None);
    };
    Ok(Some(TeamSummary {
        progress,
        form_json: row.get(9)?,
    }))
}

fn audit_entry(row: &Row<'_>) -> rusqlite::Result<Option<AuditEntry>> {
    let action: String = row.get(3)?;
    let report: Option<String> = row.get(4)?;
    let Ok(action) = action.parse::<AuditAction>() else {
        return Ok(None);
    };
    Ok(Some(AuditEntry {
        at_ms: row.get(0)?,
        actor: Actor {
            who: row.get(1)?,
            address: row.get(2)?,
        },
        action,
        report: report.and_then(|id| ReportId::parse(&id).ok()),
        detail: row.get(5)?,
    }))
}

fn session(row: &Row<'_>) -> rusqlite::Result<Session> {
    Ok(Session {
        token_hash: row.get(0)?,
        email: row.get(1)?,
        name: row.get(2)?,
        csrf: row.get(3)?,
        id_token: row.get(4)?,
        created_at_ms: row.get(5)?,
        last_seen_ms: row.get(6)?,
    })
}

const SESSION_COLUMNS: &str = "token_hash, email, name, csrf, id_token, created_at, last_seen";

/// Appends `entry` to the audit trail, chained to the newest row: the one way a row is written.
/// `transaction` must be IMMEDIATE (it holds the write lock from its start), so that no other
/// writer adds a row between reading the newest and writing this one.
fn record(transaction: &Transaction<'_>, entry: &AuditEntry) -> Result<(), StoreError> {
    let newest: Option<(i64, String)> = transaction
        .query_row(
            "SELECT seq, COALESCE(chain, '') FROM audit ORDER BY seq DESC LIMIT 1",
            [],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .optional()?;
    // At the largest seq the insert is refused (that seq is taken) rather than overflowing.
    let seq = newest.as_ref().map_or(1, |(seq, _)| seq.saturating_add(1));
    let row = AuditRow::new(seq, entry);
    let chain = row.chain_after(newest.as_ref().map(|(_, chain)| chain.as_str()));
    transaction.execute(
        "INSERT INTO audit (seq, at, who, address, action, report_id, detail, chain)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            row.seq,
            row.at,
            row.who,
            row.address,
            row.action,
            row.report_id,
            row.detail,
            chain
        ],
    )?;
    Ok(())
}

/// Up to [`AUDIT_PAGE`] audit rows from seq `from` on, in seq order.
fn audit_page(connection: &Connection, from: i64) -> rusqlite::Result<Vec<AuditRow>> {
    connection
        .prepare_cached(
            "SELECT seq, at, who, address, action, report_id, detail, chain
             FROM audit WHERE seq >= ?1 ORDER BY seq LIMIT ?2",
        )?
        .query_map(params![from, AUDIT_PAGE], |row| {
            Ok(AuditRow {
                seq: row.get(0)?,
                at: row.get(1)?,
                who: row.get(2)?,
                address: row.get(3)?,
                action: row.get(4)?,
                report_id: row.get(5)?,
                detail: row.get(6)?,
                chain: row.get(7)?,
            })
        })?
        .collect()
}

/// Chains the audit rows a database had before it had chains, oldest first; run by `migrate`
/// in its transaction, while the trigger refusing updates is dropped.
pub(super) fn chain_existing_audit_rows(transaction: &Transaction<'_>) -> Result<(), StoreError> {
    let mut walk = AuditWalk::default();
    let mut set = transaction.prepare("UPDATE audit SET chain = ?2 WHERE seq = ?1")?;
    loop {
        let page = audit_page(transaction, walk.from())?;
        for row in &page {
            set.execute(params![row.seq, walk.step(row)])?;
        }
        if walk.at_end(&page) {
            return Ok(());
        }
    }
}

/// The id of the report with `reference`.
fn id_of(connection: &rusqlite::Connection, reference: &str) -> rusqlite::Result<Option<String>> {
    connection
        .query_row(
            "SELECT id FROM reports WHERE reference = ?1",
            [reference],
            |row| row.get(0),
        )
        .optional()
}

/// What a change of team state sets, and the audit actions for done and already done.
struct StateChange<'a> {
    set: &'a str,
    only_if: &'a str,
    values: &'a [&'a dyn rusqlite::ToSql],
    done: AuditAction,
    already: AuditAction,
    detail: Option<String>,
}

impl SqliteStore {
    pub(crate) fn status(&self, id: ReportId) -> Result<Option<Progress>, StoreError> {
        let sql = format!(
            "SELECT {STATUS_COLUMNS} FROM reports r LEFT JOIN deliveries d ON d.report_id = r.id
             WHERE r.id = ?1 GROUP BY r.seq"
        );
        Ok(self
            .lock()
            .query_row(&sql, [id.to_string()], progress)
            .optional()?
            .flatten())
    }

    pub(crate) fn list(
        &self,
        state: Option<TeamState>,
        reference: Option<&str>,
        limit: u32,
    ) -> Result<Vec<TeamSummary>, StoreError> {
        let sql = format!(
            "SELECT {STATUS_COLUMNS}, r.form
             FROM reports r LEFT JOIN deliveries d ON d.report_id = r.id
             WHERE (?1 IS NULL OR {STATE_SQL} = ?1) AND (?2 IS NULL OR r.reference = ?2)
             GROUP BY r.seq ORDER BY r.seq DESC LIMIT ?3"
        );
        let connection = self.lock();
        let mut statement = connection.prepare(&sql)?;
        let rows = statement.query_map(
            params![state.map(|s| s.to_string()), reference, limit],
            summary,
        )?;
        let mut found = Vec::new();
        for row in rows {
            found.extend(row?);
        }
        Ok(found)
    }

    pub(crate) fn team_report(&self, reference: &str) -> Result<Option<TeamReport>, StoreError> {
        let connection = self.lock();
        let sql = format!(
            "SELECT {STATUS_COLUMNS}, r.form,
                    r.acknowledged_by, r.closed_by, r.outcome, r.note
             FROM reports r LEFT JOIN deliveries d ON d.report_id = r.id
             WHERE r.reference = ?1 GROUP BY r.seq"
        );
        let found = connection
            .query_row(&sql, [reference], |row| {
                Ok(
                    summary(row)?.map(|summary| -> rusqlite::Result<TeamReport> {
                        Ok(TeamReport {
                            summary,
                            acknowledged_by: row.get(10)?,
                            closed_by: row.get(11)?,
                            outcome: row
                                .get::<_, Option<String>>(12)?
                                .and_then(|outcome| outcome.parse().ok()),
                            note: row.get(13)?,
                            deliveries: Vec::new(),
                            audit: Vec::new(),
                        })
                    }),
                )
            })
            .optional()?;
        let Some(Some(report)) = found else {
            return Ok(None);
        };
        let mut report = report?;
        let id = report.summary.progress.id.to_string();
        let mut deliveries = connection.prepare(
            "SELECT destination, state, attempts, last_error, delivered_at, next_attempt_at
             FROM deliveries WHERE report_id = ?1 ORDER BY destination",
        )?;
        for delivery in deliveries.query_map([&id], |row| {
            Ok(DeliveryRecord {
                destination: row.get(0)?,
                state: DeliveryState::of_row(&row.get::<_, String>(1)?),
                attempts: row.get(2)?,
                last_error: row.get(3)?,
                delivered_at_ms: row.get(4)?,
                next_attempt_at_ms: row.get(5)?,
            })
        })? {
            report.deliveries.push(delivery?);
        }
        let mut audit = connection.prepare(
            "SELECT at, who, address, action, report_id, detail
             FROM audit WHERE report_id = ?1 ORDER BY seq",
        )?;
        for entry in audit.query_map([&id], audit_entry)? {
            report.audit.extend(entry?);
        }
        Ok(Some(report))
    }

    /// Changes a report's team state and writes the audit row, in one transaction.
    fn change_state(
        &self,
        reference: &str,
        actor: &Actor,
        now_ms: i64,
        change: &StateChange<'_>,
    ) -> Result<Changed, StoreError> {
        let mut connection = self.lock();
        let transaction = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let Some(id) = id_of(&transaction, reference)? else {
            return Ok(Changed::NoSuchReport);
        };
        let sql = format!(
            "UPDATE reports SET {} WHERE id = ?1 AND {}",
            change.set, change.only_if
        );
        let mut values: Vec<&dyn rusqlite::ToSql> = vec![&id];
        values.extend_from_slice(change.values);
        let changed = transaction.execute(&sql, values.as_slice())? == 1;
        record(
            &transaction,
            &AuditEntry {
                at_ms: now_ms,
                actor: actor.clone(),
                action: if changed { change.done } else { change.already },
                report: ReportId::parse(&id).ok(),
                detail: change.detail.clone(),
            },
        )?;
        transaction.commit()?;
        Ok(if changed {
            Changed::Yes
        } else {
            Changed::Already
        })
    }

    pub(crate) fn acknowledge(
        &self,
        reference: &str,
        actor: &Actor,
        now_ms: i64,
    ) -> Result<Changed, StoreError> {
        self.change_state(
            reference,
            actor,
            now_ms,
            &StateChange {
                set: "acknowledged_at = ?2, acknowledged_by = ?3",
                only_if: "acknowledged_at IS NULL AND closed_at IS NULL",
                values: &[&now_ms, &actor.who],
                done: AuditAction::Acknowledged,
                already: AuditAction::AlreadyAcknowledged,
                detail: None,
            },
        )
    }

    pub(crate) fn close(
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
            &StateChange {
                set: "closed_at = ?2, closed_by = ?3, outcome = ?4, note = ?5,
                      acknowledged_at = COALESCE(acknowledged_at, ?2),
                      acknowledged_by = COALESCE(acknowledged_by, ?3)",
                only_if: "closed_at IS NULL",
                values: &[&now_ms, &actor.who, &outcome, &note],
                done: AuditAction::Closed,
                already: AuditAction::AlreadyClosed,
                detail: Some(outcome.to_owned()),
            },
        )
    }

    pub(crate) fn retry_delivery(
        &self,
        reference: &str,
        actor: &Actor,
        now_ms: i64,
    ) -> Result<Changed, StoreError> {
        let mut connection = self.lock();
        let transaction = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let Some(id) = id_of(&transaction, reference)? else {
            return Ok(Changed::NoSuchReport);
        };
        let destinations: Vec<String> = transaction
            .prepare(
                "UPDATE deliveries SET state = 'pending', next_attempt_at = ?2
                 WHERE report_id = ?1 AND state = 'parked' RETURNING destination",
            )?
            .query_map(params![id, now_ms], |row| row.get(0))?
            .collect::<Result<_, _>>()?;
        record(
            &transaction,
            &AuditEntry {
                at_ms: now_ms,
                actor: actor.clone(),
                action: AuditAction::RetriedDelivery,
                report: ReportId::parse(&id).ok(),
                detail: Some(crate::retried_detail(&destinations)),
            },
        )?;
        transaction.commit()?;
        Ok(if destinations.is_empty() {
            Changed::Already
        } else {
            Changed::Yes
        })
    }

    pub(crate) fn record(&self, entry: &AuditEntry) -> Result<(), StoreError> {
        let mut connection = self.lock();
        let transaction = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
        record(&transaction, entry)?;
        transaction.commit()?;
        Ok(())
    }

    /// Walks the whole audit trail, a page at a time (the lock is let go between pages, so the
    /// server goes on writing while a long trail is checked: new rows come after the walk).
    pub(crate) fn check_audit_trail(&self) -> Result<AuditCheck, StoreError> {
        let mut walk = AuditWalk::default();
        loop {
            let page = audit_page(&self.lock(), walk.from())?;
            if let Some(found) = walk.check(&page) {
                return Ok(found);
            }
        }
    }

    pub(crate) fn begin_session(&self, session: &Session) -> Result<(), StoreError> {
        self.lock().execute(
            &format!(
                "INSERT INTO sessions ({SESSION_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
            ),
            params![
                session.token_hash,
                session.email,
                session.name,
                session.csrf,
                session.id_token,
                session.created_at_ms,
                session.last_seen_ms
            ],
        )?;
        Ok(())
    }

    pub(crate) fn touch_session(
        &self,
        token_hash: &str,
        now_ms: i64,
        idle_after_ms: i64,
        absolute_ms: i64,
    ) -> Result<Option<Session>, StoreError> {
        Ok(self
            .lock()
            .query_row(
                &format!(
                    "UPDATE sessions SET last_seen = ?2
                     WHERE token_hash = ?1 AND last_seen > ?2 - ?3 AND created_at > ?2 - ?4
                     RETURNING {SESSION_COLUMNS}"
                ),
                params![token_hash, now_ms, idle_after_ms, absolute_ms],
                session,
            )
            .optional()?)
    }

    pub(crate) fn end_session(&self, token_hash: &str) -> Result<Option<Session>, StoreError> {
        Ok(self
            .lock()
            .query_row(
                &format!("DELETE FROM sessions WHERE token_hash = ?1 RETURNING {SESSION_COLUMNS}"),
                [token_hash],
                session,
            )
            .optional()?)
    }

    pub(crate) fn forget_sessions(
        &self,
        now_ms: i64,
        idle_after_ms: i64,
        absolute_ms: i64,
    ) -> Result<u64, StoreError> {
        let connection = self.lock();
        let sessions = connection.execute(
            "DELETE FROM sessions WHERE last_seen <= ?1 - ?2 OR created_at <= ?1 - ?3",
            params![now_ms, idle_after_ms, absolute_ms],
        )?;
        let sign_ins = connection.execute(
            "DELETE FROM sign_ins WHERE created_at <= ?1 - ?2",
            params![now_ms, crate::SIGN_IN_LIMIT_MS],
        )?;
        Ok(u64::try_from(sessions + sign_ins).unwrap_or(0))
    }

    /// Stores the sign-in and, in the same transaction, ends the oldest others beyond
    /// [`crate::MAX_PENDING_SIGN_INS`] (never this one, whatever its clock says).
    pub(crate) fn begin_sign_in(&self, sign_in: &PendingSignIn) -> Result<(), StoreError> {
        let mut connection = self.lock();
        let transaction = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
        transaction.execute(
            "INSERT INTO sign_ins (state, verifier, nonce, return_to, created_at, started_by)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                sign_in.state,
                sign_in.verifier,
                sign_in.nonce,
                sign_in.return_to,
                sign_in.created_at_ms,
                sign_in.started_by
            ],
        )?;
        // Past the bound, the oldest of whoever has the most unfinished: a flood from a few
        // addresses ends its own, not a team member's one sign-in.
        transaction.execute(
            "DELETE FROM sign_ins WHERE state IN (
                SELECT state FROM sign_ins
                WHERE state != ?1 AND started_by = (
                    SELECT started_by FROM sign_ins GROUP BY started_by
                    ORDER BY COUNT(*) DESC, MIN(created_at) LIMIT 1)
                ORDER BY created_at, rowid
                LIMIT MAX((SELECT COUNT(*) FROM sign_ins) - ?2, 0))",
            params![sign_in.state, crate::MAX_PENDING_SIGN_INS],
        )?;
        transaction.commit()?;
        Ok(())
    }

    pub(crate) fn take_sign_in(
        &self,
        state: &str,
        now_ms: i64,
    ) -> Result<Option<PendingSignIn>, StoreError> {
        Ok(self
            .lock()
            .query_row(
                "DELETE FROM sign_ins WHERE state = ?1 AND created_at > ?2 - ?3
                 RETURNING state, verifier, nonce, return_to, created_at, started_by",
                params![state, now_ms, crate::SIGN_IN_LIMIT_MS],
                |row| {
                    Ok(PendingSignIn {
                        state: row.get(0)?,
                        verifier: row.get(1)?,
                        nonce: row.get(2)?,
                        return_to: row.get(3)?,
                        created_at_ms: row.get(4)?,
                        started_by: row.get(5)?,
                    })
                },
            )
            .optional()?)
    }
}
