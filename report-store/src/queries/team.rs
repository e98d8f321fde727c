//! The team's view: what a reporter may know of a report, the team's list and report page, the
//! team's changes of state, and the audit trail — append-only, each row chained to the one before
//! it (see `crate::team`), with [`record`] the one place that inserts a row.

use incident_report::ReportId;
use incident_report::progress::{ListState, PassedOn, Progress, StateCounts};

use crate::StoreError;
use crate::alert::NOT_ALERT;
use crate::sql::{Row, Sql, Turn, Value, params};
use crate::team::{
    AUDIT_PAGE, Actor, AuditAction, AuditEntry, AuditRow, AuditWalk, Changed, Counted,
    DeliveryRecord, DeliveryState, Note, ReportFilter, ReportPage, TeamReport, TeamSummary,
    passed_on, team_state,
};

/// The columns [`progress`] reads, from `reports r`: its deliveries to destinations, alerts to
/// the team aside (`crate::alert::NOT_ALERT`).
const STATUS_COLUMNS: &str = "r.id, r.reference, COALESCE(r.received_at_ms, 0),
    (SELECT COUNT(*) FROM deliveries d
     WHERE d.report_id = r.id AND d.destination NOT LIKE 'alert:%'),
    (SELECT COUNT(*) FROM deliveries d
     WHERE d.report_id = r.id AND d.destination NOT LIKE 'alert:%' AND d.state = 'delivered'),
    (SELECT COUNT(*) FROM deliveries d
     WHERE d.report_id = r.id AND d.destination NOT LIKE 'alert:%' AND d.state = 'parked'),
    (SELECT MAX(d.delivered_at) FROM deliveries d
     WHERE d.report_id = r.id AND d.destination NOT LIKE 'alert:%'),
    r.acknowledged_at, r.closed_at";

/// Whether report `r` is in each state the list filters by, as SQL.
fn in_state(state: ListState) -> &'static str {
    match state {
        ListState::New => "(r.acknowledged_at IS NULL AND r.closed_at IS NULL)",
        ListState::Acknowledged => "(r.acknowledged_at IS NOT NULL AND r.closed_at IS NULL)",
        ListState::Closed => "(r.closed_at IS NOT NULL)",
        ListState::HeldBack => {
            "EXISTS (SELECT 1 FROM deliveries d
             WHERE d.report_id = r.id AND d.state = 'parked' AND d.destination NOT LIKE 'alert:%')"
        }
    }
}

/// Conditions on `reports r` joined by `AND`, and the parameters they number from `$1`.
#[derive(Default)]
struct Conditions {
    sql: Vec<String>,
    values: Vec<Value>,
}

impl Conditions {
    /// The placeholder of a new parameter holding `value`.
    fn param(&mut self, value: impl Into<Value>) -> String {
        self.values.push(value.into());
        format!("${}", self.values.len())
    }

    /// The conditions `filter` puts on `reports r` (its state too, if `with_state`).
    fn of(filter: &ReportFilter, with_state: bool) -> Self {
        let mut conditions = Self::default();
        if let Some(from) = filter.received_from_ms {
            let from = conditions.param(from);
            conditions.sql.push(format!("r.received_at_ms >= {from}"));
        }
        if let Some(before) = filter.received_before_ms {
            let before = conditions.param(before);
            conditions.sql.push(format!("r.received_at_ms < {before}"));
        }
        if let Some(what) = &filter.what_happened {
            let what = conditions.param(what);
            conditions.sql.push(format!("r.what_happened = {what}"));
        }
        if let Some(device) = &filter.device {
            let device = conditions.param(device);
            conditions.sql.push(format!("r.device = {device}"));
        }
        if let Some(text) = filter
            .text
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
        {
            let reference = conditions.param(text.to_uppercase());
            // What was typed is matched as typed: `%` and `_` are not wildcards.
            let escaped = text
                .to_lowercase()
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_");
            let pattern = conditions.param(format!("%{escaped}%"));
            conditions.sql.push(format!(
                "(r.reference = {reference} OR r.search LIKE {pattern} ESCAPE '\\')"
            ));
        }
        if with_state && let Some(state) = filter.state {
            conditions.sql.push(in_state(state).to_owned());
        }
        conditions
    }

