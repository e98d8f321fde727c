use guidance::{Action, ActionKind};
use leptos::prelude::*;

/// A large tappable link that phones, emails or opens a page, showing the exact number or address.
#[component]
pub fn ActionLink(
    /// What to do and where.
    action: &'static Action,
) -> impl IntoView {
    let class = match action.kind {
        ActionKind::Call => "app-action app-action--call",
        ActionKind::Email => "app-action app-action--email",
        ActionKind::Web => "app-action app-action--web",
    };
    // A web address is long and the label already says where it goes; numbers and addresses are
    // shown because people read them out or copy them.
    let shown = (action.kind != ActionKind::Web).then_some(action.target);
    view! {
        <a class=class href=action.href()>
            <span class="app-action__label">{action.label}</span>
            {shown.map(|target| view! { <span class="app-action__target">{target}</span> })}
        </a>
    }
}
