//! Where the server keeps incident reports, and the deliveries that forward each one to the
//! people who act on it.
//!
//! A report's id is its idempotency key: [`ReportStore::submit`] stores a new id once and gives
//! it a reference (`LD-2026-000123`); the same id with the same content gets the same reference
//! again; the same id with different content is refused. Keys are never deleted, far outliving
//! any phone's copy: after the retention period only a delivered report's answers go
//! ([`ReportStore::clear_delivered`]), its id, reference and fingerprint stay.
//!
//! Forwarding is a transactional outbox: the transaction that stores a new report also writes one
//! delivery row per configured destination, so a committed report is never without its
//! deliveries and a repeat never adds any. A forwarder claims due rows under a lease
//! ([`ReportStore::claim_due`]), and marks each delivered only after its destination accepted
//! it; a lease that runs out (the claimer died) makes the row due again.
//!
//! The team's audit trail (who looked at and did what) is append-only, and each row carries a
//! hash chained to the row before it, so a row rewritten, removed or slipped in directly in the
//! database is found by [`ReportStore::check_audit_trail`].
//!
//! Two backends, one interface: embedded SQLite (`sqlite`, the default: one file, one server
//! instance), in WAL mode with full synchronous commits; and PostgreSQL (`postgres`), for several
//! instances sharing one database. Either way a report is committed before the server answers.
//! Callers see only [`ReportStore`], whose async methods do not say which one they talk to.
//! Each query is written once (`queries`), for both, through `sql::Sql`; the schema is one
//! history of versions in both dialects (`schema`).

mod alert;
mod high_water;
mod postgres;
mod queries;
mod schema;
mod sql;
mod sqlite;
mod team;

pub use alert::Alert;
pub use high_water::Mark;
pub use queries::outbox::SERVICE;

pub use incident_report::progress::{ListState, PassedOn, Progress, StateCounts, TeamState};
pub use team::{
    Actor, AuditAction, AuditCheck, AuditEntry, Changed, Counted, DeliveryRecord, DeliveryState,
    Note, PendingSignIn, ReportFilter, ReportPage, Session, TeamReport, TeamSummary,
};

/// What a report's answers are once `clear_delivered` has removed them (the SQL of both backends
/// writes this literal).
pub const CLEARED_ANSWERS: &str = "{}";

/// How long a sign-in may take at the identity provider before it is forgotten (10 minutes).
pub const SIGN_IN_LIMIT_MS: i64 = 10 * 60 * 1000;

/// The most sign-ins kept waiting for the identity provider at once. Anyone may begin one, so
/// past this the oldest of whoever began the most are ended (see
/// [`ReportStore::begin_sign_in`]) rather than the table growing with every stranger's request.
pub const MAX_PENDING_SIGN_INS: i64 = 1000;

/// The audit trail's words for a retry of held-back deliveries.
fn retried_detail(destinations: &[String]) -> String {
    if destinations.is_empty() {
        "nothing was held back".to_owned()
    } else {
        destinations.join(", ")
    }
}

use std::path::{Path, PathBuf};
use std::sync::Arc;

use high_water::{Found, HighWater};
use queries::outbox::Finish;
use queries::team::StateChange;
use team::AuditWalk;

use incident_report::ReportId;
use incident_report::progress::Outcome;

/// Why the store failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite reported an error.
    #[error("the report database failed: {0}")]
    Sqlite(rusqlite::Error),
    /// The database cannot take writes just now (its disk is full or failing, or the connection
    /// to it is lost): worth trying again later.
    #[error("the report database cannot take writes just now: {0}")]
    Unavailable(String),
    /// The database holds less than the high-water mark says it held: reports were lost (a
    /// damaged write-ahead log, an emptied file, an older backup put in its place).
    #[error("{}", lost_history(database, mark.as_ref()))]
    LostHistory {
        /// What the database holds.
        database: Mark,
        /// What the mark says it held; `None` when there is no mark but the data directory
        /// shows the database was used (forwarded reports in the Maildir).
        mark: Option<Mark>,
    },
    /// Neither slot of the high-water mark file can be read.
    #[error("the high-water mark {} cannot be read", path.display())]
    HighWaterDamaged {
        /// The file.
        path: PathBuf,
    },
    /// The database was written by a newer version of the server.
    #[error("the report database has schema version {found}, newer than this server's {supported}")]
    NewerSchema {
        /// The version found.
        found: i64,
        /// The newest this code knows.
        supported: i64,
    },
    /// PostgreSQL (or the connection to it) reported an error.
    #[error("the report database failed: {0}")]
    Postgres(String),
    /// The database file could not be created or made private.
    #[error("the report database file could not be prepared: {0}")]
    Io(String),
    /// The database holds a value of a kind its schema does not allow (changed outside the
    /// server).
    #[error("the report database holds something this server cannot read: {0}")]
    Unreadable(String),
    /// The blocking task running a database call was lost (the runtime is shutting down).
    #[error("the report database call did not finish: {0}")]
    Task(String),
}

