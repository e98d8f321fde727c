//! Everything the app does with browser APIs, in one place (only in the `hydrate` build).
//!
//! - [`report_storage`]: the reports kept on the phone;
//! - [`sender`]: sends them to the server;
//! - [`handover`]: hands them to the offline worker, to be sent while no page is open;
//! - [`json`]: the browser's own JSON, for the domain's formats;
//! - here: the clock, random ids, the address bar, adding the app to the home screen and keeping
//!   its storage.

pub mod handover;
mod json;
pub mod report_storage;
pub mod sender;

use incident_report::ReportId;
use wasm_bindgen::JsCast;

use crate::script_names::INSTALL_PROMPT;

/// Marks the document as interactive (`data-hydrated` on `<html>`, and a `hydrated` performance
/// mark), so tests and measurements can wait for hydration.
pub fn mark_hydrated() {
    let Some(window) = web_sys::window() else {
        return;
    };
    // Neither call can fail for these fixed names; there is nothing to tell the user if one did.
    if let Some(root) = window.document().and_then(|d| d.document_element()) {
        let _ = root.set_attribute("data-hydrated", "true");
    }
    if let Some(performance) = window.performance() {
        let _ = performance.mark("hydrated");
    }
}

/// Milliseconds since the Unix epoch, by the phone's clock.
#[allow(clippy::cast_possible_truncation)] // Whole milliseconds fit an i64 for 292 million years.
pub fn now_ms() -> i64 {
    js_sys::Date::now() as i64
}

/// Today's date where the phone is (a report's date may not be after it).
pub fn today() -> Option<time::Date> {
    calendar_date(&js_sys::Date::new_0())
}

/// The day `date` falls on in the phone's time zone.
fn calendar_date(date: &js_sys::Date) -> Option<time::Date> {
    let month = u8::try_from(date.get_month() + 1).ok()?;
    let day = u8::try_from(date.get_date()).ok()?;
    let year = i32::try_from(date.get_full_year()).ok()?;
    time::Date::from_calendar_date(year, time::Month::try_from(month).ok()?, day).ok()
}

/// A new report id from the browser's cryptographic random numbers.
pub fn new_report_id() -> Option<ReportId> {
    let mut bytes = [0_u8; 16];
    web_sys::window()?
        .crypto()
        .ok()?
        .get_random_values_with_u8_array(&mut bytes)
        .ok()?;
    Some(ReportId::from_random_bytes(bytes))
}

/// Attribute `name` of the first element matching `selector`.
pub fn attribute(selector: &str, name: &str) -> Option<String> {
    web_sys::window()?
        .document()?
        .query_selector(selector)
        .ok()??
        .get_attribute(name)
}

/// The fields the form at `selector` would send now (`name`, `value`), in document order; none
/// when there is no such form.
pub fn form_fields(selector: &str) -> Vec<(String, String)> {
    use wasm_bindgen::JsCast as _;
    let form = web_sys::window()
        .and_then(|window| window.document())
        .and_then(|document| document.query_selector(selector).ok().flatten())
        .and_then(|element| element.dyn_into::<web_sys::HtmlFormElement>().ok());
    let Some(data) = form.and_then(|form| web_sys::FormData::new_with_form(&form).ok()) else {
        return Vec::new();
    };
    let Ok(Some(entries)) = js_sys::try_iter(&data) else {
        return Vec::new();
    };
    entries
        .filter_map(|entry| {
            let pair = js_sys::Array::from(&entry.ok()?);
            Some((pair.get(0).as_string()?, pair.get(1).as_string()?))
        })
        .collect()
}

/// A query parameter of the current address.
pub fn query(name: &str) -> Option<String> {
    let search = web_sys::window()?.location().search().ok()?;
    web_sys::UrlSearchParams::new_with_str(&search)
        .ok()?
        .get(name)
}

/// Shows `url` in the address bar: as a new history entry (`push`) or in place of this one.
pub fn set_address(url: &str, push: bool) {
    let Some(history) = web_sys::window().and_then(|w| w.history().ok()) else {
        return;
    };
    // Only fails for another origin's address, which these never are.
    let _ = if push {
        history.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(url))
    } else {
        history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(url))
    };
}

/// Sets the document's title (the first thing a screen reader says on a new page).
pub fn set_title(title: &str) {
    if let Some(document) = web_sys::window().and_then(|w| w.document()) {
        document.set_title(title);
    }
}

/// Moves keyboard and screen reader focus to the element with this id, if there is one.
pub fn focus(id: &str) {
    let element = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(element) = element {
        let _ = element.focus();
    }
}

/// Whether the browser thinks it has a connection (when it says no, it is right).
pub fn is_online() -> bool {
    web_sys::window().is_none_or(|w| w.navigator().on_line())
}

