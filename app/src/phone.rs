//! What the report pages need from the phone, in both builds. In the browser (`hydrate`) each
//! call goes to [`crate::browser`]. While the server renders a page's first HTML there is no
//! phone: nothing is stored or sent, so the pages render their empty first state, and the
//! browser fills them in after hydration.

// The server's versions do nothing but must have the browser's signatures.
#![allow(clippy::unnecessary_wraps)]

use incident_report::queue::Unreadable;
use incident_report::{ReportId, StoredReport};

/// Milliseconds since the Unix epoch (0 on the server).
pub fn now_ms() -> i64 {
    #[cfg(feature = "hydrate")]
    return crate::browser::now_ms();
    #[cfg(not(feature = "hydrate"))]
    0
}

/// Today's date on the phone.
pub fn today() -> Option<time::Date> {
    #[cfg(feature = "hydrate")]
    return crate::browser::today();
    #[cfg(not(feature = "hydrate"))]
    None
}

/// The reports stored on the phone, or why they cannot be read.
pub fn reports() -> Result<Vec<StoredReport>, String> {
    #[cfg(feature = "hydrate")]
    return crate::browser::report_storage::load().map_err(|e| e.to_string());
    #[cfg(not(feature = "hydrate"))]
    Ok(Vec::new())
}

/// Changes the stored reports in one step; the error is in words for the person.
pub fn update_reports<T>(change: impl FnOnce(&mut Vec<StoredReport>) -> T) -> Result<T, String> {
    #[cfg(feature = "hydrate")]
    return crate::browser::report_storage::update(change).map_err(|e| e.to_string());
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = change;
        Err(String::new())
    }
}

/// Records that could not be read and were kept aside.
pub fn unreadable() -> Vec<Unreadable> {
    #[cfg(feature = "hydrate")]
    return crate::browser::report_storage::set_aside();
    #[cfg(not(feature = "hydrate"))]
    Vec::new()
}

/// Removes a record set aside as unreadable, by its text.
pub fn remove_unreadable(raw: &str) -> Result<(), String> {
    #[cfg(feature = "hydrate")]
    return crate::browser::report_storage::remove_set_aside(raw).map_err(|e| e.to_string());
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = raw;
        Ok(())
    }
}