fn lost_history(database: &Mark, mark: Option<&Mark>) -> String {
    match mark {
        Some(mark) => format!(
            "the report database holds {} reports up to number {}, but this server has stored {} \
             up to number {}: reports have been lost",
            database.count, database.seq, mark.count, mark.seq
        ),
        None => format!(
            "the report database holds {} reports, but the data directory holds reports already \
             forwarded: the database has been emptied or replaced",
            database.count
        ),
    }
}

impl StoreError {
    /// Whether the database could not take the call just now, for a reason that passes by
    /// itself or when an operator frees space: the caller says "try again later".
    pub fn is_unavailable(&self) -> bool {
        matches!(self, Self::Unavailable(_))
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(error: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode as Code;
        match error.sqlite_error_code() {
            Some(
                Code::DiskFull
                | Code::SystemIoFailure
                | Code::DatabaseBusy
                | Code::DatabaseLocked
                | Code::CannotOpen
                | Code::ReadOnly
                | Code::OutOfMemory,
            ) => Self::Unavailable(error.to_string()),
            _ => Self::Sqlite(error),
        }
    }
}

impl From<tokio_postgres::Error> for StoreError {
    fn from(error: tokio_postgres::Error) -> Self {
        // The server's own message (never the row's values, which are only in its detail).
        let Some(db) = error.as_db_error() else {
            // No answer from the server at all: the connection is gone (or, for anything else
            // without the server's words, a fault of this code's).
            let lost = error.is_closed()
                || std::error::Error::source(&error)
                    .is_some_and(<dyn std::error::Error>::is::<std::io::Error>);
            return if lost {
                Self::Unavailable(error.to_string())
            } else {
                Self::Postgres(error.to_string())
            };
        };
        let detail = format!("{} ({})", db.message(), db.code().code());
        let code = db.code().code();
        // Insufficient resources (a full disk), a lost connection, a server shutting down, a
        // read-only server, a conflict with another transaction.
        if ["53", "08", "57P"]
            .iter()
            .any(|class| code.starts_with(class))
            || ["25006", "40001", "40P01"].contains(&code)
        {
            Self::Unavailable(detail)
        } else {
            Self::Postgres(detail)
        }
    }
}

/// The result of submitting a report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Submitted {
    /// Stored now, with this new reference.
    Created {
        /// The reference given to it.
        reference: String,
    },
    /// Already stored with the same content: the same reference as before.
    Repeat {
        /// The reference given the first time.
        reference: String,
    },
    /// Already stored, but with different content: nothing was changed.
    Mismatch,
    /// Another request with this id is being stored right now (perhaps on another instance):
    /// nothing was changed; the sender should try again in a moment.
    InProgress,
}

/// What the store knows of a report id it already has: enough to answer a repeat.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Known {
    /// Its reference.
    pub reference: String,
    /// The hash of its canonical content it was stored with.
    pub fingerprint: String,
}

/// What a report is stored with.
#[derive(Debug, Clone)]
pub struct NewReport {
    /// Its id and idempotency key.
    pub id: ReportId,
    /// A hash of its canonical content, to tell a repeat from a different report.
    pub fingerprint: String,
    /// The answers, as JSON.
    pub form_json: String,
    /// When the server received it (RFC 3339).
    pub received_at: String,
    /// The same moment, in milliseconds since the Unix epoch (deliveries are due from then).
    pub received_at_ms: i64,
    /// The year for its reference.
    pub year: i32,
    /// The destinations it must be forwarded to (their names, e.g. `smtp`), one delivery each.
    pub destinations: Vec<String>,
}

