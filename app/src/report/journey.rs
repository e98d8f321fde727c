//! The report journey, one island: a question page at a time, "Check your answers", then the
//! confirmation, which follows the report until the server has it.
//!
//! Every change is saved to the phone at once (`phone::update_reports`). The address bar
//! carries the report's id and page, so reload, back and reopening the app return to the same
//! place; the page itself never needs the network.

use incident_report::journey::{Continue, Position, Screen};
use incident_report::{
    AnswerError, DeliveryState, FormPage, Question, ReportForm, ReportId, StoredReport,
};
use leptos::either::Either;
use leptos::prelude::*;

use super::question_view::{Binding, ErrorSummary, FormGroup};
use super::status::ReportStatus;
use super::{NeedsWebAssembly, StateTag, YOUR_REPORTS_PATH, page_url};
use crate::components::ActionLink;
use crate::govuk::{BackLink, ErrorMessage, InsetText, Panel};
use crate::{APP_NAME, phone};
use guidance::contacts::SERVICE_DESK_PHONE;

/// Said when another tab or window sent this report while this one was still showing a page.
const SENT_ELSEWHERE: &str = "This report was sent from another tab or window on this phone, so \
    it can no longer be changed here. Anything typed here after that was not added to it.";

/// The page's heading when it is not the first question (a page of several equal questions).
fn own_heading(page: FormPage) -> Option<&'static str> {
    match page {
        FormPage::YourDetails => Some("How can the people handling your report reach you?"),
        FormPage::Check => Some("Check your answers before sending your report"),
        _ => None,
    }
}

fn title(screen: Screen, has_errors: bool) -> String {
    let name = match screen {
        Screen::Sent => "Your report",
        Screen::Page(page) => {
            own_heading(page).unwrap_or_else(|| page.questions().first().map_or("", |q| q.text()))
        }
    };
    let error = if has_errors { "Error: " } else { "" };
    format!("{error}{name} – {APP_NAME}")
}

/// The journey's state. Signals are cheap handles, so this is `Copy` and every handler holds it.
#[derive(Clone, Copy)]
struct Journey {
    screen: RwSignal<Screen>,
    id: RwSignal<Option<ReportId>>,
    form: RwSignal<ReportForm>,
    /// The answers as last read from or written to the phone: what this tab's changes are
    /// changes to, so that another tab's changes to other answers are kept, not overwritten.
    base: RwSignal<ReportForm>,
    /// The report as stored (its delivery state changes as the sender works).
    record: RwSignal<Option<StoredReport>>,
    errors: RwSignal<Vec<AnswerError>>,
    /// Why something could not be saved or started, in plain words.
    problem: RwSignal<Option<String>>,
    /// False until the report is loaded and answers can be saved.
    ready: RwSignal<bool>,
    /// Set when a page was opened from "Check your answers": Continue goes back there.
    from_check: RwSignal<bool>,
    /// Another report not sent yet, offered when a new one starts (so none is forgotten).
    unsent_draft: RwSignal<Option<ReportId>>,
}

impl Journey {
    fn new(screen: Screen) -> Self {
        Self {
            screen: RwSignal::new(screen),
            id: RwSignal::new(None),
            form: RwSignal::new(ReportForm::default()),
            base: RwSignal::new(ReportForm::default()),
            record: RwSignal::new(None),
            errors: RwSignal::new(Vec::new()),
            problem: RwSignal::new(None),
            ready: RwSignal::new(false),
            from_check: RwSignal::new(false),
            unsent_draft: RwSignal::new(None),
        }
    }

    /// The screen the address asks for.
    fn asked() -> Screen {
        phone::query("page").map_or(Screen::START, |slug| Screen::from_slug(&slug))
    }

    /// In the browser: finds (or starts) the report named in the address and shows it.
    fn open(self) {
        let named = phone::query("id").and_then(|text| ReportId::parse(&text).ok());
        let Some(this) = named.or_else(phone::new_report_id) else {
            self.problem.set(Some(
                "This browser cannot start a report. Phone the IT Service Desk instead.".to_owned(),
            ));
            return;
        };
        self.id.set(Some(this));
        let reports = self.reload();
        let stored = self.record.get_untracked();
        if let Some(stored) = &stored {
            self.form.set(stored.form().clone());
            self.base.set(stored.form().clone());
            if let DeliveryState::Rejected { reasons } = stored.delivery() {
                self.errors.set(reasons.clone());
            }
        }
        let start = self.allowed(Self::asked());
        self.screen.set(start);
        phone::show_page(
            &page_url(this, start.slug()),
            false,
            &title(start, false),
            "",
        );
        if named.is_none() {
            self.unsent_draft.set(latest_other_draft(this, &reports));
        }
        phone::on_reports_changed(move || {
            self.reload();
        });
        phone::on_reports_changed_elsewhere(move || self.take_changes_from_elsewhere());
        phone::on_history_move(move || {
            self.errors.set(Vec::new());
            self.screen.set(self.allowed(Self::asked()));
        });
        self.ready.set(true);
        phone::mark_hydrated();
    }

