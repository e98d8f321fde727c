//! A report as words: each question's wording, each choice's label, and the whole report as plain
//! text, for "Check your answers" and for sending a report another way ("Copy this report",
//! "Email this report") when the server cannot be reached for a long time.

use std::fmt::Write as _;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use guidance::Action;
use guidance::contacts::{SERVICE_DESK_PHONE, SERVICE_PORTAL};

use crate::form::{Answer, DeviceKind, Field, PoliceTold, ReportForm, ShutDown, WhatHappened};
use crate::id::ReportId;

impl Field {
    /// The question, as asked on the form.
    pub fn question(self) -> &'static str {
        match self {
            Self::WhatHappened => "What happened to the device?",
            Self::WhatHappenedOther => "What happened, in your words",
            Self::CompromiseSigns => "What made you think it was hacked or compromised?",
            Self::Device => "What kind of device is it?",
            Self::DeviceOther => "What kind of device, in your words",
            Self::AssetTag => "Asset tag or serial number",
            Self::Date => "When did it happen, or when did you notice?",
            Self::ApproximateTime => "Roughly what time",
            Self::Location => "Where did it happen, or where did you last have it?",
            Self::ShutDown => "Was the device shut down?",
            Self::MojInformation => "Was MoJ information on it, or could it be reached from it?",
            Self::MojInformationDetails => "Roughly what information",
            Self::ContactedServiceDesk => "Have you contacted the IT Service Desk?",
            Self::ServiceDeskTicket => "Service desk ticket reference",
            Self::ToldLineManager => "Have you told your line manager?",
            Self::ToldPolice => "Have you told the police?",
            Self::PoliceReference => "Police incident reference number",
            Self::Name => "Your name",
            Self::Email => "Your work email address",
            Self::Phone => "A phone number to reach you on now",
        }
    }
}

impl Field {
    /// A short line under the question that helps answer it, if it needs one.
    pub fn hint(self) -> Option<&'static str> {
        Some(match self {
            Self::CompromiseSigns => {
                "A few words are enough. For example, emails you did not send, or a warning \
                 on screen."
            }
            Self::AssetTag => {
                "Optional. The asset tag is the MoJ's own number for the device, usually on a \
                 sticker on the bottom."
            }
            Self::Date => "For example, 27 11 2026",
            Self::ApproximateTime => "Optional. For example, about 6pm, or between 2pm and 4pm",
            Self::Location => {
                "For example, a train from Leeds to London, or a café near the office"
            }
            Self::ShutDown => {
                "This matters because a laptop that was shut down is protected by its disk \
                 encryption. One that was only locked or asleep is easier to get into."
            }
            Self::MojInformation => {
                "When MoJ data or information is lost or compromised, it must always be \
                 reported as a data incident: this report is that. Think of files saved on it, \
                 and email or shared drives it was signed in to."
            }
            Self::MojInformationDetails => {
                "For example, case files or staff names. Do not copy the information itself."
            }
            Self::ServiceDeskTicket | Self::PoliceReference => {
                "Optional. If they gave you one, enter it here."
            }
            Self::Email => "Your work address, for example name@justice.gov.uk",
            Self::Phone => "A number you can answer now. Your work phone may be the lost device.",
            _ => return None,
        })
    }
}

/// What to do now, shown under a question when one of some answers is chosen (as a GOV.UK
/// conditional reveal), with the calls and links that do it.
#[derive(Debug, Clone, Copy)]
pub struct Advice {
    /// The choice values that show it.
    pub when: &'static [&'static str],
    /// What to do, in a sentence.
    pub text: &'static str,
    /// The calls and links that do it.
    pub actions: &'static [Action],
}

impl Advice {
    /// Whether the advice is shown for the chosen value.
    pub fn shown_for(&self, chosen: Option<&str>) -> bool {
        chosen.is_some_and(|value| self.when.contains(&value))
    }
}

impl Field {
    /// The guidance's advice for some answers to this question: a person who has not called the
    /// service desk, told their manager or told the police is told to, right there.
    pub fn advice(self) -> Option<Advice> {
        Some(match self {
            Self::ContactedServiceDesk => Advice {
                when: &["no", "not-sure"],
                text: "Contact the IT Service Desk now: it is the first thing to do. Phone them, \
                       or use the MoJ Service Portal or Live Chat.",
                actions: &[SERVICE_DESK_PHONE, SERVICE_PORTAL],
            },
            Self::ToldLineManager => Advice {
                when: &["no"],
                text: "Tell your line manager as soon as possible.",
                actions: &[],
            },
            Self::ToldPolice => Advice {
                when: &["not-yet", "no"],
                text: "Contact the police, and make sure they give you an incident reference \
                       number.",
                actions: &[],
            },
            _ => return None,
        })
    }
}

impl WhatHappened {
    /// The choice's label.
    pub fn label(self) -> &'static str {
        match self {
            Self::Lost => "It is lost",
            Self::Stolen => "It was stolen",
            Self::HackedOrCompromised => "It was hacked or compromised",
            Self::SomethingElse => "Something else",
        }
    }
}

