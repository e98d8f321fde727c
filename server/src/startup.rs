//! The composition root: [`Application::build`] turns a [`Config`] into a server listening on
//! its port, with its report store, forwarder and rate limits wired together, and
//! [`Application::run_until_stopped`] serves until told to stop, then stops every background
//! task it started. `main` and every server test start the server this one way.

use std::future::Future;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use clock::{Clock, SharedClock};
use forwarding::maildir::Maildir;
use forwarding::{Destination, Forwarder};
use report_store::{Actor, AuditAction, AuditEntry, ReportStore, StoreError};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::config::Config;
use crate::fixed::{
    CHECKPOINT_EVERY, CLEAR_DELIVERED_EVERY, FORGET_QUIET_CLIENTS_EVERY, FORGET_SESSIONS_EVERY,
    FORWARDING_STOP,
};
use crate::rate_limit::{Limiter, PerPerson};
use crate::serve::Limits;
use crate::{AppState, reports::Reports};

/// A server ready to serve: bound to its port, its store open, its forwarder set up.
pub struct Application {
    listener: TcpListener,
    address: SocketAddr,
    router: axum::Router,
    limits: Limits,
    reports: Arc<Reports>,
    forwarder: Forwarder,
    limiters: Vec<Limiter>,
    /// The team members' allowance, when the team's view is on.
    people: Option<PerPerson>,
    keep_delivered_ms: Option<i64>,
    /// The Maildirs written to, and how long a write there may take at most (a delivery's
    /// lease): older files left in their `tmp/` are removed.
    maildirs: (Vec<Maildir>, Duration),
    forward_by_itself: bool,
    /// The metrics listener and what it serves, when one is set.
    metrics: Option<(TcpListener, axum::Router)>,
}

