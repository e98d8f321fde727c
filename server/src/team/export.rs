//! Downloads of the reports the list's filter finds: `GET /team/reports.csv` and `.json`, one
//! row per report with its reference, times, states, owner, outcome, kinds of incident and device (kept
//! after the answers are removed) and its answers while they are kept. Each download is written
//! to the audit trail before it is sent. A cell that a spreadsheet would run as a formula is
//! written as text.

use axum::{
    extract::Query,
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use incident_report::Question;
use report_store::{AuditAction, TeamSummary};
use serde::Serialize;

use super::list::ListQuery;
use super::views::{Answers, answers_of, member};
use super::visit::SignedIn;
use crate::fixed::EXPORT_PAGE;

/// What a download is written as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::Display)]
#[strum(serialize_all = "lowercase")]
enum Format {
    Csv,
    Json,
}

pub(super) async fn reports_csv(signed_in: SignedIn, Query(query): Query<ListQuery>) -> Response {
    export(signed_in, query, Format::Csv).await
}

pub(super) async fn reports_json(signed_in: SignedIn, Query(query): Query<ListQuery>) -> Response {
    export(signed_in, query, Format::Json).await
}

async fn export(
    SignedIn { visit, session }: SignedIn,
    query: ListQuery,
    format: Format,
) -> Response {
    let limit = visit.team.provider.settings().export_limit;
    let list = query.in_state(None).href();
    let (filter, _, errors) = query.checked();
    if !errors.is_empty() {
        return visit.message(
            StatusCode::BAD_REQUEST,
            Some(member(&session)),
            "These reports cannot be downloaded",
            &["The filter has a day that is not a real date. Correct it on the list first."],
            Some((&list, "Back to the list")),
        );
    }
    let mut reports = Vec::new();
    let mut before = None;
    loop {
        let page = match visit.store().list(&filter, before, EXPORT_PAGE).await {
            Ok(page) => page,
            Err(error) => return visit.trouble(&error),
        };
        reports.extend(page.reports);
        if reports.len() > limit {
            let many = format!("More than {} reports match this filter.", grouped(limit));
            return visit.message(
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(member(&session)),
                "Too many reports to download at once",
                &[
                    &many,
                    "Narrow the filter, for example by the days they were received, and download them in parts.",
                ],
                Some((&list, "Back to the list")),
            );
        }
        match page.older {
            Some(older) => before = Some(older),
            None => break,
        }
    }
    let rows: Vec<ExportRow> = reports.iter().map(ExportRow::of).collect();
    let body = match format {
        Format::Csv => to_csv(&rows),
        Format::Json => serde_json::to_vec_pretty(&rows).map_err(|e| e.to_string()),
    };
    let body = match body {
        Ok(body) => body,
        Err(error) => return visit.trouble(&error),
    };
    // Nothing is sent that the audit trail does not record.
    let filter_words = query.for_the_trail();
    if let Err(response) = visit
        .record(
            &session.email,
            AuditAction::Exported,
            Some(format!("{format}, {} reports, {filter_words}", rows.len())),
        )
        .await
    {
        return *response;
    }
    let today = jiff::Timestamp::from_millisecond(visit.now_ms())
        .map(|at| at.strftime("%Y-%m-%d").to_string())
        .unwrap_or_default();
    let (kind, extension) = match format {
        Format::Csv => ("text/csv; charset=utf-8", "csv"),
        Format::Json => ("application/json", "json"),
    };
    let disposition = format!("attachment; filename=\"lost-device-reports-{today}.{extension}\"");
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(kind)),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_str(&disposition)
                    .unwrap_or_else(|_| HeaderValue::from_static("attachment")),
            ),
        ],
        body,
    )
        .into_response()
}

/// One report as a download has it.
#[derive(Debug, Serialize)]
struct ExportRow {
    reference: String,
    received_at: String,
    state: String,
    passed_on: String,
    acknowledged_at: Option<String>,
    closed_at: Option<String>,
    owner: Option<String>,
    outcome: Option<String>,
    what_happened: Option<String>,
    device: Option<String>,
    /// Whether the answers are in the row (`kept`), were removed after the retention period
    /// (`removed`) or cannot be read (`unreadable`).
    answers_are: &'static str,
    /// The answers by question, in form order, while they are kept.
    answers: Option<Vec<(String, String)>>,
}

