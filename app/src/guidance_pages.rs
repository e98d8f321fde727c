//! The pages the router shows: a guidance page for a known URL, or "page not found".

use guidance::Page;
use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::use_location;

use crate::APP_NAME;
use crate::components::{BlockView, SourceNote};
use crate::install::InstallApp;

/// Shows the guidance page at the current URL, or [`NotFound`].
#[component]
pub fn GuidanceRoute() -> impl IntoView {
    let location = use_location();
    move || {
        let path = location.pathname.get();
        let path = if path.len() > 1 {
            path.trim_end_matches('/').to_owned()
        } else {
            path
        };
        match guidance::page_at(&path) {
            Some(page) => view! { <GuidancePage page/> }.into_any(),
            None => view! { <NotFound/> }.into_any(),
        }
    }
}

/// One page of guidance: heading, summary, sections, source.
#[component]
pub fn GuidancePage(
    /// The content to show.
    page: &'static Page,
) -> impl IntoView {
    let is_home = page.path == "/";
    view! {
        <Title text=format!("{} – {APP_NAME}", page.title)/>
        <Meta name="description" content=page.summary/>
        <h1 class="govuk-heading-xl">{page.title}</h1>
        <p class="govuk-body-l">{page.summary}</p>
        // The rehearsal build says so on screen, so the deploy test can tell which release a page
        // came from (the report form island's markup differs too: see `ReportJourney`).
        {cfg!(feature = "deploy-rehearsal").then(|| view! { <p class="govuk-body">"Rehearsal of the next release."</p> })}
        {page
            .sections
            .iter()
            .map(|section| view! {
                <section>
                    {section.heading.map(|h| view! { <h2 class="govuk-heading-l">{h}</h2> })}
                    {section.blocks.iter().map(|block| view! { <BlockView block checklist=is_home/> }).collect_view()}
                </section>
            })
            .collect_view()}
        {is_home.then(|| view! { <InstallApp/> })}
        // Who the guidance is for, after what to do: the first screen is for the steps.
        <p class="govuk-body app-secondary">{page.audience}</p>
        <SourceNote sources=page.sources/>
    }
}

/// The page for a URL the app does not have; the server also answers 404.
#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text=format!("Page not found – {APP_NAME}")/>
        <h1 class="govuk-heading-xl">"Page not found"</h1>
        <p class="govuk-body">"There is no page at this address. It may have moved."</p>
        <crate::offline::HelpLinks/>
    }
}
