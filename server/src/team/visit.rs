//! What every handler of the team's view starts from ([`Visit`]: the view, the store, who asks
//! from where) and what it does for them: the session, signing in, CSRF, refusals, answers.

use std::sync::Arc;

use app::team::{self as pages, CSRF_FIELD, Member, MessageView};
use axum::{
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{Html, IntoResponse, Redirect, Response},
};
use report_store::{Actor, AuditAction, AuditEntry, ReportStore, Session};

use super::Team;
use super::tokens::{
    SESSION_COOKIE, SIGN_IN_COOKIE, constant_time_eq, cookie, field, return_path, set_cookie,
    token_hash,
};
use super::views::member;
use crate::AppState;
use crate::fixed::{ABSOLUTE_MS, IDLE_MS};

/// What every team handler starts from: the view, the store and who is asking from where.
pub(super) struct Visit {
    pub(super) team: Arc<Team>,
    pub(super) reports: Arc<crate::reports::Reports>,
    pub(super) options: leptos::prelude::LeptosOptions,
    client: Option<std::net::IpAddr>,
    address: String,
}

impl axum::extract::FromRequestParts<AppState> for Visit {
    type Rejection = StatusCode;

    fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &AppState,
    ) -> impl Future<Output = Result<Self, Self::Rejection>> + Send {
        std::future::ready(Self::from_parts(parts, state))
    }
}

/// A [`Visit`] by a signed-in person within their allowance: a handler that takes it runs only
/// for them; anyone else is sent to sign in and come back, or told to wait.
pub(super) struct SignedIn {
    pub(super) visit: Visit,
    pub(super) session: Session,
}

impl axum::extract::FromRequestParts<AppState> for SignedIn {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let visit = Visit::from_parts(parts, state).map_err(IntoResponse::into_response)?;
        let session = visit
            .signed_in(&parts.headers, &parts.uri)
            .await
            .map_err(|response| *response)?;
        Ok(Self { visit, session })
    }
}

impl Visit {
    fn from_parts(
        parts: &axum::http::request::Parts,
        state: &AppState,
    ) -> Result<Self, StatusCode> {
        // The team's routes exist only with the view on.
        let team = state.team.clone().ok_or(StatusCode::NOT_FOUND)?;
        let client = parts
            .extensions
            .get::<crate::serve::Client>()
            .and_then(|crate::serve::Client(ip)| *ip);
        Ok(Self {
            team,
            reports: Arc::clone(&state.reports),
            options: state.leptos_options.clone(),
            client,
            address: client.map_or_else(|| "unknown".to_owned(), |ip| ip.to_string()),
        })
    }

    pub(super) fn store(&self) -> &ReportStore {
        self.reports.store()
    }

    /// The time now by the application's clock.
    pub(super) fn now_ms(&self) -> i64 {
        self.reports.now_ms()
    }

    /// The client as its allowance counts it: its address, an IPv6 one by its /64.
    fn allowance_key(&self) -> String {
        self.client.map_or_else(
            || "unknown".to_owned(),
            |ip| crate::rate_limit::allowance_key(ip).to_string(),
        )
    }

    /// The signed-in session, or the answer that sends the person to sign in and come back to
    /// `uri`.
    pub(super) async fn signed_in(
        &self,
        headers: &HeaderMap,
        uri: &axum::http::Uri,
    ) -> Result<Session, Box<Response>> {
        match self.session(headers).await? {
            Some(session) => self.within_allowance(session),
            None => Err(Box::new(self.sign_in(&return_path(uri)).await)),
        }
    }

    /// `session`, unless its person has asked for more than their allowance just now.
    fn within_allowance(&self, session: Session) -> Result<Session, Box<Response>> {
        let Some(seconds) = self.team.work.wait_for(&session.email) else {
            return Ok(session);
        };
        let wait = format!("Wait {seconds} seconds, then try again.");
        Err(Box::new(too_many(
            self.message(
                StatusCode::TOO_MANY_REQUESTS,
                Some(member(&session)),
                "Too many requests",
                &[
                    "You opened or changed a lot of pages in the last minute.",
                    &wait,
                ],
                None,
            ),
            seconds,
        )))
    }

    /// Writes an audit row about no report (signing in and out, refusals) by `who`, now.
    pub(super) async fn record(
        &self,
        who: &str,
        action: AuditAction,
        detail: Option<String>,
    ) -> Result<(), Box<Response>> {
        let entry = AuditEntry {
            at_ms: self.now_ms(),
            actor: self.actor(who),
            action,
            report: None,
            detail,
        };
        self.store()
            .record(&entry)
            .await
            .map_err(|error| Box::new(self.trouble(&error)))
    }

    pub(super) fn actor(&self, who: &str) -> Actor {
        Actor {
            who: who.to_owned(),
            address: self.address.clone(),
        }
    }

    /// An HTML answer with the team's policy.
    pub(super) fn page(&self, status: StatusCode, html: String) -> Response {
        (
            status,
            [(header::CONTENT_SECURITY_POLICY, self.team.csp.clone())],
            Html(html),
        )
            .into_response()
    }

    /// A page that only says something: a heading, lines and a link onwards.
    pub(super) fn message(
        &self,
        status: StatusCode,
        member: Option<Member>,
        title: &str,
        lines: &[&str],
        link: Option<(&str, &str)>,
    ) -> Response {
        self.page(
            status,
            pages::message_page(
                &self.options,
                MessageView {
                    member,
                    title: title.to_owned(),
                    lines: lines.iter().map(|line| (*line).to_owned()).collect(),
                    link: link.map(|(href, words)| (href.to_owned(), words.to_owned())),
                },
            ),
        )
    }

