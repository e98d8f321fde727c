//! The report journey's rules, without a browser: which screen an address asks for and which
//! may be shown, what "Continue", "Back" and "Change" lead to. The phone's form and anything
//! else that walks the form (the server's plain-HTML form) take their moves from here, so the
//! rules are written and tested once.

use time::Date;

use crate::form::{AnswerError, Question, ReportForm};
use crate::form_pages::FormPage;

/// The confirmation's slug (after "Check your answers").
const SENT: &str = "sent";

/// A screen of the journey.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    /// A page of questions, or "Check your answers".
    Page(FormPage),
    /// The confirmation: where the report is, once it has been sent.
    Sent,
}

impl Screen {
    /// The first page.
    pub const START: Self = Self::Page(FormPage::WhatHappened);

    /// The screen an address's `page=` names; the first page for a name it does not know.
    pub fn from_slug(slug: &str) -> Self {
        if slug == SENT {
            Self::Sent
        } else {
            FormPage::from_slug(slug).map_or(Self::START, Self::Page)
        }
    }

    /// Its name in the address.
    pub fn slug(self) -> &'static str {
        match self {
            Self::Page(page) => page.slug(),
            Self::Sent => SENT,
        }
    }

    /// The screen shown when `self` is asked for: a report that can no longer be changed
    /// (queued or sent) shows where it is instead.
    #[must_use]
    pub fn allowed(self, editable: bool) -> Self {
        if editable { self } else { Self::Sent }
    }
}

/// Where a person is in the journey: the page, and whether they came to it from "Check your
/// answers" (to change one answer), so Continue takes them back there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    /// The page shown.
    pub page: FormPage,
    /// Opened with "Change" (or an error's link) from "Check your answers".
    pub from_check: bool,
}

/// What "Continue" (or "Send report") does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Continue {
    /// The page has answers to fix: show it again with these errors.
    Fix(Vec<AnswerError>),
    /// Show this page next.
    To(FormPage),
    /// "Check your answers" is complete: send the report.
    Send,
}

impl Position {
    /// The first page, reached from the start.
    pub const START: Self = Self::at(FormPage::WhatHappened);

    /// `page`, reached in order.
    pub const fn at(page: FormPage) -> Self {
        Self {
            page,
            from_check: false,
        }
    }

    /// "Continue" on this page with these answers, on `today` (dates may not be in the future).
    pub fn proceed(self, form: &ReportForm, today: Date) -> Continue {
        let errors = match form.validate(today) {
            Ok(()) => Vec::new(),
            Err(all) => self.page.errors(&all),
        };
        if !errors.is_empty() {
            Continue::Fix(errors)
        } else if self.page == FormPage::Check {
            Continue::Send
        } else if self.from_check {
            Continue::To(FormPage::Check)
        } else {
            Continue::To(self.page.next(form))
        }
    }

    /// "Back": the page before this one that applies to these answers; none on the first page.
    pub fn back(self, form: &ReportForm) -> Option<FormPage> {
        self.page.previous(form)
    }

    /// "Change" (or an error's link) for `question`: the page that asks it, reached from
    /// "Check your answers" (or `None` when it is this page: then only the input is focused).
    pub fn change(self, question: Question) -> Option<Self> {
        let page = FormPage::of(question);
        (page != self.page).then_some(Self {
            page,
            from_check: true,
        })
    }
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;
    use crate::form::WhatHappened;

    const TODAY: Date = date!(2026 - 12 - 04);

    #[test]
    fn an_address_names_a_screen_and_an_unknown_name_is_the_first_page() {
        assert_eq!(Screen::from_slug("sent"), Screen::Sent);
        assert_eq!(Screen::from_slug("police"), Screen::Page(FormPage::Police));
        assert_eq!(Screen::from_slug("nonsense"), Screen::START);
        for page in FormPage::ALL {
            assert_eq!(
                Screen::from_slug(Screen::Page(page).slug()),
                Screen::Page(page)
            );
        }
    }

    #[test]
    fn a_report_that_cannot_be_changed_shows_where_it_is() {
        let asked = Screen::Page(FormPage::Device);
        assert_eq!(asked.allowed(true), asked);
        assert_eq!(asked.allowed(false), Screen::Sent);
    }

    #[test]
    fn continue_with_a_missing_answer_stays_on_the_page_with_its_error() {
        let Continue::Fix(errors) = Position::START.proceed(&ReportForm::default(), TODAY) else {
            panic!("an empty first page is not complete");
        };
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].question, Question::WhatHappened);
    }

    #[test]
    fn continue_goes_to_the_next_page_that_applies() {
        let mut form = ReportForm::example();
        form.what_happened = Some(WhatHappened::HackedOrCompromised);
        // The police page applies only to a lost or stolen device.
        let before_police = FormPage::Police
            .previous(&ReportForm::example())
            .expect("a page");
        assert_eq!(
            Position::at(before_police).proceed(&form, TODAY),
            Continue::To(FormPage::YourDetails)
        );
        assert_eq!(
            Position::at(before_police).proceed(&ReportForm::example(), TODAY),
            Continue::To(FormPage::Police)
        );
    }

    #[test]
    fn a_page_opened_from_check_your_answers_returns_there() {
        let form = ReportForm::example();
        let changing = Position::at(FormPage::Check)
            .change(Question::Device)
            .expect("another page");
        assert_eq!(
            changing,
            Position {
                page: FormPage::Device,
                from_check: true
            }
        );
        assert_eq!(
            changing.proceed(&form, TODAY),
            Continue::To(FormPage::Check)
        );
        // On the page itself, "Change" only moves the focus.
        assert_eq!(
            Position::at(FormPage::Device).change(Question::Device),
            None
        );
    }

    #[test]
    fn check_your_answers_complete_sends_and_incomplete_lists_every_error() {
        assert_eq!(
            Position::at(FormPage::Check).proceed(&ReportForm::example(), TODAY),
            Continue::Send
        );
        let mut form = ReportForm::example();
        form.name.clear();
        form.email.clear();
        let Continue::Fix(errors) = Position::at(FormPage::Check).proceed(&form, TODAY) else {
            panic!("missing answers");
        };
        assert_eq!(errors.len(), 2);
    }

    #[test]
    fn back_skips_pages_that_do_not_apply_and_the_first_page_has_none() {
        let mut form = ReportForm::example();
        assert_eq!(Position::START.back(&form), None);
        assert_eq!(
            Position::at(FormPage::YourDetails).back(&form),
            Some(FormPage::Police)
        );
        form.what_happened = Some(WhatHappened::HackedOrCompromised);
        assert_eq!(
            Position::at(FormPage::YourDetails).back(&form),
            FormPage::Police.previous(&form)
        );
    }
}
