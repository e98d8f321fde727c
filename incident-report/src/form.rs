//! The report form: the answers as typed ([`ReportForm`], kept in drafts and sent to the server)
//! and the checked report ([`Report`]) that [`ReportForm::validate`] makes of them. Phone and
//! server run the same validation, so a report the phone accepts is one the server accepts.
//!
//! Messages follow the GOV.UK Design System's error message patterns.

use serde::{Deserialize, Serialize};
use time::{Date, Month};

/// What happened to the device.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ShutDown {
    /// Shut down: full disk encryption protects it.
    ShutDown,
    /// Only locked or asleep: easier to get into.
    LockedOrAsleep,
    /// The reporter does not know.
    NotSure,
}

/// Whether the police have been told about a lost or stolen device.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PoliceTold {
    /// Yes.
    Yes,
    /// Not yet, but they will.
    NotYet,
    /// No.
    No,
}

/// A yes / no / not sure answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Answer {
    /// Yes.
    Yes,
    /// No.
    No,
    /// Not sure.
    NotSure,
}

/// The answers as the person typed them. Every field may be empty: this is what a draft holds
/// and what a phone sends. Unknown fields are refused, so a typo in a client cannot go unnoticed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[allow(missing_docs)] // Each field is the answer to the question of the same name in `Field`.
pub struct ReportForm {
    pub what_happened: Option<WhatHappened>,
    pub what_happened_other: String,
    pub compromise_signs: String,
    pub device: Option<DeviceKind>,
    pub device_other: String,
    pub asset_tag: String,
    pub date_day: String,
    pub date_month: String,
    pub date_year: String,
    pub approximate_time: String,
    pub location: String,
    pub shut_down: Option<ShutDown>,
    pub moj_information: Option<Answer>,
    pub moj_information_details: String,
    pub contacted_service_desk: Option<Answer>,
    pub service_desk_ticket: String,
    pub told_line_manager: Option<Answer>,
    pub told_police: Option<PoliceTold>,
    pub police_reference: String,
    pub name: String,
    pub email: String,
    pub phone: String,
}

/// A question on the form; its [`id`](Field::id) is the HTML id an error links to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[allow(missing_docs)] // The names say which question.
pub enum Field {
    WhatHappened,
    WhatHappenedOther,
    CompromiseSigns,
    Device,
    DeviceOther,
    AssetTag,
    Date,
    ApproximateTime,
    Location,
    ShutDown,
    MojInformation,
    MojInformationDetails,
    ContactedServiceDesk,
    ServiceDeskTicket,
    ToldLineManager,
    ToldPolice,
    PoliceReference,
    Name,
    Email,
    Phone,
}

impl Field {
    /// The HTML id of the question's input (for a date, its first input).
    pub fn id(self) -> &'static str {
        match self {
            Self::WhatHappened => "what-happened",
            Self::WhatHappenedOther => "what-happened-other",
            Self::CompromiseSigns => "compromise-signs",
            Self::Device => "device",
            Self::DeviceOther => "device-other",
            Self::AssetTag => "asset-tag",
            Self::Date => "date-day",
            Self::ApproximateTime => "approximate-time",
            Self::Location => "location",
            Self::ShutDown => "shut-down",
            Self::MojInformation => "moj-information",
            Self::MojInformationDetails => "moj-information-details",
            Self::ContactedServiceDesk => "contacted-service-desk",
            Self::ServiceDeskTicket => "service-desk-ticket",
            Self::ToldLineManager => "told-line-manager",
            Self::ToldPolice => "told-police",
            Self::PoliceReference => "police-reference",
            Self::Name => "name",
            Self::Email => "email",
            Self::Phone => "phone",
        }
    }
}

/// What is wrong with one answer, in words to show next to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    /// The question.
    pub field: Field,
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

