//! The report journey, one island: a question page at a time, "Check your answers", then the
//! confirmation, which follows the report until the server has it.
//!
//! Once its code runs, every change is saved to the phone at once (`phone::update_reports`). The
//! address bar carries the report's id and page, so reload, back and reopening the app return to
//! the same place; the page itself never needs the network.
//!
//! Before that code arrives, or where it never does, each page is a plain HTML form that the
//! server answers (`POST /report`, by the same rules: `incident_report::journey`); the code then
//! takes over from the page as it stands ([`JourneyStart`]).

use incident_report::answer_slots::DatePart;
use incident_report::journey::{Continue, Go, Position, PostedPage, Screen, field};
use incident_report::{
    AnswerError, DeliveryState, FormPage, Question, ReportForm, ReportId, StoredReport,
};
use leptos::either::Either;
use leptos::prelude::*;

use super::question_view::{Binding, ErrorSummary, FormGroup};
use super::status::ReportStatus;
use super::{NeedsWebAssembly, REPORT_PATH, StateTag, YOUR_REPORTS_PATH, page_url};
use crate::components::ActionLink;
use crate::govuk::{ErrorMessage, InsetText, Panel};
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

pub(super) fn title(screen: Screen, has_errors: bool) -> String {
    let name = match screen {
        Screen::Sent => "Your report",
        Screen::Page(page) => {
            own_heading(page).unwrap_or_else(|| page.questions().first().map_or("", |q| q.text()))
        }
    };
    let error = if has_errors { "Error: " } else { "" };
    format!("{error}{name} – {APP_NAME}")
}

/// The state a journey page is rendered in. On the server: as the plain HTML form's handler
/// left it (given as context), or as the address asks. In the browser: read back from the
/// rendered page before it is hydrated (its form's fields and the journey's `data-` attributes),
/// so hydration starts from the state the HTML shows, and what was typed before the app's code
/// arrived is kept.
#[derive(Debug, Clone)]
pub struct JourneyStart {
    /// The screen shown.
    pub screen: Screen,
    /// The page was opened from "Check your answers".
    pub from_check: bool,
    /// The report's id, once the plain form has given it one.
    pub id: Option<ReportId>,
    /// Every answer so far.
    pub form: ReportForm,
    /// What to fix on this page.
    pub errors: Vec<AnswerError>,
    /// The server's reference, when the plain form has sent the report.
    pub reference: Option<String>,
    /// Why something did not work, in plain words.
    pub problem: Option<String>,
}

impl JourneyStart {
    /// `screen`, with nothing answered yet.
    pub fn at(screen: Screen) -> Self {
        Self {
            screen,
            from_check: false,
            id: None,
            form: ReportForm::default(),
            errors: Vec::new(),
            reference: None,
            problem: None,
        }
    }

    /// The state to render this page in (see the type's docs).
    fn current() -> Self {
        if cfg!(feature = "hydrate") {
            Self::rendered()
        } else {
            Self::on_server()
        }
    }

    /// On the server: as the plain form's handler left it, or as the address asks.
    pub(super) fn on_server() -> Self {
        use_context::<Self>().unwrap_or_else(|| Self::at(Screen::from_slug(&requested_page())))
    }

    /// The state the server rendered, read back from the page.
    fn rendered() -> Self {
        let fields = phone::journey_fields();
        let posted = PostedPage::read(fields.iter().map(|(n, v)| (n.as_str(), v.as_str())));
        let screen = Screen::from_slug(&phone::journey_attribute("data-page").unwrap_or_default());
        let flagged = phone::journey_attribute("data-errors").unwrap_or_default();
        let errors = match (screen, phone::today()) {
            (Screen::Page(page), Some(today)) if !flagged.is_empty() => {
                match (Position {
                    page,
                    ..posted.position
                })
                .proceed(&posted.form, today)
                {
                    Continue::Fix(errors) => errors
                        .into_iter()
                        .filter(|e| flagged.split(' ').any(|id| id == e.question.id()))
                        .collect(),
                    Continue::To(_) | Continue::Send => Vec::new(),
                }
            }
            _ => Vec::new(),
        };
        Self {
            screen,
            from_check: posted.position.from_check,
            id: posted.id,
            form: posted.form,
            errors,
            reference: phone::journey_attribute("data-reference"),
            problem: phone::journey_attribute("data-problem"),
        }
    }

