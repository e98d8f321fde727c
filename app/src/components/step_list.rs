//! The guidance's numbered steps; on home, each with a "Mark step N as done" toggle (an island)
//! whose ticks are kept on the phone.

use guidance::Step;
use leptos::prelude::*;

use super::ActionLink;
use crate::phone;

/// Numbered steps, each with its calls and links. As a checklist (home page), each step gets a
/// [`StepToggle`] so a stressed person can see what is left after a phone call.
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
        <ol class="app-steps">
            {steps
                .iter()
                .enumerate()
                .map(|(index, step)| {
                    let number = index + 1;
                    view! {
                        <li class="app-step">
                            <h2 class="app-step__title">
                                <span class="app-step__number" aria-hidden="true">{number}</span>
                                <span class="app-visually-hidden">{format!("Step {number}: ")}</span>
                                {step.title}
                            </h2>
                            <p class="app-body">{step.detail}</p>
                            {(!step.actions.is_empty()).then(|| view! {
                                <div class="app-actions">
                                    {step.actions.iter().map(|action| view! { <ActionLink action/> }).collect_view()}
                                </div>
                            })}
                            {checklist.then(|| view! { <StepToggle number total/> })}
                        </li>
                    }
                })
                .collect_view()}
        </ol>
    }
}

/// "Mark step N as done", remembered on this phone. An island: the only part of the page that
/// needs WebAssembly. It stays hidden until it works, so nothing dead is shown where WebAssembly
/// is off, and it reads what was saved only after hydration, so its first render matches the
/// server's HTML.
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
        <p class="app-step__status" hidden=move || !done.get()>
            <span class="app-tag">"Done"</span>
        </p>
        // The rehearsal build changes the markup inside the island too, so a page hydrated by
        // another build's code would put the click handler on the wrong element.
        {cfg!(feature = "deploy-rehearsal").then(|| view! { <span class="app-step__rehearsal"></span> })}
        <button
            type="button"
            class="app-step__toggle"
            aria-pressed=move || done.get().to_string()
            hidden=move || !interactive.get()
            on:click=toggle
        >
            {format!("Mark step {number} as done")}
        </button>
        <p class="app-error-message" role="alert" hidden=move || save_error.with(Option::is_none)>
            {move || save_error.get()}
        </p>
    }
}