/// A checked report: every required answer is there and well-formed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    /// What happened.
    pub what_happened: WhatHappened,
    /// The description when it was "something else".
    pub what_happened_other: Option<String>,
    /// What made the reporter think it was hacked or compromised.
    pub compromise_signs: Option<String>,
    /// The kind of device.
    pub device: DeviceKind,
    /// The description when it was "other".
    pub device_other: Option<String>,
    /// Asset tag or serial number, if known.
    pub asset_tag: Option<String>,
    /// When it happened or was noticed.
    pub date: Date,
    /// Roughly what time, in the reporter's words.
    pub approximate_time: Option<String>,
    /// Where.
    pub location: String,
    /// Whether the laptop was shut down.
    pub shut_down: ShutDown,
    /// Whether MoJ information was on it or reachable from it.
    pub moj_information: Answer,
    /// Roughly what information, when there was some.
    pub moj_information_details: Option<String>,
    /// Whether the IT Service Desk has been contacted.
    pub contacted_service_desk: Answer,
    /// The service desk's ticket reference, if there is one.
    pub service_desk_ticket: Option<String>,
    /// Whether the line manager has been told.
    pub told_line_manager: Answer,
    /// Whether the police have been told (asked only for a lost or stolen device).
    pub told_police: Option<PoliceTold>,
    /// The police incident reference, if there is one.
    pub police_reference: Option<String>,
    /// The reporter's name.
    pub name: String,
    /// The reporter's work email address.
    pub email: String,
    /// A phone number to reach the reporter now.
    pub phone: String,
}

impl ReportForm {
    /// Checks every answer. `today` is the reporter's date (a date after it is refused). Errors
    /// come in the order of the questions, one per question at most.
    #[allow(clippy::too_many_lines)] // One check per question, in form order; split, the order hides.
    pub fn validate(&self, today: Date) -> Result<Report, Vec<FieldError>> {
        use Field as F;
        let mut check = Checker::default();

        let what_happened = check.chosen(
            self.what_happened,
            F::WhatHappened,
            "Select what happened to the device",
        );
        let what_happened_other = check.text(
            &self.what_happened_other,
            F::WhatHappenedOther,
            LONG_TEXT_MAX,
            "Description",
            (what_happened == Some(WhatHappened::SomethingElse))
                .then_some("Describe what happened"),
        );
        let compromise_signs = check.text(
            &self.compromise_signs,
            F::CompromiseSigns,
            LONG_TEXT_MAX,
            "Description",
            (what_happened == Some(WhatHappened::HackedOrCompromised))
                .then_some("Describe what made you think it was hacked or compromised"),
        );
        let device = check.chosen(self.device, F::Device, "Select the kind of device");
        let device_other = check.text(
            &self.device_other,
            F::DeviceOther,
            SHORT_TEXT_MAX,
            "Kind of device",
            (device == Some(DeviceKind::Other)).then_some("Say what kind of device it is"),
        );
        let asset_tag = check.text(
            &self.asset_tag,
            F::AssetTag,
            SHORT_TEXT_MAX,
            "Asset tag or serial number",
            None,
        );

        let date = match parse_date(&self.date_day, &self.date_month, &self.date_year) {
            Ok(date) if date <= today => Some(date),
            Ok(_) => check.fail(F::Date, "The date must be today or in the past"),
            Err(message) => check.fail(F::Date, message),
        };
        let approximate_time = check.text(
            &self.approximate_time,
            F::ApproximateTime,
            SHORT_TEXT_MAX,
            "Time",
            None,
        );
        let location = check.text(
            &self.location,
            F::Location,
            LONG_TEXT_MAX,
            "Where it happened",
            Some("Enter where it happened or where you last had the device"),
        );

        let shut_down = check.chosen(
            self.shut_down,
            F::ShutDown,
            "Select whether the device was shut down",
        );
        let moj_information = check.chosen(
            self.moj_information,
            F::MojInformation,
            "Select whether MoJ information was on the device or reachable from it",
        );
        let moj_information_details = check.text(
            &self.moj_information_details,
            F::MojInformationDetails,
            LONG_TEXT_MAX,
            "Description",
            (moj_information == Some(Answer::Yes))
                .then_some("Describe roughly what information it was"),
        );
        let contacted_service_desk = check.chosen(
            self.contacted_service_desk,
            F::ContactedServiceDesk,
            "Select whether you have contacted the IT Service Desk",
        );
        let service_desk_ticket = check.text(
            &self.service_desk_ticket,
            F::ServiceDeskTicket,
            SHORT_TEXT_MAX,
            "Ticket reference",
            None,
        );
        let told_line_manager = check.chosen(
            self.told_line_manager,
            F::ToldLineManager,
            "Select whether you have told your line manager",
        );
        let told_police = if what_happened.is_some_and(WhatHappened::involves_police) {
            check.chosen(
                self.told_police,
                F::ToldPolice,
                "Select whether you have told the police",
            )
        } else {
            None
        };
        let police_reference = check.text(
            &self.police_reference,
            F::PoliceReference,
            SHORT_TEXT_MAX,
            "Police reference",
            None,
        );

        let name = check.text(
            &self.name,
            F::Name,
            SHORT_TEXT_MAX,
            "Name",
            Some("Enter your name"),
        );
        let email = check.shaped(
            &self.email,
            F::Email,
            EMAIL_MAX,
            looks_like_email,
            "Enter your work email address",
            "Enter an email address in the correct format, like name@justice.gov.uk",
        );
        let phone = check.shaped(
            &self.phone,
            F::Phone,
            PHONE_MAX,
            looks_like_phone,
            "Enter a phone number we can reach you on now",
            "Enter a phone number, like 07700 900 982 or +44 808 157 0192",
        );

        let Checker { mut errors } = check;
        errors.sort_by_key(|error| error.field);
        match (
            what_happened,
            device,
            date,
            location,
            shut_down,
            moj_information,
            contacted_service_desk,
            told_line_manager,
            name,
            email,
            phone,
        ) {
            (
                Some(what_happened),
                Some(device),
                Some(date),
                Some(location),
                Some(shut_down),
                Some(moj_information),
                Some(contacted_service_desk),
                Some(told_line_manager),
                Some(name),
                Some(email),
                Some(phone),
            ) if errors.is_empty() => Ok(Report {
                what_happened,
                what_happened_other,
                compromise_signs,
                device,
                device_other,
                asset_tag,
                date,
                approximate_time,
                location,
                shut_down,
                moj_information,
                moj_information_details,
                contacted_service_desk,
                service_desk_ticket,
                told_line_manager,
                told_police,
                police_reference,
                name,
                email,
                phone,
            }),
            _ => Err(errors),
        }
    }
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

/// Collects one error per question while answers are checked.
#[derive(Default)]
struct Checker {
    errors: Vec<FieldError>,
}

impl Checker {
    /// Records an error for `field` (only the first per question is kept) and returns nothing.
    fn fail<T>(&mut self, field: Field, message: &str) -> Option<T> {
        if !self.errors.iter().any(|error| error.field == field) {
            self.errors.push(FieldError {
                field,
                message: message.to_owned(),
            });
        }
        None
    }

