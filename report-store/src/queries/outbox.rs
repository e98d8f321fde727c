//! The outbox: deliveries claimed under a lease, their outcomes recorded only by the lease's
//! holder, and the answers cleared once every destination has had them long enough.

use incident_report::ReportId;

use crate::alert::Alert;
use crate::sql::{Sql, Value, params};
use crate::team::{Actor, AuditAction, AuditEntry};
use crate::{Backlog, Claim, Delivery, StoreError};

pub(crate) async fn claim_due(sql: &impl Sql, claim: &Claim) -> Result<Vec<Delivery>, StoreError> {
    // Destination names are ours (`maildir`, `smtp`, `webhook`): a JSON array of them cannot fail
    // to serialise.
    let destinations = serde_json::to_string(&claim.destinations).unwrap_or_default();
    let due = sql
        .query(
            &format!(
                "SELECT d.report_id, d.destination, r.reference, r.form, r.received_at, d.attempts
                 FROM deliveries d JOIN reports r ON r.id = d.report_id
                 WHERE d.state = 'pending' AND d.next_attempt_at <= $1
                   AND (d.lease_until IS NULL OR d.lease_until <= $1)
                   AND d.destination IN ({})
                 ORDER BY d.next_attempt_at, r.seq
                 LIMIT $3 {}",
                sql.texts_of_json("$2"),
                sql.lock_claimed()
            ),
            params![claim.now_ms, destinations, claim.limit],
        )
        .await?;
    let mut claimed = Vec::with_capacity(due.len());
    for row in due {
        let report_id = row.text(0)?;
        // Ids are checked before they are stored; an unreadable one is left alone.
        let Ok(id) = ReportId::parse(&report_id) else {
            continue;
        };
        let destination = row.text(1)?;
        sql.execute(
            "UPDATE deliveries SET lease = $3, lease_until = $4
             WHERE report_id = $1 AND destination = $2",
            params![
                report_id,
                &destination,
                &claim.lease,
                claim.now_ms.saturating_add(claim.lease_ms)
            ],
        )
        .await?;
        claimed.push(Delivery {
            report_id: id,
            destination,
            reference: row.text(2)?,
            form_json: row.text(3)?,
            received_at: row.text(4)?,
            attempts: u32::try_from(row.int(5)?).unwrap_or(0),
            lease: claim.lease.clone(),
        });
    }
    Ok(claimed)
}

/// How a delivery ends (or waits) when its attempt is over.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Finish<'a> {
    Delivered {
        now_ms: i64,
    },
    Retry {
        at_ms: i64,
        error: &'a str,
    },
    /// Held back; with `alert_at_ms`, the team is alerted (once per report) from then.
    Parked {
        error: &'a str,
        alert_at_ms: Option<i64>,
    },
}

/// Records how the attempt at `delivery` went, only while `delivery.lease` still holds it.
pub(crate) async fn finish(
    sql: &impl Sql,
    delivery: &Delivery,
    finish: Finish<'_>,
) -> Result<bool, StoreError> {
    let (set, values): (&str, Vec<Value>) = match finish {
        Finish::Delivered { now_ms } => (
            "state = 'delivered', delivered_at = $4, last_error = NULL",
            vec![now_ms.into()],
        ),
        Finish::Retry { at_ms, error } => (
            "next_attempt_at = $4, last_error = $5",
            vec![at_ms.into(), error.into()],
        ),
        Finish::Parked { error, .. } => ("state = 'parked', last_error = $4", vec![error.into()]),
    };
    let mut all: Vec<Value> = params![
        delivery.report_id.to_string(),
        &delivery.destination,
        &delivery.lease
    ]
    .to_vec();
    all.extend(values);
    let changed = sql
        .execute(
            &format!(
                "UPDATE deliveries
                 SET {set}, attempts = attempts + 1, lease = NULL, lease_until = NULL
                 WHERE report_id = $1 AND destination = $2 AND lease = $3 AND state = 'pending'"
            ),
            &all,
        )
        .await?
        == 1;
    let alert = Alert::of_destination(&delivery.destination);
    match (finish, alert) {
        (Finish::Delivered { now_ms }, Some(alert)) if changed => {
            super::team::record(
                sql,
                &AuditEntry {
                    at_ms: now_ms,
                    actor: Actor {
                        who: SERVICE.to_owned(),
                        address: String::new(),
                    },
                    action: AuditAction::AlertSent,
                    report: Some(delivery.report_id),
                    detail: Some(alert.to_string()),
                },
            )
            .await?;
        }
        (
            Finish::Parked {
                alert_at_ms: Some(at_ms),
                ..
            },
            None,
        ) if changed => {
            raise(sql, delivery.report_id, Alert::HeldBack, at_ms).await?;
        }
        _ => {}
    }
    Ok(changed)
}

