//! GOV.UK Frontend components used across the app, one Leptos component each, named after it and
//! written with its markup and class names (from `govuk-frontend`'s templates). None of GOV.UK
//! Frontend's JavaScript is used: where a component needs behaviour, the island around it does it
//! in Rust. Children are typed (`TypedChildren`), not boxed: boxing erases their type into an
//! `AnyView`, which costs WebAssembly for every kind of child. The form's components (radios,
//! inputs, date input, fieldset, error summary) are in `report::question_view`, next to the question
//! table they draw.

use leptos::prelude::*;

/// The start button: the main way into a service.
#[component]
pub fn StartButton(
    /// Where it goes.
    href: &'static str,
    /// What it says.
    label: &'static str,
) -> impl IntoView {
    view! {
        <a href=href role="button" draggable="false" class="govuk-button govuk-button--start" data-module="govuk-button">
            {label}
            <svg class="govuk-button__start-icon" xmlns="http://www.w3.org/2000/svg" width="17.5" height="19" viewBox="0 0 33 40" aria-hidden="true" focusable="false">
                <path fill="currentColor" d="M0 0h13l20 20-20 20H0l20-20z"/>
            </svg>
        </a>
    }
}

/// Warning text: something the person must not miss.
#[component]
pub fn WarningText(
    /// The warning.
    #[prop(into)]
    text: String,
) -> impl IntoView {
    view! {
        <div class="govuk-warning-text">
            <span class="govuk-warning-text__icon" aria-hidden="true">"!"</span>
            <strong class="govuk-warning-text__text">
                <span class="govuk-visually-hidden">"Warning: "</span>
                {text}
            </strong>
        </div>
    }
}

/// Inset text: something set apart from the text around it.
#[component]
pub fn InsetText<C: IntoView + 'static>(children: TypedChildren<C>) -> impl IntoView {
    let children = children.into_inner();
    view! { <div class="govuk-inset-text">{children()}</div> }
}

/// The back link: to the previous page of a journey.
#[component]
pub fn BackLink(
    /// What going back does (the journey's own history, not the browser's).
    on_back: Callback<()>,
) -> impl IntoView {
    view! {
        <a href="#" class="govuk-back-link" on:click=move |event| {
            event.prevent_default();
            on_back.run(());
        }>"Back"</a>
    }
}

/// The colours of a tag (GOV.UK's own set).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TagColour {
    /// Grey: not started or not yet done.
    Grey,
    /// Blue: in progress, waiting.
    Blue,
    /// Green: done.
    Green,
    /// Red: needs attention.
    Red,
    /// Yellow: in hand.
    Yellow,
}

/// A tag: a short status.
#[component]
pub fn Tag(
    /// What it says.
    text: &'static str,
    /// Its colour.
    colour: TagColour,
) -> impl IntoView {
    let class = match colour {
        TagColour::Grey => "govuk-tag govuk-tag--grey",
        TagColour::Blue => "govuk-tag govuk-tag--blue",
        TagColour::Green => "govuk-tag govuk-tag--green",
        TagColour::Red => "govuk-tag govuk-tag--red",
        TagColour::Yellow => "govuk-tag govuk-tag--yellow",
    };
    view! { <strong class=class>{text}</strong> }
}

/// A problem to tell the person about at once (GOV.UK error message with `role="alert"`);
/// hidden while there is none.
#[component]
pub fn ErrorMessage(
    /// The problem, in plain words.
    message: Signal<Option<String>>,
) -> impl IntoView {
    view! {
        <p class="govuk-error-message" role="alert" hidden=Signal::derive(move || message.with(Option::is_none))>
            <span class="govuk-visually-hidden">"Error: "</span>
            {message}
        </p>
    }
}

/// Details: more that the person can open.
#[component]
pub fn Details<C: IntoView + 'static>(
    /// The summary line, always shown.
    summary: &'static str,
    /// Open it (for example when copying failed and the text must be selected by hand).
    #[prop(into)]
    open: Signal<bool>,
    children: TypedChildren<C>,
) -> impl IntoView {
    let children = children.into_inner();
    view! {
        <details class="govuk-details" prop:open=open>
            <summary class="govuk-details__summary">
                <span class="govuk-details__summary-text">{summary}</span>
            </summary>
            <div class="govuk-details__text">{children()}</div>
        </details>
    }
}

/// A confirmation panel: the outcome of the journey, and the reference to keep.
#[component]
pub fn Panel<C: IntoView + 'static>(
    /// The outcome, the page's heading.
    title: &'static str,
    children: TypedChildren<C>,
) -> impl IntoView {
    let children = children.into_inner();
    view! {
        <div class="govuk-panel govuk-panel--confirmation">
            <h1 class="govuk-panel__title" id="journey-heading" tabindex="-1">{title}</h1>
            <div class="govuk-panel__body">{children()}</div>
        </div>
    }
}

/// A notification banner: news about the app itself (for example a new version).
#[component]
pub fn NotificationBanner<C: IntoView + 'static>(
    /// The banner's title ("Important").
    title: &'static str,
    children: TypedChildren<C>,
) -> impl IntoView {
    let children = children.into_inner();
    view! {
        <div class="govuk-notification-banner" role="region" aria-labelledby="notification-banner-title" data-module="govuk-notification-banner">
            <div class="govuk-notification-banner__header">
                <h2 class="govuk-notification-banner__title" id="notification-banner-title">{title}</h2>
            </div>
            <div class="govuk-notification-banner__content">{children()}</div>
        </div>
    }
}
