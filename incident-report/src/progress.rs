//! What became of a report after the server received it, as the person who made it may know it:
//! whether it has been passed on to the people who act on it, and how far they have got
//! (acknowledged, closed), with times. Never an answer, never who in the team. The server gives
//! it at [`status_path`] to whoever holds the report's random id (only the phone that made it);
//! the phone keeps the last one it was told with the report ([`crate::StoredReport`]).

use serde::{Deserialize, Serialize};

use crate::id::ReportId;
use crate::wire::REPORTS_PATH;

/// Where the phone asks what became of report `id` (`GET`).
pub fn status_path(id: ReportId) -> String {
    format!("{REPORTS_PATH}/{id}/status")
}

/// Whether `text` has the shape of a reference the server gives: `LD-`, a four-digit year, `-`
/// and at least six digits (`LD-2026-000123`). Anything else is no report's reference.
pub fn is_reference(text: &str) -> bool {
    let Some(rest) = text.strip_prefix("LD-") else {
        return false;
    };
    let Some((year, number)) = rest.split_once('-') else {
        return false;
    };
    let digits = |part: &str| part.bytes().all(|b| b.is_ascii_digit());
    year.len() == 4 && digits(year) && (6..=19).contains(&number.len()) && digits(number)
}

/// The body of the 404 answer for an id the server does not know, or that is not an id at all:
/// the two are answered alike, so the endpoint tells nothing about which ids exist.
pub const UNKNOWN_REPORT: &str = "unknown-report";

/// How far passing a report on to its destinations has got.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, strum::Display, strum::EnumString,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum PassedOn {
    /// Every destination accepted it.
    Delivered,
    /// Not yet everywhere; still trying.
    Trying,
    /// A destination refused it for good: it waits for the team to retry.
    HeldBack,
}

/// Where the team that receives reports has got with one.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    strum::Display,
    strum::EnumString,
    strum::EnumIter,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum TeamState {
    /// Nobody has acknowledged it yet.
    New,
    /// Someone in the team has seen it and said so.
    Acknowledged,
    /// The team has finished with it.
    Closed,
}

/// How a report was closed: a short list, so the team's figures add up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::EnumString, strum::Display, strum::EnumIter)]
#[strum(serialize_all = "kebab-case")]
pub enum Outcome {
    /// The device was found or given back.
    Recovered,
    /// The device was locked or wiped from afar.
    WipedRemotely,
    /// Not recovered; the person's accounts and access were secured.
    AccountsSecured,
    /// Not a security incident after all.
    NotAnIncident,
    /// The same incident was reported already.
    Duplicate,
}

impl Outcome {
    /// The words for it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Recovered => "Device recovered",
            Self::WipedRemotely => "Device locked or wiped remotely",
            Self::AccountsSecured => "Not recovered, accounts secured",
            Self::NotAnIncident => "Not a security incident",
            Self::Duplicate => "Duplicate of another report",
        }
    }

    /// The words for a stored value (an unknown one as it is).
    pub fn label_of(value: &str) -> String {
        value
            .parse::<Self>()
            .map_or_else(|_| value.to_owned(), |outcome| outcome.label().to_owned())
    }
}

/// The answer to `GET /api/v1/reports/{id}/status`. Times are milliseconds since the Unix epoch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    /// The report's id (the phone checks it is the one it asked about).
    pub id: ReportId,
    /// Its reference.
    pub reference: String,
    /// When the server received it.
    pub received_at_ms: i64,
    /// How far passing it on has got.
    pub passed_on: PassedOn,
    /// When the last destination accepted it, once every one has.
    pub passed_on_at_ms: Option<i64>,
    /// The team's state.
    pub state: TeamState,
    /// When the team acknowledged it.
    pub acknowledged_at_ms: Option<i64>,
    /// When the team closed it.
    pub closed_at_ms: Option<i64>,
}

/// One thing that is true of a report, to tell the person who made it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stage {
    /// The service has it, under this reference.
    Received {
        /// The server's reference.
        reference: String,
        /// When.
        at_ms: i64,
    },
    /// Not yet with the people who act on it: the service is still passing it on.
    Waiting,
    /// Not yet with the people who act on it: a destination refused it, so it is held back
    /// until the team that receives reports sends it again (they see it in their list).
    HeldBack,
    /// With the people who act on it.
    PassedOn {
        /// When, if known.
        at_ms: Option<i64>,
    },
    /// Someone in the team has seen it.
    Seen {
        /// When.
        at_ms: i64,
    },
    /// The team has finished with it.
    Closed {
        /// When.
        at_ms: i64,
    },
}

