//! A report as the phone keeps it, from the first answer to the server's reference, and
//! everything that may happen to it: starting a draft, changing it, submitting it, "send now",
//! each send and its outcome, a send cut off by a closed tab. Its state is private, so the app
//! and the sender can only ask for what the state machine ([`crate::delivery`]) allows.
//!
//! The outbox rules live here too: one report is sent at a time, only when it is due, oldest
//! first; a report that was being sent when the app stopped goes back to the queue.

use serde::{Deserialize, Serialize};

use crate::delivery::{DeliveryEvent, DeliveryState, TransitionError};
use crate::form::ReportForm;
use crate::id::ReportId;
use crate::progress::{Progress, TeamState};
use crate::question_table::{FIRST_FORM_VERSION, FORM_VERSION, FormVersion};
use crate::retry::RetryPolicy;
use crate::wire::{Outcome, Submission};

/// How long a delivered report keeps everything on the phone; after that only its reference, its
/// date, and what happened to which kind of device stay (the reporter's name, contact details and
/// words are removed).
pub const RETENTION_DAYS: i64 = 30;

const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// Why a report cannot be removed from the phone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum NotRemovable {
    /// It is on its way to the server: it leaves the phone only by the server's acceptance.
    #[error("This report is waiting to be sent, so it cannot be removed until the server has it.")]
    Pending,
    /// No report has this id (already removed, perhaps in another tab).
    #[error("This report is no longer on this phone.")]
    Missing,
}

/// One report on the phone: a draft, queued, being sent, delivered or refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredReport {
    id: ReportId,
    form: ReportForm,
    delivery: DeliveryState,
    created_at_ms: i64,
    last_attempt_at_ms: Option<i64>,
    next_attempt_at_ms: Option<i64>,
    last_error: Option<String>,
    /// The form version it was sent under ("Send report"), so the server checks it by the rules
    /// the person answered to, whatever release is running when it finally goes. Reports stored
    /// before versions were recorded are of the first.
    #[serde(default = "first_form_version")]
    form_version: FormVersion,
    /// What the server last said became of it after delivery (reports stored before this was
    /// asked have none).
    #[serde(default)]
    progress: Option<Progress>,
}

fn first_form_version() -> FormVersion {
    FIRST_FORM_VERSION
}

impl StoredReport {
    /// A new, empty draft with this id, started at `now_ms` (milliseconds since the Unix epoch).
    pub fn start(id: ReportId, now_ms: i64) -> Self {
        Self {
            id,
            form: ReportForm::default(),
            delivery: DeliveryState::Draft,
            created_at_ms: now_ms,
            last_attempt_at_ms: None,
            next_attempt_at_ms: None,
            last_error: None,
            form_version: FORM_VERSION,
            progress: None,
        }
    }

    /// Its id (also the server's idempotency key).
    pub fn id(&self) -> ReportId {
        self.id
    }

    /// The answers.
    pub fn form(&self) -> &ReportForm {
        &self.form
    }

    /// Where it is on its way to the server.
    pub fn delivery(&self) -> &DeliveryState {
        &self.delivery
    }

    /// When the draft started, in milliseconds since the Unix epoch.
    pub fn created_at_ms(&self) -> i64 {
        self.created_at_ms
    }

    /// When a send was last tried, if ever.
    pub fn last_attempt_at_ms(&self) -> Option<i64> {
        self.last_attempt_at_ms
    }

    /// When the next send is due, if one is waiting.
    pub fn next_attempt_at_ms(&self) -> Option<i64> {
        self.next_attempt_at_ms
    }

    /// Why the last send did not count, in words for the reporter.
    pub fn last_error(&self) -> Option<&str> {
        self.last_error.as_deref()
    }

    /// Whether the answers may still be changed: a draft, or a report the server refused.
    pub fn is_editable(&self) -> bool {
        matches!(
            self.delivery,
            DeliveryState::Draft | DeliveryState::Rejected { .. }
        )
    }

    /// Replaces the answers. A refused report becomes a draft again; a queued, sending or
    /// delivered one cannot be changed.
    pub fn edit(&mut self, form: ReportForm) -> Result<(), TransitionError> {
        if let DeliveryState::Rejected { .. } = self.delivery {
            self.apply(DeliveryEvent::Edited)?;
        }
        if self.delivery != DeliveryState::Draft {
            return Err(TransitionError {
                state: self.delivery.clone(),
                event: DeliveryEvent::Edited,
            });
        }
        self.form = form;
        Ok(())
    }

