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

/// On a phone, folds the navigation behind a "Menu" button, as GOV.UK Frontend's service
/// navigation does, so the first screen has room for the call. Inline, right after the
/// navigation, so it runs before the first paint (nothing moves) and the button works as soon as
/// it shows; without JavaScript the links stay in view and the button hidden.
const FOLD_ON_A_PHONE: &str = "(()=>{const nav=document.currentScript.previousElementSibling;\
    const menu=nav.querySelector('button'),list=nav.querySelector('ul');\
    const wide=matchMedia('(min-width: 40.0625em)');let open=false;\
    const show=()=>{if(wide.matches){list.hidden=false;menu.hidden=true;\
    menu.setAttribute('aria-hidden','true');}else{menu.hidden=false;\
    menu.removeAttribute('aria-hidden');menu.setAttribute('aria-expanded',String(open));\
    list.hidden=!open;}};\
    menu.addEventListener('click',()=>{open=!open;show();});\
    wide.addEventListener('change',show);show();})()";

/// The header and navigation bar.
#[component]
pub fn SiteHeader() -> impl IntoView {
    let nonce = leptos::nonce::use_nonce();
    view! {
        <header class="govuk-generic-header">
            <div class="govuk-generic-header__container govuk-width-container">
                <div class="govuk-generic-header__logo">
                    <a href="/" class="govuk-generic-header__homepage-link">{APP_NAME}</a>
                </div>
            </div>
        </header>
        <div class="govuk-service-navigation" data-module="govuk-service-navigation">
            <div class="govuk-width-container">
                <div class="govuk-service-navigation__container">
                    <nav aria-label="Main" class="govuk-service-navigation__wrapper">
                        <button
                            type="button"
                            class="govuk-service-navigation__toggle"
                            aria-controls="app-navigation"
                            hidden
                            aria-hidden="true"
                        >
                            "Menu"
                        </button>
                        <ul class="govuk-service-navigation__list" id="app-navigation">
                            {LINKS.iter().map(|(href, text)| view! {
                                <li class="govuk-service-navigation__item">
                                    <a class="govuk-service-navigation__link" href=*href>{*text}</a>
                                </li>
                            }).collect_view()}
                        </ul>
                    </nav>
                    <script nonce=nonce>{FOLD_ON_A_PHONE}</script>
                </div>
            </div>
        </div>
    }
}