/// One report to forward to one destination, as claimed by a forwarder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// The report's id.
    pub report_id: ReportId,
    /// The destination's name.
    pub destination: String,
    /// The report's reference.
    pub reference: String,
    /// Its answers, as JSON.
    pub form_json: String,
    /// When the server received it (RFC 3339).
    pub received_at: String,
    /// How many attempts were made before this one.
    pub attempts: u32,
    /// The claim's lease token: only its holder may record the outcome.
    pub lease: String,
}

/// What a forwarder asks for when it claims work.
#[derive(Debug, Clone)]
pub struct Claim {
    /// The destinations this forwarder can deliver to.
    pub destinations: Vec<String>,
    /// Now, in milliseconds since the Unix epoch.
    pub now_ms: i64,
    /// How long the claim holds, in milliseconds; after that another forwarder may take it.
    pub lease_ms: i64,
    /// The lease token to hold the rows with (unique per claim), `holder:random` where holder
    /// names the instance that claims (see [`ReportStore::release_leases`]).
    pub lease: String,
    /// At most this many rows.
    pub limit: u32,
}

/// How far forwarding has got, for monitoring.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Backlog {
    /// Deliveries not yet accepted by their destination (parked ones included).
    pub undelivered: u64,
    /// Of those, the ones parked after a permanent failure, waiting for an operator.
    pub parked: u64,
    /// When the oldest undelivered one was created, in milliseconds since the Unix epoch.
    pub oldest_ms: Option<i64>,
    /// Why the most recently created parked delivery failed, if one is parked.
    pub parked_error: Option<String>,
}

/// The report database. Cheap to clone.
#[derive(Debug, Clone)]
pub struct ReportStore {
    backend: Backend,
    /// The high-water mark, once [`ReportStore::keep_high_water`] has checked the database
    /// against it.
    high_water: Option<Arc<HighWater>>,
}

/// What [`ReportStore::keep_high_water`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HighWaterCheck {
    /// What the database holds.
    pub database: Mark,
    /// The mark before this start (`None` on the first start with one).
    pub before: Option<Mark>,
    /// The database was behind the mark, and started on by the operator's choice: new
    /// references start above every one given before.
    pub started_behind: bool,
}

#[derive(Debug, Clone)]
enum Backend {
    Sqlite(Arc<sqlite::SqliteStore>),
    Postgres(postgres::PostgresStore),
}

/// Runs `$body` with `$sql` as a [`sql::Sql`] on whichever backend `$store` has: `read` on a
/// connection, `write` in one transaction, committed if `$body` gives `Ok`. SQLite's call runs off
/// the async threads (what `$body` uses is moved in, so it must be owned); PostgreSQL's is
/// awaited.
macro_rules! with_sql {
    ($store:expr, $mode:ident, |$sql:ident| $body:expr) => {
        match &$store.backend {
            Backend::Sqlite(sqlite) => {
                let sqlite = Arc::clone(sqlite);
                tokio::task::spawn_blocking(move || {
                    sqlite.$mode(|$sql| sql::at_once(async { $body }))
                })
                .await
                .map_err(|e| StoreError::Task(e.to_string()))?
            }
            Backend::Postgres(postgres) => with_sql!(@postgres $mode, postgres, |$sql| $body),
        }
    };
    (@postgres read, $postgres:expr, |$sql:ident| $body:expr) => {{
        let client = $postgres.client().await?;
        let $sql = &sql::Postgres { client: &client };
        $body
    }};
    (@postgres write, $postgres:expr, |$sql:ident| $body:expr) => {{
        let mut client = $postgres.client().await?;
        let transaction = client.transaction().await?;
        let $sql = &sql::Postgres {
            client: &transaction,
        };
        let out = $body?;
        transaction.commit().await?;
        Ok(out)
    }};
}

impl ReportStore {
    /// Opens (creating and migrating if needed) the SQLite database at `path`.
    pub fn open_sqlite(path: &Path) -> Result<Self, StoreError> {
        Ok(Self {
            backend: Backend::Sqlite(Arc::new(sqlite::SqliteStore::open(path)?)),
            high_water: None,
        })
    }

    /// A SQLite database in memory, for tests.
    pub fn sqlite_in_memory() -> Result<Self, StoreError> {
        Ok(Self {
            backend: Backend::Sqlite(Arc::new(sqlite::SqliteStore::open_in_memory()?)),
            high_water: None,
        })
    }

