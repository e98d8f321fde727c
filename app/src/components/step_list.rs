//! The guidance's numbered steps; on home, each with a "Mark step N as done" toggle whose ticks
//! are kept on the phone for one incident (`public/checklist.js`).

/// How long ticks are kept after the last change: long enough for one incident, short enough
/// that the next one, weeks later, starts with none. `public/checklist.js` reads it from the
/// markup.
pub const TICKS_KEPT_HOURS: u32 = 24;

use guidance::Step;
use leptos::prelude::*;

use super::ActionLink;

/// Numbered steps, each with its calls and links, as a GOV.UK task list. As a checklist (home
/// page), each step gets a [`StepToggle`] so a stressed person can tick what is done and see what
/// is left after a phone call.
#[component]
pub fn StepList(
    /// The steps, in order.
    steps: &'static [Step],
    /// Whether to show "mark as done" toggles.
    #[prop(optional)]
    checklist: bool,
) -> impl IntoView {
    view! {
        <ol class="govuk-task-list app-steps">
            {steps
                .iter()
                .enumerate()
                .map(|(index, step)| {
                    let number = index + 1;
                    view! {
                        <li class="govuk-task-list__item app-step">
                            <div class="govuk-task-list__name-and-hint">
                                <h2 class="app-step__title">
                                    <span aria-hidden="true">{format!("{number}. ")}</span>
                                    <span class="govuk-visually-hidden">{format!("Step {number}: ")}</span>
                                    {step.title}
                                </h2>
                            </div>
                            // The calls first, the explanation after: on a small screen the call
                            // must be on the first screen.
                            <div class="app-step__body">
                                {(!step.actions.is_empty()).then(|| view! {
                                    <div class="app-actions">
                                        {step.actions.iter().map(|action| view! { <ActionLink action/> }).collect_view()}
                                    </div>
                                })}
                                <p class="govuk-body">{step.detail}</p>
                            </div>
                            {checklist.then(|| view! { <StepToggle number/> })}
                        </li>
                    }
                })
                .collect_view()}
        </ol>
        {checklist.then(|| view! {
            <div class="app-checklist" data-kept-hours=TICKS_KEPT_HOURS>
                <p class="govuk-body-s app-secondary app-waiting">
                    {format!("Your ticks are kept on this phone for {TICKS_KEPT_HOURS} hours after your last change, then cleared, so a later incident starts with none.")}
                </p>
                <button data-module="govuk-button" type="button" class="govuk-button govuk-button--secondary app-checklist-clear app-waiting">
                    "Clear my ticks"
                </button>
            </div>
            <script src="/checklist.js" defer></script>
        })}
    }
}

/// A step's status ("To do" or "Done") and its "Mark step N as done" toggle, remembered on this
/// phone. The markup is all here; `public/checklist.js` makes it work (plain JavaScript, loaded
/// with the page), so a tap works as soon as the steps are on screen, before any WebAssembly has
/// arrived and where WebAssembly is off. The status and toggle stay invisible until then, so
/// nothing dead is shown where JavaScript is off; they keep their room meanwhile, so the text
/// does not move when they appear.
#[component]
fn StepToggle(
    /// The step's number, from 1.
    number: usize,
) -> impl IntoView {
    view! {
        <div class="govuk-task-list__status app-waiting">
            <span class="app-step__done" hidden>"Done"</span>
            <strong class="govuk-tag govuk-tag--blue app-step__to-do">"To do"</strong>
        </div>
        <div class="app-step__toggle-row">
            <button data-module="govuk-button"
                type="button"
                class="govuk-button govuk-button--secondary app-step__toggle app-waiting"
                aria-pressed="false"
            >
                {format!("Mark step {number} as done")}
            </button>
            <p class="govuk-error-message app-step__error" role="alert" hidden>
                <span class="govuk-visually-hidden">"Error: "</span>
                <span class="app-step__error-text"></span>
            </p>
        </div>
    }
}
