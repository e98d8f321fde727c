//! Everything the app does with browser APIs, in one place (only in the `hydrate` build).

use gloo_storage::{LocalStorage, Storage};

/// Where the home page's checklist is kept. The `v1` is the stored format's version.
const DONE_STEPS_KEY: &str = "lost-device.done-steps.v1";

/// Which of `count` steps were marked done on this phone. A missing, unreadable or
/// different-length record means the steps changed or nothing was saved: start with none done
/// (a checklist is only a reminder; nothing of the user's is lost).
pub fn load_done_steps(count: usize) -> Vec<bool> {
    match LocalStorage::get::<Vec<bool>>(DONE_STEPS_KEY) {
        Ok(saved) if saved.len() == count => saved,
        _ => vec![false; count],
    }
}

/// Records step `index` (of `count`) as done or not, or says in plain words why it could not.
pub fn save_done_step(count: usize, index: usize, done: bool) -> Result<(), String> {
    let mut steps = load_done_steps(count);
    if let Some(step) = steps.get_mut(index) {
        *step = done;
    }
    LocalStorage::set(DONE_STEPS_KEY, steps)
        .map_err(|_| "Your tick could not be saved on this phone. The steps still work.".to_owned())
}

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
