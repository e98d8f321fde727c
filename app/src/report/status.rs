//! Where one report is, in plain words, with what the person can do about it: send it now, copy
//! it or email it another way, change a refused report, or remove it from the phone.

use incident_report::progress::{Progress, Stage};
use incident_report::{DeliveryState, FormPage, StoredReport};
use leptos::either::{Either, EitherOf4};
use leptos::prelude::*;

use super::{SECURITY_EMAIL, page_url};
use crate::govuk::{Details, ErrorMessage, WarningText};
use crate::phone;

/// What happens to a report waiting on the phone, in words true of this browser: with
/// Background Sync it goes even with the app closed; elsewhere only when the app is next open
/// with signal. `retrying`: there is a connection but the last try failed.
pub fn waiting_words(sends_with_the_app_closed: bool, retrying: bool) -> &'static str {
    match (sends_with_the_app_closed, retrying) {
        (true, false) => WAITS_FOR_SIGNAL,
        (false, false) => WAITS_FOR_THE_APP,
        (true, true) => KEEPS_TRYING,
        (false, true) => KEEPS_TRYING_WHILE_OPEN,
    }
}

/// When the next try is, with no signal: as soon as there is some, or only with the app open.
fn next_try_offline(closed_app_sends: bool) -> &'static str {
    if closed_app_sends {
        "as soon as there is signal"
    } else {
        "when this app is open with signal"
    }
}

/// A report waiting for signal, where the browser sends it with the app closed.
pub const WAITS_FOR_SIGNAL: &str = "Kept on this phone until it is sent. It will be sent by itself as soon as there is signal, even if you close the app.";
/// A report waiting for signal, where only an open app sends it.
pub const WAITS_FOR_THE_APP: &str = "Kept on this phone until it is sent. It will be sent the next time this app is open with signal, so open it again once you have signal.";
/// The last try failed, where the browser keeps trying with the app closed.
const KEEPS_TRYING: &str = "Kept on this phone until it is sent. This phone tries again by itself for a while, even if you close the app, and each time you open the app.";
/// The last try failed, where only an open app tries.
const KEEPS_TRYING_WHILE_OPEN: &str = "Kept on this phone until it is sent. The app keeps trying while it is open; if you close it, it tries again the next time you open it.";

