//! What happens to a report after it is stored, as the store gives it: whether it has been passed
//! on, the team's state (new, acknowledged, closed), the audit trail of who looked at and did
//! what, and the team's signed-in sessions and sign-ins in progress. Plain data; the backends
//! fill it.
//!
//! The audit trail is a hash chain, computed here once for both backends: each row carries the
//! SHA-256 of the chain of the row before it and its own fields ([`AuditRow::chain_after`]), so
//! someone who rewrites a row directly in the database (past the triggers that make it
//! append-only) has to rewrite every row after it too, and a walk of the trail
//! ([`AuditWalk`], giving [`AuditCheck`]) finds the first row that no longer follows.

use incident_report::ReportId;
use incident_report::progress::{ListState, Outcome, PassedOn, Progress, TeamState};
use sha2::{Digest as _, Sha256};

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

/// Which reports the team's list shows; every part given must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportFilter {
    /// In this state.
    pub state: Option<ListState>,
    /// Received at or after this moment (milliseconds since the Unix epoch).
    pub received_from_ms: Option<i64>,
    /// Received before this moment.
    pub received_before_ms: Option<i64>,
    /// What happened (a choice's value, `stolen`).
    pub what_happened: Option<String>,
    /// The kind of device (a choice's value, `laptop`).
    pub device: Option<String>,
    /// The reference, or text within the reporter's name or email, the asset tag, the service
    /// desk's ticket or the police reference (any case).
    pub text: Option<String>,
}

/// One page of the team's list, newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportPage {
    /// The reports on it.
    pub reports: Vec<TeamSummary>,
    /// Where the next page starts (give it as `before`), when more reports match.
    pub older: Option<i64>,
}

/// One report as the team's list shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamSummary {
    /// Where it has got (what its maker may know too).
    pub progress: Progress,
    /// Its answers, as JSON (`{}` once cleared after the retention period).
    pub form_json: String,
    /// How the team closed it, if it did.
    pub outcome: Option<Outcome>,
    /// What happened (a choice's value, `stolen`): kept after the answers are removed.
    pub what_happened: Option<String>,
    /// The kind of device (a choice's value, `laptop`): kept after the answers are removed.
    pub device: Option<String>,
    /// Who in the team owns it, if anyone.
    pub owner: Option<String>,
}

/// What the counts page counts of one report: never its answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Counted {
    /// When it was received.
    pub received_at_ms: i64,
    /// What happened (a choice's value), if known.
    pub what_happened: Option<String>,
    /// How the team closed it, if it did.
    pub outcome: Option<Outcome>,
    /// When the team acknowledged it.
    pub acknowledged_at_ms: Option<i64>,
    /// When the team closed it.
    pub closed_at_ms: Option<i64>,
}

/// One of the team's running notes on a report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// When it was written.
    pub at_ms: i64,
    /// Who wrote it.
    pub who: String,
    /// What it says.
    pub text: String,
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
    /// The outcome chosen when it was closed (only [`crate::ReportStore::close`] writes it, from
    /// an [`Outcome`]).
    pub outcome: Option<Outcome>,
    /// The team's internal note, written when it was closed.
    pub note: Option<String>,
    /// Who in the team owns it, if anyone.
    pub owner: Option<String>,
    /// The team's running notes on it, oldest first.
    pub notes: Vec<Note>,
    /// Its deliveries, one per destination.
    pub deliveries: Vec<DeliveryRecord>,
    /// Every view and action, oldest first.
    pub audit: Vec<AuditEntry>,
}

/// Where one destination's delivery of a report has got, as its row keeps it (a `CHECK` in the
/// schema admits only these).
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::Display, strum::EnumString)]
#[strum(serialize_all = "snake_case")]
pub enum DeliveryState {
    /// Not accepted yet: due, leased or waiting for its retry.
    Pending,
    /// Accepted by the destination.
    Delivered,
    /// Refused for good: held back until someone retries it.
    Parked,
}

impl DeliveryState {
    /// The state a row keeps as `state`; any other text (which the schema refuses) as pending.
    pub fn of_row(text: &str) -> Self {
        text.parse().unwrap_or(Self::Pending)
    }
}

/// One destination's delivery of a report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryRecord {
    /// The destination's name (`maildir`, `smtp`, `webhook`).
    pub destination: String,
    /// Where it has got.
    pub state: DeliveryState,
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
    /// Started the server on a report database that had lost reports (behind its high-water
    /// mark), by the operator's choice.
    StartedDespiteLostReports,
    /// The service sent the team an alert about the report (its detail names which).
    AlertSent,
    /// Someone changed who owns the report (its detail: the new owner, or nobody).
    OwnerChanged,
    /// Someone added a note to the report (the note itself is on the report, not here).
    NoteAdded,
    /// Someone reopened a closed report.
    Reopened,
    /// Someone asked to reopen a report that was not closed: nothing changed.
    NotClosed,
    /// Someone erased the reporter's personal details (its detail: the reason given).
    Erased,
    /// Someone asked to erase details already removed: nothing changed.
    AlreadyErased,
    /// Someone downloaded the reports a filter found (its detail: the format, how many, the
    /// filter).
    Exported,
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

/// What a walk of the whole audit trail found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditCheck {
    /// Every row follows the one before it.
    Intact {
        /// How many rows the trail has.
        rows: u64,
    },
    /// The first row whose chain does not match its fields and the row before it: that row was
    /// changed or slipped in, or the row before it was removed.
    ChangedAt {
        /// The row's sequence number.
        seq: i64,
    },
    /// Every row follows the one before it, but there are fewer than an earlier walk found: rows
    /// were removed from the newest end (or the whole trail emptied).
    Shortened {
        /// How many rows the trail has.
        rows: u64,
        /// How many an earlier walk found.
        seen: u64,
    },
}

