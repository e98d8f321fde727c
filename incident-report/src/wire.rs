//! The contract between the phone and the intake server, in one place both sides use: the
//! address, the request body ([`Submission`]), the receipt ([`Receipt`]), the refusal body
//! ([`Refusal`]) with every error code the server gives ([`ErrorCode`]: its status, its words and
//! what it means for the report), and the phone's reading of any answer ([`classify`]).
//!
//! Rules the phone follows:
//! - only a 2xx JSON answer of the expected shape that names the same report id is a delivery
//!   (a Wi-Fi sign-in page answering 200 with HTML is not);
//! - only a JSON refusal from our own server, with a code that means "refuse" and its status,
//!   rejects a report; every other answer (5xx, 409, 408, 429, an unknown page, a timeout, no
//!   network) leaves it queued to try again later.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::form::{AnswerError, Question, ReportForm};
use crate::id::ReportId;
use crate::json::Json;
use crate::question_table::{FIRST_FORM_VERSION, FormVersion};

/// Where phones send reports (`POST`).
pub const REPORTS_PATH: &str = "/api/v1/reports";

/// The body of `POST /api/v1/reports`: the report's id and its answers, as the phone sends them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Submission {
    /// The report id; the `Idempotency-Key` header carries it too.
    pub id: ReportId,
    /// The answers.
    pub form: ReportForm,
    /// The form version the answers were written under (absent from phones of releases before
    /// versions were recorded, which wrote the first): the server checks them by its rules.
    #[serde(default = "first_form_version")]
    pub form_version: FormVersion,
}

fn first_form_version() -> FormVersion {
    FIRST_FORM_VERSION
}

impl Submission {
    /// The `Idempotency-Key` header's value: the id as a quoted string, as the IETF draft writes it.
    pub fn idempotency_key(&self) -> String {
        format!("\"{}\"", self.id)
    }
}

/// The server's answer for a stored report (201 when stored now, 200 for a repeat).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receipt {
    /// The report id, as sent.
    pub id: ReportId,
    /// The server's reference for it, e.g. `LD-2026-000123`.
    pub reference: String,
}

/// Every error the reports API gives. The serde name is the body's `error`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ErrorCode {
    /// The body is over the limit.
    TooLarge,
    /// The body could not be read (broken off).
    UnreadableBody,
    /// The body is not declared as JSON.
    NotJson,
    /// No `Idempotency-Key`, or not a report id.
    BadIdempotencyKey,
    /// The JSON is not a report submission.
    MalformedReport,
    /// The key is not the body's id.
    IdempotencyKeyMismatch,
    /// Some answers are invalid (`fields` says which).
    InvalidReport,
    /// A request with this id is being processed.
    InProgress,
    /// This id was already used for a different report.
    IdempotencyKeyReused,
    /// Too many reports from this network, or in all, just now (`Retry-After` says how long).
    RateLimited,
    /// The server cannot store reports just now (its disk is full or failing, or its database
    /// is out of reach); `Retry-After` says when to try again.
    Unavailable,
    /// Something failed on the server.
    Internal,
}

/// What an error means for the report on the phone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Meaning {
    /// The report is refused: the reporter must change it before it is sent again.
    Refuse,
    /// The report stays queued and is sent again later; the words say why, for the reporter.
    Retry(&'static str),
}

impl ErrorCode {
    /// Every code, for tests that walk them all.
    pub const ALL: [Self; 12] = [
        Self::TooLarge,
        Self::UnreadableBody,
        Self::NotJson,
        Self::BadIdempotencyKey,
        Self::MalformedReport,
        Self::IdempotencyKeyMismatch,
        Self::InvalidReport,
        Self::InProgress,
        Self::IdempotencyKeyReused,
        Self::RateLimited,
        Self::Unavailable,
        Self::Internal,
    ];

    /// The HTTP status it comes with.
    pub fn status(self) -> u16 {
        match self {
            Self::UnreadableBody
            | Self::BadIdempotencyKey
            | Self::MalformedReport
            | Self::IdempotencyKeyMismatch => 400,
            Self::InProgress => 409,
            Self::TooLarge => 413,
            Self::NotJson => 415,
            Self::InvalidReport | Self::IdempotencyKeyReused => 422,
            Self::RateLimited => 429,
            Self::Internal => 500,
            Self::Unavailable => 503,
        }
    }

