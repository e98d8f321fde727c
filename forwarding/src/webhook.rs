//! The service desk's tools: an HTTP POST of the report as JSON, signed as the Standard
//! Webhooks specification says, so a receiver checks it with the specification's own library
//! (any language's) in a few lines.
//!
//! Headers: `Content-Type: application/json`; `webhook-id: <report id>` (the same for every copy
//! of one report: the receiver drops repeats by it); `webhook-timestamp: <unix seconds>`;
//! `webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">` with the shared secret
//! (`whsec_` and base64, as the specification writes secrets). A receiver refuses a timestamp
//! more than five minutes off, which stops replays. Any 2xx accepts; 408, 429 and 5xx are
//! temporary (with `Retry-After` honoured); any other answer is permanent. Each delivery has
//! 10 s in all.

use std::time::Duration;

use secrecy::{ExposeSecret as _, SecretString};

use crate::Failure;
use crate::message::ForwardedReport;

/// Where to POST, and the secret to sign with (kept out of `Debug` by `SecretString`).
#[derive(Debug, Clone)]
pub struct Webhook {
    url: reqwest::Url,
    secret: SecretString,
    client: reqwest::Client,
}

/// Why a webhook cannot be set up.
#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    /// The URL is not an http or https address.
    #[error("the webhook URL must be an http:// or https:// address")]
    Url,
    /// The secret is not a Standard Webhooks secret.
    #[error(
        "the webhook secret must be `whsec_` followed by 24 to 64 random bytes in base64 (for \
         example `whsec_$(openssl rand -base64 32)`)"
    )]
    Secret,
    /// The HTTP client could not start.
    #[error("the HTTP client could not start: {0}")]
    Client(#[from] reqwest::Error),
}

/// The time limit for a whole delivery.
const TIMEOUT: Duration = Duration::from_secs(10);

/// The lengths of key the specification allows, in bytes.
const KEY_BYTES: std::ops::RangeInclusive<usize> = 24..=64;

impl Webhook {
    /// A webhook to `url`, signed with `secret` (`whsec_…`).
    pub fn new(url: &str, secret: SecretString) -> Result<Self, WebhookError> {
        use base64::Engine as _;
        let url = reqwest::Url::parse(url).map_err(|_| WebhookError::Url)?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(WebhookError::Url);
        }
        let key = secret
            .expose_secret()
            .strip_prefix("whsec_")
            .and_then(|key| base64::engine::general_purpose::STANDARD.decode(key).ok())
            .ok_or(WebhookError::Secret)?;
        if !KEY_BYTES.contains(&key.len()) {
            return Err(WebhookError::Secret);
        }
        // reqwest leaves the choice of cryptography to us; another part of the process may
        // have installed the same one already, which is fine.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .connect_timeout(TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        Ok(Self {
            url,
            secret,
            client,
        })
    }

    /// POSTs `report` and reads the answer.
    pub async fn deliver(&self, report: &ForwardedReport) -> Result<(), Failure> {
        let body = report.document_json()?;
        let id = report.id.to_string();
        let timestamp = time::OffsetDateTime::now_utc().unix_timestamp();
        // The secret was checked when the webhook was made; the body is JSON, so UTF-8.
        let signature = standardwebhooks::Webhook::new(self.secret.expose_secret())
            .and_then(|signer| signer.sign(&id, timestamp, &body))
            .map_err(|error| {
                Failure::permanent(format!("the webhook could not be signed: {error}"))
            })?;
        let answer = self
            .client
            .post(self.url.clone())
            .header("content-type", "application/json")
            .header(standardwebhooks::HEADER_WEBHOOK_ID, id)
            .header(
                standardwebhooks::HEADER_WEBHOOK_TIMESTAMP,
                timestamp.to_string(),
            )
            .header(standardwebhooks::HEADER_WEBHOOK_SIGNATURE, signature)
            .body(body)
            .send()
            .await
            .map_err(|e| {
                Failure::temporary(format!(
                    "the webhook could not be reached: {}",
                    without_url(&e)
                ))
            })?;
        let status = answer.status();
        if status.is_success() {
            return Ok(());
        }
        let reason = format!("the webhook answered {status}");
        if matches!(status.as_u16(), 408 | 429) || status.is_server_error() {
            let retry_after = answer
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
                .map(Duration::from_secs);
            Err(Failure::Temporary {
                reason,
                retry_after,
            })
        } else {
            Err(Failure::permanent(reason))
        }
    }
}

/// An HTTP error's words without the URL, which may hold a token in its query.
fn without_url(error: &reqwest::Error) -> String {
    let kind = if error.is_timeout() {
        "no answer within 10 s"
    } else if error.is_connect() {
        "connection failed"
    } else {
        "the request failed"
    };
    kind.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret(text: &str) -> SecretString {
        SecretString::from(text.to_owned())
    }

    #[test]
    fn only_web_addresses_and_a_standard_secret_make_a_webhook() {
        let good = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        assert!(Webhook::new("ftp://example.test/", secret(good)).is_err());
        assert!(Webhook::new("http://127.0.0.1:9/hook", secret("")).is_err());
        assert!(Webhook::new("http://127.0.0.1:9/hook", secret("a password")).is_err());
        assert!(
            Webhook::new("http://127.0.0.1:9/hook", secret("whsec_c2hvcnQ=")).is_err(),
            "too short"
        );
        assert!(Webhook::new("http://127.0.0.1:9/hook", secret(good)).is_ok());
    }

    #[test]
    fn the_secret_never_shows_in_debug() {
        let good = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let webhook = Webhook::new("http://127.0.0.1:9/hook", secret(good)).expect("webhook");
        let shown = format!("{webhook:?}");
        assert!(!shown.contains("MfKQ9r8G"), "{shown}");
        assert!(shown.contains("127.0.0.1"), "{shown}");
    }
}
