//! Signing in to the team's view with the organisation's identity provider: OpenID Connect's
//! authorization code flow with PKCE and a nonce (the `openidconnect` crate), and signing out
//! there too (RP-initiated logout) where the provider offers it.
//!
//! The provider's discovery document and keys are read on the first sign-in and kept: a provider
//! that cannot be reached then is asked again on the next one, so the server starts without it.
//! They follow the provider: the discovery document is read again once it is
//! [`DISCOVERY_KEPT`] old, and a token signed with a key we do not know (the provider rotated its
//! keys) has the key set read again, at most once every [`KEYS_REFETCH_EVERY`]. One read at a time
//! is shared by every sign-in waiting for it, and each waits at most [`PROVIDER_TIMEOUT`], so a
//! provider that hangs makes sign-ins fail together, not one after another.

use std::sync::Arc;

use tokio::time::Instant;

use openidconnect::core::{CoreAuthenticationFlow, CoreClient};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointMaybeSet, EndpointNotSet,
    EndpointSet, IssuerUrl, LogoutRequest, Nonce, PkceCodeChallenge, PkceCodeVerifier,
    PostLogoutRedirectUrl, ProviderMetadataWithLogout, RedirectUrl, Scope, TokenResponse as _,
};
use report_store::PendingSignIn;
use secrecy::ExposeSecret as _;
use tokio::sync::{Mutex, RwLock};

use crate::config::TeamSettings;
use crate::fixed::{ANSWER_LIMIT, DISCOVERY_KEPT, KEYS_REFETCH_EVERY, PROVIDER_TIMEOUT};

/// Where the provider sends people back to, under the public address.
pub const SIGNED_IN_PATH: &str = "/team/signed-in";
/// Where the provider sends people after signing out there.
pub const SIGNED_OUT_PATH: &str = "/team/signed-out";

type Client = CoreClient<
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// Why signing in failed.
#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    /// The provider could not be reached, or answered in a way we cannot use.
    #[error("the identity provider could not be used: {0}")]
    Provider(String),
    /// The provider's answer did not prove who the person is.
    #[error("the identity provider's answer was not valid: {0}")]
    Invalid(String),
    /// The ID token has no email address.
    #[error("the ID token has no email address")]
    NoEmail,
    /// The provider has not said that the email address is verified.
    #[error("the identity provider has not verified the email address")]
    Unverified,
}

impl SignInError {
    /// Why, in a few words for the audit trail (never the provider's message).
    pub fn reason(&self) -> &'static str {
        match self {
            Self::Provider(_) => "the identity provider could not be used",
            Self::Invalid(_) => "the identity provider's answer was not valid",
            Self::NoEmail => "the ID token has no email address",
            Self::Unverified => "the email address is not verified",
        }
    }
}

/// Who the provider says signed in.
#[derive(Debug, Clone)]
pub struct Identity {
    /// The provider's own identifier for them (`sub`), which never changes.
    pub subject: String,
    /// Their email address (ASCII lower case: see [`super::email_key`]).
    pub email: String,
    /// Their name, or their email when the provider gives none.
    pub name: String,
    /// The groups or roles in the claim the settings name.
    pub groups: Vec<String>,
    /// The ID token, for signing out at the provider.
    pub id_token: String,
}

/// The identity provider, as this service uses it.
#[derive(Debug)]
pub struct Provider {
    settings: TeamSettings,
    known: RwLock<Option<Known>>,
    /// Held while the provider is read, so that one read serves every sign-in waiting.
    reading: Mutex<()>,
    http: Http,
}

/// What was read from the provider, and when.
#[derive(Debug, Clone)]
struct Known {
    metadata: Arc<ProviderMetadataWithLogout>,
    discovered_at: Instant,
    /// When the key set was last read again for an unknown key.
    keys_refetched_at: Option<Instant>,
}

/// Whether the key set may be read again at `now` for a token with an unknown key, when it was
/// last read again for one at `last`.
fn may_refetch_keys(last: Option<Instant>, now: Instant) -> bool {
    last.is_none_or(|last| now.duration_since(last) >= KEYS_REFETCH_EVERY)
}