impl Application {
    /// Opens the data directory and the report database, sets up forwarding and binds the port.
    /// Deliveries parked under the previous configuration are tried again: a restart is when an
    /// operator has fixed what parked them.
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        Self::build_with_clock(config, clock::SystemClock::shared()).await
    }

    /// [`Self::build`], with every time the server keeps read from `clock` (tests move a
    /// [`clock::ManualClock`] instead of waiting).
    pub async fn build_with_clock(config: Config, clock: SharedClock) -> anyhow::Result<Self> {
        private_dir(&config.data_dir)?;
        app::settings::ServiceSettings::set(app::settings::ServiceSettings {
            recipient: config.recipient_name.clone(),
            keep_delivered_days: config.keep_delivered_days,
        });
        let mut store = open_store(&config).await?;
        keep_high_water(&mut store, &config, clock.as_ref()).await?;
        let mut settings = config.forwarding.settings(&config.data_dir)?;
        settings.holder = instance_name(&config.data_dir)?;
        settings.clock = Arc::clone(&clock);
        let team = config.team.settings()?;
        settings.team_view = team.as_ref().map(|team| team.public_url.clone());
        settings.alerts = config.team.alerts()?;
        anyhow::ensure!(
            settings.alerts.is_none() || settings.alerting(),
            "--team-alert-to needs an email destination to send alerts by (SMTP or the Maildir)"
        );
        let metrics = Arc::new(crate::metrics::Metrics::default());
        settings.observer = Some(forwarding::Observer(Arc::new({
            let metrics = Arc::clone(&metrics);
            move |destination: &str, outcome: &str| metrics.delivery(destination, outcome)
        })));
        let parked = store
            .retry_parked(clock.now_ms())
            .await
            .context("could not read the deliveries")?;
        tracing::info!(
            destinations = ?settings.names(),
            parked_retried = parked,
            "forwarding reports"
        );
        let maildirs = settings
            .destinations
            .iter()
            .filter_map(|destination| match destination {
                Destination::Maildir(maildir) => Some(maildir.clone()),
                _ => None,
            })
            .collect();
        let maildirs = (maildirs, settings.lease);
        let forwarder = Forwarder::new(store.clone(), settings);
        let limiter = config.protection.limiter();
        let build_id = crate::build_id()
            .context("could not read this server's executable to name its build")?;
        let mut state = AppState::new(config.leptos_options()?, &build_id, store)?
            .with_forwarder(forwarder.clone())
            .with_limiter(limiter);
        state.metrics = Arc::clone(&metrics);
        if let Some(team) = team {
            tracing::info!(issuer = %team.issuer, "the team's view is on");
            state = state.with_team(crate::team::sign_in::Provider::new(team)?);
        }
        // A trail changed while the server was stopped is said at once, not at the first view.
        crate::team::log_trail_check(state.reports.store().check_audit_trail().await);
        let reports = Arc::clone(&state.reports);
        let mut limiters = vec![state.limiter.clone(), state.status_limiter.clone()];
        limiters.extend(state.team.as_ref().map(|team| team.limiter().clone()));
        let people = state.team.as_ref().map(|team| team.work_limiter().clone());

        let listener = TcpListener::bind(SocketAddr::new(config.bind, config.port))
            .await
            .with_context(|| format!("could not listen on {}:{}", config.bind, config.port))?;
        let address = listener.local_addr()?;
        let metrics = match config.metrics_listen {
            Some(at) => Some((
                TcpListener::bind(at)
                    .await
                    .with_context(|| format!("could not listen for metrics on {at}"))?,
                crate::metrics::router(metrics, Arc::clone(&reports)),
            )),
            None => None,
        };
        Ok(Self {
            listener,
            address,
            router: crate::app(state),
            limits: config.protection.limits(),
            reports,
            forwarder,
            limiters,
            people,
            keep_delivered_ms: (config.keep_delivered_days > 0)
                .then(|| i64::from(config.keep_delivered_days) * 24 * 3_600_000),
            maildirs,
            forward_by_itself: true,
            metrics,
        })
    }

    /// Where the metrics listener listens, if there is one.
    pub fn metrics_address(&self) -> Option<SocketAddr> {
        self.metrics
            .as_ref()
            .and_then(|(listener, _)| listener.local_addr().ok())
    }

    /// Where the server listens (with the port picked when the configuration said 0).
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// The report database.
    pub fn store(&self) -> &ReportStore {
        self.reports.store()
    }

    /// The intake, for tests that hold a report in flight.
    pub fn reports(&self) -> Arc<Reports> {
        Arc::clone(&self.reports)
    }

    /// The forwarder, for tests that deliver on demand.
    pub fn forwarder(&self) -> &Forwarder {
        &self.forwarder
    }

    /// The same server, with forwarding that runs only when [`Forwarder::run_once`] is called:
    /// for tests that watch a report before and after its delivery.
    #[must_use]
    pub fn deliver_on_demand(mut self) -> Self {
        self.forward_by_itself = false;
        self
    }

    /// Serves until `shutdown` resolves, with forwarding and the clean-ups running beside it;
    /// then lets requests in progress finish (up to the drain limit) and stops every background
    /// task.
    pub async fn run_until_stopped(self, shutdown: impl Future<Output = ()> + Send + 'static) {
        let (stop, stopped) = watch::channel(());
        let mut tasks = JoinSet::new();
        if let Some((listener, router)) = self.metrics {
            let stopped = until(stopped.clone());
            tasks.spawn(async move {
                if let Err(error) = axum::serve(listener, router)
                    .with_graceful_shutdown(stopped)
                    .await
                {
                    tracing::error!(%error, "the metrics listener stopped");
                }
            });
        }
        if self.forward_by_itself {
            tasks.spawn(self.forwarder.run(until(stopped.clone())));
        }
        if let Some(keep_ms) = self.keep_delivered_ms {
            tasks.spawn(every(CLEAR_DELIVERED_EVERY, stopped.clone(), {
                let reports = Arc::clone(&self.reports);
                move || clear_delivered(Arc::clone(&reports), keep_ms)
            }));
        }
        // At start (an interval's first tick is at once), then with the retention clean-up.
        tasks.spawn(every(CLEAR_DELIVERED_EVERY, stopped.clone(), {
            let (maildirs, older_than) = self.maildirs.clone();
            move || clear_leftovers(maildirs.clone(), older_than)
        }));
        tasks.spawn(every(CHECKPOINT_EVERY, stopped.clone(), {
            let store = self.reports.store().clone();
            move || checkpoint(store.clone())
        }));
        tasks.spawn(every(FORGET_SESSIONS_EVERY, stopped.clone(), {
            let reports = Arc::clone(&self.reports);
            move || forget_sessions(Arc::clone(&reports))
        }));
        tasks.spawn(every(FORGET_QUIET_CLIENTS_EVERY, stopped, {
            let limiters = self.limiters.clone();
            let people = self.people.clone();
            move || {
                limiters.iter().for_each(Limiter::forget_quiet_clients);
                people.iter().for_each(PerPerson::forget_quiet_people);
                std::future::ready(())
            }
        }));
        crate::serve::serve(self.listener, self.router, self.limits, shutdown).await;
        let _ = stop.send(());
        let _ = tokio::time::timeout(FORWARDING_STOP, tasks.join_all()).await;
    }
}