    /// A choice that must be made.
    fn chosen<T: Copy>(&mut self, value: Option<T>, field: Field, missing: &str) -> Option<T> {
        value.or_else(|| self.fail(field, missing))
    }

    /// Trimmed free text of at most `max` characters; required when `missing` gives the message.
    fn text(
        &mut self,
        text: &str,
        field: Field,
        max: usize,
        label: &str,
        missing: Option<&str>,
    ) -> Option<String> {
        let text = text.trim();
        if text.chars().count() > max {
            return self.fail(field, &format!("{label} must be {max} characters or fewer"));
        }
        match (text.is_empty(), missing) {
            (true, Some(message)) => self.fail(field, message),
            (true, None) => None,
            (false, _) => Some(text.to_owned()),
        }
    }

    /// Required text of at most `max` characters that must also have the right shape.
    fn shaped(
        &mut self,
        text: &str,
        field: Field,
        max: usize,
        valid: fn(&str) -> bool,
        missing: &str,
        wrong: &str,
    ) -> Option<String> {
        let text = text.trim();
        if text.chars().count() > max {
            self.fail(field, &format!("{wrong} ({max} characters at most)"))
        } else if text.is_empty() {
            self.fail(field, missing)
        } else if !valid(text) {
            self.fail(field, wrong)
        } else {
            Some(text.to_owned())
        }
    }
}

fn parse_date(day: &str, month: &str, year: &str) -> Result<Date, &'static str> {
    let (day, month, year) = (day.trim(), month.trim(), year.trim());
    if day.is_empty() && month.is_empty() && year.is_empty() {
        return Err("Enter the date it happened or was noticed");
    }
    if day.is_empty() || month.is_empty() || year.is_empty() {
        return Err("The date must include a day, month and year");
    }
    let number = |text: &str| text.parse::<u16>().ok();
    let (Some(day), Some(month), Some(year)) = (number(day), number(month), number(year)) else {
        return Err("The date must be a real date, in numbers, like 27 11 2026");
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

/// One `@`, something before it, and a dotted domain after it with no spaces anywhere.
fn looks_like_email(text: &str) -> bool {
    let Some((local, domain)) = text.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && !text.chars().any(char::is_whitespace)
        && domain.split('.').count() >= 2
        && domain.split('.').all(|part| !part.is_empty())
}

/// Digits with optional spaces, dashes, brackets and a leading `+`: 10 to 15 digits, as in UK
/// and international numbers.
fn looks_like_phone(text: &str) -> bool {
    let digits = text.chars().filter(char::is_ascii_digit).count();
    let allowed = text
        .char_indices()
        .all(|(i, c)| c.is_ascii_digit() || " -()".contains(c) || (c == '+' && i == 0));
    allowed && (10..=15).contains(&digits)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 11 - 27);

    fn complete() -> ReportForm {
        ReportForm::example()
    }

    fn errors_for(form: &ReportForm) -> Vec<Field> {
        form.validate(TODAY)
            .err()
            .unwrap_or_default()
            .into_iter()
            .map(|e| e.field)
            .collect()
    }

    fn check(change: impl FnOnce(&mut ReportForm), expected: &[Field]) {
        let mut form = complete();
        change(&mut form);
        assert_eq!(errors_for(&form), expected);
    }

    #[test]
    fn a_complete_form_becomes_a_report_with_trimmed_answers() {
        let mut form = complete();
        form.name = "  Sam Example ".into();
        let report = form.validate(TODAY).expect("valid");
        assert_eq!(report.name, "Sam Example");
        assert_eq!(report.date, date!(2026 - 11 - 26));
        assert_eq!(report.police_reference.as_deref(), Some("CAD 1234 27/11"));
    }

    #[test]
    fn an_empty_form_names_every_required_question_in_order() {
        assert_eq!(
            errors_for(&ReportForm::default()),
            [
                Field::WhatHappened,
                Field::Device,
                Field::Date,
                Field::Location,
                Field::ShutDown,
                Field::MojInformation,
                Field::ContactedServiceDesk,
                Field::ToldLineManager,
                Field::Name,
                Field::Email,
                Field::Phone
            ]
        );
    }

    #[test]
    fn something_else_and_other_need_a_description() {
        check(
            |f| f.what_happened = Some(WhatHappened::SomethingElse),
            &[Field::WhatHappenedOther],
        );
        check(
            |f| f.device = Some(DeviceKind::Other),
            &[Field::DeviceOther],
        );
        check(
            |f| f.moj_information_details = " ".into(),
            &[Field::MojInformationDetails],
        );
    }

    #[test]
    fn hacked_or_compromised_asks_what_made_them_think_so() {
        check(
            |f| f.what_happened = Some(WhatHappened::HackedOrCompromised),
            &[Field::CompromiseSigns],
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
        check(|f| f.told_police = None, &[Field::ToldPolice]);
        check(
            |f| {
                f.what_happened = Some(WhatHappened::Lost);
                f.told_police = None;
            },
            &[Field::ToldPolice],
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
        check(|f| f.date_day = "28".into(), &[Field::Date]);
    }

    #[test]
    fn a_date_that_does_not_exist_is_rejected() {
        check(|f| f.date_day = "31".into(), &[Field::Date]);
        check(|f| f.date_month = "13".into(), &[Field::Date]);
        check(|f| f.date_year = "26".into(), &[Field::Date]);
        check(|f| f.date_day = "1st".into(), &[Field::Date]);
        check(|f| f.date_month = String::new(), &[Field::Date]);
    }

    #[test]
    fn email_and_phone_must_look_right() {
        check(|f| f.email = "sam.example".into(), &[Field::Email]);
        check(|f| f.email = "sam@justice".into(), &[Field::Email]);
        check(|f| f.email = "sam @justice.gov.uk".into(), &[Field::Email]);
        check(|f| f.phone = "12345".into(), &[Field::Phone]);
        check(|f| f.phone = "07700 900 982 ext".into(), &[Field::Phone]);
        check(|f| f.phone = "+44 (0)808 157 0192".into(), &[]);
    }

    #[test]
    fn an_overlong_email_or_phone_is_refused_with_its_limit() {
        check(
            |f| f.email = format!("{}@justice.gov.uk", "a".repeat(250)),
            &[Field::Email],
        );
        check(
            |f| f.phone = format!("07700 900 982{}", " 0".repeat(20)),
            &[Field::Phone],
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
                Ok(report) => prop_assert!(report.date <= TODAY && !report.name.is_empty()),
                Err(errors) => {
                    prop_assert!(!errors.is_empty());
                    let mut fields: Vec<Field> = errors.iter().map(|e| e.field).collect();
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
            prop_assert_eq!(form.validate(TODAY).map(|r| r.date), Ok(day));
        }
    }
}
