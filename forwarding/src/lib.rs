//! Forwards stored incident reports to the people who act on them, once.
//!
//! The intake stores each new report with one delivery row per configured destination in the same
//! transaction (`report-store`'s outbox). [`Forwarder::run`] claims due rows under a lease,
//! delivers each, and records the outcome only after the destination answered:
//! - accepted: delivered, never sent again;
//! - a temporary failure (no connection, a timeout, SMTP 4xx, HTTP 5xx, 408 or 429): due again
//!   after a capped exponential backoff with jitter (or the destination's `Retry-After`);
//! - a permanent failure (SMTP 5xx, other HTTP 4xx, an unreadable row): parked with the reason
//!   until the server restarts (an operator fixes the configuration and restarts it) or someone
//!   in the team presses "Retry delivery".
//!
//! Delivery is at least once: a crash between the destination's acceptance and the record sends
//! the message again. Every message carries the same identity each time (the email's
//! `Message-ID`, the webhook's `webhook-id`, the Maildir file name), derived from the report
//! id, so receivers drop the repeat.
//!
//! The team can be alerted too ([`alert`]): when a delivery is held back, and when nobody has
//! acknowledged a report in time. Alerts are rows of the same outbox, raised once per report and
//! kind (in the transaction that holds the delivery back, or by a sweep every minute on each
//! instance), and sent like reports.
//!
//! - [`message`]: a stored report as an email and as a JSON document.
//! - [`alert`]: an alert to the team as an email.
//! - [`maildir`], [`smtp`], [`webhook`]: the destinations.

pub mod alert;
pub mod maildir;
pub mod message;
pub mod smtp;
pub mod webhook;

use std::sync::Arc;
use std::time::Duration;

use clock::SharedClock;
use incident_report::RetryPolicy;
use report_store::{Alert, Claim, Delivery, ReportStore};
use strum::IntoEnumIterator as _;
use tokio::sync::Notify;

use crate::alert::Alerts;
use crate::message::{Envelope, ForwardedReport};

/// Why a delivery did not go through.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Failure {
    /// Worth trying again: the destination may accept it later.
    #[error("{reason}")]
    Temporary {
        /// What happened (never the report's contents).
        reason: String,
        /// How long the destination asked us to wait, if it did.
        retry_after: Option<Duration>,
    },
    /// Trying again cannot help until the configuration (or the destination) changes.
    #[error("{reason}")]
    Permanent {
        /// What happened (never the report's contents).
        reason: String,
    },
}

impl Failure {
    /// A temporary failure without a requested wait.
    pub fn temporary(reason: impl Into<String>) -> Self {
        Self::Temporary {
            reason: reason.into(),
            retry_after: None,
        }
    }

    /// A permanent failure.
    pub fn permanent(reason: impl Into<String>) -> Self {
        Self::Permanent {
            reason: reason.into(),
        }
    }

    /// Whether retrying cannot help.
    pub fn is_permanent(&self) -> bool {
        matches!(self, Self::Permanent { .. })
    }
}

/// Where reports go.
#[derive(Debug)]
pub enum Destination {
    /// `.eml` files in a Maildir on this machine.
    Maildir(maildir::Maildir),
    /// An SMTP server (the incident mailbox).
    Smtp(smtp::Smtp),
    /// A signed HTTP POST (the service desk's tools).
    Webhook(webhook::Webhook),
}

impl Destination {
    /// Its name in the delivery rows.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Maildir(_) => "maildir",
            Self::Smtp(_) => "smtp",
            Self::Webhook(_) => "webhook",
        }
    }

    async fn deliver(&self, report: &ForwardedReport, envelope: &Envelope) -> Result<(), Failure> {
        match self {
            Self::Maildir(maildir) => maildir.deliver(report, &report.email(envelope)?).await,
            Self::Smtp(smtp) => smtp.deliver(report.email(envelope)?).await,
            Self::Webhook(webhook) => webhook.deliver(report).await,
        }
    }
}