    /// Connects to the PostgreSQL database at `url` (`postgres://user@host:port/name`) and
    /// migrates it; instances starting together take turns.
    pub async fn open_postgres(url: &str) -> Result<Self, StoreError> {
        Ok(Self {
            backend: Backend::Postgres(postgres::PostgresStore::open(url).await?),
            high_water: None,
        })
    }

    /// Checks the database against the high-water mark at `path` and keeps the mark from now
    /// on: every new report is in the mark on disk before [`ReportStore::submit`] returns its
    /// reference.
    ///
    /// A database behind the mark is refused ([`StoreError::LostHistory`]), as is an empty one
    /// with no mark when `used_before` (the data directory shows reports were stored), unless
    /// `start_behind`: then it is started on, with new references above every one the mark
    /// says was given. With several instances on one PostgreSQL database, each keeps its own
    /// mark: the highest reference it has seen.
    pub async fn keep_high_water(
        &mut self,
        path: &Path,
        used_before: bool,
        start_behind: bool,
    ) -> Result<HighWaterCheck, StoreError> {
        let database = with_sql!(self, read, |sql| queries::intake::holding(sql).await)?;
        let before = match HighWater::read(path) {
            Err(damaged) if !start_behind => return Err(damaged),
            Ok(Found::Mark(mark)) => Some(mark),
            Ok(Found::Nothing) | Err(_) => None,
        };
        let behind = match before {
            Some(mark) => mark.is_ahead_of(&database),
            None => used_before && database.count == 0,
        };
        if behind && !start_behind {
            return Err(StoreError::LostHistory {
                database,
                mark: before,
            });
        }
        let floor = before.map_or(0, |mark| {
            if behind {
                mark.floor.max(mark.seq)
            } else {
                mark.floor
            }
        });
        match &self.backend {
            Backend::Sqlite(sqlite) => sqlite.raise_floor(floor),
            Backend::Postgres(postgres) => postgres.raise_floor(floor).await?,
        }
        // The audit trail's length carries over, unless the operator chose to start on a
        // database restored from before it grew.
        let audit = match before {
            Some(mark) if !behind => mark.audit,
            _ => 0,
        };
        let mark = Mark {
            seq: database.seq.max(floor),
            count: database.count,
            floor,
            audit,
        };
        let water = tokio::task::spawn_blocking({
            let path = path.to_owned();
            move || HighWater::create(&path, mark)
        })
        .await
        .map_err(|e| StoreError::Task(e.to_string()))??;
        self.high_water = Some(Arc::new(water));
        Ok(HighWaterCheck {
            database,
            before,
            started_behind: behind,
        })
    }

    /// The high-water mark as it stands, if it is kept.
    pub fn high_water(&self) -> Option<Mark> {
        self.high_water.as_ref().map(|water| water.mark())
    }

    /// Stores `report` unless its id is already stored; see [`Submitted`]. A new report's
    /// deliveries are written in the same transaction.
    ///
    /// With the high-water mark kept, a new report's number is in the mark on disk before this
    /// returns.
    pub async fn submit(&self, report: NewReport) -> Result<Submitted, StoreError> {
        let Some(water) = &self.high_water else {
            return Ok(
                with_sql!(self, write, |sql| queries::intake::submit(sql, &report)
                    .await)?
                .0,
            );
        };
        let water = Arc::clone(water);
        let storing = water.storing();
        let stored: Result<_, StoreError> =
            with_sql!(self, write, |sql| queries::intake::submit(sql, &report)
                .await);
        drop(storing);
        let (outcome, new_seq) = stored?;
        if let Some(seq) = new_seq {
            tokio::task::spawn_blocking(move || water.record_new(seq))
                .await
                .map_err(|e| StoreError::Task(e.to_string()))??;
        }
        Ok(outcome)
    }

    /// Copies the newest writes from SQLite's write-ahead log into the database file (nothing
    /// on PostgreSQL, which checkpoints by itself).
    pub async fn checkpoint(&self) -> Result<(), StoreError> {
        match &self.backend {
            Backend::Sqlite(sqlite) => {
                let sqlite = Arc::clone(sqlite);
                tokio::task::spawn_blocking(move || sqlite.checkpoint())
                    .await
                    .map_err(|e| StoreError::Task(e.to_string()))?
            }
            Backend::Postgres(_) => Ok(()),
        }
    }

