//! One question of the form as GOV.UK Design System markup, drawn from its row of the question
//! table (`incident_report::question_table`): radios (with the advice some choices show), a text
//! input or area, or a date, with its hint and error message; and the error summary at the top
//! of a page.

use incident_report::answer_slots::DatePart;
use incident_report::form::Shape;
use incident_report::question_table::{Kind, TextRules};
use incident_report::{AnswerError, Question, ReportForm};
use leptos::either::Either;
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
            class="govuk-error-summary" data-module="govuk-error-summary"
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
    /// True once the app's code runs the page (never on the server): live counts show then.
    pub live: Signal<bool>,
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
/// is not asked. As the page's `heading`, its label or legend is the page's `<h1>`. Its follow-up
/// questions are drawn inside its radios (see [`Radios`]), so a page lists only the questions
/// that no choice reveals.
#[component]
pub fn FormGroup(
    /// Which question.
    question: Question,
    /// Whether this question is the page's heading.
    heading: bool,
    /// The answers and what happens on a change.
    binding: Binding,
) -> impl IntoView {
    let asked = Asked::new(question, heading, binding);
    let inner = match question.spec().kind {
        Kind::Choice(_) => Either::Left(view! { <Radios asked/> }),
        Kind::Date | Kind::Text(_) => Either::Right(view! { <Answer asked/> }),
    };
    let form = binding.form;
    view! {
        <Group asked hidden=Signal::derive(move || !form.with(|f| f.asks(question)))>{inner}</Group>
    }
}

/// A follow-up question inside GOV.UK's conditional reveal, which hides it while it is not asked.
/// Follow-ups are answered in words or a date, never by choices (the question table's tests say
/// so), so this view is not recursive: nesting radios in radios would need its type erased, which
/// costs tens of KiB of WebAssembly.
#[component]
fn FollowUp(question: Question, binding: Binding) -> impl IntoView {
    let asked = Asked::new(question, false, binding);
    view! {
        <Group asked hidden=Signal::from(false)><Answer asked/></Group>
    }
}

/// GOV.UK form group around one question's markup, marked while it has an error.
#[component]
fn Group<C: IntoView + 'static>(
    asked: Asked,
    hidden: Signal<bool>,
    children: TypedChildren<C>,
) -> impl IntoView {
    let Asked {
        question, error, ..
    } = asked;
    // GOV.UK's character count: the limit is stated in the HTML; the app's code counts.
    let counted = match question.spec().kind {
        Kind::Text(rules) if rules.long => Some(rules.max),
        _ => None,
    };
    let children = children.into_inner();
    view! {
        <div
            class="govuk-form-group"
            class:govuk-character-count=counted.is_some()
            data-module=counted.map(|_| "govuk-character-count")
            data-maxlength=counted
            class:govuk-form-group--error=Signal::derive(move || error.with(Option::is_some))
            hidden=hidden
        >
            {children()}
        </div>
    }
}

/// The answer of a question given in words or as a date.
#[component]
fn Answer(asked: Asked) -> impl IntoView {
    match asked.question.spec().kind {
        Kind::Date => Some(Either::Left(view! { <DateInput asked/> })),
        Kind::Text(rules) => Some(Either::Right(view! { <TextInput asked rules/> })),
        Kind::Choice(_) => None,
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

impl Asked {
    fn new(question: Question, heading: bool, binding: Binding) -> Self {
        Self {
            question,
            heading,
            binding,
            error: binding.error(question),
        }
    }
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
                        <h1 class="govuk-fieldset__heading" id="journey-heading" tabindex="-1">{question.label()}</h1>
                    </legend>
                })
            } else {
                Either::Right(view! {
                    <legend class="govuk-fieldset__legend govuk-fieldset__legend--m">{question.label()}</legend>
                })
            }}
            <HintAndError question error/>
            {children()}
        </fieldset>
    }
}

