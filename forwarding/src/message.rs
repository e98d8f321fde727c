//! What is forwarded: a stored report as an email (for the Maildir and SMTP destinations) and as a
//! JSON document (for the webhook). Both carry an identity derived from the report id alone, so a
//! receiver can drop the repeat that a crash between sending and recording may cause.

use incident_report::{ReportForm, ReportId};
use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use report_store::Delivery;
use serde::Serialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::Failure;

/// A stored report, read back for forwarding.
#[derive(Debug, Clone)]
pub struct ForwardedReport {
    /// The report id.
    pub id: ReportId,
    /// The server's reference, e.g. `LD-2026-000123`.
    pub reference: String,
    /// When the server received it.
    pub received_at: OffsetDateTime,
    /// The answers.
    pub form: ReportForm,
    /// Its address in the team's view, when the view is on.
    pub team_view_url: Option<String>,
}

/// The JSON document a machine reads: in the email's attachment and as the webhook's body.
#[derive(Debug, Serialize)]
pub struct ReportDocument<'a> {
    /// The report id (the phone made it; the idempotency key everywhere).
    pub id: ReportId,
    /// The server's reference.
    pub reference: &'a str,
    /// When the server received it (RFC 3339).
    pub received_at: String,
    /// The answers, as the phone sent them.
    pub report: &'a ReportForm,
    /// Its address in the team's view, when the view is on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub team_view_url: Option<&'a str>,
}

/// Who an email comes from and goes to.
#[derive(Debug, Clone)]
pub struct Envelope {
    /// The `From` address.
    pub from: Mailbox,
    /// The `To` address: the incident mailbox.
    pub to: Mailbox,
}

impl ForwardedReport {
    /// Reads a claimed delivery back into a report. A row that cannot be read is a permanent
    /// failure: retrying cannot change what is stored.
    pub fn from_delivery(delivery: &Delivery) -> Result<Self, Failure> {
        let form = serde_json::from_str(&delivery.form_json)
            .map_err(|e| Failure::permanent(format!("the stored answers cannot be read: {e}")))?;
        let received_at = OffsetDateTime::parse(&delivery.received_at, &Rfc3339)
            .map_err(|e| Failure::permanent(format!("the stored time cannot be read: {e}")))?;
        Ok(Self {
            id: delivery.report_id,
            reference: delivery.reference.clone(),
            received_at,
            form,
            team_view_url: None,
        })
    }

    /// The same report, with its address in the team's view at `public_url` (this service's
    /// address) when the view is on.
    #[must_use]
    pub fn in_team_view(mut self, public_url: Option<&str>) -> Self {
        self.team_view_url = public_url.map(|url| {
            format!(
                "{}/team/reports/{}",
                url.trim_end_matches('/'),
                self.reference
            )
        });
        self
    }

