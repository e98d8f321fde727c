//! Every setting of the server, once: a command-line flag with an environment variable beside
//! it, its default taken from the type that uses it. Secrets are read from a file or the
//! environment (never a flag, which other users of the machine can see) and kept as
//! [`SecretString`]s. [`Config`] only describes; [`crate::startup::Application`] acts on it.

use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context as _;
use forwarding::message::Envelope;
use forwarding::smtp::{Smtp, SmtpSettings, SmtpTls};
use forwarding::{Destination, Settings, maildir::Maildir, webhook::Webhook};
use leptos::config::LeptosOptions;
use secrecy::SecretString;

use crate::rate_limit::{Limiter, RateLimits};
use crate::serve::Limits;

/// The Lost Device server.
#[derive(Debug, clap::Parser)]
#[command(name = "lost-device", version, about)]
pub struct Config {
    /// Address to listen on.
    #[arg(long, env = "LOST_DEVICE_BIND", default_value = "127.0.0.1")]
    pub bind: IpAddr,
    /// Port to listen on (0 picks a free one and prints it).
    #[arg(long, env = "LOST_DEVICE_PORT", default_value_t = 3000)]
    pub port: u16,
    /// Where to serve `GET /metrics` (Prometheus' text format) for the people who run the
    /// service, on a listener of its own (`127.0.0.1:9464`); off unless set. Keep it off the
    /// public network: it says how busy the service is.
    #[arg(long, env = "LOST_DEVICE_METRICS_LISTEN")]
    pub metrics_listen: Option<SocketAddr>,
    /// Where the server keeps its data; created if missing.
    #[arg(long, env = "LOST_DEVICE_DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,
    /// The built site (cargo-leptos output) to serve.
    #[arg(long, env = "LOST_DEVICE_SITE_ROOT", default_value = "target/site")]
    pub site_root: PathBuf,
    /// How the site was built. Not a flag: the binary is always built by cargo-leptos.
    #[arg(skip = SiteBuild::CargoLeptos)]
    pub site_build: SiteBuild,
    /// The report database: a `postgres://user@host:port/name` URL for PostgreSQL (several
    /// instances can share it), or nothing for the embedded SQLite file
    /// `DATA_DIR/reports.sqlite3`. A password belongs in `PGPASSWORD`-style settings or a
    /// `~/.pgpass` file rather than the URL, which other users of the machine can read.
    #[arg(long, env = "LOST_DEVICE_DATABASE_URL")]
    pub database: Option<String>,
    /// How log lines are written: plain text, or one JSON object per line.
    #[arg(long, env = "LOST_DEVICE_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
    /// Days a delivered report's answers are kept by the server; after that only its id,
    /// reference and receipt time remain (the mailbox keeps the report). 0 keeps them for ever.
    #[arg(long, env = "LOST_DEVICE_KEEP_DELIVERED_DAYS", default_value_t = app::settings::ServiceSettings::default().keep_delivered_days)]
    pub keep_delivered_days: u32,
    /// Who receives the reports, in words that follow "to" ("the IT security team"): every
    /// page that says where a report goes says this.
    #[arg(long, env = "LOST_DEVICE_RECIPIENT_NAME", default_value = app::settings::DEFAULT_RECIPIENT)]
    pub recipient_name: String,
    /// Start on a report database that holds fewer reports than this server stored (its
    /// high-water mark, `DATA_DIR/high-water`, is ahead of it): only once the newest backup has
    /// been restored and the rest is known lost. New references then start above every one
    /// given before, and the choice is written to the log and the audit trail.
    #[arg(long, env = "LOST_DEVICE_START_DESPITE_LOST_REPORTS")]
    pub start_despite_lost_reports: bool,
    /// Where reports are forwarded.
    #[command(flatten, next_help_heading = "Forwarding")]
    pub forwarding: Forwarding,
    /// What a client may take.
    #[command(flatten, next_help_heading = "Limits")]
    pub protection: Protection,
    /// Who may use the team's view, signed in with the organisation's identity provider.
    #[command(flatten, next_help_heading = "The team's view")]
    pub team: TeamAccess,
    /// Something to do instead of serving.
    #[command(subcommand)]
    pub command: Option<Task>,
}

