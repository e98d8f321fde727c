//! One question of the form as GOV.UK Design System markup: radios, a text input or area, or a
//! date, with its hint and error message; and the error summary at the top of a page.

use incident_report::access::DatePart;
use incident_report::{Field, FieldError, ReportForm};
use leptos::either::{Either, EitherOf3};
use leptos::prelude::*;

use crate::components::ActionLink;

/// The questions answered in several lines rather than one.
fn is_long(field: Field) -> bool {
    matches!(
        field,
        Field::WhatHappenedOther
            | Field::CompromiseSigns
            | Field::Location
            | Field::MojInformationDetails
    )
}

/// Whether a question is shown with these answers (follow-up questions appear under the choice
/// that needs them, as GOV.UK conditional reveals do).
pub fn is_shown(field: Field, form: &ReportForm) -> bool {
    let chose = |question: Field, value: &str| form.choice(question) == Some(value);
    match field {
        Field::WhatHappenedOther => chose(Field::WhatHappened, "something-else"),
        Field::CompromiseSigns => chose(Field::WhatHappened, "hacked-or-compromised"),
        Field::DeviceOther => chose(Field::Device, "other"),
        Field::MojInformationDetails => {
            chose(Field::MojInformation, "yes") || chose(Field::MojInformation, "not-sure")
        }
        Field::ServiceDeskTicket => chose(Field::ContactedServiceDesk, "yes"),
        Field::PoliceReference => chose(Field::ToldPolice, "yes"),
        _ => true,
    }
}

/// "There is a problem", linking to each question with an error. `on_follow` runs for a link
/// (the journey uses it to open a question on another page).
#[component]
pub fn ErrorSummary(
    /// The errors to list.
    errors: Signal<Vec<FieldError>>,
    /// Called with the question when its link is followed.
    on_follow: Callback<Field>,
) -> impl IntoView {
    view! {
        <div
            class="app-error-summary"
            id="error-summary"
            tabindex="-1"
            hidden=Signal::derive(move || errors.with(Vec::is_empty))
        >
            <h2 class="app-error-summary__title">"There is a problem"</h2>
            <ul class="app-error-summary__list">
                {move || errors.get().into_iter().map(|error| {
                        let field = error.field;
                        view! {
                            <li>
                                <a
                                    href=format!("#{}", field.id())
                                    on:click=move |event| {
                                        event.prevent_default();
                                        on_follow.run(field);
                                    }
                                >
                                    {error.message}
                                </a>
                            </li>
                        }
                    }).collect_view()}
            </ul>
        </div>
    }
}

/// The props every kind of question takes.
#[derive(Clone, Copy)]
pub struct Binding {
    /// The answers being edited.
    pub form: RwSignal<ReportForm>,
    /// The errors shown on this page.
    pub errors: Signal<Vec<FieldError>>,
    /// Called after every change (to save the draft).
    pub changed: Callback<()>,
    /// True until the page can save what is typed: inputs stay disabled until then.
    pub locked: Signal<bool>,
}

impl Binding {
    fn error(self, field: Field) -> Signal<Option<String>> {
        let errors = self.errors;
        Signal::derive(move || {
            errors.with(|errors| {
                errors
                    .iter()
                    .find(|e| e.field == field)
                    .map(|e| e.message.clone())
            })
        })
    }

    fn change(self, edit: impl FnOnce(&mut ReportForm)) {
        self.form.update(edit);
        self.changed.run(());
    }
}

/// One question, in the markup its kind needs. As the page's `heading`, its label or legend is
/// the page's `<h1>`.
#[component]
pub fn Question(
    /// Which question.
    field: Field,
    /// Whether this question is the page's heading.
    heading: bool,
    /// The answers and what happens on a change.
    binding: Binding,
) -> impl IntoView {
    let form = binding.form;
    let shown = move || form.with(|f| is_shown(field, f));
    let error = binding.error(field);
    let inner = if !field.choices().is_empty() {
        EitherOf3::A(view! { <Radios field heading binding error/> })
    } else if field == Field::Date {
        EitherOf3::B(view! { <DateInput heading binding error/> })
    } else {
        EitherOf3::C(view! { <TextInput field heading binding error/> })
    };
    view! {
        <div
            class="app-form-group"
            class:app-form-group--error=Signal::derive(move || error.with(Option::is_some))
            hidden=Signal::derive(move || !shown())
        >
            {inner}
        </div>
    }
}

/// The ids that describe a question's input: its hint and its error, when there are some.
fn described_by(field: Field, error: Signal<Option<String>>) -> impl Fn() -> Option<String> {
    move || {
        let mut ids = Vec::new();
        if field.hint().is_some() {
            ids.push(format!("{}-hint", field.id()));
        }
        if error.with(Option::is_some) {
            ids.push(format!("{}-error", field.id()));
        }
        (!ids.is_empty()).then(|| ids.join(" "))
    }
}

#[component]
fn HintAndError(field: Field, error: Signal<Option<String>>) -> impl IntoView {
    view! {
        {field.hint().map(|hint| view! { <div class="app-hint" id=format!("{}-hint", field.id())>{hint}</div> })}
        <p class="app-error-message" id=format!("{}-error", field.id()) hidden=Signal::derive(move || error.with(Option::is_none))>
            <span class="app-visually-hidden">"Error: "</span>
            {error}
        </p>
    }
}

