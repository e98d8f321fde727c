//! The question table: every question of the form described once — its HTML id, wording, hint,
//! the page it is on, the kind of answer (choices, with the follow-up questions each reveals;
//! text, with its limit and shape; a date), whether it must be answered, and the guidance's
//! advice shown under some answers. Everything else (the page lists, "Check your answers", the
//! plain-text report, validation, the phone's markup) is derived from here.
//!
//! Adding a question is one line in `report_form!` (`form.rs`: the answer's field) and one arm
//! here; the compiler refuses a question without an arm, and the tests below refuse an arm that
//! does not fit (a choice value serde does not know, a follow-up no choice reveals, a duplicate id).

use guidance::Action;
use guidance::contacts::{SERVICE_DESK_PHONE, SERVICE_PORTAL};

use crate::form::{EMAIL_MAX, LONG_TEXT_MAX, PHONE_MAX, Question, SHORT_TEXT_MAX, Shape};
use crate::form_pages::FormPage;

/// One question, as the table describes it.
#[derive(Debug, Clone, Copy)]
pub struct Spec {
    /// The HTML id of its input (for choices, the first radio's; for a date, the day's), which
    /// an error links to.
    pub id: &'static str,
    /// The question, as asked.
    pub text: &'static str,
    /// A short line under the question that helps answer it.
    pub hint: Option<&'static str>,
    /// The page that asks it.
    pub page: FormPage,
    /// How it is answered.
    pub kind: Kind,
    /// Whether it must be answered (when it is asked at all).
    pub need: Need,
    /// What to do now, shown under some of its answers.
    pub advice: Option<Advice>,
}

/// How a question is answered.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    /// One of these choices (GOV.UK radios).
    Choice(&'static [Choice]),
    /// Words.
    Text(TextRules),
    /// A day, month and year (GOV.UK date input).
    Date,
}

/// One choice of a question answered by choosing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Choice {
    /// The value stored and sent: the serde name of the choice's type.
    pub value: &'static str,
    /// What the person reads.
    pub label: &'static str,
    /// The follow-up questions this choice shows (a GOV.UK conditional reveal).
    pub reveals: &'static [Question],
}

/// The rules of a question answered in words.
#[derive(Debug, Clone, Copy)]
pub struct TextRules {
    /// Most characters, after trimming.
    pub max: usize,
    /// What the answer is called in "… must be N characters or fewer".
    pub label: &'static str,
    /// Answered in several lines (a text area) rather than one.
    pub long: bool,
    /// A shape the answer must have, if any.
    pub shape: Option<Shape>,
    /// The `autocomplete` token that lets the phone fill it in.
    pub autocomplete: Option<&'static str>,
}

