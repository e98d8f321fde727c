//! `lost-device`: the server binary. Run it from the project folder after
//! `cargo leptos build --release` (./scripts/run.sh does both), then open <http://127.0.0.1:3000>.
//!
//! Flags (or environment):
//! - `--bind` (`LOST_DEVICE_BIND`, default 127.0.0.1), `--port` (`LOST_DEVICE_PORT`, default
//!   3000), `--data-dir` (`LOST_DEVICE_DATA_DIR`, default `data`), `--site-root`
//!   (`LOST_DEVICE_SITE_ROOT`, default `target/site`), `--worker` (`LOST_DEVICE_WORKER`, `rust`
//!   or `js`, default `js`), `--log-format` (`LOST_DEVICE_LOG_FORMAT`, `text` or `json`);
//! - where reports are forwarded: see [`Forwarding`]. With no destination set, they are written
//!   to the Maildir `DATA_DIR/mail`;
//! - what a client may take: see [`Protection`].

use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context as _;
use clap::Parser;
use forwarding::message::Envelope;
use forwarding::smtp::{Smtp, SmtpSettings, SmtpTls};
use forwarding::{Destination, Forwarder, Settings, maildir::Maildir, webhook::Webhook};
use secrecy::SecretString;
use server::rate_limit::RateLimits;
use server::serve::Limits;
use tracing_subscriber::EnvFilter;

/// The Lost Device server.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Config {
    /// Address to listen on.
    #[arg(long, env = "LOST_DEVICE_BIND", default_value = "127.0.0.1")]
    bind: IpAddr,
    /// Port to listen on (0 picks a free one and prints it).
    #[arg(long, env = "LOST_DEVICE_PORT", default_value_t = 3000)]
    port: u16,
    /// Where the server keeps its data; created if missing.
    #[arg(long, env = "LOST_DEVICE_DATA_DIR", default_value = "data")]
    data_dir: PathBuf,
    /// The built site (cargo-leptos output) to serve.
    #[arg(long, env = "LOST_DEVICE_SITE_ROOT", default_value = "target/site")]
    site_root: String,
    /// The offline worker's implementation. Both behave the same; `scripts/bench.sh` compares
    /// their cold starts, and JavaScript is the default because Rust measured over 10 ms slower.
    #[arg(long, env = "LOST_DEVICE_WORKER", value_enum, default_value_t = Worker::Js)]
    worker: Worker,
    /// The report database: a `postgres://user@host:port/name` URL for PostgreSQL (several
    /// instances can share it), or nothing for the embedded SQLite file
    /// `DATA_DIR/reports.sqlite3`. A password belongs in `PGPASSWORD`-style settings or a
    /// `~/.pgpass` file rather than the URL, which other users of the machine can read.
    #[arg(long, env = "LOST_DEVICE_DATABASE_URL")]
    database: Option<String>,
    /// How log lines are written: plain text, or one JSON object per line.
    #[arg(long, env = "LOST_DEVICE_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,
    #[command(flatten)]
    forwarding: Forwarding,
    #[command(flatten)]
    protection: Protection,
    /// Days a delivered report's answers are kept by the server; after that only its id,
    /// reference and receipt time remain (the mailbox keeps the report). 0 keeps them for ever.
    #[arg(long, env = "LOST_DEVICE_KEEP_DELIVERED_DAYS", default_value_t = app::settings::ServiceSettings::default().keep_delivered_days)]
    keep_delivered_days: u32,
    /// Who receives the reports, in words that follow "to" ("the IT security team"): every
    /// page that says where a report goes says this.
    #[arg(long, env = "LOST_DEVICE_RECIPIENT_NAME", default_value = app::settings::DEFAULT_RECIPIENT)]
    recipient_name: String,
    #[command(subcommand)]
    command: Option<Task>,
}

/// Something to do instead of serving.
#[derive(Debug, clap::Subcommand)]
enum Task {
    /// Writes a consistent copy of the report database (SQLite) to PATH, a new file readable by
    /// this user only, while the server keeps running. Restore by stopping the server and
    /// putting the copy in place of `DATA_DIR/reports.sqlite3`.
    Backup {
        /// Where to write the copy (must not exist yet).
        path: PathBuf,
    },
}

