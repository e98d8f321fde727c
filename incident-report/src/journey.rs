//! The report journey's rules, without a browser: which screen an address asks for and which
//! may be shown, what "Continue", "Back" and "Change" lead to. The phone's form and anything
//! else that walks the form (the server's plain-HTML form) take their moves from here, so the
//! rules are written and tested once.

use time::Date;

use crate::form::{AnswerError, Question, ReportForm};
use crate::form_pages::FormPage;
use crate::id::ReportId;

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

/// The journey's own inputs in the plain HTML form, beside the answers ([`ReportForm::fields`]).
pub mod field {
    /// The report's id, once it has one.
    pub const REPORT_ID: &str = "report-id";
    /// The slug of the page the form was on.
    pub const PAGE: &str = "journey-page";
    /// Present when the page was opened from "Check your answers".
    pub const FROM_CHECK: &str = "from-check";
    /// Which button was pressed ([`super::Go::value`]).
    pub const GO: &str = "go";
}

/// Which of the page's buttons sent the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Go {
    /// "Continue", or "Send report" on "Check your answers".
    Continue,
    /// "Back".
    Back,
    /// "Change" beside an answer on "Check your answers".
    Change(Question),
}

impl Go {
    /// The button's value.
    pub fn value(self) -> String {
        match self {
            Self::Continue => "continue".to_owned(),
            Self::Back => "back".to_owned(),
            Self::Change(question) => format!("change:{}", question.id()),
        }
    }

    /// The button named by `value`; Continue for anything else (the Enter key sends the form's
    /// first button, which is Continue).
    pub fn from_value(value: &str) -> Self {
        if value == "back" {
            return Self::Back;
        }
        value
            .strip_prefix("change:")
            .and_then(|id| Question::ALL.iter().find(|q| q.id() == id))
            .map_or(Self::Continue, |&question| Self::Change(question))
    }
}

/// A page of the plain HTML form as it was sent: where the person was, the button they pressed,
/// and every answer so far (the other pages' travel with it in hidden inputs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostedPage {
    /// The report's id, if the form had one.
    pub id: Option<ReportId>,
    /// The page it was sent from.
    pub position: Position,
    /// The button pressed.
    pub go: Go,
    /// Every answer it carried.
    pub form: ReportForm,
}

/// What to show after a [`PostedPage`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Next {
    /// This page, with these errors to fix (none when it is simply the next page).
    Show(Position, Vec<AnswerError>),
    /// The report is complete: send it.
    Send,
}

impl PostedPage {
    /// Reads the form's fields; names it does not know are ignored, and a page it does not know
    /// is the first.
    pub fn read<'a>(fields: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let mut posted = Self {
            id: None,
            position: Position::START,
            go: Go::Continue,
            form: ReportForm::default(),
        };
        for (name, value) in fields {
            match name {
                field::REPORT_ID => posted.id = ReportId::parse(value).ok(),
                field::PAGE => {
                    let page = FormPage::from_slug(value).unwrap_or(FormPage::WhatHappened);
                    posted.position.page = page;
                }
                field::FROM_CHECK => posted.position.from_check = true,
                field::GO => posted.go = Go::from_value(value),
                _ => {
                    posted.form.set_field(name, value);
                }
            }
        }
        posted
    }

    /// Where the button leads with these answers, on `today`.
    pub fn next(&self, today: Date) -> Next {
        let here = self.position;
        match self.go {
            Go::Back => {
                let page = here.back(&self.form).unwrap_or(here.page);
                Next::Show(Position { page, ..here }, Vec::new())
            }
            Go::Change(question) => Next::Show(here.change(question).unwrap_or(here), Vec::new()),
            Go::Continue => match here.proceed(&self.form, today) {
                Continue::Fix(errors) => Next::Show(here, errors),
                Continue::To(page) => Next::Show(Position { page, ..here }, Vec::new()),
                Continue::Send => Next::Send,
            },
        }
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

    /// The fields a browser sends for `form` on `page` with the button `go`.
    fn posted(form: &ReportForm, page: FormPage, go: Go) -> PostedPage {
        let id = ReportId::from_random_bytes([7; 16]).to_string();
        let mut fields: Vec<(&str, String)> = form.fields();
        fields.push((field::REPORT_ID, id));
        fields.push((field::PAGE, page.slug().to_owned()));
        fields.push((field::GO, go.value()));
        PostedPage::read(fields.iter().map(|(name, value)| (*name, value.as_str())))
    }

    #[test]
    fn a_posted_page_carries_its_answers_its_page_and_its_button() {
        let form = ReportForm::example();
        let posted = posted(&form, FormPage::Where, Go::Change(Question::Device));
        assert_eq!(posted.form, form);
        assert_eq!(posted.position, Position::at(FormPage::Where));
        assert_eq!(posted.go, Go::Change(Question::Device));
        assert_eq!(posted.id, Some(ReportId::from_random_bytes([7; 16])));
        assert_eq!(Go::from_value("anything else"), Go::Continue);
    }

    #[test]
    fn a_posted_page_leads_where_the_phone_s_form_does() {
        let form = ReportForm::example();
        assert_eq!(
            posted(&form, FormPage::Check, Go::Continue).next(TODAY),
            Next::Send
        );
        assert_eq!(
            posted(&form, FormPage::Where, Go::Back).next(TODAY),
            Next::Show(Position::at(FormPage::When), Vec::new())
        );
        assert_eq!(
            posted(&form, FormPage::Check, Go::Change(Question::Device)).next(TODAY),
            Next::Show(
                Position {
                    page: FormPage::Device,
                    from_check: true
                },
                Vec::new()
            )
        );
        let Next::Show(position, errors) =
            posted(&ReportForm::default(), FormPage::WhatHappened, Go::Continue).next(TODAY)
        else {
            panic!("nothing answered");
        };
        assert_eq!((position, errors.len()), (Position::START, 1));
        // The first page's Back stays there.
        assert_eq!(
            posted(&form, FormPage::WhatHappened, Go::Back).next(TODAY),
            Next::Show(Position::START, Vec::new())
        );
    }
}
