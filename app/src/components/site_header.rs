//! The top of every page: GOV.UK Frontend's generic header (the app's name, a link home) and its
//! service navigation.

use leptos::prelude::*;

use crate::APP_NAME;
use crate::report::{YOUR_DATA_PATH, YOUR_REPORTS_PATH};

/// The links in the service navigation, in order.
const LINKS: [(&str, &str); 3] = [
    (YOUR_REPORTS_PATH, "Your reports"),
    ("/contacts", "All contacts"),
    (YOUR_DATA_PATH, "Your data"),
];

/// The header and navigation bar.
#[component]
pub fn SiteHeader() -> impl IntoView {
    view! {
        <header class="govuk-generic-header">
            <div class="govuk-generic-header__container govuk-width-container">
                <div class="govuk-generic-header__logo">
                    <a href="/" class="govuk-generic-header__homepage-link">{APP_NAME}</a>
                </div>
            </div>
        </header>
        <div class="govuk-service-navigation">
            <div class="govuk-width-container">
                <div class="govuk-service-navigation__container">
                    <nav aria-label="Main" class="govuk-service-navigation__wrapper">
                        <ul class="govuk-service-navigation__list">
                            {LINKS.iter().map(|(href, text)| view! {
                                <li class="govuk-service-navigation__item">
                                    <a class="govuk-service-navigation__link" href=*href>{*text}</a>
                                </li>
                            }).collect_view()}
                        </ul>
                    </nav>
                </div>
            </div>
        </div>
    }
}
