//! The service desk's tools: an HTTP POST of the report as JSON, signed so the receiver can
//! check it came from us and is fresh.
//!
//! Headers: `Content-Type: application/json`; `Idempotency-Key: "<report id>"` (the same for
//! every copy of one report); `Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>`, where the
//! HMAC is over `<t>.<body>` with the shared secret, as GitHub's and Stripe's webhooks sign
//! theirs. A receiver recomputes it, compares in constant time, and refuses a `t` older than a
//! few minutes, which stops replays. Any 2xx accepts; 408, 429 and 5xx are temporary (with
//! `Retry-After` honoured); any other answer is permanent. Each delivery has 10 s in all.

use std::time::Duration;

use hmac::{Hmac, Mac as _};
use sha2::Sha256;

use crate::Failure;
use crate::message::{ForwardedReport, idempotency_key};

/// Where to POST, and the secret to sign with.
#[derive(Clone)]
pub struct Webhook {
    url: reqwest::Url,
    secret: Vec<u8>,
    client: reqwest::Client,
}

impl std::fmt::Debug for Webhook {
    // Never show the secret.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Webhook")
            .field("url", &self.url.as_str())
            .finish_non_exhaustive()
    }
}

/// Why a webhook cannot be set up.
#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    /// The URL is not an http or https address.
    #[error("the webhook URL must be an http:// or https:// address")]
    Url,
    /// The secret is empty.
    #[error("the webhook secret must not be empty")]
    NoSecret,
    /// The HTTP client could not start.
    #[error("the HTTP client could not start: {0}")]
    Client(#[from] reqwest::Error),
}

/// The time limit for a whole delivery.
const TIMEOUT: Duration = Duration::from_secs(10);

impl Webhook {
    /// A webhook to `url`, signed with `secret`.
    pub fn new(url: &str, secret: Vec<u8>) -> Result<Self, WebhookError> {
        let url = reqwest::Url::parse(url).map_err(|_| WebhookError::Url)?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(WebhookError::Url);
        }
        if secret.is_empty() {
            return Err(WebhookError::NoSecret);
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
        let body = report.document_json();
        let timestamp = time::OffsetDateTime::now_utc().unix_timestamp();
        let answer = self
            .client
            .post(self.url.clone())
            .header("content-type", "application/json")
            .header("idempotency-key", idempotency_key(report.id))
            .header("signature", signature(&self.secret, timestamp, &body))
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

/// The `Signature` header's value for `body` sent at `timestamp`.
pub fn signature(secret: &[u8], timestamp: i64, body: &[u8]) -> String {
    format!(
        "t={timestamp},v1={}",
        hex::encode(sign(secret, timestamp, body))
    )
}

/// Checks a `Signature` header as a receiver does: the HMAC must match (compared in constant
/// time) and `t` be within `tolerance` of `now`.
pub fn verify(secret: &[u8], header: &str, body: &[u8], now: i64, tolerance: i64) -> bool {
    let mut timestamp = None;
    let mut given = None;
    for part in header.split(',') {
        match part.split_once('=') {
            Some(("t", t)) => timestamp = t.parse::<i64>().ok(),
            Some(("v1", v)) => given = hex::decode(v).ok(),
            _ => {}
        }
    }
    let (Some(timestamp), Some(given)) = (timestamp, given) else {
        return false;
    };
    // `abs_diff` cannot overflow, whatever `t` a sender puts in the header.
    if now.abs_diff(timestamp) > tolerance.unsigned_abs() {
        return false;
    }
    mac(secret, timestamp, body).verify_slice(&given).is_ok()
}

fn mac(secret: &[u8], timestamp: i64, body: &[u8]) -> Hmac<Sha256> {
    // HMAC takes a key of any length, so this cannot fail.
    let mut mac = <Hmac<Sha256> as hmac::Mac>::new_from_slice(secret)
        .unwrap_or_else(|_| unreachable!("HMAC accepts any key length"));
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

fn sign(secret: &[u8], timestamp: i64, body: &[u8]) -> Vec<u8> {
    mac(secret, timestamp, body)
        .finalize()
        .into_bytes()
        .to_vec()
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

    #[test]
    fn a_signature_verifies_with_the_right_secret_only_and_only_while_fresh() {
        let body = br#"{"id":"x"}"#;
        let header = signature(b"secret", 1_000, body);
        assert!(header.starts_with("t=1000,v1="));
        assert!(verify(b"secret", &header, body, 1_100, 300));
        assert!(!verify(b"wrong", &header, body, 1_100, 300));
        assert!(!verify(b"secret", &header, b"{}", 1_100, 300));
        assert!(
            !verify(b"secret", &header, body, 2_000, 300),
            "too old: a replay"
        );
        assert!(!verify(b"secret", "t=1000,v1=zz", body, 1_000, 300));
    }

    #[test]
    fn only_web_addresses_and_a_secret_make_a_webhook() {
        assert!(Webhook::new("ftp://example.test/", b"s".to_vec()).is_err());
        assert!(Webhook::new("http://127.0.0.1:9/hook", Vec::new()).is_err());
        assert!(Webhook::new("http://127.0.0.1:9/hook", b"s".to_vec()).is_ok());
    }
}
