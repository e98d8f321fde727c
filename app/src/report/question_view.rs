//! One question of the form as GOV.UK Design System markup, drawn from its row of the question
//! table (`incident_report::question_table`): radios (with the advice some choices show), a text
//! input or area, or a date, with its hint and error message; and the error summary at the top
//! of a page.

use incident_report::answer_slots::DatePart;
use incident_report::form::Shape;
use incident_report::question_table::{Kind, TextRules};
use incident_report::{AnswerError, Question, ReportForm};
use leptos::either::{Either, EitherOf3};
use leptos::prelude::*;

use crate::components::ActionLink;
use crate::govuk::InsetText;

/// GOV.UK error summary: "There is a problem", linking to each question with an error.
/// `on_follow` runs for a link (the journey uses it to open a question on another page).
#[component]
pub fn ErrorSummary(
    /// The errors to list.
    errors: Signal<Vec<AnswerError>>,
    /// Called with the question when its link is followed.
    on_follow: Callback<Question>,
) -> impl IntoView {
    view! {
        <div
            class="govuk-error-summary"
            id="error-summary"
            tabindex="-1"
            hidden=Signal::derive(move || errors.with(Vec::is_empty))
        >
            <div role="alert">
                <h2 class="govuk-error-summary__title">"There is a problem"</h2>
                <div class="govuk-error-summary__body">
                    <ul class="govuk-list govuk-error-summary__list">
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
            </div>
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
/// is not asked. As the page's `heading`, its label or legend is the page's `<h1>`.
///
/// A follow-up question comes right after the question that reveals it, drawn as GOV.UK's
/// conditional reveal (indented, with its border), which the revealing radios point to with
/// `aria-controls`. It is not nested inside them: that would make this view recursive, and
/// erasing its type to allow that costs tens of KiB of WebAssembly.
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
    let error = binding.error(question);
    let follow_up = question.revealed_by().is_some();
    let asked = Asked {
        question,
        heading,
        binding,
        error,
    };
    let inner = match question.spec().kind {
        Kind::Choice(_) => EitherOf3::A(view! { <Radios asked/> }),
        Kind::Date => EitherOf3::B(view! { <DateInput asked/> }),
        Kind::Text(rules) => EitherOf3::C(view! { <TextInput asked rules/> }),
    };
    view! {
        <div
            class="govuk-form-group"
            class:govuk-radios__conditional=follow_up
            id=follow_up.then(|| conditional_id(question))
            class:govuk-form-group--error=Signal::derive(move || error.with(Option::is_some))
            hidden=Signal::derive(move || !form.with(|f| f.asks(question)))
        >
            {inner}
        </div>
    }
}

/// What the markup of every kind of question takes.
#[derive(Clone, Copy)]
struct Asked {
    question: Question,
    /// Whether the question is the page's heading.
    heading: bool,
    binding: Binding,
    error: Signal<Option<String>>,
}

/// The id of a follow-up question's conditional reveal.
fn conditional_id(question: Question) -> String {
    format!("conditional-{}", question.id())
}

/// The ids that describe a question's input: its hint and its error, when there are some.
fn described_by(question: Question, error: Signal<Option<String>>) -> Signal<Option<String>> {
    Signal::derive(move || {
        let mut ids = Vec::new();
        if question.spec().hint.is_some() {
            ids.push(format!("{}-hint", question.id()));
        }
        if error.with(Option::is_some) {
            ids.push(format!("{}-error", question.id()));
        }
        (!ids.is_empty()).then(|| ids.join(" "))
    })
}

/// GOV.UK hint and error message of a question (the error hidden while there is none).
#[component]
fn HintAndError(question: Question, error: Signal<Option<String>>) -> impl IntoView {
    view! {
        {question.spec().hint.map(|hint| view! { <div class="govuk-hint" id=format!("{}-hint", question.id())>{hint}</div> })}
        <p class="govuk-error-message" id=format!("{}-error", question.id()) hidden=Signal::derive(move || error.with(Option::is_none))>
            <span class="govuk-visually-hidden">"Error: "</span>
            {error}
        </p>
    }
}

/// GOV.UK fieldset: the question as its legend (as the page's heading, the `<h1>` inside it),
/// its hint and error, then the inputs.
#[component]
fn Fieldset<C: IntoView + 'static>(
    question: Question,
    heading: bool,
    error: Signal<Option<String>>,
    /// A group of inputs answering one question (the date), rather than choices.
    #[prop(optional)]
    group: bool,
    children: TypedChildren<C>,
) -> impl IntoView {
    let children = children.into_inner();
    view! {
        <fieldset class="govuk-fieldset" role=group.then_some("group") aria-describedby=described_by(question, error)>
            {if heading {
                Either::Left(view! {
                    <legend class="govuk-fieldset__legend govuk-fieldset__legend--l">
                        <h1 class="govuk-fieldset__heading" id="journey-heading" tabindex="-1">{question.text()}</h1>
                    </legend>
                })
            } else {
                Either::Right(view! {
                    <legend class="govuk-fieldset__legend govuk-fieldset__legend--m">{question.text()}</legend>
                })
            }}
            <HintAndError question error/>
            {children()}
        </fieldset>
    }
}