/// The HTTP client the provider is asked with (reqwest, no redirects, a time limit).
#[derive(Debug)]
struct Http(reqwest::Client);

/// Why a call to the provider got no usable answer.
#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    /// The request failed or timed out.
    #[error(transparent)]
    Request(#[from] reqwest::Error),
    /// The answer was over [`ANSWER_LIMIT`].
    #[error("the identity provider's answer is over {ANSWER_LIMIT} bytes")]
    TooLarge,
}

impl<'c> openidconnect::AsyncHttpClient<'c> for Http {
    type Error = HttpError;
    type Future = std::pin::Pin<
        Box<dyn Future<Output = Result<openidconnect::HttpResponse, Self::Error>> + Send + 'c>,
    >;

    fn call(&'c self, request: openidconnect::HttpRequest) -> Self::Future {
        Box::pin(async move {
            let mut response = self.0.execute(request.try_into()?).await?;
            let mut answer = openidconnect::http::Response::builder().status(response.status());
            if let Some(headers) = answer.headers_mut() {
                headers.extend(response.headers().clone());
            }
            let mut body = Vec::new();
            while let Some(chunk) = response.chunk().await? {
                if body.len() + chunk.len() > ANSWER_LIMIT {
                    return Err(HttpError::TooLarge);
                }
                body.extend_from_slice(&chunk);
            }
            // The builder was given only a status and headers that reqwest already checked.
            Ok(answer
                .body(body)
                .unwrap_or_else(|_| openidconnect::http::Response::new(Vec::new())))
        })
    }
}

impl Provider {
    /// Sets up sign-in with these settings; nothing is asked of the provider yet.
    pub fn new(settings: TeamSettings) -> anyhow::Result<Self> {
        // reqwest leaves the choice of cryptography to us; another part of the process may have
        // installed the same one already, which is fine.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .timeout(PROVIDER_TIMEOUT)
            .connect_timeout(PROVIDER_TIMEOUT)
            // The provider's endpoints answer directly; following a redirect could send the
            // code or secret elsewhere.
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        Ok(Self {
            settings,
            known: RwLock::new(None),
            reading: Mutex::new(()),
            http: Http(http),
        })
    }

    /// The settings it was made with.
    pub fn settings(&self) -> &TeamSettings {
        &self.settings
    }

    /// The provider's origin (`https://idp.example.org`), which the team pages' forms may lead
    /// to (signing out there).
    pub fn origin(&self) -> String {
        openidconnect::url::Url::parse(&self.settings.issuer)
            .map(|url| url.origin().ascii_serialization())
            .unwrap_or_default()
    }

    /// The discovery document and keys, read now if they were never read or are too old.
    async fn metadata(&self) -> Result<Arc<ProviderMetadataWithLogout>, SignInError> {
        let asked = Instant::now();
        if let Some(known) = self.known.read().await.as_ref()
            && asked.duration_since(known.discovered_at) < DISCOVERY_KEPT
        {
            return Ok(Arc::clone(&known.metadata));
        }
        self.read_provider(
            asked,
            |known| known.filter(|known| known.discovered_at >= asked).cloned(),
            |_| self.discover(),
        )
        .await
        .map(|known| known.metadata)
    }

    /// Reads the discovery document and, with it, the key set.
    async fn discover(&self) -> Result<Known, SignInError> {
        let issuer = IssuerUrl::new(self.settings.issuer.clone())
            .map_err(|e| SignInError::Provider(e.to_string()))?;
        let metadata = ProviderMetadataWithLogout::discover_async(issuer, &self.http)
            .await
            .map_err(|e| SignInError::Provider(error_chain(&e)))?;
        Ok(Known {
            metadata: Arc::new(metadata),
            discovered_at: Instant::now(),
            keys_refetched_at: None,
        })
    }