    /// The body's `message`, in plain words: the phone shows it when the whole report is refused.
    pub fn message(self) -> &'static str {
        match self {
            Self::TooLarge => "The report is too long to send. Shorten the longest answers.",
            Self::UnreadableBody => "The report arrived incomplete.",
            Self::NotJson => "Send the report as JSON, with Content-Type: application/json.",
            Self::BadIdempotencyKey => "Send the report id as the Idempotency-Key header.",
            Self::MalformedReport => {
                "The report could not be read: it is not in the form this server expects."
            }
            Self::IdempotencyKeyMismatch => "The Idempotency-Key header must be the report's id.",
            Self::InvalidReport => "Some answers need to be corrected.",
            Self::InProgress => "This report is already being received. Try again in a moment.",
            Self::IdempotencyKeyReused => "A different report was already received with this id.",
            Self::RateLimited => {
                "Too many reports have been sent from this network just now. Your report is safe \
                 on your phone and will be sent by itself."
            }
            Self::Unavailable => {
                "The server cannot store reports just now. It is safe to send the report again \
                 in a few minutes."
            }
            Self::Internal => "The report could not be stored. It is safe to send it again.",
        }
    }

    /// What the phone does with a report that got this answer.
    pub fn meaning(self) -> Meaning {
        match self {
            Self::TooLarge
            | Self::UnreadableBody
            | Self::BadIdempotencyKey
            | Self::MalformedReport
            | Self::IdempotencyKeyMismatch
            | Self::InvalidReport
            | Self::IdempotencyKeyReused => Meaning::Refuse,
            // A phone always sends JSON: such an answer did not come from talking to our server.
            Self::NotJson => Meaning::Retry("The report could not be sent."),
            Self::InProgress => Meaning::Retry("The server is still receiving this report."),
            Self::RateLimited => {
                Meaning::Retry("The server is receiving too many reports just now.")
            }
            Self::Unavailable => Meaning::Retry("The server cannot store reports just now."),
            Self::Internal => Meaning::Retry("The server had a problem."),
        }
    }
}

/// The body of every error answer from the reports API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refusal {
    /// Which error; how a refusal from our server is told from any other JSON.
    pub error: ErrorCode,
    /// In plain words (usually [`ErrorCode::message`]).
    pub message: String,
    /// For [`ErrorCode::InvalidReport`]: each answer to correct.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<RefusedAnswer>,
}

impl Refusal {
    /// The refusal for `error`, in its own words.
    pub fn new(error: ErrorCode) -> Self {
        Self {
            error,
            message: error.message().to_owned(),
            fields: Vec::new(),
        }
    }

    /// The refusal of invalid answers, one entry per answer.
    pub fn invalid(errors: &[AnswerError]) -> Self {
        Self {
            fields: errors
                .iter()
                .map(|error| RefusedAnswer {
                    field: error.question,
                    id: error.question.id().to_owned(),
                    message: error.message.clone(),
                })
                .collect(),
            ..Self::new(ErrorCode::InvalidReport)
        }
    }

    /// What the reporter must change: each refused answer, or, when the whole report was
    /// refused, the message against the first question so there is somewhere to start.
    fn reasons(self) -> Vec<AnswerError> {
        if self.fields.is_empty() {
            return vec![AnswerError {
                question: Question::ALL[0],
                message: self.message,
            }];
        }
        self.fields
            .into_iter()
            .map(|f| AnswerError {
                question: f.field,
                message: f.message,
            })
            .collect()
    }
}

/// One answer to correct, in a refusal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefusedAnswer {
    /// The question.
    pub field: Question,
    /// The HTML id of its input, for clients that link to it.
    pub id: String,
    /// What to do about it.
    pub message: String,
}

/// What one send attempt produced, as far as the phone could tell.
#[derive(Debug, Clone, Copy)]
pub enum Attempt<'a> {
    /// An HTTP answer arrived.
    Answered {
        /// Its status code.
        status: u16,
        /// Its `Content-Type`, if any.
        content_type: Option<&'a str>,
        /// Its body as text.
        body: &'a str,
        /// Its `Retry-After` header, if any.
        retry_after: Option<&'a str>,
    },
    /// No answer within the time limit.
    TimedOut,
    /// The request could not be made or was cut off (no network, connection dropped).
    NetworkFailed,
}

