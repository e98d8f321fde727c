//! The report form: the answers as typed ([`ReportForm`], kept in drafts and sent to the server),
//! one [`Question`] per answer, the choices' types, and [`ReportForm::validate`], which checks
//! every answer by its question's rules. Phone and server run the same validation, so a report
//! the phone accepts is one the server accepts.
//!
//! Messages follow the GOV.UK Design System's error message patterns.

use serde::{Deserialize, Serialize};
use time::{Date, Month};

use crate::answer_slots::{Given, Slot};
use crate::question_table::{FORM_VERSION, FormVersion, Kind, Need, TextRules};

/// What happened to the device.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    strum::EnumString,
    strum::VariantNames,
)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum WhatHappened {
    /// It is lost.
    Lost,
    /// It was stolen.
    Stolen,
    /// It was hacked or compromised.
    HackedOrCompromised,
    /// Something else (described).
    SomethingElse,
}

impl WhatHappened {
    /// Whether the police should be told (and give an incident reference number).
    pub fn involves_police(self) -> bool {
        matches!(self, Self::Lost | Self::Stolen)
    }
}

/// The kind of device.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    strum::EnumString,
    strum::VariantNames,
)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum DeviceKind {
    /// A laptop.
    Laptop,
    /// A mobile phone.
    Phone,
    /// A tablet.
    Tablet,
    /// Something else (described).
    Other,
}

/// Whether the laptop was shut down when it went missing.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    strum::EnumString,
    strum::VariantNames,
)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum ShutDown {
    /// Shut down: full disk encryption protects it.
    ShutDown,
    /// Only locked or asleep: easier to get into.
    LockedOrAsleep,
    /// The reporter does not know.
    NotSure,
}

/// Whether the police have been told about a lost or stolen device.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    strum::EnumString,
    strum::VariantNames,
)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum PoliceTold {
    /// Yes.
    Yes,
    /// Not yet, but they will.
    NotYet,
    /// No.
    No,
}

/// A yes / no / not sure answer.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    strum::EnumString,
    strum::VariantNames,
)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum Answer {
    /// Yes.
    Yes,
    /// No.
    No,
    /// Not sure.
    NotSure,
}