/// Limits on what one client, or all of them, can take. A client over a limit is told so in
/// plain words and when to try again; a phone does that by itself.
#[derive(Debug, clap::Args)]
struct Protection {
    /// Seconds a client has to send a request's headers; also how long an idle kept-alive
    /// connection stays open.
    #[arg(long, env = "LOST_DEVICE_HEADER_TIMEOUT", default_value_t = Limits::default().header.as_secs())]
    header_timeout: u64,
    /// Seconds a client has to send a request's whole body, from its headers.
    #[arg(long, env = "LOST_DEVICE_BODY_TIMEOUT", default_value_t = Limits::default().body.as_secs())]
    body_timeout: u64,
    /// Seconds for a whole request, from its headers to the end of the answer.
    #[arg(long, env = "LOST_DEVICE_REQUEST_TIMEOUT", default_value_t = Limits::default().request.as_secs())]
    request_timeout: u64,
    /// Connections open at once, at most (lowered to fit the file descriptor limit).
    #[arg(long, env = "LOST_DEVICE_MAX_CONNECTIONS", default_value_t = Limits::default().connections)]
    max_connections: usize,
    /// Seconds that requests in progress may take to finish after SIGTERM or SIGINT.
    #[arg(long, env = "LOST_DEVICE_DRAIN_TIMEOUT", default_value_t = Limits::default().drain.as_secs())]
    drain_timeout: u64,
    /// Reports per minute taken from one client address.
    #[arg(long, env = "LOST_DEVICE_RATE_LIMIT_PER_CLIENT", default_value_t = RateLimits::default().per_client)]
    rate_limit_per_client: std::num::NonZeroU32,
    /// Reports per minute taken in all.
    #[arg(long, env = "LOST_DEVICE_RATE_LIMIT_GLOBAL", default_value_t = RateLimits::default().global)]
    rate_limit_global: std::num::NonZeroU32,
    /// The address of the reverse proxy in front of the server: only its `X-Forwarded-For` is
    /// believed when telling clients apart.
    #[arg(long, env = "LOST_DEVICE_TRUSTED_PROXY")]
    trusted_proxy: Option<IpAddr>,
}

impl Protection {
    fn limits(&self) -> Limits {
        Limits {
            header: Duration::from_secs(self.header_timeout.max(1)),
            body: Duration::from_secs(self.body_timeout.max(1)),
            request: Duration::from_secs(self.request_timeout.max(1)),
            connections: self.max_connections.max(1),
            drain: Duration::from_secs(self.drain_timeout),
        }
    }