    /// The questions with errors, as the page records them for the browser.
    pub fn flagged_errors(&self) -> String {
        let ids: Vec<&str> = self.errors.iter().map(|e| e.question.id()).collect();
        ids.join(" ")
    }
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
    /// The server's reference for a report the plain HTML form sent before this code ran.
    sent_by_form: RwSignal<Option<String>>,
}

impl Journey {
    fn new(start: &JourneyStart) -> Self {
        Self {
            screen: RwSignal::new(start.screen),
            id: RwSignal::new(start.id),
            form: RwSignal::new(start.form.clone()),
            base: RwSignal::new(ReportForm::default()),
            record: RwSignal::new(None),
            errors: RwSignal::new(start.errors.clone()),
            problem: RwSignal::new(start.problem.clone()),
            ready: RwSignal::new(false),
            from_check: RwSignal::new(start.from_check),
            unsent_draft: RwSignal::new(None),
            sent_by_form: RwSignal::new(start.reference.clone()),
        }
    }

    /// The screen the address asks for.
    fn asked() -> Screen {
        phone::query("page").map_or(Screen::START, |slug| Screen::from_slug(&slug))
    }

    /// In the browser: finds (or starts) the report named in the address (or carried by the
    /// plain HTML form) and shows it. Answers the page carried or had typed into it before this
    /// code ran join the phone's copy, so nothing given before is lost.
    fn open(self) {
        let named = phone::query("id").and_then(|text| ReportId::parse(&text).ok());
        let carried = self.id.get_untracked();
        let Some(this) = named.or(carried).or_else(phone::new_report_id) else {
            self.problem.set(Some(
                "This browser cannot start a report. Phone the IT Service Desk instead.".to_owned(),
            ));
            return;
        };
        self.id.set(Some(this));
        if let Some(reference) = self.sent_by_form.get_untracked() {
            self.record_sent_by_form(this, reference);
        }
        let reports = self.reload();
        let stored = self.record.get_untracked();
        let from_page = self.form.get_untracked();
        if let Some(stored) = &stored {
            let joined = ReportForm::merge(&ReportForm::default(), &from_page, stored.form());
            self.base.set(stored.form().clone());
            self.form.set(joined);
            if let DeliveryState::Rejected { reasons } = stored.delivery() {
                self.errors.set(reasons.clone());
            }
        }
        // A page the plain form led to is at `/report`, with the page in the form; any other
        // address names its page (the worker's stored copy may show another).
        let start = if named.is_none() && carried.is_some() {
            self.allowed(self.screen.get_untracked())
        } else {
            self.allowed(Self::asked())
        };
        self.screen.set(start);
        let has_errors = self.errors.with_untracked(|e| !e.is_empty());
        phone::show_page(
            &page_url(this, start.slug()),
            false,
            &title(start, has_errors),
            "",
        );
        if named.is_none() && carried.is_none() {
            self.unsent_draft.set(latest_other_draft(this, &reports));
        }
        if self.form.get_untracked() != self.base.get_untracked()
            && matches!(start, Screen::Page(_))
        {
            self.save();
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

    /// Lists a report the plain HTML form sent (before this code ran) with the phone's own, as
    /// delivered under `reference`.
    fn record_sent_by_form(self, this: ReportId, reference: String) {
        let form = self.form.get_untracked();
        let recorded = phone::update_reports(|reports| {
            if !reports.iter().any(|r| r.id() == this) {
                let sent =
                    StoredReport::sent_by_form(this, form, reference, phone::now_ms()).ok()?;
                reports.push(sent);
            }
            Some(())
        });
        if let Err(why) = recorded {
            self.problem.set(Some(why));
        }
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

/// The report form, starting on the page the address asks for (`?page=`), or the one the plain
/// HTML form led to.
#[island]
pub fn ReportJourney() -> impl IntoView {
    let journey = Journey::new(&JourneyStart::current());
    let online = phone::online();
    phone::after_hydrating(move || journey.open());
    let form = journey.form;
    view! {
        // The rehearsal build's markup differs inside the island, so a page hydrated by another
        // build's code would put the form's handlers on the wrong elements.
        {cfg!(feature = "deploy-rehearsal").then(|| view! { <span class="app-rehearsal"></span> })}
        <ErrorMessage message=journey.problem.into()/>
        <NeedsWebAssembly ready=journey.ready.into() plain_form=true/>
        {move || journey.unsent_draft.get().map(|other| view! {
            <InsetText>
                <p class="govuk-body">"You have started another report and not sent it yet."</p>
                <p class="govuk-body">
                    <a class="govuk-link" href=page_url(other, FormPage::Check.slug())><strong>"Continue that report"</strong></a>
                </p>
            </InsetText>
        })}
        {move || match journey.screen.get() {
            Screen::Sent => Either::Left(view! { <Confirmation record=journey.record sent_by_form=journey.sent_by_form online/> }),
            Screen::Page(page) => Either::Right(view! { <QuestionPage journey page/> }),
        }}
        <p class="govuk-body-s app-secondary">
            {move || form.with(|f| (journey.ready.get() && journey.screen.get() != Screen::Sent && !f.answers().is_empty()).then(|| {
                format!("{}: your answers are saved on this phone as you type.", f.title())
            }))}
        </p>
    }
}

/// The slug of the page the address asks for (`?page=`), as the server reads it.
fn requested_page() -> String {
    leptos_router::hooks::use_query_map()
        .with_untracked(|query| query.get("page"))
        .unwrap_or_default()
}

/// One page of questions, or "Check your answers", with Back, the error summary and Continue.
///
/// Each page is also a plain HTML form, which works before the app's code has arrived or where
/// it never does (WebAssembly turned off): its buttons post the page to the server, with the
/// other pages' answers in hidden inputs, and the server answers with the page they lead to.
/// Once the code runs, it handles the same buttons on the phone and nothing is posted.
#[component]
fn QuestionPage(journey: Journey, page: FormPage) -> impl IntoView {
    let form = journey.form;
    let ready = journey.ready;
    let binding = Binding {
        form,
        errors: journey.errors.into(),
        changed: Callback::new(move |()| journey.save()),
        locked: Signal::derive(move || cfg!(feature = "hydrate") && !ready.get()),
        live: Signal::derive(move || cfg!(feature = "hydrate") && ready.get()),
    };
    let go_to = Callback::new(move |question| journey.go_to(question));
    // The hidden inputs: the answers (those the page's own inputs do not show, or all of them)
    // and the journey's place. "Back" posts a form of its own with every answer, so that Enter in
    // an answer presses Continue, the main form's first button; what was typed on this page since
    // it was shown is not kept, as with any back link.
    let hidden = move |every_answer: bool| {
        let shown_here = input_names(page);
        let mut fields: Vec<(&'static str, String)> = form
            .with_untracked(ReportForm::fields)
            .into_iter()
            .filter(|(name, _)| every_answer || !shown_here.contains(name))
            .collect();
        fields.push((field::PAGE, page.slug().to_owned()));
        if let Some(id) = journey.id.get_untracked() {
            fields.push((field::REPORT_ID, id.to_string()));
        }
        if journey.from_check.get_untracked() {
            fields.push((field::FROM_CHECK, "yes".to_owned()));
        }
        fields
    };
    view! {
        {move || form.with(|f| page.previous(f)).map(|_| view! {
            <form method="post" action=REPORT_PATH class="app-back-form">
                <HiddenFields fields=hidden(true)/>
                <button type="submit" name=field::GO value=Go::Back.value() class="govuk-back-link app-link-button" on:click=move |event| {
                    event.prevent_default();
                    journey.back();
                }>"Back"</button>
            </form>
        })}
        <form method="post" action=REPORT_PATH novalidate on:submit=move |event| {
            event.prevent_default();
            journey.proceed();
        }>
            <HiddenFields fields=hidden(false)/>
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
                        // Follow-ups are drawn inside the radios that reveal them.
                        .filter(|question| question.revealed_by().is_none())
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
                <p class="govuk-body">{move || send_words(ready.get())}</p>
            })}
            <button data-module="govuk-button" type="submit" name=field::GO value=Go::Continue.value() class="govuk-button" disabled=binding.locked>
                {if page == FormPage::Check { "Send report" } else { "Continue" }}
            </button>
        </form>
    }
}

/// What "Send report" does, in words true of how the form runs: as plain HTML (before or
/// without the app's code) it posts to the server at once; with the app's code it keeps the report
/// on the phone first, and how it goes without signal depends on the browser.
fn send_words(app_code_runs: bool) -> &'static str {
    if !app_code_runs {
        return SENT_STRAIGHT_AWAY;
    }
    if phone::sends_with_the_app_closed() {
        "Your report is kept on this phone first, then sent. With no signal, it is sent by itself as soon as there is signal, even if you close the app."
    } else {
        "Your report is kept on this phone first, then sent. With no signal, it is sent the next time this app is open with signal."
    }
}

/// What "Send report" does while the form works as plain HTML.
pub const SENT_STRAIGHT_AWAY: &str = "Pressing “Send report” sends it to this service straight away, so you need signal. Without signal, phone the IT Service Desk instead.";

/// The names of the inputs `page` shows.
fn input_names(page: FormPage) -> Vec<&'static str> {
    page.questions()
        .into_iter()
        .flat_map(|question| {
            if question == Question::Date {
                DatePart::ALL.iter().map(|part| part.id()).collect()
            } else {
                vec![question.id()]
            }
        })
        .collect()
}

