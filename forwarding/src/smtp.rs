//! The incident mailbox over SMTP (`lettre`): STARTTLS, implicit TLS, or plain (for a relay on
//! the same machine), with an optional user and password. Each delivery has 10 s to connect and
//! each SMTP command 10 s to be answered.

use std::time::Duration;

use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport as _, Tokio1Executor};

use crate::Failure;

/// How the connection to the SMTP server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpTls {
    /// Plain connection upgraded with STARTTLS (required). Usually port 587.
    StartTls,
    /// TLS from the first byte. Usually port 465.
    Implicit,
    /// No TLS at all: only for a relay on this machine or in tests. Usually port 25.
    None,
}

/// Where and how to send.
#[derive(Debug, Clone)]
pub struct SmtpSettings {
    /// The server's host name.
    pub host: String,
    /// Its port.
    pub port: u16,
    /// How the connection is protected.
    pub tls: SmtpTls,
    /// User and password, when the server wants them (the password kept out of `Debug`).
    pub credentials: Option<(String, secrecy::SecretString)>,
}

/// An SMTP server to deliver to.
#[derive(Clone)]
pub struct Smtp {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    host: String,
}

impl std::fmt::Debug for Smtp {
    // The transport holds the password in lettre's own type: only the host is shown.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Smtp")
            .field("host", &self.host)
            .finish_non_exhaustive()
    }
}

/// The time limit for connecting and for each SMTP command.
const TIMEOUT: Duration = Duration::from_secs(10);

impl Smtp {
    /// A sender for `settings`. Fails only on a host name TLS cannot use.
    pub fn new(settings: SmtpSettings) -> Result<Self, lettre::transport::smtp::Error> {
        let builder = match settings.tls {
            SmtpTls::StartTls => {
                AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&settings.host)?
            }
            SmtpTls::Implicit => AsyncSmtpTransport::<Tokio1Executor>::relay(&settings.host)?,
            SmtpTls::None => {
                AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&settings.host)
            }
        };
        let mut builder = builder.port(settings.port).timeout(Some(TIMEOUT));
        if let Some((user, password)) = settings.credentials {
            use secrecy::ExposeSecret as _;
            builder =
                builder.credentials(Credentials::new(user, password.expose_secret().to_owned()));
        }
        Ok(Self {
            transport: builder.build(),
            host: settings.host,
        })
    }

    /// Sends `message`. The server's 5xx refusals are permanent; its 4xx answers, a refused or
    /// broken connection and timeouts are temporary.
    pub async fn deliver(&self, message: lettre::Message) -> Result<(), Failure> {
        match self.transport.send(message).await {
            Ok(_) => Ok(()),
            Err(error) if error.is_permanent() => Err(Failure::permanent(format!(
                "the SMTP server at {} refused the message: {error}",
                self.host
            ))),
            Err(error) => Err(Failure::temporary(format!(
                "the SMTP server at {} did not take the message: {error}",
                self.host
            ))),
        }
    }
}
