//! The team's view: `/team`, where the people who receive reports see, acknowledge and close
//! them and retry a held-back delivery, signed in with the organisation's identity provider
//! ([`sign_in`]). Off (404) unless the identity provider is set.
//!
//! - Sessions live in the report database, so every instance behind a load balancer honours
//!   them: the cookie (`__Host-`, Secure, HttpOnly, SameSite=Lax) holds a random token, the
//!   database its SHA-256. A session ends after [`IDLE_MS`] without a request, [`ABSOLUTE_MS`]
//!   after signing in, or at "Sign out".
//! - Every form carries the session's CSRF token; a post without it is refused (403) and does
//!   nothing. A post whose session has ended does nothing either: the person signs in again
//!   and comes back to the report.
//! - Every view of a report and every action is written to the audit trail first (who, when,
//!   what, from which address), and so is every refusal (a sign-in the provider did not prove or
//!   the list does not admit, a form without its CSRF token); a stranger's refusals spend their
//!   address's sign-in allowance, so they cannot fill the trail.
//! - Signing out never signs anyone in: with or without a live session it ends at the provider's
//!   logout or the signed-out page.
//! - A reference or sign-in state is checked for its shape before it is used anywhere: anything
//!   else is 404 (or "Sign in again"), never a database error.
//! - Every answer is `Cache-Control: no-store` (`headers`), has no scripts, and may send a form
//!   only here or to the identity provider (signing out there).

pub mod sign_in;

use std::sync::Arc;

use app::team::{
    self as pages, AuditRow, CSRF_FIELD, DeliveryRow, ListRow, ListView, Member, MessageView,
    NOTE_LIMIT, Outcome, ReportView, TrailCheck,
};
use axum::{
    Form, Router,
    extract::{Path, Query},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{Html, IntoResponse, Redirect, Response},
    routing::{get, post},
};
use incident_report::progress::{PassedOn, TeamState};
use report_store::{Actor, AuditAction, AuditCheck, AuditEntry, Changed, ReportStore, Session};
use sha2::{Digest as _, Sha256};

use crate::AppState;
use sign_in::{Identity, Provider, SIGNED_IN_PATH, SIGNED_OUT_PATH};

/// A session ends after 30 minutes without a request.
pub const IDLE_MS: i64 = 30 * 60 * 1000;
/// A session ends 8 hours after signing in, however busy.
pub const ABSOLUTE_MS: i64 = 8 * 60 * 60 * 1000;
/// The session cookie.
const SESSION_COOKIE: &str = "__Host-lost-device-team";
/// The cookie that ties a sign-in to the browser that began it.
const SIGN_IN_COOKIE: &str = "__Host-lost-device-sign-in";
/// The most reports the list shows.
const LIST_LIMIT: u32 = 200;
/// Pages and actions a signed-in person may ask for in a minute (each writes an audit row).
const WORK_PER_MINUTE: std::num::NonZeroU32 = std::num::NonZeroU32::MIN.saturating_add(119);
/// The largest form the team's view takes.
pub const FORM_LIMIT: usize = 16 * 1024;

/// Who may enter the team's view.
#[derive(Debug, Clone)]
pub struct Allowed {
    /// Email addresses, lower case.
    pub emails: Vec<String>,
    /// A group or role in claim `claim`.
    pub group: Option<String>,
    /// The ID token claim listing groups or roles.
    pub claim: String,
}

/// An email address as it is compared and kept: ASCII letters lower-cased, nothing else changed.
/// Full Unicode lower-casing would make another address equal to one on the list (the Kelvin
/// sign `K` lower-cases to `k`).
pub fn email_key(email: &str) -> String {
    email.to_ascii_lowercase()
}

impl Allowed {
    /// Whether `identity` may enter: their email is on the list, or they have the group.
    pub fn admits(&self, identity: &Identity) -> bool {
        self.emails.contains(&identity.email)
            || self
                .group
                .as_ref()
                .is_some_and(|group| identity.groups.contains(group))
    }
}

