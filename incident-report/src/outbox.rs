//! The phone's outbox logic, without the I/O: which report to send next, what an answer from
//! the network means, and what to record after each attempt. The app does the fetching and the
//! storing; everything it decides is here, where it is tested natively.
//!
//! Rules:
//! - one report is sent at a time, and only when it is due;
//! - only a 2xx JSON answer of the expected shape that names the same report id is a delivery
//!   (a Wi-Fi sign-in page answering 200 with HTML is not);
//! - only a JSON refusal from our own server rejects a report; every other answer (5xx, 409,
//!   408, 429, an unknown page, a timeout, no network) leaves it queued to try again later;
//! - a report that was being sent when the app stopped (tab closed) goes back to the queue.

use serde::{Deserialize, Serialize};

use crate::delivery::{DeliveryEvent, DeliveryState};
use crate::form::{Field, FieldError, ReportForm};
use crate::id::ReportId;
use crate::queue::QueuedReport;
use crate::retry::RetryPolicy;

/// The body of `POST /api/v1/reports`: the report's id and its answers, as the phone sends them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Submission {
    /// The report id; the `Idempotency-Key` header carries it too.
    pub id: ReportId,
    /// The answers.
    pub form: ReportForm,
}

impl Submission {
    /// The `Idempotency-Key` header's value: the id as a quoted string, as the IETF draft writes it.
    pub fn idempotency_key(&self) -> String {
        format!("\"{}\"", self.id)
    }
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
        reasons: Vec<FieldError>,
    },
    /// Try again later; `why` says what happened, in plain words.
    Retry {
        /// For the reporter.
        why: String,
        /// How long the server asked us to wait (`Retry-After` on a 429 or 503), if it did.
        wait: Option<std::time::Duration>,
    },
}

/// The server's answer for a stored report: the phone's id and the server's reference. Both sides
/// use this one type, so the shape the server sends is the shape the phone checks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receipt {
    /// The report id, as sent.
    pub id: ReportId,
    /// The server's reference for it, e.g. `LD-2026-000123`.
    pub reference: String,
}

/// Our server's error body. `error` must be there (it is how a refusal from our server is told
/// from any other JSON), but what to show comes from `message` and `fields`.
#[derive(Deserialize)]
struct Refusal {
    #[serde(rename = "error")]
    _code: String,
    message: String,
    #[serde(default)]
    fields: Vec<RefusedField>,
}

#[derive(Deserialize)]
struct RefusedField {
    field: Field,
    message: String,
}