/// Hidden inputs that carry `fields` with a plain HTML form.
#[component]
fn HiddenFields(fields: Vec<(&'static str, String)>) -> impl IntoView {
    fields
        .into_iter()
        .map(|(name, value)| view! { <input type="hidden" name=name value=value/> })
        .collect_view()
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
fn Confirmation(
    record: RwSignal<Option<StoredReport>>,
    sent_by_form: RwSignal<Option<String>>,
    online: ReadSignal<bool>,
) -> impl IntoView {
    let delivered = move || {
        sent_by_form.with(Option::is_some)
            || record.with(|r| {
                r.as_ref()
                    .is_some_and(|r| matches!(r.delivery(), DeliveryState::Delivered { .. }))
            })
    };
    // Until the phone lists it, a report the plain form sent shows its reference here.
    let form_reference = move || {
        record
            .with(Option::is_none)
            .then(|| sent_by_form.get())
            .flatten()
    };
    view! {
        {move || if delivered() {
            Either::Left(view! {
                <Panel title="Report sent">"The service has received your report."</Panel>
            })
        } else {
            Either::Right(view! {
                <h1 class="govuk-heading-l" id="journey-heading" tabindex="-1">
                    {move || record.with(|r| match r.as_ref().map(StoredReport::delivery) {
                        Some(DeliveryState::Rejected { .. }) => "Your report needs changes",
                        Some(DeliveryState::Queued { .. } | DeliveryState::Sending { .. }) => {
                            "Report waiting to be sent"
                        }
                        _ => "Report not sent yet",
                    })}
                </h1>
            })
        }}
        {move || form_reference().map(|reference| view! {
            <p class="govuk-body">"Your reference number is"</p>
            <p class="govuk-body app-reference"><strong>{reference}</strong></p>
        })}
        {move || record.get().map(|report| view! {
            <p class="govuk-body"><StateTag state=report.delivery().clone()/></p>
            <ReportStatus report=report.clone() online/>
            <WhatHappensNext report/>
        })}
        <p class="govuk-body"><a class="govuk-link" href=YOUR_REPORTS_PATH>"See all your reports"</a></p>
        <p class="govuk-body"><a class="govuk-link" href="/">"Back to what to do now"</a></p>
    }
}

/// After "Send report": what becomes of the report, and the guidance's steps the person said
/// they had not done yet, with their calls.
#[component]
fn WhatHappensNext(report: StoredReport) -> impl IntoView {
    let recipient = crate::settings::recipient();
    let steps = report.form().steps_not_done();
    view! {
        <h2 class="govuk-heading-m">"What happens next"</h2>
        <p class="govuk-body">{format!("The service passes your report to {recipient}. When this app is open with signal, it checks what has become of your report and shows it in “Your reports”: passed on, seen, and closed.")}</p>
        {(!steps.is_empty()).then(|| view! {
            <h2 class="govuk-heading-m">"You said you have not done these yet"</h2>
            <ol class="govuk-list govuk-list--number app-still-to-do">
                {steps.into_iter().map(|step| view! {
                    <li>
                        <p class="govuk-body"><strong>{step.title}</strong></p>
                        <p class="govuk-body">{step.detail}</p>
                        {(!step.actions.is_empty()).then(|| view! {
                            <div class="app-actions">
                                {step.actions.iter().map(|action| view! { <ActionLink action/> }).collect_view()}
                            </div>
                        })}
                    </li>
                }).collect_view()}
            </ol>
        })}
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
                                <button type="submit" name=field::GO value=Go::Change(question).value() class="govuk-link app-link-button" on:click=move |event| {
                                    event.prevent_default();
                                    on_change.run(question);
                                }>
                                    "Change"
                                    <span class="govuk-visually-hidden">{format!(" {}", question.text())}</span>
                                </button>
                            </dd>
                        </div>
                    }
                })
                .collect_view()
        })
    };
    view! { <dl class="govuk-summary-list">{rows}</dl> }
}
