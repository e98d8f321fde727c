//! One answer at a time, by its question: where it is kept ([`Slot`] to change it, [`Given`] to
//! read it), and whether the question is asked with the answers given so far. The phone's form
//! pages, the plain-text report and validation go through these, so each is written once for any
//! question.

use crate::form::{Question, ReportForm};

/// Where one question's answer is kept in a [`ReportForm`].
pub enum Slot<'a> {
    /// Words.
    Text(&'a mut String),
    /// One of the question's choices, or none yet.
    Choice(&'a mut dyn Chosen),
    /// The day, month and year, as typed.
    Date([&'a mut String; 3]),
}

/// One question's answer, to read (see [`Slot`]).
pub enum Given<'a> {
    /// Words.
    Text(&'a str),
    /// One of the question's choices, or none yet.
    Choice(&'a dyn Chosen),
    /// The day, month and year, as typed.
    Date([&'a str; 3]),
}

impl<'a> From<(&'a String,)> for Given<'a> {
    fn from((text,): (&'a String,)) -> Self {
        Given::Text(text)
    }
}

impl<'a, T> From<(&'a Option<T>,)> for Given<'a>
where
    T: Choices + 'a,
{
    fn from((chosen,): (&'a Option<T>,)) -> Self {
        Given::Choice(chosen)
    }
}

impl<'a> From<(&'a String, &'a String, &'a String)> for Given<'a> {
    fn from((day, month, year): (&'a String, &'a String, &'a String)) -> Self {
        Given::Date([day, month, year])
    }
}

/// A choice that may have been made, read and set by its value (the serde name of the choice).
pub trait Chosen {
    /// Whether `value` is the one chosen.
    fn is(&self, value: &str) -> bool;
    /// Whether any choice was made.
    fn is_chosen(&self) -> bool;
    /// Chooses `value`; returns whether it is one of the type's choices (if not, nothing changes).
    fn choose(&mut self, value: &str) -> bool;
    /// Undoes the choice.
    fn clear(&mut self);
    /// The serde names of every choice of the type (for the table's tests).
    #[cfg(test)]
    fn variants(&self) -> &'static [&'static str];
}

impl<T> Chosen for Option<T>
where
    T: Choices,
{
    fn is(&self, value: &str) -> bool {
        self.is_some() && self.as_ref() == value.parse::<T>().ok().as_ref()
    }

    fn is_chosen(&self) -> bool {
        self.is_some()
    }

    fn choose(&mut self, value: &str) -> bool {
        let chosen = value.parse::<T>().ok();
        let known = chosen.is_some();
        if known {
            *self = chosen;
        }
        known
    }

    fn clear(&mut self) {
        *self = None;
    }

    #[cfg(test)]
    fn variants(&self) -> &'static [&'static str] {
        T::VARIANTS
    }
}

/// An enum of choices, named in the wire format's words (`strum`'s names, the same as serde's:
/// `kebab-case` for both, checked by the question table's tests).
pub trait Choices: std::str::FromStr + strum::VariantNames + PartialEq {}

impl<T: std::str::FromStr + strum::VariantNames + PartialEq> Choices for T {}

impl Slot<'_> {
    /// Removes the answer.
    pub fn clear(self) {
        match self {
            Slot::Text(text) => text.clear(),
            Slot::Choice(chosen) => chosen.clear(),
            Slot::Date(parts) => parts.into_iter().for_each(String::clear),
        }
    }
}

impl<'a> From<(&'a mut String,)> for Slot<'a> {
    fn from((text,): (&'a mut String,)) -> Self {
        Slot::Text(text)
    }
}

impl<'a, T> From<(&'a mut Option<T>,)> for Slot<'a>
where
    T: Choices + 'a,
{
    fn from((chosen,): (&'a mut Option<T>,)) -> Self {
        Slot::Choice(chosen)
    }
}

impl<'a> From<(&'a mut String, &'a mut String, &'a mut String)> for Slot<'a> {
    fn from((day, month, year): (&'a mut String, &'a mut String, &'a mut String)) -> Self {
        Slot::Date([day, month, year])
    }
}

