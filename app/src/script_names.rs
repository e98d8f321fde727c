//! The names the pages' plain scripts (`public/*.js`) and the offline worker's script find in the
//! markup or send each other: element ids, classes, data attributes, events and messages. Written
//! once here and used by the markup (a data attribute's name is written in `view!` itself, and a
//! test reads the markup for it); the tests below check each script still uses each name, so
//! renaming one side without the other fails at once.

/// The status bar's line "Works offline on this phone."
pub const STATUS_SAVED: &str = "app-status-saved";
/// The status bar's line while the offline copy is being stored.
pub const STATUS_SAVING: &str = "app-status-saving";
/// The status bar's line while offline.
pub const STATUS_OFFLINE: &str = "app-status-offline";
/// The status bar's line for a report not sent yet.
pub const STATUS_WAITING: &str = "app-status-waiting";
/// "Offline. " in front of the waiting line.
pub const STATUS_WAITING_OFFLINE: &str = "app-status-waiting-offline";
/// The status bar's line for a report just sent.
pub const STATUS_SENT: &str = "app-status-sent";
/// Where that line shows the report's reference.
pub const STATUS_REFERENCE: &str = "app-status-reference";
/// The "new version" banner.
pub const UPDATE: &str = "app-update";
/// Its Reload button.
pub const UPDATE_RELOAD: &str = "app-update-reload";
/// The hydration script tag, whose data attributes name the build's code.
pub const HYDRATION: &str = "app-hydration";
/// The status bar's attribute naming the local storage key of the phone's reports summary.
pub const SUMMARY_KEY_ATTRIBUTE: &str = "data-summary-key";
/// The status bar's attribute naming the event fired when the phone's reports change.
pub const CHANGED_EVENT_ATTRIBUTE: &str = "data-changed-event";
/// How long the "Report sent" line is shown, in hours.
pub const SHOWN_HOURS_ATTRIBUTE: &str = "data-shown-hours";
/// How long the checklist's ticks are kept, in hours.
pub const KEPT_HOURS_ATTRIBUTE: &str = "data-kept-hours";
/// Fired by `sw-register.js` when the browser's install prompt comes or goes.
pub const INSTALLABLE_EVENT: &str = "lost-device:installable";
/// Where `sw-register.js` keeps the browser's `beforeinstallprompt` event, on `window`.
pub const INSTALL_PROMPT: &str = "lostDeviceInstallPrompt";
/// Where the page's first script keeps the offline worker's registration (a promise), on
/// `window`, for the script that decides when to hydrate.
pub const REGISTRATION: &str = "lostDeviceRegistration";
/// Where the hydration script tag keeps the WebAssembly it started compiling (a promise of a
/// module), on `window`, for `hydrate.js`.
pub const COMPILING: &str = "lostDeviceCompiling";
/// A page asks the worker to store the rest of the offline copy.
pub const STORE_THE_REST: &str = "store-the-rest";
/// The worker's answer once it has.
pub const STORED_THE_REST: &str = "stored-the-rest";

#[cfg(test)]
mod tests {
    use super::*;

    /// A data attribute as a script reads it: `data-kept-hours` is `dataset.keptHours`.
    fn dataset(attribute: &str) -> String {
        let mut name = String::from("dataset.");
        let mut upper = false;
        for c in attribute.trim_start_matches("data-").chars() {
            if c == '-' {
                upper = true;
            } else if upper {
                name.push(c.to_ascii_uppercase());
                upper = false;
            } else {
                name.push(c);
            }
        }
        name
    }

    fn script(path: &str) -> String {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        std::fs::read_to_string(root.join(path)).expect("the script")
    }

    #[test]
    fn every_script_uses_the_names_the_markup_writes() {
        let register = script("public/sw-register.js");
        let checklist = script("public/checklist.js");
        let hydrate = script("public/hydrate.js");
        let worker = script("service-worker/src/js/worker.js");
        let quoted = |name: &str| format!("'{name}'");
        let uses: [(&str, &str, String); 22] = [
            ("sw-register.js", &register, quoted(STATUS_SAVED)),
            ("sw-register.js", &register, quoted(STATUS_SAVING)),
            ("sw-register.js", &register, quoted(STATUS_OFFLINE)),
            ("sw-register.js", &register, quoted(STATUS_WAITING)),
            ("sw-register.js", &register, quoted(STATUS_WAITING_OFFLINE)),
            ("sw-register.js", &register, quoted(STATUS_SENT)),
            ("sw-register.js", &register, quoted(STATUS_REFERENCE)),
            ("sw-register.js", &register, quoted(UPDATE)),
            ("sw-register.js", &register, quoted(UPDATE_RELOAD)),
            ("sw-register.js", &register, quoted(HYDRATION)),
            ("hydrate.js", &hydrate, quoted(HYDRATION)),
            ("hydrate.js", &hydrate, format!("window.{COMPILING}")),
            ("sw-register.js", &register, dataset(SUMMARY_KEY_ATTRIBUTE)),
            (
                "sw-register.js",
                &register,
                dataset(CHANGED_EVENT_ATTRIBUTE),
            ),
            ("sw-register.js", &register, dataset(SHOWN_HOURS_ATTRIBUTE)),
            ("checklist.js", &checklist, dataset(KEPT_HOURS_ATTRIBUTE)),
            ("sw-register.js", &register, quoted(INSTALLABLE_EVENT)),
            (
                "sw-register.js",
                &register,
                format!("window.{INSTALL_PROMPT}"),
            ),
            ("sw-register.js", &register, quoted(STORE_THE_REST)),
            ("worker.js", &worker, quoted(STORE_THE_REST)),
            ("sw-register.js", &register, quoted(STORED_THE_REST)),
            ("worker.js", &worker, quoted(STORED_THE_REST)),
        ];
        let missing: Vec<(&str, &String)> = uses
            .iter()
            .filter(|(_, text, name)| !text.contains(name.as_str()))
            .map(|(file, _, name)| (*file, name))
            .collect();
        assert!(
            missing.is_empty(),
            "not used as the markup writes them: {missing:?}"
        );
    }

    /// An attribute's name cannot be a constant in `view!`, so the markup that writes each is
    /// read for it.
    #[test]
    fn the_markup_writes_every_data_attribute_the_scripts_read() {
        let status_bar = include_str!("lib.rs");
        let steps = include_str!("components/step_list.rs");
        for (markup, attribute) in [
            (status_bar, SUMMARY_KEY_ATTRIBUTE),
            (status_bar, CHANGED_EVENT_ATTRIBUTE),
            (status_bar, SHOWN_HOURS_ATTRIBUTE),
            (steps, KEPT_HOURS_ATTRIBUTE),
        ] {
            assert!(markup.contains(&format!(" {attribute}=")), "{attribute}");
        }
    }
}