/// Resolves when `stopped` changes (or its sender is gone).
async fn until(mut stopped: watch::Receiver<()>) {
    let _ = stopped.changed().await;
}

/// Runs `work` every `period` until `stopped` changes.
async fn every<F, W>(period: Duration, stopped: watch::Receiver<()>, mut work: W)
where
    W: FnMut() -> F,
    F: Future<Output = ()>,
{
    let mut ticks = tokio::time::interval(period);
    let stop = until(stopped);
    tokio::pin!(stop);
    loop {
        tokio::select! {
            () = &mut stop => return,
            _ = ticks.tick() => work().await,
        }
    }
}

/// Removes the team's sessions past their limits and sign-ins never finished.
async fn forget_sessions(reports: Arc<Reports>) {
    if let Err(error) = reports
        .store()
        .forget_sessions(
            reports.now_ms(),
            crate::fixed::IDLE_MS,
            crate::fixed::ABSOLUTE_MS,
        )
        .await
    {
        tracing::error!(%error, "could not remove ended sessions");
    }
}

/// Removes what writes stopped part-way left in the Maildirs' `tmp/`.
async fn clear_leftovers(maildirs: Vec<Maildir>, older_than: Duration) {
    for maildir in maildirs {
        match maildir.clear_leftovers(older_than).await {
            Ok(0) => {}
            Ok(removed) => tracing::info!(removed, "unfinished Maildir writes removed"),
            Err(error) => tracing::error!(%error, "could not clear the Maildir's tmp folder"),
        }
    }
}

/// Copies the newest writes into the database file.
async fn checkpoint(store: ReportStore) {
    if let Err(error) = store.checkpoint().await {
        tracing::warn!(%error, "could not checkpoint the report database");
    }
}

/// Removes the answers of reports delivered more than `keep_ms` ago.
async fn clear_delivered(reports: Arc<Reports>, keep_ms: i64) {
    match reports
        .store()
        .clear_delivered(reports.now_ms() - keep_ms)
        .await
    {
        Ok(0) => {}
        Ok(cleared) => tracing::info!(cleared, "answers of old delivered reports removed"),
        Err(error) => tracing::error!(%error, "could not remove old answers"),
    }
}

async fn open_store(config: &Config) -> anyhow::Result<ReportStore> {
    if let Some(url) = &config.database {
        return ReportStore::open_postgres(url)
            .await
            .context("could not open the PostgreSQL report database");
    }
    let database = config.sqlite_path();
    ReportStore::open_sqlite(&database)
        .with_context(|| format!("could not open the report database {}", database.display()))
}

/// Checks the report database against the high-water mark in the data directory, and keeps the
/// mark from now on. A database that has lost reports stops the start with what to do, unless
/// the operator chose to start on it (then that choice is logged and audited).
async fn keep_high_water(
    store: &mut ReportStore,
    config: &Config,
    clock: &dyn Clock,
) -> anyhow::Result<()> {
    let path = config.high_water_path();
    let used_before = has_mail(&config.maildir_path());
    let checked = store
        .keep_high_water(&path, used_before, config.start_despite_lost_reports)
        .await;
    let check = match checked {
        Ok(check) => check,
        Err(lost @ (StoreError::LostHistory { .. } | StoreError::HighWaterDamaged { .. })) => {
            anyhow::bail!(
                "{lost}. The server has not started, and nothing was changed.\n{}",
                restore_advice(config)
            );
        }
        Err(error) => {
            return Err(error).with_context(|| {
                format!(
                    "could not check the report database against its high-water mark {}",
                    path.display()
                )
            });
        }
    };
    let database = check.database;
    if !check.started_behind {
        tracing::info!(
            reports = database.count,
            highest = database.seq,
            "the report database holds every report this server has stored"
        );
        return Ok(());
    }
    let mark = check.before.unwrap_or_default();
    let detail = format!(
        "the database held {} reports up to number {}; the mark said {} up to number {}",
        database.count, database.seq, mark.count, mark.seq
    );
    tracing::warn!(
        database_reports = database.count,
        database_highest = database.seq,
        mark_reports = mark.count,
        mark_highest = mark.seq,
        "started, by the operator's choice (--start-despite-lost-reports), on a report database \
         that has lost reports: new references start above every one given before"
    );
    store
        .record(&AuditEntry {
            at_ms: clock.now_ms(),
            actor: Actor {
                who: "the server's operator".to_owned(),
                address: "this machine".to_owned(),
            },
            action: AuditAction::StartedDespiteLostReports,
            report: None,
            detail: Some(detail),
        })
        .await
        .context("could not write the choice to start on lost reports to the audit trail")
}