/// GOV.UK radios. A choice that reveals follow-up questions points to them (`aria-controls`);
/// the guidance's advice for some answers follows the choices, as inset text.
#[component]
fn Radios(asked: Asked) -> impl IntoView {
    let Asked {
        question,
        heading,
        binding,
        error,
    } = asked;
    let form = binding.form;
    let items = question
        .choices()
        .iter()
        .enumerate()
        .map(|(index, choice)| {
            // The first choice carries the question's id, so an error links to it.
            let id = if index == 0 {
                question.id().to_owned()
            } else {
                format!("{}-{}", question.id(), choice.value)
            };
            let controls = (!choice.reveals.is_empty()).then(|| {
                let ids: Vec<String> = choice.reveals.iter().copied().map(conditional_id).collect();
                ids.join(" ")
            });
            view! {
                <div class="govuk-radios__item">
                    <input
                        class="govuk-radios__input"
                        type="radio"
                        id=id.clone()
                        name=question.id()
                        value=choice.value
                        aria-controls=controls
                        disabled=binding.locked
                        prop:checked=Signal::derive(move || form.with(|f| f.choice(question) == Some(choice.value)))
                        on:change=move |_| binding.change(|f| {
                            f.set_choice(question, choice.value);
                        })
                    />
                    <label class="govuk-label govuk-radios__label" for=id>{choice.label}</label>
                </div>
            }
        })
        .collect_view();
    view! {
        <Fieldset question heading error>
            <div class="govuk-radios">{items}</div>
        </Fieldset>
        {question.spec().advice.map(|advice| view! {
            <div hidden=Signal::derive(move || !form.with(|f| advice.shown_for(f.choice(question))))>
                <InsetText>
                    <p class="govuk-body"><strong>{advice.text}</strong></p>
                    {(!advice.actions.is_empty()).then(|| view! {
                        <div class="app-actions">
                            {advice.actions.iter().map(|action| view! { <ActionLink action/> }).collect_view()}
                        </div>
                    })}
                </InsetText>
            </div>
        })}
    }
}

/// GOV.UK text input, or textarea for a long answer.
#[component]
fn TextInput(asked: Asked, rules: TextRules) -> impl IntoView {
    let Asked {
        question,
        heading,
        binding,
        error,
    } = asked;
    let form = binding.form;
    let value = Signal::derive(move || form.with(|f| f.text(question)));
    let has_error = Signal::derive(move || error.with(Option::is_some));
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
    let label = if heading {
        Either::Left(view! {
            <h1 class="govuk-label-wrapper" id="journey-heading" tabindex="-1">
                <label class="govuk-label govuk-label--l" for=question.id()>{question.text()}</label>
            </h1>
        })
    } else {
        Either::Right(view! {
            <label class="govuk-label govuk-label--s" for=question.id()>{question.text()}</label>
        })
    };
    let input = if rules.long {
        Either::Left(view! {
            <textarea
                class="govuk-textarea"
                class:govuk-textarea--error=has_error
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
                class="govuk-input"
                class:govuk-input--error=has_error
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
        {label}
        <HintAndError question error/>
        {input}
    }
}

/// GOV.UK date input: day, month and year.
#[component]
fn DateInput(asked: Asked) -> impl IntoView {
    let Asked {
        question,
        heading,
        binding,
        error,
    } = asked;
    let form = binding.form;
    let has_error = Signal::derive(move || error.with(Option::is_some));
    view! {
        <Fieldset question heading error group=true>
            <div class="govuk-date-input">
                {DatePart::ALL
                    .into_iter()
                    .map(|part| view! {
                        <div class="govuk-date-input__item">
                            <div class="govuk-form-group">
                                <label class="govuk-label govuk-date-input__label" for=part.id()>{part.label()}</label>
                                <input
                                    class=if part == DatePart::Year {
                                        "govuk-input govuk-date-input__input govuk-input--width-4"
                                    } else {
                                        "govuk-input govuk-date-input__input govuk-input--width-2"
                                    }
                                    class:govuk-input--error=has_error
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
                        </div>
                    })
                    .collect_view()}
            </div>
        </Fieldset>
    }
}
