//! The team's view: what a reporter may know of a report, the team's list and report page, the
//! team's changes of state, and the audit trail — append-only, each row chained to the one before
//! it (see `crate::team`), with [`record`] the one place that inserts a row.

use incident_report::ReportId;
use incident_report::progress::{PassedOn, Progress, TeamState};

use crate::StoreError;
use crate::sql::{Row, Sql, Turn, Value, params};
use crate::team::{
    AUDIT_PAGE, Actor, AuditAction, AuditEntry, AuditRow, AuditWalk, Changed, DeliveryRecord,
    DeliveryState, TeamReport, TeamSummary, passed_on, team_state,
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
fn progress(row: &Row) -> Result<Option<Progress>, StoreError> {
    let Ok(id) = ReportId::parse(&row.text(0)?) else {
        return Ok(None);
    };
    let passed_on = passed_on(row.int(3)?, row.int(4)?, row.int(5)?);
    let acknowledged_at_ms = row.opt_int(7)?;
    let closed_at_ms = row.opt_int(8)?;
    Ok(Some(Progress {
        id,
        reference: row.text(1)?,
        received_at_ms: row.int(2)?,
        passed_on,
        passed_on_at_ms: if passed_on == PassedOn::Delivered {
            row.opt_int(6)?
        } else {
            None
        },
        state: team_state(acknowledged_at_ms, closed_at_ms),
        acknowledged_at_ms,
        closed_at_ms,
    }))
}

/// The [`STATUS_COLUMNS`], then the answers.
fn summary(row: &Row) -> Result<Option<TeamSummary>, StoreError> {
    let Some(progress) = progress(row)? else {
        return Ok(None);
    };
    Ok(Some(TeamSummary {
        progress,
        form_json: row.text(9)?,
    }))
}

fn audit_entry(row: &Row) -> Result<Option<AuditEntry>, StoreError> {
    let Ok(action) = row.text(3)?.parse::<AuditAction>() else {
        return Ok(None);
    };
    Ok(Some(AuditEntry {
        at_ms: row.int(0)?,
        actor: Actor {
            who: row.text(1)?,
            address: row.text(2)?,
        },
        action,
        report: row.opt_text(4)?.and_then(|id| ReportId::parse(&id).ok()),
        detail: row.opt_text(5)?,
    }))
}

pub(crate) async fn status(sql: &impl Sql, id: ReportId) -> Result<Option<Progress>, StoreError> {
    let row = sql
        .query_opt(
            &format!(
                "SELECT {STATUS_COLUMNS} FROM reports r LEFT JOIN deliveries d ON d.report_id = r.id
                 WHERE r.id = $1 GROUP BY r.seq"
            ),
            params![id.to_string()],
        )
        .await?;
    Ok(match row {
        Some(row) => progress(&row)?,
        None => None,
    })
}

pub(crate) async fn list(
    sql: &impl Sql,
    state: Option<TeamState>,
    reference: Option<&str>,
    limit: u32,
) -> Result<Vec<TeamSummary>, StoreError> {
    let rows = sql
        .query(
            &format!(
                "SELECT {STATUS_COLUMNS}, r.form
                 FROM reports r LEFT JOIN deliveries d ON d.report_id = r.id
                 WHERE (CAST($1 AS TEXT) IS NULL OR {STATE_SQL} = CAST($1 AS TEXT))
                   AND (CAST($2 AS TEXT) IS NULL OR r.reference = CAST($2 AS TEXT))
                 GROUP BY r.seq ORDER BY r.seq DESC LIMIT $3"
            ),
            params![state.map(|s| s.to_string()), reference, limit],
        )
        .await?;
    let mut all = Vec::with_capacity(rows.len());
    for row in &rows {
        all.extend(summary(row)?);
    }
    Ok(all)
}

pub(crate) async fn team_report(
    sql: &impl Sql,
    reference: &str,
) -> Result<Option<TeamReport>, StoreError> {
    let Some(row) = sql
        .query_opt(
            &format!(
                "SELECT {STATUS_COLUMNS}, r.form,
                        r.acknowledged_by, r.closed_by, r.outcome, r.note
                 FROM reports r LEFT JOIN deliveries d ON d.report_id = r.id
                 WHERE r.reference = $1 GROUP BY r.seq"
            ),
            params![reference],
        )
        .await?
    else {
        return Ok(None);
    };
    let Some(summary) = summary(&row)? else {
        return Ok(None);
    };
    let id = summary.progress.id.to_string();
    let mut deliveries = Vec::new();
    for delivery in sql
        .query(
            "SELECT destination, state, attempts, last_error, delivered_at, next_attempt_at
             FROM deliveries WHERE report_id = $1 ORDER BY destination",
            params![&id],
        )
        .await?
    {
        deliveries.push(DeliveryRecord {
            destination: delivery.text(0)?,
            state: DeliveryState::of_row(&delivery.text(1)?),
            attempts: u32::try_from(delivery.int(2)?).unwrap_or(0),
            last_error: delivery.opt_text(3)?,
            delivered_at_ms: delivery.opt_int(4)?,
            next_attempt_at_ms: delivery.int(5)?,
        });
    }
    let mut audit = Vec::new();
    for entry in sql
        .query(
            "SELECT at, who, address, action, report_id, detail
             FROM audit WHERE report_id = $1 ORDER BY seq",
            params![&id],
        )
        .await?
    {
        audit.extend(audit_entry(&entry)?);
    }
    Ok(Some(TeamReport {
        summary,
        acknowledged_by: row.opt_text(10)?,
        closed_by: row.opt_text(11)?,
        outcome: row.opt_text(12)?.and_then(|outcome| outcome.parse().ok()),
        note: row.opt_text(13)?,
        deliveries,
        audit,
    }))
}

/// The id of the report with `reference`.
async fn id_of(sql: &impl Sql, reference: &str) -> Result<Option<String>, StoreError> {
    sql.query_opt(
        "SELECT id FROM reports WHERE reference = $1",
        params![reference],
    )
    .await?
    .map(|row| row.text(0))
    .transpose()
}

/// What a change of team state sets (parameters from `$2`; `$1` is the report's id), and the
/// audit actions for done and already done.
pub(crate) struct StateChange<'a> {
    pub(crate) set: &'a str,
    pub(crate) only_if: &'a str,
    pub(crate) values: Vec<Value>,
    pub(crate) done: AuditAction,
    pub(crate) already: AuditAction,
    pub(crate) detail: Option<String>,
}

