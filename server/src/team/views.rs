//! From the store's rows to the pages' views: names, times and words the team reads.

use app::team::{self as pages, AuditRow, DeliveryRow, Member, Outcome, ReportView, TrailCheck};
use incident_report::progress::PassedOn;
use report_store::{AuditAction, AuditEntry, DeliveryState, Session};

use super::handlers::NOT_ADMITTED;

pub(super) fn member(session: &Session) -> Member {
    Member {
        name: session.name.clone(),
        csrf: session.csrf.clone(),
    }
}

/// The report's page from what the store holds.
pub(super) fn report_view(
    report: &report_store::TeamReport,
    member: Member,
    notice: Option<&str>,
    errors: Vec<(&'static str, String)>,
    posted: (Option<String>, String),
) -> ReportView {
    let status = &report.summary.progress;
    let form = answers_of(&report.summary);
    let answers = match &form {
        Answers::Kept(form) => pages::Answers::Kept(
            form.answers()
                .into_iter()
                .map(|(question, answer)| (question.text().to_owned(), answer))
                .collect(),
        ),
        Answers::Removed => pages::Answers::Removed,
        Answers::Unreadable => pages::Answers::Unreadable {
            id: status.id.to_string(),
        },
    };
    ReportView {
        member,
        reference: status.reference.clone(),
        title: title(&form),
        received: moment(status.received_at_ms),
        state: status.state,
        answers,
        acknowledged: report
            .acknowledged_by
            .clone()
            .zip(status.acknowledged_at_ms.map(moment)),
        closed: report
            .closed_by
            .clone()
            .zip(status.closed_at_ms)
            .map(|(who, at)| {
                (
                    who,
                    moment(at),
                    report
                        .outcome
                        .map(|outcome| outcome.label().to_owned())
                        .unwrap_or_default(),
                    report.note.clone().filter(|note| !note.is_empty()),
                )
            }),
        deliveries: report
            .deliveries
            .iter()
            .map(|d| DeliveryRow {
                destination: d.destination.clone(),
                passed_on: match d.state {
                    DeliveryState::Delivered => PassedOn::Delivered,
                    DeliveryState::Parked => PassedOn::HeldBack,
                    DeliveryState::Pending => PassedOn::Trying,
                },
                attempts: d.attempts,
                reason: d.last_error.clone(),
                delivered: d.delivered_at_ms.map(moment),
            })
            .collect(),
        audit: report
            .audit
            .iter()
            .map(|entry| AuditRow {
                at: moment(entry.at_ms),
                who: entry.actor.who.clone(),
                what: audit_words(entry),
                address: entry.actor.address.clone(),
            })
            .collect(),
        trail: TrailCheck::NotChecked,
        notice: notice.map(str::to_owned),
        errors,
        posted,
    }
}

/// What the banner says after an action (`?done=`).
pub(super) fn notice(done: &str) -> Option<&'static str> {
    Some(match done {
        "acknowledged" => "You acknowledged this report.",
        "already-acknowledged" => {
            "Someone else acknowledged this report first. Nothing was changed."
        }
        "closed" => "You closed this report.",
        "already-closed" => "Someone else closed this report first. Nothing was changed.",
        "retried" => "Delivery will be tried again now.",
        "nothing-to-retry" => "No delivery was held back, so there was nothing to retry.",
        _ => return None,
    })
}

/// A stored report's answers, as the store holds them.
pub(super) enum Answers {
    Kept(Box<incident_report::ReportForm>),
    /// Removed after the retention period.
    Removed,
    /// Stored, but no longer read by this build: shown as such, never as removed.
    Unreadable,
}

/// The answers of `summary`; one that cannot be read is logged with its id (never its contents,
/// nor the parser's message, which may quote them).
pub(super) fn answers_of(summary: &report_store::TeamSummary) -> Answers {
    if summary.form_json == report_store::CLEARED_ANSWERS {
        return Answers::Removed;
    }
    if let Ok(form) = serde_json::from_str::<incident_report::ReportForm>(&summary.form_json) {
        return Answers::Kept(Box::new(form));
    }
    tracing::error!(
        id = %summary.progress.id,
        "a stored report's answers could not be read"
    );
    Answers::Unreadable
}

/// What happened, to which kind of device; or why the answers are not shown.
pub(super) fn title(answers: &Answers) -> String {
    match answers {
        Answers::Kept(form) => form.title(),
        Answers::Removed => "Answers removed".to_owned(),
        Answers::Unreadable => "Answers cannot be read".to_owned(),
    }
}

/// A moment in words, in UTC: "4 Dec 2026, 21:40 UTC".
pub(super) fn moment(ms: i64) -> String {
    let format = time::macros::format_description!(
        "[day padding:none] [month repr:short] [year], [hour]:[minute] UTC"
    );
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|at| at.format(&format).ok())
        .unwrap_or_default()
}

fn audit_words(entry: &AuditEntry) -> String {
    let detail = entry.detail.as_deref().unwrap_or_default();
    match entry.action {
        AuditAction::Viewed => "Viewed the report".to_owned(),
        AuditAction::Acknowledged => "Acknowledged".to_owned(),
        AuditAction::AlreadyAcknowledged => {
            "Asked to acknowledge; it already was, nothing changed".to_owned()
        }
        AuditAction::Closed => format!("Closed: {}", Outcome::label_of(detail)),
        AuditAction::AlreadyClosed => "Asked to close; it already was, nothing changed".to_owned(),
        AuditAction::RetriedDelivery => format!("Retried delivery ({detail})"),
        AuditAction::SignedIn if detail.is_empty() => "Signed in".to_owned(),
        AuditAction::SignedIn => format!("Signed in ({detail})"),
        // Rows from before refusals had reasons were all of people not admitted.
        AuditAction::Refused if detail.is_empty() => format!("Refused: {NOT_ADMITTED}"),
        AuditAction::Refused => format!("Refused: {detail}"),
        AuditAction::SignedOut => "Signed out".to_owned(),
        AuditAction::StartedDespiteLostReports => {
            format!("Started the service on a database that had lost reports ({detail})")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use incident_report::progress::TeamState;

    fn summary(form_json: &str) -> report_store::TeamSummary {
        report_store::TeamSummary {
            progress: incident_report::progress::Progress {
                id: incident_report::ReportId::from_random_bytes([1; 16]),
                reference: "LD-2026-000001".to_owned(),
                received_at_ms: 0,
                passed_on: PassedOn::Delivered,
                passed_on_at_ms: None,
                state: TeamState::New,
                acknowledged_at_ms: None,
                closed_at_ms: None,
            },
            form_json: form_json.to_owned(),
        }
    }

    #[test]
    fn answers_that_cannot_be_read_are_never_shown_as_removed() {
        assert_eq!(title(&answers_of(&summary("{}"))), "Answers removed");
        for damaged in ["{\"what_happened\": 7", "not json", "[true]"] {
            assert_eq!(
                title(&answers_of(&summary(damaged))),
                "Answers cannot be read"
            );
        }
        let example = serde_json::to_string(&incident_report::ReportForm::example()).expect("json");
        assert!(matches!(answers_of(&summary(&example)), Answers::Kept(_)));
    }
}
