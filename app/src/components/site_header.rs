use leptos::prelude::*;

use crate::APP_NAME;

/// The bar at the top of every page: the app's name (a link home) and links to your reports and to all contacts.
#[component]
pub fn SiteHeader() -> impl IntoView {
    view! {
        <header class="app-header">
            <a href="/" class="app-header__home">{APP_NAME}</a>
            <nav class="app-header__nav" aria-label="Main">
                <a href="/reports" class="app-header__link">"Your reports"</a>
                <a href="/contacts" class="app-header__link">"All contacts"</a>
            </nav>
        </header>
    }
}