/// Calls `changed` whenever the stored reports change, in this tab or another.
pub fn on_reports_changed(changed: impl Fn() + Clone + 'static) {
    #[cfg(feature = "hydrate")]
    {
        use crate::browser::report_storage::{CHANGED_EVENT, is_reports_key};
        use leptos::prelude::window_event_listener;
        let here = changed.clone();
        let _ = leptos::prelude::window_event_listener_untyped(CHANGED_EVENT, move |_| here());
        let _ = window_event_listener(leptos::ev::storage, move |event| {
            if is_reports_key(event.key()) {
                changed();
            }
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = changed;
}

/// Runs `changed` when another tab or window changes the stored reports (not this one).
pub fn on_reports_changed_elsewhere(changed: impl Fn() + 'static) {
    #[cfg(feature = "hydrate")]
    {
        use crate::browser::report_storage::is_reports_key;
        use leptos::prelude::window_event_listener;
        let _ = window_event_listener(leptos::ev::storage, move |event| {
            if is_reports_key(event.key()) {
                changed();
            }
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = changed;
}

/// Removes report `id` from the phone (a draft, a refused or a delivered report only).
pub fn remove_report(id: ReportId) -> Result<(), String> {
    update_reports(|reports| incident_report::stored::remove(reports, id))?
        .map_err(|e| e.to_string())?;
    // The sender's pass tells the offline worker what the record now holds, so it forgets any
    // answer it still keeps for this report (with the answers in it) at once.
    wake_sender();
    Ok(())
}

/// Tries to send this report now rather than at its next retry.
pub fn send_now(id: ReportId) -> Result<(), String> {
    #[cfg(feature = "hydrate")]
    return crate::browser::sender::send_now(id).map_err(|e| e.to_string());
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = id;
        Ok(())
    }
}

/// Asks the sender to look at the queue now (a report was just queued).
pub fn wake_sender() {
    #[cfg(feature = "hydrate")]
    crate::browser::sender::kick();
}

/// Whether this browser sends a waiting report even with the app closed (Background Sync with
/// the offline worker running); elsewhere a report waits until the app is open with signal.
/// Always `false` on the server: only the browser knows.
pub fn sends_with_the_app_closed() -> bool {
    #[cfg(feature = "hydrate")]
    return crate::browser::handover::sends_with_the_app_closed();
    #[cfg(not(feature = "hydrate"))]
    false
}

/// Whether the phone has a connection, kept up to date.
pub fn online() -> leptos::prelude::ReadSignal<bool> {
    use leptos::prelude::*;
    let (online, set_online) = signal(true);
    #[cfg(feature = "hydrate")]
    {
        Effect::new(move || set_online.set(crate::browser::is_online()));
        let _ = window_event_listener(leptos::ev::online, move |_| set_online.set(true));
        let _ = window_event_listener(leptos::ev::offline, move |_| set_online.set(false));
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = set_online;
    online
}

/// A moment as the phone shows it, e.g. "27 November 2026 at 2:05pm".
pub fn clock_time(ms: i64) -> String {
    #[cfg(feature = "hydrate")]
    return crate::browser::clock_time(ms);
    #[cfg(not(feature = "hydrate"))]
    ms.to_string()
}

/// A day as the phone shows it, e.g. "27 December 2026".
pub fn clock_date(ms: i64) -> String {
    #[cfg(feature = "hydrate")]
    return crate::browser::clock_date(ms);
    #[cfg(not(feature = "hydrate"))]
    ms.to_string()
}

/// Copies `text` to the clipboard, then calls `done` with whether it worked.
pub fn copy_text(text: String, done: impl FnOnce(bool) + 'static) {
    #[cfg(feature = "hydrate")]
    leptos::task::spawn_local(async move { done(crate::browser::copy_text(&text).await) });
    #[cfg(not(feature = "hydrate"))]
    let _ = (text, done);
}

/// How the app can be added to this phone's home screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InstallWay {
    /// It already runs from the home screen.
    Installed,
    /// The browser offered its install prompt, which the app's own button opens.
    Prompt,
    /// iOS and iPadOS: through the Share menu (there is no prompt).
    ShareMenu,
    /// No way the app can offer (yet): the browser has not offered a prompt.
    Unknown,
}

/// How the app can be added to the home screen now (`Unknown` on the server).
pub fn install_way() -> InstallWay {
    #[cfg(feature = "hydrate")]
    return crate::browser::install_way();
    #[cfg(not(feature = "hydrate"))]
    InstallWay::Unknown
}

/// Calls `changed` when the browser offers its install prompt, or the app is installed.
pub fn on_install_way_changed(changed: impl Fn() + 'static) {
    #[cfg(feature = "hydrate")]
    {
        let _ = leptos::prelude::window_event_listener_untyped(
            crate::script_names::INSTALLABLE_EVENT,
            move |_| changed(),
        );
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = changed;
}

/// Opens the browser's install prompt, then calls `done` with whether the person accepted.
pub fn prompt_install(done: impl FnOnce(bool) + 'static) {
    #[cfg(feature = "hydrate")]
    leptos::task::spawn_local(async move { done(crate::browser::prompt_install().await) });
    #[cfg(not(feature = "hydrate"))]
    let _ = done;
}

/// Asks the browser to keep this site's storage even when short of space.
pub fn keep_storage() {
    #[cfg(feature = "hydrate")]
    crate::browser::keep_storage();
}

/// Calls `done` with whether the browser promised to keep this site's storage (`None`: it
/// cannot say).
pub fn storage_persistence(done: impl FnOnce(Option<bool>) + 'static) {
    #[cfg(feature = "hydrate")]
    leptos::task::spawn_local(async move { done(crate::browser::storage_is_persistent().await) });
    #[cfg(not(feature = "hydrate"))]
    let _ = done;
}

/// Marks the page as interactive for tests and measurements.
pub fn mark_hydrated() {
    #[cfg(feature = "hydrate")]
    crate::browser::mark_hydrated();
}

/// The report form's fields as the page shows them now: the answers carried or typed before the
/// app's code ran (none on the server).
pub fn journey_fields() -> Vec<(String, String)> {
    #[cfg(feature = "hydrate")]
    return crate::browser::form_fields(".app-journey form");
    #[cfg(not(feature = "hydrate"))]
    Vec::new()
}

/// An attribute of the report journey's container, as the server rendered it (none on the
/// server).
pub fn journey_attribute(name: &str) -> Option<String> {
    #[cfg(feature = "hydrate")]
    return crate::browser::attribute(".app-journey", name);
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = name;
        None
    }
}

/// The content of the page's `<meta name=…>` tag (none on the server).
pub fn meta(name: &str) -> Option<String> {
    #[cfg(feature = "hydrate")]
    return crate::browser::attribute(&format!("meta[name=\"{name}\"]"), "content");
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = name;
        None
    }
}

/// A query parameter of the page's address (none on the server).
pub fn query(name: &str) -> Option<String> {
    #[cfg(feature = "hydrate")]
    return crate::browser::query(name);
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = name;
        None
    }
}

/// Shows a new page of a journey: its address (a new history entry when `push`), its title,
/// and focus on the element `focus_id` so screen readers start there.
pub fn show_page(url: &str, push: bool, title: &str, focus_id: &str) {
    #[cfg(feature = "hydrate")]
    {
        crate::browser::set_address(url, push);
        crate::browser::set_title(title);
        focus(focus_id);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (url, push, title, focus_id);
}

/// Runs `start` in the browser after the island that calls this is hydrated, in a task of its
/// own: reading the phone's storage and filling the page in then do not lengthen the task that
/// hydrates it, so a tap in between is answered. Nothing runs on the server.
pub fn after_hydrating(start: impl FnOnce() + 'static) {
    #[cfg(feature = "hydrate")]
    leptos::prelude::set_timeout(start, std::time::Duration::ZERO);
    #[cfg(not(feature = "hydrate"))]
    let _ = start;
}

/// Calls `moved` when the person goes back or forward in the browser's history.
pub fn on_history_move(moved: impl Fn() + 'static) {
    #[cfg(feature = "hydrate")]
    let _ = leptos::prelude::window_event_listener(leptos::ev::popstate, move |_| moved());
    #[cfg(not(feature = "hydrate"))]
    let _ = moved;
}

/// A new report id from the phone's secure random numbers.
pub fn new_report_id() -> Option<ReportId> {
    #[cfg(feature = "hydrate")]
    return crate::browser::new_report_id();
    #[cfg(not(feature = "hydrate"))]
    None
}

/// Moves focus to the element with this id (an error summary's link to its question, a
/// confirmation just shown), once the page has been redrawn: an element that was hidden until
/// now cannot take focus before.
pub fn focus(id: &str) {
    #[cfg(feature = "hydrate")]
    {
        let id = id.to_owned();
        leptos::prelude::request_animation_frame(move || crate::browser::focus(&id));
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = id;
}