/// The team's view, as the router holds it.
#[derive(Debug)]
pub struct Team {
    provider: Provider,
    csp: HeaderValue,
    /// Sign-ins started, and refused, per client address: each writes a row.
    limiter: crate::rate_limit::Limiter,
    /// Pages and actions per signed-in person.
    work: crate::rate_limit::PerPerson,
    /// The last walk of the whole audit trail, and when it was made.
    trail: tokio::sync::Mutex<Option<(tokio::time::Instant, TrailCheck)>>,
}

/// How long the result of a walk of the whole audit trail is shown before the trail is walked
/// again (each walk reads every row).
const TRAIL_CHECKED_EVERY: std::time::Duration = std::time::Duration::from_mins(1);

impl Team {
    /// Sets up the view with the identity provider `provider`; `limiter` counts the sign-ins
    /// each client starts.
    pub fn new(provider: Provider, limiter: crate::rate_limit::Limiter) -> Self {
        let policy = format!(
            "default-src 'self'; script-src 'none'; style-src 'self'; img-src 'self' data:; \
             object-src 'none'; base-uri 'none'; frame-ancestors 'none'; \
             form-action 'self' {}",
            provider.origin()
        );
        Self {
            provider,
            limiter,
            work: crate::rate_limit::PerPerson::new(WORK_PER_MINUTE),
            trail: tokio::sync::Mutex::new(None),
            csp: HeaderValue::from_str(&policy)
                .unwrap_or(HeaderValue::from_static("default-src 'self'")),
        }
    }

    /// The sign-in rate limit, for the server to forget quiet clients.
    pub fn limiter(&self) -> &crate::rate_limit::Limiter {
        &self.limiter
    }

    /// What a walk of the whole audit trail found, at most [`TRAIL_CHECKED_EVERY`] ago (one walk
    /// at a time); a trail found changed is logged each time it is walked.
    async fn trail_check(&self, store: &ReportStore) -> TrailCheck {
        let mut last = self.trail.lock().await;
        let now = tokio::time::Instant::now();
        if let Some((at, check)) = *last
            && now.duration_since(at) < TRAIL_CHECKED_EVERY
        {
            return check;
        }
        let check = log_trail_check(store.check_audit_trail().await);
        *last = Some((now, check));
        check
    }

    /// The signed-in people's rate limit, for the server to forget quiet people.
    pub fn work_limiter(&self) -> &crate::rate_limit::PerPerson {
        &self.work
    }
}

/// The team's routes; none when the view is off (no `team`).
pub fn routes(team: Option<&Team>) -> Router<AppState> {
    if team.is_none() {
        return Router::new();
    }
    Router::new()
        .route(pages::TEAM_PATH, get(list_show))
        .route("/team/reports/{reference}", get(report_show))
        .route("/team/reports/{reference}/{action}", post(report_act))
        .route(SIGNED_IN_PATH, get(signed_in))
        .route(pages::SIGN_OUT_PATH, post(sign_out))
        .route(SIGNED_OUT_PATH, get(signed_out))
        .layer(axum::extract::DefaultBodyLimit::max(FORM_LIMIT))
}

/// What every team handler starts from: the view, the store and who is asking from where.
struct Visit {
    team: Arc<Team>,
    reports: Arc<crate::reports::Reports>,
    options: leptos::prelude::LeptosOptions,
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

    fn store(&self) -> &ReportStore {
        self.reports.store()
    }