/// GOV.UK radios. The follow-up questions a choice reveals come right after it, in GOV.UK's
/// conditional reveal, which the choice points to (`aria-controls`) and says whether it shows
/// (`aria-expanded`). A follow-up two choices reveal comes after the last of them. The
/// guidance's advice for some answers follows the choices, as inset text.
#[component]
fn Radios(asked: Asked) -> impl IntoView {
    let Asked {
        question,
        heading,
        binding,
        error,
    } = asked;
    let form = binding.form;
    let choices = question.choices();
    let items = choices
        .iter()
        .enumerate()
        .map(|(index, choice)| {
            // As GOV.UK numbers them: the first carries the question's id, so an error links to
            // it; the others add their position, so no choice's id is another input's.
            let id = if index == 0 {
                question.id().to_owned()
            } else {
                format!("{}-{}", question.id(), index + 1)
            };
            let controls = (!choice.reveals.is_empty()).then(|| {
                let ids: Vec<String> = choice.reveals.iter().copied().map(conditional_id).collect();
                ids.join(" ")
            });
            let checked = Signal::derive(move || form.with(|f| f.choice(question) == Some(choice.value)));
            // The follow-ups whose last revealing choice this is.
            let here: Vec<Question> = choice
                .reveals
                .iter()
                .copied()
                .filter(|follow_up| {
                    choices[index + 1..]
                        .iter()
                        .all(|later| !later.reveals.contains(follow_up))
                })
                .collect();
            view! {
                <div class="govuk-radios__item">
                    <input
                        class="govuk-radios__input"
                        type="radio"
                        id=id.clone()
                        name=question.id()
                        value=choice.value
                        aria-controls=controls.clone()
                        aria-expanded=controls.is_some().then(|| Signal::derive(move || checked.get().to_string()))
                        disabled=binding.locked
                        prop:checked=checked
                        on:change=move |_| binding.change(|f| {
                            f.set_choice(question, choice.value);
                        })
                    />
                    <label class="govuk-label govuk-radios__label" for=id>{choice.label}</label>
                </div>
                {here.into_iter().map(|follow_up| view! {
                    <div
                        class="govuk-radios__conditional"
                        id=conditional_id(follow_up)
                        hidden=Signal::derive(move || !form.with(|f| f.asks(follow_up)))
                    >
                        <FollowUp question=follow_up binding/>
                    </div>
                }).collect_view()}
            }
        })
        .collect_view();
    view! {
        <Fieldset question heading error>
            <div class="govuk-radios" data-module="govuk-radios">{items}</div>
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

/// What GOV.UK's character count says of a long answer: how many characters are left, or how
/// many too many (counted as the limit is checked: after trimming).
#[derive(Clone, Copy)]
struct CharacterCount {
    question: Question,
    max: usize,
    value: Signal<String>,
}

impl CharacterCount {
    fn new(question: Question, max: usize, value: Signal<String>) -> Self {
        Self {
            question,
            max,
            value,
        }
    }

    /// The id of the message that states the limit (read by screen readers with the field).
    fn info_id(self) -> String {
        format!("{}-info", self.question.id())
    }

    fn used(self) -> usize {
        self.value.with(|text| text.trim().chars().count())
    }

    fn over(self) -> bool {
        self.used() > self.max
    }

    fn words(self) -> String {
        let used = self.used();
        let plural = |n: usize| if n == 1 { "character" } else { "characters" };
        if used > self.max {
            let over = used - self.max;
            format!("You have {over} {} too many", plural(over))
        } else {
            let left = self.max - used;
            format!("You have {left} {} remaining", plural(left))
        }
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
                <label class="govuk-label govuk-label--l" for=question.id()>{question.label()}</label>
            </h1>
        })
    } else {
        Either::Right(view! {
            <label class="govuk-label govuk-label--s" for=question.id()>{question.label()}</label>
        })
    };
    let input = if rules.long {
        let count = CharacterCount::new(question, rules.max, value);
        let described = described_by(question, error);
        Either::Left(view! {
            <textarea
                class="govuk-textarea govuk-js-character-count"
                class:govuk-textarea--error=Signal::derive(move || has_error.get() || count.over())
                id=question.id()
                name=question.id()
                rows="4"
                aria-describedby=Signal::derive(move || Some(match described.get() {
                    Some(ids) => format!("{} {ids}", count.info_id()),
                    None => count.info_id(),
                }))
                disabled=binding.locked
                prop:value=value
                on:input=on_input
            ></textarea>
            <div
                id=count.info_id()
                class="govuk-hint govuk-character-count__message"
                class:govuk-visually-hidden=binding.live
            >
                {format!("You can enter up to {} characters", rules.max)}
            </div>
            <div
                class="govuk-hint govuk-character-count__message govuk-character-count__status"
                class:govuk-error-message=Signal::derive(move || count.over())
                aria-hidden="true"
                hidden=Signal::derive(move || !binding.live.get())
            >
                {move || count.words()}
            </div>
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