    /// Caps the SQLite database at `pages` pages of 4 KiB (`PRAGMA max_page_count`; never below
    /// what it already has; `None` lifts the cap): past it every write fails as on a full disk.
    /// For tests of a full disk; nothing on PostgreSQL.
    #[doc(hidden)]
    pub async fn cap_pages_for_tests(&self, pages: Option<u64>) -> Result<(), StoreError> {
        match &self.backend {
            Backend::Sqlite(sqlite) => {
                let sqlite = Arc::clone(sqlite);
                tokio::task::spawn_blocking(move || {
                    sqlite.cap_pages(pages.unwrap_or(u64::from(u32::MAX - 1)))
                })
                .await
                .map_err(|e| StoreError::Task(e.to_string()))?
            }
            Backend::Postgres(_) => Ok(()),
        }
    }

    /// Writes through to the disk and back: `Ok` when the database can take writes (after a
    /// full disk, once there is space again).
    pub async fn try_write(&self) -> Result<(), StoreError> {
        match &self.backend {
            Backend::Sqlite(sqlite) => {
                let sqlite = Arc::clone(sqlite);
                tokio::task::spawn_blocking(move || sqlite.try_write())
                    .await
                    .map_err(|e| StoreError::Task(e.to_string()))?
            }
            Backend::Postgres(postgres) => postgres.try_write().await,
        }
    }

    /// The reference and fingerprint of `id`, if it is stored (also after its answers were
    /// cleared).
    pub async fn find(&self, id: ReportId) -> Result<Option<Known>, StoreError> {
        with_sql!(self, read, |sql| queries::intake::find(sql, id).await)
    }

    /// How many reports are stored.
    pub async fn count(&self) -> Result<u64, StoreError> {
        with_sql!(self, read, |sql| queries::intake::count(sql).await)
    }

    /// Claims due deliveries to `claim.destinations`: pending, due by now, and not held by an
    /// unexpired lease. Oldest first.
    pub async fn claim_due(&self, claim: Claim) -> Result<Vec<Delivery>, StoreError> {
        with_sql!(self, write, |sql| queries::outbox::claim_due(sql, &claim)
            .await)
    }

    /// Records that the destination accepted the delivery. Returns false when the lease was
    /// lost (another forwarder took the row after it expired), so nothing was recorded.
    pub async fn mark_delivered(
        &self,
        delivery: &Delivery,
        now_ms: i64,
    ) -> Result<bool, StoreError> {
        let delivery = delivery.clone();
        with_sql!(self, write, |sql| queries::outbox::finish(
            sql,
            &delivery,
            Finish::Delivered { now_ms }
        )
        .await)
    }

    /// Records a temporary failure: the delivery is due again at `retry_at_ms`.
    pub async fn mark_retry(
        &self,
        delivery: &Delivery,
        retry_at_ms: i64,
        error: &str,
    ) -> Result<bool, StoreError> {
        let (delivery, error) = (delivery.clone(), error.to_owned());
        with_sql!(self, write, |sql| queries::outbox::finish(
            sql,
            &delivery,
            Finish::Retry {
                at_ms: retry_at_ms,
                error: &error
            }
        )
        .await)
    }

    /// Records a permanent failure: the delivery is parked until an operator retries it. With
    /// `alert_at_ms`, the team is alerted about the report from then ([`Alert::HeldBack`], once
    /// per report), in the same transaction.
    pub async fn mark_parked(
        &self,
        delivery: &Delivery,
        error: &str,
        alert_at_ms: Option<i64>,
    ) -> Result<bool, StoreError> {
        let (delivery, error) = (delivery.clone(), error.to_owned());
        with_sql!(self, write, |sql| queries::outbox::finish(
            sql,
            &delivery,
            Finish::Parked {
                error: &error,
                alert_at_ms
            }
        )
        .await)
    }

    /// Alerts the team ([`Alert::Unacknowledged`], due at `now_ms`) about each report received
    /// between `received_after_ms` and `received_by_ms` that nobody has acknowledged or closed,
    /// once per report whoever asks. Returns how many alerts were added.
    pub async fn raise_unacknowledged(
        &self,
        received_after_ms: i64,
        received_by_ms: i64,
        now_ms: i64,
    ) -> Result<u64, StoreError> {
        with_sql!(self, write, |sql| queries::outbox::raise_unacknowledged(
            sql,
            received_after_ms,
            received_by_ms,
            now_ms
        )
        .await)
    }

