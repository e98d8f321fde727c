//! One question of the form as GOV.UK Design System markup, drawn from its row of the question
//! table (`incident_report::questions`): radios (with the advice some choices show), a text
//! input or area, or a date, with its hint and error message; and the error summary at the top
//! of a page.

use incident_report::access::DatePart;
use incident_report::form::Shape;
use incident_report::questions::{Kind, TextRules};
use incident_report::{AnswerError, Question, ReportForm};
use leptos::either::{Either, EitherOf3};
use leptos::prelude::*;

use crate::components::ActionLink;

/// "There is a problem", linking to each question with an error. `on_follow` runs for a link
/// (the journey uses it to open a question on another page).
#[component]
pub fn ErrorSummary(
    /// The errors to list.
    errors: Signal<Vec<AnswerError>>,
    /// Called with the question when its link is followed.
    on_follow: Callback<Question>,
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
                        let question = error.question;
                        view! {
                            <li>
                                <a
                                    href=format!("#{}", question.id())
                                    on:click=move |event| {
                                        event.prevent_default();
                                        on_follow.run(question);
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
    pub errors: Signal<Vec<AnswerError>>,
    /// Called after every change (to save the draft).
    pub changed: Callback<()>,
    /// True until the page can save what is typed: inputs stay disabled until then.
    pub locked: Signal<bool>,
}

impl Binding {
    fn error(self, question: Question) -> Signal<Option<String>> {
        let errors = self.errors;
        Signal::derive(move || {
            errors.with(|errors| {
                errors
                    .iter()
                    .find(|e| e.question == question)
                    .map(|e| e.message.clone())
            })
        })
    }

    fn change(self, edit: impl FnOnce(&mut ReportForm)) {
        self.form.update(edit);
        self.changed.run(());
    }
}

/// One question in a GOV.UK form group, in the markup its kind needs; hidden while the question
/// is not asked (a follow-up whose choice is not made). As the page's `heading`, its label or
/// legend is the page's `<h1>`.
#[component]
pub fn FormGroup(
    /// Which question.
    question: Question,
    /// Whether this question is the page's heading.
    heading: bool,
    /// The answers and what happens on a change.
    binding: Binding,
) -> impl IntoView {
    let form = binding.form;
    let shown = move || form.with(|f| f.asks(question));
    let error = binding.error(question);
    let inner = match question.spec().kind {
        Kind::Choice(_) => EitherOf3::A(view! { <Radios question heading binding error/> }),
        Kind::Date => EitherOf3::B(view! { <DateInput question heading binding error/> }),
        Kind::Text(rules) => {
            EitherOf3::C(view! { <TextInput question rules heading binding error/> })
        }
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
fn described_by(question: Question, error: Signal<Option<String>>) -> impl Fn() -> Option<String> {
    move || {
        let mut ids = Vec::new();
        if question.spec().hint.is_some() {
            ids.push(format!("{}-hint", question.id()));
        }
        if error.with(Option::is_some) {
            ids.push(format!("{}-error", question.id()));
        }
        (!ids.is_empty()).then(|| ids.join(" "))
    }
}

#[component]
fn HintAndError(question: Question, error: Signal<Option<String>>) -> impl IntoView {
    view! {
        {question.spec().hint.map(|hint| view! { <div class="app-hint" id=format!("{}-hint", question.id())>{hint}</div> })}
        <p class="app-error-message" id=format!("{}-error", question.id()) hidden=Signal::derive(move || error.with(Option::is_none))>
            <span class="app-visually-hidden">"Error: "</span>
            {error}
        </p>
    }
}

#[component]
fn Legend(question: Question, heading: bool) -> impl IntoView {
    view! {
        <legend class="app-legend" class:app-legend--heading=heading>
            {if heading {
                Either::Left(view! { <h1 class="app-heading-xl app-legend__heading" id="journey-heading" tabindex="-1">{question.text()}</h1> })
            } else {
                Either::Right(view! { <span>{question.text()}</span> })
            }}
        </legend>
    }
}

#[component]
fn Radios(
    question: Question,
    heading: bool,
    binding: Binding,
    error: Signal<Option<String>>,
) -> impl IntoView {
    let form = binding.form;
    view! {
        <fieldset class="app-fieldset" aria-describedby=described_by(question, error)>
            <Legend question heading/>
            <HintAndError question error/>
            <div class="app-radios">
                {question
                    .choices()
                    .iter()
                    .enumerate()
                    .map(|(index, option)| {
                        // The first choice carries the question's id, so an error links to it.
                        let id = if index == 0 {
                            question.id().to_owned()
                        } else {
                            format!("{}-{}", question.id(), option.value)
                        };
                        view! {
                            <div class="app-radios__item">
                                <input
                                    class="app-radios__input"
                                    type="radio"
                                    id=id.clone()
                                    name=question.id()
                                    value=option.value
                                    disabled=binding.locked
                                    prop:checked=Signal::derive(move || form.with(|f| f.choice(question) == Some(option.value)))
                                    on:change=move |_| binding.change(|f| {
                                        f.set_choice(question, option.value);
                                    })
                                />
                                <label class="app-radios__label" for=id>{option.label}</label>
                            </div>
                        }
                    })
                    .collect_view()}
            </div>
            {question.spec().advice.map(|advice| view! {
                <div
                    class="app-inset app-advice"
                    hidden=Signal::derive(move || !form.with(|f| advice.shown_for(f.choice(question))))
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
    question: Question,
    rules: TextRules,
    heading: bool,
    binding: Binding,
    error: Signal<Option<String>>,
) -> impl IntoView {
    let form = binding.form;
    let value = Signal::derive(move || form.with(|f| f.text(question)));
    let on_input = move |event| {
        let typed = event_target_value(&event);
        binding.change(|f| {
            if let Some(slot) = f.text_mut(question) {
                *slot = typed;
            }
        });
    };
    let kind = match rules.shape {
        Some(Shape::Email) => "email",
        Some(Shape::Phone) => "tel",
        None => "text",
    };
    let label = view! { <label class="app-label" for=question.id()>{question.text()}</label> };
    let input = if rules.long {
        Either::Left(view! {
            <textarea
                class="app-textarea"
                id=question.id()
                name=question.id()
                rows="4"
                aria-describedby=described_by(question, error)
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
                id=question.id()
                name=question.id()
                autocomplete=rules.autocomplete
                spellcheck=(kind != "text").then_some("false")
                aria-describedby=described_by(question, error)
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
        <HintAndError question error/>
        {input}
    }
}

#[component]
fn DateInput(
    question: Question,
    heading: bool,
    binding: Binding,
    error: Signal<Option<String>>,
) -> impl IntoView {
    let form = binding.form;
    view! {
        <fieldset class="app-fieldset" role="group" aria-describedby=described_by(question, error)>
            <Legend question heading/>
            <HintAndError question error/>
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