/// What is happening to the report, and the actions that fit.
#[component]
pub fn ReportStatus(
    /// The report (read from the phone's storage, kept up to date).
    report: StoredReport,
    /// Whether the phone has a connection.
    online: ReadSignal<bool>,
    /// Offer to delete or remove it (on "Your reports"), and say so through this when done.
    #[prop(optional)]
    on_removed: Option<Callback<()>>,
) -> impl IntoView {
    let id = report.id();
    let removal = on_removed.filter(|_| report.is_removable());
    let details_removed = report.details_removed(phone::now_ms());
    let removed_on = report.details_removed_at_ms().map(phone::clock_date);
    let last_error = report.last_error().map(str::to_owned);
    let tried = report.last_attempt_at_ms().map(phone::clock_time);
    let next = report.next_attempt_at_ms().map(phone::clock_time);
    let message = match report.delivery() {
        DeliveryState::Delivered { reference } => EitherOf4::A(view! {
            <p class="govuk-body">"Your reference number is"</p>
            <p class="app-reference">{reference.clone()}</p>
            <p class="govuk-body">"Keep it: you may be asked for it."</p>
            <WhatHappened report=report.clone() reference=reference.clone() under_title=on_removed.is_some()/>
            <p class="govuk-body-s app-secondary">
                {if details_removed {
                    "Your name, contact details and what you wrote have been removed from this phone. The reference, the date, and what happened to which kind of device are kept.".to_owned()
                } else {
                    format!("On {}, your name, contact details and what you wrote will be removed from this phone. The reference, the date, and what happened to which kind of device are kept.", removed_on.unwrap_or_default())
                }}
            </p>
        }),
        DeliveryState::Rejected { reasons } => EitherOf4::B(view! {
            <p class="govuk-body">"The report was not accepted. Change these answers and send it again:"</p>
            <ul class="govuk-list govuk-list--bullet">
                {reasons.iter().map(|r| view! { <li>{r.message.clone()}</li> }).collect_view()}
            </ul>
            <p class="govuk-body">
                <a class="govuk-link" href=page_url(id, FormPage::Check.slug())><strong>"Change your answers"</strong></a>
            </p>
        }),
        DeliveryState::Draft => EitherOf4::C(view! {
            <p class="govuk-body">"You have not sent this report yet. It is saved on this phone as you type."</p>
            <p class="govuk-body">
                <a class="govuk-link" href=page_url(id, FormPage::Check.slug())><strong>"Continue this report"</strong></a>
            </p>
        }),
        DeliveryState::Sending { .. } | DeliveryState::Queued { .. } => {
            let sending = matches!(report.delivery(), DeliveryState::Sending { .. });
            let failed = last_error.is_some();
            let closed_app_sends = phone::sends_with_the_app_closed();
            let headline = move || match (online.get(), sending) {
                (true, true) => "Sending your report now.",
                (online, _) => waiting_words(closed_app_sends, online && failed),
            };
            EitherOf4::D(view! {
                <p class="govuk-body"><strong>{headline}</strong></p>
                {last_error.map(|why| view! {
                    <p class="govuk-body">{format!("The last try did not work. {why}")}</p>
                })}
                <dl class="govuk-summary-list govuk-summary-list--no-border">
                    {tried.map(|t| view! {
                        <div class="govuk-summary-list__row">
                            <dt class="govuk-summary-list__key">"Last tried"</dt>
                            <dd class="govuk-summary-list__value">{t}</dd>
                        </div>
                    })}
                    {next.map(|t| view! {
                        <div class="govuk-summary-list__row">
                            <dt class="govuk-summary-list__key">"Next try"</dt>
                            <dd class="govuk-summary-list__value">{move || if online.get() { t.clone() } else { next_try_offline(closed_app_sends).to_owned() }}</dd>
                        </div>
                    })}
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
    let kind = match report.delivery() {
        DeliveryState::Delivered { .. } => Removal::Sent,
        DeliveryState::Rejected { .. } => Removal::Refused,
        _ => Removal::Draft,
    };
    view! {
        {message}
        {pending.then(|| view! { <SendAnotherWay report=report.clone()/> })}
        {removal.map(|on_removed| view! { <RemoveReport id kind on_removed/> })}
    }
}

/// What has happened to a delivered report since the server received it, as far as the phone
/// was last told: only what is true, in the order it happened.
#[component]
fn WhatHappened(
    report: StoredReport,
    reference: String,
    /// Shown under the report's own heading ("Your reports"), not straight under the page's.
    under_title: bool,
) -> impl IntoView {
    let recipient = crate::settings::recipient();
    let stages = report.progress().map_or_else(
        || {
            vec![Stage::Received {
                reference,
                at_ms: report
                    .last_attempt_at_ms()
                    .unwrap_or(report.created_at_ms()),
            }]
        },
        Progress::stages,
    );
    let checked = report.progress().is_some();
    let asking = report.wants_progress(phone::now_ms());
    let lines = stages
        .into_iter()
        .map(|stage| {
            let line = match stage {
                Stage::Received { reference, at_ms } => format!(
                    "Received by the service, reference {reference}, on {}.",
                    phone::clock_time(at_ms)
                ),
                Stage::Waiting => {
                    format!("Not yet passed on to {recipient}. The service keeps trying.")
                }
                Stage::HeldBack => format!(
                    "Not yet passed on to {recipient}: it could not be delivered, so it is held back. The people who run this service can see that it is waiting, and send it on once the problem is fixed."
                ),
                Stage::PassedOn { at_ms: Some(at_ms) } => {
                    format!("Passed on to {recipient} on {}.", phone::clock_time(at_ms))
                }
                Stage::PassedOn { at_ms: None } => format!("Passed on to {recipient}."),
                Stage::Seen { at_ms } => {
                    format!("Seen by {recipient} on {}.", phone::clock_time(at_ms))
                }
                Stage::Closed { at_ms } => format!(
                    "Closed on {}: {recipient} has finished with this report.",
                    phone::clock_time(at_ms)
                ),
            };
            view! { <li>{line}</li> }
        })
        .collect_view();
    let heading = "What has happened to it";
    view! {
        {if under_title {
            Either::Left(view! { <h3 class="govuk-heading-s">{heading}</h3> })
        } else {
            Either::Right(view! { <h2 class="govuk-heading-s">{heading}</h2> })
        }}
        <ol class="govuk-list govuk-list--number app-progress">{lines}</ol>
        {asking.then(|| view! {
            <p class="govuk-body-s app-secondary">
                {if checked {
                    "This phone checks for news when it is online and the app is open."
                } else {
                    "What happens next is shown here once this phone has checked, when it is online and the app is open."
                }}
            </p>
        })}
    }
}

/// Which words removing a report takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Removal {
    Draft,
    Refused,
    Sent,
}

/// "Delete this draft" or "Remove from this phone", then a confirmation before anything goes.
#[component]
fn RemoveReport(
    id: incident_report::ReportId,
    kind: Removal,
    on_removed: Callback<()>,
) -> impl IntoView {
    let (ask, warning, yes) = match kind {
        Removal::Draft => (
            "Delete this draft",
            "This deletes your answers from this phone. They cannot be got back.",
            "Yes, delete this draft",
        ),
        Removal::Refused => (
            "Delete this report",
            "This report has not been sent. Deleting it removes your answers from this phone, and they cannot be got back.",
            "Yes, delete this report",
        ),
        Removal::Sent => (
            "Remove from this phone",
            "This removes the report and its reference number from this phone. The copy this service passed on is not affected.",
            "Yes, remove it",
        ),
    };
    view! {
        <RemoveWithConfirmation
            ask warning yes
            confirm_id=format!("remove-{id}")
            remove=Callback::new(move |()| phone::remove_report(id))
            on_removed
        />
    }
}

/// A button that asks first (`ask`), then warns what removing means and removes only on `yes`;
/// what `remove` could not do is said under it.
#[component]
pub(super) fn RemoveWithConfirmation(
    ask: &'static str,
    warning: &'static str,
    yes: &'static str,
    /// The id of the confirming button, focused when it appears.
    confirm_id: String,
    remove: Callback<(), Result<(), String>>,
    on_removed: Callback<()>,
) -> impl IntoView {
    let asking = RwSignal::new(false);
    let problem = RwSignal::new(None::<String>);
    let remove = move |_| match remove.run(()) {
        Ok(()) => on_removed.run(()),
        Err(why) => problem.set(Some(why)),
    };
    view! {
        <button data-module="govuk-button"
            type="button"
            class="govuk-button govuk-button--secondary"
            hidden=Signal::derive(move || asking.get())
            on:click={
                let confirm_id = confirm_id.clone();
                move |_| {
                    asking.set(true);
                    phone::focus(&confirm_id);
                }
            }
        >
            {ask}
        </button>
        <div hidden=Signal::derive(move || !asking.get())>
            <WarningText text=warning/>
            <div class="govuk-button-group">
                <button data-module="govuk-button" type="button" id=confirm_id class="govuk-button govuk-button--warning" on:click=remove>
                    {yes}
                </button>
                <button data-module="govuk-button" type="button" class="govuk-button govuk-button--secondary" on:click=move |_| asking.set(false)>
                    "No, keep it"
                </button>
            </div>
        </div>
        <ErrorMessage message=problem.into()/>
    }
}

/// "Send now": skips the wait before the next try. Hidden while offline, when it could not work.
#[component]
fn SendNow(id: incident_report::ReportId, online: ReadSignal<bool>) -> impl IntoView {
    let problem = RwSignal::new(None::<String>);
    view! {
        <button data-module="govuk-button"
            type="button"
            class="govuk-button govuk-button--secondary"
            hidden=Signal::derive(move || !online.get())
            on:click=move |_| problem.set(phone::send_now(id).err())
        >
            "Send now"
        </button>
        <ErrorMessage message=problem.into()/>
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
            <p class="govuk-body">
                {format!("If it cannot be sent for a long time, you can email it to the security team at {SECURITY_EMAIL}, the address the guidance gives for questions about security, or copy it into another app. Call the IT Service Desk too, if you have not.")}
            </p>
            <div class="govuk-button-group">
                <a class="govuk-button govuk-button--secondary" href=mailto role="button" draggable="false" data-module="govuk-button">"Email this report"</a>
                <button data-module="govuk-button" type="button" class="govuk-button govuk-button--secondary" on:click=copy>
                    "Copy this report"
                </button>
            </div>
            <p class="govuk-body" role="status">
                {move || match copied.get() {
                    Some(true) => "Copied. You can paste it into an email or message.",
                    Some(false) => "It could not be copied. Select the text below and copy it.",
                    None => "",
                }}
            </p>
            // Opened by itself when copying fails, so the text can be selected by hand.
            <Details summary="Show the report as text" open=Signal::derive(move || copied.get() == Some(false))>
                <div>
                    <label class="govuk-label" for=text_id.clone()>"The report as text"</label>
                    <textarea class="govuk-textarea" id=text_id rows="8" readonly>{text}</textarea>
                </div>
            </Details>
        </div>
    }
}