    /// `asked`, unless the report is already queued or sent: then it cannot be changed, and
    /// the confirmation shows where it is instead.
    fn allowed(self, asked: Screen) -> Screen {
        let editable = self
            .record
            .with_untracked(|stored| stored.as_ref().is_none_or(StoredReport::is_editable));
        asked.allowed(editable)
    }

    /// Reads this report's stored record again, and gives every stored report (none when they
    /// cannot be read: then the problem is shown).
    fn reload(self) -> Vec<StoredReport> {
        let Some(this) = self.id.get_untracked() else {
            return Vec::new();
        };
        match phone::reports() {
            Ok(reports) => {
                self.record
                    .set(reports.iter().find(|r| r.id() == this).cloned());
                reports
            }
            Err(why) => {
                self.problem.set(Some(why));
                Vec::new()
            }
        }
    }

    /// Shows `next` with its address and title, focusing its heading (or the error summary).
    fn show(self, next: Screen, push: bool) {
        let Some(this) = self.id.get_untracked() else {
            return;
        };
        self.screen.set(next);
        let has_errors = self.errors.with_untracked(|e| !e.is_empty());
        let focus = if has_errors {
            "error-summary"
        } else {
            "journey-heading"
        };
        phone::show_page(
            &page_url(this, next.slug()),
            push,
            &title(next, has_errors),
            focus,
        );
    }

    /// Another tab or window changed the stored reports: its answers to this report join this
    /// tab's, and if it sent the report, this tab stops offering to change it and says why.
    fn take_changes_from_elsewhere(self) {
        self.reload();
        let Some(stored) = self.record.get_untracked() else {
            return;
        };
        if stored.is_editable() {
            let base = self.base.get_untracked();
            if stored.form() != &base {
                let merged = self
                    .form
                    .with_untracked(|ours| ReportForm::merge(&base, ours, stored.form()));
                self.base.set(stored.form().clone());
                self.form.set(merged);
            }
        } else if matches!(self.screen.get_untracked(), Screen::Page(_)) {
            self.sent_elsewhere();
        }
    }

    /// Another tab sent this report: shows where it is, and says why the page changed.
    fn sent_elsewhere(self) {
        self.problem.set(Some(SENT_ELSEWHERE.to_owned()));
        self.show(Screen::Sent, false);
    }

    /// Saves the answers as they are now: this tab's changes since it last read or wrote them,
    /// joined to what is stored (another tab may have changed other answers). A refused report
    /// becomes a draft again once changed; a queued or sent one keeps its answers, and the
    /// person is told.
    fn save(self) {
        let Some(this) = self.id.get_untracked() else {
            return;
        };
        let (ours, base) = (self.form.get_untracked(), self.base.get_untracked());
        let saved = phone::update_reports(|reports| {
            if !reports.iter().any(|r| r.id() == this) {
                reports.push(StoredReport::start(this, phone::now_ms()));
                // A report now lives on this phone: ask the browser not to clear it.
                phone::keep_storage();
            }
            let report = reports.iter_mut().find(|r| r.id() == this)?;
            let merged = ReportForm::merge(&base, &ours, report.form());
            // Refused only for a report already queued or sent, which is not changed.
            report.edit(merged.clone()).ok().map(|()| merged)
        });
        match saved {
            Ok(Some(merged)) => {
                self.problem.set(None);
                self.base.set(merged.clone());
                if merged != ours {
                    self.form.set(merged);
                }
            }
            Ok(None) => {
                self.reload();
                self.sent_elsewhere();
            }
            Err(why) => self.problem.set(Some(why)),
        }
    }

    /// Where the person is: the page shown, and whether it was opened from "Check your answers".
    fn position(self) -> Option<Position> {
        let Screen::Page(page) = self.screen.get_untracked() else {
            return None;
        };
        Some(Position {
            page,
            from_check: self.from_check.get_untracked(),
        })
    }

    /// Opens `question` (from the error summary or "Check your answers").
    fn go_to(self, question: Question) {
        let Some(here) = self.position() else {
            return;
        };
        match here.change(question) {
            None => phone::focus(question.id()),
            Some(there) => {
                self.from_check.set(there.from_check);
                self.errors.set(Vec::new());
                self.show(Screen::Page(there.page), true);
            }
        }
    }

