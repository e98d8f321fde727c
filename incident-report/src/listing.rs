//! What the team's list finds a report by: the kind of incident and of device (kept after the
//! answers are removed, so that a year's counts stay true) and the text a search looks through
//! (the reporter's name and email, the asset tag, the service desk's ticket and the police
//! reference, lower-cased; removed with the answers).

use crate::answer_slots::Given;
use crate::form::{Question, ReportForm};

/// The questions whose answers a search of the team's list looks through.
pub const SEARCHED: [Question; 5] = [
    Question::Name,
    Question::Email,
    Question::AssetTag,
    Question::ServiceDeskTicket,
    Question::PoliceReference,
];

/// What the team's list finds one report by.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Listing {
    /// What happened: the choice's value (`stolen`), if answered.
    pub what_happened: Option<&'static str>,
    /// The kind of device: the choice's value (`laptop`), if answered.
    pub device: Option<&'static str>,
    /// The [`SEARCHED`] answers, trimmed, lower-cased, one per line.
    pub search: String,
}

impl ReportForm {
    /// What the team's list finds this report by.
    pub fn listing(&self) -> Listing {
        Listing {
            what_happened: self.chosen_value(Question::WhatHappened),
            device: self.chosen_value(Question::Device),
            search: SEARCHED
                .iter()
                .filter_map(|&question| match self.given(question) {
                    Given::Text(text) => Some(text.trim().to_lowercase()),
                    Given::Choice(_) | Given::Date(_) => None,
                })
                .collect::<Vec<_>>()
                .join("\n"),
        }
    }

    /// The value of the choice made for `question`, if one was.
    fn chosen_value(&self, question: Question) -> Option<&'static str> {
        let Given::Choice(chosen) = self.given(question) else {
            return None;
        };
        question
            .choices()
            .iter()
            .find(|choice| chosen.is(choice.value))
            .map(|choice| choice.value)
    }
}

#[cfg(test)]
mod tests {
    use crate::form::{DeviceKind, ReportForm, WhatHappened};

    #[test]
    fn a_report_is_listed_by_its_kinds_and_the_searched_answers_only() {
        let form = ReportForm {
            what_happened: Some(WhatHappened::HackedOrCompromised),
            device: Some(DeviceKind::Laptop),
            name: " Sam EXAMPLE ".into(),
            email: "Sam@Example.org".into(),
            asset_tag: "MOJ-123".into(),
            service_desk_ticket: "INC0042".into(),
            police_reference: String::new(),
            location: "Leeds station".into(),
            ..ReportForm::default()
        };
        let listing = form.listing();
        assert_eq!(listing.what_happened, Some("hacked-or-compromised"));
        assert_eq!(listing.device, Some("laptop"));
        assert_eq!(
            listing.search,
            "sam example\nsam@example.org\nmoj-123\ninc0042\n"
        );
        assert!(
            !listing.search.contains("leeds"),
            "only what the team searches by"
        );
        assert_eq!(ReportForm::default().listing().what_happened, None);
    }
}