    /// "Send report": queues a draft, or a refused report again, to be sent at once.
    pub fn submit(&mut self) -> Result<(), TransitionError> {
        if let DeliveryState::Rejected { .. } = self.delivery {
            self.apply(DeliveryEvent::Edited)?;
        }
        self.apply(DeliveryEvent::Submitted)?;
        self.form_version = FORM_VERSION;
        self.next_attempt_at_ms = None;
        self.last_error = None;
        Ok(())
    }

    /// "Send now": a queued report is due at once rather than at its next retry.
    pub fn send_now(&mut self) {
        if let DeliveryState::Queued { .. } = self.delivery {
            self.next_attempt_at_ms = None;
        }
    }

    /// Whether this report should be sent now (queued, and due).
    pub fn is_due(&self, now_ms: i64) -> bool {
        matches!(self.delivery, DeliveryState::Queued { .. })
            && self.next_attempt_at_ms.is_none_or(|due| due <= now_ms)
    }

    /// A report sent by the plain HTML form before the app's code ran on this phone: recorded as
    /// delivered under the server's `reference`, with the answers the form carried, so that it
    /// is listed with the others.
    pub fn sent_by_form(
        id: ReportId,
        form: ReportForm,
        reference: String,
        now_ms: i64,
    ) -> Result<Self, TransitionError> {
        let mut report = Self::start(id, now_ms);
        report.edit(form)?;
        report.submit()?;
        report.start_sending(now_ms)?;
        report.finish_sending(
            Outcome::Delivered { reference },
            now_ms,
            &RetryPolicy::default(),
            0.0,
        )?;
        Ok(report)
    }

    /// Marks the start of a send and gives what to send.
    pub fn start_sending(&mut self, now_ms: i64) -> Result<Submission, TransitionError> {
        self.apply(DeliveryEvent::SendStarted)?;
        self.last_attempt_at_ms = Some(now_ms);
        Ok(self.submission())
    }

    /// Records what a send produced. A retry is scheduled by `policy`, with `jitter` in `0..=1`,
    /// and no sooner than the server asked (but never later than the policy's longest wait).
    pub fn finish_sending(
        &mut self,
        outcome: Outcome,
        now_ms: i64,
        policy: &RetryPolicy,
        jitter: f64,
    ) -> Result<(), TransitionError> {
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
        self.apply(event)?;
        self.last_error = error;
        self.next_attempt_at_ms = next;
        Ok(())
    }

    /// What may be sent for it while no page of the app is open (by the offline worker, when the
    /// browser says there is signal): the same submission a page would send, if it is waiting to
    /// go (queued, or cut off while being sent). Its state does not change.
    pub fn waiting_submission(&self) -> Option<Submission> {
        matches!(
            self.delivery,
            DeliveryState::Queued { .. } | DeliveryState::Sending { .. }
        )
        .then(|| self.submission())
    }

    /// Records the answer to a send made elsewhere (by the offline worker) at `sent_at_ms`, of
    /// `sent`: only a delivery or a refusal, and only while `sent` is still what would be sent
    /// (a report changed and sent again since is not answered by an older send). Returns
    /// whether it changed anything.
    pub fn record_sent_elsewhere(
        &mut self,
        sent: &Submission,
        outcome: Outcome,
        sent_at_ms: i64,
    ) -> bool {
        if matches!(outcome, Outcome::Retry { .. })
            || self.waiting_submission().as_ref() != Some(sent)
        {
            return false;
        }
        self.recover_interrupted();
        if self.start_sending(sent_at_ms).is_err() {
            return false;
        }
        self.finish_sending(outcome, sent_at_ms, &RetryPolicy::default(), 0.0)
            .is_ok()
    }

    fn submission(&self) -> Submission {
        // Only what the form asked leaves the phone; the draft keeps the rest, in case the
        // person changes an answer back.
        Submission {
            id: self.id,
            form: self.form.canonical(),
            form_version: self.form_version,
        }
    }

    /// Puts the report back in the queue if it was being sent when the app last stopped (a
    /// closed tab, a killed browser): that send's answer was never seen. Returns whether it was.
    pub fn recover_interrupted(&mut self) -> bool {
        if !matches!(self.delivery, DeliveryState::Sending { .. }) {
            return false;
        }
        let recovered = self.apply(DeliveryEvent::Failed).is_ok();
        if recovered {
            self.next_attempt_at_ms = None;
            self.last_error = Some("Sending was interrupted. It will be tried again.".to_owned());
        }
        recovered
    }

