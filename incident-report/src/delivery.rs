//! The delivery state machine of a report on the phone:
//!
//! ```text
//! draft ──submit──► queued ──send──► sending ──accepted──► delivered{reference}
//!   ▲                  ▲                 │ └──rejected──► rejected{reasons} ──edit──► draft
//!   │                  └──failed─────────┘
//! ```
//!
//! `failed` covers a server error, a timeout, no network, and a send that never finished (the tab
//! closed): the report goes back to the queue. Only the server's acceptance delivers a report,
//! and a delivered report never changes again.

use serde::{Deserialize, Serialize};

use crate::form::AnswerError;

/// Where a report is on its way to the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
// Externally tagged (`{"queued":{"attempts":1}}`, `"draft"`): unlike an internally tagged enum it
// decodes without buffering, which keeps the browser's WebAssembly smaller.
#[serde(rename_all = "kebab-case")]
pub enum DeliveryState {
    /// Being written; not queued.
    Draft,
    /// Saved on the phone, waiting to be sent. `attempts` sends were tried so far.
    Queued {
        /// Sends tried so far.
        attempts: u32,
    },
    /// A send is under way; this is attempt number `attempt` (from 1).
    Sending {
        /// This attempt's number.
        attempt: u32,
    },
    /// The server stored it and gave it this reference.
    Delivered {
        /// The server's reference, e.g. `LD-2026-000123`.
        reference: String,
    },
    /// The server refused it; the reporter must fix these before sending again.
    Rejected {
        /// What the server said is wrong.
        reasons: Vec<AnswerError>,
    },
}

/// Something that happens to a report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeliveryEvent {
    /// The reporter pressed send.
    Submitted,
    /// A send started.
    SendStarted,
    /// The server answered that it has the report.
    Accepted {
        /// The server's reference.
        reference: String,
    },
    /// The server refused the report.
    Rejected {
        /// What is wrong.
        reasons: Vec<AnswerError>,
    },
    /// The send did not get an answer that counts (server error, timeout, no network, closed tab).
    Failed,
    /// The reporter changed a rejected report.
    Edited,
}

/// An event that cannot happen in a state, e.g. a second acceptance.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{event:?} cannot happen to a report that is {state:?}")]
pub struct TransitionError {
    /// The state the report was in.
    pub state: DeliveryState,
    /// What was tried.
    pub event: DeliveryEvent,
}

impl DeliveryState {
    /// The state after `event`, or an error naming both when the event cannot happen now. Only
    /// [`crate::StoredReport`] applies events, so every change goes through its methods.
    pub(crate) fn apply(self, event: DeliveryEvent) -> Result<Self, TransitionError> {
        use DeliveryEvent as E;
        match (self, event) {
            (Self::Draft, E::Submitted) => Ok(Self::Queued { attempts: 0 }),
            (Self::Queued { attempts }, E::SendStarted) => Ok(Self::Sending {
                attempt: attempts.saturating_add(1),
            }),
            (Self::Sending { .. }, E::Accepted { reference }) => Ok(Self::Delivered { reference }),
            (Self::Sending { .. }, E::Rejected { reasons }) => Ok(Self::Rejected { reasons }),
            (Self::Sending { attempt }, E::Failed) => Ok(Self::Queued { attempts: attempt }),
            (Self::Rejected { .. }, E::Edited) => Ok(Self::Draft),
            (state, event) => Err(TransitionError { state, event }),
        }
    }