/// How the forwarder works: its destinations and timings.
#[derive(Debug)]
pub struct Settings {
    /// Where reports go (each at most once in this list).
    pub destinations: Vec<Destination>,
    /// The email's sender and recipient (Maildir and SMTP).
    pub envelope: Envelope,
    /// How long a claim holds a row; longer than any one delivery can take.
    pub lease: Duration,
    /// When to try again after a temporary failure.
    pub retry: RetryPolicy,
    /// How often to look for due rows when nothing wakes the forwarder sooner.
    pub poll: Duration,
    /// Names this instance in its lease tokens (`holder:random`), so that when it starts again
    /// it frees the leases it held before and resends those deliveries at once. Unique per
    /// instance sharing a database: the server keeps one in its data directory.
    pub holder: String,
    /// The application's clock: claims, leases and retry times are read from it.
    pub clock: SharedClock,
    /// This service's address when the team's view is on: each copy then links to the report
    /// there.
    pub team_view: Option<String>,
    /// Where alerts to the team go, if anywhere (sent through the mail destination).
    pub alerts: Option<Alerts>,
    /// Told of every attempt's outcome, for metrics.
    pub observer: Option<Observer>,
}

/// Told of each delivery attempt: the destination's name (an alert's is `alert:…`) and the
/// outcome (`delivered`, `retry` or `held_back`).
#[derive(Clone)]
pub struct Observer(pub Arc<Observe>);

/// What an [`Observer`] calls: `(destination, outcome)`.
pub type Observe = dyn Fn(&str, &str) + Send + Sync;

impl std::fmt::Debug for Observer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Observer")
    }
}

impl Settings {
    /// The defaults with these destinations: a 60 s lease (a delivery's limits are 10 s to
    /// connect and 10 s to answer), retries from 2 s doubling to 10 minutes, a look every second.
    pub fn new(destinations: Vec<Destination>, envelope: Envelope) -> Self {
        Self {
            destinations,
            envelope,
            lease: DEFAULT_LEASE,
            retry: RetryPolicy {
                base: Duration::from_secs(2),
                cap: Duration::from_secs(600),
            },
            poll: Duration::from_secs(1),
            holder: lease_token(getrandom::fill)
                .unwrap_or_else(|_| format!("process-{}", std::process::id())),
            clock: clock::SystemClock::shared(),
            team_view: None,
            alerts: None,
            observer: None,
        }
    }

    /// The destination names, as the intake writes them in delivery rows.
    pub fn names(&self) -> Vec<String> {
        self.destinations
            .iter()
            .map(|d| d.name().to_owned())
            .collect()
    }

    /// The destination alerts are sent through: SMTP if there is one, else the Maildir.
    pub fn mail(&self) -> Option<&Destination> {
        let find = |name| self.destinations.iter().find(|d| d.name() == name);
        find("smtp").or_else(|| find("maildir"))
    }

    /// Whether alerts are sent: an address for them, and a mail destination to send them by.
    pub fn alerting(&self) -> bool {
        self.alerts.is_some() && self.mail().is_some()
    }

    /// The names of the rows this forwarder claims: its destinations', and the alerts' when it
    /// sends them.
    fn claimed_names(&self) -> Vec<String> {
        let mut names = self.names();
        if self.alerting() {
            names.extend(Alert::iter().map(Alert::destination));
        }
        names
    }
}

/// Delivers what the store says is due, until told to stop.
#[derive(Debug, Clone)]
pub struct Forwarder {
    store: ReportStore,
    settings: Arc<Settings>,
    wake: Arc<Notify>,
}

/// How long a claim holds a row unless the settings say otherwise: longer than one delivery's
/// limits (10 s to connect, 10 s to answer), and renewed while a delivery runs.
pub const DEFAULT_LEASE: Duration = Duration::from_secs(60);

/// How often each instance looks for reports nobody has acknowledged in time.
const SWEEP_EVERY: Duration = Duration::from_secs(60);

/// The most rows one claim takes.
const CLAIM_LIMIT: u32 = 16;

/// The most deliveries in progress at once in [`Forwarder::run`].
pub const CONCURRENT: usize = 16;

