use guidance::Step;
use leptos::prelude::*;

use super::ActionLink;

/// Numbered steps, each with its calls and links. As a checklist (home page), each step gets a
/// "mark as done" toggle that is remembered on this phone, so a stressed person can see what is
/// left after a phone call. The toggles appear only once the page is interactive: without
/// WebAssembly they could not work, so they are not shown.
#[component]
pub fn StepList(
    /// The steps, in order.
    steps: &'static [Step],
    /// Whether to show and remember "mark as done" toggles.
    #[prop(optional)]
    checklist: bool,
) -> impl IntoView {
    let done = RwSignal::new(vec![false; steps.len()]);
    let interactive = RwSignal::new(false);
    let save_error = RwSignal::new(None::<String>);
    #[cfg(feature = "hydrate")]
    if checklist {
        // Read what was saved only after hydration, so the first render matches the server's HTML.
        Effect::new(move || {
            done.set(crate::browser::load_done_steps(steps.len()));
            interactive.set(true);
        });
        Effect::watch(
            move || done.get(),
            move |state, _, _| save_error.set(crate::browser::save_done_steps(state).err()),
            false,
        );
    }
    let toggle_hidden = move || !(checklist && interactive.get());

    view! {
        <ol class="app-steps">
            {steps
                .iter()
                .enumerate()
                .map(|(index, step)| {
                    let number = index + 1;
                    let is_done = move || done.with(|d| d.get(index).copied().unwrap_or(false));
                    view! {
                        <li class="app-step" class:app-step--done=is_done>
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
                            <p class="app-step__status" hidden=move || !is_done()>
                                <span class="app-tag">"Done"</span>
                            </p>
                            <button
                                type="button"
                                class="app-step__toggle"
                                aria-pressed=move || is_done().to_string()
                                hidden=toggle_hidden
                                on:click=move |_| done.update(|d| {
                                    if let Some(flag) = d.get_mut(index) {
                                        *flag = !*flag;
                                    }
                                })
                            >
                                {format!("Mark step {number} as done")}
                            </button>
                        </li>
                    }
                })
                .collect_view()}
        </ol>
        <p class="app-error-message" role="alert" hidden=move || save_error.with(Option::is_none)>
            {move || save_error.get()}
        </p>
    }
}
