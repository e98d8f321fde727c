//! From the store's rows to the pages' views: names, times and words the team reads.

use app::team::{
    self as pages, AnswerRow, AuditRow, DeliveryRow, Member, NoteRow, Outcome, ReportView,
    TrailCheck,
};
use incident_report::Question;
use incident_report::progress::PassedOn;
use report_store::{AuditAction, AuditEntry, DeliveryState, Session};

use super::handlers::NOT_ADMITTED;

pub(super) fn member(session: &Session) -> Member {
    Member {
        name: session.name.clone(),
        email: session.email.clone(),
        csrf: session.csrf.clone(),
    }
}

/// The report's page from what the store holds.
pub(super) fn report_view(
    report: &report_store::TeamReport,
    member: Member,
    notice: Option<&str>,
    errors: Vec<(&'static str, String)>,
    posted: pages::Posted,
) -> ReportView {
    let status = &report.summary.progress;
    let form = answers_of(&report.summary);
    let answers = match &form {
        Answers::Kept(form) => pages::Answers::Kept(
            form.answers()
                .into_iter()
                .map(|(question, answer)| AnswerRow {
                    question: question.text().to_owned(),
                    link: answer_link(question, &answer),
                    answer,
                })
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
                destination: destination_words(&d.destination)
                    .map_or_else(|| d.destination.clone(), str::to_owned),
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
        owner: report.owner.clone(),
        notes: report
            .notes
            .iter()
            .map(|note| NoteRow {
                at: moment(note.at_ms),
                who: note.who.clone(),
                text: note.text.clone(),
            })
            .collect(),
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
        "owner-changed" => "The owner was changed.",
        "owner-unchanged" => "That was already the owner. Nothing was changed.",
        "noted" => "Your note was added.",
        "reopened" => "You reopened this report.",
        "erased" => {
            "The personal details were erased. Ask the owners of the copies passed on to erase theirs too."
        }
        "already-erased" => "The personal details had already been removed. Nothing was changed.",
        "not-closed" => "This report was not closed, so there was nothing to reopen.",
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

/// A moment in words as GOV.UK writes it, in UK time with its zone: "4 December 2026 at
/// 9:40pm GMT", "1 June 2026 at midday BST".
pub(super) fn moment(ms: i64) -> String {
    let Ok(at) = jiff::Timestamp::from_millisecond(ms) else {
        return String::new();
    };
    let uk = jiff::tz::db().get("Europe/London").map_or_else(
        |_| at.to_zoned(jiff::tz::TimeZone::UTC),
        |zone| at.to_zoned(zone),
    );
    let clock = match (uk.hour(), uk.minute()) {
        (0, 0) => "midnight".to_owned(),
        (12, 0) => "midday".to_owned(),
        (hour, minute) => format!(
            "{}:{minute:02}{}",
            (hour + 11) % 12 + 1,
            if hour < 12 { "am" } else { "pm" }
        ),
    };
    format!(
        "{} at {clock} {}",
        uk.strftime("%-d %B %Y"),
        uk.strftime("%Z")
    )
}

/// A destination, by its name in the delivery rows, in the words the team reads.
fn destination_words(name: &str) -> Option<&'static str> {
    match name {
        "maildir" => Some("The mail folder on this server"),
        "smtp" => Some("The incident mailbox (email)"),
        "webhook" => Some("The service desk's webhook"),
        _ => None,
    }
}

/// A `tel:` or `mailto:` address for the reporter's phone number or email address, so the team
/// can call or write with one tap.
fn answer_link(question: Question, answer: &str) -> Option<String> {
    match question {
        Question::Phone => {
            let number: String = answer
                .chars()
                .filter(|c| c.is_ascii_digit() || *c == '+')
                .collect();
            (!number.is_empty()).then(|| format!("tel:{number}"))
        }
        // Only an address of plain characters: anything else (`?`, `&`) could add a recipient
        // or a body to the message the link starts.
        Question::Email
            if answer.contains('@')
                && answer
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "@._+-".contains(c)) =>
        {
            Some(format!("mailto:{answer}"))
        }
        _ => None,
    }
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
        AuditAction::RetriedDelivery => {
            let named: Vec<String> = detail
                .split(", ")
                .filter_map(destination_words)
                .map(str::to_lowercase)
                .collect();
            if named.is_empty() {
                format!("Retried delivery ({detail})")
            } else {
                format!("Retried delivery to {}", named.join(", "))
            }
        }
        AuditAction::SignedIn if detail.is_empty() => "Signed in".to_owned(),
        AuditAction::SignedIn => format!("Signed in ({detail})"),
        // Rows from before refusals had reasons were all of people not admitted.
        AuditAction::Refused if detail.is_empty() => format!("Refused: {NOT_ADMITTED}"),
        AuditAction::Refused => format!("Refused: {detail}"),
        AuditAction::SignedOut => "Signed out".to_owned(),
        AuditAction::AlertSent => match detail.parse::<report_store::Alert>() {
            Ok(report_store::Alert::HeldBack) => {
                "Alerted the team: a destination refused this report".to_owned()
            }
            Ok(report_store::Alert::Unacknowledged) => {
                "Alerted the team: nobody had acknowledged this report in time".to_owned()
            }
            Err(_) => format!("Alerted the team ({detail})"),
        },
        AuditAction::Exported => format!("Downloaded reports ({detail})"),
        AuditAction::OwnerChanged if detail == "nobody" => "Left it with nobody".to_owned(),
        AuditAction::OwnerChanged => format!("Gave it to {detail}"),
        AuditAction::NoteAdded => "Added a note".to_owned(),
        AuditAction::Erased => format!("Erased the personal details: {detail}"),
        AuditAction::AlreadyErased => {
            "Asked to erase the personal details; they were already removed".to_owned()
        }
        AuditAction::Reopened => "Reopened".to_owned(),
        AuditAction::NotClosed => "Asked to reopen; it was not closed, nothing changed".to_owned(),
        AuditAction::StartedDespiteLostReports => {
            format!("Started the service on a database that had lost reports ({detail})")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use incident_report::progress::TeamState;

    /// Milliseconds since the epoch of a UTC date and time.
    fn utc(text: &str) -> i64 {
        text.parse::<jiff::Timestamp>()
            .expect("a time")
            .as_millisecond()
    }

    #[test]
    fn a_moment_is_in_uk_time_as_gov_uk_writes_it_with_its_zone() {
        for (utc_time, words) in [
            ("2026-12-03T22:34:00Z", "3 December 2026 at 10:34pm GMT"),
            // Summer time: an hour ahead of UTC, and past midnight already in the UK.
            ("2026-06-30T23:05:00Z", "1 July 2026 at 12:05am BST"),
            ("2026-06-01T11:00:00Z", "1 June 2026 at midday BST"),
            ("2026-01-05T00:00:00Z", "5 January 2026 at midnight GMT"),
            // The clocks go forward at 01:00 UTC on the last Sunday of March.
            ("2026-03-29T00:59:00Z", "29 March 2026 at 12:59am GMT"),
            ("2026-03-29T01:00:00Z", "29 March 2026 at 2:00am BST"),
        ] {
            assert_eq!(moment(utc(utc_time)), words, "{utc_time}");
        }
    }

    #[test]
    fn the_reporter_s_phone_and_email_are_links_and_nothing_else_rides_on_them() {
        assert_eq!(
            answer_link(Question::Phone, "07700 900 123").as_deref(),
            Some("tel:07700900123")
        );
        assert_eq!(
            answer_link(Question::Phone, "+44 (0)20 7946 0000").as_deref(),
            Some("tel:+4402079460000")
        );
        assert_eq!(
            answer_link(Question::Email, "sam.jones@justice.gov.uk").as_deref(),
            Some("mailto:sam.jones@justice.gov.uk")
        );
        // An address that would add a recipient or a body to the message is shown, not linked.
        for address in [
            "sam@example.org?cc=x@evil.example",
            "sam@example.org&body=hi",
            "a b@c.d",
        ] {
            assert_eq!(answer_link(Question::Email, address), None, "{address}");
        }
        assert_eq!(answer_link(Question::Location, "07700 900 123"), None);
    }

    #[test]
    fn destinations_are_named_in_words_and_an_unknown_one_as_it_is() {
        assert_eq!(
            destination_words("smtp"),
            Some("The incident mailbox (email)")
        );
        assert_eq!(
            destination_words("webhook"),
            Some("The service desk's webhook")
        );
        assert_eq!(destination_words("pigeon"), None);
    }

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
            outcome: None,
            what_happened: None,
            device: None,
            owner: None,
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
