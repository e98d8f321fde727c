//! Reports coming in: stored once per id, with one delivery per destination in the same
//! transaction, and what the high-water mark compares.

use incident_report::listing::Listing;
use incident_report::{ReportForm, ReportId};

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
    let listing = listing_of(&report.form_json);
    sql.execute(
        "INSERT INTO reports (seq, id, reference, fingerprint, form, received_at, received_at_ms,
                              what_happened, device, search)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        params![
            seq,
            &id,
            &reference,
            &report.fingerprint,
            &report.form_json,
            &report.received_at,
            report.received_at_ms,
            listing.what_happened,
            listing.device,
            listing.search
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

/// What the team's list finds a report by, from its answers (nothing, for answers that cannot be
/// read as a form: they were checked before they were stored).
fn listing_of(form_json: &str) -> Listing {
    serde_json::from_str::<ReportForm>(form_json)
        .map(|form| form.listing())
        .unwrap_or_default()
}

/// Fills in what the team's list finds each report by, for the reports stored before it was
/// kept, a page at a time.
pub(crate) async fn fill_listing(sql: &impl Sql) -> Result<(), StoreError> {
    const PAGE: i64 = 1000;
    let mut after = i64::MIN;
    loop {
        let page = sql
            .query(
                "SELECT seq, form FROM reports WHERE seq > $1 ORDER BY seq LIMIT $2",
                params![after, PAGE],
            )
            .await?;
        for row in &page {
            after = row.int(0)?;
            let listing = listing_of(&row.text(1)?);
            sql.execute(
                "UPDATE reports SET what_happened = $2, device = $3, search = $4 WHERE seq = $1",
                params![after, listing.what_happened, listing.device, listing.search],
            )
            .await?;
        }
        if i64::try_from(page.len()).unwrap_or(i64::MAX) < PAGE {
            return Ok(());
        }
    }
}
