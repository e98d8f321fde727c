use guidance::{Block, Contact};
use leptos::prelude::*;

use super::{ActionLink, StepList};

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
        Block::Text(text) => view! { <p class="app-body">{*text}</p> }.into_any(),
        Block::Warning(text) => view! {
            <div class="app-warning">
                <span class="app-warning__icon" aria-hidden="true">"!"</span>
                <strong class="app-warning__text">
                    <span class="app-visually-hidden">"Warning: "</span>
                    {*text}
                </strong>
            </div>
        }
        .into_any(),
        Block::Steps(steps) => view! { <StepList steps checklist/> }.into_any(),
        Block::Ordered(items) => view! {
            <ol class="app-list app-list--number">
                {items.iter().map(|item| view! { <li>{*item}</li> }).collect_view()}
            </ol>
        }
        .into_any(),
        Block::Bullets(items) => view! {
            <ul class="app-list app-list--bullet">
                {items.iter().map(|item| view! { <li>{*item}</li> }).collect_view()}
            </ul>
        }
        .into_any(),
        Block::Contacts(contacts) => view! {
            <div class="app-contacts">
                {contacts.iter().map(|contact| view! { <ContactCard contact/> }).collect_view()}
            </div>
        }
        .into_any(),
        Block::Related(paths) => view! {
            <ul class="app-related">
                {paths
                    .iter()
                    .filter_map(|path| guidance::page_at(path))
                    .map(|page| view! {
                        <li class="app-related__item">
                            <a class="app-related__link" href=page.path>{page.title}</a>
                            <span class="app-related__summary">{page.summary}</span>
                        </li>
                    })
                    .collect_view()}
            </ul>
        }
        .into_any(),
        Block::ReportStart(label) => view! {
            <div class="app-start">
                <a class="app-button app-button--start" href=crate::report::REPORT_PATH>{*label}</a>
                <p class="app-body">"It works on this phone even without signal, and is sent when you are back online."</p>
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
            <h3 class="app-contact__name">{contact.name}</h3>
            <p class="app-body">{contact.purpose}</p>
            <div class="app-actions">
                {contact.actions.iter().map(|action| view! { <ActionLink action/> }).collect_view()}
            </div>
        </section>
    }
}