/// Declares the form once: each question with the struct field(s) holding its answer. From this
/// one list come [`ReportForm`] (the wire and draft format), [`Question`] with
/// [`Question::ALL`] in form order, and [`ReportForm::slot`] and [`ReportForm::given`], the way
/// to each answer for changing and for reading it. What each question says and how it is checked
/// is in [`crate::question_table`], which the compiler makes complete (one match arm per question).
macro_rules! report_form {
    ($($(#[$doc:meta])* $question:ident { $($name:ident : $type:ty),+ })+) => {
        /// The answers as the person typed them. Every field may be empty: this is what a draft
        /// holds and what a phone sends. Unknown fields are refused, so a typo in a client cannot
        /// go unnoticed.
        #[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(default, deny_unknown_fields)]
        #[allow(missing_docs)] // Each field answers the `Question` declared with it.
        pub struct ReportForm {
            $($(pub $name: $type,)+)+
        }

        /// A question on the form. Its serde name is how errors name it on the wire and in storage.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "kebab-case")]
        pub enum Question {
            $($(#[$doc])* $question,)+
        }

        impl Question {
            /// Every question, in the order the form asks them.
            pub const ALL: &'static [Self] = &[$(Self::$question),+];
        }

        impl ReportForm {
            /// Where the answer to `question` is kept, to change it.
            pub fn slot(&mut self, question: Question) -> Slot<'_> {
                match question {
                    $(Question::$question => Slot::from(($(&mut self.$name,)+)),)+
                }
            }

            /// The answer to `question`, to read it.
            pub fn given(&self, question: Question) -> Given<'_> {
                match question {
                    $(Question::$question => Given::from(($(&self.$name,)+)),)+
                }
            }
        }
    };
}

report_form! {
    /// What happened to the device.
    WhatHappened { what_happened: Option<WhatHappened> }
    /// "Something else", described.
    WhatHappenedOther { what_happened_other: String }
    /// What made the reporter think it was hacked or compromised.
    CompromiseSigns { compromise_signs: String }
    /// The kind of device.
    Device { device: Option<DeviceKind> }
    /// Another kind of device, described.
    DeviceOther { device_other: String }
    /// Asset tag or serial number.
    AssetTag { asset_tag: String }
    /// When it happened or was noticed.
    Date { date_day: String, date_month: String, date_year: String }
    /// Roughly what time.
    ApproximateTime { approximate_time: String }
    /// Where.
    Location { location: String }
    /// Whether it was shut down.
    ShutDown { shut_down: Option<ShutDown> }
    /// Whether MoJ information was on it or reachable from it.
    MojInformation { moj_information: Option<Answer> }
    /// Roughly what information.
    MojInformationDetails { moj_information_details: String }
    /// Whether the IT Service Desk has been contacted.
    ContactedServiceDesk { contacted_service_desk: Option<Answer> }
    /// The service desk's ticket reference.
    ServiceDeskTicket { service_desk_ticket: String }
    /// Whether the line manager has been told.
    ToldLineManager { told_line_manager: Option<Answer> }
    /// Whether the police have been told.
    ToldPolice { told_police: Option<PoliceTold> }
    /// The police incident reference.
    PoliceReference { police_reference: String }
    /// The reporter's name.
    Name { name: String }
    /// The reporter's work email address.
    Email { email: String }
    /// A phone number to reach the reporter now.
    Phone { phone: String }
}

/// What is wrong with one answer, in words to show next to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnswerError {
    /// The question (stored and sent as `field`, its name in earlier versions).
    #[serde(rename = "field")]
    pub question: Question,
    /// What to do about it, e.g. "Enter your name".
    pub message: String,
}

/// Longest free-text answers, in characters: long enough for any real answer, short enough that
/// nobody pastes a document by mistake.
pub const SHORT_TEXT_MAX: usize = 100;
/// Longest descriptive answer, in characters.
pub const LONG_TEXT_MAX: usize = 1200;
/// Longest email address, in characters (the most an address can be, by RFC 5321).
pub const EMAIL_MAX: usize = 254;
/// Longest phone number, in characters: 15 digits with room for spaces, brackets and `+`.
pub const PHONE_MAX: usize = 30;

impl ReportForm {
    /// Checks every answer against its question's rules ([`crate::question_table`]), as this
    /// version of the form has them. `today` is the reporter's date (a date after it is
    /// refused). Errors come in the order of the questions, one per question at most; none
    /// means the report can be sent.
    pub fn validate(&self, today: Date) -> Result<(), Vec<AnswerError>> {
        self.validate_as(FORM_VERSION, today)
    }

    /// [`ReportForm::validate`] by the rules of form `version`: a report queued on a phone
    /// under an older release is checked by the rules it was written for.
    pub fn validate_as(&self, version: FormVersion, today: Date) -> Result<(), Vec<AnswerError>> {
        let mut errors = Vec::new();
        for &question in Question::ALL {
            // A question not asked with these answers is not the person's to fix: its answer is
            // dropped before the report is sent or stored (`canonical`), never checked.
            if !self.asks(question) {
                continue;
            }
            let spec = question.spec();
            let required = match spec.need.for_version(version) {
                Need::Optional | Need::RequiredSince(..) => None,
                Need::Required(message) => Some(message),
                Need::RequiredFor(values, message) => self
                    .revealed_by(question)
                    .filter(|chosen| values.contains(chosen))
                    .map(|_| message),
            };
            let problem = match (&spec.kind, self.given(question)) {
                (Kind::Choice(_), Given::Choice(chosen)) => {
                    required.filter(|_| !chosen.is_chosen()).map(str::to_owned)
                }
                (Kind::Text(text), Given::Text(typed)) => check_text(typed, text, required),
                (Kind::Date, Given::Date(parts)) if parts.iter().all(|p| p.trim().is_empty()) => {
                    required.map(str::to_owned)
                }
                (Kind::Date, Given::Date([day, month, year])) => {
                    match parse_date(day, month, year) {
                        Ok(date) if date <= today => None,
                        Ok(_) => Some("The date must be today or in the past".to_owned()),
                        Err(message) => Some(message.to_owned()),
                    }
                }
                _ => Some(format!(
                    "{question:?} is declared with the wrong kind of answer"
                )),
            };
            if let Some(message) = problem {
                errors.push(AnswerError { question, message });
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

/// What is wrong with typed text, if anything: too long, missing though `required` (its message),
/// or not of the question's shape.
fn check_text(typed: &str, text: &TextRules, required: Option<&str>) -> Option<String> {
    let typed = typed.trim();
    let max = text.max;
    if typed.chars().count() > max {
        return Some(match text.shape {
            Some(shape) => format!("{} ({max} characters at most)", shape.wrong()),
            None => format!("{} must be {max} characters or fewer", text.label),
        });
    }
    if typed.is_empty() {
        return required.map(str::to_owned);
    }
    text.shape
        .filter(|shape| !shape.fits(typed))
        .map(|shape| shape.wrong().to_owned())
}

#[cfg(any(test, feature = "example"))]
impl ReportForm {
    /// A complete, valid report of a stolen laptop, the one example every test and the load
    /// generator use (behind the `example` feature: it is not part of the app).
    pub fn example() -> Self {
        Self {
            what_happened: Some(WhatHappened::Stolen),
            device: Some(DeviceKind::Laptop),
            asset_tag: "MOJ-123456".into(),
            date_day: "26".into(),
            date_month: "11".into(),
            date_year: "2026".into(),
            approximate_time: "about 6pm".into(),
            location: "Train from Leeds to London".into(),
            shut_down: Some(ShutDown::LockedOrAsleep),
            moj_information: Some(Answer::Yes),
            moj_information_details: "Case notes in a shared drive I was signed in to".into(),
            contacted_service_desk: Some(Answer::Yes),
            service_desk_ticket: "INC0012345".into(),
            told_line_manager: Some(Answer::No),
            told_police: Some(PoliceTold::Yes),
            police_reference: "CAD 1234 27/11".into(),
            name: "Sam Example".into(),
            email: "sam.example@justice.gov.uk".into(),
            phone: "07700 900 982".into(),
            ..Self::default()
        }
    }
}

/// Most digits in a date's day or month.
const DAY_MONTH_DIGITS: usize = 2;
/// Digits in a date's year.
const YEAR_DIGITS: usize = 4;

pub(crate) fn parse_date(day: &str, month: &str, year: &str) -> Result<Date, &'static str> {
    let (day, month, year) = (day.trim(), month.trim(), year.trim());
    if day.is_empty() || month.is_empty() || year.is_empty() {
        return Err("The date must include a day, month and year");
    }
    // Digits only: no sign, no spaces, nothing `u16::from_str` would also take.
    let digits = |text: &str| text.bytes().all(|b| b.is_ascii_digit());
    if !(digits(day) && digits(month) && digits(year)) {
        return Err("The date must be a real date, in numbers, like 27 11 2026");
    }
    // Bounded before they are read, so nothing longer than a date is stored.
    if year.len() != YEAR_DIGITS {
        return Err("The year must include 4 numbers");
    }
    let number = |text: &str| {
        (text.len() <= DAY_MONTH_DIGITS)
            .then(|| text.parse::<u16>().ok())
            .flatten()
    };
    let (Some(day), Some(month), Ok(year)) = (number(day), number(month), year.parse::<u16>())
    else {
        return Err("The date must be a real date");
    };
    if year < 1000 {
        return Err("The year must include 4 numbers");
    }
    let month = u8::try_from(month)
        .ok()
        .and_then(|m| Month::try_from(m).ok());
    let day = u8::try_from(day).ok();
    match (month, day) {
        (Some(month), Some(day)) => Date::from_calendar_date(i32::from(year), month, day)
            .map_err(|_| "The date must be a real date"),
        _ => Err("The date must be a real date"),
    }
}

impl ReportForm {
    /// What is checked, stored and sent: the answers without the spaces around them, without
    /// the answers to questions these answers do not ask (a police reference kept from before
    /// the person said the police were not told), and with a real date written one way
    /// (`2`, `11`, `2026` rather than `02`, `011`, ` 2026`).
    #[must_use]
    pub fn canonical(&self) -> ReportForm {
        let mut form = self.trimmed();
        // Form order: a question's parent comes before it, so a parent cleared here hides its
        // follow-ups by the time they are looked at.
        for &question in Question::ALL {
            if !form.asks(question) {
                form.slot(question).clear();
            }
        }
        let [day, month, year] = [&form.date_day, &form.date_month, &form.date_year];
        if let Ok(date) = parse_date(day, month, year) {
            form.date_day = date.day().to_string();
            form.date_month = u8::from(date.month()).to_string();
            form.date_year = date.year().to_string();
        }
        form
    }
}

/// A shape some text answers must have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// An email address.
    Email,
    /// A phone number.
    Phone,
}

impl Shape {
    /// Whether `text` (trimmed, not empty) has this shape.
    pub fn fits(self, text: &str) -> bool {
        match self {
            // One `@`, something before it, and a dotted domain after it, no spaces anywhere.
            Self::Email => text.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty()
                    && !domain.contains('@')
                    && !text.chars().any(char::is_whitespace)
                    && domain.split('.').count() >= 2
                    && domain.split('.').all(|part| !part.is_empty())
            }),
            // Digits with optional spaces, dashes, brackets and a leading `+`: 10 to 15 digits,
            // as in UK and international numbers.
            Self::Phone => {
                let digits = text.chars().filter(char::is_ascii_digit).count();
                let allowed = text
                    .char_indices()
                    .all(|(i, c)| c.is_ascii_digit() || " -()".contains(c) || (c == '+' && i == 0));
                allowed && (10..=15).contains(&digits)
            }
        }
    }

    /// What to do when the answer does not have the shape.
    pub fn wrong(self) -> &'static str {
        match self {
            Self::Email => "Enter an email address in the correct format, like name@justice.gov.uk",
            Self::Phone => "Enter a phone number, like 07700 900 982 or +44 808 157 0192",
        }
    }
}

