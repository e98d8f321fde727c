//! Adding the app to the home screen, where it opens like an app, works with no signal and its
//! storage is kept: the browser's own prompt behind the app's button where the browser offers
//! one, the Share menu's steps on iOS and iPadOS (where there is no prompt), nothing once the app
//! runs from the home screen.

use leptos::prelude::*;

use crate::phone::{self, InstallWay};

/// "Add to home screen", in whichever way this browser allows; hidden where there is none or the
/// app is already there. Used inside islands (it needs the browser).
#[component]
pub fn AddToHomeScreen() -> impl IntoView {
    let way = RwSignal::new(InstallWay::Unknown);
    let outcome = RwSignal::new(None::<&'static str>);
    // Known only in the browser, after hydrating (the first render equals the server's).
    let closed_app_sends = RwSignal::new(false);
    Effect::new(move || {
        closed_app_sends.set(phone::sends_with_the_app_closed());
        way.set(phone::install_way());
        phone::on_install_way_changed(move || way.set(phone::install_way()));
    });
    let add = move |_| {
        phone::prompt_install(move |accepted| {
            outcome.set(Some(if accepted {
                "Added. You can open Lost Device from your home screen, even with no signal."
            } else {
                "Not added. You can add it later from this page."
            }));
            way.set(phone::install_way());
        });
    };
    let offered = move || matches!(way.get(), InstallWay::Prompt | InstallWay::ShareMenu);
    view! {
        <section hidden=Signal::derive(move || !offered() && outcome.get().is_none())>
            <h2 class="govuk-heading-m">"Keep this app on your phone"</h2>
            <p class="govuk-body">
                "On your home screen it opens like an app, works with no signal, and the phone keeps your reports safe."
            </p>
            <p class="govuk-body">{move || sending_words(closed_app_sends.get())}</p>
            <button data-module="govuk-button"
                type="button"
                class="govuk-button govuk-button--secondary"
                hidden=Signal::derive(move || way.get() != InstallWay::Prompt)
                on:click=add
            >
                "Add to home screen"
            </button>
            <div hidden=Signal::derive(move || way.get() != InstallWay::ShareMenu)>
                <p class="govuk-body">"To add it on an iPhone or iPad:"</p>
                <ol class="govuk-list govuk-list--number">
                    <li>"Tap the Share button (a square with an arrow pointing up)."</li>
                    <li>"Choose “Add to Home Screen”."</li>
                    <li>"Tap “Add”."</li>
                </ol>
            </div>
            <p class="govuk-body" role="status">{move || outcome.get()}</p>
        </section>
    }
}

/// How a report written with no signal goes, in words true of this browser (the same promise the
/// report pages make).
fn sending_words(closed_app_sends: bool) -> &'static str {
    if closed_app_sends {
        "A report you write with no signal is sent by itself as soon as there is signal, even if you close the app."
    } else {
        "A report you write with no signal is sent the next time you open the app with signal."
    }
}

/// [`AddToHomeScreen`] as an island of its own, for pages that have no other (home, whose
/// checklist works without WebAssembly).
#[island]
pub fn InstallApp() -> impl IntoView {
    Effect::new(phone::mark_hydrated);
    view! { <AddToHomeScreen/> }
}