    /// Whether the person may remove it from the phone: a draft or a refused report (deleted with
    /// its answers), or a delivered one (the server has it). Never one on its way.
    pub fn is_removable(&self) -> bool {
        matches!(
            self.delivery,
            DeliveryState::Draft | DeliveryState::Rejected { .. } | DeliveryState::Delivered { .. }
        )
    }

    /// When the reporter's details of a delivered report are (or were) removed from the phone:
    /// [`RETENTION_DAYS`] after the send that delivered it.
    pub fn details_removed_at_ms(&self) -> Option<i64> {
        match self.delivery {
            DeliveryState::Delivered { .. } => self
                .last_attempt_at_ms
                .map(|sent| sent.saturating_add(RETENTION_DAYS * DAY_MS)),
            _ => None,
        }
    }

    /// Whether the reporter's details were removed (see [`StoredReport::forget_details`]).
    pub fn details_removed(&self, now_ms: i64) -> bool {
        self.details_removed_at_ms().is_some_and(|at| at <= now_ms)
    }

    /// Removes the reporter's name, contact details and words from a delivered report once its
    /// [`RETENTION_DAYS`] are over, keeping what happened, to which kind of device, and when.
    /// Returns whether anything was removed.
    pub fn forget_details(&mut self, now_ms: i64) -> bool {
        if !self.details_removed(now_ms) {
            return false;
        }
        let kept = ReportForm {
            what_happened: self.form.what_happened,
            device: self.form.device,
            date_day: self.form.date_day.clone(),
            date_month: self.form.date_month.clone(),
            date_year: self.form.date_year.clone(),
            ..ReportForm::default()
        };
        let changed = kept != self.form;
        self.form = kept;
        changed
    }

    /// What the server last said became of it, if it was asked.
    pub fn progress(&self) -> Option<&Progress> {
        self.progress.as_ref()
    }

    /// Whether to ask the server what became of it: delivered, not closed, and its details
    /// still on the phone (after [`RETENTION_DAYS`] the server has cleared its answers too).
    pub fn wants_progress(&self, now_ms: i64) -> bool {
        matches!(self.delivery, DeliveryState::Delivered { .. })
            && !self.details_removed(now_ms)
            && self
                .progress
                .as_ref()
                .is_none_or(|p| p.state != TeamState::Closed)
    }

    /// Keeps what the server said became of it, unless it is about another report (its id or
    /// reference differ) or says less than what the phone was already told. Returns whether
    /// anything changed.
    pub fn record_progress(&mut self, progress: Progress) -> bool {
        let DeliveryState::Delivered { reference } = &self.delivery else {
            return false;
        };
        if progress.id != self.id || &progress.reference != reference {
            return false;
        }
        if self
            .progress
            .as_ref()
            .is_some_and(|known| *known == progress || !progress.is_at_least(known))
        {
            return false;
        }
        self.progress = Some(progress);
        true
    }

    fn apply(&mut self, event: DeliveryEvent) -> Result<(), TransitionError> {
        self.delivery = self.delivery.clone().apply(event)?;
        Ok(())
    }
}

/// The report to send next: the due one that has waited longest (oldest first), if any.
pub fn next_due(reports: &[StoredReport], now_ms: i64) -> Option<ReportId> {
    reports
        .iter()
        .filter(|r| r.is_due(now_ms))
        .min_by_key(|r| (r.next_attempt_at_ms, r.created_at_ms))
        .map(|r| r.id)
}

/// The reports to ask the server about (see [`StoredReport::wants_progress`]).
pub fn wanting_progress(reports: &[StoredReport], now_ms: i64) -> Vec<ReportId> {
    reports
        .iter()
        .filter(|r| r.wants_progress(now_ms))
        .map(|r| r.id)
        .collect()
}

/// What the phone's reports come to, for the status line every page shows (in plain script,
/// so it works before and without the app's code): how many wait to be sent, and the newest
/// sent one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    /// Reports queued or being sent.
    pub waiting: usize,
    /// The reference of the newest delivered report, and when it was sent.
    pub last_sent: Option<LastSent>,
}