impl StateChange<'_> {
    pub(crate) fn acknowledge(actor: &Actor, now_ms: i64) -> Self {
        StateChange {
            set: "acknowledged_at = $2, acknowledged_by = $3",
            only_if: "acknowledged_at IS NULL AND closed_at IS NULL",
            values: params![now_ms, &actor.who].to_vec(),
            done: AuditAction::Acknowledged,
            already: AuditAction::AlreadyAcknowledged,
            detail: None,
        }
    }

    pub(crate) fn close(actor: &Actor, now_ms: i64, outcome: &str, note: &str) -> Self {
        StateChange {
            set: "closed_at = $2, closed_by = $3, outcome = $4, note = $5,
                  acknowledged_at = COALESCE(acknowledged_at, $2),
                  acknowledged_by = COALESCE(acknowledged_by, $3)",
            only_if: "closed_at IS NULL",
            values: params![now_ms, &actor.who, outcome, note].to_vec(),
            done: AuditAction::Closed,
            already: AuditAction::AlreadyClosed,
            detail: Some(outcome.to_owned()),
        }
    }
}

/// Changes a report's team state and writes the audit row (either way), in the caller's
/// transaction. Two people changing one report at once: the second `UPDATE` waits for the first
/// to commit (PostgreSQL) or for its turn (SQLite), then finds its condition no longer true.
pub(crate) async fn change_state(
    sql: &impl Sql,
    reference: &str,
    actor: &Actor,
    now_ms: i64,
    change: StateChange<'_>,
) -> Result<Changed, StoreError> {
    let Some(id) = id_of(sql, reference).await? else {
        return Ok(Changed::NoSuchReport);
    };
    let mut values = params![&id].to_vec();
    values.extend(change.values);
    let changed = sql
        .execute(
            &format!(
                "UPDATE reports SET {} WHERE id = $1 AND {}",
                change.set, change.only_if
            ),
            &values,
        )
        .await?
        == 1;
    record(
        sql,
        &AuditEntry {
            at_ms: now_ms,
            actor: actor.clone(),
            action: if changed { change.done } else { change.already },
            report: ReportId::parse(&id).ok(),
            detail: change.detail,
        },
    )
    .await?;
    Ok(if changed {
        Changed::Yes
    } else {
        Changed::Already
    })
}