    /// "Continue" (or "Send report"): checks this page, then moves on or shows what is wrong.
    fn proceed(self) {
        let Some(here) = self.position() else {
            return;
        };
        // Without the phone's date, every rule is still checked but "not in the future".
        let today = phone::today().unwrap_or(time::Date::MAX);
        match self.form.with_untracked(|form| here.proceed(form, today)) {
            Continue::Fix(errors) => {
                self.errors.set(errors);
                self.show(Screen::Page(here.page), false);
            }
            Continue::Send => {
                self.errors.set(Vec::new());
                self.queue();
                self.show(Screen::Sent, true);
            }
            Continue::To(next) => {
                self.errors.set(Vec::new());
                self.show(Screen::Page(next), true);
            }
        }
    }

    /// "Back": the previous page that applies.
    fn back(self) {
        if let Some(here) = self.position()
            && let Some(previous) = self.form.with_untracked(|form| here.back(form))
        {
            self.errors.set(Vec::new());
            self.show(Screen::Page(previous), true);
        }
    }

    /// Queues the report (a refused one again, after changes) and wakes the sender.
    fn queue(self) {
        let Some(this) = self.id.get_untracked() else {
            return;
        };
        let queued = phone::update_reports(|reports| {
            let report = reports.iter_mut().find(|r| r.id() == this)?;
            // Refused only for a report already queued or sent: it stays as it is.
            let _ = report.submit();
            Some(report.clone())
        });
        match queued {
            Ok(report) => {
                self.record.set(report);
                phone::wake_sender();
            }
            Err(why) => self.problem.set(Some(why)),
        }
    }
}

/// The most recently started other report in `reports` still being written, if any.
fn latest_other_draft(this: ReportId, reports: &[StoredReport]) -> Option<ReportId> {
    reports
        .iter()
        .filter(|r| r.id() != this && r.delivery() == &DeliveryState::Draft)
        .max_by_key(|r| r.created_at_ms())
        .map(StoredReport::id)
}

/// The report form, starting on the page the address asks for (`?page=`).
#[island]
pub fn ReportJourney() -> impl IntoView {
    let journey = Journey::new(Screen::from_slug(&shown_page()));
    let online = phone::online();
    phone::after_hydrating(move || journey.open());
    let form = journey.form;
    view! {
        // The rehearsal build's markup differs inside the island, so a page hydrated by another
        // build's code would put the form's handlers on the wrong elements.
        {cfg!(feature = "deploy-rehearsal").then(|| view! { <span class="app-rehearsal"></span> })}
        <ErrorMessage message=journey.problem.into()/>
        <NeedsWebAssembly ready=journey.ready.into()/>
        {move || journey.unsent_draft.get().map(|other| view! {
            <InsetText>
                <p class="govuk-body">"You have started another report and not sent it yet."</p>
                <p class="govuk-body">
                    <a class="govuk-link" href=page_url(other, FormPage::Check.slug())><strong>"Continue that report"</strong></a>
                </p>
            </InsetText>
        })}
        {move || match journey.screen.get() {
            Screen::Sent => Either::Left(view! { <Confirmation record=journey.record online/> }),
            Screen::Page(page) => Either::Right(view! { <QuestionPage journey page/> }),
        }}
        <p class="govuk-body-s app-secondary">
            {move || form.with(|f| (journey.screen.get() != Screen::Sent && !f.answers().is_empty()).then(|| {
                format!("{}: your answers are saved on this phone as you type.", f.title())
            }))}
        </p>
    }
}

/// The slug of the page the HTML shows. In the browser that is the one the server rendered
/// (`ReportRoute` writes it beside the island), which is not the address's when the offline
/// worker answered with its stored copy of the form; hydrating must start from the same page.
fn shown_page() -> String {
    if cfg!(feature = "hydrate") {
        phone::rendered_journey_page().unwrap_or_default()
    } else {
        requested_page()
    }
}

/// The slug of the page the address asks for (`?page=`), as the server reads it.
pub(super) fn requested_page() -> String {
    leptos_router::hooks::use_query_map()
        .with_untracked(|query| query.get("page"))
        .unwrap_or_default()
}