    /// Extends the delivery's lease to `until_ms` while a slow delivery is still talking to its
    /// destination. Returns false when the lease was lost (nothing changed).
    pub async fn renew_lease(
        &self,
        delivery: &Delivery,
        until_ms: i64,
    ) -> Result<bool, StoreError> {
        let delivery = delivery.clone();
        with_sql!(self, write, |sql| queries::outbox::renew_lease(
            sql, &delivery, until_ms
        )
        .await)
    }

    /// Frees every lease `holder` took (lease tokens `holder:…`): a restarted instance has no
    /// delivery in progress, so its own unfinished ones are due at once rather than when their
    /// leases run out. Other holders' leases are left alone. Returns how many were freed.
    pub async fn release_leases(&self, holder: &str) -> Result<u64, StoreError> {
        let holder = holder.to_owned();
        with_sql!(self, write, |sql| queries::outbox::release_leases(
            sql, &holder
        )
        .await)
    }

    /// Makes every parked delivery due at `now_ms` (after the configuration was fixed). Returns
    /// how many there were.
    pub async fn retry_parked(&self, now_ms: i64) -> Result<u64, StoreError> {
        with_sql!(self, write, |sql| queries::outbox::retry_parked(
            sql, now_ms
        )
        .await)
    }

    /// Removes the answers (names, emails, phone numbers, descriptions), the searched text and the
    /// team's notes (the closing note and the running ones) of
    /// every report whose deliveries have all been accepted, the last of them before
    /// `before_ms`: the time kept counts from when the report was passed on, not received. Its id,
    /// reference, fingerprint, team state and audit trail stay, so a late repeat from a phone still gets the same reference. Returns how
    /// many reports were cleared.
    pub async fn clear_delivered(&self, before_ms: i64) -> Result<u64, StoreError> {
        with_sql!(self, write, |sql| queries::outbox::clear_delivered(
            sql, before_ms
        )
        .await)
    }

    /// Writes a consistent copy of the SQLite database to `to` (a new file, private to this
    /// user) while the server keeps running. PostgreSQL has its own tools for this.
    pub async fn back_up(&self, to: &Path) -> Result<(), StoreError> {
        let to = to.to_owned();
        match &self.backend {
            Backend::Sqlite(sqlite) => {
                let sqlite = Arc::clone(sqlite);
                tokio::task::spawn_blocking(move || sqlite.back_up(&to))
                    .await
                    .map_err(|e| StoreError::Task(e.to_string()))?
            }
            Backend::Postgres(_) => Err(StoreError::Io(
                "a PostgreSQL database is backed up with pg_dump, not by this server".to_owned(),
            )),
        }
    }

    /// How far forwarding has got.
    pub async fn backlog(&self) -> Result<Backlog, StoreError> {
        with_sql!(self, read, |sql| queries::outbox::backlog(sql).await)
    }

    /// What the person who made report `id` may know of it, if it is stored.
    pub async fn status(&self, id: ReportId) -> Result<Option<Progress>, StoreError> {
        with_sql!(self, read, |sql| queries::team::status(sql, id).await)
    }

    /// The newest reports `filter` finds, older than report number `before` if given (a
    /// page's `older`): at most `limit`. Pages hold still as new reports arrive.
    pub async fn list(
        &self,
        filter: &ReportFilter,
        before: Option<i64>,
        limit: u32,
    ) -> Result<ReportPage, StoreError> {
        let filter = filter.clone();
        with_sql!(self, read, |sql| queries::team::list(
            sql, &filter, before, limit
        )
        .await)
    }

    /// How many reports `filter` finds in each state (whatever state it names).
    pub async fn counts(&self, filter: &ReportFilter) -> Result<StateCounts, StoreError> {
        let filter = filter.clone();
        with_sql!(self, read, |sql| queries::team::counts(sql, &filter).await)
    }

    /// Everything the team may see of the report with `reference`: answers, deliveries and the
    /// audit trail.
    pub async fn team_report(&self, reference: &str) -> Result<Option<TeamReport>, StoreError> {
        let reference = reference.to_owned();
        with_sql!(self, read, |sql| queries::team::team_report(
            sql, &reference
        )
        .await)
    }

