//! Reporting an incident from the phone: the form pages, "Check your answers", the confirmation,
//! and "Your reports". The routes render on the server; everything that changes is in two
//! islands ([`journey::ReportJourney`] and [`your_reports::YourReports`]) that keep every answer
//! in the phone's storage as it is typed, so the form works offline and nothing is lost.

mod journey;
mod questions;
mod status;
mod your_reports;

use incident_report::DeliveryState;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::APP_NAME;

/// The address of the report form.
pub const REPORT_PATH: &str = "/report";
/// The address of "Your reports".
pub const YOUR_REPORTS_PATH: &str = "/reports";
/// The pages the offline worker must keep, besides the guidance.
pub const PATHS: [&str; 2] = [REPORT_PATH, YOUR_REPORTS_PATH];

// Where a report can be sent another way when the server cannot be reached: the address the
// guidance gives for further questions about security (it gives no address for reports).
use guidance::contacts::SECURITY_EMAIL;

/// `/report?id=…&page=…`: the report journey.
#[component]
pub fn ReportRoute() -> impl IntoView {
    let query = use_query_map();
    let page = query.with_untracked(|q| q.get("page")).unwrap_or_default();
    view! {
        <Title text=format!("Report a lost or stolen device – {APP_NAME}")/>
        <journey::ReportJourney page/>
    }
}

/// `/reports`: every report on this phone and where it is.
#[component]
pub fn YourReportsRoute() -> impl IntoView {
    view! {
        <Title text=format!("Your reports – {APP_NAME}")/>
        <h1 class="app-heading-xl">"Your reports"</h1>
        <your_reports::YourReports/>
    }
}

/// A problem to tell the person about at once (`role="alert"`); hidden while there is none.
#[component]
fn Alert(message: RwSignal<Option<String>>) -> impl IntoView {
    view! {
        <p class="app-error-message" role="alert" hidden=Signal::derive(move || message.with(Option::is_none))>
            {message}
        </p>
    }
}

/// Shown only if the page never becomes interactive (WebAssembly off, as in iOS Lockdown Mode):
/// CSS reveals it after a few seconds, and hydration hides it first on every other phone.
#[component]
fn NeedsWebAssembly(ready: Signal<bool>) -> impl IntoView {
    view! {
        <div class="app-needs-wasm" hidden=ready>
            <p class="app-body app-body--strong">
                "This form cannot work in this browser because WebAssembly is turned off (for example by Lockdown Mode)."
            </p>
            <crate::offline::HelpLinks/>
        </div>
    }
}

/// The state as a short coloured tag.
#[component]
fn StateTag(state: DeliveryState) -> impl IntoView {
    let (text, class) = match state {
        DeliveryState::Draft => ("Not sent: still being written", "app-tag app-tag--draft"),
        DeliveryState::Queued { .. } => ("Saved on this phone", "app-tag app-tag--waiting"),
        DeliveryState::Sending { .. } => ("Sending", "app-tag app-tag--waiting"),
        DeliveryState::Delivered { .. } => ("Sent", "app-tag"),
        DeliveryState::Rejected { .. } => ("Needs attention", "app-tag app-tag--attention"),
    };
    view! { <span class=class>{text}</span> }
}

/// The address of one page of one report.
fn page_url(id: incident_report::ReportId, page: &str) -> String {
    format!("{REPORT_PATH}?id={id}&page={page}")
}

pub use journey::ReportJourney;
pub use your_reports::YourReports;
