//! A report as words: its answers by question (choices by their labels), its title, and the
//! whole report as plain text, for "Check your answers" and for sending a report another way ("Copy this report",
//! "Email this report") when the server cannot be reached for a long time.

use std::fmt::Write as _;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use crate::answer_slots::Given;
use crate::form::{DeviceKind, Question, ReportForm, WhatHappened};
use crate::id::ReportId;

/// A date as GOV.UK writes it: "3 December 2026".
pub fn long_date(date: time::Date) -> String {
    format!("{} {} {}", date.day(), date.month(), date.year())
}

/// A time of day as GOV.UK writes it, from the 24-hour clock: "10:34pm", "9am", "midday",
/// "midnight".
pub fn time_of_day(hour: u8, minute: u8) -> String {
    match (hour, minute) {
        (0, 0) => "midnight".to_owned(),
        (12, 0) => "midday".to_owned(),
        _ => {
            let suffix = if hour < 12 { "am" } else { "pm" };
            let hour = match hour % 12 {
                0 => 12,
                h => h,
            };
            if minute == 0 {
                format!("{hour}{suffix}")
            } else {
                format!("{hour}:{minute:02}{suffix}")
            }
        }
    }
}

impl ReportForm {
    /// Every answered question with its answer in words (a choice by its label, the date as
    /// GOV.UK writes it, "26 November 2026"), in form order. Unanswered questions are left out.
    pub fn answers(&self) -> Vec<(Question, String)> {
        Question::ALL
            .iter()
            .filter_map(|&question| {
                let answer = match self.given(question) {
                    Given::Text(text) => text.trim().to_owned(),
                    Given::Choice(chosen) => question
                        .choices()
                        .iter()
                        .find(|choice| chosen.is(choice.value))
                        .map(|choice| choice.label.to_owned())
                        .unwrap_or_default(),
                    Given::Date(parts) => {
                        let parts = parts.map(|part| part.trim().to_owned());
                        let [day, month, year] = &parts;
                        if parts.iter().all(String::is_empty) {
                            String::new()
                        } else if let Ok(date) = crate::form::parse_date(day, month, year) {
                            long_date(date)
                        } else {
                            // Not a real date (yet): shown as typed, to be corrected.
                            parts.join("/")
                        }
                    }
                };
                (!answer.is_empty()).then_some((question, answer))
            })
            .collect()
    }

    /// A short name for the report, e.g. "Stolen laptop": on "Your reports" and in the subject
    /// of the email that forwards it.
    pub fn title(&self) -> String {
        let what = match self.what_happened {
            Some(WhatHappened::Lost) => "Lost",
            Some(WhatHappened::Stolen) => "Stolen",
            Some(WhatHappened::HackedOrCompromised) => "Hacked or compromised",
            Some(WhatHappened::SomethingElse) => "Problem with",
            None => return "Report not finished".to_owned(),
        };
        let device = match self.device {
            Some(DeviceKind::Laptop) => "laptop",
            Some(DeviceKind::Phone) => "mobile phone",
            Some(DeviceKind::Tablet) => "tablet",
            Some(DeviceKind::Other) | None => "device",
        };
        format!("{what} {device}")
    }

    /// The report as plain text: a title, its id, then one "question: answer" line per answer.
    pub fn to_plain_text(&self, id: ReportId) -> String {
        let mut text = format!("Lost or compromised device: incident report\nReport id: {id}\n\n");
        for (question, answer) in self.answers() {
            // Writing to a String cannot fail.
            let _ = writeln!(text, "{}\n{answer}\n", question.text());
        }
        text
    }

    /// A `mailto:` link that opens an email to `to` with this report as its body.
    pub fn mailto(&self, id: ReportId, to: &str) -> String {
        // Everything but unreserved characters is escaped, as RFC 6068 allows.
        const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
            .remove(b'-')
            .remove(b'.')
            .remove(b'_')
            .remove(b'~');
        let subject = format!("Incident report: lost or compromised device ({id})");
        format!(
            "mailto:{to}?subject={}&body={}",
            utf8_percent_encode(&subject, COMPONENT),
            utf8_percent_encode(&self.to_plain_text(id).replace('\n', "\r\n"), COMPONENT),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> ReportForm {
        ReportForm {
            what_happened: Some(WhatHappened::Stolen),
            device: Some(DeviceKind::Laptop),
            date_day: "26".into(),
            date_month: "11".into(),
            date_year: "2026".into(),
            location: "Leeds station & café".into(),
            name: "Sam Example".into(),
            ..ReportForm::default()
        }
    }

    #[test]
    fn times_and_dates_are_written_as_gov_uk_writes_them() {
        for (hour, minute, words) in [
            (0, 0, "midnight"),
            (0, 5, "12:05am"),
            (9, 0, "9am"),
            (12, 0, "midday"),
            (12, 30, "12:30pm"),
            (22, 34, "10:34pm"),
        ] {
            assert_eq!(time_of_day(hour, minute), words);
        }
        assert_eq!(
            long_date(time::macros::date!(2026 - 12 - 03)),
            "3 December 2026"
        );
        let unfinished = ReportForm {
            date_day: "31".into(),
            date_month: "2".into(),
            date_year: "2026".into(),
            ..ReportForm::default()
        };
        assert_eq!(
            unfinished.answers(),
            [(Question::Date, "31/2/2026".to_owned())],
            "not a real date: as typed"
        );
    }

    #[test]
    fn only_answered_questions_are_listed_in_form_order() {
        let fields: Vec<Question> = form()
            .answers()
            .into_iter()
            .map(|(question, _)| question)
            .collect();
        assert_eq!(
            fields,
            [
                Question::WhatHappened,
                Question::Device,
                Question::Date,
                Question::Location,
                Question::Name
            ]
        );
    }

    #[test]
    fn plain_text_has_the_id_and_each_question_with_its_answer() {
        let id = ReportId::from_random_bytes([3; 16]);
        let text = form().to_plain_text(id);
        assert!(text.contains(&format!("Report id: {id}")));
        assert!(text.contains("What happened to the device?\nIt was stolen\n"));
        assert!(text.contains("When did it happen, or when did you notice?\n26 November 2026\n"));
    }

    #[test]
    fn the_email_link_escapes_everything_that_could_break_it() {
        let id = ReportId::from_random_bytes([3; 16]);
        let link = form().mailto(id, "security@justice.gov.uk");
        assert!(link.starts_with("mailto:security@justice.gov.uk?subject=Incident%20report"));
        assert!(link.contains("Leeds%20station%20%26%20caf%C3%A9"));
        assert_eq!(
            link.matches('&').count(),
            1,
            "only the one between subject and body"
        );
        assert_eq!(link.matches('=').count(), 2, "only after subject and body");
        assert!(link.contains("%0D%0A"));
    }

    #[test]
    fn an_empty_form_says_nothing_but_its_id() {
        let id = ReportId::from_random_bytes([3; 16]);
        assert_eq!(ReportForm::default().answers(), []);
        assert!(
            ReportForm::default()
                .to_plain_text(id)
                .ends_with(&format!("{id}\n\n"))
        );
    }
}
