//! The counts page (`/team/counts`): for each of the last twelve months (UK time), how many
//! reports came in by what happened, how they ended, and how long the team took to acknowledge
//! and to close them (median and 90th percentile). From what the store keeps after the answers
//! are removed, so a year's counts stay true.

use std::collections::BTreeMap;
use std::time::Duration;

use app::team::{self as pages, CountTable, CountsView};
use axum::http::StatusCode;
use axum::response::Response;
use incident_report::Question;
use incident_report::progress::Outcome;
use report_store::Counted;
use strum::IntoEnumIterator as _;

use super::views::member;
use super::visit::SignedIn;

/// How far back the page counts.
const YEAR_MS: i64 = 366 * 24 * 3_600_000;

pub(super) async fn counts_show(SignedIn { visit, session }: SignedIn) -> Response {
    let counted = match visit.store().counted(visit.now_ms() - YEAR_MS).await {
        Ok(counted) => counted,
        Err(error) => return visit.trouble(&error),
    };
    let html = pages::counts_page(
        &visit.options,
        CountsView {
            member: member(&session),
            tables: tables(&counted),
        },
    );
    visit.page(StatusCode::OK, html)
}

/// The month a moment falls in, UK time, as a key that sorts (`2026-12`) and in words.
fn month(ms: i64) -> (String, String) {
    let Ok(at) = jiff::Timestamp::from_millisecond(ms) else {
        return (String::new(), String::new());
    };
    let uk = jiff::tz::db().get("Europe/London").map_or_else(
        |_| at.to_zoned(jiff::tz::TimeZone::UTC),
        |zone| at.to_zoned(zone),
    );
    (
        uk.strftime("%Y-%m").to_string(),
        uk.strftime("%B %Y").to_string(),
    )
}

/// The `share` percentile (nearest rank) of `values`, which must be sorted.
fn percentile(values: &[i64], share: f64) -> Option<i64> {
    if values.is_empty() {
        return None;
    }
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss,
        reason = "a rank within a list of reports"
    )]
    let rank = ((share * values.len() as f64).ceil() as usize).clamp(1, values.len());
    values.get(rank - 1).copied()
}

/// A wait in words: `Under a minute`, `35 minutes`, `3 hours 10 minutes`, `4 days`.
fn wait(ms: i64) -> String {
    let minutes = u64::try_from(ms / 60_000).unwrap_or(0);
    if minutes == 0 {
        "Under a minute".to_owned()
    } else if minutes >= 48 * 60 {
        format!("{} days", minutes / (24 * 60))
    } else {
        forwarding::alert::in_words(Duration::from_secs(minutes * 60))
    }
}

/// The page's three tables, newest month first.
fn tables(counted: &[Counted]) -> Vec<CountTable> {
    let mut months: BTreeMap<String, (String, Vec<&Counted>)> = BTreeMap::new();
    for report in counted {
        let (key, words) = month(report.received_at_ms);
        months
            .entry(key)
            .or_insert_with(|| (words, Vec::new()))
            .1
            .push(report);
    }
    let kinds = Question::WhatHappened.choices();
    let mut by_kind = CountTable {
        caption: "Reports by month and what happened".to_owned(),
        headers: std::iter::once("Month".to_owned())
            .chain(std::iter::once("Reports".to_owned()))
            .chain(kinds.iter().map(|kind| kind.label.to_owned()))
            .collect(),
        rows: Vec::new(),
    };
    let mut by_outcome = CountTable {
        caption: "How they ended".to_owned(),
        headers: std::iter::once("Month".to_owned())
            .chain(Outcome::iter().map(|outcome| outcome.label().to_owned()))
            .chain(std::iter::once("Not closed".to_owned()))
            .collect(),
        rows: Vec::new(),
    };
    let mut times = CountTable {
        caption: "How long the team took, from receiving a report".to_owned(),
        headers: [
            "Month",
            "To acknowledge, median",
            "To acknowledge, 90% within",
            "To close, median",
            "To close, 90% within",
        ]
        .map(str::to_owned)
        .to_vec(),
        rows: Vec::new(),
    };
    for (words, reports) in months.values().rev() {
        let count = |keep: &dyn Fn(&Counted) -> bool| {
            reports
                .iter()
                .filter(|report| keep(report))
                .count()
                .to_string()
        };
        by_kind.rows.push(
            std::iter::once(words.clone())
                .chain(std::iter::once(reports.len().to_string()))
                .chain(kinds.iter().map(|kind| {
                    count(&|report| report.what_happened.as_deref() == Some(kind.value))
                }))
                .collect(),
        );
        by_outcome.rows.push(
            std::iter::once(words.clone())
                .chain(
                    Outcome::iter().map(|outcome| count(&|report| report.outcome == Some(outcome))),
                )
                .chain(std::iter::once(count(&|report| {
                    report.closed_at_ms.is_none()
                })))
                .collect(),
        );
        let took = |at: fn(&Counted) -> Option<i64>| {
            let mut waits: Vec<i64> = reports
                .iter()
                .filter_map(|report| at(report).map(|at| at - report.received_at_ms))
                .collect();
            waits.sort_unstable();
            [0.5, 0.9]
                .map(|share| percentile(&waits, share).map_or_else(|| "None yet".to_owned(), wait))
        };
        let [ack_median, ack_90] = took(|report| report.acknowledged_at_ms);
        let [close_median, close_90] = took(|report| report.closed_at_ms);
        times.rows.push(vec![
            words.clone(),
            ack_median,
            ack_90,
            close_median,
            close_90,
        ]);
    }
    vec![by_kind, by_outcome, times]
}

#[cfg(test)]
mod tests {
    use super::{percentile, wait};

    #[test]
    fn percentiles_are_by_nearest_rank() {
        let values = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
        assert_eq!(percentile(&values, 0.5), Some(5));
        assert_eq!(percentile(&values, 0.9), Some(9));
        assert_eq!(percentile(&[7], 0.9), Some(7));
        assert_eq!(percentile(&[], 0.5), None);
    }

    #[test]
    fn waits_are_said_in_words() {
        assert_eq!(wait(59_000), "Under a minute");
        assert_eq!(wait(35 * 60_000), "35 minutes");
        assert_eq!(wait(190 * 60_000), "3 hours 10 minutes");
        assert_eq!(wait(4 * 24 * 3_600_000), "4 days");
    }
}