/// What an attempt means for the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The server has it, under this reference.
    Delivered {
        /// The server's reference.
        reference: String,
    },
    /// The server refused it; the reporter must change something.
    Rejected {
        /// What to change.
        reasons: Vec<AnswerError>,
    },
    /// Try again later; `why` says what happened, in plain words.
    Retry {
        /// For the reporter.
        why: String,
        /// How long the server asked us to wait (`Retry-After` on a 429 or 503), if it did.
        wait: Option<Duration>,
    },
}

/// What `attempt` to send report `id` means; `json` reads the answer's body.
pub fn classify(json: &impl Json, id: ReportId, attempt: Attempt<'_>) -> Outcome {
    let retry = |why: &str, wait: Option<Duration>| Outcome::Retry {
        why: why.to_owned(),
        wait,
    };
    let (status, content_type, body, retry_after) = match attempt {
        Attempt::TimedOut => return retry("The server did not answer in time.", None),
        Attempt::NetworkFailed => return retry("There is no connection to the server.", None),
        Attempt::Answered {
            status,
            content_type,
            body,
            retry_after,
        } => (status, content_type, body, retry_after),
    };
    // Only the delay in seconds is read; a date would need a clock this code does not have.
    let asked = retry_after
        .and_then(|value| value.trim().parse::<u64>().ok())
        .map(Duration::from_secs)
        .filter(|_| matches!(status, 429 | 503));
    let is_json = content_type.is_some_and(|t| {
        t.trim_start()
            .to_ascii_lowercase()
            .starts_with("application/json")
    });
    if (200..=299).contains(&status) {
        return match json.read_text::<Receipt>(body) {
            Some(receipt)
                if is_json && receipt.id == id && !receipt.reference.trim().is_empty() =>
            {
                Outcome::Delivered {
                    reference: receipt.reference,
                }
            }
            _ => retry(
                "Something answered that is not the report server (perhaps a Wi-Fi sign-in page). \
                 Open any web page to sign in to the network.",
                None,
            ),
        };
    }
    let ours = json
        .read_text::<Refusal>(body)
        .filter(|refusal| is_json && refusal.error.status() == status);
    match ours {
        Some(refusal) => match refusal.error.meaning() {
            Meaning::Refuse => Outcome::Rejected {
                reasons: refusal.reasons(),
            },
            Meaning::Retry(why) => retry(why, asked),
        },
        // Not our server's words (a proxy, a gateway, an old server): judged by the status.
        None => match status {
            503 => retry("The server is busy or down for maintenance.", asked),
            429 => retry(ErrorCode::RateLimited.meaning_words(), asked),
            409 => retry(ErrorCode::InProgress.meaning_words(), None),
            500..=599 => retry(ErrorCode::Internal.meaning_words(), None),
            400 | 413 | 422 if is_json => retry("The server's answer could not be read.", None),
            _ => retry("The report could not be sent.", None),
        },
    }
}