    /// The time now by the application's clock.
    fn now_ms(&self) -> i64 {
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
    async fn signed_in(
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
    async fn record(
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

    fn actor(&self, who: &str) -> Actor {
        Actor {
            who: who.to_owned(),
            address: self.address.clone(),
        }
    }

    /// An HTML answer with the team's policy.
    fn page(&self, status: StatusCode, html: String) -> Response {
        (
            status,
            [(header::CONTENT_SECURITY_POLICY, self.team.csp.clone())],
            Html(html),
        )
            .into_response()
    }

    /// A page that only says something: a heading, lines and a link onwards.
    fn message(
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
    fn trouble(&self, error: &dyn std::fmt::Display) -> Response {
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
    async fn session(&self, headers: &HeaderMap) -> Result<Option<Session>, Box<Response>> {
        let Some(token) = cookie(headers, SESSION_COOKIE) else {
            return Ok(None);
        };
        self.store()
            .touch_session(&token_hash(token), self.now_ms(), IDLE_MS, ABSOLUTE_MS)
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
    async fn refuse(&self, who: Option<&str>, reason: &str, answer: Response) -> Response {
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
    async fn sign_in(&self, return_to: &str) -> Response {
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
    async fn posted(
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
    async fn csrf_checked(
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

/// What a walk of the audit trail found, as the team's pages show it, logged (an error when the
/// trail was changed or could not be read).
pub fn log_trail_check(walked: Result<AuditCheck, report_store::StoreError>) -> TrailCheck {
    match walked {
        Ok(AuditCheck::Intact { rows }) => {
            tracing::info!(rows, "the audit trail is intact");
            TrailCheck::Intact { rows }
        }
        Ok(AuditCheck::ChangedAt { seq }) => {
            tracing::error!(
                seq,
                "the audit trail was changed: this row no longer follows the rows before it"
            );
            TrailCheck::ChangedAt { seq }
        }
        Ok(AuditCheck::Shortened { rows, seen }) => {
            tracing::error!(
                rows,
                seen,
                "the audit trail has lost its newest entries: it has fewer than an earlier check found"
            );
            TrailCheck::Shortened { rows, seen }
        }
        Err(error) => {
            tracing::error!(%error, "the audit trail could not be checked");
            TrailCheck::NotChecked
        }
    }
}

fn member(session: &Session) -> Member {
    Member {
        name: session.name.clone(),
        csrf: session.csrf.clone(),
    }
}

#[derive(Debug, serde::Deserialize)]
struct ListQuery {
    state: Option<String>,
    reference: Option<String>,
}

async fn list_show(
    visit: Visit,
    Query(query): Query<ListQuery>,
    headers: HeaderMap,
    uri: axum::http::Uri,
) -> Response {
    let session = match visit.signed_in(&headers, &uri).await {
        Ok(session) => session,
        Err(response) => return *response,
    };
    let filter = query
        .state
        .as_deref()
        .and_then(|s| s.parse::<TeamState>().ok());
    // Only what a reference can hold reaches the database.
    let search = query
        .reference
        .as_deref()
        .unwrap_or_default()
        .trim()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .take(40)
        .collect::<String>()
        .to_ascii_uppercase();
    let found = visit
        .store()
        .list(
            if search.is_empty() { filter } else { None },
            (!search.is_empty()).then_some(search.as_str()),
            LIST_LIMIT + 1,
        )
        .await;
    let mut summaries = match found {
        Ok(found) => found,
        Err(error) => return visit.trouble(&error),
    };
    let more = summaries.len() > LIST_LIMIT as usize;
    summaries.truncate(LIST_LIMIT as usize);
    let rows = summaries
        .into_iter()
        .map(|summary| ListRow {
            title: title(&answers_of(&summary)),
            received: moment(summary.progress.received_at_ms),
            passed_on: summary.progress.passed_on,
            state: summary.progress.state,
            reference: summary.progress.reference,
        })
        .collect();
    let html = pages::list_page(
        &visit.options,
        ListView {
            member: member(&session),
            rows,
            filter: if search.is_empty() { filter } else { None },
            search,
            more,
            trail: visit.team.trail_check(visit.store()).await,
        },
    );
    visit.page(StatusCode::OK, html)
}

#[derive(Debug, serde::Deserialize)]
struct ReportQuery {
    done: Option<String>,
}

async fn report_show(
    visit: Visit,
    Path(reference): Path<String>,
    Query(query): Query<ReportQuery>,
    headers: HeaderMap,
    uri: axum::http::Uri,
) -> Response {
    if !is_reference(&reference) {
        return no_such_page(&visit);
    }
    let session = match visit.signed_in(&headers, &uri).await {
        Ok(session) => session,
        Err(response) => return *response,
    };
    let notice = query.done.as_deref().and_then(notice);
    show_report(
        &visit,
        &session,
        &reference,
        notice,
        Vec::new(),
        (None, String::new()),
    )
    .await
}

/// Writes the view to the audit trail, then renders the report's page.
async fn show_report(
    visit: &Visit,
    session: &Session,
    reference: &str,
    notice: Option<&str>,
    errors: Vec<(&'static str, String)>,
    posted: (Option<String>, String),
) -> Response {
    let found = match visit.store().team_report(reference).await {
        Ok(found) => found,
        Err(error) => return visit.trouble(&error),
    };
    let Some(mut report) = found else {
        return visit.message(
            StatusCode::NOT_FOUND,
            Some(member(session)),
            "There is no report with this reference",
            &["Check the reference, or find the report in the list."],
            Some((pages::TEAM_PATH, "All reports")),
        );
    };
    let viewed = AuditEntry {
        at_ms: visit.now_ms(),
        actor: visit.actor(&session.email),
        action: AuditAction::Viewed,
        report: Some(report.summary.progress.id),
        detail: None,
    };
    if let Err(error) = visit.store().record(&viewed).await {
        // Nothing is shown that the audit trail does not record.
        return visit.trouble(&error);
    }
    report.audit.push(viewed);
    let mut view = report_view(&report, member(session), notice, errors, posted);
    view.trail = visit.team.trail_check(visit.store()).await;
    let status = if view.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    visit.page(status, pages::report_page(&visit.options, view))
}

/// The report's page from what the store holds.
fn report_view(
    report: &report_store::TeamReport,
    member: Member,
    notice: Option<&str>,
    errors: Vec<(&'static str, String)>,
    posted: (Option<String>, String),
) -> ReportView {
    let status = &report.summary.progress;
    let form = answers_of(&report.summary);
    let answers = match &form {
        Answers::Kept(form) => pages::Answers::Kept(
            form.answers()
                .into_iter()
                .map(|(question, answer)| (question.text().to_owned(), answer))
                .collect(),
        ),
        Answers::Removed => pages::Answers::Removed,
        Answers::Unreadable => pages::Answers::Unreadable {
            id: status.id.to_string(),
        },
    };
    ReportView {
        member,
        reference: status.reference.clone(),
        title: title(&form),
        received: moment(status.received_at_ms),
        state: status.state,
        answers,
        acknowledged: report
            .acknowledged_by
            .clone()
            .zip(status.acknowledged_at_ms.map(moment)),
        closed: report
            .closed_by
            .clone()
            .zip(status.closed_at_ms)
            .map(|(who, at)| {
                (
                    who,
                    moment(at),
                    report
                        .outcome
                        .as_deref()
                        .map(Outcome::label_of)
                        .unwrap_or_default(),
                    report.note.clone().filter(|note| !note.is_empty()),
                )
            }),
        deliveries: report
            .deliveries
            .iter()
            .map(|d| DeliveryRow {
                destination: d.destination.clone(),
                passed_on: match d.state.as_str() {
                    "delivered" => PassedOn::Delivered,
                    "parked" => PassedOn::HeldBack,
                    _ => PassedOn::Trying,
                },
                attempts: d.attempts,
                reason: d.last_error.clone(),
                delivered: d.delivered_at_ms.map(moment),
            })
            .collect(),
        audit: report
            .audit
            .iter()
            .map(|entry| AuditRow {
                at: moment(entry.at_ms),
                who: entry.actor.who.clone(),
                what: audit_words(entry),
                address: entry.actor.address.clone(),
            })
            .collect(),
        trail: TrailCheck::NotChecked,
        notice: notice.map(str::to_owned),
        errors,
        posted,
    }
}

/// What the banner says after an action (`?done=`).
fn notice(done: &str) -> Option<&'static str> {
    Some(match done {
        "acknowledged" => "You acknowledged this report.",
        "already-acknowledged" => {
            "Someone else acknowledged this report first. Nothing was changed."
        }
        "closed" => "You closed this report.",
        "already-closed" => "Someone else closed this report first. Nothing was changed.",
        "retried" => "Delivery will be tried again now.",
        "nothing-to-retry" => "No delivery was held back, so there was nothing to retry.",
        _ => return None,
    })
}

/// "Acknowledge", "Close" or "Retry delivery" on the report with `reference`: only with a
/// session within its limits and the form's CSRF token, then back to the report's page.
async fn report_act(
    visit: Visit,
    Path((reference, action)): Path<(String, String)>,
    headers: HeaderMap,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    if !is_reference(&reference) || !matches!(action.as_str(), "acknowledge" | "close" | "retry") {
        return no_such_page(&visit);
    }
    let back = pages::report_path(&reference);
    let session = match visit.posted(&headers, &form, &back).await {
        Ok(session) => session,
        Err(response) => return *response,
    };
    let actor = visit.actor(&session.email);
    let now = visit.now_ms();
    let (done, yes, already) = match action.as_str() {
        "acknowledge" => (
            visit.store().acknowledge(&reference, &actor, now).await,
            "acknowledged",
            "already-acknowledged",
        ),
        "close" => {
            let outcome = field(&form, "outcome").and_then(|o| o.parse::<Outcome>().ok());
            let note = field(&form, "note").unwrap_or_default().trim().to_owned();
            let mut errors = Vec::new();
            if outcome.is_none() {
                errors.push(("outcome", "Select how the report ends".to_owned()));
            }
            if note.chars().count() > NOTE_LIMIT {
                errors.push((
                    "note",
                    format!("The internal note must be {NOTE_LIMIT} characters or fewer"),
                ));
            }
            let Some(outcome) = outcome.filter(|_| errors.is_empty()) else {
                let posted = (field(&form, "outcome").map(str::to_owned), note);
                return show_report(&visit, &session, &reference, None, errors, posted).await;
            };
            let outcome = outcome.to_string();
            (
                visit
                    .store()
                    .close(&reference, &outcome, &note, &actor, now)
                    .await,
                "closed",
                "already-closed",
            )
        }
        _ => {
            let done = visit.store().retry_delivery(&reference, &actor, now).await;
            if matches!(done, Ok(Changed::Yes)) {
                visit.reports.wake_forwarder();
            }
            (done, "retried", "nothing-to-retry")
        }
    };
    after(&visit, &session, &reference, done, yes, already).await
}

/// After an action: back to the report's page with what happened (post, redirect, get).
async fn after(
    visit: &Visit,
    session: &Session,
    reference: &str,
    done: Result<Changed, report_store::StoreError>,
    yes: &str,
    already: &str,
) -> Response {
    let done = match done {
        Ok(Changed::Yes) => yes,
        Ok(Changed::Already) => already,
        Ok(Changed::NoSuchReport) => {
            return show_report(
                visit,
                session,
                reference,
                None,
                Vec::new(),
                (None, String::new()),
            )
            .await;
        }
        Err(error) => return visit.trouble(&error),
    };
    Redirect::to(&format!("{}?done={done}", pages::report_path(reference))).into_response()
}

#[derive(Debug, serde::Deserialize)]
struct Callback {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

/// The identity provider sends people back here with a code (or an error).
async fn signed_in(visit: Visit, Query(callback): Query<Callback>, headers: HeaderMap) -> Response {
    let expired = || {
        visit.message(
            StatusCode::BAD_REQUEST,
            None,
            "Sign in again",
            &["This sign-in took too long, was already used, or was started in another browser."],
            Some((pages::TEAM_PATH, "Sign in again")),
        )
    };
    let (Some(code), Some(given_state)) = (callback.code, callback.state) else {
        let reason = match callback.error {
            // The provider's own words are not logged: anyone can write them into this address.
            Some(_) => "the identity provider did not sign the person in",
            None => "a sign-in came back without its code",
        };
        return visit.refuse(None, reason, expired()).await;
    };
    let ours = cookie(&headers, SIGN_IN_COOKIE).is_some_and(|state| state == given_state);
    if !is_token(&given_state) || !ours {
        return visit
            .refuse(None, "a sign-in this browser did not start", expired())
            .await;
    }
    let pending = match visit
        .store()
        .take_sign_in(&given_state, visit.now_ms())
        .await
    {
        Ok(Some(pending)) => pending,
        Ok(None) => {
            return visit
                .refuse(None, "a sign-in that ended or was already used", expired())
                .await;
        }
        Err(error) => return visit.trouble(&error),
    };
    let identity = match visit.team.provider.finish(code, &pending).await {
        Ok(identity) => identity,
        Err(error) => {
            tracing::warn!(%error, "sign-in failed");
            let answer = visit.message(
                StatusCode::BAD_GATEWAY,
                None,
                "Signing in did not work",
                &["The organisation's sign-in service did not confirm who you are. Try again."],
                Some((pages::TEAM_PATH, "Sign in again")),
            );
            return visit.refuse(None, error.reason(), answer).await;
        }
    };
    let now = visit.now_ms();
    if !visit.team.provider.settings().allowed.admits(&identity) {
        let signed_in_as = format!("You signed in as {}.", identity.email);
        let mut response = visit.message(
            StatusCode::FORBIDDEN,
            None,
            "You cannot use the team's view",
            &[
                &signed_in_as,
                "Only the people who handle incident reports can see them. If you should be one of them, ask the service's administrator to add you.",
            ],
            None,
        );
        clear_cookie(&mut response, SIGN_IN_COOKIE);
        let reason = format!("{NOT_ADMITTED} (provider subject {})", identity.subject);
        return visit.refuse(Some(&identity.email), &reason, response).await;
    }
    begin_session(&visit, identity, pending.return_to, now).await
}

/// Why a person the provider vouched for was refused.
const NOT_ADMITTED: &str = "may not use the team's view";

/// Signs `identity` in: a new session, an audit row, the cookie, and back to `return_to`.
async fn begin_session(visit: &Visit, identity: Identity, return_to: String, now: i64) -> Response {
    let (Ok(token), Ok(csrf)) = (random_token(), random_token()) else {
        // Without randomness there is no safe token: no session is made.
        tracing::error!("the system gave no random bytes for a session token");
        return visit.message(
            StatusCode::SERVICE_UNAVAILABLE,
            None,
            "Signing in did not work",
            &["The service cannot sign anyone in just now. Try again in a few minutes."],
            Some((pages::TEAM_PATH, "Sign in again")),
        );
    };
    let session = Session {
        token_hash: token_hash(&token),
        email: identity.email.clone(),
        name: identity.name,
        csrf,
        id_token: Some(identity.id_token),
        created_at_ms: now,
        last_seen_ms: now,
    };
    if let Err(error) = visit.store().begin_session(&session).await {
        return visit.trouble(&error);
    }
    let subject = format!("provider subject {}", identity.subject);
    if let Err(response) = visit
        .record(&identity.email, AuditAction::SignedIn, Some(subject))
        .await
    {
        return *response;
    }
    let return_to = if return_to.starts_with("/team") && !return_to.starts_with("//") {
        return_to
    } else {
        pages::TEAM_PATH.to_owned()
    };
    let mut response = Redirect::to(&return_to).into_response();
    set_cookie(&mut response, SESSION_COOKIE, &token, ABSOLUTE_MS / 1000);
    clear_cookie(&mut response, SIGN_IN_COOKIE);
    response
}

/// Signs out, here and at the provider, whatever the person's allowance (a person locked out
/// for a minute can still leave a shared machine signed out). With no live session (it ended
/// while the page was open) there is nothing to end here: the person is told they are signed out, never sent to
/// sign in (the provider's single sign-on would sign them straight back in).
async fn sign_out(
    visit: Visit,
    headers: HeaderMap,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let session = match visit.session(&headers).await {
        Ok(Some(session)) => session,
        Ok(None) => {
            let mut response = Redirect::to(SIGNED_OUT_PATH).into_response();
            clear_cookie(&mut response, SESSION_COOKIE);
            return response;
        }
        Err(response) => return *response,
    };
    let session = match visit.csrf_checked(session, &form, pages::TEAM_PATH).await {
        Ok(session) => session,
        Err(response) => return *response,
    };
    if let Err(error) = visit.store().end_session(&session.token_hash).await {
        return visit.trouble(&error);
    }
    if let Err(response) = visit
        .record(&session.email, AuditAction::SignedOut, None)
        .await
    {
        return *response;
    }
    let there = visit
        .team
        .provider
        .sign_out_url(session.id_token.as_deref())
        .await
        .unwrap_or_else(|| SIGNED_OUT_PATH.to_owned());
    let mut response = Redirect::to(&there).into_response();
    clear_cookie(&mut response, SESSION_COOKIE);
    response
}

async fn signed_out(visit: Visit) -> Response {
    visit.message(
        StatusCode::OK,
        None,
        "You have signed out",
        &["You have signed out of the team's view."],
        Some((pages::TEAM_PATH, "Sign in again")),
    )
}

/// The path and query a person asked for, to come back to after signing in.
fn return_path(uri: &axum::http::Uri) -> String {
    uri.path_and_query()
        .map_or_else(|| pages::TEAM_PATH.to_owned(), ToString::to_string)
}

fn field<'a>(form: &'a [(String, String)], name: &str) -> Option<&'a str> {
    form.iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.as_str())
}

/// The value of cookie `name` in the request.
fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

fn set_cookie(response: &mut Response, name: &str, value: &str, max_age_s: i64) {
    let cookie =
        format!("{name}={value}; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age={max_age_s}");
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
}

fn clear_cookie(response: &mut Response, name: &str) {
    set_cookie(response, name, "", 0);
}

/// 32 random bytes, URL-safe base64; an error when the system gives no randomness.
fn random_token() -> Result<String, getrandom::Error> {
    token_from(getrandom::fill)
}

/// A token of 32 bytes that `fill` gives, URL-safe base64; never one `fill` did not fill.
fn token_from(
    fill: impl FnOnce(&mut [u8]) -> Result<(), getrandom::Error>,
) -> Result<String, getrandom::Error> {
    use base64::Engine as _;
    let mut bytes = [0_u8; 32];
    fill(&mut bytes)?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

/// Whether `text` can be a token this service or its provider made (URL-safe base64, as a sign-in
/// state is), so nothing else reaches the database.
fn is_token(text: &str) -> bool {
    (16..=256).contains(&text.len())
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Whether `text` has the shape of a report's reference.
fn is_reference(text: &str) -> bool {
    incident_report::progress::is_reference(text)
}

/// The answer for a team address that cannot be anything: a reference of the wrong shape, or an
/// action there is not.
fn no_such_page(visit: &Visit) -> Response {
    visit.message(
        StatusCode::NOT_FOUND,
        None,
        "Page not found",
        &["There is no such page in the team's view."],
        Some((pages::TEAM_PATH, "All reports")),
    )
}

fn token_hash(token: &str) -> String {
    format!("{:x}", Sha256::digest(token.as_bytes()))
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0_u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A stored report's answers, as the store holds them.
enum Answers {
    Kept(Box<incident_report::ReportForm>),
    /// Removed after the retention period.
    Removed,
    /// Stored, but no longer read by this build: shown as such, never as removed.
    Unreadable,
}

/// The answers of `summary`; one that cannot be read is logged with its id (never its contents,
/// nor the parser's message, which may quote them).
fn answers_of(summary: &report_store::TeamSummary) -> Answers {
    if summary.form_json == report_store::CLEARED_ANSWERS {
        return Answers::Removed;
    }
    if let Ok(form) = serde_json::from_str::<incident_report::ReportForm>(&summary.form_json) {
        return Answers::Kept(Box::new(form));
    }
    tracing::error!(
        id = %summary.progress.id,
        "a stored report's answers could not be read"
    );
    Answers::Unreadable
}

/// What happened, to which kind of device; or why the answers are not shown.
fn title(answers: &Answers) -> String {
    match answers {
        Answers::Kept(form) => form.title(),
        Answers::Removed => "Answers removed".to_owned(),
        Answers::Unreadable => "Answers cannot be read".to_owned(),
    }
}

/// A moment in words, in UTC: "4 Dec 2026, 21:40 UTC".
fn moment(ms: i64) -> String {
    let format = time::macros::format_description!(
        "[day padding:none] [month repr:short] [year], [hour]:[minute] UTC"
    );
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|at| at.format(&format).ok())
        .unwrap_or_default()
}

fn audit_words(entry: &AuditEntry) -> String {
    let detail = entry.detail.as_deref().unwrap_or_default();
    match entry.action {
        AuditAction::Viewed => "Viewed the report".to_owned(),
        AuditAction::Acknowledged => "Acknowledged".to_owned(),
        AuditAction::AlreadyAcknowledged => {
            "Asked to acknowledge; it already was, nothing changed".to_owned()
        }
        AuditAction::Closed => format!("Closed: {}", Outcome::label_of(detail)),
        AuditAction::AlreadyClosed => "Asked to close; it already was, nothing changed".to_owned(),
        AuditAction::RetriedDelivery => format!("Retried delivery ({detail})"),
        AuditAction::SignedIn if detail.is_empty() => "Signed in".to_owned(),
        AuditAction::SignedIn => format!("Signed in ({detail})"),
        // Rows from before refusals had reasons were all of people not admitted.
        AuditAction::Refused if detail.is_empty() => format!("Refused: {NOT_ADMITTED}"),
        AuditAction::Refused => format!("Refused: {detail}"),
        AuditAction::SignedOut => "Signed out".to_owned(),
        AuditAction::StartedDespiteLostReports => {
            format!("Started the service on a database that had lost reports ({detail})")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(email: &str, groups: &[&str]) -> Identity {
        Identity {
            subject: "subject-1".to_owned(),
            email: email.to_owned(),
            name: "A Person".to_owned(),
            groups: groups.iter().map(|g| (*g).to_owned()).collect(),
            id_token: String::new(),
        }
    }

    #[test]
    fn a_person_enters_by_their_email_or_their_group_and_by_nothing_else() {
        let allowed = Allowed {
            emails: vec!["sam@example.org".to_owned()],
            group: Some("incident-team".to_owned()),
            claim: "groups".to_owned(),
        };
        assert!(allowed.admits(&person("sam@example.org", &[])));
        assert!(allowed.admits(&person("kim@example.org", &["finance", "incident-team"])));
        assert!(!allowed.admits(&person("pat@example.org", &["finance"])));
        assert!(!allowed.admits(&person("pat@example.org", &["incident-team-x"])));
        let emails_only = Allowed {
            group: None,
            ..allowed
        };
        assert!(!emails_only.admits(&person("kim@example.org", &["incident-team"])));
    }

    #[test]
    fn an_email_is_compared_after_ascii_lower_casing_only() {
        let allowed = Allowed {
            emails: vec![email_key("Kim@Example.org")],
            group: None,
            claim: "groups".to_owned(),
        };
        assert!(allowed.admits(&person(&email_key("KIM@example.ORG"), &[])));
        // The Kelvin sign lower-cases to "k" in Unicode, but it is another address.
        let kelvin = email_key("\u{212A}im@example.org");
        assert_ne!(kelvin, "kim@example.org");
        assert!(!allowed.admits(&person(&kelvin, &[])));
    }

    #[test]
    fn a_token_or_state_is_only_url_safe_base64() {
        assert!(is_token("c3RhdGUtb2YtdGhpcy1icm93c2Vy_-"));
        for text in [
            "",
            "short",
            "a\u{0}bcdefghijklmnopq",
            "abcdefghijklmnop\r\nX: 1",
            &"a".repeat(300),
        ] {
            assert!(!is_token(text), "{text:?}");
        }
    }

    #[test]
    fn without_randomness_there_is_no_token() {
        assert!(token_from(|_| Err(getrandom::Error::UNSUPPORTED)).is_err());
        let token = token_from(|bytes| {
            bytes.fill(7);
            Ok(())
        })
        .expect("a token");
        assert_eq!(token.len(), 43);
        assert!(is_token(&token));
    }

    fn summary(form_json: &str) -> report_store::TeamSummary {
        report_store::TeamSummary {
            progress: incident_report::progress::Progress {
                id: incident_report::ReportId::from_random_bytes([1; 16]),
                reference: "LD-2026-000001".to_owned(),
                received_at_ms: 0,
                passed_on: PassedOn::Delivered,
                passed_on_at_ms: None,
                state: TeamState::New,
                acknowledged_at_ms: None,
                closed_at_ms: None,
            },
            form_json: form_json.to_owned(),
        }
    }

    #[test]
    fn answers_that_cannot_be_read_are_never_shown_as_removed() {
        assert_eq!(title(&answers_of(&summary("{}"))), "Answers removed");
        for damaged in ["{\"what_happened\": 7", "not json", "[true]"] {
            assert_eq!(
                title(&answers_of(&summary(damaged))),
                "Answers cannot be read"
            );
        }
        let example = serde_json::to_string(&incident_report::ReportForm::example()).expect("json");
        assert!(matches!(answers_of(&summary(&example)), Answers::Kept(_)));
    }

    #[test]
    fn a_cookie_is_read_by_its_exact_name() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("x__Host-lost-device-team=no; __Host-lost-device-team=yes"),
        );
        assert_eq!(cookie(&headers, SESSION_COOKIE), Some("yes"));
        assert_eq!(cookie(&headers, SIGN_IN_COOKIE), None);
    }
}
