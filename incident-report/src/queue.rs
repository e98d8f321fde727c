//! The format a phone keeps its reports in (one local-storage value), versioned because a phone
//! may hold reports for weeks while the app updates under it.
//!
//! Decoding never loses anything: a record that cannot be read is returned as it was, with the
//! reason, so the app can keep it aside and tell the reporter, rather than drop or overwrite it.

use serde::{Deserialize, Serialize};

use crate::json::{Json, WriteError};
use crate::stored::StoredReport;

/// The format this code writes.
pub const FORMAT_VERSION: u64 = 1;

/// A stored record that could not be read, kept exactly as it was (and stored aside in this
/// shape by the phone).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unreadable {
    /// The record's stored text.
    pub raw: String,
    /// Why it could not be read.
    pub reason: String,
}

/// What was read from storage.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Decoded {
    /// The reports that could be read.
    pub reports: Vec<StoredReport>,
    /// Everything else, to keep aside.
    pub unreadable: Vec<Unreadable>,
}

#[derive(Serialize)]
struct Stored<'a> {
    version: u64,
    reports: &'a [StoredReport],
}

/// The stored text for `reports`, in the current format; an error rather than a text that would
/// lose them.
pub fn encode(json: &impl Json, reports: &[StoredReport]) -> Result<String, WriteError> {
    json.write(&Stored {
        version: FORMAT_VERSION,
        reports,
    })
}

/// Reads stored text. Empty text is an empty queue.
pub fn decode(json: &impl Json, text: &str) -> Decoded {
    if text.trim().is_empty() {
        return Decoded::default();
    }
    let whole = |reason: &str| Decoded {
        reports: Vec::new(),
        unreadable: vec![Unreadable {
            raw: text.to_owned(),
            reason: reason.to_owned(),
        }],
    };
    let Some(envelope) = json.parse(text) else {
        return whole("the saved reports are damaged");
    };
    let records = json
        .member(&envelope, "reports")
        .and_then(|reports| json.elements(&reports));
    // A version that is not a whole number counts as none: an unknown format.
    let version = json
        .member(&envelope, "version")
        .and_then(|version| json.read::<u64>(&version).ok());
    match (version, records) {
        (Some(FORMAT_VERSION), Some(records)) => {
            let mut decoded = Decoded::default();
            for record in records {
                match json.read::<StoredReport>(&record) {
                    Ok(report) => decoded.reports.push(report),
                    // The parser's words are not shown: they quote what it read, and mean
                    // nothing to the person.
                    Err(_) => decoded.unreadable.push(Unreadable {
                        raw: json.text(&record),
                        reason: "a saved report is not in the form this version of the app reads"
                            .to_owned(),
                    }),
                }
            }
            decoded
        }
        (Some(version), _) if version > FORMAT_VERSION => {
            whole("the saved reports were written by a newer version of the app")
        }
        _ => whole("the saved reports are in a format this app does not know"),
    }
}

/// The records kept aside, read from their stored text. Text that cannot be read as such is
/// itself kept, whole, as one record: adding to the records set aside never writes less than was
/// there.
pub fn decode_aside(json: &impl Json, text: &str) -> Vec<Unreadable> {
    if text.trim().is_empty() {
        return Vec::new();
    }
    json.read_text(text).unwrap_or_else(|| {
        vec![Unreadable {
            raw: text.to_owned(),
            reason: "records set aside earlier could not be read".to_owned(),
        }]
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::SerdeJson;
    use crate::{ReportForm, ReportId};

    fn decode(text: &str) -> Decoded {
        super::decode(&SerdeJson, text)
    }

    fn encode(reports: &[StoredReport]) -> String {
        super::encode(&SerdeJson, reports).expect("reports always serialise")
    }

    fn report(byte: u8) -> StoredReport {
        let mut report =
            StoredReport::start(ReportId::from_random_bytes([byte; 16]), 1_764_230_400_000);
        let form = ReportForm {
            name: "Sam".into(),
            ..ReportForm::default()
        };
        report.edit(form).expect("a draft");
        report.submit().expect("queued");
        report
    }

    #[test]
    fn the_stored_shape_is_the_one_phones_already_hold() {
        let json = serde_json::to_value(report(1)).expect("json");
        let mut keys: Vec<&str> = json
            .as_object()
            .expect("object")
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            [
                "created_at_ms",
                "delivery",
                "form",
                "form_version",
                "id",
                "last_attempt_at_ms",
                "last_error",
                "next_attempt_at_ms",
                "progress"
            ]
        );
        assert_eq!(
            json["delivery"],
            serde_json::json!({ "queued": { "attempts": 0 } })
        );
    }

    #[test]
    fn reports_survive_a_round_trip() {
        let reports = vec![report(1), report(2)];
        assert_eq!(
            decode(&encode(&reports)),
            Decoded {
                reports,
                unreadable: vec![]
            }
        );
    }

    #[test]
    fn records_set_aside_that_cannot_be_read_are_kept_whole_among_the_new_ones() {
        assert_eq!(decode_aside(&SerdeJson, ""), []);
        let earlier = vec![Unreadable {
            raw: "{".into(),
            reason: "r".into(),
        }];
        let text = SerdeJson.write(&earlier).expect("json");
        assert_eq!(decode_aside(&SerdeJson, &text), earlier);
        let mut aside = decode_aside(&SerdeJson, "[{\"raw\": 1");
        assert_eq!(aside.len(), 1);
        assert_eq!(aside[0].raw, "[{\"raw\": 1");
        aside.extend(decode("{").unreadable);
        let written = SerdeJson.write(&aside).expect("json");
        assert_eq!(decode_aside(&SerdeJson, &written), aside, "nothing lost");
    }

    #[test]
    fn nothing_stored_is_an_empty_queue() {
        assert_eq!(decode(""), Decoded::default());
    }

    #[test]
    fn one_bad_record_is_kept_aside_and_the_others_are_read() {
        let good = serde_json::to_value(report(1)).expect("json");
        let text =
            serde_json::json!({ "version": 1, "reports": [good, { "id": "broken" }] }).to_string();
        let decoded = decode(&text);
        assert_eq!(decoded.reports, [report(1)]);
        assert_eq!(decoded.unreadable.len(), 1);
        assert_eq!(decoded.unreadable[0].raw, r#"{"id":"broken"}"#);
    }

    #[test]
    fn the_reason_a_record_is_kept_aside_quotes_nothing_of_it() {
        let text =
            serde_json::json!({ "version": 1, "reports": [{ "id": "Sam Smith 07700 900123" }] })
                .to_string();
        let reason = &decode(&text).unreadable[0].reason;
        assert_eq!(
            reason,
            "a saved report is not in the form this version of the app reads"
        );
    }

    #[test]
    fn corrupt_text_is_kept_whole_with_a_reason() {
        let decoded = decode("{\"version\":1,\"reports\":[");
        assert_eq!(decoded.reports, []);
        assert_eq!(decoded.unreadable[0].raw, "{\"version\":1,\"reports\":[");
        assert_eq!(
            decoded.unreadable[0].reason,
            "the saved reports are damaged"
        );
    }

    #[test]
    fn a_newer_or_unknown_format_is_kept_whole_not_overwritten() {
        let newer = decode(r#"{"version":2,"reports":[]}"#);
        assert!(newer.unreadable[0].reason.contains("newer version"));
        let unknown = decode(r#"[{"name":"Sam"}]"#);
        assert!(
            unknown.unreadable[0]
                .reason
                .contains("format this app does not know")
        );
    }
}