impl DeviceKind {
    /// The choice's label.
    pub fn label(self) -> &'static str {
        match self {
            Self::Laptop => "Laptop",
            Self::Phone => "Mobile phone",
            Self::Tablet => "Tablet",
            Self::Other => "Something else",
        }
    }
}

impl ShutDown {
    /// The choice's label.
    pub fn label(self) -> &'static str {
        match self {
            Self::ShutDown => "Yes, it was shut down",
            Self::LockedOrAsleep => "No, it was only locked or asleep",
            Self::NotSure => "I'm not sure",
        }
    }
}

impl PoliceTold {
    /// The choice's label.
    pub fn label(self) -> &'static str {
        match self {
            Self::Yes => "Yes",
            Self::NotYet => "Not yet",
            Self::No => "No",
        }
    }
}

impl Answer {
    /// The choice's label.
    pub fn label(self) -> &'static str {
        match self {
            Self::Yes => "Yes",
            Self::No => "No",
            Self::NotSure => "I'm not sure",
        }
    }
}

impl ReportForm {
    /// Every answered question with its answer, in form order. Unanswered questions are left out.
    pub fn answers(&self) -> Vec<(Field, String)> {
        let text = |value: &str| (!value.trim().is_empty()).then(|| value.trim().to_owned());
        let date = [
            self.date_day.trim(),
            self.date_month.trim(),
            self.date_year.trim(),
        ];
        let date = (!date.iter().all(|part| part.is_empty())).then(|| date.join("/"));
        [
            (
                Field::WhatHappened,
                self.what_happened.map(|v| v.label().to_owned()),
            ),
            (Field::WhatHappenedOther, text(&self.what_happened_other)),
            (Field::CompromiseSigns, text(&self.compromise_signs)),
            (Field::Device, self.device.map(|v| v.label().to_owned())),
            (Field::DeviceOther, text(&self.device_other)),
            (Field::AssetTag, text(&self.asset_tag)),
            (Field::Date, date),
            (Field::ApproximateTime, text(&self.approximate_time)),
            (Field::Location, text(&self.location)),
            (
                Field::ShutDown,
                self.shut_down.map(|v| v.label().to_owned()),
            ),
            (
                Field::MojInformation,
                self.moj_information.map(|v| v.label().to_owned()),
            ),
            (
                Field::MojInformationDetails,
                text(&self.moj_information_details),
            ),
            (
                Field::ContactedServiceDesk,
                self.contacted_service_desk.map(|v| v.label().to_owned()),
            ),
            (Field::ServiceDeskTicket, text(&self.service_desk_ticket)),
            (
                Field::ToldLineManager,
                self.told_line_manager.map(|v| v.label().to_owned()),
            ),
            (
                Field::ToldPolice,
                self.told_police.map(|v| v.label().to_owned()),
            ),
            (Field::PoliceReference, text(&self.police_reference)),
            (Field::Name, text(&self.name)),
            (Field::Email, text(&self.email)),
            (Field::Phone, text(&self.phone)),
        ]
        .into_iter()
        .filter_map(|(field, answer)| answer.map(|answer| (field, answer)))
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
        for (field, answer) in self.answers() {
            // Writing to a String cannot fail.
            let _ = writeln!(text, "{}\n{answer}\n", field.question());
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
    fn only_answered_questions_are_listed_in_form_order() {
        let fields: Vec<Field> = form()
            .answers()
            .into_iter()
            .map(|(field, _)| field)
            .collect();
        assert_eq!(
            fields,
            [
                Field::WhatHappened,
                Field::Device,
                Field::Date,
                Field::Location,
                Field::Name
            ]
        );
    }

    #[test]
    fn plain_text_has_the_id_and_each_question_with_its_answer() {
        let id = ReportId::from_random_bytes([3; 16]);
        let text = form().to_plain_text(id);
        assert!(text.contains(&format!("Report id: {id}")));
        assert!(text.contains("What happened to the device?\nIt was stolen\n"));
        assert!(text.contains("When did it happen, or when did you notice?\n26/11/2026\n"));
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
    fn advice_is_shown_only_for_real_choices_of_its_question() {
        let mut advised = 0;
        for page in crate::FormPage::ALL {
            for &field in page.fields() {
                let Some(advice) = field.advice() else {
                    continue;
                };
                let values: Vec<&str> = field.choices().iter().map(|c| c.value).collect();
                assert!(advice.when.iter().all(|v| values.contains(v)), "{field:?}");
                assert!(!advice.shown_for(None));
                advised += 1;
            }
        }
        assert_eq!(advised, 3);
        let desk = Field::ContactedServiceDesk.advice().expect("advice");
        assert!(desk.shown_for(Some("not-sure")) && !desk.shown_for(Some("yes")));
        assert_eq!(desk.actions[0].href(), "tel:08009175148");
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
