//! The team's routes: thin handlers that check, act through the store, audit and answer.

use app::team::{self as pages, CloseConfirmation, NOTE_LIMIT, Outcome, Posted, REASON_LIMIT};
use axum::{
    Form,
    extract::{Path, Query},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Redirect, Response},
};
use report_store::{AuditAction, AuditEntry, Changed, Session};

use super::sign_in::{Identity, SIGNED_OUT_PATH};
use super::tokens::{
    SESSION_COOKIE, SIGN_IN_COOKIE, clear_cookie, cookie, field, is_email, is_reference, is_token,
    random_token, set_cookie, token_hash,
};
use super::views::{member, notice, report_view};
use super::visit::{Visit, no_such_page};
use crate::fixed::ABSOLUTE_MS;

#[derive(Debug, serde::Deserialize)]
pub(super) struct ReportQuery {
    done: Option<String>,
}

pub(super) async fn report_show(
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
        Posted::default(),
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
    posted: Posted,
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

/// "Acknowledge", "Close", "Retry delivery", the owner, a note or "Reopen" on the report with
/// `reference`: only with a session within its limits and the form's CSRF token, then back to
/// the report's page.
pub(super) async fn report_act(
    visit: Visit,
    Path((reference, action)): Path<(String, String)>,
    headers: HeaderMap,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    if !is_reference(&reference)
        || !matches!(
            action.as_str(),
            "acknowledge" | "close" | "retry" | "owner" | "note" | "reopen" | "erase"
        )
    {
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
        "close" => match close(&visit, &session, &reference, &form).await {
            Ok(acted) => acted,
            Err(response) => return *response,
        },
        "owner" => match owner_of(&form, &session) {
            Ok(owner) => (
                visit
                    .store()
                    .take(&reference, owner.as_deref(), &actor, now)
                    .await,
                "owner-changed",
                "owner-unchanged",
            ),
            Err(error) => {
                let errors = vec![error];
                return show_report(
                    &visit,
                    &session,
                    &reference,
                    None,
                    errors,
                    Posted::default(),
                )
                .await;
            }
        },
        "note" => match note_of(&form) {
            Ok(text) => (
                visit.store().add_note(&reference, &text, &actor, now).await,
                "noted",
                "noted",
            ),
            Err((errors, posted)) => {
                return show_report(&visit, &session, &reference, None, errors, posted).await;
            }
        },
        "erase" => match erasing_of(&form) {
            Ok(reason) => match not_passed_on(&visit, &session, &reference).await {
                Some(refused) => return refused,
                None => (
                    visit.store().erase(&reference, &reason, &actor, now).await,
                    "erased",
                    "already-erased",
                ),
            },
            Err((errors, posted)) => {
                return show_report(&visit, &session, &reference, None, errors, posted).await;
            }
        },
        "reopen" => (
            visit.store().reopen(&reference, &actor, now).await,
            "reopened",
            "not-closed",
        ),
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

/// What an action did, and the banners for done and already done.
type Acted = (
    Result<Changed, report_store::StoreError>,
    &'static str,
    &'static str,
);

/// Closes the report once the form is right and confirmed; until then the form again with its
/// errors, or "Close this report?" with what was chosen (the reporter's phone is told at once).
async fn close(
    visit: &Visit,
    session: &Session,
    reference: &str,
    form: &[(String, String)],
) -> Result<Acted, Box<Response>> {
    let (outcome, note) = match closing_of(form) {
        Ok(closing) => closing,
        Err((errors, posted)) => {
            return Err(Box::new(
                show_report(visit, session, reference, None, errors, posted).await,
            ));
        }
    };
    if field(form, "confirm") != Some("yes") {
        return Err(Box::new(visit.page(
            StatusCode::OK,
            pages::close_confirmation_page(
                &visit.options,
                CloseConfirmation {
                    member: member(session),
                    reference: reference.to_owned(),
                    outcome,
                    note,
                },
            ),
        )));
    }
    let actor = visit.actor(&session.email);
    let closed = visit
        .store()
        .close(reference, outcome, &note, &actor, visit.now_ms())
        .await;
    Ok((closed, "closed", "already-closed"))
}

/// What is wrong with a posted form, by field, and what it was posted with, to show again.
type Refused = (Vec<(&'static str, String)>, Posted);

/// The outcome and internal note the close form gives.
fn closing_of(form: &[(String, String)]) -> Result<(Outcome, String), Refused> {
    let outcome = field(form, "outcome").and_then(|o| o.parse::<Outcome>().ok());
    let note = field(form, "note").unwrap_or_default().trim().to_owned();
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
    match outcome {
        Some(outcome) if errors.is_empty() => Ok((outcome, note)),
        _ => Err((
            errors,
            Posted {
                outcome: field(form, "outcome").map(str::to_owned),
                note,
                ..Posted::default()
            },
        )),
    }
}

/// The reason the erase form gives, once its box is ticked.
fn erasing_of(form: &[(String, String)]) -> Result<String, Refused> {
    let reason = field(form, "reason").unwrap_or_default().trim().to_owned();
    let mut errors = Vec::new();
    if reason.is_empty() {
        errors.push(("reason", "Enter why the details are erased".to_owned()));
    } else if reason.chars().count() > REASON_LIMIT {
        errors.push((
            "reason",
            format!("The reason must be {REASON_LIMIT} characters or fewer"),
        ));
    }
    if field(form, "understood") != Some("yes") {
        errors.push((
            "understood",
            "Select that you understand the details cannot be brought back".to_owned(),
        ));
    }
    if errors.is_empty() {
        return Ok(reason);
    }
    Err((
        errors,
        Posted {
            erase_reason: reason,
            ..Posted::default()
        },
    ))
}

/// A report still on its way to a destination is not erased (the copy sent would be empty): the
/// answer that says so, if it is.
async fn not_passed_on(visit: &Visit, session: &Session, reference: &str) -> Option<Response> {
    let report = match visit.store().team_report(reference).await {
        Ok(report) => report?,
        Err(error) => return Some(visit.trouble(&error)),
    };
    (report.summary.progress.passed_on != incident_report::progress::PassedOn::Delivered).then(
        || {
            visit.message(
            StatusCode::CONFLICT,
            Some(member(session)),
            "These details cannot be erased yet",
            &[
                "The report has not reached every destination yet, so a copy still has to be sent.",
                "Once it has (retry a delivery that is held back), erase the details.",
            ],
            Some((&pages::report_path(reference), "Back to the report")),
        )
        },
    )
}

/// The owner the form names: the person signed in (`me`), nobody, or a team member's email
/// address; else what to show beside the field.
fn owner_of(
    form: &[(String, String)],
    session: &Session,
) -> Result<Option<String>, (&'static str, String)> {
    match field(form, "owner").map(str::trim) {
        Some("me") => Ok(Some(session.email.clone())),
        Some("nobody") => Ok(None),
        Some(email) if is_email(email) => Ok(Some(crate::team::email_key(email))),
        _ => Err((
            "owner",
            "Enter the email address of the person in the team to hand it to, like name@example.org"
                .to_owned(),
        )),
    }
}

/// The note the form adds.
fn note_of(form: &[(String, String)]) -> Result<String, Refused> {
    let text = field(form, "text").unwrap_or_default().trim().to_owned();
    let message = if text.is_empty() {
        "Enter the note".to_owned()
    } else if text.chars().count() > NOTE_LIMIT {
        format!("The note must be {NOTE_LIMIT} characters or fewer")
    } else {
        return Ok(text);
    };
    let posted = Posted {
        note_text: text,
        ..Posted::default()
    };
    Err((vec![("text", message)], posted))
}

/// After an action: back to the report's page with what happened (post, redirect, get).
pub(super) async fn after(
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
                Posted::default(),
            )
            .await;
        }
        Err(error) => return visit.trouble(&error),
    };
    Redirect::to(&format!("{}?done={done}", pages::report_path(reference))).into_response()
}

#[derive(Debug, serde::Deserialize)]
pub(super) struct Callback {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

/// The identity provider sends people back here with a code (or an error).
pub(super) async fn signed_in(
    visit: Visit,
    Query(callback): Query<Callback>,
    headers: HeaderMap,
) -> Response {
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
        let settings = visit.team.provider.settings();
        let signed_in_as = format!("You signed in as {}.", identity.email);
        let ask = format!(
            "Only the people who handle incident reports can see them. If you should be one of them, ask {} to add you.",
            settings.contact
        );
        // Signed out at the provider (no session was made here), so they can sign in as someone
        // else; the provider asks first, as no ID token is sent with it.
        let sign_out = visit.team.provider.sign_out_url(None).await;
        let mut response = visit.message(
            StatusCode::FORBIDDEN,
            None,
            "You cannot use the team's view",
            &[&signed_in_as, &ask],
            sign_out
                .as_deref()
                .map(|href| (href, "Sign out, to sign in as someone else")),
        );
        clear_cookie(&mut response, SIGN_IN_COOKIE);
        let reason = format!("{NOT_ADMITTED} (provider subject {})", identity.subject);
        return visit.refuse(Some(&identity.email), &reason, response).await;
    }
    begin_session(&visit, identity, pending.return_to, now).await
}

/// Why a person the provider vouched for was refused.
pub(super) const NOT_ADMITTED: &str = "may not use the team's view";

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
pub(super) async fn sign_out(
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

pub(super) async fn signed_out(visit: Visit) -> Response {
    visit.message(
        StatusCode::OK,
        None,
        "You have signed out",
        &["You have signed out of the team's view."],
        Some((pages::TEAM_PATH, "Sign in again")),
    )
}
