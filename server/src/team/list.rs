//! The team's list: its filter read from the address (so that a filtered list can be shared as a
//! link), checked, and given to the store; a page of reports, how many each state holds, and
//! links that keep the filter.

use app::team::{self as pages, ListRow, ListSearch, ListView, StateLink};
use axum::{extract::Query, http::StatusCode, response::Response};
use incident_report::Question;
use incident_report::progress::{ListState, StateCounts};
use report_store::ReportFilter;

use super::views::{answers_of, member, moment, title};
use super::visit::SignedIn;
use crate::fixed::{LIST_LIMIT, SEARCH_LIMIT};

/// The list's filter as the address gives it; every part may be missing or anything at all.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub(super) struct ListQuery {
    #[serde(skip_serializing_if = "String::is_empty")]
    state: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    q: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    what: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    device: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    from: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    to: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    before: String,
}

impl ListQuery {
    /// The list's address with this filter.
    pub(super) fn href(&self) -> String {
        match serde_urlencoded::to_string(self) {
            Ok(query) if !query.is_empty() => format!("{}?{query}", pages::TEAM_PATH),
            _ => pages::TEAM_PATH.to_owned(),
        }
    }

    /// This filter as the audit trail keeps it: the text searched for is left out (it may be a
    /// person's name, and the trail is never cleared), only that there was one is said.
    pub(super) fn for_the_trail(&self) -> String {
        let rest = Self {
            q: String::new(),
            before: String::new(),
            ..self.clone()
        };
        let rest = serde_urlencoded::to_string(rest).unwrap_or_default();
        match (rest.is_empty(), self.q.trim().is_empty()) {
            (true, true) => "all reports".to_owned(),
            (false, true) => rest,
            (true, false) => "a text search".to_owned(),
            (false, false) => format!("{rest} and a text search"),
        }
    }

    /// This filter in another state (or none), from the first page.
    pub(super) fn in_state(&self, state: Option<ListState>) -> Self {
        Self {
            state: state.map(|s| s.to_string()).unwrap_or_default(),
            before: String::new(),
            ..self.clone()
        }
    }

    /// The store's filter, where the page starts, and what is wrong with the days given.
    pub(super) fn checked(&self) -> (ReportFilter, Option<i64>, Vec<(&'static str, String)>) {
        let mut errors = Vec::new();
        let mut day = |id: &'static str, label: &str, text: &str| {
            let text = text.trim();
            if text.is_empty() {
                return None;
            }
            let start = text.parse::<jiff::civil::Date>().ok().and_then(uk_day);
            if start.is_none() {
                errors.push((id, format!("{label} must be a real date")));
            }
            start
        };
        let from = day("from", "Received from", &self.from);
        let to = day("to", "Received to", &self.to);
        if let (Some((from, _)), Some((to, _))) = (from, to)
            && to < from
        {
            errors.push((
                "to",
                "Received to must be the same as or after Received from".to_owned(),
            ));
        }
        let choice = |question: Question, value: &str| {
            question
                .choices()
                .iter()
                .any(|choice| choice.value == value)
                .then(|| value.to_owned())
        };
        let text: String = self.q.trim().chars().take(SEARCH_LIMIT).collect();
        let filter = ReportFilter {
            state: self.state.parse().ok(),
            received_from_ms: from.map(|(start, _)| start),
            received_before_ms: to.map(|(_, next)| next),
            what_happened: choice(Question::WhatHappened, &self.what),
            device: choice(Question::Device, &self.device),
            text: (!text.is_empty()).then_some(text),
        };
        (filter, self.before.parse().ok(), errors)
    }
}

/// When UK day `date` starts and the next one starts, in milliseconds since the Unix epoch.
fn uk_day(date: jiff::civil::Date) -> Option<(i64, i64)> {
    let zone = jiff::tz::db().get("Europe/London").ok()?;
    let start = date.to_zoned(zone.clone()).ok()?.timestamp();
    let next = date.tomorrow().ok()?.to_zoned(zone).ok()?.timestamp();
    Some((start.as_millisecond(), next.as_millisecond()))
}

