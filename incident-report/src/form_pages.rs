//! The form as pages, following the GOV.UK "one thing per page" pattern: which questions each
//! page asks, their order, and which pages apply to a set of answers (the police page only when
//! the device was lost or stolen). Phone and tests share this, so the order lives in one place.

use crate::form::{AnswerError, Question, ReportForm, WhatHappened};

/// A page of the report journey.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(missing_docs)] // The names say which questions.
pub enum FormPage {
    WhatHappened,
    Device,
    When,
    Where,
    ShutDown,
    Information,
    ServiceDesk,
    LineManager,
    Police,
    YourDetails,
    /// "Check your answers", then send.
    Check,
}

impl FormPage {
    /// Every page, in order (some may not apply: see [`FormPage::applies`]).
    pub const ALL: [Self; 11] = [
        Self::WhatHappened,
        Self::Device,
        Self::When,
        Self::Where,
        Self::ShutDown,
        Self::Information,
        Self::ServiceDesk,
        Self::LineManager,
        Self::Police,
        Self::YourDetails,
        Self::Check,
    ];

    /// The page's name in the address (`/report?page=…`).
    pub fn slug(self) -> &'static str {
        match self {
            Self::WhatHappened => "what-happened",
            Self::Device => "device",
            Self::When => "when",
            Self::Where => "where",
            Self::ShutDown => "shut-down",
            Self::Information => "information",
            Self::ServiceDesk => "service-desk",
            Self::LineManager => "line-manager",
            Self::Police => "police",
            Self::YourDetails => "your-details",
            Self::Check => "check",
        }
    }

    /// The page with this slug.
    pub fn from_slug(slug: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|page| page.slug() == slug)
    }

    /// The questions asked on the page, in form order. The first is the page's main question.
    pub fn questions(self) -> Vec<Question> {
        Question::ALL
            .iter()
            .copied()
            .filter(|question| question.spec().page == self)
            .collect()
    }

    /// The page that asks `question`.
    pub fn of(question: Question) -> Self {
        question.spec().page
    }

    /// Whether the page is asked with these answers.
    pub fn applies(self, form: &ReportForm) -> bool {
        match self {
            Self::Police => form
                .what_happened
                .is_some_and(WhatHappened::involves_police),
            _ => true,
        }
    }

    /// The page after this one, skipping pages that do not apply.
    #[must_use]
    pub fn next(self, form: &ReportForm) -> Self {
        Self::ALL
            .into_iter()
            .skip_while(|page| *page != self)
            .skip(1)
            .find(|page| page.applies(form))
            .unwrap_or(Self::Check)
    }

    /// The page before this one (for "Back"), or `None` on the first page.
    pub fn previous(self, form: &ReportForm) -> Option<Self> {
        Self::ALL
            .into_iter()
            .take_while(|page| *page != self)
            .filter(|page| page.applies(form))
            .last()
    }

    /// Of all `errors`, those about this page's questions.
    pub fn errors(self, errors: &[AnswerError]) -> Vec<AnswerError> {
        errors
            .iter()
            .filter(|error| self == Self::Check || Self::of(error.question) == self)
            .cloned()
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answered(what: WhatHappened) -> ReportForm {
        ReportForm {
            what_happened: Some(what),
            ..ReportForm::default()
        }
    }

    #[test]
    fn slugs_lead_back_to_their_page() {
        for page in FormPage::ALL {
            assert_eq!(FormPage::from_slug(page.slug()), Some(page));
        }
        assert_eq!(FormPage::from_slug("nope"), None);
    }

    #[test]
    fn the_police_page_is_asked_only_for_a_lost_or_stolen_device() {
        let stolen = answered(WhatHappened::Stolen);
        let hacked = answered(WhatHappened::HackedOrCompromised);
        assert_eq!(FormPage::LineManager.next(&stolen), FormPage::Police);
        assert_eq!(FormPage::LineManager.next(&hacked), FormPage::YourDetails);
        assert_eq!(
            FormPage::YourDetails.previous(&hacked),
            Some(FormPage::LineManager)
        );
        assert_eq!(
            FormPage::YourDetails.previous(&stolen),
            Some(FormPage::Police)
        );
    }

    #[test]
    fn the_journey_starts_with_what_happened_and_ends_with_check_your_answers() {
        let form = ReportForm::default();
        assert_eq!(FormPage::WhatHappened.previous(&form), None);
        assert_eq!(FormPage::YourDetails.next(&form), FormPage::Check);
        assert_eq!(FormPage::Check.next(&form), FormPage::Check);
    }

    // The next form (`next-form`) also requires the asset tag on the device page.
    #[cfg(not(feature = "next-form"))]
    #[test]
    fn a_page_shows_only_its_own_errors_and_check_shows_all() {
        let errors = ReportForm::default()
            .validate(time::macros::date!(2026 - 11 - 27))
            .expect_err("an empty form is not a report");
        let on_device: Vec<Question> = FormPage::Device
            .errors(&errors)
            .iter()
            .map(|e| e.question)
            .collect();
        assert_eq!(on_device, [Question::Device]);
        assert_eq!(FormPage::Check.errors(&errors), errors);
    }
}
