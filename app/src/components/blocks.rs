//! One piece of guidance content (`guidance::Block`) in GOV.UK markup.

use guidance::{Block, Contact};
use leptos::prelude::*;

use super::{ActionLink, StepList};
use crate::govuk::{StartButton, WarningText};

/// One piece of guidance content, rendered by its kind.
#[component]
pub fn BlockView(
    /// The content.
    block: &'static Block,
    /// Whether steps get "mark as done" toggles (only on the home page).
    #[prop(optional)]
    checklist: bool,
) -> impl IntoView {
    match block {
        Block::Text(text) => view! { <p class="govuk-body">{*text}</p> }.into_any(),
        Block::Warning(text) => view! { <WarningText text=*text/> }.into_any(),
        Block::Steps(steps) => view! { <StepList steps checklist/> }.into_any(),
        Block::Ordered(items) => view! {
            <ol class="govuk-list govuk-list--number">
                {items.iter().map(|item| view! { <li>{*item}</li> }).collect_view()}
            </ol>
        }
        .into_any(),
        Block::Bullets(items) => view! {
            <ul class="govuk-list govuk-list--bullet">
                {items.iter().map(|item| view! { <li>{*item}</li> }).collect_view()}
            </ul>
        }
        .into_any(),
        Block::Contacts(contacts) => view! {
            <div>
                {contacts.iter().map(|contact| view! { <ContactCard contact/> }).collect_view()}
            </div>
        }
        .into_any(),
        Block::Related(paths) => view! {
            <ul class="govuk-list app-related">
                {paths
                    .iter()
                    .filter_map(|path| guidance::page_at(path))
                    .map(|page| view! {
                        <li>
                            <a class="govuk-link govuk-link--no-visited-state" href=page.path>
                                <strong>{page.title}</strong>
                            </a>
                            <br/>
                            <span class="govuk-body-s app-secondary">{page.summary}</span>
                        </li>
                    })
                    .collect_view()}
            </ul>
        }
        .into_any(),
        Block::ReportStart(label) => view! {
            <div>
                <StartButton href=crate::report::REPORT_PATH label=*label/>
                <p class="govuk-body">
                    {format!("It goes to {}. You can fill it in without signal: it is kept on this phone until it can be sent.", crate::settings::recipient())}
                </p>
            </div>
        }
        .into_any(),
    }
}

/// A team with the ways to reach it.
#[component]
fn ContactCard(
    /// The team.
    contact: &'static Contact,
) -> impl IntoView {
    view! {
        <section class="app-contact">
            <h3 class="govuk-heading-m">{contact.name}</h3>
            <p class="govuk-body">{contact.purpose}</p>
            <div class="app-actions">
                {contact.actions.iter().map(|action| view! { <ActionLink action/> }).collect_view()}
            </div>
        </section>
    }
}