impl ReportForm {
    /// The guidance's steps (`guidance::pages::home::STEPS`, in their order) that these answers
    /// say are not done yet: the service desk not contacted, the line manager not told, the
    /// police not (yet) told of a lost or stolen device. "Not sure" counts as not done.
    pub fn steps_not_done(&self) -> Vec<&'static guidance::Step> {
        let [service_desk, line_manager, police] = guidance::pages::home::STEPS else {
            return Vec::new();
        };
        let mut steps = Vec::new();
        if self.contacted_service_desk != Some(Answer::Yes) {
            steps.push(service_desk);
        }
        if self.told_line_manager != Some(Answer::Yes) {
            steps.push(line_manager);
        }
        if self.asks(Question::ToldPolice) && self.told_police != Some(PoliceTold::Yes) {
            steps.push(police);
        }
        steps
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 11 - 27);

    #[test]
    fn the_steps_not_done_are_those_the_answers_say_in_the_guidance_s_order() {
        let steps = |form: &ReportForm| {
            form.steps_not_done()
                .iter()
                .map(|step| step.title)
                .collect::<Vec<_>>()
        };
        let done = ReportForm {
            told_line_manager: Some(Answer::Yes),
            ..ReportForm::example()
        };
        assert!(steps(&done).is_empty(), "{:?}", steps(&done));
        let none_done = ReportForm {
            contacted_service_desk: Some(Answer::NotSure),
            told_line_manager: Some(Answer::No),
            told_police: Some(PoliceTold::NotYet),
            ..done.clone()
        };
        assert_eq!(
            steps(&none_done),
            [
                "Contact the IT Service Desk",
                "Tell your line manager",
                "If it was lost or stolen, tell the police"
            ]
        );
        let hacked = ReportForm {
            what_happened: Some(WhatHappened::HackedOrCompromised),
            told_police: None,
            ..done
        };
        assert!(
            steps(&hacked).is_empty(),
            "the police step is for lost or stolen devices"
        );
    }

    fn complete() -> ReportForm {
        ReportForm::example()
    }

    fn errors_for(form: &ReportForm) -> Vec<Question> {
        form.validate(TODAY)
            .err()
            .unwrap_or_default()
            .into_iter()
            .map(|e| e.question)
            .collect()
    }

    fn check(change: impl FnOnce(&mut ReportForm), expected: &[Question]) {
        let mut form = complete();
        change(&mut form);
        assert_eq!(errors_for(&form), expected);
    }

    #[test]
    fn a_complete_form_is_valid_even_with_spaces_around_answers() {
        let mut form = complete();
        form.name = "  Sam Example ".into();
        assert_eq!(form.validate(TODAY), Ok(()));
    }

    // This form's required questions; the next form (`next-form`) adds the asset tag.
    #[cfg(not(feature = "next-form"))]
    #[test]
    fn an_empty_form_names_every_required_question_in_order() {
        assert_eq!(
            errors_for(&ReportForm::default()),
            [
                Question::WhatHappened,
                Question::Device,
                Question::Date,
                Question::Location,
                Question::ShutDown,
                Question::MojInformation,
                Question::ContactedServiceDesk,
                Question::ToldLineManager,
                Question::Name,
                Question::Email,
                Question::Phone
            ]
        );
    }

    #[test]
    fn something_else_and_other_need_a_description() {
        check(
            |f| f.what_happened = Some(WhatHappened::SomethingElse),
            &[Question::WhatHappenedOther],
        );
        check(
            |f| f.device = Some(DeviceKind::Other),
            &[Question::DeviceOther],
        );
        check(
            |f| f.moj_information_details = " ".into(),
            &[Question::MojInformationDetails],
        );
    }

    #[test]
    fn hacked_or_compromised_asks_what_made_them_think_so() {
        check(
            |f| f.what_happened = Some(WhatHappened::HackedOrCompromised),
            &[Question::CompromiseSigns],
        );
        check(
            |f| {
                f.what_happened = Some(WhatHappened::HackedOrCompromised);
                f.compromise_signs = "Emails I did not send".into();
            },
            &[],
        );
    }

    #[test]
    fn only_a_lost_or_stolen_device_asks_whether_the_police_were_told() {
        check(|f| f.told_police = None, &[Question::ToldPolice]);
        check(
            |f| {
                f.what_happened = Some(WhatHappened::Lost);
                f.told_police = None;
            },
            &[Question::ToldPolice],
        );
        check(
            |f| {
                f.what_happened = Some(WhatHappened::SomethingElse);
                f.what_happened_other = "Left in a taxi, then returned".into();
                f.told_police = None;
            },
            &[],
        );
    }

    #[test]
    fn a_date_in_the_future_is_rejected() {
        check(|f| f.date_day = "28".into(), &[Question::Date]);
    }

    #[test]
    fn a_date_that_does_not_exist_is_rejected() {
        check(|f| f.date_day = "31".into(), &[Question::Date]);
        check(|f| f.date_month = "13".into(), &[Question::Date]);
        check(|f| f.date_year = "26".into(), &[Question::Date]);
        check(|f| f.date_day = "1st".into(), &[Question::Date]);
        check(|f| f.date_month = String::new(), &[Question::Date]);
    }

    #[test]
    fn a_date_is_digits_of_a_date_s_length_and_is_kept_one_way() {
        check(
            |f| f.date_day = format!("{}2", "0".repeat(3000)),
            &[Question::Date],
        );
        check(|f| f.date_year = "+2026".into(), &[Question::Date]);
        check(|f| f.date_year = "02026".into(), &[Question::Date]);
        check(|f| f.date_month = "-1".into(), &[Question::Date]);
        let typed = ReportForm {
            date_day: " 02".into(),
            date_month: "09 ".into(),
            ..ReportForm::example()
        };
        let canonical = typed.canonical();
        assert_eq!(
            [
                canonical.date_day,
                canonical.date_month,
                canonical.date_year
            ],
            ["2", "9", "2026"]
        );
    }

    #[test]
    fn an_answer_required_since_a_version_may_be_empty_in_reports_written_before_it() {
        use crate::question_table::Need;
        let need = Need::RequiredSince(2, "Enter it");
        assert!(matches!(need.for_version(1), Need::Optional));
        assert!(matches!(need.for_version(2), Need::Required("Enter it")));
        assert!(matches!(need.for_version(3), Need::Required("Enter it")));
        assert!(matches!(Need::Optional.for_version(9), Need::Optional));
    }

    /// With the next form (the deploy test's rehearsal), the asset tag is required of reports
    /// written under it, and not of those written before.
    #[cfg(feature = "next-form")]
    #[test]
    fn the_next_form_requires_the_asset_tag_of_new_reports_only() {
        let older = ReportForm {
            asset_tag: String::new(),
            ..complete()
        };
        assert_eq!(older.validate_as(1, TODAY), Ok(()));
        assert_eq!(errors_for(&older), [Question::AssetTag]);
    }

    #[test]
    fn answers_to_questions_not_asked_are_neither_checked_nor_kept() {
        // The police reference was typed, then the person said the police were not told.
        let form = ReportForm {
            told_police: Some(PoliceTold::No),
            police_reference: "x".repeat(5000),
            ..ReportForm::example()
        };
        assert_eq!(
            form.validate(TODAY),
            Ok(()),
            "a hidden answer is not checked"
        );
        assert_eq!(form.canonical().police_reference, "");
        // A hidden choice hides its own follow-ups too.
        let hacked = ReportForm {
            what_happened: Some(WhatHappened::HackedOrCompromised),
            compromise_signs: "Odd sign-in alerts".into(),
            ..ReportForm::example()
        }
        .canonical();
        assert_eq!(hacked.told_police, None);
        assert_eq!(hacked.police_reference, "");
        assert_eq!(hacked.compromise_signs, "Odd sign-in alerts");
        assert_eq!(hacked.validate(TODAY), Ok(()));
        // What was asked is kept as it was.
        assert_eq!(ReportForm::example().canonical(), ReportForm::example());
    }

    #[test]
    fn email_and_phone_must_look_right() {
        check(|f| f.email = "sam.example".into(), &[Question::Email]);
        check(|f| f.email = "sam@justice".into(), &[Question::Email]);
        check(
            |f| f.email = "sam @justice.gov.uk".into(),
            &[Question::Email],
        );
        check(|f| f.phone = "12345".into(), &[Question::Phone]);
        check(|f| f.phone = "07700 900 982 ext".into(), &[Question::Phone]);
        check(|f| f.phone = "+44 (0)808 157 0192".into(), &[]);
    }

    #[test]
    fn an_overlong_email_or_phone_is_refused_with_its_limit() {
        check(
            |f| f.email = format!("{}@justice.gov.uk", "a".repeat(250)),
            &[Question::Email],
        );
        check(
            |f| f.phone = format!("07700 900 982{}", " 0".repeat(20)),
            &[Question::Phone],
        );
        let mut form = complete();
        form.phone = "0".repeat(31);
        let errors = form.validate(TODAY).expect_err("too long");
        assert!(
            errors[0].message.contains("30 characters at most"),
            "{}",
            errors[0].message
        );
    }

    #[test]
    fn overlong_answers_are_rejected_with_the_limit() {
        let mut form = complete();
        form.name = "x".repeat(SHORT_TEXT_MAX + 1);
        let errors = form.validate(TODAY).expect_err("too long");
        assert_eq!(errors[0].message, "Name must be 100 characters or fewer");
    }

    #[test]
    fn a_form_travels_as_kebab_case_json_and_refuses_unknown_fields() {
        let json = serde_json::to_value(complete()).expect("serialises");
        assert_eq!(json["what_happened"], "stolen");
        assert_eq!(json["shut_down"], "locked-or-asleep");
        assert!(serde_json::from_str::<ReportForm>(r#"{"nmae": "typo"}"#).is_err());
        assert_eq!(
            serde_json::from_str::<ReportForm>("{}").expect("empty is a draft"),
            ReportForm::default()
        );
    }

    fn any_answer() -> impl Strategy<Value = Option<Answer>> {
        prop_oneof![
            Just(None),
            Just(Some(Answer::Yes)),
            Just(Some(Answer::No)),
            Just(Some(Answer::NotSure))
        ]
    }

    proptest! {
        #[test]
        fn validation_never_panics_and_every_error_names_a_question_once(
            day in ".{0,4}", month in ".{0,4}", year in ".{0,6}", name in ".{0,120}",
            email in ".{0,40}", phone in "[0-9 +()-]{0,20}", moj in any_answer(),
        ) {
            let form = ReportForm {
                date_day: day, date_month: month, date_year: year, name, email, phone,
                moj_information: moj, ..complete()
            };
            match form.validate(TODAY) {
                Ok(()) => prop_assert!(!form.name.trim().is_empty()),
                Err(errors) => {
                    prop_assert!(!errors.is_empty());
                    let mut fields: Vec<Question> = errors.iter().map(|e| e.question).collect();
                    fields.dedup();
                    prop_assert_eq!(fields.len(), errors.len());
                    prop_assert!(errors.iter().all(|e| !e.message.is_empty()));
                }
            }
        }

        #[test]
        fn every_real_past_date_is_accepted(days_ago in 0i64..20_000) {
            let day = TODAY - time::Duration::days(days_ago);
            let form = ReportForm {
                date_day: day.day().to_string(),
                date_month: u8::from(day.month()).to_string(),
                date_year: day.year().to_string(),
                ..complete()
            };
            prop_assert_eq!(form.validate(TODAY), Ok(()));
        }
    }
}
