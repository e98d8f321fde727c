//! A call, email or web link as big as a GOV.UK button, showing the number or address itself.

use guidance::{Action, ActionKind};
use leptos::prelude::*;

/// A large tappable link that phones, emails or opens a page, showing the exact number or address.
/// Calls are the green (primary) button; emails and web pages the grey (secondary) one.
#[component]
pub fn ActionLink(
    /// What to do and where.
    action: &'static Action,
) -> impl IntoView {
    let class = match action.kind {
        ActionKind::Call => "govuk-button",
        ActionKind::Email | ActionKind::Web => "govuk-button govuk-button--secondary",
    };
    // A web address is long and the label already says where it goes; numbers and addresses are
    // shown because people read them out or copy them.
    let shown = (action.kind != ActionKind::Web).then_some(action.target);
    let target_class = if action.kind == ActionKind::Email {
        "app-action__target app-action__target--email"
    } else {
        "app-action__target"
    };
    view! {
        // GOV.UK's button as a link: announced as a button, not dragged away by a long press.
        <a class=class href=action.href() role="button" draggable="false" data-module="govuk-button">
            <span>{action.label}</span>
            {shown.map(|target| view! { <span class=target_class>{target}</span> })}
        </a>
    }
}