/// The default destination's Maildir, in the data directory.
const MAILDIR: &str = "mail";

/// Something to do instead of serving.
#[derive(Debug, clap::Subcommand)]
pub enum Task {
    /// Writes a consistent copy of the report database (SQLite) to PATH, a new file readable by
    /// this user only, while the server keeps running. Restore by stopping the server and
    /// putting the copy in place of `DATA_DIR/reports.sqlite3`.
    Backup {
        /// Where to write the copy (must not exist yet).
        path: PathBuf,
    },
}

/// How the served site was put together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SiteBuild {
    /// By cargo-leptos: its settings were compiled into this binary, and its files carry hashes
    /// in their names, so a page is never hydrated by the WebAssembly of another build.
    CargoLeptos,
    /// By hand (the server's tests): plain file names, and the output name `lost-device`.
    Plain,
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum LogFormat {
    /// Plain text, for a person reading a terminal.
    Text,
    /// One JSON object per line, for a log collector.
    Json,
}

/// Limits on what one client, or all of them, can take. A client over a limit is told so in
/// plain words and when to try again; a phone does that by itself.
#[derive(Debug, clap::Args)]
pub struct Protection {
    /// Seconds a client has to send a request's headers; also how long an idle kept-alive
    /// connection stays open.
    #[arg(long, env = "LOST_DEVICE_HEADER_TIMEOUT", default_value_t = Limits::default().header.as_secs())]
    pub header_timeout: u64,
    /// Seconds a client has to send a request's whole body, from its headers.
    #[arg(long, env = "LOST_DEVICE_BODY_TIMEOUT", default_value_t = Limits::default().body.as_secs())]
    pub body_timeout: u64,
    /// Seconds for a whole request, from its headers to the end of the answer.
    #[arg(long, env = "LOST_DEVICE_REQUEST_TIMEOUT", default_value_t = Limits::default().request.as_secs())]
    pub request_timeout: u64,
    /// Connections open at once, at most (lowered to fit the file descriptor limit).
    #[arg(long, env = "LOST_DEVICE_MAX_CONNECTIONS", default_value_t = Limits::default().connections)]
    pub max_connections: usize,
    /// Seconds that requests in progress may take to finish after SIGTERM or SIGINT.
    #[arg(long, env = "LOST_DEVICE_DRAIN_TIMEOUT", default_value_t = Limits::default().drain.as_secs())]
    pub drain_timeout: u64,
    /// Requests per minute taken from one client address (an IPv6 address by its /64), counted
    /// apart for reports, for status checks and for starting a sign-in.
    #[arg(long, env = "LOST_DEVICE_RATE_LIMIT_PER_CLIENT", default_value_t = RateLimits::default().per_client)]
    pub rate_limit_per_client: NonZeroU32,
    /// Reports per minute taken in all (status checks and sign-ins have no such allowance).
    #[arg(long, env = "LOST_DEVICE_RATE_LIMIT_GLOBAL", default_value_t = RateLimits::default().global)]
    pub rate_limit_global: NonZeroU32,
    /// The address of the reverse proxy in front of the server: only its `X-Forwarded-For` is
    /// believed when telling clients apart.
    #[arg(long, env = "LOST_DEVICE_TRUSTED_PROXY")]
    pub trusted_proxy: Option<IpAddr>,
}

impl Protection {
    /// The socket's limits.
    pub fn limits(&self) -> Limits {
        Limits {
            header: Duration::from_secs(self.header_timeout.max(1)),
            body: Duration::from_secs(self.body_timeout.max(1)),
            request: Duration::from_secs(self.request_timeout.max(1)),
            connections: self.max_connections.max(1),
            drain: Duration::from_secs(self.drain_timeout),
        }
    }