/// What an operator does about a database that has lost reports.
fn restore_advice(config: &Config) -> String {
    let restore = if config.database.is_some() {
        "restore the newest backup of the PostgreSQL database (pg_dump)".to_owned()
    } else {
        format!(
            "stop the server and put the newest backup (made by `lost-device backup PATH`) in \
             place of {}, removing the -wal and -shm files beside it",
            config.sqlite_path().display()
        )
    };
    format!(
        "To recover: {restore}, then start again. If it is still refused, the reports stored \
         after that backup are only where they were forwarded to (the incident mailbox) and \
         cannot be brought back here: start with --start-despite-lost-reports, and the server \
         gives new references above every one it gave before and writes that choice to the log \
         and the audit trail."
    )
}

/// Whether the Maildir holds any forwarded report (in `new/` or, once read, `cur/`): a sign that
/// reports were stored in this data directory.
fn has_mail(maildir: &Path) -> bool {
    ["new", "cur"].iter().any(|sub| {
        std::fs::read_dir(maildir.join(sub)).is_ok_and(|mut entries| entries.next().is_some())
    })
}

/// Creates the data directory, or makes an existing one private to this user: it holds the
/// reports.
fn private_dir(path: &Path) -> anyhow::Result<()> {
    use std::os::unix::fs::{DirBuilderExt as _, PermissionsExt as _};
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(path)
        .and_then(|()| std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o700)))
        .with_context(|| format!("could not create the data directory {}", path.display()))
}

/// This instance's name in its delivery leases, kept in `DATA_DIR/instance` (made once, at
/// random): the same after a restart, so the instance frees its own old leases at once, and
/// different for every instance with a data directory of its own.
fn instance_name(data_dir: &Path) -> anyhow::Result<String> {
    use std::io::Write as _;
    use std::os::unix::fs::OpenOptionsExt as _;
    let path = data_dir.join("instance");
    match std::fs::read_to_string(&path) {
        Ok(name) if !name.trim().is_empty() => return Ok(name.trim().to_owned()),
        Ok(_) => {}
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
        Err(error) => {
            return Err(error).with_context(|| format!("could not read {}", path.display()));
        }
    }
    let mut bytes = [0; 8];
    getrandom::fill(&mut bytes).context("no randomness to name this instance")?;
    let name = hex::encode(bytes);
    std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&path)
        .and_then(|mut file| file.write_all(name.as_bytes()))
        .with_context(|| format!("could not write {}", path.display()))?;
    Ok(name)
}

/// Copies the report database to `to`. A data directory with no database in it is refused
/// rather than given a new, empty one: a mistyped `--data-dir` must not "succeed".
pub async fn back_up(config: &Config, to: &Path) -> anyhow::Result<()> {
    if config.database.is_some() {
        anyhow::bail!("a PostgreSQL database is backed up with pg_dump, not by this server");
    }
    let database = config.sqlite_path();
    if !database.is_file() {
        anyhow::bail!(
            "there is no report database at {}: is --data-dir (or LOST_DEVICE_DATA_DIR) the \
             server's data directory?",
            database.display()
        );
    }
    let store = ReportStore::open_sqlite(&database)
        .with_context(|| format!("could not open the report database {}", database.display()))?;
    store
        .back_up(to)
        .await
        .with_context(|| format!("could not back up to {}", to.display()))?;
    println!("The report database is copied to {}", to.display());
    Ok(())
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM (what process managers send).
pub async fn shutdown_signal() {
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            // Without the handler the server still stops on Ctrl-C.
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        () = terminate => {}
    }
}