impl ReportForm {
    /// The chosen value of a question answered by choosing, if any.
    pub fn choice(&self, question: Question) -> Option<&'static str> {
        let Given::Choice(chosen) = self.given(question) else {
            return None;
        };
        question
            .choices()
            .iter()
            .map(|choice| choice.value)
            .find(|value| chosen.is(value))
    }

    /// Chooses `value` for a question answered by choosing. Returns whether it is one of its
    /// choices.
    pub fn set_choice(&mut self, question: Question, value: &str) -> bool {
        match self.slot(question) {
            Slot::Choice(chosen) => chosen.choose(value),
            Slot::Text(_) | Slot::Date(_) => false,
        }
    }

    /// The words typed for a question answered in words (not the date: see [`DatePart`]).
    pub fn text_mut(&mut self, question: Question) -> Option<&mut String> {
        match self.slot(question) {
            Slot::Text(text) => Some(text),
            Slot::Choice(_) | Slot::Date(_) => None,
        }
    }

    /// The words typed for a question answered in words; empty when there are none.
    pub fn text(&self, question: Question) -> String {
        match self.given(question) {
            Given::Text(text) => text.to_owned(),
            Given::Choice(_) | Given::Date(_) => String::new(),
        }
    }

    /// One part of the date, as typed.
    pub fn date_part(&self, part: DatePart) -> String {
        let Given::Date([day, month, year]) = self.given(Question::Date) else {
            unreachable!("the date question keeps a date")
        };
        match part {
            DatePart::Day => day,
            DatePart::Month => month,
            DatePart::Year => year,
        }
        .to_owned()
    }

    /// One part of the date, to change it.
    pub fn date_part_mut(&mut self, part: DatePart) -> &mut String {
        let Slot::Date([day, month, year]) = self.slot(Question::Date) else {
            unreachable!("the date question keeps a date")
        };
        match part {
            DatePart::Day => day,
            DatePart::Month => month,
            DatePart::Year => year,
        }
    }

    /// The same answers without spaces around any of them: what is checked and stored.
    #[must_use]
    pub fn trimmed(&self) -> ReportForm {
        let mut form = self.clone();
        for &question in Question::ALL {
            let texts = match form.slot(question) {
                Slot::Text(text) => vec![text],
                Slot::Date(parts) => parts.into_iter().collect(),
                Slot::Choice(_) => Vec::new(),
            };
            for text in texts {
                *text = text.trim().to_owned();
            }
        }
        form
    }

    /// The value chosen for the question that reveals `question`, when it is a follow-up.
    pub fn revealed_by(&self, question: Question) -> Option<&'static str> {
        self.choice(question.revealed_by()?)
    }

    /// Whether `question` is asked with these answers: its page applies, and, for a follow-up,
    /// the choice that reveals it was made.
    pub fn asks(&self, question: Question) -> bool {
        let revealed = match question.revealed_by() {
            None => true,
            Some(parent) => parent.choices().iter().any(|choice| {
                choice.reveals.contains(&question) && Some(choice.value) == self.choice(parent)
            }),
        };
        revealed && question.spec().page.applies(self)
    }
}

impl ReportForm {
    /// Whether `self` and `other` give the same answer to `question`.
    pub fn same_answer(&self, other: &ReportForm, question: Question) -> bool {
        match (self.given(question), other.given(question)) {
            (Given::Text(a), Given::Text(b)) => a == b,
            (Given::Date(a), Given::Date(b)) => a == b,
            (Given::Choice(_), Given::Choice(_)) => self.choice(question) == other.choice(question),
            _ => false,
        }
    }

    /// Copies `from`'s answer to `question` into `self`.
    fn take_answer(&mut self, from: &ReportForm, question: Question) {
        let chosen = from.choice(question);
        match (self.slot(question), from.given(question)) {
            (Slot::Text(text), Given::Text(given)) => given.clone_into(text),
            (Slot::Date(parts), Given::Date(given)) => {
                for (part, given) in parts.into_iter().zip(given) {
                    given.clone_into(part);
                }
            }
            (Slot::Choice(slot), Given::Choice(_)) => match chosen {
                Some(value) => {
                    slot.choose(value);
                }
                None => slot.clear(),
            },
            _ => {}
        }
    }

    /// Two copies of one draft changed apart (two tabs), joined question by question: each
    /// answer `ours` changed since `base` (what both started from) is ours, every other is
    /// `theirs` (what is stored now). Neither side's typing is lost unless both changed the
    /// same answer, when the later save (ours) wins.
    #[must_use]
    pub fn merge(base: &ReportForm, ours: &ReportForm, theirs: &ReportForm) -> ReportForm {
        let mut merged = theirs.clone();
        for &question in Question::ALL {
            if !ours.same_answer(base, question) {
                merged.take_answer(ours, question);
            }
        }
        merged
    }
}

/// The answers as an HTML form carries them: each input's `name` is its question's id (a date's
/// three inputs are named by [`DatePart::id`]), its value the answer as typed or chosen.
impl ReportForm {
    /// Every answer given, as `(input name, value)`, in form order.
    pub fn fields(&self) -> Vec<(&'static str, String)> {
        let mut fields = Vec::new();
        for &question in Question::ALL {
            match self.given(question) {
                Given::Text(text) => fields.push((question.id(), text.to_owned())),
                Given::Choice(_) => {
                    if let Some(value) = self.choice(question) {
                        fields.push((question.id(), value.to_owned()));
                    }
                }
                Given::Date(parts) => {
                    for (part, text) in DatePart::ALL.into_iter().zip(parts) {
                        fields.push((part.id(), text.to_owned()));
                    }
                }
            }
        }
        fields.retain(|(_, value)| !value.is_empty());
        fields
    }

    /// Takes the value of the input `name`; returns false when no answer has that name, or a
    /// choice is not one of its question's.
    pub fn set_field(&mut self, name: &str, value: &str) -> bool {
        if let Some(part) = DatePart::ALL.into_iter().find(|part| part.id() == name) {
            value.clone_into(self.date_part_mut(part));
            return true;
        }
        let Some(&question) = Question::ALL.iter().find(|q| q.id() == name) else {
            return false;
        };
        match self.slot(question) {
            Slot::Text(text) => {
                value.clone_into(text);
                true
            }
            Slot::Choice(chosen) => chosen.choose(value),
            Slot::Date(_) => false,
        }
    }
}