    /// Acknowledges the report with `reference` unless it already was (or was closed), and
    /// writes an audit row either way, in one transaction: two people at once give one
    /// acknowledgement and two rows.
    pub async fn acknowledge(
        &self,
        reference: &str,
        actor: &Actor,
        now_ms: i64,
    ) -> Result<Changed, StoreError> {
        let (reference, actor) = (reference.to_owned(), actor.clone());
        with_sql!(self, write, |sql| queries::team::change_state(
            sql,
            &reference,
            &actor,
            now_ms,
            StateChange::acknowledge(&actor, now_ms)
        )
        .await)
    }

    /// Closes the report with `reference` with an outcome and an internal note (acknowledging it
    /// too if nobody had), unless it already was; writes an audit row either way.
    pub async fn close(
        &self,
        reference: &str,
        outcome: Outcome,
        note: &str,
        actor: &Actor,
        now_ms: i64,
    ) -> Result<Changed, StoreError> {
        let (reference, outcome, note, actor) = (
            reference.to_owned(),
            outcome.to_string(),
            note.to_owned(),
            actor.clone(),
        );
        with_sql!(self, write, |sql| queries::team::change_state(
            sql,
            &reference,
            &actor,
            now_ms,
            StateChange::close(&actor, now_ms, &outcome, &note)
        )
        .await)
    }

    /// Gives the report with `reference` to `owner` (an email address; nobody for `None`), and
    /// writes an audit row naming the new owner.
    pub async fn take(
        &self,
        reference: &str,
        owner: Option<&str>,
        actor: &Actor,
        now_ms: i64,
    ) -> Result<Changed, StoreError> {
        let (reference, owner, actor) = (
            reference.to_owned(),
            owner.map(str::to_owned),
            actor.clone(),
        );
        with_sql!(self, write, |sql| queries::team::change_state(
            sql,
            &reference,
            &actor,
            now_ms,
            StateChange::take(owner.as_deref())
        )
        .await)
    }

    /// Opens the closed report with `reference` again (it stays acknowledged), and writes an
    /// audit row either way. `Changed::Already` when it was not closed.
    pub async fn reopen(
        &self,
        reference: &str,
        actor: &Actor,
        now_ms: i64,
    ) -> Result<Changed, StoreError> {
        let (reference, actor) = (reference.to_owned(), actor.clone());
        with_sql!(self, write, |sql| queries::team::change_state(
            sql,
            &reference,
            &actor,
            now_ms,
            StateChange::reopen()
        )
        .await)
    }

    /// What the counts page counts of every report received from `from_ms` on, oldest first:
    /// when, what happened, the outcome and when it was acknowledged and closed.
    pub async fn counted(&self, from_ms: i64) -> Result<Vec<Counted>, StoreError> {
        with_sql!(self, read, |sql| queries::team::counted(sql, from_ms).await)
    }

    /// Erases the personal details of the report with `reference` (its answers, the team's
    /// notes and closing note), giving `reason` in the audit row; its reference, kinds, times,
    /// states and outcome stay. `Changed::Already` when they were already removed.
    pub async fn erase(
        &self,
        reference: &str,
        reason: &str,
        actor: &Actor,
        now_ms: i64,
    ) -> Result<Changed, StoreError> {
        let (reference, reason, actor) = (reference.to_owned(), reason.to_owned(), actor.clone());
        with_sql!(self, write, |sql| queries::team::erase(
            sql, &reference, &reason, &actor, now_ms
        )
        .await)
    }

    /// Adds a note to the report with `reference`, with who wrote it and when; the audit row
    /// says a note was added, not what it says.
    pub async fn add_note(
        &self,
        reference: &str,
        text: &str,
        actor: &Actor,
        now_ms: i64,
    ) -> Result<Changed, StoreError> {
        let (reference, text, actor) = (reference.to_owned(), text.to_owned(), actor.clone());
        with_sql!(self, write, |sql| queries::team::add_note(
            sql, &reference, &text, &actor, now_ms
        )
        .await)
    }

    /// Makes the held-back deliveries of the report with `reference` due at `now_ms`, and
    /// writes an audit row. `Changed::Already` when none was held back.
    pub async fn retry_delivery(
        &self,
        reference: &str,
        actor: &Actor,
        now_ms: i64,
    ) -> Result<Changed, StoreError> {
        let (reference, actor) = (reference.to_owned(), actor.clone());
        with_sql!(self, write, |sql| queries::team::retry_delivery(
            sql, &reference, &actor, now_ms
        )
        .await)
    }