impl ErrorCode {
    /// The words of a code that means "retry" (empty for one that refuses).
    fn meaning_words(self) -> &'static str {
        match self.meaning() {
            Meaning::Retry(why) => why,
            Meaning::Refuse => "",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::SerdeJson;

    fn id() -> ReportId {
        ReportId::from_random_bytes([9; 16])
    }

    fn answered<'a>(status: u16, content_type: &'a str, body: &'a str) -> Attempt<'a> {
        Attempt::Answered {
            status,
            content_type: Some(content_type),
            body,
            retry_after: None,
        }
    }

    /// Whether an answer with this status, type and body to report `id()` means "try again".
    fn retries(status: u16, content_type: &str, body: &str) -> bool {
        is_retry(&classify(
            &SerdeJson,
            id(),
            answered(status, content_type, body),
        ))
    }

    fn is_retry(outcome: &Outcome) -> bool {
        matches!(outcome, Outcome::Retry { .. })
    }

    fn receipt(for_id: ReportId) -> String {
        format!(r#"{{"id":"{for_id}","reference":"LD-2026-000001"}}"#)
    }

    #[test]
    fn a_json_receipt_naming_this_report_is_a_delivery() {
        let body = receipt(id());
        for status in [200, 201] {
            assert_eq!(
                classify(
                    &SerdeJson,
                    id(),
                    answered(status, "application/json", &body)
                ),
                Outcome::Delivered {
                    reference: "LD-2026-000001".into()
                }
            );
        }
    }

    #[test]
    fn a_wifi_sign_in_page_or_another_reports_receipt_is_not_a_delivery() {
        assert!(retries(
            200,
            "text/html",
            "<html>Sign in to Hotel Wi-Fi</html>"
        ));
        assert!(retries(200, "text/html", &receipt(id())));
        let other = receipt(ReportId::from_random_bytes([1; 16]));
        assert!(retries(201, "application/json", &other));
        assert!(retries(200, "application/json", "{}"));
    }

    #[test]
    fn server_trouble_and_network_trouble_mean_try_again() {
        for status in [408, 409, 429, 500, 502, 503, 302, 404] {
            assert!(retries(status, "application/json", "{}"), "{status}");
        }
        assert!(is_retry(&classify(&SerdeJson, id(), Attempt::TimedOut)));
        assert!(is_retry(&classify(
            &SerdeJson,
            id(),
            Attempt::NetworkFailed
        )));
    }

    #[test]
    fn every_code_is_read_as_it_means_with_its_own_status() {
        for code in ErrorCode::ALL {
            let body = serde_json::to_string(&Refusal::new(code)).expect("json");
            let outcome = classify(
                &SerdeJson,
                id(),
                answered(code.status(), "application/json", &body),
            );
            match code.meaning() {
                Meaning::Refuse => assert!(matches!(outcome, Outcome::Rejected { .. }), "{code:?}"),
                Meaning::Retry(why) => assert_eq!(
                    outcome,
                    Outcome::Retry {
                        why: why.to_owned(),
                        wait: None
                    },
                    "{code:?}"
                ),
            }
            // The same words under another status are not taken as our server's.
            let elsewhere = classify(&SerdeJson, id(), answered(502, "application/json", &body));
            assert!(is_retry(&elsewhere), "{code:?} under 502");
        }
    }

    #[test]
    fn a_refusal_from_our_server_rejects_with_its_field_messages() {
        let body = r#"{"error":"invalid-report","message":"Some answers need to be corrected.",
            "fields":[{"field":"email","id":"email","message":"Enter your work email address"}]}"#;
        assert_eq!(
            classify(&SerdeJson, id(), answered(422, "application/json", body)),
            Outcome::Rejected {
                reasons: vec![AnswerError {
                    question: Question::Email,
                    message: "Enter your work email address".into()
                }]
            }
        );
    }

    #[test]
    fn a_refusal_of_the_whole_report_keeps_its_message() {
        let body = r#"{"error":"idempotency-key-reused","message":"A different report was already received with this id."}"#;
        let Outcome::Rejected { reasons } = classify(
            &SerdeJson,
            id(),
            answered(422, "application/json; charset=utf-8", body),
        ) else {
            panic!("not rejected");
        };
        assert_eq!(
            reasons[0].message,
            "A different report was already received with this id."
        );
    }

    #[test]
    fn a_4xx_that_is_not_our_json_is_not_a_rejection() {
        assert!(retries(422, "text/html", "<p>no</p>"));
        assert!(retries(400, "application/json", "not json"));
        assert!(retries(
            422,
            "application/json",
            r#"{"error":"a-code-this-phone-does-not-know","message":"?"}"#
        ));
    }

    #[test]
    fn a_429_or_503_asks_for_its_wait() {
        for status in [429, 503] {
            let outcome = classify(
                &SerdeJson,
                id(),
                Attempt::Answered {
                    status,
                    content_type: Some("application/json"),
                    body: "{}",
                    retry_after: Some("30"),
                },
            );
            let Outcome::Retry { wait, .. } = outcome else {
                panic!("{status} retries");
            };
            assert_eq!(wait, Some(Duration::from_secs(30)), "{status}");
        }
    }
}