/// What the first row's chain follows, in place of a row before it.
const GENESIS: &str = "lost-device audit trail, SHA-256 chain, version 1";

/// How many audit rows are read at a time when the whole trail is walked: a long trail is never
/// held in memory at once.
pub(crate) const AUDIT_PAGE: i64 = 1000;

/// One audit row as stored: the fields its chain covers, and the chain stored with it.
#[derive(Debug, Clone)]
pub(crate) struct AuditRow {
    pub(crate) seq: i64,
    pub(crate) at: i64,
    pub(crate) who: String,
    pub(crate) address: String,
    pub(crate) action: String,
    pub(crate) report_id: Option<String>,
    pub(crate) detail: Option<String>,
    pub(crate) chain: Option<String>,
}

impl AuditRow {
    /// The row `entry` becomes with sequence number `seq`, not yet chained.
    pub(crate) fn new(seq: i64, entry: &AuditEntry) -> Self {
        Self {
            seq,
            at: entry.at_ms,
            who: entry.actor.who.clone(),
            address: entry.actor.address.clone(),
            action: entry.action.to_string(),
            report_id: entry.report.map(|id| id.to_string()),
            detail: entry.detail.clone(),
            chain: None,
        }
    }

    /// This row's chain after a row whose chain is `previous` (`None`: this is the first row):
    /// the SHA-256, in hex, of that chain and this row's fields. Each field goes in with its
    /// length (and absent ones with a marker), so moving text from one field to the next, or
    /// between a missing and an empty detail, changes the hash.
    pub(crate) fn chain_after(&self, previous: Option<&str>) -> String {
        let mut hash = Sha256::new();
        let mut field = |value: Option<&[u8]>| match value {
            None => hash.update([0]),
            Some(bytes) => {
                hash.update([1]);
                hash.update(u64::try_from(bytes.len()).unwrap_or(u64::MAX).to_be_bytes());
                hash.update(bytes);
            }
        };
        field(Some(previous.unwrap_or(GENESIS).as_bytes()));
        field(Some(&self.seq.to_be_bytes()));
        field(Some(&self.at.to_be_bytes()));
        field(Some(self.who.as_bytes()));
        field(Some(self.address.as_bytes()));
        field(Some(self.action.as_bytes()));
        field(self.report_id.as_deref().map(str::as_bytes));
        field(self.detail.as_deref().map(str::as_bytes));
        format!("{:x}", hash.finalize())
    }
}

/// A walk along the audit trail in seq order, a page of [`AUDIT_PAGE`] rows at a time, carrying
/// the chain of the last row walked: the backends read the pages, this decides.
#[derive(Debug, Default)]
pub(crate) struct AuditWalk {
    previous: Option<String>,
    rows: u64,
    last_seq: Option<i64>,
}

impl AuditWalk {
    /// The smallest seq of the next page (`seq >= from`).
    pub(crate) fn from(&self) -> i64 {
        self.last_seq.map_or(i64::MIN, |seq| seq.saturating_add(1))
    }

    /// The chain `row` must have, coming after the rows walked so far; the walk moves past it.
    pub(crate) fn step(&mut self, row: &AuditRow) -> String {
        let chain = row.chain_after(self.previous.as_deref());
        self.previous = Some(chain.clone());
        self.rows += 1;
        self.last_seq = Some(row.seq);
        chain
    }

    /// Whether `page`, the last one read, was the end of the trail: a page not full, or one
    /// that reached the largest seq there can be.
    pub(crate) fn at_end(&self, page: &[AuditRow]) -> bool {
        i64::try_from(page.len()).unwrap_or(i64::MAX) < AUDIT_PAGE
            || self.last_seq == Some(i64::MAX)
    }

    /// Checks the next page: what the walk found once it is over (a row that does not match, or
    /// the end of the trail), `None` while there may be more.
    pub(crate) fn check(&mut self, page: &[AuditRow]) -> Option<AuditCheck> {
        for row in page {
            if row.chain.as_deref() != Some(self.step(row).as_str()) {
                return Some(AuditCheck::ChangedAt { seq: row.seq });
            }
        }
        self.at_end(page)
            .then_some(AuditCheck::Intact { rows: self.rows })
    }
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
    /// Who started it, as their allowance counts them (an address, an IPv6 one by its /64):
    /// past the bound, the one with the most unfinished sign-ins loses its oldest.
    pub started_by: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(who: &str, address: &str, detail: Option<&str>) -> AuditRow {
        AuditRow {
            seq: 1,
            at: 2,
            who: who.to_owned(),
            address: address.to_owned(),
            action: "viewed".to_owned(),
            report_id: None,
            detail: detail.map(str::to_owned),
            chain: None,
        }
    }

    #[test]
    fn text_moved_from_one_field_to_the_next_changes_the_chain() {
        assert_ne!(
            row("ab", "c", None).chain_after(None),
            row("a", "bc", None).chain_after(None)
        );
    }

    #[test]
    fn a_missing_detail_and_an_empty_one_chain_apart() {
        assert_ne!(
            row("a", "b", None).chain_after(None),
            row("a", "b", Some("")).chain_after(None)
        );
    }

    #[test]
    fn each_row_s_chain_follows_the_one_before() {
        let first = row("a", "b", None).chain_after(None);
        assert_eq!(first.len(), 64, "hex SHA-256");
        assert_ne!(
            row("a", "b", None).chain_after(Some(&first)),
            first,
            "the same fields after another row chain differently"
        );
    }
}
