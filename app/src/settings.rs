//! The deployment's settings that pages put into words: who receives the reports, and how long
//! the server keeps their answers. The server sets them once at start-up ([`ServiceSettings::set`]);
//! every page carries the recipient in a `<meta>` tag, from which the islands read it back in the
//! browser, so the server's HTML and the hydrated islands say the same words.

use std::sync::OnceLock;

use leptos::prelude::*;

/// Who receives reports, when a deployment does not say: true of every deployment.
pub const DEFAULT_RECIPIENT: &str = "the security team this service sends to";

/// The `<meta>` tag's name.
const RECIPIENT_META: &str = "lost-device-recipient";

/// What pages say about where reports go and how long they are kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceSettings {
    /// Who receives the reports, as words that follow "to" or "by" ("the IT security team").
    pub recipient: String,
    /// Days the server keeps a delivered report's answers; 0 for ever.
    pub keep_delivered_days: u32,
}

impl Default for ServiceSettings {
    fn default() -> Self {
        Self {
            recipient: DEFAULT_RECIPIENT.to_owned(),
            keep_delivered_days: 30,
        }
    }
}

static SETTINGS: OnceLock<ServiceSettings> = OnceLock::new();

impl ServiceSettings {
    /// Sets the settings every page is rendered with (once, at the server's start).
    pub fn set(settings: ServiceSettings) {
        let _ = SETTINGS.set(settings);
    }

    /// The settings pages are rendered with (the defaults until they are set).
    pub fn current() -> ServiceSettings {
        SETTINGS.get().cloned().unwrap_or_default()
    }
}

/// Who receives the reports: on the server, the setting; in the browser, what the page's
/// `<meta>` tag says (an island renders the same words the server did).
pub fn recipient() -> String {
    crate::phone::meta(RECIPIENT_META).unwrap_or_else(|| ServiceSettings::current().recipient)
}

/// The `<meta>` tag that carries the recipient to the islands.
#[component]
pub fn SettingsMeta() -> impl IntoView {
    view! { <meta name=RECIPIENT_META content=ServiceSettings::current().recipient/> }
}