impl Progress {
    /// What is true of the report, in the order it happened; nothing that has not happened.
    pub fn stages(&self) -> Vec<Stage> {
        let mut stages = vec![Stage::Received {
            reference: self.reference.clone(),
            at_ms: self.received_at_ms,
        }];
        // A report the team has seen has reached them, whatever one of several destinations
        // still says.
        if self.passed_on == PassedOn::Delivered || self.state > TeamState::New {
            stages.push(Stage::PassedOn {
                at_ms: self.passed_on_at_ms,
            });
        } else if self.passed_on == PassedOn::HeldBack {
            stages.push(Stage::HeldBack);
        } else {
            stages.push(Stage::Waiting);
        }
        if let Some(at_ms) = self.acknowledged_at_ms {
            stages.push(Stage::Seen { at_ms });
        }
        if let Some(at_ms) = self.closed_at_ms {
            stages.push(Stage::Closed { at_ms });
        }
        stages
    }

    /// Whether this says more than `other` (or as much): the team's state only moves forward, so
    /// an answer that says less (a slower instance, a reply overtaken by a later one) is older.
    pub fn is_at_least(&self, other: &Self) -> bool {
        let rank = |p: &Self| (p.state, p.passed_on == PassedOn::Delivered);
        rank(self) >= rank(other)
    }
}

/// A state the team's list filters by: the team's own three, and held back (a delivery parked
/// after a permanent failure, whatever the team's state).
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::Display, strum::EnumString)]
#[strum(serialize_all = "kebab-case")]
pub enum ListState {
    /// Not acknowledged or closed.
    New,
    /// Acknowledged, not closed.
    Acknowledged,
    /// Closed.
    Closed,
    /// A delivery is held back.
    HeldBack,
}

/// How many reports a filter finds in each state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StateCounts {
    /// In any state.
    pub all: u64,
    /// New.
    pub new: u64,
    /// Acknowledged, not closed.
    pub acknowledged: u64,
    /// Closed.
    pub closed: u64,
    /// With a delivery held back (whatever the team's state).
    pub held_back: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn progress() -> Progress {
        Progress {
            id: ReportId::from_random_bytes([7; 16]),
            reference: "LD-2026-000001".to_owned(),
            received_at_ms: 1,
            passed_on: PassedOn::Trying,
            passed_on_at_ms: None,
            state: TeamState::New,
            acknowledged_at_ms: None,
            closed_at_ms: None,
        }
    }

    #[test]
    fn only_what_happened_is_told_in_order() {
        let received = Stage::Received {
            reference: "LD-2026-000001".to_owned(),
            at_ms: 1,
        };
        let mut p = progress();
        assert_eq!(p.stages(), [received.clone(), Stage::Waiting]);
        p.passed_on = PassedOn::HeldBack;
        assert_eq!(
            p.stages(),
            [received.clone(), Stage::HeldBack],
            "held back is not said to be still trying"
        );
        p.passed_on = PassedOn::Delivered;
        p.passed_on_at_ms = Some(2);
        assert_eq!(
            p.stages(),
            [received.clone(), Stage::PassedOn { at_ms: Some(2) }]
        );
        p.state = TeamState::Closed;
        p.acknowledged_at_ms = Some(3);
        p.closed_at_ms = Some(4);
        assert_eq!(
            p.stages(),
            [
                received,
                Stage::PassedOn { at_ms: Some(2) },
                Stage::Seen { at_ms: 3 },
                Stage::Closed { at_ms: 4 }
            ]
        );
    }

    #[test]
    fn an_answer_that_says_less_is_older() {
        let new = progress();
        let seen = Progress {
            state: TeamState::Acknowledged,
            acknowledged_at_ms: Some(3),
            ..progress()
        };
        assert!(seen.is_at_least(&new));
        assert!(!new.is_at_least(&seen));
        assert!(new.is_at_least(&new));
    }

    #[test]
    fn the_wire_names_are_snake_case() {
        let json = serde_json::to_value(Progress {
            passed_on: PassedOn::HeldBack,
            ..progress()
        })
        .expect("json");
        assert_eq!(json["passed_on"], "held_back");
        assert_eq!(json["state"], "new");
        assert_eq!(PassedOn::HeldBack.to_string(), "held_back");
    }

    #[test]
    fn only_the_shape_of_a_reference_is_a_reference() {
        assert!(is_reference("LD-2026-000123"));
        assert!(is_reference("LD-2027-1234567"));
        for text in [
            "",
            "LD-2026-00012",
            "ld-2026-000123",
            "LD-26-000123",
            "LD-2026-000123\r\nX-Injected: 1",
            "LD-2026-0001\u{0}23",
            "LD-2026-+00123",
            "LD-2026-000123-",
        ] {
            assert!(!is_reference(text), "{text:?}");
        }
    }
}
