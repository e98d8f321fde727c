//! Reporting an incident from the phone: the form pages, "Check your answers", the confirmation,
//! and "Your reports". The routes render on the server; everything that changes is in two
//! islands ([`journey::ReportJourney`] and [`your_reports::YourReports`]) that keep every answer
//! in the phone's storage as it is typed, so the form works offline and nothing is lost.

mod journey;
mod question_view;
mod status;
mod your_reports;

use incident_report::DeliveryState;
use incident_report::stored::RETENTION_DAYS;
use leptos::prelude::*;
use leptos_meta::Title;

use crate::APP_NAME;
use crate::govuk::{Tag, TagColour};

/// The address of the report form.
pub const REPORT_PATH: &str = "/report";
/// The address of "Your reports".
pub const YOUR_REPORTS_PATH: &str = "/reports";
/// The address of "Your data": what the app keeps on the phone and sends, and how to remove it.
pub const YOUR_DATA_PATH: &str = "/your-data";
/// The pages the offline worker must keep, besides the guidance.
pub const PATHS: [&str; 3] = [REPORT_PATH, YOUR_REPORTS_PATH, YOUR_DATA_PATH];

/// The pages that work only with the app's code (the others are plain content): the offline
/// worker stores them with that code, after the guidance.
pub const NEEDS_APP_CODE: [&str; 2] = [REPORT_PATH, YOUR_REPORTS_PATH];

// Where a report can be sent another way when the server cannot be reached: the address the
// guidance gives for further questions about security (it gives no address for reports).
use guidance::contacts::SECURITY_EMAIL;

/// `/report?id=…&page=…`: the report journey.
#[component]
pub fn ReportRoute() -> impl IntoView {
    let start = journey::JourneyStart::on_server();
    view! {
        <Title text=journey::title(start.screen, !start.errors.is_empty())/>
        // The state this HTML shows, for the island to start from in the browser (it takes no
        // props, so that the browser needs no JSON parser for them; the answers are the form's
        // own fields).
        <div
            class="app-journey"
            data-page=start.screen.slug()
            data-errors=start.flagged_errors()
            data-reference=start.reference.clone()
            data-problem=start.problem.clone()
        >
            <journey::ReportJourney/>
        </div>
        <script nonce=leptos::nonce::use_nonce()>{REVEAL_FOLLOW_UPS}</script>
    }
}

/// Shows each follow-up question when a choice that reveals it is chosen, as GOV.UK's radios
/// do, until the app's code takes over (`data-hydrated`), or for good where it never runs. It
/// also marks the page as running scripts: without any, every follow-up is shown (CSS), so the
/// plain HTML form can always be finished.
const REVEAL_FOLLOW_UPS: &str = "(()=>{const root=document.documentElement;root.classList.add('app-js');\
    const form=document.querySelector('.app-journey');if(!form)return;\
    form.addEventListener('change',()=>{if(root.dataset.hydrated)return;const shown={};\
    for(const radio of form.querySelectorAll('input[type=radio][aria-controls]')){\
    radio.setAttribute('aria-expanded',String(radio.checked));\
    for(const id of radio.getAttribute('aria-controls').split(' ')){\
    shown[id]=shown[id]||radio.checked;}}\
    for(const [id,show] of Object.entries(shown)){const group=document.getElementById(id);\
    if(group)group.hidden=!show;}});})()";

/// `/reports`: every report on this phone and where it is.
#[component]
pub fn YourReportsRoute() -> impl IntoView {
    view! {
        <Title text=format!("Your reports – {APP_NAME}")/>
        <h1 class="govuk-heading-xl">"Your reports"</h1>
        <p class="govuk-body-l">"Every report started on this phone: still being written, waiting for signal, or sent with its reference number."</p>
        <your_reports::YourReports/>
    }
}

