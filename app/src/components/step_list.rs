//! The guidance's numbered steps; on home, each with a "Mark step N as done" toggle (an island)
//! whose ticks are kept on the phone.

use guidance::Step;
use leptos::prelude::*;

use super::ActionLink;
use crate::govuk::ErrorMessage;
use crate::phone;

/// Numbered steps, each with its calls and links, as a GOV.UK task list. As a checklist (home
/// page), each step gets a [`StepToggle`] island so a stressed person can tick what is done and
/// see what is left after a phone call.
#[component]
pub fn StepList(
    /// The steps, in order.
    steps: &'static [Step],
    /// Whether to show "mark as done" toggles.
    #[prop(optional)]
    checklist: bool,
) -> impl IntoView {
    let total = steps.len();
    view! {
        <ol class="govuk-task-list app-steps">
            {steps
                .iter()
                .enumerate()
                .map(|(index, step)| {
                    let number = index + 1;
                    let content = view! {
                        <h2 class="app-step__title">
                            <span aria-hidden="true">{format!("{number}. ")}</span>
                            <span class="govuk-visually-hidden">{format!("Step {number}: ")}</span>
                            {step.title}
                        </h2>
                        <p class="govuk-body">{step.detail}</p>
                        {(!step.actions.is_empty()).then(|| view! {
                            <div class="app-actions">
                                {step.actions.iter().map(|action| view! { <ActionLink action/> }).collect_view()}
                            </div>
                        })}
                    };
                    view! {
                        <li class="govuk-task-list__item app-step">
                            <div class="govuk-task-list__name-and-hint">{content}</div>
                            {checklist.then(|| view! { <StepToggle number total/> })}
                        </li>
                    }
                })
                .collect_view()}
        </ol>
    }
}

/// A step's status ("To do" or "Done") and its "Mark step N as done" toggle, remembered on this
/// phone: an island, the only part of the page that needs WebAssembly (the step's text and links
/// stay the server's HTML; taking them in as the island's children costs 5 KiB of WebAssembly).
/// The status and toggle stay invisible until they work, so nothing dead is shown where
/// WebAssembly is off; they keep their room meanwhile, so the text does not move when they appear.
/// What was saved is read only after hydration, so the first render matches the server's HTML.
#[island]
fn StepToggle(
    /// The step's number, from 1.
    number: usize,
    /// How many steps there are (the saved record must match).
    total: usize,
) -> impl IntoView {
    let done = RwSignal::new(false);
    let interactive = RwSignal::new(false);
    let save_error = RwSignal::new(None::<String>);
    Effect::new(move || {
        done.set(
            phone::done_steps(total)
                .get(number - 1)
                .copied()
                .unwrap_or(false),
        );
        interactive.set(true);
        phone::mark_hydrated();
    });
    let toggle = move |_| {
        done.update(|d| *d = !*d);
        save_error.set(phone::save_done_step(total, number - 1, done.get_untracked()).err());
    };
    view! {
        <div class="govuk-task-list__status" class:app-waiting=move || !interactive.get()>
            <span hidden=move || !done.get()>"Done"</span>
            <strong class="govuk-tag govuk-tag--blue" hidden=move || done.get()>"To do"</strong>
        </div>
        <div class="app-step__toggle-row">
            // The rehearsal build changes the markup inside the island too, so a page hydrated by
            // another build's code would put the click handler on the wrong element.
            {cfg!(feature = "deploy-rehearsal").then(|| view! { <span class="app-step__rehearsal"></span> })}
            <button
                type="button"
                class="govuk-button govuk-button--secondary app-step__toggle"
                aria-pressed=move || done.get().to_string()
                class:app-waiting=move || !interactive.get()
                on:click=toggle
            >
                {format!("Mark step {number} as done")}
            </button>
            <ErrorMessage message=save_error.into()/>
        </div>
    }
}
