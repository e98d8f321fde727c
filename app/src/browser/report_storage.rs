//! The reports kept on this phone: local storage, in `incident_report::queue`'s versioned format.
//!
//! Every change reads the stored copy afresh, changes it and writes it back in one synchronous
//! step, so two open tabs never write back a stale copy over each other's reports. Records that
//! cannot be read (corrupt, or from an unknown or newer format) are first moved, whole and with
//! the reason, to a key of their own and shown on "Your reports": never dropped or overwritten.
//! Local storage is used through `web_sys` rather than `gloo-storage` here because a full quota
//! and disabled storage must be told apart and reported, not panicked on.

use incident_report::StoredReport;
use incident_report::json::Json;
use incident_report::queue::{self, Unreadable};
use wasm_bindgen::JsCast;
use web_sys::{DomException, Storage};

use super::json::BrowserJson;

/// The reports, in `queue::encode`'s format (which carries its own version number).
const REPORTS_KEY: &str = "lost-device.reports";
/// Records that could not be read, each with why (`queue::Unreadable`).
const SET_ASIDE_KEY: &str = "lost-device.reports-set-aside.v1";
/// Fired on `window` after this tab changes the stored reports (other tabs get `storage`).
pub const CHANGED_EVENT: &str = crate::REPORTS_CHANGED_EVENT;

/// Why the reports could not be saved, in words for the person.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StorageError {
    /// The storage quota is used up.
    #[error(
        "This phone's storage for the app is full, so your latest answers are not saved. \
         Copy them somewhere safe before you close the app."
    )]
    Full,
    /// The reports could not be written out, so nothing was written over them.
    #[error(
        "The app could not save your latest answers on this phone; what was saved before is \
         kept. Copy your answers somewhere safe, or send the report now."
    )]
    NotWritten,
    /// Storage is switched off or blocked (for example some private modes).
    #[error(
        "This browser is not letting the app save anything on the phone, so your answers will \
         be lost if you close it. Copy them somewhere safe, or send the report now."
    )]
    Unavailable,
}

fn storage() -> Result<Storage, StorageError> {
    web_sys::window()
        .and_then(|window| window.local_storage().ok().flatten())
        .ok_or(StorageError::Unavailable)
}

fn write(storage: &Storage, key: &str, value: &str) -> Result<(), StorageError> {
    storage.set_item(key, value).map_err(|error| {
        match error.dyn_ref::<DomException>().map(DomException::name) {
            Some(name) if name == "QuotaExceededError" => StorageError::Full,
            _ => StorageError::Unavailable,
        }
    })
}

/// The readable reports. Unreadable records are moved aside first (see the module docs).
pub fn load() -> Result<Vec<StoredReport>, StorageError> {
    let storage = storage()?;
    let raw = storage
        .get_item(REPORTS_KEY)
        .ok()
        .flatten()
        .unwrap_or_default();
    let decoded = queue::decode(&BrowserJson, &raw);
    if !decoded.unreadable.is_empty() {
        let mut aside = set_aside();
        aside.extend(decoded.unreadable);
        let aside = BrowserJson
            .write(&aside)
            .map_err(|_| StorageError::NotWritten)?;
        let reports =
            queue::encode(&BrowserJson, &decoded.reports).map_err(|_| StorageError::NotWritten)?;
        // Only once the unreadable records are safe elsewhere may the main record be rewritten.
        write(&storage, SET_ASIDE_KEY, &aside)?;
        write(&storage, REPORTS_KEY, &reports)?;
    }
    Ok(decoded.reports)
}

/// Records set aside because they could not be read, oldest first (an unreadable set-aside
/// record is itself one of them: see `queue::decode_aside`).
pub fn set_aside() -> Vec<Unreadable> {
    storage()
        .ok()
        .and_then(|storage| storage.get_item(SET_ASIDE_KEY).ok().flatten())
        .map(|raw| queue::decode_aside(&BrowserJson, &raw))
        .unwrap_or_default()
}

/// Removes the first record set aside whose text is `raw` (the person read it and asked for it
/// to go).
pub fn remove_set_aside(raw: &str) -> Result<(), StorageError> {
    let storage = storage()?;
    let mut aside = set_aside();
    if let Some(index) = aside.iter().position(|item| item.raw == raw) {
        aside.remove(index);
    }
    if aside.is_empty() {
        storage
            .remove_item(SET_ASIDE_KEY)
            .map_err(|_| StorageError::Unavailable)?;
    } else {
        let text = BrowserJson
            .write(&aside)
            .map_err(|_| StorageError::NotWritten)?;
        write(&storage, SET_ASIDE_KEY, &text)?;
    }
    notify();
    Ok(())
}

/// Reads the reports, lets `change` alter them, writes them back and tells the open pages. When
/// they cannot be written out, nothing is written and the change is reported lost.
pub fn update<T>(change: impl FnOnce(&mut Vec<StoredReport>) -> T) -> Result<T, StorageError> {
    let storage = storage()?;
    let mut reports = load()?;
    let result = change(&mut reports);
    let text = queue::encode(&BrowserJson, &reports).map_err(|_| StorageError::NotWritten)?;
    write(&storage, REPORTS_KEY, &text)?;
    write_summary(&storage, &reports);
    notify();
    Ok(result)
}

/// Writes what the reports come to where the status line's plain script reads it
/// (`crate::PHONE_SUMMARY_KEY`). Kept up to date on every change, and at the app's start.
pub fn refresh_summary() {
    if let (Ok(storage), Ok(reports)) = (storage(), load()) {
        write_summary(&storage, &reports);
    }
}

fn write_summary(storage: &Storage, reports: &[StoredReport]) {
    // Only a status line depends on it, and it is rewritten on the next change: a failure
    // (a full quota) must not fail the change to the reports themselves.
    if let Ok(text) = BrowserJson.write(&incident_report::stored::summary(reports)) {
        let _ = write(storage, crate::PHONE_SUMMARY_KEY, &text);
    }
}

/// Whether a `storage` event from another tab is about the reports.
pub fn is_reports_key(key: Option<String>) -> bool {
    key.is_none_or(|key| key == REPORTS_KEY || key == SET_ASIDE_KEY)
}

fn notify() {
    if let (Some(window), Ok(event)) = (web_sys::window(), web_sys::CustomEvent::new(CHANGED_EVENT))
    {
        // Dispatching a plain event cannot fail in a way anyone could act on.
        let _ = window.dispatch_event(&event);
    }
}
