//! Settings that are not flags: every limit, period and size the server keeps fixed, in one
//! place, each with why it is what it is. (The settings an operator changes are in
//! [`crate::config`].)

use std::num::NonZeroU32;
use std::time::Duration;

// The report intake.

/// The largest report body accepted, in bytes: a full report with every text at its longest is
/// under 16 KiB.
pub const BODY_LIMIT: usize = 64 * 1024;

/// Seconds a phone is asked to wait when the database cannot take writes.
pub const UNAVAILABLE_RETRY_AFTER_S: u32 = 30;

// Signing in at the identity provider.

/// How long one call to the identity provider may take, and how long a sign-in waits for one.
pub const PROVIDER_TIMEOUT: Duration = Duration::from_secs(10);

/// How long the discovery document (and the keys read with it) is used before it is read again.
pub const DISCOVERY_KEPT: Duration = Duration::from_hours(1);

/// The key set is read again for a token with an unknown key at most this often, so tokens
/// signed with made-up keys cannot make this server hammer the provider.
pub const KEYS_REFETCH_EVERY: Duration = Duration::from_mins(1);

/// The largest answer read from the provider (its discovery document, keys and tokens are a few
/// kilobytes).
pub const ANSWER_LIMIT: usize = 1024 * 1024;

// The team's view.

/// A session ends after 30 minutes without a request.
pub const IDLE_MS: i64 = 30 * 60 * 1000;

/// A session ends 8 hours after signing in, however busy.
pub const ABSOLUTE_MS: i64 = 8 * 60 * 60 * 1000;

/// Reports on one page of the team's list.
pub const LIST_LIMIT: u32 = 50;

/// The most reports one download holds unless `--export-limit` says otherwise: a download is
/// made in memory, every report with its answers at once.
pub const EXPORT_LIMIT: usize = 50_000;

/// Reports read from the store at a time while a download is made.
pub const EXPORT_PAGE: u32 = 1_000;

/// The longest text the team's list searches for, in characters (a longer one is cut).
pub const SEARCH_LIMIT: usize = 100;

/// Pages and actions a signed-in person may ask for in a minute (each writes an audit row).
pub const WORK_PER_MINUTE: NonZeroU32 = NonZeroU32::MIN.saturating_add(119);

/// The largest form the team's view takes.
pub const FORM_LIMIT: usize = 16 * 1024;

/// How long the result of a walk of the whole audit trail is shown before the trail is walked
/// again (each walk reads every row).
pub const TRAIL_CHECKED_EVERY: Duration = Duration::from_mins(1);

// Connections.

/// File descriptors kept back from connections: the database, the Maildir, SMTP and webhook
/// connections, logs and the listener itself.
pub const DESCRIPTORS_KEPT: u64 = 64;

/// File descriptors one connection may hold at once: its socket, and the built file it is being
/// sent (a page render opens none: the build's file names are read at start-up).
pub const DESCRIPTORS_PER_CONNECTION: u64 = 2;

// Readiness.

/// How often the readiness check tries a write while the database cannot take them.
pub const WRITE_TRIED_EVERY: Duration = Duration::from_secs(2);

// Background work.

/// How often the answers of reports delivered longer ago than the retention period are removed.
pub const CLEAR_DELIVERED_EVERY: Duration = Duration::from_secs(3600);

/// How often SQLite's write-ahead log is copied into the database file (PostgreSQL does its
/// own): a damaged log then loses at most this much of writes, or 1 MiB (the store's
/// `wal_autocheckpoint`).
pub const CHECKPOINT_EVERY: Duration = Duration::from_secs(2);

/// How often ended sessions and unfinished sign-ins are removed from the database.
pub const FORGET_SESSIONS_EVERY: Duration = Duration::from_mins(10);

/// How often the rate limiter forgets clients that have been quiet for a minute.
pub const FORGET_QUIET_CLIENTS_EVERY: Duration = Duration::from_secs(60);

/// How long a delivery in progress may take to finish after the server stops (each attempt has
/// 10 s at most); what is left stays in the database for the next start.
pub const FORWARDING_STOP: Duration = Duration::from_secs(15);