    /// The answer when the database fails: logged, and a plain apology.
    pub(super) fn trouble(&self, error: &dyn std::fmt::Display) -> Response {
        tracing::error!(%error, "the team's view could not read or write the report database");
        self.message(
            StatusCode::SERVICE_UNAVAILABLE,
            None,
            "Sorry, there is a problem with the service",
            &["The reports cannot be read just now. Try again in a few minutes."],
            None,
        )
    }

    /// The signed-in session of `headers`, seen now; `None` if there is none or it has ended.
    pub(super) async fn session(
        &self,
        headers: &HeaderMap,
    ) -> Result<Option<Session>, Box<Response>> {
        let Some(token) = cookie(headers, SESSION_COOKIE) else {
            return Ok(None);
        };
        self.store()
            .touch_session(&token_hash(&token), self.now_ms(), IDLE_MS, ABSOLUTE_MS)
            .await
            .map_err(|error| Box::new(self.trouble(&error)))
    }

    /// The answer when this client has started (or had refused) too many sign-ins just now.
    fn too_many_sign_ins(&self) -> Option<Response> {
        let seconds = self.team.limiter.wait_for(self.client)?;
        let wait = format!("Try again in {seconds} seconds.");
        Some(too_many(
            self.message(
                StatusCode::TOO_MANY_REQUESTS,
                None,
                "Too many sign-ins",
                &[
                    "Too many sign-ins were started from this network just now.",
                    &wait,
                ],
                Some((pages::TEAM_PATH, "Try again")),
            ),
            seconds,
        ))
    }

    /// Writes a refusal to the audit trail (`who` if known) with its reason, then gives
    /// `answer`; a client over its sign-in allowance gets 429 and writes nothing.
    pub(super) async fn refuse(
        &self,
        who: Option<&str>,
        reason: &str,
        answer: Response,
    ) -> Response {
        if let Some(too_many) = self.too_many_sign_ins() {
            return too_many;
        }
        tracing::warn!(address = %self.address, reason, "refused in the team's view");
        let who = who.unwrap_or(UNKNOWN_PERSON);
        match self
            .record(who, AuditAction::Refused, Some(reason.to_owned()))
            .await
        {
            Ok(()) => answer,
            Err(response) => *response,
        }
    }

    /// Sends the person to the identity provider, to come back to `return_to`.
    pub(super) async fn sign_in(&self, return_to: &str) -> Response {
        if let Some(too_many) = self.too_many_sign_ins() {
            return too_many;
        }
        match self
            .team
            .provider
            .begin(return_to, self.allowance_key(), self.now_ms())
            .await
        {
            Ok((url, pending)) => {
                if let Err(error) = self.store().begin_sign_in(&pending).await {
                    return self.trouble(&error);
                }
                let mut response = Redirect::to(&url).into_response();
                set_cookie(
                    &mut response,
                    SIGN_IN_COOKIE,
                    &pending.state,
                    report_store::SIGN_IN_LIMIT_MS / 1000,
                );
                response
            }
            Err(error) => {
                tracing::error!(%error, "sign-in could not start");
                self.message(
                    StatusCode::BAD_GATEWAY,
                    None,
                    "Sign-in is not available just now",
                    &["The organisation's sign-in service cannot be reached. Try again in a few minutes."],
                    Some((pages::TEAM_PATH, "Try again")),
                )
            }
        }
    }

    /// The session of a form post, if it is still signed in and carries its CSRF token; else
    /// the answer that does nothing (sign in again, or 403).
    pub(super) async fn posted(
        &self,
        headers: &HeaderMap,
        form: &[(String, String)],
        return_to: &str,
    ) -> Result<Session, Box<Response>> {
        let Some(session) = self.session(headers).await? else {
            return Err(Box::new(self.sign_in(return_to).await));
        };
        self.with_csrf(session, form, return_to).await
    }

    /// `session`, if the form carries its CSRF token and the person is within their allowance;
    /// else the refusal, written to the audit trail.
    async fn with_csrf(
        &self,
        session: Session,
        form: &[(String, String)],
        return_to: &str,
    ) -> Result<Session, Box<Response>> {
        let session = self.within_allowance(session)?;
        self.csrf_checked(session, form, return_to).await
    }

    /// `session`, if the posted `form` carries its CSRF token; otherwise the refusal, audited.
    /// Spends no allowance: signing out must work however busy the person has been.
    pub(super) async fn csrf_checked(
        &self,
        session: Session,
        form: &[(String, String)],
        return_to: &str,
    ) -> Result<Session, Box<Response>> {
        let given = field(form, CSRF_FIELD).unwrap_or_default();
        if constant_time_eq(given.as_bytes(), session.csrf.as_bytes()) {
            return Ok(session);
        }
        let answer = self.message(
            StatusCode::FORBIDDEN,
            Some(member(&session)),
            "This form could not be used",
            &[
                "It did not come from this page as you last saw it, so nothing was done.",
                "Go back to the report, reload it and try again.",
            ],
            Some((return_to, "Go back to the report")),
        );
        Err(Box::new(
            self.refuse(
                Some(&session.email),
                "a form without its CSRF token",
                answer,
            )
            .await,
        ))
    }
}

/// Who an audit row names when the person is not known (a sign-in that proved no one).
const UNKNOWN_PERSON: &str = "unknown";

/// `response` with `Retry-After: seconds`.
fn too_many(mut response: Response, seconds: u64) -> Response {
    if let Ok(value) = HeaderValue::from_str(&seconds.to_string()) {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}

/// The answer for a team address that cannot be anything: a reference of the wrong shape, or an
/// action there is not.
pub(super) fn no_such_page(visit: &Visit) -> Response {
    visit.message(
        StatusCode::NOT_FOUND,
        None,
        "Page not found",
        &["There is no such page in the team's view."],
        Some((pages::TEAM_PATH, "All reports")),
    )
}