    /// The JSON document for machines.
    pub fn document(&self) -> ReportDocument<'_> {
        ReportDocument {
            id: self.id,
            reference: &self.reference,
            received_at: self.received_at.format(&Rfc3339).unwrap_or_default(),
            report: &self.form,
            team_view_url: self.team_view_url.as_deref(),
        }
    }

    /// The document as bytes; a failure to write it is a permanent failure of the delivery,
    /// never an empty body sent in its place.
    pub fn document_json(&self) -> Result<Vec<u8>, Failure> {
        serde_json::to_vec_pretty(&self.document()).map_err(|e| {
            Failure::permanent(format!("the report could not be written as JSON: {e}"))
        })
    }

    /// `28 November 2026`.
    fn received_date(&self) -> String {
        let date = self.received_at.date();
        format!("{} {} {}", date.day(), date.month(), date.year())
    }

    /// The subject: `[LD-2026-000123] Stolen laptop, reported 28 November 2026`.
    pub fn subject(&self) -> String {
        format!(
            "[{}] {}, reported {}",
            self.reference,
            self.form.title(),
            self.received_date()
        )
    }

    /// The plain-text body: who sent it and when, then the report as the phone renders it for
    /// "Email this report".
    pub fn body(&self) -> String {
        let time = self.received_at.time();
        let team_view = self
            .team_view_url
            .as_ref()
            .map(|url| format!("In the team's view: {url}\n"))
            .unwrap_or_default();
        format!(
            "A report from the Lost Device app.\n\nReference: {}\nReceived: {} at {:02}:{:02} UTC\n{team_view}\n{}",
            self.reference,
            self.received_date(),
            time.hour(),
            time.minute(),
            self.form.to_plain_text(self.id)
        )
    }

    /// The email's `Message-ID`: the same for every copy of this report, so a mail client or
    /// filter drops a repeat.
    pub fn message_id(&self, from: &Mailbox) -> String {
        format!("<{}@{}>", self.id, from.email.domain())
    }

    /// The whole email, ready to write to a Maildir or send over SMTP.
    pub fn email(&self, envelope: &Envelope) -> Result<lettre::Message, Failure> {
        let json = ContentType::parse("application/json")
            .map_err(|e| Failure::permanent(format!("content type: {e}")))?;
        lettre::Message::builder()
            .message_id(Some(self.message_id(&envelope.from)))
            .from(envelope.from.clone())
            .to(envelope.to.clone())
            .subject(self.subject())
            .date(self.received_at.into())
            .multipart(
                MultiPart::mixed()
                    .singlepart(SinglePart::plain(self.body()))
                    .singlepart(
                        Attachment::new(format!("{}.json", self.reference))
                            .body(self.document_json()?, json),
                    ),
            )
            .map_err(|e| Failure::permanent(format!("the email could not be built: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use incident_report::form::{DeviceKind, WhatHappened};

    fn report() -> ForwardedReport {
        ForwardedReport {
            id: ReportId::from_random_bytes([7; 16]),
            reference: "LD-2026-000123".into(),
            received_at: time::macros::datetime!(2026-11-28 10:04:05 UTC),
            form: ReportForm {
                what_happened: Some(WhatHappened::Stolen),
                device: Some(DeviceKind::Laptop),
                name: "Sam Example".into(),
                ..ReportForm::default()
            },
            team_view_url: None,
        }
    }

    fn envelope() -> Envelope {
        Envelope {
            from: "Lost Device <lost-device@example.test>"
                .parse()
                .expect("from"),
            to: "Incidents <incidents@example.test>".parse().expect("to"),
        }
    }

    #[test]
    fn the_subject_names_the_reference_what_happened_and_the_day() {
        assert_eq!(
            report().subject(),
            "[LD-2026-000123] Stolen laptop, reported 28 November 2026"
        );
    }

    #[test]
    fn the_body_has_the_reference_the_time_and_the_phone_s_plain_text() {
        let report = report();
        let body = report.body();
        assert!(
            body.contains("Reference: LD-2026-000123\nReceived: 28 November 2026 at 10:04 UTC")
        );
        assert!(body.ends_with(&report.form.to_plain_text(report.id)));
        assert!(
            !body.contains("team's view"),
            "no link while the view is off"
        );
        assert!(
            !String::from_utf8(report.document_json().expect("json"))
                .expect("utf-8")
                .contains("team_view_url")
        );
    }

    #[test]
    fn with_the_team_s_view_on_the_email_and_the_document_link_to_the_report_there() {
        let report = report().in_team_view(Some("https://lost-device.example.org/"));
        let url = "https://lost-device.example.org/team/reports/LD-2026-000123";
        assert!(
            report.body().contains(&format!(
                "Received: 28 November 2026 at 10:04 UTC\nIn the team's view: {url}\n"
            )),
            "{}",
            report.body()
        );
        let document: serde_json::Value =
            serde_json::from_slice(&report.document_json().expect("json")).expect("a document");
        assert_eq!(document["team_view_url"], url);
    }

    #[test]
    fn the_email_carries_a_message_id_from_the_report_id_and_the_answers_as_json() {
        let report = report();
        let email =
            String::from_utf8(report.email(&envelope()).expect("email").formatted()).expect("text");
        assert!(
            email.contains(&format!("Message-ID: <{}@example.test>", report.id)),
            "{email}"
        );
        assert!(email.contains("Subject: [LD-2026-000123] Stolen laptop"));
        assert!(email.contains("Content-Type: application/json"));
        assert!(email.contains("LD-2026-000123.json"));
    }

    #[test]
    fn a_stored_row_that_cannot_be_read_is_a_permanent_failure() {
        let delivery = Delivery {
            report_id: ReportId::from_random_bytes([7; 16]),
            destination: "maildir".into(),
            reference: "LD-2026-000001".into(),
            form_json: "not json".into(),
            received_at: "2026-11-28T10:00:00Z".into(),
            attempts: 0,
            lease: "x".into(),
        };
        let failure = ForwardedReport::from_delivery(&delivery).expect_err("unreadable");
        assert!(failure.is_permanent());
    }
}
