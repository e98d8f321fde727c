//! The page the service worker shows for an address it has no copy of while offline.
//!
//! It is a complete document with no hydration scripts: it is served for any unknown URL, and
//! hydrating one URL's HTML under another URL breaks hydration.

use guidance::contacts::SERVICE_DESK_PHONE;
use leptos::prelude::*;

use crate::components::ActionLink;
#[cfg(feature = "ssr")]
use crate::{APP_NAME, components::SiteHeader};

/// The URL the offline page is precached and served from.
pub const OFFLINE_PATH: &str = "/offline";

/// Links out of a dead end: home, and the service desk's number.
#[component]
pub fn HelpLinks() -> impl IntoView {
    view! {
        <p class="govuk-body">
            <a href="/" class="govuk-link"><strong>"Go to what to do if your device is lost or stolen"</strong></a>
        </p>
        <p class="govuk-body">"If you need help now, phone the IT Service Desk:"</p>
        <div class="app-actions">
            <ActionLink action=&SERVICE_DESK_PHONE/>
        </div>
    }
}

/// The whole offline document, for the server to render once.
#[cfg(feature = "ssr")]
pub fn offline_document(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en-GB" class="govuk-template">
            <head>
                <crate::DocumentHead options/>
                <title>{format!("You are offline – {APP_NAME}")}</title>
            </head>
            <body class="govuk-template__body">
                <SiteHeader/>
                <div class="govuk-width-container">
                    <main id="main" class="govuk-main-wrapper">
                        <h1 class="govuk-heading-xl">"You are offline"</h1>
                        <p class="govuk-body-l">
                            "This page is not saved on your phone, and there is no connection to fetch it."
                        </p>
                        <HelpLinks/>
                    </main>
                </div>
            </body>
        </html>
    }
}