pub(super) async fn list_show(
    SignedIn { visit, session }: SignedIn,
    Query(query): Query<ListQuery>,
) -> Response {
    let (filter, before, errors) = query.checked();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    // A filter with a wrong day finds nothing rather than more than was asked for.
    let (page, counts) = if errors.is_empty() {
        let page = visit.store().list(&filter, before, LIST_LIMIT).await;
        let counts = visit.store().counts(&filter).await;
        match (page, counts) {
            (Ok(page), Ok(counts)) => (page, counts),
            (Err(error), _) | (_, Err(error)) => return visit.trouble(&error),
        }
    } else {
        Default::default()
    };
    let state_links = [
        (None, "All", counts.all),
        (Some(ListState::New), "New", counts.new),
        (
            Some(ListState::Acknowledged),
            "Acknowledged",
            counts.acknowledged,
        ),
        (Some(ListState::Closed), "Closed", counts.closed),
        (Some(ListState::HeldBack), "Held back", counts.held_back),
    ]
    .into_iter()
    .map(|(state, words, count)| StateLink {
        words,
        count,
        href: query.in_state(state).href(),
        current: state == filter.state,
    })
    .collect();
    let rows = page
        .reports
        .into_iter()
        .map(|summary| ListRow {
            title: title(&answers_of(&summary)),
            received: moment(summary.progress.received_at_ms),
            passed_on: summary.progress.passed_on,
            state: summary.progress.state,
            reference: summary.progress.reference,
        })
        .collect();
    let html = pages::list_page(
        &visit.options,
        ListView {
            member: member(&session),
            rows,
            states: state_links,
            matched: matched(&counts, filter.state),
            older: page.older.map(|older| {
                ListQuery {
                    before: older.to_string(),
                    ..query.clone()
                }
                .href()
            }),
            newest: before.map(|_| query.in_state(filter.state).href()),
            filter_query: query
                .in_state(filter.state)
                .href()
                .strip_prefix(pages::TEAM_PATH)
                .unwrap_or_default()
                .to_owned(),
            search: ListSearch {
                state: filter.state.map(|s| s.to_string()).unwrap_or_default(),
                q: query.q,
                from: query.from,
                to: query.to,
                what: query.what,
                device: query.device,
            },
            errors,
            trail: visit.team.trail_check(visit.store()).await,
        },
    );
    visit.page(status, html)
}

/// How many reports the whole filter finds.
fn matched(counts: &StateCounts, state: Option<ListState>) -> u64 {
    match state {
        None => counts.all,
        Some(ListState::New) => counts.new,
        Some(ListState::Acknowledged) => counts.acknowledged,
        Some(ListState::Closed) => counts.closed,
        Some(ListState::HeldBack) => counts.held_back,
    }
}

#[cfg(test)]
mod tests {
    use super::{ListQuery, uk_day};

    #[test]
    fn a_uk_day_is_counted_in_uk_time_summer_and_winter() {
        let day = |text: &str| uk_day(text.parse().expect("a date")).expect("a day");
        // 1 July 2026 starts at 23:00 UTC the day before (BST); 1 December at midnight UTC.
        assert_eq!(day("2026-07-01").0, 1_782_860_400_000);
        assert_eq!(day("2026-12-01").0, 1_796_083_200_000);
        assert_eq!(day("2026-12-01").1 - day("2026-12-01").0, 86_400_000);
        // The day the clocks go forward is 23 hours long.
        let spring = day("2026-03-29");
        assert_eq!(spring.1 - spring.0, 23 * 3_600_000);
    }

    #[test]
    fn a_filter_keeps_only_what_it_can_use_and_says_what_is_wrong() {
        let query = ListQuery {
            state: "held-back".into(),
            q: "  Sam  ".into(),
            what: "stolen".into(),
            device: "toaster".into(),
            from: "2026-12-03".into(),
            to: "2026-02-30".into(),
            before: "x".into(),
        };
        let (filter, before, errors) = query.checked();
        assert_eq!(
            filter.state,
            Some(incident_report::progress::ListState::HeldBack)
        );
        assert_eq!(filter.text.as_deref(), Some("Sam"));
        assert_eq!(filter.what_happened.as_deref(), Some("stolen"));
        assert_eq!(filter.device, None, "not one of the form's devices");
        assert_eq!(before, None);
        assert_eq!(
            errors,
            [("to", "Received to must be a real date".to_owned())]
        );
        let reversed = ListQuery {
            from: "2026-12-03".into(),
            to: "2026-12-02".into(),
            ..ListQuery::default()
        };
        assert_eq!(reversed.checked().2.len(), 1);
        assert_eq!(
            ListQuery::default().in_state(None).href(),
            "/team",
            "an empty filter is the bare list"
        );
        assert_eq!(
            query.in_state(None).href(),
            "/team?q=++Sam++&what=stolen&device=toaster&from=2026-12-03&to=2026-02-30"
        );
    }
}