#[component]
fn Legend(field: Field, heading: bool) -> impl IntoView {
    view! {
        <legend class="app-legend" class:app-legend--heading=heading>
            {if heading {
                Either::Left(view! { <h1 class="app-heading-xl app-legend__heading" id="journey-heading" tabindex="-1">{field.question()}</h1> })
            } else {
                Either::Right(view! { <span>{field.question()}</span> })
            }}
        </legend>
    }
}

#[component]
fn Radios(
    field: Field,
    heading: bool,
    binding: Binding,
    error: Signal<Option<String>>,
) -> impl IntoView {
    let form = binding.form;
    view! {
        <fieldset class="app-fieldset" aria-describedby=described_by(field, error)>
            <Legend field heading/>
            <HintAndError field error/>
            <div class="app-radios">
                {field
                    .choices()
                    .into_iter()
                    .enumerate()
                    .map(|(index, option)| {
                        // The first choice carries the question's id, so an error links to it.
                        let id = if index == 0 {
                            field.id().to_owned()
                        } else {
                            format!("{}-{}", field.id(), option.value)
                        };
                        view! {
                            <div class="app-radios__item">
                                <input
                                    class="app-radios__input"
                                    type="radio"
                                    id=id.clone()
                                    name=field.id()
                                    value=option.value
                                    disabled=binding.locked
                                    prop:checked=Signal::derive(move || form.with(|f| f.choice(field) == Some(option.value)))
                                    on:change=move |_| binding.change(|f| {
                                        f.set_choice(field, option.value);
                                    })
                                />
                                <label class="app-radios__label" for=id>{option.label}</label>
                            </div>
                        }
                    })
                    .collect_view()}
            </div>
            {field.advice().map(|advice| view! {
                <div
                    class="app-inset app-advice"
                    hidden=Signal::derive(move || !form.with(|f| advice.shown_for(f.choice(field))))
                >
                    <p class="app-body app-body--strong">{advice.text}</p>
                    {(!advice.actions.is_empty()).then(|| view! {
                        <div class="app-actions">
                            {advice.actions.iter().map(|action| view! { <ActionLink action/> }).collect_view()}
                        </div>
                    })}
                </div>
            })}
        </fieldset>
    }
}

#[component]
fn TextInput(
    field: Field,
    heading: bool,
    binding: Binding,
    error: Signal<Option<String>>,
) -> impl IntoView {
    let form = binding.form;
    let value = Signal::derive(move || form.with(|f| f.text(field)));
    let on_input = move |event| {
        let typed = event_target_value(&event);
        binding.change(|f| {
            if let Some(slot) = f.text_mut(field) {
                *slot = typed;
            }
        });
    };
    let (kind, autocomplete) = match field {
        Field::Email => ("email", Some("email")),
        Field::Phone => ("tel", Some("tel")),
        Field::Name => ("text", Some("name")),
        _ => ("text", None),
    };
    let label = view! { <label class="app-label" for=field.id()>{field.question()}</label> };
    let input = if is_long(field) {
        Either::Left(view! {
            <textarea
                class="app-textarea"
                id=field.id()
                name=field.id()
                rows="4"
                aria-describedby=described_by(field, error)
                disabled=binding.locked
                prop:value=value
                on:input=on_input
            ></textarea>
        })
    } else {
        Either::Right(view! {
            <input
                class="app-input"
                type=kind
                id=field.id()
                name=field.id()
                autocomplete=autocomplete
                spellcheck=(kind != "text").then_some("false")
                aria-describedby=described_by(field, error)
                disabled=binding.locked
                prop:value=value
                on:input=on_input
            />
        })
    };
    view! {
        {if heading {
            Either::Left(view! { <h1 class="app-label-wrapper" id="journey-heading" tabindex="-1">{label}</h1> })
        } else {
            Either::Right(label)
        }}
        <HintAndError field error/>
        {input}
    }
}

#[component]
fn DateInput(heading: bool, binding: Binding, error: Signal<Option<String>>) -> impl IntoView {
    let form = binding.form;
    let field = Field::Date;
    view! {
        <fieldset class="app-fieldset" role="group" aria-describedby=described_by(field, error)>
            <Legend field heading/>
            <HintAndError field error/>
            <div class="app-date-input">
                {DatePart::ALL
                    .into_iter()
                    .map(|part| view! {
                        <div class="app-date-input__item" class:app-date-input__item--year=part == DatePart::Year>
                            <label class="app-label" for=part.id()>{part.label()}</label>
                            <input
                                class="app-input"
                                type="text"
                                inputmode="numeric"
                                id=part.id()
                                name=part.id()
                                disabled=binding.locked
                                prop:value=Signal::derive(move || form.with(|f| f.date_part(part)))
                                on:input=move |event| {
                                    let typed = event_target_value(&event);
                                    binding.change(|f| *f.date_part_mut(part) = typed);
                                }
                            />
                        </div>
                    })
                    .collect_view()}
            </div>
        </fieldset>
    }
}