/// The three inputs of a date (GOV.UK date input pattern).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DatePart {
    /// Day of the month.
    Day,
    /// Month number.
    Month,
    /// Four-digit year.
    Year,
}

impl DatePart {
    /// All three, in the order they are shown.
    pub const ALL: [Self; 3] = [Self::Day, Self::Month, Self::Year];

    /// The input's label.
    pub fn label(self) -> &'static str {
        match self {
            Self::Day => "Day",
            Self::Month => "Month",
            Self::Year => "Year",
        }
    }

    /// The input's HTML id; the day's is [`Question::Date`]'s id, so an error links to it.
    pub fn id(self) -> &'static str {
        match self {
            Self::Day => "date-day",
            Self::Month => "date-month",
            Self::Year => "date-year",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::form::WhatHappened;

    #[test]
    fn trimming_removes_the_spaces_around_every_answer_and_nothing_else() {
        let form = ReportForm {
            name: "  Sam  Example ".into(),
            phone: format!("07700 900 982{}", " ".repeat(30_000)),
            date_day: " 2 ".into(),
            police_reference: "\tCAD 1\n".into(),
            ..ReportForm::default()
        };
        let trimmed = form.trimmed();
        assert_eq!(trimmed.name, "Sam  Example");
        assert_eq!(trimmed.phone, "07700 900 982");
        assert_eq!(trimmed.date_day, "2");
        assert_eq!(trimmed.police_reference, "CAD 1");
    }

    #[test]
    fn a_follow_up_is_asked_only_after_the_choice_that_reveals_it() {
        let mut form = ReportForm::default();
        assert!(!form.asks(Question::WhatHappenedOther));
        assert!(form.set_choice(Question::WhatHappened, "something-else"));
        assert!(form.asks(Question::WhatHappenedOther));
        assert!(!form.asks(Question::CompromiseSigns));
        assert!(form.asks(Question::Name));
        for value in ["yes", "not-sure"] {
            form.set_choice(Question::MojInformation, value);
            assert!(form.asks(Question::MojInformationDetails), "{value}");
        }
        form.set_choice(Question::MojInformation, "no");
        assert!(!form.asks(Question::MojInformationDetails));
    }

    #[test]
    fn two_copies_changed_apart_keep_both_sides_answers() {
        let base = ReportForm {
            name: "Sam".into(),
            ..ReportForm::default()
        };
        let mut ours = base.clone();
        ours.phone = "07700 900 982".into();
        ours.set_choice(Question::WhatHappened, "stolen");
        ours.date_day = "2".into();
        let mut theirs = base.clone();
        theirs.email = "sam@justice.gov.uk".into();
        theirs.name = "Sam Example".into();
        theirs.set_choice(Question::Device, "laptop");
        let merged = ReportForm::merge(&base, &ours, &theirs);
        assert_eq!(merged.phone, "07700 900 982");
        assert_eq!(merged.what_happened, Some(WhatHappened::Stolen));
        assert_eq!(merged.date_day, "2");
        assert_eq!(merged.email, "sam@justice.gov.uk");
        assert_eq!(merged.name, "Sam Example");
        assert_eq!(merged.choice(Question::Device), Some("laptop"));
        // An answer ours cleared stays cleared.
        let mut cleared = base.clone();
        cleared.name.clear();
        assert_eq!(ReportForm::merge(&base, &cleared, &base).name, "");
        let chosen = ReportForm::merge(&ReportForm::default(), &ours, &ReportForm::default());
        let mut unchosen = chosen.clone();
        unchosen.slot(Question::WhatHappened).clear();
        assert_eq!(
            ReportForm::merge(&chosen, &unchosen, &chosen).what_happened,
            None
        );
    }

    #[test]
    fn the_police_questions_are_asked_only_for_a_lost_or_stolen_device() {
        let mut form = ReportForm {
            what_happened: Some(WhatHappened::Stolen),
            ..ReportForm::default()
        };
        assert!(form.asks(Question::ToldPolice));
        form.set_choice(Question::ToldPolice, "yes");
        assert!(form.asks(Question::PoliceReference));
        form.set_choice(Question::WhatHappened, "hacked-or-compromised");
        assert!(!form.asks(Question::ToldPolice) && !form.asks(Question::PoliceReference));
    }

    #[test]
    fn every_answer_goes_through_an_html_form_and_back_unchanged() {
        let form = ReportForm::example();
        let mut back = ReportForm::default();
        for (name, value) in form.fields() {
            assert!(back.set_field(name, &value), "{name}");
        }
        assert_eq!(back, form);
        assert!(!back.set_field("no-such-question", "x"));
        assert!(!back.set_field(Question::WhatHappened.id(), "not-a-choice"));
        assert_eq!(back.choice(Question::WhatHappened), Some("stolen"));
    }
}