/// One page of questions, or "Check your answers", with Back, the error summary and Continue.
#[component]
fn QuestionPage(journey: Journey, page: FormPage) -> impl IntoView {
    let form = journey.form;
    let ready = journey.ready;
    let binding = Binding {
        form,
        errors: journey.errors.into(),
        changed: Callback::new(move |()| journey.save()),
        locked: Signal::derive(move || !ready.get()),
    };
    let go_to = Callback::new(move |question| journey.go_to(question));
    view! {
        {move || form.with(|f| page.previous(f)).map(|_| view! {
            <BackLink on_back=Callback::new(move |()| journey.back())/>
        })}
        <form novalidate on:submit=move |event| {
            event.prevent_default();
            journey.proceed();
        }>
            <ErrorSummary errors=journey.errors.into() on_follow=go_to/>
            {(page == FormPage::WhatHappened).then(|| view! { <CallFirst/> })}
            {own_heading(page).map(|h| view! {
                <h1 class="govuk-heading-l" id="journey-heading" tabindex="-1">{h}</h1>
            })}
            {if page == FormPage::Check {
                Either::Left(view! { <CheckAnswers form on_change=go_to/> })
            } else {
                Either::Right(
                    page.questions()
                        .into_iter()
                        .enumerate()
                        .map(|(index, question)| {
                            let heading = index == 0 && own_heading(page).is_none();
                            view! { <FormGroup question heading binding/> }
                        })
                        .collect_view(),
                )
            }}
            {(page == FormPage::Check).then(|| view! {
                <h2 class="govuk-heading-m">"Now send your report"</h2>
                <p class="govuk-body">
                    "It is saved on this phone first, then sent. With no signal, it is sent by itself when you are back online."
                </p>
            })}
            <button type="submit" class="govuk-button" disabled=Signal::derive(move || !ready.get())>
                {if page == FormPage::Check { "Send report" } else { "Continue" }}
            </button>
        </form>
    }
}

/// Above the first question, however the form was reached (home, the home screen's shortcut, a
/// bookmark): the call the guidance puts first, for anyone who has not made it.
#[component]
fn CallFirst() -> impl IntoView {
    view! {
        <div class="govuk-inset-text app-call-first">
            <p class="govuk-body"><strong>"Have you phoned the IT Service Desk yet?"</strong></p>
            <p class="govuk-body">"If not, call them now, before you fill this in."</p>
            <div class="app-actions">
                <ActionLink action=&SERVICE_DESK_PHONE/>
            </div>
        </div>
    }
}

/// After "Send report": where the report is, until the server's reference is shown (then in a
/// GOV.UK confirmation panel).
#[component]
fn Confirmation(record: RwSignal<Option<StoredReport>>, online: ReadSignal<bool>) -> impl IntoView {
    let delivered = move || {
        record.with(|r| {
            r.as_ref()
                .is_some_and(|r| matches!(r.delivery(), DeliveryState::Delivered { .. }))
        })
    };
    view! {
        {move || if delivered() {
            Either::Left(view! {
                <Panel title="Report sent">{format!("This service has your report and passes it to {}.", crate::settings::recipient())}</Panel>
            })
        } else {
            Either::Right(view! {
                <h1 class="govuk-heading-l" id="journey-heading" tabindex="-1">
                    {move || record.with(|r| match r.as_ref().map(StoredReport::delivery) {
                        Some(DeliveryState::Rejected { .. }) => "Your report needs changes",
                        Some(DeliveryState::Queued { .. } | DeliveryState::Sending { .. }) => {
                            "Report saved on this phone"
                        }
                        _ => "Report not sent yet",
                    })}
                </h1>
            })
        }}
        {move || record.get().map(|report| view! {
            <p class="govuk-body"><StateTag state=report.delivery().clone()/></p>
            <ReportStatus report online/>
        })}
        <p class="govuk-body"><a class="govuk-link" href=YOUR_REPORTS_PATH>"See all your reports"</a></p>
        <p class="govuk-body"><a class="govuk-link" href="/">"Back to what to do now"</a></p>
    }
}

/// "Check your answers": every question asked, its answer, and a link to change it.
#[component]
fn CheckAnswers(form: RwSignal<ReportForm>, on_change: Callback<Question>) -> impl IntoView {
    let rows = move || {
        form.with(|f| {
            let answers = f.answers();
            FormPage::ALL
                .into_iter()
                .filter(|page| page.applies(f))
                .flat_map(FormPage::questions)
                .filter(|&question| f.asks(question))
                .map(|question| {
                    let answer = answers
                        .iter()
                        .find(|(asked, _)| *asked == question)
                        .map_or_else(|| "Not given".to_owned(), |(_, a)| a.clone());
                    view! {
                        <div class="govuk-summary-list__row">
                            <dt class="govuk-summary-list__key">{question.text()}</dt>
                            <dd class="govuk-summary-list__value">{answer}</dd>
                            <dd class="govuk-summary-list__actions">
                                <a class="govuk-link" href=format!("?page={}", FormPage::of(question).slug()) on:click=move |event| {
                                    event.prevent_default();
                                    on_change.run(question);
                                }>
                                    "Change"
                                    <span class="govuk-visually-hidden">{format!(" {}", question.text())}</span>
                                </a>
                            </dd>
                        </div>
                    }
                })
                .collect_view()
        })
    };
    view! { <dl class="govuk-summary-list">{rows}</dl> }
}