/// The newest delivered report on the phone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LastSent {
    /// The server's reference.
    pub reference: String,
    /// When it was sent, in milliseconds since the Unix epoch.
    pub at_ms: i64,
}

/// What `reports` come to (see [`Summary`]).
pub fn summary(reports: &[StoredReport]) -> Summary {
    let waiting = reports
        .iter()
        .filter(|r| {
            matches!(
                r.delivery,
                DeliveryState::Queued { .. } | DeliveryState::Sending { .. }
            )
        })
        .count();
    let last_sent = reports
        .iter()
        .filter_map(|r| match &r.delivery {
            DeliveryState::Delivered { reference } => Some(LastSent {
                reference: reference.clone(),
                at_ms: r.last_attempt_at_ms.unwrap_or(r.created_at_ms),
            }),
            _ => None,
        })
        .max_by_key(|sent| sent.at_ms);
    Summary { waiting, last_sent }
}

/// Removes report `id` from the phone, if the person may (see [`StoredReport::is_removable`]).
pub fn remove(reports: &mut Vec<StoredReport>, id: ReportId) -> Result<(), NotRemovable> {
    let index = reports
        .iter()
        .position(|r| r.id == id)
        .ok_or(NotRemovable::Missing)?;
    if !reports[index].is_removable() {
        return Err(NotRemovable::Pending);
    }
    reports.remove(index);
    Ok(())
}

/// Removes the details of every delivered report past its [`RETENTION_DAYS`]. Returns how many
/// changed.
pub fn forget_old_details(reports: &mut [StoredReport], now_ms: i64) -> usize {
    reports
        .iter_mut()
        .map(|r| r.forget_details(now_ms))
        .filter(|changed| *changed)
        .count()
}