    /// Whether the report still has to reach the server (it must not be removed from the phone).
    pub fn is_pending(&self) -> bool {
        !matches!(self, Self::Delivered { .. })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::form::Question;
    use proptest::prelude::*;

    fn run(
        events: impl IntoIterator<Item = DeliveryEvent>,
    ) -> Result<DeliveryState, TransitionError> {
        events
            .into_iter()
            .try_fold(DeliveryState::Draft, DeliveryState::apply)
    }

    fn accepted(reference: &str) -> DeliveryEvent {
        DeliveryEvent::Accepted {
            reference: reference.to_owned(),
        }
    }

    #[test]
    fn a_report_is_delivered_after_two_failed_sends() {
        use DeliveryEvent::*;
        let state = run([
            Submitted,
            SendStarted,
            Failed,
            SendStarted,
            Failed,
            SendStarted,
            accepted("LD-1"),
        ]);
        assert_eq!(
            state,
            Ok(DeliveryState::Delivered {
                reference: "LD-1".into()
            })
        );
    }

    #[test]
    fn a_rejected_report_goes_back_to_draft_when_edited() {
        use DeliveryEvent::*;
        let reasons = vec![AnswerError {
            question: Question::Email,
            message: "Enter your work email address".into(),
        }];
        let state = run([
            Submitted,
            SendStarted,
            DeliveryEvent::Rejected { reasons },
            Edited,
            Submitted,
        ]);
        assert_eq!(state, Ok(DeliveryState::Queued { attempts: 0 }));
    }

    #[test]
    fn a_delivered_report_never_changes() {
        use DeliveryEvent::*;
        let delivered = run([Submitted, SendStarted, accepted("LD-1")]).expect("delivered");
        for event in [Submitted, SendStarted, accepted("LD-2"), Failed, Edited] {
            assert!(delivered.clone().apply(event).is_err());
        }
        assert!(!delivered.is_pending());
    }

    #[test]
    fn acceptance_without_a_send_is_refused() {
        assert!(run([DeliveryEvent::Submitted, accepted("LD-1")]).is_err());
    }

    #[test]
    fn the_state_is_stored_as_externally_tagged_json() {
        let json =
            serde_json::to_string(&DeliveryState::Queued { attempts: 2 }).expect("serialises");
        assert_eq!(json, r#"{"queued":{"attempts":2}}"#);
        let draft = serde_json::to_string(&DeliveryState::Draft).expect("serialises");
        assert_eq!(draft, r#""draft""#);
    }

    fn any_event() -> impl Strategy<Value = DeliveryEvent> {
        prop_oneof![
            Just(DeliveryEvent::Submitted),
            Just(DeliveryEvent::SendStarted),
            "[A-Z]{2}-[0-9]{1,6}".prop_map(|reference| DeliveryEvent::Accepted { reference }),
            Just(DeliveryEvent::Rejected { reasons: vec![] }),
            Just(DeliveryEvent::Failed),
            Just(DeliveryEvent::Edited),
        ]
    }

    proptest! {
        /// Whatever happens, in any order: a report is delivered only by an acceptance during a
        /// send, keeps its first reference, and its attempt count never goes down.
        #[test]
        fn delivery_invariants_hold_for_any_sequence_of_events(events in prop::collection::vec(any_event(), 0..40)) {
            let mut state = DeliveryState::Draft;
            let mut attempts = 0;
            let mut reference: Option<String> = None;
            for event in events {
                let before = state.clone();
                match state.clone().apply(event.clone()) {
                    Ok(next) => {
                        if let DeliveryState::Delivered { reference: r } = &next {
                            let was_sending = matches!(before, DeliveryState::Sending { .. });
                            prop_assert!(was_sending, "delivered from {:?}", before);
                            let by_acceptance = matches!(event, DeliveryEvent::Accepted { .. });
                            prop_assert!(by_acceptance, "delivered by {:?}", event);
                            prop_assert!(reference.is_none());
                            reference = Some(r.clone());
                        }
                        match &next {
                            DeliveryState::Queued { attempts: a } | DeliveryState::Sending { attempt: a } => {
                                if !matches!(before, DeliveryState::Draft) {
                                    prop_assert!(*a >= attempts);
                                }
                                attempts = *a;
                            }
                            _ => {}
                        }
                        state = next;
                    }
                    Err(error) => prop_assert_eq!(error.state, before),
                }
                if let Some(r) = &reference {
                    prop_assert_eq!(&state, &DeliveryState::Delivered { reference: r.clone() });
                }
            }
        }
    }
}
