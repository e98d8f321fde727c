//! `POST /report`: the report form as plain HTML, for a phone whose browser has not run the
//! app's code yet, or never will (WebAssembly turned off). Each question page posts its answers
//! with the other pages' in hidden inputs; the server follows the same journey rules as the
//! phone (`incident_report::journey`) and answers with the page they lead to, rendered by the
//! same components. Nothing is kept between pages: the answers travel with the form, never in
//! the address. "Send report" takes the report through the same path as the phones' JSON
//! intake ([`crate::reports::take`]), under the id the form carries, so a phone that later
//! sends the same report too still makes one.

use axum::{
    Form,
    body::Body,
    extract::{Request, State},
    response::{IntoResponse as _, Response},
};
use incident_report::journey::{Next, PostedPage, Screen};
use incident_report::wire::{ErrorCode, Refusal, Submission};
use incident_report::{FormPage, ReportId, question_table::FORM_VERSION};
use leptos::prelude::provide_context;

use crate::AppState;
use crate::reports::ApiError;

/// Answers a posted page of the report form with the page it leads to. A form posted from
/// another site is refused (403): a page elsewhere must not send reports in a visitor's name.
pub async fn report_form_post(
    State(state): State<AppState>,
    client: Option<axum::Extension<crate::serve::Client>>,
    headers: axum::http::HeaderMap,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    if !from_this_site(&headers) {
        return (
            axum::http::StatusCode::FORBIDDEN,
            "This form can only be sent from this service's own pages.",
        )
            .into_response();
    }
    let posted = PostedPage::read(fields.iter().map(|(n, v)| (n.as_str(), v.as_str())));
    let now = state.reports.clock().now();
    // A reporter in a time zone ahead of UTC may already be on tomorrow's date.
    let today = now.date().next_day().unwrap_or(now.date());
    let id = posted.id.or_else(new_id);
    let mut start = app::report::JourneyStart::at(Screen::START);
    start.id = id;
    start.form = posted.form.clone();
    match posted.next(today) {
        Next::Show(position, errors) => {
            start.screen = Screen::Page(position.page);
            start.from_check = position.from_check;
            start.errors = errors;
        }
        Next::Send => {
            start.screen = Screen::Page(FormPage::Check);
            start.from_check = posted.position.from_check;
            let client = client.and_then(|axum::Extension(crate::serve::Client(ip))| ip);
            match (id, state.limiter.wait_for(client)) {
                (None, _) => start.problem = Some(NO_ID.to_owned()),
                (Some(_), Some(seconds)) => {
                    start.problem = Some(format!(
                        "{} Wait {seconds} seconds, then press “Send report” again.",
                        Refusal::new(ErrorCode::RateLimited).message
                    ));
                }
                (Some(id), None) => {
                    let submission = Submission {
                        id,
                        form: posted.form,
                        form_version: FORM_VERSION,
                    };
                    match crate::reports::take(&state.reports, submission).await {
                        Ok((_, receipt)) => {
                            start.screen = Screen::Sent;
                            start.reference = Some(receipt.reference);
                        }
                        Err(ApiError::Invalid(errors)) => start.errors = errors,
                        Err(error) => {
                            error.log();
                            start.problem = Some(Refusal::new(error.code()).message);
                        }
                    }
                }
            }
        }
    }
    render(state, start).await
}

/// Whether the form was posted from this site's own pages: `Sec-Fetch-Site` says so where the
/// browser sends it (every current one does); without it, an `Origin` must name this host (older
/// browsers send one on every form post). A request with neither is not a browser's cross-site
/// post.
fn from_this_site(headers: &axum::http::HeaderMap) -> bool {
    let text = |name: &str| headers.get(name).and_then(|value| value.to_str().ok());
    if let Some(site) = headers.get("sec-fetch-site") {
        return site == "same-origin";
    }
    let Some(origin) = headers.get(axum::http::header::ORIGIN) else {
        return true;
    };
    // "null" (a sandboxed frame, a redirect from elsewhere) is never this site.
    let host = origin
        .to_str()
        .ok()
        .and_then(|origin| origin.parse::<axum::http::Uri>().ok())
        .and_then(|uri| {
            uri.authority()
                .map(|authority| authority.as_str().to_owned())
        });
    host.is_some_and(|host| Some(host.as_str()) == text(axum::http::header::HOST.as_str()))
}

/// Said when this server has no randomness to name a report (it never happens on a working
/// machine, and the report must not be stored under a made-up id).
const NO_ID: &str = "The report could not be given a number just now. Try again, or phone the \
    IT Service Desk.";

/// A new random report id, as a phone makes one.
fn new_id() -> Option<ReportId> {
    let mut bytes = [0; 16];
    getrandom::fill(&mut bytes).ok()?;
    Some(ReportId::from_random_bytes(bytes))
}

/// The report page in the state `start`, rendered as a GET of `/report` would be.
async fn render(state: AppState, start: app::report::JourneyStart) -> Response {
    let options = state.leptos_options.clone();
    let handler = leptos_axum::render_app_to_stream_with_context(
        move || provide_context(start.clone()),
        move || app::shell(options.clone()),
    );
    let request = Request::get(app::report::REPORT_PATH)
        .body(Body::empty())
        .unwrap_or_default();
    handler(request).await
}