    /// Reads the key set again after a token came with a key it did not hold, unless that was
    /// done less than [`KEYS_REFETCH_EVERY`] ago; `Ok(None)` when it was not read.
    async fn refetch_keys(&self) -> Result<Option<Arc<ProviderMetadataWithLogout>>, SignInError> {
        let asked = Instant::now();
        let known = self
            .read_provider(
                asked,
                |known| {
                    // Someone else read them while this sign-in waited, or it is too soon.
                    known
                        .filter(|known| {
                            known.keys_refetched_at.is_some_and(|at| at >= asked)
                                || !may_refetch_keys(known.keys_refetched_at, asked)
                        })
                        .cloned()
                },
                |known| async move {
                    let Some(known) = known else {
                        return self.discover().await;
                    };
                    let mut metadata = (*known.metadata).clone();
                    let keys = openidconnect::core::CoreJsonWebKeySet::fetch_async(
                        metadata.jwks_uri(),
                        &self.http,
                    )
                    .await
                    .map_err(|e| SignInError::Provider(error_chain(&e)))?;
                    metadata = metadata.set_jwks(keys);
                    Ok(Known {
                        metadata: Arc::new(metadata),
                        discovered_at: known.discovered_at,
                        keys_refetched_at: Some(Instant::now()),
                    })
                },
            )
            .await?;
        Ok(known
            .keys_refetched_at
            .is_some_and(|at| at >= asked)
            .then_some(known.metadata))
    }

    /// One read of the provider at a time, shared: waits (at most [`PROVIDER_TIMEOUT`]) for the
    /// read in progress; then `settled` says whether what is known now will do, else `read`
    /// reads it.
    async fn read_provider<F, Fut>(
        &self,
        asked: Instant,
        settled: impl Fn(Option<&Known>) -> Option<Known>,
        read: F,
    ) -> Result<Known, SignInError>
    where
        F: FnOnce(Option<Known>) -> Fut,
        Fut: Future<Output = Result<Known, SignInError>>,
    {
        let waited = tokio::time::timeout_at(asked + PROVIDER_TIMEOUT, async {
            let _reading = self.reading.lock().await;
            let known = self.known.read().await.clone();
            if let Some(known) = settled(known.as_ref()) {
                return Ok(known);
            }
            let fresh = read(known).await?;
            *self.known.write().await = Some(fresh.clone());
            Ok(fresh)
        })
        .await;
        waited.unwrap_or_else(|_| {
            Err(SignInError::Provider(
                "the identity provider did not answer in time".to_owned(),
            ))
        })
    }

    async fn client(&self) -> Result<Client, SignInError> {
        let metadata = self.metadata().await?;
        self.client_with(&metadata)
    }

    fn client_with(&self, metadata: &ProviderMetadataWithLogout) -> Result<Client, SignInError> {
        let metadata = metadata.clone();
        let redirect = RedirectUrl::new(format!("{}{SIGNED_IN_PATH}", self.settings.public_url))
            .map_err(|e| SignInError::Provider(e.to_string()))?;
        Ok(CoreClient::from_provider_metadata(
            metadata,
            ClientId::new(self.settings.client_id.clone()),
            self.settings
                .client_secret
                .as_ref()
                .map(|secret| ClientSecret::new(secret.expose_secret().to_owned())),
        )
        .set_redirect_uri(redirect))
    }

    /// Where to send a person to sign in, and what to remember until they come back.
    /// `started_by` names the client as its allowance counts it.
    pub async fn begin(
        &self,
        return_to: &str,
        started_by: String,
        now_ms: i64,
    ) -> Result<(String, PendingSignIn), SignInError> {
        let client = self.client().await?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (url, state, nonce) = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .add_scope(Scope::new("email".to_owned()))
            .add_scope(Scope::new("profile".to_owned()))
            .set_pkce_challenge(challenge)
            .url();
        Ok((
            url.to_string(),
            PendingSignIn {
                state: state.secret().clone(),
                verifier: verifier.secret().clone(),
                nonce: nonce.secret().clone(),
                return_to: return_to.to_owned(),
                created_at_ms: now_ms,
                started_by,
            },
        ))
    }