/// Who the audit trail says sent an alert.
pub const SERVICE: &str = "the service";

/// Adds `alert` about report `id` to the outbox, due at `at_ms`, unless it is there already.
async fn raise(sql: &impl Sql, id: ReportId, alert: Alert, at_ms: i64) -> Result<(), StoreError> {
    sql.execute(
        "INSERT INTO deliveries (report_id, destination, created_at, next_attempt_at)
         VALUES ($1, $2, $3, $3) ON CONFLICT DO NOTHING",
        params![id.to_string(), alert.destination(), at_ms],
    )
    .await?;
    Ok(())
}

/// Adds an alert to the outbox for each report received between `received_after_ms` and
/// `received_by_ms` that nobody has acknowledged or closed, unless it has one already. Returns
/// how many were added.
pub(crate) async fn raise_unacknowledged(
    sql: &impl Sql,
    received_after_ms: i64,
    received_by_ms: i64,
    now_ms: i64,
) -> Result<u64, StoreError> {
    sql.execute(
        "INSERT INTO deliveries (report_id, destination, created_at, next_attempt_at)
         SELECT r.id, $3, $4, $4 FROM reports r
         WHERE r.acknowledged_at IS NULL AND r.closed_at IS NULL
           AND r.received_at_ms > $1 AND r.received_at_ms <= $2
           AND NOT EXISTS (
               SELECT 1 FROM deliveries a WHERE a.report_id = r.id AND a.destination = $3)
         ON CONFLICT DO NOTHING",
        params![
            received_after_ms,
            received_by_ms,
            Alert::Unacknowledged.destination(),
            now_ms
        ],
    )
    .await
}

pub(crate) async fn renew_lease(
    sql: &impl Sql,
    delivery: &Delivery,
    until_ms: i64,
) -> Result<bool, StoreError> {
    let changed = sql
        .execute(
            "UPDATE deliveries SET lease_until = $4
             WHERE report_id = $1 AND destination = $2 AND lease = $3 AND state = 'pending'",
            params![
                delivery.report_id.to_string(),
                &delivery.destination,
                &delivery.lease,
                until_ms
            ],
        )
        .await?;
    Ok(changed == 1)
}

pub(crate) async fn release_leases(sql: &impl Sql, holder: &str) -> Result<u64, StoreError> {
    sql.execute(
        "UPDATE deliveries SET lease = NULL, lease_until = NULL
         WHERE state = 'pending'
           AND substr(lease, 1, length(CAST($1 AS TEXT)) + 1) = CAST($1 AS TEXT) || ':'",
        params![holder],
    )
    .await
}

pub(crate) async fn retry_parked(sql: &impl Sql, now_ms: i64) -> Result<u64, StoreError> {
    sql.execute(
        "UPDATE deliveries SET state = 'pending', next_attempt_at = $1 WHERE state = 'parked'",
        params![now_ms],
    )
    .await
}

/// The reports every delivery of which was accepted, the last before `$1`.
const DELIVERED_BEFORE: &str = "SELECT report_id FROM deliveries GROUP BY report_id
    HAVING SUM(CASE WHEN state = 'delivered' THEN 0 ELSE 1 END) = 0 AND MAX(delivered_at) < $1";

pub(crate) async fn clear_delivered(sql: &impl Sql, before_ms: i64) -> Result<u64, StoreError> {
    sql.execute(
        &format!(
            "DELETE FROM notes WHERE report_id IN (SELECT id FROM reports
                WHERE form <> '{{}}' AND id IN ({DELIVERED_BEFORE}))"
        ),
        params![before_ms],
    )
    .await?;
    sql.execute(
        &format!(
            "UPDATE reports SET form = '{{}}', note = NULL, search = NULL
             WHERE form <> '{{}}' AND id IN ({DELIVERED_BEFORE})"
        ),
        params![before_ms],
    )
    .await
}

pub(crate) async fn backlog(sql: &impl Sql) -> Result<Backlog, StoreError> {
    let row = sql
        .query_one(
            "SELECT COUNT(*), COUNT(*) FILTER (WHERE state = 'parked'), MIN(created_at)
             FROM deliveries WHERE state <> 'delivered'",
            params![],
        )
        .await?;
    let parked_error = sql
        .query_opt(
            "SELECT last_error FROM deliveries WHERE state = 'parked'
             ORDER BY created_at DESC LIMIT 1",
            params![],
        )
        .await?
        .map(|row| row.opt_text(0))
        .transpose()?
        .flatten();
    Ok(Backlog {
        undelivered: u64::try_from(row.int(0)?).unwrap_or(0),
        parked: u64::try_from(row.int(1)?).unwrap_or(0),
        oldest_ms: row.opt_int(2)?,
        parked_error,
    })
}
