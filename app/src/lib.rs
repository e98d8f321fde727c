//! The Leptos pages of the Lost Device app.
//!
//! Built twice: with `ssr` the server renders every page to HTML (readable before, and without,
//! any WebAssembly); with `hydrate` the browser makes the interactive parts work. Those parts are
//! Leptos islands (`#[island]`): only their code is in the WebAssembly, and the rest of each page
//! stays the server's HTML. The content comes from the `guidance` crate; this crate only decides
//! how it looks.
//!
//! A reactive attribute is given a `Signal` (`Signal::derive`) rather than a closure: the
//! WebAssembly then holds the attribute's code once per value type instead of once per closure.
//!
//! Routes: `/`, `/guidance/{slug}` and `/contacts` (one per `guidance::PAGES` entry), `/report`,
//! `/reports` and `/your-data` (see [`report`]), anything else is a 404 page. `/offline` is not a route: see
//! [`offline`].

// Leptos views are deeply nested types; the report pages pass the default limit.
#![recursion_limit = "256"]

#[cfg(feature = "hydrate")]
mod browser;
pub mod components;
pub mod govuk;
pub mod guidance_pages;
pub mod hydration;
pub mod install;
pub mod offline;
mod phone;
pub mod report;
pub mod script_names;
pub mod settings;
#[cfg(feature = "ssr")]
pub mod team;

use leptos::prelude::*;
use leptos_meta::{MetaTags, provide_meta_context};
use leptos_router::{
    ParamSegment, StaticSegment,
    components::{Route, Router, Routes},
};

use crate::components::SiteHeader;
use crate::govuk::NotificationBanner;
use crate::guidance_pages::{GuidanceRoute, NotFound};
use crate::hydration::IslandScripts;
use crate::report::{ReportRoute, YourDataRoute, YourReportsRoute};

/// The name people see on the home screen and in the header.
pub const APP_NAME: &str = "Lost Device";

/// The local storage key under which the app keeps what the phone's reports come to
/// (`incident_report::stored::Summary`), for the status line's plain script
/// (`public/sw-register.js`), which says on every page when a report waits or was just sent.
pub const PHONE_SUMMARY_KEY: &str = "lost-device.reports-summary";

/// The event a page fires on itself when it changes the stored reports (other tabs hear of it
/// through `storage` events).
pub const REPORTS_CHANGED_EVENT: &str = "lost-device:reports-changed";

/// How long after it was sent the status line names a report's reference.
const SENT_SHOWN_HOURS: u32 = 24;

/// The HTML document around the app, rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en-GB" class="govuk-template">
            <head>
                <DocumentHead options=options.clone()/>
                <IslandScripts options/>
                <MetaTags/>
            </head>
            <body class="govuk-template__body">
                <App/>
            </body>
        </html>
    }
}

/// What every page's `<head>` has, hydrated or not: encoding, viewport, styles, icons, manifest.
#[component]
pub fn DocumentHead(
    /// Build options: the stylesheet's hashed name comes from here.
    options: LeptosOptions,
    /// Whether the page registers the offline worker (the team's pages have no scripts).
    #[prop(default = true)]
    scripts: bool,
) -> impl IntoView {
    view! {
        <meta charset="utf-8"/>
        <meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover"/>
        <meta name="theme-color" content="#0b0c0c"/>
        {scripts.then(|| view! { <hydration::RegisterWorker/> })}
        <hydration::BuildStylesheet options/>
        <settings::SettingsMeta/>
        <link rel="icon" href="/favicon.ico" sizes="32x32"/>
        <link rel="icon" href="/icons/icon.svg" type="image/svg+xml"/>
        {scripts.then(|| view! {
            <link rel="manifest" href="/manifest.webmanifest"/>
            <link rel="apple-touch-icon" href="/icons/apple-touch-icon.png"/>
            <script src="/sw-register.js" defer></script>
        })}
    }
}

/// The app: header, the page for the current URL, footer.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    #[cfg(feature = "ssr")]
    set_security_headers();
    view! {
        <Router>
            <a href="#main" class="govuk-skip-link" data-module="govuk-skip-link">"Skip to main content"</a>
            <SiteHeader/>
            <div class="govuk-width-container">
                <OfflineStatus/>
                <UpdateBanner/>
                <main id="main" class="govuk-main-wrapper app-main" tabindex="-1">
                    <Routes fallback=NotFound>
                        <Route path=StaticSegment("") view=GuidanceRoute/>
                        <Route path=StaticSegment("contacts") view=GuidanceRoute/>
                        <Route path=(StaticSegment("guidance"), ParamSegment("slug")) view=GuidanceRoute/>
                        <Route path=StaticSegment("report") view=ReportRoute/>
                        <Route path=StaticSegment("reports") view=YourReportsRoute/>
                        <Route path=StaticSegment("your-data") view=YourDataRoute/>
                    </Routes>
                </main>
            </div>
        </Router>
    }
}

