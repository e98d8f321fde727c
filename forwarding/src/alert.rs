//! Alerts to the team: an email to the address the deployment set (`--team-alert-to`) when a
//! report's delivery is held back or nobody acknowledged it in time. It names the report by its
//! reference and links to it in the team's view; it holds none of the answers. Sent through the
//! same mail destination as reports (SMTP if configured, else the Maildir), with an identity of
//! its own, so a repeat is dropped like a report's.

use std::time::Duration;

use lettre::message::Mailbox;
use report_store::{Alert, Delivery};

use crate::Failure;
use crate::maildir::Maildir;
use crate::message::Envelope;

/// Where alerts go and when a report is late.
#[derive(Debug, Clone)]
pub struct Alerts {
    /// The team's address.
    pub to: Mailbox,
    /// A report nobody has acknowledged this long after it arrived is alerted.
    pub acknowledge_within: Duration,
}

/// How far back unacknowledged reports are looked for: a report received longer ago than this
/// before its deadline (kept from before alerts were turned on, say) is never alerted.
pub const LOOK_BACK: Duration = Duration::from_hours(7 * 24);

/// `4 hours`, `90 minutes`, `1 hour 30 minutes`.
pub fn in_words(duration: Duration) -> String {
    let minutes = duration.as_secs() / 60;
    let (hours, minutes) = (minutes / 60, minutes % 60);
    let unit = |n: u64, one: &str| {
        if n == 1 {
            format!("1 {one}")
        } else {
            format!("{n} {one}s")
        }
    };
    match (hours, minutes) {
        (0, m) => unit(m, "minute"),
        (h, 0) => unit(h, "hour"),
        (h, m) => format!("{} {}", unit(h, "hour"), unit(m, "minute")),
    }
}

/// The alert email for `delivery` (an alert's row): its subject, body and identity.
pub fn email(
    alert: Alert,
    delivery: &Delivery,
    envelope: &Envelope,
    alerts: &Alerts,
    team_view: Option<&str>,
) -> Result<lettre::Message, Failure> {
    let reference = &delivery.reference;
    let (subject, why) = match alert {
        Alert::HeldBack => (
            format!("[{reference}] Held back: a destination refused this report"),
            "A destination refused this report, so it has not reached everyone it should. The \
             team's view says which destination and why, and has a button to try again once the \
             cause is fixed."
                .to_owned(),
        ),
        Alert::Unacknowledged => {
            let within = in_words(alerts.acknowledge_within);
            (
                format!("[{reference}] Not acknowledged within {within}"),
                format!(
                    "Nobody in the team has acknowledged this report within {within} of it \
                     arriving. Until someone does, the person who reported it cannot see that it \
                     was seen."
                ),
            )
        }
    };
    let link = team_view.map_or_else(
        || "Find it in the team's view by its reference.".to_owned(),
        |url| {
            format!(
                "Open it: {}/team/reports/{reference}",
                url.trim_end_matches('/')
            )
        },
    );
    let body = format!(
        "An alert from the Lost Device service about report {reference}.\n\n{why}\n\n{link}\n\n\
         This email holds none of the report's answers.\n"
    );
    lettre::Message::builder()
        .message_id(Some(format!(
            "<{}.{alert}@{}>",
            delivery.report_id,
            envelope.from.email.domain()
        )))
        .from(envelope.from.clone())
        .to(alerts.to.clone())
        .subject(subject)
        .body(body)
        .map_err(|e| Failure::permanent(format!("the alert could not be built: {e}")))
}

/// The alert's file name in a Maildir: its own, beside the report's.
pub fn file_name(alert: Alert, delivery: &Delivery) -> String {
    format!("alert.{}-{alert}.lost-device", delivery.report_id)
}

/// Writes the alert to `maildir`.
pub async fn to_maildir(
    maildir: &Maildir,
    alert: Alert,
    delivery: &Delivery,
    message: &lettre::Message,
) -> Result<(), Failure> {
    maildir
        .deliver_as(file_name(alert, delivery), message)
        .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use incident_report::ReportId;

    fn delivery() -> Delivery {
        Delivery {
            report_id: ReportId::from_random_bytes([7; 16]),
            destination: Alert::Unacknowledged.destination(),
            reference: "LD-2026-000123".into(),
            form_json: r#"{"name":"Sam Example","email":"sam@example.org"}"#.into(),
            received_at: "2026-12-07T10:00:00Z".into(),
            attempts: 0,
            lease: "x:y".into(),
        }
    }

    #[test]
    fn an_alert_names_the_report_and_links_to_it_but_holds_no_answer() {
        let envelope = Envelope {
            from: "Lost Device <lost-device@example.test>"
                .parse()
                .expect("from"),
            to: "Incidents <incidents@example.test>".parse().expect("to"),
        };
        let alerts = Alerts {
            to: "Team <team@example.test>".parse().expect("to"),
            acknowledge_within: Duration::from_hours(4),
        };
        let message = email(
            Alert::Unacknowledged,
            &delivery(),
            &envelope,
            &alerts,
            Some("https://lost-device.example.org/"),
        )
        .expect("an email");
        let text = String::from_utf8(message.formatted()).expect("text");
        assert!(text.contains("Subject: [LD-2026-000123] Not acknowledged within 4 hours"));
        assert!(text.contains("To: Team <team@example.test>"));
        assert!(
            text.contains("Open it: https://lost-device.example.org/team/reports/LD-2026-000123")
        );
        assert!(!text.contains("Sam") && !text.contains("sam@"), "no answer");
        assert!(
            text.contains(
                "Message-ID: <07070707-0707-4707-8707-070707070707.unacknowledged@example.test>"
            ),
            "{text}"
        );
    }

    #[test]
    fn a_wait_is_said_in_words() {
        assert_eq!(in_words(Duration::from_hours(4)), "4 hours");
        assert_eq!(in_words(Duration::from_secs(3600)), "1 hour");
        assert_eq!(in_words(Duration::from_mins(90)), "1 hour 30 minutes");
        assert_eq!(in_words(Duration::from_mins(45)), "45 minutes");
    }
}