    fn limiter(&self) -> server::rate_limit::Limiter {
        server::rate_limit::Limiter::new(
            RateLimits {
                per_client: self.rate_limit_per_client,
                global: self.rate_limit_global,
            },
            self.trusted_proxy,
        )
    }
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

/// Where each new report is forwarded, once. Any number may be set; with none, reports are
/// written to the Maildir `DATA_DIR/mail`. Passwords and secrets come from a file or the
/// environment, never from the command line (which other users of the machine can read).
#[derive(Debug, clap::Args)]
struct Forwarding {
    /// SMTP server to send each report to (the incident mailbox).
    #[arg(long, env = "LOST_DEVICE_SMTP_HOST")]
    smtp_host: Option<String>,
    /// Its port (default: 587 for STARTTLS, 465 for TLS, 25 for none).
    #[arg(long, env = "LOST_DEVICE_SMTP_PORT")]
    smtp_port: Option<u16>,
    /// How the SMTP connection is protected.
    #[arg(long, env = "LOST_DEVICE_SMTP_TLS", value_enum, default_value_t = TlsMode::Starttls)]
    smtp_tls: TlsMode,
    /// SMTP user name, if the server wants one. The password is read from
    /// `--smtp-password-file` or the environment variable `LOST_DEVICE_SMTP_PASSWORD`.
    #[arg(long, env = "LOST_DEVICE_SMTP_USER")]
    smtp_user: Option<String>,
    /// A file holding the SMTP password.
    #[arg(long, env = "LOST_DEVICE_SMTP_PASSWORD_FILE")]
    smtp_password_file: Option<PathBuf>,
    /// The emails' sender.
    #[arg(
        long,
        env = "LOST_DEVICE_MAIL_FROM",
        default_value = "Lost Device <lost-device@localhost>"
    )]
    mail_from: String,
    /// The incident mailbox the emails go to.
    #[arg(
        long,
        env = "LOST_DEVICE_MAIL_TO",
        default_value = "Incident mailbox <incidents@localhost>"
    )]
    mail_to: String,
    /// URL to POST each report to as JSON signed as Standard Webhooks says (the service desk's
    /// tools). The signing secret (`whsec_` and base64) is read from `--webhook-secret-file` or
    /// `LOST_DEVICE_WEBHOOK_SECRET`.
    #[arg(long, env = "LOST_DEVICE_WEBHOOK_URL")]
    webhook_url: Option<String>,
    /// A file holding the webhook's signing secret.
    #[arg(long, env = "LOST_DEVICE_WEBHOOK_SECRET_FILE")]
    webhook_secret_file: Option<PathBuf>,
    /// Also write every report to the Maildir `DATA_DIR/mail` when another destination is set.
    #[arg(long, env = "LOST_DEVICE_MAILDIR")]
    maildir: bool,
    /// How long one instance holds a delivery it is working on, in seconds; if it dies, another
    /// takes the delivery over after this.
    #[arg(long, env = "LOST_DEVICE_FORWARD_LEASE", default_value_t = forwarding::DEFAULT_LEASE.as_secs())]
    forward_lease: u64,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum Worker {
    Rust,
    Js,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum TlsMode {
    Starttls,
    Tls,
    None,
}

/// A secret from a file (trailing newline removed) or, failing that, an environment variable;
/// kept as a `SecretString`, so no `Debug` or log line can show it.
fn secret(file: Option<&Path>, variable: &str) -> anyhow::Result<Option<SecretString>> {
    if let Some(file) = file {
        let text = std::fs::read_to_string(file)
            .with_context(|| format!("could not read the secret file {}", file.display()))?;
        return Ok(Some(text.trim_end_matches(['\r', '\n']).into()));
    }
    Ok(std::env::var(variable).ok().map(SecretString::from))
}

impl Forwarding {
    /// The destinations and envelope these flags describe.
    fn settings(&self, data_dir: &Path) -> anyhow::Result<Settings> {
        let mut destinations = Vec::new();
        if let Some(host) = &self.smtp_host {
            let (tls, default_port) = match self.smtp_tls {
                TlsMode::Starttls => (SmtpTls::StartTls, 587),
                TlsMode::Tls => (SmtpTls::Implicit, 465),
                TlsMode::None => (SmtpTls::None, 25),
            };
            let credentials = match &self.smtp_user {
                Some(user) => {
                    let password = secret(
                        self.smtp_password_file.as_deref(),
                        "LOST_DEVICE_SMTP_PASSWORD",
                    )?
                    .context(
                        "--smtp-user needs a password: set --smtp-password-file or \
                         LOST_DEVICE_SMTP_PASSWORD",
                    )?;
                    Some((user.clone(), password))
                }
                None => None,
            };
            let smtp = Smtp::new(SmtpSettings {
                host: host.clone(),
                port: self.smtp_port.unwrap_or(default_port),
                tls,
                credentials,
            })
            .with_context(|| format!("could not set up SMTP to {host}"))?;
            destinations.push(Destination::Smtp(smtp));
        }
        if let Some(url) = &self.webhook_url {
            let key = secret(
                self.webhook_secret_file.as_deref(),
                "LOST_DEVICE_WEBHOOK_SECRET",
            )?
            .context(
                "--webhook-url needs a signing secret: set --webhook-secret-file or \
                 LOST_DEVICE_WEBHOOK_SECRET",
            )?;
            let webhook = Webhook::new(url, key).context("could not set up the webhook")?;
            destinations.push(Destination::Webhook(webhook));
        }
        if destinations.is_empty() || self.maildir {
            destinations.push(Destination::Maildir(Maildir::new(data_dir.join("mail"))));
        }
        let envelope = Envelope {
            from: self
                .mail_from
                .parse()
                .with_context(|| format!("--mail-from {:?} is not an address", self.mail_from))?,
            to: self
                .mail_to
                .parse()
                .with_context(|| format!("--mail-to {:?} is not an address", self.mail_to))?,
        };
        let mut settings = Settings::new(destinations, envelope);
        settings.lease = Duration::from_secs(self.forward_lease.max(1));
        Ok(settings)
    }
}

/// Logs to standard output from a thread of its own, so a request never waits for the write
/// (one access-log line per request cost a third of the cheapest requests' throughput). Lines are
/// never dropped: when the queue is full, writers wait. Keep the guard until exit: it flushes.
fn init_logging(format: LogFormat) -> tracing_appender::non_blocking::WorkerGuard {
    let (writer, guard) = tracing_appender::non_blocking::NonBlockingBuilder::default()
        .lossy(false)
        .finish(std::io::stdout());
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer);
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
    guard
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM (what process managers send).
async fn shutdown_signal() {
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

/// Copies the report database to `to`. A data directory with no database in it is refused
/// rather than given a new, empty one: a mistyped `--data-dir` must not "succeed".
async fn back_up(config: &Config, to: &Path) -> anyhow::Result<()> {
    if config.database.is_some() {
        anyhow::bail!("a PostgreSQL database is backed up with pg_dump, not by this server");
    }
    let database = config.data_dir.join("reports.sqlite3");
    if !database.is_file() {
        anyhow::bail!(
            "there is no report database at {}: is --data-dir (or LOST_DEVICE_DATA_DIR) the \
             server's data directory?",
            database.display()
        );
    }
    let store = report_store::ReportStore::open_sqlite(&database)
        .with_context(|| format!("could not open the report database {}", database.display()))?;
    store
        .back_up(to)
        .await
        .with_context(|| format!("could not back up to {}", to.display()))?;
    println!("The report database is copied to {}", to.display());
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let config = Config::parse();
    let _logging = init_logging(config.log_format);
    if let Some(Task::Backup { path }) = &config.command {
        return back_up(&config, path).await;
    }
    private_dir(&config.data_dir)?;
    app::settings::ServiceSettings::set(app::settings::ServiceSettings {
        recipient: config.recipient_name.clone(),
        keep_delivered_days: config.keep_delivered_days,
    });

    let mut options = leptos::config::get_configuration(None)
        .context("could not read the Leptos settings")?
        .leptos_options;
    options.site_root = config.site_root.into();
    // The server is always built by cargo-leptos with hashed file names (see Cargo.toml): a page
    // must never be hydrated by the WebAssembly of another build.
    options.hash_files = true;
    let worker = match config.worker {
        Worker::Rust => service_worker::WorkerKind::Rust,
        Worker::Js => service_worker::WorkerKind::Js,
    };
    let store = if let Some(url) = &config.database {
        report_store::ReportStore::open_postgres(url)
            .await
            .context("could not open the PostgreSQL report database")?
    } else {
        let database = config.data_dir.join("reports.sqlite3");
        report_store::ReportStore::open_sqlite(&database)
            .with_context(|| format!("could not open the report database {}", database.display()))?
    };

    if config.keep_delivered_days > 0 {
        let keep_ms = i64::from(config.keep_delivered_days) * 24 * 3_600_000;
        let store = store.clone();
        tokio::spawn(async move {
            let mut every = tokio::time::interval(Duration::from_secs(3600));
            loop {
                every.tick().await;
                match store.clear_delivered(forwarding::now_ms() - keep_ms).await {
                    Ok(0) => {}
                    Ok(cleared) => {
                        tracing::info!(cleared, "answers of old delivered reports removed");
                    }
                    Err(error) => tracing::error!(%error, "could not remove old answers"),
                }
            }
        });
    }

    let mut settings = config.forwarding.settings(&config.data_dir)?;
    settings.holder = instance_name(&config.data_dir)?;
    // Parked deliveries failed for good under the old configuration; a restart is when an
    // operator has fixed it, so they are tried again.
    let parked = store
        .retry_parked(forwarding::now_ms())
        .await
        .context("could not read the deliveries")?;
    tracing::info!(
        destinations = ?settings.names(),
        parked_retried = parked,
        "forwarding reports"
    );
    let forwarder = Forwarder::new(store.clone(), settings);
    let limiter = config.protection.limiter();
    let state = server::AppState::new(
        options,
        &server::build_id().context("could not read this server's executable to name its build")?,
        worker,
        store,
    )?
    .with_forwarder(forwarder.clone())
    .with_limiter(limiter.clone());
    tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(60));
        loop {
            every.tick().await;
            limiter.forget_quiet_clients();
        }
    });

    let listener = tokio::net::TcpListener::bind(SocketAddr::new(config.bind, config.port))
        .await
        .with_context(|| format!("could not listen on {}:{}", config.bind, config.port))?;
    let address = listener.local_addr()?;
    let (stop, stopped) = tokio::sync::watch::channel(());
    let forwarding = tokio::spawn(forwarder.run(async move {
        let mut stopped = stopped;
        let _ = stopped.changed().await;
    }));
    // Tests read this line to learn the port.
    println!("Lost Device is running at http://{address}/");
    server::serve::serve(
        listener,
        server::app(state),
        config.protection.limits(),
        shutdown_signal(),
    )
    .await;
    // A delivery in progress finishes (each has 10 s at most); what is left stays in the
    // database for the next start.
    let _ = stop.send(());
    let _ = tokio::time::timeout(Duration::from_secs(15), forwarding).await;
    Ok(())
}