/// Whether a question asked on the page must be answered.
#[derive(Debug, Clone, Copy)]
pub enum Need {
    /// It may be left empty.
    Optional,
    /// It must be answered; the message says so.
    Required(&'static str),
    /// It must be answered when the choice that revealed it is one of these values.
    RequiredFor(&'static [&'static str], &'static str),
    /// It must be answered in reports written under this form version or a later one; in
    /// reports written before (queued on a phone under an older release), it may be empty.
    RequiredSince(FormVersion, &'static str),
}

/// A version of the form's rules. A report carries the version it was written under (see
/// `StoredReport::form_version`), and the server checks it by that version's rules.
pub type FormVersion = u32;

/// The form version this code asks and checks. A release that makes an answer required where it
/// was not raises it, and marks the question `Need::RequiredSince` the new version.
pub const FORM_VERSION: FormVersion = if cfg!(feature = "next-form") { 2 } else { 1 };

/// The version of every report written before versions were recorded.
pub const FIRST_FORM_VERSION: FormVersion = 1;

impl Need {
    /// This need for a report written under form `version`.
    #[must_use]
    pub fn for_version(self, version: FormVersion) -> Self {
        match self {
            Self::RequiredSince(since, message) if version >= since => Self::Required(message),
            Self::RequiredSince(..) => Self::Optional,
            other => other,
        }
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

/// A choice that shows nothing more.
const fn choice(value: &'static str, label: &'static str) -> Choice {
    Choice {
        value,
        label,
        reveals: &[],
    }
}

const YES_NO_NOT_SURE: &[Choice] = &[
    choice("yes", "Yes"),
    choice("no", "No"),
    choice("not-sure", "I'm not sure"),
];

/// An answer in words (see [`TextRules`] for what each argument means).
const fn words(
    max: usize,
    label: &'static str,
    long: bool,
    shape: Option<Shape>,
    autocomplete: Option<&'static str>,
) -> Kind {
    Kind::Text(TextRules {
        max,
        label,
        long,
        shape,
        autocomplete,
    })
}

/// One line of at most [`SHORT_TEXT_MAX`] characters.
const fn short(label: &'static str) -> Kind {
    words(SHORT_TEXT_MAX, label, false, None, None)
}

/// A description of several lines, of at most [`LONG_TEXT_MAX`] characters.
const fn long(label: &'static str) -> Kind {
    words(LONG_TEXT_MAX, label, true, None, None)
}

const OPTIONAL_REFERENCE: &str = "If they gave you one, enter it here.";

impl Question {
    /// The question's row of the table (a few words of plain data, made on each call).
    #[allow(clippy::too_many_lines)] // The table: one arm per question, in form order.
    pub fn spec(self) -> Spec {
        use FormPage as P;
        use Question as Q;
        match self {
            Q::WhatHappened => Spec {
                id: "what-happened",
                text: "What happened to the device?",
                hint: None,
                page: P::WhatHappened,
                kind: Kind::Choice(
                    const {
                        &[
                            choice("lost", "It is lost"),
                            choice("stolen", "It was stolen"),
                            Choice {
                                value: "hacked-or-compromised",
                                label: "It was hacked or compromised",
                                reveals: &[Q::CompromiseSigns],
                            },
                            Choice {
                                value: "something-else",
                                label: "Something else",
                                reveals: &[Q::WhatHappenedOther],
                            },
                        ]
                    },
                ),
                need: Need::Required("Select what happened to the device"),
                advice: None,
            },
            Q::WhatHappenedOther => Spec {
                id: "what-happened-other",
                text: "What happened, in your words",
                hint: None,
                page: P::WhatHappened,
                kind: long("Description"),
                need: Need::Required("Enter what happened"),
                advice: None,
            },
            Q::CompromiseSigns => Spec {
                id: "compromise-signs",
                text: "What made you think it was hacked or compromised?",
                hint: Some(
                    "A few words are enough. For example, emails you did not send, or a warning \
                     on screen.",
                ),
                page: P::WhatHappened,
                kind: long("Description"),
                need: Need::Required("Enter what made you think it was hacked or compromised"),
                advice: None,
            },
            Q::Device => Spec {
                id: "device",
                text: "What kind of device is it?",
                hint: None,
                page: P::Device,
                kind: Kind::Choice(
                    const {
                        &[
                            choice("laptop", "Laptop"),
                            choice("phone", "Mobile phone"),
                            choice("tablet", "Tablet"),
                            Choice {
                                value: "other",
                                label: "Something else",
                                reveals: &[Q::DeviceOther],
                            },
                        ]
                    },
                ),
                need: Need::Required("Select the kind of device"),
                advice: None,
            },
            Q::DeviceOther => Spec {
                id: "device-other",
                text: "What kind of device, in your words",
                hint: None,
                page: P::Device,
                kind: short("Kind of device"),
                need: Need::Required("Enter what kind of device it is"),
                advice: None,
            },
            Q::AssetTag => Spec {
                id: "asset-tag",
                text: "Asset tag or serial number",
                hint: Some(
                    "The asset tag is the MoJ's own number for the device, usually on a sticker \
                     on the bottom.",
                ),
                page: P::Device,
                kind: short("Asset tag or serial number"),
                need: if cfg!(feature = "next-form") {
                    Need::RequiredSince(2, "Enter the asset tag or serial number")
                } else {
                    Need::Optional
                },
                advice: None,
            },
            Q::Date => Spec {
                id: "date-day",
                text: "When did it happen, or when did you notice?",
                hint: Some("For example, 27 11 2026"),
                page: P::When,
                kind: Kind::Date,
                need: Need::Required("Enter the date it happened or was noticed"),
                advice: None,
            },
            Q::ApproximateTime => Spec {
                id: "approximate-time",
                text: "Roughly what time",
                hint: Some("For example, about 6pm, or between 2pm and 4pm"),
                page: P::When,
                kind: short("Time"),
                need: Need::Optional,
                advice: None,
            },
            Q::Location => Spec {
                id: "location",
                text: "Where did it happen, or where did you last have it?",
                hint: Some("For example, a train from Leeds to London, or a café near the office"),
                page: P::Where,
                kind: long("Where it happened"),
                need: Need::Required("Enter where it happened or where you last had the device"),
                advice: None,
            },
            Q::ShutDown => Spec {
                id: "shut-down",
                text: "Was the device shut down?",
                hint: Some(
                    "This matters because a laptop that was shut down is protected by its disk \
                     encryption. One that was only locked or asleep is easier to get into.",
                ),
                page: P::ShutDown,
                kind: Kind::Choice(
                    const {
                        &[
                            choice("shut-down", "Yes, it was shut down"),
                            choice("locked-or-asleep", "No, it was only locked or asleep"),
                            choice("not-sure", "I'm not sure"),
                        ]
                    },
                ),
                need: Need::Required("Select whether the device was shut down"),
                advice: None,
            },
            Q::MojInformation => Spec {
                id: "moj-information",
                text: "Was MoJ information on it, or could it be reached from it?",
                hint: Some(
                    "If MoJ data or information was on it, it should always be reported as a \
                     data incident too: the MoJ security guidance's page \"Report a security \
                     incident\" says how. Think of files saved on it, and email or shared \
                     drives it was signed in to.",
                ),
                page: P::Information,
                kind: Kind::Choice(
                    const {
                        &[
                            Choice {
                                value: "yes",
                                label: "Yes",
                                reveals: &[Q::MojInformationDetails],
                            },
                            choice("no", "No"),
                            Choice {
                                value: "not-sure",
                                label: "I'm not sure",
                                reveals: &[Q::MojInformationDetails],
                            },
                        ]
                    },
                ),
                need: Need::Required(
                    "Select whether MoJ information was on the device or reachable from it",
                ),
                advice: None,
            },
            Q::MojInformationDetails => Spec {
                id: "moj-information-details",
                text: "Roughly what information",
                hint: Some(
                    "For example, case files or staff names. Do not copy the information itself.",
                ),
                page: P::Information,
                kind: long("Description"),
                need: Need::RequiredFor(&["yes"], "Enter roughly what information it was"),
                advice: None,
            },
            Q::ContactedServiceDesk => Spec {
                id: "contacted-service-desk",
                text: "Have you contacted the IT Service Desk?",
                hint: None,
                page: P::ServiceDesk,
                kind: Kind::Choice(
                    const {
                        &[
                            Choice {
                                value: "yes",
                                label: "Yes",
                                reveals: &[Q::ServiceDeskTicket],
                            },
                            choice("no", "No"),
                            choice("not-sure", "I'm not sure"),
                        ]
                    },
                ),
                need: Need::Required("Select whether you have contacted the IT Service Desk"),
                advice: Some(Advice {
                    when: &["no", "not-sure"],
                    text: "Contact the IT Service Desk now: it is the first thing to do. Phone \
                           them, or use the MoJ Service Portal or Live Chat.",
                    actions: &[SERVICE_DESK_PHONE, SERVICE_PORTAL],
                }),
            },
            Q::ServiceDeskTicket => Spec {
                id: "service-desk-ticket",
                text: "Service desk ticket reference",
                hint: Some(OPTIONAL_REFERENCE),
                page: P::ServiceDesk,
                kind: short("Ticket reference"),
                need: Need::Optional,
                advice: None,
            },
            Q::ToldLineManager => Spec {
                id: "told-line-manager",
                text: "Have you told your line manager?",
                hint: None,
                page: P::LineManager,
                kind: Kind::Choice(YES_NO_NOT_SURE),
                need: Need::Required("Select whether you have told your line manager"),
                advice: Some(Advice {
                    when: &["no"],
                    text: "Tell your line manager as soon as possible.",
                    actions: &[],
                }),
            },
            Q::ToldPolice => Spec {
                id: "told-police",
                text: "Have you told the police?",
                hint: None,
                page: P::Police,
                kind: Kind::Choice(
                    const {
                        &[
                            Choice {
                                value: "yes",
                                label: "Yes",
                                reveals: &[Q::PoliceReference],
                            },
                            choice("not-yet", "Not yet"),
                            choice("no", "No"),
                        ]
                    },
                ),
                need: Need::Required("Select whether you have told the police"),
                advice: Some(Advice {
                    when: &["not-yet", "no"],
                    text: "Contact the police, and make sure they give you an incident reference \
                           number.",
                    actions: &[],
                }),
            },
            Q::PoliceReference => Spec {
                id: "police-reference",
                text: "Police incident reference number",
                hint: Some(OPTIONAL_REFERENCE),
                page: P::Police,
                kind: short("Police reference"),
                need: Need::Optional,
                advice: None,
            },
            Q::Name => Spec {
                id: "name",
                text: "Your name",
                hint: None,
                page: P::YourDetails,
                kind: words(SHORT_TEXT_MAX, "Name", false, None, Some("name")),
                need: Need::Required("Enter your name"),
                advice: None,
            },
            Q::Email => Spec {
                id: "email",
                text: "Your work email address",
                hint: Some("Your work address, for example name@justice.gov.uk"),
                page: P::YourDetails,
                kind: words(EMAIL_MAX, "Email", false, Some(Shape::Email), Some("email")),
                need: Need::Required("Enter your work email address"),
                advice: None,
            },
            Q::Phone => Spec {
                id: "phone",
                text: "A phone number to reach you on now",
                hint: Some("A number you can answer now. Your work phone may be the lost device."),
                page: P::YourDetails,
                kind: words(PHONE_MAX, "Phone", false, Some(Shape::Phone), Some("tel")),
                need: Need::Required("Enter a phone number we can reach you on now"),
                advice: None,
            },
        }
    }

    /// The HTML id of the question's input.
    pub fn id(self) -> &'static str {
        self.spec().id
    }

    /// The question, as asked.
    pub fn text(self) -> &'static str {
        self.spec().text
    }

    /// Whether it may be left empty under this version's rules.
    pub fn is_optional(self) -> bool {
        matches!(self.spec().need.for_version(FORM_VERSION), Need::Optional)
    }

    /// The question as its label or legend shows it: "(optional)" after one that may be left
    /// empty, as GOV.UK marks optional questions.
    pub fn label(self) -> String {
        if self.is_optional() {
            format!("{} (optional)", self.text())
        } else {
            self.text().to_owned()
        }
    }

    /// Its choices; empty for a question answered in words or a date.
    pub fn choices(self) -> &'static [Choice] {
        match self.spec().kind {
            Kind::Choice(choices) => choices,
            Kind::Text(_) | Kind::Date => &[],
        }
    }

    /// The question whose choice reveals this one, if it is a follow-up.
    pub fn revealed_by(self) -> Option<Question> {
        Question::ALL
            .iter()
            .copied()
            .find(|parent| parent.choices().iter().any(|c| c.reveals.contains(&self)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ReportForm;
    use crate::answer_slots::Slot;

    #[test]
    fn every_question_is_on_exactly_one_page_in_form_order() {
        let mut seen = Vec::new();
        for page in FormPage::ALL {
            for question in page.questions() {
                assert_eq!(question.spec().page, page);
                seen.push(question);
            }
        }
        assert_eq!(seen, Question::ALL, "every question, once, in form order");
        assert!(
            FormPage::ALL[..FormPage::ALL.len() - 1]
                .iter()
                .all(|page| !page.questions().is_empty())
        );
    }

    #[test]
    fn every_message_for_a_missing_answer_says_enter_or_select_and_optional_ones_say_so() {
        for &question in Question::ALL {
            let message = match question.spec().need.for_version(FORM_VERSION) {
                Need::Required(message) | Need::RequiredFor(_, message) => message,
                Need::Optional => {
                    assert!(question.label().ends_with(" (optional)"), "{question:?}");
                    assert!(
                        !question.spec().hint.unwrap_or("").contains("Optional"),
                        "{question:?}: said once, in the label"
                    );
                    continue;
                }
                Need::RequiredSince(..) => unreachable!("for_version resolves it"),
            };
            assert_eq!(question.label(), question.text(), "{question:?}");
            let verb = if question.choices().is_empty() {
                "Enter "
            } else {
                "Select "
            };
            assert!(message.starts_with(verb), "{question:?}: {message}");
        }
    }

    #[test]
    fn a_follow_up_is_answered_in_words_or_a_date_never_by_choices() {
        // The phone draws a follow-up inside the radios that reveal it; radios inside radios
        // would make that view recursive.
        for &question in Question::ALL {
            if question.revealed_by().is_some() {
                assert!(question.choices().is_empty(), "{question:?}");
            }
        }
    }

    #[test]
    fn ids_are_unique_and_the_date_links_to_its_day() {
        let mut ids: Vec<&str> = Question::ALL.iter().map(|q| q.id()).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), Question::ALL.len());
        assert_eq!(Question::Date.id(), crate::answer_slots::DatePart::Day.id());
    }

    #[test]
    fn every_choice_value_round_trips_through_serde_and_the_table() {
        for &question in Question::ALL {
            let mut form = ReportForm::default();
            let agrees = matches!(
                (question.spec().kind, form.slot(question)),
                (Kind::Choice(_), Slot::Choice(_))
                    | (Kind::Text(_), Slot::Text(_))
                    | (Kind::Date, Slot::Date(_))
            );
            assert!(
                agrees,
                "{question:?}: the table's kind is how the form keeps it"
            );
            for choice in question.choices() {
                let mut form = ReportForm::default();
                assert!(
                    form.set_choice(question, choice.value),
                    "{question:?} {choice:?}"
                );
                assert_eq!(form.choice(question), Some(choice.value));
                let json = serde_json::to_string(&form).expect("json");
                assert!(json.contains(&format!("\"{}\"", choice.value)), "{json}");
                let back: ReportForm = serde_json::from_str(&json).expect("reads back");
                assert_eq!(back, form);
            }
            assert!(!ReportForm::default().set_choice(question, "nonsense"));
        }
    }

    #[test]
    fn every_choice_of_each_type_is_in_the_table() {
        // Each choice type's variants, as strum names them, against the table's values (the
        // test above checks that serde writes each value the same way).
        let mut form = ReportForm::default();
        for &question in Question::ALL {
            let values: Vec<&str> = question.choices().iter().map(|c| c.value).collect();
            if let Slot::Choice(chosen) = form.slot(question) {
                assert_eq!(
                    chosen.variants(),
                    values,
                    "{question:?} lists every choice in order"
                );
            }
        }
    }

    #[test]
    fn follow_ups_are_revealed_on_the_same_page_and_advice_names_real_choices() {
        for &question in Question::ALL {
            let spec = question.spec();
            if let Some(parent) = question.revealed_by() {
                assert_eq!(parent.spec().page, spec.page, "{question:?}");
                assert!(parent < question, "{question:?} comes after {parent:?}");
            }
            if let Need::RequiredFor(values, _) = spec.need {
                let parent = question.revealed_by().expect("a follow-up");
                let revealing: Vec<&str> = parent
                    .choices()
                    .iter()
                    .filter(|c| c.reveals.contains(&question))
                    .map(|c| c.value)
                    .collect();
                assert!(values.iter().all(|v| revealing.contains(v)), "{question:?}");
            }
            if let Some(advice) = spec.advice {
                let values: Vec<&str> = question.choices().iter().map(|c| c.value).collect();
                assert!(
                    advice.when.iter().all(|v| values.contains(v)),
                    "{question:?}"
                );
                assert!(!advice.shown_for(None));
            }
        }
        let desk = Question::ContactedServiceDesk
            .spec()
            .advice
            .expect("advice");
        assert!(desk.shown_for(Some("not-sure")) && !desk.shown_for(Some("yes")));
        assert_eq!(desk.actions[0].href(), "tel:08009175148");
    }

    #[test]
    fn every_question_appears_in_the_plain_text_report() {
        let mut form = ReportForm::default();
        for &question in Question::ALL {
            match form.slot(question) {
                Slot::Text(text) => *text = "x".into(),
                Slot::Choice(chosen) => {
                    chosen.choose(question.choices()[0].value);
                }
                Slot::Date(parts) => {
                    for part in parts {
                        *part = "1".into();
                    }
                }
            }
        }
        let text = form.to_plain_text(crate::ReportId::from_random_bytes([1; 16]));
        for &question in Question::ALL {
            assert!(
                text.contains(question.text()),
                "{question:?} is in the text"
            );
        }
    }
}