/// A moment as the phone shows it, e.g. "27 November 2026 at 2:05pm".
pub fn clock_time(ms: i64) -> String {
    let date = local_date(ms);
    // Local hours and minutes are always 0–23 and 0–59.
    let hour = u8::try_from(date.get_hours()).unwrap_or(0);
    let minute = u8::try_from(date.get_minutes()).unwrap_or(0);
    format!(
        "{} at {}",
        clock_date(ms),
        incident_report::text::time_of_day(hour, minute)
    )
}

/// A day as the phone shows it, e.g. "27 December 2026".
pub fn clock_date(ms: i64) -> String {
    calendar_date(&local_date(ms))
        .map(incident_report::text::long_date)
        .unwrap_or_default()
}

/// `ms` as a date in the phone's time zone.
fn local_date(ms: i64) -> js_sys::Date {
    #[allow(clippy::cast_precision_loss)] // Exact for any real date.
    js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64))
}

/// Puts `text` on the clipboard. Resolves to whether it worked.
pub async fn copy_text(text: &str) -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    let promise = window.navigator().clipboard().write_text(text);
    wasm_bindgen_futures::JsFuture::from(promise).await.is_ok()
}

/// Whether the app runs from the home screen (installed), not in a browser tab.
pub fn is_installed() -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    let standalone = window
        .match_media("(display-mode: standalone)")
        .ok()
        .flatten()
        .is_some_and(|query| query.matches());
    // Safari on iOS says so in its own way.
    let ios_home_screen = js_sys::Reflect::get(&window.navigator(), &"standalone".into())
        .ok()
        .and_then(|value| value.as_bool())
        .unwrap_or(false);
    standalone || ios_home_screen
}

/// The install prompt `sw-register.js` kept when the browser offered one, if it still holds it.
fn install_prompt() -> Option<wasm_bindgen::JsValue> {
    let window = web_sys::window()?;
    js_sys::Reflect::get(&window, &INSTALL_PROMPT.into())
        .ok()
        .filter(wasm_bindgen::JsValue::is_object)
}

/// Whether this is a phone or tablet on iOS or iPadOS, where every browser adds to the home
/// screen through the Share menu and none offers a prompt.
fn is_ios() -> bool {
    let Some(navigator) = web_sys::window().map(|w| w.navigator()) else {
        return false;
    };
    let agent = navigator.user_agent().unwrap_or_default();
    // iPadOS asks for desktop pages and says "Macintosh", but has a touch screen.
    agent.contains("iPhone")
        || agent.contains("iPad")
        || agent.contains("iPod")
        || (agent.contains("Macintosh") && navigator.max_touch_points() > 1)
}

/// How this browser can add the app to the home screen, now.
pub fn install_way() -> crate::phone::InstallWay {
    use crate::phone::InstallWay;
    if is_installed() {
        InstallWay::Installed
    } else if install_prompt().is_some() {
        InstallWay::Prompt
    } else if is_ios() {
        InstallWay::ShareMenu
    } else {
        InstallWay::Unknown
    }
}

/// Opens the browser's install prompt; resolves to whether the person accepted.
pub async fn prompt_install() -> bool {
    let Some(event) = install_prompt() else {
        return false;
    };
    let call = |name: &str| {
        js_sys::Reflect::get(&event, &name.into())
            .ok()
            .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
    };
    let Some(prompt) = call("prompt") else {
        return false;
    };
    if prompt.call0(&event).is_err() {
        return false;
    }
    // A prompt can be shown once: forget it whatever the answer.
    if let Some(window) = web_sys::window() {
        let _ = js_sys::Reflect::delete_property(&window, &INSTALL_PROMPT.into());
    }
    let Ok(choice) = js_sys::Reflect::get(&event, &"userChoice".into()) else {
        return false;
    };
    let Ok(choice) = wasm_bindgen_futures::JsFuture::from(js_sys::Promise::resolve(&choice)).await
    else {
        return false;
    };
    js_sys::Reflect::get(&choice, &"outcome".into())
        .ok()
        .and_then(|outcome| outcome.as_string())
        .is_some_and(|outcome| outcome == "accepted")
}

/// Asks the browser not to clear this site's storage under pressure (a report may be waiting in
/// it). The browser decides; the answer is read with [`storage_is_persistent`].
pub fn keep_storage() {
    let Some(window) = web_sys::window() else {
        return;
    };
    if let Ok(asked) = window.navigator().storage().persist() {
        wasm_bindgen_futures::spawn_local(async move {
            let _ = wasm_bindgen_futures::JsFuture::from(asked).await;
        });
    }
}

/// Whether the browser has promised to keep this site's storage; `None` where it cannot say.
pub async fn storage_is_persistent() -> Option<bool> {
    let asked = web_sys::window()?.navigator().storage().persisted().ok()?;
    wasm_bindgen_futures::JsFuture::from(asked)
        .await
        .ok()?
        .as_bool()
}