    /// The intake's rate limits.
    pub fn limiter(&self) -> Limiter {
        Limiter::new(
            RateLimits {
                per_client: self.rate_limit_per_client,
                global: self.rate_limit_global,
            },
            self.trusted_proxy,
        )
    }
}

/// Where each new report is forwarded, once. Any number may be set; with none, reports are
/// written to the Maildir `DATA_DIR/mail`.
#[derive(Debug, clap::Args)]
pub struct Forwarding {
    /// SMTP server to send each report to (the incident mailbox).
    #[arg(long, env = "LOST_DEVICE_SMTP_HOST")]
    pub smtp_host: Option<String>,
    /// Its port (default: 587 for STARTTLS, 465 for TLS, 25 for none).
    #[arg(long, env = "LOST_DEVICE_SMTP_PORT")]
    pub smtp_port: Option<u16>,
    /// How the SMTP connection is protected.
    #[arg(long, env = "LOST_DEVICE_SMTP_TLS", value_enum, default_value_t = TlsMode::Starttls)]
    pub smtp_tls: TlsMode,
    /// SMTP user name, if the server wants one. The password is read from
    /// `--smtp-password-file` or the environment variable `LOST_DEVICE_SMTP_PASSWORD`.
    #[arg(long, env = "LOST_DEVICE_SMTP_USER")]
    pub smtp_user: Option<String>,
    /// A file holding the SMTP password.
    #[arg(long, env = "LOST_DEVICE_SMTP_PASSWORD_FILE")]
    pub smtp_password_file: Option<PathBuf>,
    /// The emails' sender.
    #[arg(
        long,
        env = "LOST_DEVICE_MAIL_FROM",
        default_value = "Lost Device <lost-device@localhost>"
    )]
    pub mail_from: String,
    /// The incident mailbox the emails go to.
    #[arg(
        long,
        env = "LOST_DEVICE_MAIL_TO",
        default_value = "Incident mailbox <incidents@localhost>"
    )]
    pub mail_to: String,
    /// URL to POST each report to as JSON signed as Standard Webhooks says (the service desk's
    /// tools). The signing secret (`whsec_` and base64) is read from `--webhook-secret-file` or
    /// `LOST_DEVICE_WEBHOOK_SECRET`.
    #[arg(long, env = "LOST_DEVICE_WEBHOOK_URL")]
    pub webhook_url: Option<String>,
    /// A file holding the webhook's signing secret.
    #[arg(long, env = "LOST_DEVICE_WEBHOOK_SECRET_FILE")]
    pub webhook_secret_file: Option<PathBuf>,
    /// Also write every report to the Maildir `DATA_DIR/mail` when another destination is set.
    #[arg(long, env = "LOST_DEVICE_MAILDIR")]
    pub maildir: bool,
    /// How long one instance holds a delivery it is working on, in seconds; if it dies, another
    /// takes the delivery over after this.
    #[arg(long, env = "LOST_DEVICE_FORWARD_LEASE", default_value_t = forwarding::DEFAULT_LEASE.as_secs())]
    pub forward_lease: u64,
}

/// How the SMTP connection is protected.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum TlsMode {
    /// A plain connection upgraded with STARTTLS (port 587).
    Starttls,
    /// TLS from the start (port 465).
    Tls,
    /// No encryption (port 25; a relay on the same machine only).
    None,
}

/// A secret from a file (trailing newline removed) or, failing that, an environment variable.
fn secret(file: Option<&Path>, variable: &str) -> anyhow::Result<Option<SecretString>> {
    if let Some(file) = file {
        let text = std::fs::read_to_string(file)
            .with_context(|| format!("could not read the secret file {}", file.display()))?;
        return Ok(Some(text.trim_end_matches(['\r', '\n']).into()));
    }
    Ok(std::env::var(variable).ok().map(SecretString::from))
}