/// `/your-data`: what the app keeps on this phone and for how long, what it sends and to whom,
/// and how to remove it.
#[component]
pub fn YourDataRoute() -> impl IntoView {
    let settings = crate::settings::ServiceSettings::current();
    let recipient = settings.recipient;
    let server_keeps = match settings.keep_delivered_days {
        0 => format!(
            "The server keeps each report, answers included, after passing it to {recipient}."
        ),
        days => format!(
            "The server keeps each report's answers until {days} days after it has passed the report to {recipient}, then removes them. It keeps the reference number, when the report arrived, and a fingerprint that lets it recognise the report if your phone sends it again; these are not your answers. The copy passed to {recipient} is theirs, kept as they keep their other records."
        ),
    };
    let ticks_kept = crate::components::TICKS_KEPT_HOURS;
    view! {
        <Title text=format!("Your data – {APP_NAME}")/>
        <h1 class="govuk-heading-xl">"Your data"</h1>
        <p class="govuk-body-l">"What this app keeps on this phone, what it sends, and how to remove it."</p>

        <h2 class="govuk-heading-m">"Kept on this phone"</h2>
        <ul class="govuk-list govuk-list--bullet">
            <li>"Each report you start: every answer, saved as you type, including your name, work email address and phone number."</li>
            <li>"A report you have not sent stays until you send it or delete it. A report waiting for signal stays until the server confirms it has it."</li>
            <li>{HELPER_COPY}</li>
            <li>{format!("A sent report stays with its reference number, so you can show it was received. {RETENTION_DAYS} days after it was sent, everything in it is removed from this phone except the reference number, the date, and what happened to which kind of device.")}</li>
            <li>{format!("Which of the steps you marked as done, for {ticks_kept} hours after your last change.")}</li>
            <li>"Anything saved for a report that the app could not read later (for example after the phone ran out of space). It is kept exactly as it was, so nothing you wrote is lost, until you remove it."</li>
            <li>"A copy of this guidance and of the app, so that they work without signal."</li>
        </ul>
        <p class="govuk-body">"It is kept in this browser's storage for this site only. Other sites and apps cannot read it."</p>

        <h2 class="govuk-heading-m">"Sent, and to whom"</h2>
        <p class="govuk-body">{format!("When you press “Send report”, the report goes to this service's server, which passes it to {recipient}. The server's logs note that a report arrived, never what it says.")}</p>
        <p class="govuk-body">{WHILE_WRITING}</p>
        <p class="govuk-body">{server_keeps}</p>
        <p class="govuk-body">"The app uses no cookies and no analytics."</p>

        <h2 class="govuk-heading-m">"How to remove it"</h2>
        <ul class="govuk-list govuk-list--bullet">
            <li>"A report you have not sent: “Delete this draft” on "<a class="govuk-link" href=YOUR_REPORTS_PATH>"Your reports"</a>"."</li>
            <li>"A sent report: “Remove from this phone” on "<a class="govuk-link" href=YOUR_REPORTS_PATH>"Your reports"</a>". The copy this service passed on is not affected."</li>
            <li>"Something the app could not read: “Remove from this phone” under it on "<a class="govuk-link" href=YOUR_REPORTS_PATH>"Your reports"</a>"."</li>
            <li>"Your ticks: “Clear my ticks” under the steps on the "<a class="govuk-link" href="/">"first page"</a>"."</li>
            <li>"Everything at once: clear this site's data in your browser's settings. This also removes any report not sent yet."</li>
        </ul>
    }
}

/// The second copy of a waiting report, held by the offline worker so the browser can send it
/// with the app closed: the worker forgets it once a page has taken its answer, on the page's next
/// pass and straight after a removal.
pub const HELPER_COPY: &str = "While a report waits for signal, the app's offline helper in this browser keeps a second copy of it, so that the report can be sent even with the app closed. That copy is removed once the report has been sent and the app has been opened again.";

/// What leaves the phone before "Send report", true both with the app's code and without it.
pub const WHILE_WRITING: &str = "While the app runs on your phone, nothing you write leaves it until you press “Send report”. If the app cannot run (for example while it is still loading on a weak signal, or if this browser blocks its code), the form works as a plain web page instead: each “Continue” sends the answers so far to this service's server, which uses them only to show the next page and keeps none of them until you press “Send report”.";

/// Shown only if the app's code never runs (WebAssembly off, as in iOS Lockdown Mode): CSS
/// reveals it after a few seconds, and hydration hides it first on every other phone. The report
/// form (`plain_form`) still works then, as plain HTML, but only with signal; the list of the
/// phone's reports cannot.
#[component]
fn NeedsWebAssembly(ready: Signal<bool>, #[prop(optional)] plain_form: bool) -> impl IntoView {
    view! {
        <div class="app-needs-wasm" hidden=ready>
            <p class="govuk-body">
                <strong>"This browser is not running the app's code (WebAssembly may be turned off, for example by Lockdown Mode)."</strong>
            </p>
            <p class="govuk-body">{if plain_form {
                "You can still fill in this form and send it while you have signal, but your answers are not saved on this phone as you go. Without signal, phone the IT Service Desk instead."
            } else {
                "So this page cannot show the reports kept on this phone. If you need help now, phone the IT Service Desk."
            }}</p>
            <crate::offline::HelpLinks/>
        </div>
    }
}

/// The state as a short coloured tag.
#[component]
fn StateTag(state: DeliveryState) -> impl IntoView {
    let (text, colour) = match state {
        DeliveryState::Draft => ("Not sent: still being written", TagColour::Grey),
        DeliveryState::Queued { .. } => ("Not sent yet", TagColour::Blue),
        DeliveryState::Sending { .. } => ("Sending", TagColour::Blue),
        DeliveryState::Delivered { .. } => ("Sent", TagColour::Green),
        DeliveryState::Rejected { .. } => ("Needs attention", TagColour::Red),
    };
    view! { <Tag text colour/> }
}

/// The address of one page of one report.
fn page_url(id: incident_report::ReportId, page: &str) -> String {
    format!("{REPORT_PATH}?id={id}&page={page}")
}

pub use journey::{JourneyStart, ReportJourney};
pub use your_reports::YourReports;