pub(crate) async fn retry_delivery(
    sql: &impl Sql,
    reference: &str,
    actor: &Actor,
    now_ms: i64,
) -> Result<Changed, StoreError> {
    let Some(id) = id_of(sql, reference).await? else {
        return Ok(Changed::NoSuchReport);
    };
    let mut destinations = Vec::new();
    for row in sql
        .query(
            "UPDATE deliveries SET state = 'pending', next_attempt_at = $2
             WHERE report_id = $1 AND state = 'parked' RETURNING destination",
            params![&id, now_ms],
        )
        .await?
    {
        destinations.push(row.text(0)?);
    }
    // The same order on both backends (`RETURNING` has none).
    destinations.sort();
    record(
        sql,
        &AuditEntry {
            at_ms: now_ms,
            actor: actor.clone(),
            action: AuditAction::RetriedDelivery,
            report: ReportId::parse(&id).ok(),
            detail: Some(crate::retried_detail(&destinations)),
        },
    )
    .await?;
    Ok(if destinations.is_empty() {
        Changed::Already
    } else {
        Changed::Yes
    })
}

/// Appends `entry` to the audit trail, chained to the newest row: the one way a row is written.
/// Writers take turns from before the newest row is read until the transaction ends, so every
/// row is chained to the one committed just before it, in seq order. Callers write the row last,
/// just before they commit, so the turn is held only a moment.
pub(crate) async fn record(sql: &impl Sql, entry: &AuditEntry) -> Result<(), StoreError> {
    sql.take_turn(Turn::Audit).await?;
    // Read after the turn is taken: on PostgreSQL a statement's snapshot is taken when it
    // starts, so this sees the row of whoever had the turn before.
    let newest = sql
        .query_opt(
            "SELECT seq, COALESCE(chain, '') FROM audit ORDER BY seq DESC LIMIT 1",
            params![],
        )
        .await?;
    let (newest_seq, newest_chain) = match newest {
        Some(row) => (Some(row.int(0)?), Some(row.text(1)?)),
        None => (None, None),
    };
    let row = AuditRow::new(sql.next_audit_seq(newest_seq).await?, entry);
    let chain = row.chain_after(newest_chain.as_deref());
    sql.execute(
        "INSERT INTO audit (seq, at, who, address, action, report_id, detail, chain)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        params![
            row.seq,
            row.at,
            &row.who,
            &row.address,
            &row.action,
            &row.report_id,
            &row.detail,
            &chain
        ],
    )
    .await?;
    Ok(())
}

/// Up to [`AUDIT_PAGE`] audit rows from seq `from` on, in seq order.
pub(crate) async fn audit_page(sql: &impl Sql, from: i64) -> Result<Vec<AuditRow>, StoreError> {
    let rows = sql
        .query(
            "SELECT seq, at, who, address, action, report_id, detail, chain
             FROM audit WHERE seq >= $1 ORDER BY seq LIMIT $2",
            params![from, AUDIT_PAGE],
        )
        .await?;
    let mut page = Vec::with_capacity(rows.len());
    for row in rows {
        page.push(AuditRow {
            seq: row.int(0)?,
            at: row.int(1)?,
            who: row.text(2)?,
            address: row.text(3)?,
            action: row.text(4)?,
            report_id: row.opt_text(5)?,
            detail: row.opt_text(6)?,
            chain: row.opt_text(7)?,
        });
    }
    Ok(page)
}

/// Chains the audit rows a database had before it had chains, oldest first; run by the
/// migration that added chains, in its transaction, while updates are allowed.
pub(crate) async fn chain_existing_audit_rows(sql: &impl Sql) -> Result<(), StoreError> {
    let mut walk = AuditWalk::default();
    loop {
        let page = audit_page(sql, walk.from()).await?;
        for row in &page {
            sql.execute(
                "UPDATE audit SET chain = $2 WHERE seq = $1",
                params![row.seq, walk.step(row)],
            )
            .await?;
        }
        if walk.at_end(&page) {
            return Ok(());
        }
    }
}