/// The longest `Retry-After` honoured: a destination cannot hold a report back for days.
const LONGEST_RETRY_AFTER: Duration = Duration::from_secs(3600);

impl Forwarder {
    /// A forwarder for `store`. The intake calls [`Forwarder::wake`] after storing a new report,
    /// so it is forwarded at once rather than at the next poll.
    pub fn new(store: ReportStore, settings: Settings) -> Self {
        Self {
            store,
            settings: Arc::new(settings),
            wake: Arc::new(Notify::new()),
        }
    }

    /// The names of its destinations, as the intake writes them in delivery rows.
    pub fn destination_names(&self) -> Vec<String> {
        self.settings.names()
    }

    /// The clock it reads.
    pub fn clock(&self) -> &SharedClock {
        &self.settings.clock
    }

    /// The time now by the application's clock, in milliseconds since the Unix epoch.
    fn now_ms(&self) -> i64 {
        self.settings.clock.now_ms()
    }

    /// Tells the forwarder new work is due.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Runs until `stop` resolves: claims due rows whenever a delivery slot is free (at most
    /// [`CONCURRENT`] deliveries at once), so one slow destination never holds up reports that
    /// arrive meanwhile. When stopped, it lets deliveries in progress finish; rows it has not
    /// finished stay leased: another instance takes them when the lease runs out, this one at
    /// once when it starts again.
    pub async fn run(self, stop: impl std::future::Future<Output = ()>) {
        tokio::pin!(stop);
        self.release_own_leases().await;
        let mut running = tokio::task::JoinSet::new();
        let mut sweep = tokio::time::interval(SWEEP_EVERY);
        loop {
            let free = CONCURRENT.saturating_sub(running.len());
            let claimed = if free == 0 {
                Vec::new()
            } else {
                self.claim(u32::try_from(free).unwrap_or(CLAIM_LIMIT)).await
            };
            let more = !claimed.is_empty();
            self.start_deliveries(&mut running, claimed);
            tokio::select! {
                biased;
                () = &mut stop => break,
                // A full batch may mean more are due: look again at once.
                () = std::future::ready(()), if more && running.len() < CONCURRENT => {}
                Some(_) = running.join_next(), if !running.is_empty() => {}
                () = self.wake.notified() => {}
                _ = sweep.tick() => self.raise_unacknowledged().await,
                () = tokio::time::sleep(self.settings.poll) => {}
            }
        }
        while running.join_next().await.is_some() {}
    }

    /// Alerts the team about each report nobody has acknowledged in the time set (received
    /// within [`alert::LOOK_BACK`] before that), once per report whichever instance asks first.
    pub async fn raise_unacknowledged(&self) {
        let Some(alerts) = self
            .settings
            .alerts
            .as_ref()
            .filter(|_| self.settings.alerting())
        else {
            return;
        };
        let now = self.now_ms();
        let ms = |duration: Duration| i64::try_from(duration.as_millis()).unwrap_or(i64::MAX);
        let by = now.saturating_sub(ms(alerts.acknowledge_within));
        match self
            .store
            .raise_unacknowledged(by.saturating_sub(ms(alert::LOOK_BACK)), by, now)
            .await
        {
            Ok(0) => {}
            Ok(raised) => {
                tracing::info!(
                    raised,
                    "reports not acknowledged in time: the team is alerted"
                );
                self.wake();
            }
            Err(error) => tracing::error!(%error, "could not look for unacknowledged reports"),
        }
    }

    /// Frees the leases this instance held before it (re)started: nothing of its own is in
    /// progress now, so those deliveries are due at once rather than when the leases run out.
    pub async fn release_own_leases(&self) {
        match self.store.release_leases(&self.settings.holder).await {
            Ok(0) => {}
            Ok(freed) => tracing::info!(
                freed,
                "deliveries left unfinished at the last stop are due again"
            ),
            Err(error) => tracing::error!(%error, "could not free this instance's old leases"),
        }
    }

