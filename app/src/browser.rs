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

/// Remembers the checklist, or says in plain words why it could not.
pub fn save_done_steps(done: &[bool]) -> Result<(), String> {
    LocalStorage::set(DONE_STEPS_KEY, done).map_err(|_| {
        "Your ticks could not be saved on this phone. The steps still work.".to_owned()
    })
}

/// Marks the document as interactive, so tests and measurements can wait for hydration.
pub fn mark_hydrated() {
    if let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        // Setting an attribute cannot fail for a valid name; nothing to tell the user if it did.
        let _ = root.set_attribute("data-hydrated", "true");
    }
}