/// What `attempt` to send report `id` means.
pub fn classify(id: ReportId, attempt: Attempt<'_>) -> Outcome {
    let retry = |why: &str| Outcome::Retry {
        why: why.to_owned(),
        wait: None,
    };
    let (status, content_type, body, retry_after) = match attempt {
        Attempt::TimedOut => return retry("The server did not answer in time."),
        Attempt::NetworkFailed => return retry("There is no connection to the server."),
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
        .map(std::time::Duration::from_secs);
    let is_json = content_type.is_some_and(|t| {
        t.trim_start()
            .to_ascii_lowercase()
            .starts_with("application/json")
    });
    match status {
        200..=299 => match serde_json::from_str::<Receipt>(body) {
            Ok(receipt) if is_json && receipt.id == id && !receipt.reference.trim().is_empty() => {
                Outcome::Delivered {
                    reference: receipt.reference,
                }
            }
            _ => retry(
                "Something answered that is not the report server (perhaps a Wi-Fi sign-in page). \
                 Open any web page to sign in to the network.",
            ),
        },
        400 | 413 | 422 if is_json => match serde_json::from_str::<Refusal>(body) {
            Ok(refusal) => Outcome::Rejected {
                reasons: reasons(refusal),
            },
            Err(_) => retry("The server's answer could not be read."),
        },
        409 => retry("The server is still receiving this report."),
        429 => Outcome::Retry {
            why: "The server is receiving too many reports just now.".to_owned(),
            wait: asked,
        },
        503 => Outcome::Retry {
            why: "The server is busy or down for maintenance.".to_owned(),
            wait: asked,
        },
        500..=599 => retry("The server had a problem."),
        _ => retry("The report could not be sent."),
    }
}

fn reasons(refusal: Refusal) -> Vec<FieldError> {
    if refusal.fields.is_empty() {
        // A refusal of the whole report (e.g. too long): shown against the first question so
        // the reporter has somewhere to start; the message says what is wrong.
        return vec![FieldError {
            field: Field::WhatHappened,
            message: refusal.message,
        }];
    }
    refusal
        .fields
        .into_iter()
        .map(|f| FieldError {
            field: f.field,
            message: f.message,
        })
        .collect()
}

impl QueuedReport {
    /// Whether this report should be sent now (queued, and due).
    pub fn is_due(&self, now_ms: i64) -> bool {
        matches!(self.delivery, DeliveryState::Queued { .. })
            && self.next_attempt_at_ms.is_none_or(|due| due <= now_ms)
    }

    /// Marks the start of a send.
    pub fn start_sending(&mut self, now_ms: i64) -> Result<(), crate::TransitionError> {
        self.delivery = self.delivery.clone().apply(DeliveryEvent::SendStarted)?;
        self.last_attempt_at_ms = Some(now_ms);
        Ok(())
    }

    /// Records what a send produced. A retry is scheduled by `policy`, with `jitter` in `0..=1`,
    /// and no sooner than the server asked (but never later than the policy's longest wait).
    pub fn finish_sending(
        &mut self,
        outcome: Outcome,
        now_ms: i64,
        policy: &RetryPolicy,
        jitter: f64,
    ) -> Result<(), crate::TransitionError> {
        let (event, error, next) = match outcome {
            Outcome::Delivered { reference } => (DeliveryEvent::Accepted { reference }, None, None),
            Outcome::Rejected { reasons } => (DeliveryEvent::Rejected { reasons }, None, None),
            Outcome::Retry { why, wait } => {
                let attempts = match self.delivery {
                    DeliveryState::Sending { attempt } => attempt,
                    _ => 1,
                };
                let backoff = policy.delay(attempts, jitter);
                let wait = backoff.max(wait.unwrap_or_default().min(policy.cap));
                let wait = i64::try_from(wait.as_millis()).unwrap_or(i64::MAX);
                (
                    DeliveryEvent::Failed,
                    Some(why),
                    Some(now_ms.saturating_add(wait)),
                )
            }
        };
        self.delivery = self.delivery.clone().apply(event)?;
        self.last_error = error;
        self.next_attempt_at_ms = next;
        Ok(())
    }
}

/// The report to send next: the due one that has waited longest (oldest first), if any.
pub fn next_due(reports: &[QueuedReport], now_ms: i64) -> Option<ReportId> {
    reports
        .iter()
        .filter(|r| r.is_due(now_ms))
        .min_by_key(|r| (r.next_attempt_at_ms, r.created_at_ms))
        .map(|r| r.id)
}

/// Puts back in the queue every report that was being sent when the app last stopped (a closed
/// tab, a killed browser): that send's answer was never seen. Returns how many.
pub fn recover_interrupted(reports: &mut [QueuedReport]) -> usize {
    let mut recovered = 0;
    for report in reports
        .iter_mut()
        .filter(|r| matches!(r.delivery, DeliveryState::Sending { .. }))
    {
        if let Ok(state) = report.delivery.clone().apply(DeliveryEvent::Failed) {
            report.delivery = state;
            report.next_attempt_at_ms = None;
            report.last_error = Some("Sending was interrupted. It will be tried again.".to_owned());
            recovered += 1;
        }
    }
    recovered
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ReportForm;

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
        is_retry(&classify(id(), answered(status, content_type, body)))
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
                classify(id(), answered(status, "application/json", &body)),
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
        assert!(is_retry(&classify(id(), Attempt::TimedOut)));
        assert!(is_retry(&classify(id(), Attempt::NetworkFailed)));
    }

    #[test]
    fn a_refusal_from_our_server_rejects_with_its_field_messages() {
        let body = r#"{"error":"invalid-report","message":"Some answers need to be corrected.",
            "fields":[{"field":"email","id":"email","message":"Enter your work email address"}]}"#;
        assert_eq!(
            classify(id(), answered(422, "application/json", body)),
            Outcome::Rejected {
                reasons: vec![FieldError {
                    field: Field::Email,
                    message: "Enter your work email address".into()
                }]
            }
        );
    }

    #[test]
    fn a_refusal_of_the_whole_report_keeps_its_message() {
        let body = r#"{"error":"idempotency-key-reused","message":"A different report was already received with this id."}"#;
        let Outcome::Rejected { reasons } =
            classify(id(), answered(422, "application/json; charset=utf-8", body))
        else {
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
    }

    fn queued(byte: u8, created: i64, next: Option<i64>) -> QueuedReport {
        QueuedReport {
            id: ReportId::from_random_bytes([byte; 16]),
            form: ReportForm::default(),
            delivery: DeliveryState::Queued { attempts: 0 },
            created_at_ms: created,
            last_attempt_at_ms: None,
            next_attempt_at_ms: next,
            last_error: None,
        }
    }

    #[test]
    fn the_next_report_is_the_due_one_that_waited_longest() {
        let reports = [
            queued(1, 300, None),
            queued(2, 100, Some(5_000)),
            queued(3, 200, None),
        ];
        assert_eq!(next_due(&reports, 1_000), Some(reports[2].id));
        assert_eq!(next_due(&reports[1..2], 1_000), None);
        assert_eq!(next_due(&reports[1..2], 5_000), Some(reports[1].id));
    }

    #[test]
    fn a_failed_send_is_queued_again_with_a_backoff_and_a_reason() {
        let mut report = queued(1, 0, None);
        report.start_sending(1_000).expect("queued can send");
        assert!(!report.is_due(1_000), "one send at a time");
        let retry = Outcome::Retry {
            why: "The server had a problem.".into(),
            wait: None,
        };
        report
            .finish_sending(retry, 2_000, &RetryPolicy::default(), 1.0)
            .expect("sending can fail");
        assert_eq!(report.delivery, DeliveryState::Queued { attempts: 1 });
        assert_eq!(report.next_attempt_at_ms, Some(7_000));
        assert_eq!(
            report.last_error.as_deref(),
            Some("The server had a problem.")
        );
        assert!(!report.is_due(6_999) && report.is_due(7_000));
    }

    #[test]
    fn a_429_or_503_with_retry_after_waits_as_asked_up_to_the_longest_wait() {
        for status in [429, 503] {
            let asked = classify(
                id(),
                Attempt::Answered {
                    status,
                    content_type: Some("application/json"),
                    body: "{}",
                    retry_after: Some("30"),
                },
            );
            let mut report = queued(1, 0, None);
            report.start_sending(1_000).expect("send");
            report
                .finish_sending(asked, 2_000, &RetryPolicy::default(), 1.0)
                .expect("retry");
            assert_eq!(
                report.next_attempt_at_ms,
                Some(32_000),
                "{status}: 30 s, not 5 s"
            );
        }
        let too_long = Outcome::Retry {
            why: "busy".into(),
            wait: Some(std::time::Duration::from_hours(24)),
        };
        let mut report = queued(1, 0, None);
        report.start_sending(1_000).expect("send");
        report
            .finish_sending(too_long, 2_000, &RetryPolicy::default(), 1.0)
            .expect("retry");
        assert_eq!(
            report.next_attempt_at_ms,
            Some(602_000),
            "capped at 10 minutes"
        );
    }

    #[test]
    fn a_delivery_is_recorded_with_its_reference_and_nothing_left_to_do() {
        let mut report = queued(1, 0, None);
        report.start_sending(1_000).expect("send");
        let delivered = Outcome::Delivered {
            reference: "LD-2026-000001".into(),
        };
        report
            .finish_sending(delivered, 1_200, &RetryPolicy::default(), 0.5)
            .expect("deliver");
        assert_eq!(
            report.delivery,
            DeliveryState::Delivered {
                reference: "LD-2026-000001".into()
            }
        );
        assert!(!report.is_due(i64::MAX) && !report.delivery.is_pending());
    }

    #[test]
    fn a_send_interrupted_by_a_closed_tab_goes_back_to_the_queue() {
        let mut reports = [queued(1, 0, None), queued(2, 0, None)];
        reports[0].start_sending(1_000).expect("send");
        assert_eq!(recover_interrupted(&mut reports), 1);
        assert_eq!(reports[0].delivery, DeliveryState::Queued { attempts: 1 });
        assert!(reports[0].is_due(1_001));
        assert_eq!(reports[1].delivery, DeliveryState::Queued { attempts: 0 });
    }
}