    fn sql(&self) -> String {
        if self.sql.is_empty() {
            "1 = 1".to_owned()
        } else {
            self.sql.join(" AND ")
        }
    }
}

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

/// The columns [`summary`] reads: the [`STATUS_COLUMNS`], then the answers and what is kept
/// after them.
const SUMMARY_COLUMNS: &str = "r.form, r.outcome, r.what_happened, r.device, r.owner";

/// The [`STATUS_COLUMNS`], then the [`SUMMARY_COLUMNS`].
fn summary(row: &Row) -> Result<Option<TeamSummary>, StoreError> {
    let Some(progress) = progress(row)? else {
        return Ok(None);
    };
    Ok(Some(TeamSummary {
        progress,
        form_json: row.text(9)?,
        outcome: row.opt_text(10)?.and_then(|outcome| outcome.parse().ok()),
        what_happened: row.opt_text(11)?,
        device: row.opt_text(12)?,
        owner: row.opt_text(13)?,
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
            &format!("SELECT {STATUS_COLUMNS} FROM reports r WHERE r.id = $1"),
            params![id.to_string()],
        )
        .await?;
    Ok(match row {
        Some(row) => progress(&row)?,
        None => None,
    })
}

/// The newest reports `filter` finds, older than report number `before` if given: at most
/// `limit`, and the number to go on from when there are more.
pub(crate) async fn list(
    sql: &impl Sql,
    filter: &ReportFilter,
    before: Option<i64>,
    limit: u32,
) -> Result<ReportPage, StoreError> {
    let mut conditions = Conditions::of(filter, true);
    if let Some(before) = before {
        let before = conditions.param(before);
        conditions.sql.push(format!("r.seq < {before}"));
    }
    let most = conditions.param(i64::from(limit).saturating_add(1));
    let rows = sql
        .query(
            &format!(
                "SELECT {STATUS_COLUMNS}, {SUMMARY_COLUMNS}, r.seq FROM reports r
                 WHERE {} ORDER BY r.seq DESC LIMIT {most}",
                conditions.sql()
            ),
            &conditions.values,
        )
        .await?;
    let more = rows.len() > usize::try_from(limit).unwrap_or(usize::MAX);
    let mut page = ReportPage::default();
    for row in rows
        .iter()
        .take(usize::try_from(limit).unwrap_or(usize::MAX))
    {
        page.reports.extend(summary(row)?);
        if more {
            page.older = Some(row.int(14)?);
        }
    }
    Ok(page)
}

/// How many reports `filter` finds in each state (its own state aside).
pub(crate) async fn counts(
    sql: &impl Sql,
    filter: &ReportFilter,
) -> Result<StateCounts, StoreError> {
    let conditions = Conditions::of(filter, false);
    let count = |state| format!("SUM(CASE WHEN {} THEN 1 ELSE 0 END)", in_state(state));
    let row = sql
        .query_one(
            &format!(
                "SELECT COUNT(*), {}, {}, {}, {} FROM reports r WHERE {}",
                count(ListState::New),
                count(ListState::Acknowledged),
                count(ListState::Closed),
                count(ListState::HeldBack),
                conditions.sql(),
            ),
            &conditions.values,
        )
        .await?;
    let number = |index| -> Result<u64, StoreError> {
        Ok(u64::try_from(row.opt_int(index)?.unwrap_or(0)).unwrap_or(0))
    };
    Ok(StateCounts {
        all: number(0)?,
        new: number(1)?,
        acknowledged: number(2)?,
        closed: number(3)?,
        held_back: number(4)?,
    })
}

pub(crate) async fn team_report(
    sql: &impl Sql,
    reference: &str,
) -> Result<Option<TeamReport>, StoreError> {
    let Some(row) = sql
        .query_opt(
            &format!(
                "SELECT {STATUS_COLUMNS}, {SUMMARY_COLUMNS},
                        r.acknowledged_by, r.closed_by, r.note
                 FROM reports r WHERE r.reference = $1"
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
            &format!(
                "SELECT destination, state, attempts, last_error, delivered_at, next_attempt_at
                 FROM deliveries d WHERE report_id = $1 AND {NOT_ALERT} ORDER BY destination"
            ),
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
    let mut notes = Vec::new();
    for note in sql
        .query(
            "SELECT at, who, text FROM notes WHERE report_id = $1 ORDER BY seq",
            params![&id],
        )
        .await?
    {
        notes.push(Note {
            at_ms: note.int(0)?,
            who: note.text(1)?,
            text: note.text(2)?,
        });
    }
    Ok(Some(TeamReport {
        outcome: summary.outcome,
        owner: summary.owner.clone(),
        summary,
        acknowledged_by: row.opt_text(14)?,
        closed_by: row.opt_text(15)?,
        note: row.opt_text(16)?,
        notes,
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

    /// Gives the report to `owner` (nobody, for `None`).
    pub(crate) fn take(owner: Option<&str>) -> Self {
        StateChange {
            set: "owner = $2",
            only_if: "owner IS DISTINCT FROM $2",
            values: params![owner].to_vec(),
            done: AuditAction::OwnerChanged,
            already: AuditAction::OwnerChanged,
            detail: Some(owner.unwrap_or("nobody").to_owned()),
        }
    }

    /// Opens a closed report again: acknowledged, as it was before it was closed.
    pub(crate) fn reopen() -> Self {
        StateChange {
            set: "closed_at = NULL, closed_by = NULL, outcome = NULL",
            only_if: "closed_at IS NOT NULL",
            values: Vec::new(),
            done: AuditAction::Reopened,
            already: AuditAction::NotClosed,
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

/// What the counts page counts of every report received from `from_ms` on, oldest first.
pub(crate) async fn counted(sql: &impl Sql, from_ms: i64) -> Result<Vec<Counted>, StoreError> {
    let rows = sql
        .query(
            "SELECT received_at_ms, what_happened, outcome, acknowledged_at, closed_at
             FROM reports WHERE received_at_ms >= $1 ORDER BY seq",
            params![from_ms],
        )
        .await?;
    let mut all = Vec::with_capacity(rows.len());
    for row in rows {
        all.push(Counted {
            received_at_ms: row.int(0)?,
            what_happened: row.opt_text(1)?,
            outcome: row.opt_text(2)?.and_then(|outcome| outcome.parse().ok()),
            acknowledged_at_ms: row.opt_int(3)?,
            closed_at_ms: row.opt_int(4)?,
        });
    }
    Ok(all)
}

/// Erases the personal details of the report with `reference` on request: its answers, the
/// searched text, the team's notes and closing note; its reference, kinds, times, states and
/// outcome stay. The audit row keeps the reason given.
pub(crate) async fn erase(
    sql: &impl Sql,
    reference: &str,
    reason: &str,
    actor: &Actor,
    now_ms: i64,
) -> Result<Changed, StoreError> {
    sql.execute(
        "DELETE FROM notes WHERE report_id IN (SELECT id FROM reports WHERE reference = $1)",
        params![reference],
    )
    .await?;
    change_state(
        sql,
        reference,
        actor,
        now_ms,
        StateChange {
            set: "form = '{}', note = NULL, search = NULL",
            only_if: "(form <> '{}' OR note IS NOT NULL)",
            values: Vec::new(),
            done: AuditAction::Erased,
            already: AuditAction::AlreadyErased,
            detail: Some(reason.to_owned()),
        },
    )
    .await
}

/// Adds the team's note `text` to the report with `reference`, and the audit row (which does not
/// copy the note).
pub(crate) async fn add_note(
    sql: &impl Sql,
    reference: &str,
    text: &str,
    actor: &Actor,
    now_ms: i64,
) -> Result<Changed, StoreError> {
    let Some(id) = id_of(sql, reference).await? else {
        return Ok(Changed::NoSuchReport);
    };
    sql.execute(
        "INSERT INTO notes (report_id, at, who, text) VALUES ($1, $2, $3, $4)",
        params![&id, now_ms, &actor.who, text],
    )
    .await?;
    record(
        sql,
        &AuditEntry {
            at_ms: now_ms,
            actor: actor.clone(),
            action: AuditAction::NoteAdded,
            report: ReportId::parse(&id).ok(),
            detail: None,
        },
    )
    .await?;
    Ok(Changed::Yes)
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