impl Forwarding {
    /// The destinations and envelope these settings describe.
    pub fn settings(&self, data_dir: &Path) -> anyhow::Result<Settings> {
        let mut destinations = Vec::new();
        if let Some(host) = &self.smtp_host {
            destinations.push(Destination::Smtp(self.smtp(host)?));
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
            destinations.push(Destination::Maildir(Maildir::new(data_dir.join(MAILDIR))));
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

    fn smtp(&self, host: &str) -> anyhow::Result<Smtp> {
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
        Smtp::new(SmtpSettings {
            host: host.to_owned(),
            port: self.smtp_port.unwrap_or(default_port),
            tls,
            credentials,
        })
        .with_context(|| format!("could not set up SMTP to {host}"))
    }
}

/// Sign-in to the team's view (`/team`) over OpenID Connect. With no issuer the view is off
/// (404) and nothing else changes; there is no built-in password.
#[derive(Debug, clap::Args)]
pub struct TeamAccess {
    /// The identity provider's issuer URL; its OpenID Connect discovery document is read from
    /// `ISSUER/.well-known/openid-configuration`.
    #[arg(long, env = "LOST_DEVICE_OIDC_ISSUER")]
    pub oidc_issuer: Option<String>,
    /// This service's client id at the identity provider.
    #[arg(long, env = "LOST_DEVICE_OIDC_CLIENT_ID")]
    pub oidc_client_id: Option<String>,
    /// A file holding the client secret (or set `LOST_DEVICE_OIDC_CLIENT_SECRET`).
    #[arg(long, env = "LOST_DEVICE_OIDC_CLIENT_SECRET_FILE")]
    pub oidc_client_secret_file: Option<PathBuf>,
    /// This service's address as people reach it (`https://lost-device.example.org`): the
    /// provider sends people back to `PUBLIC_URL/team/signed-in`.
    #[arg(long, env = "LOST_DEVICE_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Email addresses that may enter, separated by commas.
    #[arg(long, env = "LOST_DEVICE_TEAM_EMAILS", value_delimiter = ',')]
    pub team_emails: Vec<String>,
    /// A group or role that may enter: a person whose ID token's `--team-claim` holds it may.
    #[arg(long, env = "LOST_DEVICE_TEAM_GROUP")]
    pub team_group: Option<String>,
    /// The ID token claim that lists a person's groups or roles.
    #[arg(long, env = "LOST_DEVICE_TEAM_CLAIM", default_value = "groups")]
    pub team_claim: String,
    /// Who a person refused entry should ask to be added, in words a page can show after "ask"
    /// (`the IT Security team at itsecurity@example.gov.uk`); without it, "the service's
    /// administrator".
    #[arg(long, env = "LOST_DEVICE_TEAM_CONTACT")]
    pub team_contact: Option<String>,
    /// Admit ID tokens without an `email_verified` claim: only for a provider that never sends it
    /// and gives addresses only its own administrators set. Otherwise a token without it is
    /// refused (`false` always is).
    #[arg(long, env = "LOST_DEVICE_OIDC_EMAIL_VERIFIED_NOT_SENT")]
    pub oidc_email_verified_not_sent: bool,
    /// The team's email address for alerts: one email when a report's delivery is held back and
    /// one when nobody has acknowledged a report within `--acknowledge-within`, each naming the
    /// report and linking to it in the team's view, never holding its answers. Sent through the
    /// SMTP destination if there is one, else written to the Maildir.
    #[arg(long, env = "LOST_DEVICE_TEAM_ALERT_TO")]
    pub team_alert_to: Option<String>,
    /// How long after a report arrives the team is alerted if nobody has acknowledged it
    /// (`4h`, `90m`, `1h30m`).
    #[arg(long, env = "LOST_DEVICE_ACKNOWLEDGE_WITHIN", default_value = "4h", value_parser = parse_wait)]
    pub acknowledge_within: Duration,
    /// The most reports one download from the team's list holds (each is read into memory
    /// before it is sent); past it, the team is asked to narrow the filter.
    #[arg(long, env = "LOST_DEVICE_EXPORT_LIMIT", default_value_t = crate::fixed::EXPORT_LIMIT)]
    pub export_limit: usize,
}

/// A wait written as hours and minutes: `4h`, `90m`, `1h30m` (at least a minute).
fn parse_wait(text: &str) -> Result<Duration, String> {
    let wrong = || format!("{text:?} is not a wait such as 4h, 90m or 1h30m");
    let mut minutes: u64 = 0;
    let mut number = String::new();
    for c in text.trim().chars() {
        match c {
            '0'..='9' => number.push(c),
            'h' | 'm' => {
                let n: u64 = number.parse().map_err(|_| wrong())?;
                number.clear();
                let n = if c == 'h' { n.checked_mul(60) } else { Some(n) };
                minutes = n.and_then(|n| minutes.checked_add(n)).ok_or_else(wrong)?;
            }
            _ => return Err(wrong()),
        }
    }
    if !number.is_empty() || minutes == 0 {
        return Err(wrong());
    }
    minutes
        .checked_mul(60)
        .map(Duration::from_secs)
        .ok_or_else(wrong)
}

/// What [`TeamAccess`] describes, checked.
#[derive(Debug, Clone)]
pub struct TeamSettings {
    /// The identity provider.
    pub issuer: String,
    /// Our client id there.
    pub client_id: String,
    /// Our client secret there, if the client has one.
    pub client_secret: Option<SecretString>,
    /// This service's public address, without a trailing slash.
    pub public_url: String,
    /// Who may enter.
    pub allowed: crate::team::Allowed,
    /// Whether an ID token without `email_verified` is admitted.
    pub email_verified_not_sent: bool,
    /// Who a person refused entry should ask, in words.
    pub contact: String,
    /// The most reports one download holds.
    pub export_limit: usize,
}

impl TeamAccess {
    /// Where the team's alerts go, if anywhere; an error for an address that is not one.
    pub fn alerts(&self) -> anyhow::Result<Option<forwarding::alert::Alerts>> {
        let Some(to) = self
            .team_alert_to
            .as_deref()
            .map(str::trim)
            .filter(|to| !to.is_empty())
        else {
            return Ok(None);
        };
        Ok(Some(forwarding::alert::Alerts {
            to: to
                .parse()
                .with_context(|| format!("--team-alert-to {to:?} is not an address"))?,
            acknowledge_within: self.acknowledge_within,
        }))
    }

    /// The team view's settings, or `None` when it is off; an error names what is missing.
    pub fn settings(&self) -> anyhow::Result<Option<TeamSettings>> {
        let Some(issuer) = &self.oidc_issuer else {
            return Ok(None);
        };
        let client_id = self
            .oidc_client_id
            .clone()
            .context("--oidc-issuer needs --oidc-client-id")?;
        let public_url = self
            .public_url
            .as_deref()
            .context("--oidc-issuer needs --public-url, the address people reach this service at")?
            .trim_end_matches('/')
            .to_owned();
        let emails: Vec<String> = self
            .team_emails
            .iter()
            .map(|email| crate::team::email_key(email.trim()))
            .filter(|email| !email.is_empty())
            .collect();
        anyhow::ensure!(
            !emails.is_empty() || self.team_group.is_some(),
            "--oidc-issuer needs --team-emails or --team-group: otherwise nobody may enter"
        );
        Ok(Some(TeamSettings {
            issuer: issuer.clone(),
            client_id,
            client_secret: secret(
                self.oidc_client_secret_file.as_deref(),
                "LOST_DEVICE_OIDC_CLIENT_SECRET",
            )?,
            public_url,
            allowed: crate::team::Allowed {
                emails,
                group: self.team_group.clone(),
                claim: self.team_claim.clone(),
            },
            email_verified_not_sent: self.oidc_email_verified_not_sent,
            contact: self
                .team_contact
                .as_deref()
                .map(str::trim)
                .filter(|contact| !contact.is_empty())
                .unwrap_or("the service's administrator")
                .to_owned(),
            export_limit: self.export_limit,
        }))
    }
}

impl Config {
    /// The settings a server started with no flags and no environment has, with its data in
    /// `data_dir` and the site at `site_root`.
    pub fn defaults(data_dir: &Path, site_root: &Path) -> Self {
        use clap::{CommandFactory as _, FromArgMatches as _};
        // Every setting's environment variable forgotten: a variable left in a shell must not
        // change a test's server (a database URL would make every test a PostgreSQL one).
        let matches = Self::command()
            .mut_args(|arg| arg.env(None::<&'static str>))
            .get_matches_from(["lost-device"]);
        let mut config = Self::from_arg_matches(&matches).unwrap_or_else(|error| error.exit());
        data_dir.clone_into(&mut config.data_dir);
        site_root.clone_into(&mut config.site_root);
        config
    }

    /// The SQLite report database, when no PostgreSQL URL is set.
    pub fn sqlite_path(&self) -> PathBuf {
        self.data_dir.join("reports.sqlite3")
    }

    /// The high-water mark: what the report database has held.
    pub fn high_water_path(&self) -> PathBuf {
        self.data_dir.join("high-water")
    }

    /// The default destination's Maildir.
    pub fn maildir_path(&self) -> PathBuf {
        self.data_dir.join(MAILDIR)
    }

    /// Leptos's settings for the site.
    pub fn leptos_options(&self) -> anyhow::Result<LeptosOptions> {
        let mut options = match self.site_build {
            SiteBuild::CargoLeptos => {
                let mut options = leptos::config::get_configuration(None)
                    .context("could not read the Leptos settings")?
                    .leptos_options;
                options.hash_files = true;
                options
            }
            SiteBuild::Plain => LeptosOptions::builder().output_name("lost-device").build(),
        };
        options.site_root = self.site_root.to_string_lossy().into_owned().into();
        Ok(options)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wait_is_hours_and_minutes() {
        assert_eq!(parse_wait("4h"), Ok(Duration::from_hours(4)));
        assert_eq!(parse_wait("90m"), Ok(Duration::from_mins(90)));
        assert_eq!(parse_wait("1h30m"), Ok(Duration::from_mins(90)));
        for wrong in [
            "",
            "4",
            "0m",
            "h",
            "4 hours",
            "-1h",
            "99999999999999999999h",
        ] {
            assert!(parse_wait(wrong).is_err(), "{wrong:?}");
        }
    }

    /// Run by the test below with settings in its environment; does nothing on its own.
    #[test]
    fn defaults_in_a_child() {
        if std::env::var_os("CONFIG_DEFAULTS_CHILD").is_none() {
            return;
        }
        let config = Config::defaults(Path::new("data"), Path::new("site"));
        assert_eq!(config.database, None);
        assert_eq!(config.port, 3000);
        assert_eq!(config.keep_delivered_days, 30);
    }

    #[test]
    fn the_defaults_read_no_environment() {
        let status = std::process::Command::new(std::env::current_exe().expect("this binary"))
            .args(["--exact", "config::tests::defaults_in_a_child", "--quiet"])
            .env("CONFIG_DEFAULTS_CHILD", "1")
            .env(
                "LOST_DEVICE_DATABASE_URL",
                "postgres://someone@127.0.0.1:1/left-in-a-shell",
            )
            .env("LOST_DEVICE_PORT", "4444")
            .env("LOST_DEVICE_KEEP_DELIVERED_DAYS", "1")
            .status()
            .expect("run the child");
        assert!(
            status.success(),
            "settings left in a shell reached Config::defaults"
        );
    }
}
