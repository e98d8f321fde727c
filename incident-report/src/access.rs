//! One answer at a time, by its question: read it, change it, and list a question's choices. The
//! phone's form pages are written once for any question through these.

use crate::form::{Answer, DeviceKind, Field, PoliceTold, ReportForm, ShutDown, WhatHappened};

/// A choice of a multiple-choice question: its value in the form's data and its label.
trait Choice: Copy + PartialEq + 'static {
    const ALL: &'static [Self];
    /// The value as stored and sent (the serde name).
    fn value(self) -> &'static str;
    fn label(self) -> &'static str;
}

macro_rules! choices {
    ($type:ty { $($variant:ident => $value:literal),+ $(,)? }) => {
        impl Choice for $type {
            const ALL: &'static [Self] = &[$(<$type>::$variant),+];
            fn value(self) -> &'static str {
                match self { $(<$type>::$variant => $value),+ }
            }
            fn label(self) -> &'static str {
                <$type>::label(self)
            }
        }
    };
}

choices!(WhatHappened { Lost => "lost", Stolen => "stolen", HackedOrCompromised => "hacked-or-compromised", SomethingElse => "something-else" });
choices!(DeviceKind { Laptop => "laptop", Phone => "phone", Tablet => "tablet", Other => "other" });
choices!(ShutDown { ShutDown => "shut-down", LockedOrAsleep => "locked-or-asleep", NotSure => "not-sure" });
choices!(Answer { Yes => "yes", No => "no", NotSure => "not-sure" });
choices!(PoliceTold { Yes => "yes", NotYet => "not-yet", No => "no" });

/// One choice as the form shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChoiceOption {
    /// The value stored and sent.
    pub value: &'static str,
    /// What the person reads.
    pub label: &'static str,
}

fn options<T: Choice>() -> Vec<ChoiceOption> {
    T::ALL
        .iter()
        .map(|choice| ChoiceOption {
            value: choice.value(),
            label: choice.label(),
        })
        .collect()
}

fn pick<T: Choice>(value: &str) -> Option<T> {
    T::ALL
        .iter()
        .copied()
        .find(|choice| choice.value() == value)
}

impl Field {
    /// The choices of a multiple-choice question; empty for a question answered in words.
    pub fn choices(self) -> Vec<ChoiceOption> {
        match self {
            Self::WhatHappened => options::<WhatHappened>(),
            Self::Device => options::<DeviceKind>(),
            Self::ShutDown => options::<ShutDown>(),
            Self::MojInformation | Self::ContactedServiceDesk | Self::ToldLineManager => {
                options::<Answer>()
            }
            Self::ToldPolice => options::<PoliceTold>(),
            _ => Vec::new(),
        }
    }
}

impl ReportForm {
    /// The chosen value of a multiple-choice question, if any.
    pub fn choice(&self, field: Field) -> Option<&'static str> {
        match field {
            Field::WhatHappened => self.what_happened.map(Choice::value),
            Field::Device => self.device.map(Choice::value),
            Field::ShutDown => self.shut_down.map(Choice::value),
            Field::MojInformation => self.moj_information.map(Choice::value),
            Field::ContactedServiceDesk => self.contacted_service_desk.map(Choice::value),
            Field::ToldLineManager => self.told_line_manager.map(Choice::value),
            Field::ToldPolice => self.told_police.map(Choice::value),
            _ => None,
        }
    }

    /// Chooses `value` for a multiple-choice question. Returns whether it is one of its choices.
    pub fn set_choice(&mut self, field: Field, value: &str) -> bool {
        fn set<T: Choice>(slot: &mut Option<T>, value: &str) -> bool {
            let chosen = pick(value);
            if chosen.is_some() {
                *slot = chosen;
            }
            chosen.is_some()
        }
        match field {
            Field::WhatHappened => set(&mut self.what_happened, value),
            Field::Device => set(&mut self.device, value),
            Field::ShutDown => set(&mut self.shut_down, value),
            Field::MojInformation => set(&mut self.moj_information, value),
            Field::ContactedServiceDesk => set(&mut self.contacted_service_desk, value),
            Field::ToldLineManager => set(&mut self.told_line_manager, value),
            Field::ToldPolice => set(&mut self.told_police, value),
            _ => false,
        }
    }

    /// The words typed for a question answered in words (not the date: see [`DatePart`]).
    pub fn text_mut(&mut self, field: Field) -> Option<&mut String> {
        match field {
            Field::WhatHappenedOther => Some(&mut self.what_happened_other),
            Field::CompromiseSigns => Some(&mut self.compromise_signs),
            Field::DeviceOther => Some(&mut self.device_other),
            Field::AssetTag => Some(&mut self.asset_tag),
            Field::ApproximateTime => Some(&mut self.approximate_time),
            Field::Location => Some(&mut self.location),
            Field::MojInformationDetails => Some(&mut self.moj_information_details),
            Field::ServiceDeskTicket => Some(&mut self.service_desk_ticket),
            Field::PoliceReference => Some(&mut self.police_reference),
            Field::Name => Some(&mut self.name),
            Field::Email => Some(&mut self.email),
            Field::Phone => Some(&mut self.phone),
            _ => None,
        }
    }

    /// The words typed for a question answered in words; empty when there are none. (It copies
    /// the form, a few hundred bytes, so that the list of text questions is written only once.)
    pub fn text(&self, field: Field) -> String {
        self.clone().text_mut(field).cloned().unwrap_or_default()
    }

    /// The same answers without spaces around any of them: what is checked and stored.
    #[must_use]
    pub fn trimmed(&self) -> ReportForm {
        let mut form = self.clone();
        for page in crate::FormPage::ALL {
            for &field in page.fields() {
                if let Some(text) = form.text_mut(field) {
                    *text = text.trim().to_owned();
                }
            }
        }
        for part in DatePart::ALL {
            let text = form.date_part_mut(part);
            *text = text.trim().to_owned();
        }
        form
    }

    /// One part of the date, as typed.
    pub fn date_part(&self, part: DatePart) -> String {
        self.clone().date_part_mut(part).clone()
    }

    /// One part of the date, to change it.
    pub fn date_part_mut(&mut self, part: DatePart) -> &mut String {
        match part {
            DatePart::Day => &mut self.date_day,
            DatePart::Month => &mut self.date_month,
            DatePart::Year => &mut self.date_year,
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

    /// The input's HTML id; the day's is [`Field::Date`]'s id, so an error links to it.
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

    #[test]
    fn choice_values_are_the_values_sent_to_the_server() {
        for field in [
            Field::WhatHappened,
            Field::Device,
            Field::ShutDown,
            Field::MojInformation,
            Field::ContactedServiceDesk,
            Field::ToldLineManager,
            Field::ToldPolice,
        ] {
            for option in field.choices() {
                let mut form = ReportForm::default();
                assert!(form.set_choice(field, option.value));
                assert_eq!(form.choice(field), Some(option.value));
                let json = serde_json::to_string(&form).expect("json");
                assert!(json.contains(&format!("\"{}\"", option.value)), "{json}");
            }
            assert!(!ReportForm::default().set_choice(field, "nonsense"));
        }
    }

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
    fn every_question_is_a_choice_a_text_or_the_date() {
        for page in crate::FormPage::ALL {
            for &field in page.fields() {
                let mut form = ReportForm::default();
                let is_choice = !field.choices().is_empty();
                let is_text = form.text_mut(field).is_some();
                assert!(
                    is_choice ^ is_text ^ (field == Field::Date),
                    "{field:?} is exactly one kind"
                );
            }
        }
        assert_eq!(DatePart::Day.id(), Field::Date.id());
    }
}