impl ExportRow {
    fn of(summary: &TeamSummary) -> Self {
        let progress = &summary.progress;
        let (answers_are, answers) = match answers_of(summary) {
            Answers::Kept(form) => (
                "kept",
                Some(
                    form.answers()
                        .into_iter()
                        .map(|(question, answer)| (question_name(question), answer))
                        .collect(),
                ),
            ),
            Answers::Removed => ("removed", None),
            Answers::Unreadable => ("unreadable", None),
        };
        Self {
            reference: progress.reference.clone(),
            received_at: utc(progress.received_at_ms),
            state: progress.state.to_string(),
            passed_on: progress.passed_on.to_string(),
            acknowledged_at: progress.acknowledged_at_ms.map(utc),
            closed_at: progress.closed_at_ms.map(utc),
            owner: summary.owner.clone(),
            outcome: summary.outcome.map(|outcome| outcome.to_string()),
            what_happened: summary.what_happened.clone(),
            device: summary.device.clone(),
            answers_are,
            answers,
        }
    }
}

/// A question's stable name (`what-happened`), as the form stores it.
fn question_name(question: Question) -> String {
    serde_json::to_value(question)
        .ok()
        .and_then(|value| value.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// A moment as RFC 3339 in UTC, for machines.
fn utc(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms)
        .map(|at| at.to_string())
        .unwrap_or_default()
}

/// A cell a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, a tab or a carriage return
/// first) begins with `'`, so it is shown as the text it is.
fn as_text(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell.to_owned()
    }
}

fn to_csv(rows: &[ExportRow]) -> Result<Vec<u8>, String> {
    let fixed = [
        "reference",
        "received_at",
        "state",
        "passed_on",
        "acknowledged_at",
        "closed_at",
        "owner",
        "outcome",
        "what_happened",
        "device",
        "answers_are",
    ];
    let questions: Vec<String> = Question::ALL.iter().map(|&q| question_name(q)).collect();
    let mut writer = csv::Writer::from_writer(Vec::new());
    let failed = |e: csv::Error| e.to_string();
    writer
        .write_record(
            fixed
                .iter()
                .copied()
                .chain(questions.iter().map(String::as_str)),
        )
        .map_err(failed)?;
    for row in rows {
        let mut record: Vec<String> = vec![
            row.reference.clone(),
            row.received_at.clone(),
            row.state.clone(),
            row.passed_on.clone(),
            row.acknowledged_at.clone().unwrap_or_default(),
            row.closed_at.clone().unwrap_or_default(),
            row.owner.clone().unwrap_or_default(),
            row.outcome.clone().unwrap_or_default(),
            row.what_happened.clone().unwrap_or_default(),
            row.device.clone().unwrap_or_default(),
            row.answers_are.to_owned(),
        ];
        record.extend(questions.iter().map(|name| {
            row.answers
                .iter()
                .flatten()
                .find(|(question, _)| question == name)
                .map(|(_, answer)| as_text(answer))
                .unwrap_or_default()
        }));
        writer.write_record(&record).map_err(failed)?;
    }
    writer.into_inner().map_err(|e| e.to_string())
}

/// A count as GOV.UK writes it: `50,000`.
fn grouped(count: usize) -> String {
    let digits = count.to_string();
    let mut out = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{as_text, grouped};

    #[test]
    fn a_count_is_written_with_commas() {
        assert_eq!(grouped(7), "7");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1_000), "1,000");
        assert_eq!(grouped(50_000), "50,000");
        assert_eq!(grouped(1_234_567), "1,234,567");
    }

    #[test]
    fn a_cell_a_spreadsheet_would_run_is_written_as_text() {
        assert_eq!(as_text("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(as_text("+44 7700 900123"), "'+44 7700 900123");
        assert_eq!(as_text("@sam"), "'@sam");
        assert_eq!(as_text("Sam Example"), "Sam Example");
    }
}
