//! Reports coming in: stored once per id, with one delivery per destination in the same
//! transaction, and what the high-water mark compares.

use incident_report::ReportId;

use crate::sql::{Sql, params};
use crate::{Known, Mark, NewReport, StoreError, Submitted};

/// Stores `report` (see `ReportStore::submit`); with the new reference's number when it was
/// stored now.
pub(crate) async fn submit(
    sql: &impl Sql,
    report: &NewReport,
) -> Result<(Submitted, Option<i64>), StoreError> {
    let id = report.id.to_string();
    if !sql.take_report(&id).await? {
        return Ok((Submitted::InProgress, None));
    }
    let existing = sql
        .query_opt(
            "SELECT reference, fingerprint FROM reports WHERE id = $1",
            params![&id],
        )
        .await?;
    if let Some(row) = existing {
        return Ok(if row.text(1)? == report.fingerprint {
            (
                Submitted::Repeat {
                    reference: row.text(0)?,
                },
                None,
            )
        } else {
            (Submitted::Mismatch, None)
        });
    }
    let seq = sql.next_report_seq().await?;
    let reference = format!("LD-{}-{seq:06}", report.year);
    sql.execute(
        "INSERT INTO reports (seq, id, reference, fingerprint, form, received_at, received_at_ms)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        params![
            seq,
            &id,
            &reference,
            &report.fingerprint,
            &report.form_json,
            &report.received_at,
            report.received_at_ms
        ],
    )
    .await?;
    for destination in &report.destinations {
        sql.execute(
            "INSERT INTO deliveries (report_id, destination, created_at, next_attempt_at)
             VALUES ($1, $2, $3, $3)",
            params![&id, destination, report.received_at_ms],
        )
        .await?;
    }
    Ok((Submitted::Created { reference }, Some(seq)))
}

/// The highest reference number and the number of reports.
pub(crate) async fn holding(sql: &impl Sql) -> Result<Mark, StoreError> {
    let row = sql
        .query_one(
            "SELECT COALESCE(MAX(seq), 0), COUNT(*) FROM reports",
            params![],
        )
        .await?;
    Ok(Mark {
        seq: row.int(0)?,
        count: row.int(1)?,
        ..Mark::default()
    })
}

pub(crate) async fn find(sql: &impl Sql, id: ReportId) -> Result<Option<Known>, StoreError> {
    let Some(row) = sql
        .query_opt(
            "SELECT reference, fingerprint FROM reports WHERE id = $1",
            params![id.to_string()],
        )
        .await?
    else {
        return Ok(None);
    };
    Ok(Some(Known {
        reference: row.text(0)?,
        fingerprint: row.text(1)?,
    }))
}

pub(crate) async fn count(sql: &impl Sql) -> Result<u64, StoreError> {
    let count = sql
        .query_one("SELECT COUNT(*) FROM reports", params![])
        .await?
        .int(0)?;
    Ok(u64::try_from(count).unwrap_or(0))
}