    /// Exchanges the code the provider sent back for tokens, and checks the ID token (its
    /// signature, issuer, audience, expiry and our nonce). A token signed with a key we do not
    /// hold has the provider's keys read again before it is refused.
    pub async fn finish(
        &self,
        code: String,
        pending: &PendingSignIn,
    ) -> Result<Identity, SignInError> {
        let client = self.client().await?;
        let tokens = client
            .exchange_code(AuthorizationCode::new(code))
            .map_err(|e| SignInError::Provider(e.to_string()))?
            .set_pkce_verifier(PkceCodeVerifier::new(pending.verifier.clone()))
            .request_async(&self.http)
            .await
            .map_err(|e| SignInError::Invalid(error_chain(&e)))?;
        let id_token = tokens
            .id_token()
            .ok_or_else(|| SignInError::Invalid("no ID token".to_owned()))?;
        let nonce = Nonce::new(pending.nonce.clone());
        let claims = match id_token.claims(&client.id_token_verifier(), &nonce) {
            Err(openidconnect::ClaimsVerificationError::SignatureVerification(_)) => {
                let Some(metadata) = self.refetch_keys().await? else {
                    return Err(SignInError::Invalid(
                        "the ID token's signature did not verify".to_owned(),
                    ));
                };
                let client = self.client_with(&metadata)?;
                id_token
                    .claims(&client.id_token_verifier(), &nonce)
                    .map_err(|e| SignInError::Invalid(e.to_string()))?
                    .clone()
            }
            claims => claims
                .map_err(|e| SignInError::Invalid(e.to_string()))?
                .clone(),
        };
        let email = claims
            .email()
            .map(|email| super::email_key(email.as_str()))
            .ok_or(SignInError::NoEmail)?;
        let verified = claims
            .email_verified()
            .unwrap_or(self.settings.email_verified_not_sent);
        if !verified {
            return Err(SignInError::Unverified);
        }
        let name = claims
            .name()
            .and_then(|names| names.get(None))
            .map_or_else(|| email.clone(), |name| name.as_str().to_owned());
        let token = id_token.to_string();
        Ok(Identity {
            subject: claims.subject().as_str().to_owned(),
            groups: groups(&token, &self.settings.allowed.claim),
            email,
            name,
            id_token: token,
        })
    }

    /// Where to send a person who signed out here so that they are signed out at the provider
    /// too, if it offers that; they come back to [`SIGNED_OUT_PATH`].
    pub async fn sign_out_url(&self, id_token: Option<&str>) -> Option<String> {
        let metadata = self.metadata().await.ok()?;
        let endpoint = metadata
            .additional_metadata()
            .end_session_endpoint
            .clone()?;
        let back =
            PostLogoutRedirectUrl::new(format!("{}{SIGNED_OUT_PATH}", self.settings.public_url))
                .ok()?;
        let mut request = LogoutRequest::from(endpoint)
            .set_client_id(ClientId::new(self.settings.client_id.clone()))
            .set_post_logout_redirect_uri(back);
        if let Some(token) = id_token.and_then(|token| token.parse().ok()) {
            let token: openidconnect::core::CoreIdToken = token;
            request = request.set_id_token_hint(&token);
        }
        Some(request.http_get_url().to_string())
    }
}

/// The groups or roles in claim `claim` of a verified ID token: a list of strings or one string.
/// (The `openidconnect` crate's standard claims do not include them; the token was verified
/// before this reads its payload.)
fn groups(id_token: &str, claim: &str) -> Vec<String> {
    use base64::Engine as _;
    let payload = id_token
        .split('.')
        .nth(1)
        .and_then(|part| {
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(part)
                .ok()
        })
        .and_then(|bytes| serde_json::from_slice::<serde_json::Value>(&bytes).ok());
    match payload.as_ref().and_then(|claims| claims.get(claim)) {
        Some(serde_json::Value::Array(values)) => values
            .iter()
            .filter_map(|value| value.as_str().map(str::to_owned))
            .collect(),
        Some(serde_json::Value::String(value)) => vec![value.clone()],
        _ => Vec::new(),
    }
}

/// An error with its causes, for the log (never shown to the person).
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn the_keys_are_read_again_for_an_unknown_key_at_most_once_a_minute() {
        let start = Instant::now();
        assert!(may_refetch_keys(None, start));
        assert!(!may_refetch_keys(Some(start), start));
        assert!(!may_refetch_keys(
            Some(start),
            start + KEYS_REFETCH_EVERY - Duration::from_millis(1)
        ));
        assert!(may_refetch_keys(Some(start), start + KEYS_REFETCH_EVERY));
    }
}