    /// Claims up to `limit` due rows under a new lease; none if the database cannot be read.
    async fn claim(&self, limit: u32) -> Vec<Delivery> {
        let claim = Claim {
            destinations: self.settings.claimed_names(),
            now_ms: self.now_ms(),
            lease_ms: i64::try_from(self.settings.lease.as_millis()).unwrap_or(i64::MAX),
            lease: match lease_token(getrandom::fill) {
                Ok(token) => format!("{}:{token}", self.settings.holder),
                Err(error) => {
                    // A predictable token would let two claims hold one row: claim nothing.
                    tracing::error!(%error, "no randomness for a lease token; nothing claimed");
                    return Vec::new();
                }
            },
            limit,
        };
        self.store.claim_due(claim).await.unwrap_or_else(|error| {
            tracing::error!(%error, "could not claim deliveries");
            Vec::new()
        })
    }

    /// Claims one batch, delivers it and waits for every outcome to be recorded. Returns
    /// whether there was anything to do. (For tests and tools; the server uses [`Self::run`].)
    pub async fn run_once(&self) -> bool {
        let claimed = self.claim(CLAIM_LIMIT).await;
        let worked = !claimed.is_empty();
        let mut deliveries = tokio::task::JoinSet::new();
        self.start_deliveries(&mut deliveries, claimed);
        while deliveries.join_next().await.is_some() {}
        worked
    }

    /// Runs `work` while keeping `delivery`'s lease, renewed every third of it, so that a slow
    /// destination is never sent a second copy by a claim made while the first is still talking.
    /// When the lease is lost, or no renewal has gone through for two thirds of it, the work is
    /// dropped (`None`) before anyone else can take the row.
    async fn holding_lease<T>(
        &self,
        delivery: &Delivery,
        work: impl std::future::Future<Output = T>,
    ) -> Option<T> {
        let lease = self.settings.lease;
        let lease_ms = i64::try_from(lease.as_millis()).unwrap_or(i64::MAX);
        let every = lease / 3;
        let mut held_since = std::time::Instant::now();
        tokio::pin!(work);
        loop {
            tokio::select! {
                done = &mut work => return Some(done),
                () = tokio::time::sleep(every) => {
                    match self.store.renew_lease(delivery, self.now_ms().saturating_add(lease_ms)).await {
                        Ok(true) => held_since = std::time::Instant::now(),
                        Ok(false) => return None,
                        Err(error) => {
                            tracing::error!(%error, "could not renew a delivery's lease");
                            if held_since.elapsed() >= every * 2 {
                                return None;
                            }
                        }
                    }
                }
            }
        }
    }

    /// Delivers each of `claimed` in a task of its own in `running`.
    fn start_deliveries(&self, running: &mut tokio::task::JoinSet<()>, claimed: Vec<Delivery>) {
        for delivery in claimed {
            let forwarder = self.clone();
            running.spawn(async move { forwarder.deliver(delivery).await });
        }
    }

    /// Sends `delivery`: a report to its destination, or an alert to the team.
    async fn send(&self, delivery: &Delivery) -> Option<Result<(), Failure>> {
        if let Some(alert) = Alert::of_destination(&delivery.destination) {
            let alerts = self.settings.alerts.as_ref()?;
            let mail = self.settings.mail()?;
            let message = alert::email(
                alert,
                delivery,
                &self.settings.envelope,
                alerts,
                self.settings.team_view.as_deref(),
            );
            return Some(match (message, mail) {
                (Err(failure), _) => Err(failure),
                (Ok(message), Destination::Smtp(smtp)) => smtp.deliver(message).await,
                (Ok(message), Destination::Maildir(maildir)) => {
                    alert::to_maildir(maildir, alert, delivery, &message).await
                }
                (Ok(_), Destination::Webhook(_)) => {
                    Err(Failure::permanent("alerts are sent by email only"))
                }
            });
        }
        let destination = self
            .settings
            .destinations
            .iter()
            .find(|d| d.name() == delivery.destination)?;
        Some(match ForwardedReport::from_delivery(delivery) {
            Ok(report) => {
                let report = report.in_team_view(self.settings.team_view.as_deref());
                destination.deliver(&report, &self.settings.envelope).await
            }
            Err(failure) => Err(failure),
        })
    }

