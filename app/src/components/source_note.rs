//! Where a page's guidance comes from and when it was last checked.

use guidance::source::{LAST_CHECKED, LAST_CHECKED_TEXT, Source};
use leptos::prelude::*;

/// Where a page's guidance comes from and when it was last checked against it.
#[component]
pub fn SourceNote(
    /// The published pages this page is based on.
    sources: &'static [Source],
) -> impl IntoView {
    view! {
        <footer class="app-source">
            <p class="govuk-body-s app-secondary">
                "Based on: "
                {sources
                    .iter()
                    .enumerate()
                    .map(|(i, source)| {
                        let separator = (i > 0).then_some("; ");
                        let title = match source.url {
                            Some(url) => view! { <a class="govuk-link" href=url>{source.title}</a> }.into_any(),
                            None => view! { <cite>{source.title}</cite> }.into_any(),
                        };
                        view! { {separator} {title} " (" {source.publisher} ")" }
                    })
                    .collect_view()}
            </p>
            <p class="govuk-body-s app-secondary">
                "Last checked: " <time datetime=LAST_CHECKED>{LAST_CHECKED_TEXT}</time>
            </p>
        </footer>
    }
}
