//! Where one report is, in plain words, with what the person can do about it: send it now, copy
//! it or email it another way, or change a refused report.

use incident_report::{DeliveryState, FormPage, StoredReport};
use leptos::either::EitherOf4;
use leptos::prelude::*;

use super::{Alert, SECURITY_EMAIL, page_url};
use crate::phone;

/// Shown while a report waits on the phone.
pub const SAVED_MESSAGE: &str =
    "Saved on this phone. It will be sent automatically when you are back online.";

/// Shown instead while there is a connection but the last try failed.
const RETRYING_MESSAGE: &str =
    "Saved on this phone. The app keeps trying to send it, by itself, until it goes.";

/// What is happening to the report, and the actions that fit.
#[component]
pub fn ReportStatus(
    /// The report (read from the phone's storage, kept up to date).
    report: StoredReport,
    /// Whether the phone has a connection.
    online: ReadSignal<bool>,
) -> impl IntoView {
    let id = report.id();
    let last_error = report.last_error().map(str::to_owned);
    let tried = report.last_attempt_at_ms().map(phone::clock_time);
    let next = report.next_attempt_at_ms().map(phone::clock_time);
    let message = match report.delivery() {
        DeliveryState::Delivered { reference } => EitherOf4::A(view! {
            <p class="app-body">"The security team has your report. Your reference number is"</p>
            <p class="app-reference">{reference.clone()}</p>
            <p class="app-body">"Keep it: you may be asked for it."</p>
        }),
        DeliveryState::Rejected { reasons } => EitherOf4::B(view! {
            <p class="app-body">"The report was not accepted. Change these answers and send it again:"</p>
            <ul class="app-list">
                {reasons.iter().map(|r| view! { <li>{r.message.clone()}</li> }).collect_view()}
            </ul>
            <p class="app-body">
                <a class="app-link-strong" href=page_url(id, FormPage::Check.slug())>"Change your answers"</a>
            </p>
        }),
        DeliveryState::Draft => EitherOf4::C(view! {
            <p class="app-body">"You have not sent this report yet. It is saved on this phone as you type."</p>
            <p class="app-body">
                <a class="app-link-strong" href=page_url(id, FormPage::Check.slug())>"Continue this report"</a>
            </p>
        }),
        DeliveryState::Sending { .. } | DeliveryState::Queued { .. } => {
            let sending = matches!(report.delivery(), DeliveryState::Sending { .. });
            let failed = last_error.is_some();
            let headline = move || match (online.get(), sending, failed) {
                (true, true, _) => "Sending your report now.",
                (true, false, true) => RETRYING_MESSAGE,
                _ => SAVED_MESSAGE,
            };
            EitherOf4::D(view! {
                <p class="app-body app-body--strong">{headline}</p>
                {last_error.map(|why| view! {
                    <p class="app-body">{format!("Not sent yet. {why}")}</p>
                })}
                <dl class="app-times">
                    {tried.map(|t| view! { <dt>"Last tried"</dt><dd>{t}</dd> })}
                    {next.map(|t| view! { <dt>"Next try"</dt><dd>{move || if online.get() { t.clone() } else { "when you are back online".to_owned() }}</dd> })}
                </dl>
                <SendNow id online/>
            })
        }
    };
    let pending = matches!(
        report.delivery(),
        DeliveryState::Queued { .. }
            | DeliveryState::Sending { .. }
            | DeliveryState::Rejected { .. }
    );
    view! {
        {message}
        {pending.then(|| view! { <SendAnotherWay report=report.clone()/> })}
    }
}

/// "Send now": skips the wait before the next try. Hidden while offline, when it could not work.
#[component]
fn SendNow(id: incident_report::ReportId, online: ReadSignal<bool>) -> impl IntoView {
    let problem = RwSignal::new(None::<String>);
    view! {
        <button
            type="button"
            class="app-button app-button--secondary"
            hidden=Signal::derive(move || !online.get())
            on:click=move |_| problem.set(phone::send_now(id).err())
        >
            "Send now"
        </button>
        <Alert message=problem/>
    }
}

/// "Copy this report" and "Email this report", for when the server is out of reach for long.
#[component]
fn SendAnotherWay(report: StoredReport) -> impl IntoView {
    let text = report.form().to_plain_text(report.id());
    let mailto = report.form().mailto(report.id(), SECURITY_EMAIL);
    let copied = RwSignal::new(None::<bool>);
    let copy = {
        let text = text.clone();
        move |_| phone::copy_text(text.clone(), move |ok| copied.set(Some(ok)))
    };
    let text_id = format!("report-text-{}", report.id());
    view! {
        <div class="app-another-way">
            <p class="app-body">
                {format!("If it cannot be sent for a long time, you can email it to the security team at {SECURITY_EMAIL}, the address the guidance gives for questions about security, or copy it into another app. Call the IT Service Desk too, if you have not.")}
            </p>
            <div class="app-button-group">
                <a class="app-button app-button--secondary" href=mailto>"Email this report"</a>
                <button type="button" class="app-button app-button--secondary" on:click=copy>
                    "Copy this report"
                </button>
            </div>
            <p class="app-body" role="status">
                {move || match copied.get() {
                    Some(true) => "Copied. You can paste it into an email or message.",
                    Some(false) => "It could not be copied. Select the text below and copy it.",
                    None => "",
                }}
            </p>
            // Opened by itself when copying fails, so the text can be selected by hand.
            <details class="app-details" prop:open=Signal::derive(move || copied.get() == Some(false))>
                <summary class="app-details__summary">"Show the report as text"</summary>
                <div class="app-details__text">
                    <label class="app-label" for=text_id.clone()>"The report as text"</label>
                    <textarea class="app-textarea" id=text_id rows="8" readonly>{text}</textarea>
                </div>
            </details>
        </div>
    }
}