    async fn deliver(&self, delivery: Delivery) {
        let started = std::time::Instant::now();
        let work = self.send(&delivery);
        let Some(result) = self.holding_lease(&delivery, work).await else {
            tracing::warn!(
                report_id = %delivery.report_id, destination = %delivery.destination,
                "delivery abandoned: its lease could not be kept; it is due again when the lease ends"
            );
            return;
        };
        // A row for a destination this instance does not have (another instance's) is left.
        let Some(result) = result else {
            return;
        };
        if let Some(Observer(observe)) = &self.settings.observer {
            let outcome = match &result {
                Ok(()) => "delivered",
                Err(Failure::Temporary { .. }) => "retry",
                Err(Failure::Permanent { .. }) => "held_back",
            };
            observe(&delivery.destination, outcome);
        }
        let attempt = delivery.attempts + 1;
        let elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        let recorded = match &result {
            Ok(()) => {
                tracing::info!(
                    report_id = %delivery.report_id, reference = %delivery.reference,
                    destination = %delivery.destination, attempt, elapsed_ms,
                    outcome = "delivered", "report forwarded"
                );
                self.store.mark_delivered(&delivery, self.now_ms()).await
            }
            Err(Failure::Temporary {
                reason,
                retry_after,
            }) => {
                let asked = retry_after.unwrap_or_default().min(LONGEST_RETRY_AFTER);
                let wait = self.settings.retry.delay(attempt, random_unit()).max(asked);
                tracing::warn!(
                    report_id = %delivery.report_id, reference = %delivery.reference,
                    destination = %delivery.destination, attempt, elapsed_ms,
                    outcome = "retry", retry_in_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX),
                    %reason, "report not forwarded yet"
                );
                let at = self
                    .now_ms()
                    .saturating_add(i64::try_from(wait.as_millis()).unwrap_or(i64::MAX));
                self.store.mark_retry(&delivery, at, reason).await
            }
            Err(Failure::Permanent { reason }) => {
                tracing::error!(
                    report_id = %delivery.report_id, reference = %delivery.reference,
                    destination = %delivery.destination, attempt, elapsed_ms,
                    outcome = "parked", %reason,
                    "report not forwarded: parked until the server restarts with a fixed configuration"
                );
                let alert_at = self.settings.alerting().then(|| self.now_ms());
                self.store.mark_parked(&delivery, reason, alert_at).await
            }
        };
        match recorded {
            Ok(true) => {}
            Ok(false) => tracing::warn!(
                report_id = %delivery.report_id, destination = %delivery.destination,
                "the lease ran out before the outcome was recorded; another forwarder has the row"
            ),
            Err(error) => tracing::error!(
                report_id = %delivery.report_id, destination = %delivery.destination, %error,
                "could not record the delivery's outcome; it will be tried again after the lease"
            ),
        }
    }
}

/// A lease token, unique per claim, from `fill`'s random bytes; its failure is the token's.
fn lease_token(
    fill: impl FnOnce(&mut [u8]) -> Result<(), getrandom::Error>,
) -> Result<String, getrandom::Error> {
    let mut bytes = [0; 16];
    fill(&mut bytes)?;
    Ok(hex::encode(bytes))
}

/// A random number in `0.0..=1.0`, for jitter. Without the system's randomness it is the
/// middle of the range: jitter only spreads retries out, and a fixed one still retries.
fn random_unit() -> f64 {
    let mut bytes = [0; 4];
    match getrandom::fill(&mut bytes) {
        Ok(()) => f64::from(u32::from_le_bytes(bytes)) / f64::from(u32::MAX),
        Err(_) => 0.5,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lease_token_without_randomness_is_an_error_not_zeros() {
        let failed = lease_token(|_| Err(getrandom::Error::UNSUPPORTED));
        assert!(failed.is_err());
        let token = lease_token(getrandom::fill).expect("randomness");
        assert_eq!(token.len(), 32);
        assert_ne!(token, "0".repeat(32));
    }
}