/// Tells the reader whether this guidance is saved on the phone and whether there is a
/// connection, in a bar along the bottom of the screen (on the report pages, while their code is
/// still being saved, that it is not yet), and whether a report on this phone waits to be sent or
/// was sent in the last [`SENT_SHOWN_HOURS`], with a link to "Your reports". Every line starts hidden;
/// `public/sw-register.js` shows the one that is true (plain JavaScript, so it also works where
/// WebAssembly is off). Without JavaScript there is no offline copy, so nothing is claimed.
#[component]
fn OfflineStatus() -> impl IntoView {
    view! {
        <div role="status" class="app-status" data-summary-key=PHONE_SUMMARY_KEY data-changed-event=REPORTS_CHANGED_EVENT>
            <p id=script_names::STATUS_SAVED class="app-status__line" hidden>
                "Works offline on this phone."
            </p>
            <p id=script_names::STATUS_SAVING class="app-status__line" hidden>
                "Saving this form for use offline."
            </p>
            <p id=script_names::STATUS_OFFLINE class="app-status__line app-status__line--offline" hidden>
                "Offline: using the saved copy."
            </p>
            // One line each on a 320 px phone, as a link to "Your reports"; offline, the waiting
            // line says so too, in place of the offline line, so the bar stays one line tall.
            <p id=script_names::STATUS_WAITING class="app-status__line app-status__line--report" hidden>
                <span id=script_names::STATUS_WAITING_OFFLINE hidden>"Offline. "</span>
                <a class="govuk-link" href=report::YOUR_REPORTS_PATH>"A report is not sent yet"</a>
            </p>
            <p id=script_names::STATUS_SENT class="app-status__line app-status__line--report" data-shown-hours=SENT_SHOWN_HOURS hidden>
                <a class="govuk-link" href=report::YOUR_REPORTS_PATH>"Report sent: "<span id=script_names::STATUS_REFERENCE></span></a>
            </p>
        </div>
    }
}

/// "A new version is ready", with a Reload button. Hidden until `public/sw-register.js` sees a
/// newer version take over while this page is open (plain JavaScript, like the status lines).
#[component]
fn UpdateBanner() -> impl IntoView {
    view! {
        <div id=script_names::UPDATE hidden>
            <NotificationBanner title="Important">
                <p class="govuk-notification-banner__heading">"A new version of this app is ready."</p>
                <p class="govuk-body">"Your answers are saved on this phone. Reload when you are ready to use the new version."</p>
                <button data-module="govuk-button" type="button" id=script_names::UPDATE_RELOAD class="govuk-button govuk-button--secondary">"Reload"</button>
            </NotificationBanner>
        </div>
    }
}

/// Sends the page's Content-Security-Policy with this response's nonce: scripts run only from our
/// own origin or with the nonce, and WebAssembly may compile ('wasm-unsafe-eval'), nothing else.
#[cfg(feature = "ssr")]
fn set_security_headers() {
    use http::header::{CONTENT_SECURITY_POLICY, HeaderValue};
    let Some(options) = use_context::<leptos_axum::ResponseOptions>() else {
        return;
    };
    let nonce = leptos::nonce::use_nonce()
        .map(|n| n.to_string())
        .unwrap_or_default();
    let policy = content_security_policy(&nonce);
    if let Ok(value) = HeaderValue::from_str(&policy) {
        options.insert_header(CONTENT_SECURITY_POLICY, value);
    }
}

/// The Content-Security-Policy for a page whose inline scripts carry `nonce`.
pub fn content_security_policy(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; connect-src 'self'; manifest-src 'self'; \
         worker-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; \
         frame-ancestors 'none'"
    )
}

/// Entry point of the browser bundle: make the interactive parts (islands) of the
/// server-rendered page work. The rest of the page is plain HTML and needs no code.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
    // Reports waiting on the phone are sent from whichever page the app opens on.
    browser::sender::start();
}