/// Puts back in the queue every report that was being sent when the app last stopped. Returns
/// how many.
pub fn recover_interrupted(reports: &mut [StoredReport]) -> usize {
    reports
        .iter_mut()
        .map(StoredReport::recover_interrupted)
        .filter(|recovered| *recovered)
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::AnswerError;
    use crate::form::Question;

    fn queued(byte: u8, created: i64) -> StoredReport {
        let mut report = StoredReport::start(ReportId::from_random_bytes([byte; 16]), created);
        report.submit().expect("a draft can be sent");
        report
    }

    fn retry(why: &str) -> Outcome {
        Outcome::Retry {
            why: why.into(),
            wait: None,
        }
    }

    /// A queued report whose first send failed at `at`, due again at `at + 5 s`.
    fn waiting(byte: u8, created: i64, at: i64) -> StoredReport {
        let mut report = queued(byte, created);
        report.start_sending(at).expect("send");
        report
            .finish_sending(retry("busy"), at, &RetryPolicy::default(), 1.0)
            .expect("retry");
        report
    }

    fn accepted(reference: &str) -> Outcome {
        Outcome::Delivered {
            reference: reference.into(),
        }
    }

    #[test]
    fn the_summary_counts_what_waits_and_names_the_newest_sent() {
        let mut first = queued(1, 0);
        let sent = first.start_sending(10).expect("send");
        assert!(first.record_sent_elsewhere(&sent, accepted("LD-2026-000001"), 10));
        let mut second = queued(2, 0);
        second.start_sending(20).expect("send");
        second
            .finish_sending(accepted("LD-2026-000002"), 20, &RetryPolicy::default(), 0.0)
            .expect("delivered");
        let reports = [first, queued(3, 30), waiting(4, 0, 40), second];
        assert_eq!(
            summary(&reports),
            Summary {
                waiting: 2,
                last_sent: Some(LastSent {
                    reference: "LD-2026-000002".into(),
                    at_ms: 20
                })
            }
        );
        assert_eq!(
            summary(&[StoredReport::start(ReportId::from_random_bytes([5; 16]), 0)]),
            Summary {
                waiting: 0,
                last_sent: None
            }
        );
    }

    #[test]
    fn a_waiting_report_can_be_handed_over_without_changing_its_state() {
        let report = queued(1, 0);
        let before = report.clone();
        let handed = report.waiting_submission().expect("queued reports wait");
        assert_eq!(report, before);
        assert_eq!(handed, report.clone().start_sending(5).expect("send"));
        assert!(
            StoredReport::start(report.id(), 0)
                .waiting_submission()
                .is_none()
        );
    }

    #[test]
    fn a_delivery_made_elsewhere_is_recorded_once_with_its_time() {
        let mut report = waiting(1, 0, 10);
        let sent = report.waiting_submission().expect("waiting");
        assert!(report.record_sent_elsewhere(&sent, accepted("LD-2026-000001"), 500));
        assert_eq!(
            report.delivery(),
            &DeliveryState::Delivered {
                reference: "LD-2026-000001".into()
            }
        );
        assert_eq!(report.last_attempt_at_ms(), Some(500));
        assert!(!report.record_sent_elsewhere(&sent, accepted("LD-2026-000002"), 600));
    }

    #[test]
    fn a_report_cut_off_while_sending_takes_an_answer_from_elsewhere() {
        let mut report = queued(1, 0);
        let sent = report.start_sending(5).expect("send");
        assert!(report.record_sent_elsewhere(&sent, accepted("LD-2026-000001"), 9));
        assert!(matches!(report.delivery(), DeliveryState::Delivered { .. }));
    }

    #[test]
    fn an_answer_to_an_older_send_or_a_retry_changes_nothing() {
        let mut report = queued(1, 0);
        let older = report.waiting_submission().expect("waiting");
        report.start_sending(1).expect("send");
        report
            .finish_sending(
                Outcome::Rejected { reasons: vec![] },
                2,
                &RetryPolicy::default(),
                0.0,
            )
            .expect("refused");
        report
            .edit(ReportForm::example())
            .expect("a refused report can change");
        report.submit().expect("queued again");
        let before = report.clone();
        assert!(!report.record_sent_elsewhere(&older, Outcome::Rejected { reasons: vec![] }, 3));
        let now = report.waiting_submission().expect("waiting");
        assert!(!report.record_sent_elsewhere(&now, retry("busy"), 3));
        assert_eq!(report, before);
    }

    #[test]
    fn only_what_the_form_asked_leaves_the_phone_and_the_draft_keeps_the_rest() {
        let mut report = StoredReport::start(ReportId::from_random_bytes([3; 16]), 0);
        let form = ReportForm {
            told_police: Some(crate::form::PoliceTold::No),
            police_reference: "CAD 1".into(),
            name: " Sam ".into(),
            ..ReportForm::example()
        };
        report.edit(form).expect("a draft");
        report.submit().expect("queued");
        let sent = report.start_sending(1).expect("send");
        assert_eq!(sent.form.police_reference, "");
        assert_eq!(sent.form.name, "Sam");
        assert_eq!(report.form().police_reference, "CAD 1", "kept on the phone");
    }

    #[test]
    fn a_report_goes_with_the_form_version_it_was_sent_under() {
        let mut report = queued(1, 0);
        assert_eq!(
            report.start_sending(1).expect("send").form_version,
            FORM_VERSION
        );
        // A report queued by a release that recorded no version (nor progress) is of the first.
        let mut json = serde_json::to_value(queued(2, 0)).expect("json");
        let record = json.as_object_mut().expect("object");
        record.remove("form_version");
        record.remove("progress");
        let mut older: StoredReport = serde_json::from_value(json).expect("an older record");
        let sent = older.start_sending(1).expect("send");
        assert_eq!(sent.form_version, FIRST_FORM_VERSION);
        let body = serde_json::to_value(&sent).expect("json");
        assert_eq!(body["form_version"], FIRST_FORM_VERSION);
    }

    #[test]
    fn a_draft_is_changed_then_queued_and_cannot_be_changed_while_queued() {
        let mut report = StoredReport::start(ReportId::from_random_bytes([1; 16]), 0);
        let form = ReportForm::example();
        report.edit(form.clone()).expect("a draft can change");
        assert_eq!(report.form(), &form);
        report.submit().expect("submit");
        assert_eq!(report.delivery(), &DeliveryState::Queued { attempts: 0 });
        assert!(report.edit(ReportForm::default()).is_err());
        assert_eq!(report.form(), &form, "a queued report keeps its answers");
    }

    #[test]
    fn a_refused_report_becomes_a_draft_when_changed_and_can_be_sent_again() {
        let mut report = queued(1, 0);
        report.start_sending(1).expect("send");
        let reasons = vec![AnswerError {
            question: Question::Email,
            message: "Enter your work email address".into(),
        }];
        report
            .finish_sending(
                Outcome::Rejected { reasons },
                2,
                &RetryPolicy::default(),
                0.0,
            )
            .expect("refused");
        assert!(report.is_editable());
        report.submit().expect("refused → queued");
        assert_eq!(report.delivery(), &DeliveryState::Queued { attempts: 0 });
        report.start_sending(3).expect("send");
        report
            .finish_sending(
                Outcome::Rejected { reasons: vec![] },
                4,
                &RetryPolicy::default(),
                0.0,
            )
            .expect("refused again");
        report.edit(ReportForm::example()).expect("refused → draft");
        assert_eq!(report.delivery(), &DeliveryState::Draft);
    }

    #[test]
    fn the_next_report_is_the_due_one_that_waited_longest() {
        let reports = [queued(1, 300), waiting(2, 100, 0), queued(3, 200)];
        assert_eq!(next_due(&reports, 1_000), Some(reports[2].id()));
        assert_eq!(next_due(&reports[1..2], 1_000), None);
        assert_eq!(next_due(&reports[1..2], 5_000), Some(reports[1].id()));
    }

    #[test]
    fn send_now_makes_a_waiting_report_due_at_once() {
        let mut report = waiting(1, 0, 0);
        assert!(!report.is_due(1));
        report.send_now();
        assert!(report.is_due(1));
    }

    #[test]
    fn a_failed_send_is_queued_again_with_a_backoff_and_a_reason() {
        let mut report = queued(1, 0);
        let submission = report.start_sending(1_000).expect("queued can send");
        assert_eq!(submission.id, report.id());
        assert!(!report.is_due(1_000), "one send at a time");
        report
            .finish_sending(
                retry("The server had a problem."),
                2_000,
                &RetryPolicy::default(),
                1.0,
            )
            .expect("sending can fail");
        assert_eq!(report.delivery(), &DeliveryState::Queued { attempts: 1 });
        assert_eq!(report.next_attempt_at_ms(), Some(7_000));
        assert_eq!(report.last_error(), Some("The server had a problem."));
        assert!(!report.is_due(6_999) && report.is_due(7_000));
    }

    #[test]
    fn a_server_s_wait_is_kept_up_to_the_longest_wait() {
        let asked = |seconds| Outcome::Retry {
            why: "busy".into(),
            wait: Some(std::time::Duration::from_secs(seconds)),
        };
        for (seconds, next) in [(30, 32_000), (86_400, 602_000)] {
            let mut report = queued(1, 0);
            report.start_sending(1_000).expect("send");
            report
                .finish_sending(asked(seconds), 2_000, &RetryPolicy::default(), 1.0)
                .expect("retry");
            assert_eq!(report.next_attempt_at_ms(), Some(next), "{seconds} s");
        }
    }

    #[test]
    fn a_delivery_is_recorded_with_its_reference_and_nothing_left_to_do() {
        let mut report = queued(1, 0);
        report.start_sending(1_000).expect("send");
        let delivered = Outcome::Delivered {
            reference: "LD-2026-000001".into(),
        };
        report
            .finish_sending(delivered, 1_200, &RetryPolicy::default(), 0.5)
            .expect("deliver");
        assert_eq!(
            report.delivery(),
            &DeliveryState::Delivered {
                reference: "LD-2026-000001".into()
            }
        );
        assert!(!report.is_due(i64::MAX) && !report.delivery().is_pending());
        assert!(report.submit().is_err() && report.edit(ReportForm::default()).is_err());
    }

    fn delivered(byte: u8, sent_at: i64) -> StoredReport {
        let mut report = StoredReport::start(ReportId::from_random_bytes([byte; 16]), 0);
        report.edit(ReportForm::example()).expect("draft");
        report.submit().expect("queued");
        report.start_sending(sent_at).expect("send");
        let outcome = Outcome::Delivered {
            reference: "LD-2026-000001".into(),
        };
        report
            .finish_sending(outcome, sent_at, &RetryPolicy::default(), 0.5)
            .expect("delivered");
        report
    }

    #[test]
    fn only_drafts_refused_and_delivered_reports_can_be_removed() {
        let mut reports = vec![
            StoredReport::start(ReportId::from_random_bytes([1; 16]), 0),
            queued(2, 0),
            delivered(3, 0),
        ];
        let ids: Vec<ReportId> = reports.iter().map(StoredReport::id).collect();
        assert_eq!(remove(&mut reports, ids[1]), Err(NotRemovable::Pending));
        assert_eq!(remove(&mut reports, ids[0]), Ok(()));
        assert_eq!(remove(&mut reports, ids[2]), Ok(()));
        assert_eq!(remove(&mut reports, ids[2]), Err(NotRemovable::Missing));
        assert_eq!(reports.len(), 1, "the queued report stays");
    }

    #[test]
    fn a_delivered_report_keeps_only_what_happened_and_when_after_thirty_days() {
        let day = DAY_MS;
        let mut reports = vec![delivered(1, 0), queued(2, 0)];
        assert_eq!(forget_old_details(&mut reports, 30 * day - 1), 0);
        assert_eq!(reports[0].form().name, "Sam Example");
        assert_eq!(forget_old_details(&mut reports, 30 * day), 1);
        let kept = reports[0].form();
        assert_eq!(kept.name, "");
        assert_eq!(kept.email, "");
        assert_eq!(kept.location, "");
        assert_eq!(kept.title(), "Stolen laptop");
        assert_eq!(kept.date_day, "26");
        assert!(matches!(
            reports[0].delivery(),
            DeliveryState::Delivered { .. }
        ));
        assert_eq!(forget_old_details(&mut reports, 31 * day), 0, "once");
        assert!(
            !reports[1].details_removed(i64::MAX),
            "only delivered reports"
        );
    }

    #[test]
    fn a_send_interrupted_by_a_closed_tab_goes_back_to_the_queue() {
        let mut reports = [queued(1, 0), queued(2, 0)];
        reports[0].start_sending(1_000).expect("send");
        assert_eq!(recover_interrupted(&mut reports), 1);
        assert_eq!(
            reports[0].delivery(),
            &DeliveryState::Queued { attempts: 1 }
        );
        assert!(reports[0].is_due(1_001));
        assert_eq!(
            reports[1].delivery(),
            &DeliveryState::Queued { attempts: 0 }
        );
    }

    #[test]
    fn a_report_sent_by_the_plain_form_is_listed_as_delivered_with_its_reference() {
        let report = StoredReport::sent_by_form(
            ReportId::from_random_bytes([3; 16]),
            ReportForm::example(),
            "LD-2026-000007".into(),
            1_000,
        )
        .expect("a new report can be sent");
        assert_eq!(
            report.delivery(),
            &DeliveryState::Delivered {
                reference: "LD-2026-000007".into()
            }
        );
        assert_eq!(report.form(), &ReportForm::example());
        assert!(!report.is_editable());
    }

    #[test]
    fn progress_is_kept_for_a_delivered_report_only_moving_forward_until_closed() {
        use crate::progress::{PassedOn, Progress, TeamState};
        let id = ReportId::from_random_bytes([9; 16]);
        let mut report =
            StoredReport::sent_by_form(id, ReportForm::default(), "LD-2026-000009".into(), 0)
                .expect("sent");
        let told = |state, acknowledged_at_ms, closed_at_ms| Progress {
            id,
            reference: "LD-2026-000009".to_owned(),
            received_at_ms: 0,
            passed_on: PassedOn::Delivered,
            passed_on_at_ms: Some(1),
            state,
            acknowledged_at_ms,
            closed_at_ms,
        };
        assert!(report.wants_progress(1));
        assert!(!report.record_progress(Progress {
            reference: "LD-2026-000001".to_owned(),
            ..told(TeamState::New, None, None)
        }));
        assert!(report.record_progress(told(TeamState::Acknowledged, Some(5), None)));
        assert!(
            !report.record_progress(told(TeamState::New, None, None)),
            "an older answer"
        );
        assert_eq!(
            report.progress().map(|p| p.state),
            Some(TeamState::Acknowledged)
        );
        assert!(report.wants_progress(1));
        assert!(report.record_progress(told(TeamState::Closed, Some(5), Some(6))));
        assert!(!report.wants_progress(1), "closed: no more asking");
        let mut draft = StoredReport::start(id, 0);
        assert!(!draft.wants_progress(1));
        assert!(!draft.record_progress(told(TeamState::New, None, None)));
        let open =
            StoredReport::sent_by_form(id, ReportForm::default(), "LD-2026-000009".into(), 0)
                .expect("sent");
        assert!(
            !open.wants_progress(RETENTION_DAYS * DAY_MS),
            "past the phone's retention"
        );
        assert_eq!(wanting_progress(&[open, report, draft], 1), [id]);
    }
}