    /// Appends a row to the audit trail, chained to the row before it.
    pub async fn record(&self, entry: &AuditEntry) -> Result<(), StoreError> {
        let entry = entry.clone();
        with_sql!(self, write, |sql| queries::team::record(sql, &entry).await)
    }

    /// Walks the whole audit trail in order, a page at a time, and recomputes each row's chain:
    /// [`AuditCheck::ChangedAt`] names the first row that does not follow the one before it (a
    /// row changed or slipped in, or the row before it removed). Rows removed from the newest
    /// end leave a trail that still follows: with the high-water mark kept, each walk's count is
    /// kept in it, and a walk that finds fewer is [`AuditCheck::Shortened`].
    pub async fn check_audit_trail(&self) -> Result<AuditCheck, StoreError> {
        // A page per call: on SQLite the server goes on writing between pages; rows written
        // meanwhile (by any instance) come after the walk, their seqs drawn in turn.
        let mut walk = AuditWalk::default();
        let walked = loop {
            let from = walk.from();
            let page = with_sql!(self, read, |sql| queries::team::audit_page(sql, from).await)?;
            if let Some(found) = walk.check(&page) {
                break found;
            }
        };
        let (AuditCheck::Intact { rows }, Some(water)) = (walked, &self.high_water) else {
            return Ok(walked);
        };
        let water = Arc::clone(water);
        let found = i64::try_from(rows).unwrap_or(i64::MAX);
        let seen = tokio::task::spawn_blocking(move || water.record_audit(found))
            .await
            .map_err(|e| StoreError::Task(e.to_string()))??;
        Ok(if found < seen {
            AuditCheck::Shortened {
                rows,
                seen: u64::try_from(seen).unwrap_or(0),
            }
        } else {
            walked
        })
    }

    /// Stores a new session.
    pub async fn begin_session(&self, session: &Session) -> Result<(), StoreError> {
        let session = session.clone();
        with_sql!(self, write, |sql| queries::sessions::begin_session(
            sql, &session
        )
        .await)
    }

    /// The session whose token hashes to `token_hash`, marked as seen at `now_ms`, unless it
    /// has been idle for `idle_after_ms` or began `absolute_ms` ago.
    pub async fn touch_session(
        &self,
        token_hash: &str,
        now_ms: i64,
        idle_after_ms: i64,
        absolute_ms: i64,
    ) -> Result<Option<Session>, StoreError> {
        let token_hash = token_hash.to_owned();
        with_sql!(self, write, |sql| queries::sessions::touch_session(
            sql,
            &token_hash,
            now_ms,
            idle_after_ms,
            absolute_ms
        )
        .await)
    }

    /// Ends a session; returns it if it was there.
    pub async fn end_session(&self, token_hash: &str) -> Result<Option<Session>, StoreError> {
        let token_hash = token_hash.to_owned();
        with_sql!(self, write, |sql| queries::sessions::end_session(
            sql,
            &token_hash
        )
        .await)
    }

    /// Removes sessions past their limits and sign-ins never finished. Returns how many.
    pub async fn forget_sessions(
        &self,
        now_ms: i64,
        idle_after_ms: i64,
        absolute_ms: i64,
    ) -> Result<u64, StoreError> {
        with_sql!(self, write, |sql| queries::sessions::forget_sessions(
            sql,
            now_ms,
            idle_after_ms,
            absolute_ms
        )
        .await)
    }

    /// Remembers a sign-in sent to the identity provider. At most [`MAX_PENDING_SIGN_INS`] are
    /// kept: in the same transaction, beyond that the oldest unfinished one of whoever began the
    /// most is ended, so a flood of sign-ins begun and never finished ends its own instead of
    /// growing the table or ending a team member's one sign-in.
    pub async fn begin_sign_in(&self, sign_in: &PendingSignIn) -> Result<(), StoreError> {
        let sign_in = sign_in.clone();
        with_sql!(self, write, |sql| queries::sessions::begin_sign_in(
            sql, &sign_in
        )
        .await)
    }

    /// Takes (once) the sign-in sent with `state`, unless it is older than
    /// [`SIGN_IN_LIMIT_MS`].
    pub async fn take_sign_in(
        &self,
        state: &str,
        now_ms: i64,
    ) -> Result<Option<PendingSignIn>, StoreError> {
        let state = state.to_owned();
        with_sql!(self, write, |sql| queries::sessions::take_sign_in(
            sql, &state, now_ms
        )
        .await)
    }
}
