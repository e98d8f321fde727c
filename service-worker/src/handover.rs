//! What the pages and the offline worker agree on, so that a report finished with no signal is
//! sent when signal returns even with every page of the app closed: a page hands the reports
//! waiting on the phone to the worker ([`MESSAGE`]), which registers a Background Sync
//! ([`SYNC_TAG`]) while the page is open; the browser wakes the worker when there is a
//! connection; the worker sends them
//! under the same Web Lock as a page's sender ([`SENDER_LOCK`], so the two never send at once)
//! and keeps each final answer until a page takes it back into the phone's record.
//!
//! The names are written here once: the app reads these constants, and the worker's script
//! starts with them ([`Handover::script_constant`]).

use incident_report::wire::{ErrorCode, Meaning, REPORTS_PATH};
use serde::Serialize;

/// The Web Lock held by whoever is sending reports: a page's sender or the worker.
pub const SENDER_LOCK: &str = "lost-device-sender";
/// The Background Sync registration that wakes the worker to send waiting reports.
pub const SYNC_TAG: &str = "lost-device-send-reports";
/// The `type` of a page's message handing the waiting reports to the worker.
pub const MESSAGE: &str = "hand-over-reports";
/// How long one send may take, for a page and for the worker alike: generous for a weak
/// signal, short enough that a stuck connection does not hold the queue for long.
pub const SEND_TIMEOUT_MS: u32 = 15_000;

/// The constants above, and which refusals are final, as the worker reads them.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Handover {
    sender_lock: &'static str,
    sync_tag: &'static str,
    message: &'static str,
    send_timeout_ms: u32,
    reports_path: &'static str,
    /// The wire's refusals of a report (the person must change it), each with its status: a
    /// final answer, kept for the page. Any other answer but a receipt is tried again later.
    refusals: Vec<Refusal>,
}

/// One refusal the worker keeps as final: the body's `error` and the status it comes with.
#[derive(Debug, Serialize)]
struct Refusal {
    error: ErrorCode,
    status: u16,
}

impl Handover {
    /// What this build's worker and pages agree on.
    pub fn new() -> Self {
        Self {
            sender_lock: SENDER_LOCK,
            sync_tag: SYNC_TAG,
            message: MESSAGE,
            send_timeout_ms: SEND_TIMEOUT_MS,
            reports_path: REPORTS_PATH,
            refusals: ErrorCode::ALL
                .into_iter()
                .filter(|code| code.meaning() == Meaning::Refuse)
                .map(|error| Refusal {
                    error,
                    status: error.status(),
                })
                .collect(),
        }
    }

    /// `const HANDOVER = {…};`, the first line of the worker's script.
    pub fn script_constant(&self) -> String {
        // Serialising plain strings, numbers and unit enums cannot fail.
        let json = serde_json::to_string(self).unwrap_or_default();
        format!("const HANDOVER = {json};\n")
    }
}

impl Default for Handover {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_worker_is_told_each_name_and_only_the_refusals_that_are_final() {
        let line = Handover::new().script_constant();
        for name in [SENDER_LOCK, SYNC_TAG, MESSAGE, REPORTS_PATH] {
            assert!(line.contains(&format!("\"{name}\"")), "{name} in {line}");
        }
        assert!(
            line.contains("{\"error\":\"invalid-report\",\"status\":422}"),
            "{line}"
        );
        assert!(!line.contains("\"rate-limited\""), "{line}");
        assert!(!line.contains("\"internal\""), "{line}");
    }

    #[test]
    fn the_worker_script_uses_the_names_only_through_the_constant() {
        let source = include_str!("js/worker.js");
        for name in [SENDER_LOCK, SYNC_TAG, MESSAGE, REPORTS_PATH] {
            assert!(!source.contains(name), "worker.js spells out {name}");
        }
        for key in [
            "senderLock",
            "syncTag",
            "message",
            "sendTimeoutMs",
            "reportsPath",
            "refusals",
        ] {
            assert!(
                source.contains(&format!("HANDOVER.{key}")),
                "worker.js reads HANDOVER.{key}"
            );
        }
    }
}
