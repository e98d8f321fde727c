//! What happens to a report after it is stored, as the store gives it: whether it has been passed
//! on, the team's state (new, acknowledged, closed), the audit trail of who looked at and did
//! what, and the team's signed-in sessions and sign-ins in progress. Plain data; the backends
//! fill it.

use incident_report::ReportId;
use incident_report::progress::{PassedOn, Progress, TeamState};

/// How far passing a report on has got, from its delivery counts (a report has at least one).
pub(crate) fn passed_on(total: i64, delivered: i64, parked: i64) -> PassedOn {
    if parked > 0 {
        PassedOn::HeldBack
    } else if delivered >= total {
        PassedOn::Delivered
    } else {
        PassedOn::Trying
    }
}

/// The team's state from when it acknowledged and closed a report.
pub(crate) fn team_state(acknowledged_at_ms: Option<i64>, closed_at_ms: Option<i64>) -> TeamState {
    match (acknowledged_at_ms, closed_at_ms) {
        (_, Some(_)) => TeamState::Closed,
        (Some(_), None) => TeamState::Acknowledged,
        (None, None) => TeamState::New,
    }
}

/// One report as the team's list shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamSummary {
    /// Where it has got (what its maker may know too).
    pub progress: Progress,
    /// Its answers, as JSON (`{}` once cleared after the retention period).
    pub form_json: String,
}

/// One report as the team's page for it shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamReport {
    /// Its id, answers and where it has got.
    pub summary: TeamSummary,
    /// Who acknowledged it.
    pub acknowledged_by: Option<String>,
    /// Who closed it, with what outcome and note.
    pub closed_by: Option<String>,
    /// The outcome chosen when it was closed.
    pub outcome: Option<String>,
    /// The team's internal note, written when it was closed.
    pub note: Option<String>,
    /// Its deliveries, one per destination.
    pub deliveries: Vec<DeliveryRecord>,
    /// Every view and action, oldest first.
    pub audit: Vec<AuditEntry>,
}

/// One destination's delivery of a report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryRecord {
    /// The destination's name (`maildir`, `smtp`, `webhook`).
    pub destination: String,
    /// `pending`, `delivered` or `parked`.
    pub state: String,
    /// Attempts made so far.
    pub attempts: u32,
    /// Why the last attempt failed, if it did.
    pub last_error: Option<String>,
    /// When it was accepted.
    pub delivered_at_ms: Option<i64>,
    /// When it is next due, while pending.
    pub next_attempt_at_ms: i64,
}

/// What the audit trail records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::Display, strum::EnumString)]
#[strum(serialize_all = "snake_case")]
pub enum AuditAction {
    /// Opened the report's page.
    Viewed,
    /// Acknowledged the report.
    Acknowledged,
    /// Asked to acknowledge a report that already was (or was closed): nothing changed.
    AlreadyAcknowledged,
    /// Closed the report.
    Closed,
    /// Asked to close a report that already was: nothing changed.
    AlreadyClosed,
    /// Made held-back deliveries due again.
    RetriedDelivery,
    /// Signed in to the team's view.
    SignedIn,
    /// Proved who they were to the identity provider but may not enter.
    Refused,
    /// Signed out.
    SignedOut,
}

/// Who did something, from where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// Their email address, as the identity provider gave it.
    pub who: String,
    /// The client address the request came from.
    pub address: String,
}

/// One row of the append-only audit trail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    /// When (milliseconds since the epoch).
    pub at_ms: i64,
    /// Who and from where.
    pub actor: Actor,
    /// What.
    pub action: AuditAction,
    /// The report it concerns, if any.
    pub report: Option<ReportId>,
    /// A few words more (an outcome, the destinations retried); never a report's answers.
    pub detail: Option<String>,
}

/// What asking to change a report's team state did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Changed {
    /// The report changed, and the audit trail says so.
    Yes,
    /// It was already so (another person got there first); the audit trail says so.
    Already,
    /// There is no report with that reference; nothing was written.
    NoSuchReport,
}

/// A signed-in member of the team. The store keeps a hash of the cookie's token, never the
/// token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// The SHA-256 of the session cookie's token, hex.
    pub token_hash: String,
    /// Their email address.
    pub email: String,
    /// Their name, for the page's header.
    pub name: String,
    /// The token every form of this session carries.
    pub csrf: String,
    /// The identity provider's ID token, for signing out there too.
    pub id_token: Option<String>,
    /// When they signed in.
    pub created_at_ms: i64,
    /// When they last did anything.
    pub last_seen_ms: i64,
}

/// A sign-in sent to the identity provider and not yet back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingSignIn {
    /// The `state` parameter it was sent with.
    pub state: String,
    /// The PKCE verifier.
    pub verifier: String,
    /// The nonce the ID token must carry.
    pub nonce: String,
    /// Where to go once signed in (a path of the team's view).
    pub return_to: String,
    /// When it was sent.
    pub created_at_ms: i64,
}
