//! The team's view: the pages the people who receive reports use to see, acknowledge and close
//! them, in the GOV.UK look. Rendered by the server only, as whole documents with no scripts
//! (every action is a plain form), from plain data the server reads from its store: this crate
//! knows nothing of where it came from. Never stored by the offline worker.

pub use incident_report::progress::Outcome;
use incident_report::progress::{PassedOn, TeamState};
use leptos::prelude::*;

use crate::govuk::{Tag, TagColour, WarningText};
use crate::{APP_NAME, DocumentHead};

/// The team's list of reports.
pub const TEAM_PATH: &str = "/team";
/// The counts page.
pub const COUNTS_PATH: &str = "/team/counts";
/// The reports the list's filter finds, as CSV (the same filter in the query).
pub const EXPORT_CSV_PATH: &str = "/team/reports.csv";
/// The same, as JSON.
pub const EXPORT_JSON_PATH: &str = "/team/reports.json";
/// Signing out (`POST`).
pub const SIGN_OUT_PATH: &str = "/team/sign-out";
/// The name of every form's CSRF token field.
pub const CSRF_FIELD: &str = "csrf";
/// The longest reason for erasing personal details.
pub const REASON_LIMIT: usize = 500;
/// The longest internal note.
pub const NOTE_LIMIT: usize = 2000;

/// The page of the report with `reference`.
pub fn report_path(reference: &str) -> String {
    format!("/team/reports/{reference}")
}

/// The signed-in member of the team, as the header shows them, and their session's CSRF token.
#[derive(Debug, Clone)]
pub struct Member {
    /// Their name.
    pub name: String,
    /// Their email address (how the team's records name them).
    pub email: String,
    /// The token each form carries.
    pub csrf: String,
}

/// One row of the list.
#[derive(Debug, Clone)]
pub struct ListRow {
    /// Its reference.
    pub reference: String,
    /// When it was received, in words.
    pub received: String,
    /// What happened, to which kind of device.
    pub title: String,
    /// Passing it on.
    pub passed_on: PassedOn,
    /// The team's state.
    pub state: TeamState,
}

/// The list page.
#[derive(Debug, Clone)]
pub struct ListView {
    /// Who is signed in.
    pub member: Member,
    /// The reports shown, newest first.
    pub rows: Vec<ListRow>,
    /// A link for each state, with how many reports the rest of the filter finds in it.
    pub states: Vec<StateLink>,
    /// The filter as it was asked for (shown back in its fields).
    pub search: ListSearch,
    /// How many reports the whole filter finds.
    pub matched: u64,
    /// The next page, of older reports, when there is one.
    pub older: Option<String>,
    /// The first page, when this is a later one.
    pub newest: Option<String>,
    /// The query of the filter shown (`?what=stolen…`, or empty), for the download links.
    pub filter_query: String,
    /// What is wrong with the filter, by field.
    pub errors: Vec<(&'static str, String)>,
    /// What the last walk of the audit trail found.
    pub trail: TrailCheck,
}

/// One state the list can be narrowed to.
#[derive(Debug, Clone)]
pub struct StateLink {
    /// Its name.
    pub words: &'static str,
    /// How many reports are in it.
    pub count: u64,
    /// The list in that state, the rest of the filter kept.
    pub href: String,
    /// Whether the list shows it now.
    pub current: bool,
}

/// The list's filter as typed, to show it back; the names are the address's.
#[derive(Debug, Clone, Default)]
pub struct ListSearch {
    /// The state chosen (`new`, `held-back` …), kept when the rest changes.
    pub state: String,
    /// The reference or text searched for.
    pub q: String,
    /// Received on or after this day (`2026-12-03`).
    pub from: String,
    /// Received on or before this day.
    pub to: String,
    /// What happened (a choice's value).
    pub what: String,
    /// The kind of device (a choice's value).
    pub device: String,
}

/// What the last walk of the whole audit trail found, shown on the team's pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrailCheck {
    /// Every entry follows the one before it.
    Intact {
        /// How many entries the trail has.
        rows: u64,
    },
    /// Entry `seq` was changed or slipped in, or the one before it removed.
    ChangedAt {
        /// The entry's number.
        seq: i64,
    },
    /// Every entry follows the one before it, but an earlier check found more: the newest
    /// entries were removed.
    Shortened {
        /// How many entries the trail has.
        rows: u64,
        /// How many an earlier check found.
        seen: u64,
    },
    /// The trail could not be read just now.
    NotChecked,
}

/// One destination's delivery, on a report's page.
#[derive(Debug, Clone)]
pub struct DeliveryRow {
    /// The destination.
    pub destination: String,
    /// Where it is.
    pub passed_on: PassedOn,
    /// Attempts made.
    pub attempts: u32,
    /// Why it failed last, if it did.
    pub reason: Option<String>,
    /// When it was delivered, in words.
    pub delivered: Option<String>,
}

/// One row of the audit trail.
#[derive(Debug, Clone)]
pub struct AuditRow {
    /// When, in words.
    pub at: String,
    /// Who.
    pub who: String,
    /// What, in words.
    pub what: String,
    /// From which address.
    pub address: String,
}

/// One answer on a report's page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswerRow {
    /// The question, as the form asked it.
    pub question: String,
    /// The answer in words.
    pub answer: String,
    /// A `tel:` or `mailto:` address for it (the reporter's phone number and email).
    pub link: Option<String>,
}

/// A report's answers on its page, or why they are not shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answers {
    /// Each answer by its question, in form order.
    Kept(Vec<AnswerRow>),
    /// Removed after the retention period.
    Removed,
    /// Stored, but this build cannot read them; `id` is the report's id, for the administrator.
    Unreadable {
        /// The report's id.
        id: String,
    },
}

/// A report's page.
#[derive(Debug, Clone)]
pub struct ReportView {
    /// Who is signed in.
    pub member: Member,
    /// Its reference.
    pub reference: String,
    /// What happened, to which kind of device.
    pub title: String,
    /// When it was received, in words.
    pub received: String,
    /// The team's state.
    pub state: TeamState,
    /// The answers, or why they are not shown.
    pub answers: Answers,
    /// Who acknowledged it and when.
    pub acknowledged: Option<(String, String)>,
    /// Who closed it, when, the outcome and the note.
    pub closed: Option<(String, String, String, Option<String>)>,
    /// Its deliveries.
    pub deliveries: Vec<DeliveryRow>,
    /// Every view and action.
    pub audit: Vec<AuditRow>,
    /// What the last walk of the whole audit trail found.
    pub trail: TrailCheck,
    /// What the last action did, for the banner.
    pub notice: Option<String>,
    /// Who in the team owns it, if anyone.
    pub owner: Option<String>,
    /// The team's running notes, oldest first.
    pub notes: Vec<NoteRow>,
    /// What is wrong with a form as posted: (field id, message).
    pub errors: Vec<(&'static str, String)>,
    /// The forms as posted, to show again with their errors.
    pub posted: Posted,
}

/// What a form on the report's page was posted with, to show again beside its errors.
#[derive(Debug, Clone, Default)]
pub struct Posted {
    /// The outcome chosen to close it.
    pub outcome: Option<String>,
    /// The internal note written to close it.
    pub note: String,
    /// A running note being added.
    pub note_text: String,
    /// The reason given for erasing the personal details.
    pub erase_reason: String,
}

/// The counts page: tables of figures, one row per month.
#[derive(Debug, Clone)]
pub struct CountsView {
    /// Who is signed in.
    pub member: Member,
    /// The tables.
    pub tables: Vec<CountTable>,
}

/// One table of figures.
#[derive(Debug, Clone)]
pub struct CountTable {
    /// What it shows.
    pub caption: String,
    /// Its column headings, the first the row's.
    pub headers: Vec<String>,
    /// Its rows.
    pub rows: Vec<Vec<String>>,
}

/// The counts page.
pub fn counts_page(options: &LeptosOptions, counts: CountsView) -> String {
    let CountsView { member, tables } = counts;
    let empty = tables.iter().all(|table| table.rows.is_empty());
    let body = view! {
        <p class="govuk-body"><a class="govuk-back-link" href=TEAM_PATH>"All reports"</a></p>
        <h1 class="govuk-heading-l">"Counts"</h1>
        <p class="govuk-body">"Reports received in the last 12 months, by month in UK time. Counted from what is kept after the answers are removed, so the figures stay true."</p>
        {empty.then(|| view! { <p class="govuk-body">"No reports were received in the last 12 months."</p> })}
        {(!empty).then(|| tables.into_iter().map(|table| view! {
            <table class="govuk-table">
                <caption class="govuk-table__caption govuk-table__caption--m">{table.caption}</caption>
                <thead class="govuk-table__head">
                    <tr class="govuk-table__row">
                        {table.headers.into_iter().enumerate().map(|(n, header)| view! {
                            <th scope="col" class=if n == 0 { "govuk-table__header" } else { "govuk-table__header govuk-table__header--numeric" }>{header}</th>
                        }).collect_view()}
                    </tr>
                </thead>
                <tbody class="govuk-table__body">
                    {table.rows.into_iter().map(|row| view! {
                        <tr class="govuk-table__row">
                            {row.into_iter().enumerate().map(|(n, cell)| if n == 0 {
                                view! { <th scope="row" class="govuk-table__header">{cell}</th> }.into_any()
                            } else {
                                view! { <td class="govuk-table__cell govuk-table__cell--numeric">{cell}</td> }.into_any()
                            }).collect_view()}
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        }).collect_view())}
    };
    document(options, "Counts", Some(member), body)
}

/// One of the team's running notes.
#[derive(Debug, Clone)]
pub struct NoteRow {
    /// When, in words.
    pub at: String,
    /// Who wrote it.
    pub who: String,
    /// What it says.
    pub text: String,
}

/// A page that only says something (signed out, no access, an expired form).
#[derive(Debug, Clone)]
pub struct MessageView {
    /// Who is signed in, if anyone.
    pub member: Option<Member>,
    /// The heading.
    pub title: String,
    /// The paragraphs.
    pub lines: Vec<String>,
    /// A link onwards: (href, words).
    pub link: Option<(String, String)>,
}

/// The document around a team page.
fn document(
    options: &LeptosOptions,
    title: &str,
    member: Option<Member>,
    body: impl IntoView + 'static,
) -> String {
    let title = format!("{title} – {APP_NAME} team");
    let options = options.clone();
    Owner::new().with(move || {
        view! {
            <!DOCTYPE html>
            <html lang="en-GB" class="govuk-template">
                <head>
                    <DocumentHead options scripts=false/>
                    <title>{title}</title>
                </head>
                <body class="govuk-template__body">
                    <a href="#main" class="govuk-skip-link" data-module="govuk-skip-link">"Skip to main content"</a>
                    <TeamHeader member/>
                    <div class="govuk-width-container">
                        <main id="main" class="govuk-main-wrapper" tabindex="-1">{body}</main>
                    </div>
                </body>
            </html>
        }
        .to_html()
    })
}

/// The header: the view's name, and who is signed in with "Sign out".
#[component]
fn TeamHeader(member: Option<Member>) -> impl IntoView {
    view! {
        <header class="govuk-generic-header">
            <div class="govuk-generic-header__container govuk-width-container">
                <div class="govuk-generic-header__logo">
                    <a href=TEAM_PATH class="govuk-generic-header__homepage-link">{format!("{APP_NAME}: reports")}</a>
                </div>
            </div>
        </header>
        {member.map(|member| view! {
            <section class="govuk-service-navigation" aria-label="Team navigation" data-module="govuk-service-navigation">
                <div class="govuk-width-container">
                    <div class="govuk-service-navigation__container app-team-bar">
                        <nav aria-label="Team" class="govuk-service-navigation__wrapper">
                            <ul class="govuk-service-navigation__list">
                                <li class="govuk-service-navigation__item">
                                    <a class="govuk-service-navigation__link" href=TEAM_PATH>"All reports"</a>
                                </li>
                            </ul>
                        </nav>
                        <p class="govuk-body-s app-team-bar__who">{format!("Signed in as {}", member.name)}</p>
                        <form method="post" action=SIGN_OUT_PATH>
                            <input type="hidden" name=CSRF_FIELD value=member.csrf/>
                            <button data-module="govuk-button" type="submit" class="govuk-button govuk-button--secondary app-team-bar__sign-out">"Sign out"</button>
                        </form>
                    </div>
                </div>
            </section>
        })}
    }
}

fn state_tag(state: TeamState) -> impl IntoView {
    let (text, colour) = match state {
        TeamState::New => ("New", TagColour::Blue),
        TeamState::Acknowledged => ("Acknowledged", TagColour::Yellow),
        TeamState::Closed => ("Closed", TagColour::Grey),
    };
    view! { <Tag text colour/> }
}

fn passed_on_tag(passed_on: PassedOn) -> impl IntoView {
    let (text, colour) = match passed_on {
        PassedOn::Delivered => ("Passed on", TagColour::Green),
        PassedOn::Trying => ("Still trying", TagColour::Grey),
        PassedOn::HeldBack => ("Held back", TagColour::Red),
    };
    view! { <Tag text colour/> }
}

/// The list of reports, with its filter and search.
pub fn list_page(options: &LeptosOptions, list: ListView) -> String {
    let ListView {
        member,
        rows,
        states,
        search,
        matched,
        older,
        newest,
        filter_query,
        errors,
        trail,
    } = list;
    let empty = rows.is_empty();
    let title = if errors.is_empty() {
        "Reports"
    } else {
        "Error: Reports"
    };
    let body = view! {
        <ErrorSummary errors=errors.clone()/>
        <h1 class="govuk-heading-l">"Reports"</h1>
        <p class="govuk-body"><a class="govuk-link" href=COUNTS_PATH>"Counts by month"</a></p>
        <nav aria-label="Filter by state" class="app-team-filter">
            <ul class="govuk-list app-team-filter__list">
                {states.into_iter().map(|link| {
                    let words = format!("{} ({})", link.words, link.count);
                    view! {
                        <li>
                            <a class="govuk-link" href=link.href aria-current=link.current.then_some("page")>
                                {if link.current { view! { <strong>{words}</strong> }.into_any() } else { words.into_any() }}
                            </a>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </nav>
        <ListFilter search errors/>
        <p class="govuk-body" id="matched">{match matched {
            1 => "1 report matches.".to_owned(),
            n => format!("{n} reports match."),
        }}</p>
        {(!empty).then(|| view! {
            <p class="govuk-body">
                "Download these reports: "
                <a class="govuk-link" href=format!("{EXPORT_CSV_PATH}{filter_query}") download="">"CSV, for a spreadsheet"</a>
                " or "
                <a class="govuk-link" href=format!("{EXPORT_JSON_PATH}{filter_query}") download="">"JSON"</a>
                ". Each download is written to the audit trail."
            </p>
        })}
        {empty.then(|| view! {
            <p class="govuk-body">"There are no reports here."</p>
        })}
        {(!empty).then(|| view! {
            <table class="govuk-table">
                <caption class="govuk-table__caption govuk-visually-hidden">"Reports, newest first"</caption>
                <thead class="govuk-table__head">
                    <tr class="govuk-table__row">
                        <th scope="col" class="govuk-table__header">"Reference"</th>
                        <th scope="col" class="govuk-table__header">"Received"</th>
                        <th scope="col" class="govuk-table__header">"What happened"</th>
                        <th scope="col" class="govuk-table__header">"Passed on"</th>
                        <th scope="col" class="govuk-table__header">"State"</th>
                    </tr>
                </thead>
                <tbody class="govuk-table__body">
                    {rows.into_iter().map(|row| view! {
                        <tr class="govuk-table__row">
                            <td class="govuk-table__cell">
                                <a class="govuk-link" href=report_path(&row.reference)>{row.reference.clone()}</a>
                            </td>
                            <td class="govuk-table__cell">{row.received}</td>
                            <td class="govuk-table__cell">{row.title}</td>
                            <td class="govuk-table__cell">{passed_on_tag(row.passed_on)}</td>
                            <td class="govuk-table__cell">{state_tag(row.state)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        })}
        <Pages newest older/>
        <TrailLine trail/>
    };
    document(options, title, Some(member), body)
}

/// Links to the first page of the list and to the next, older one, where there are.
#[component]
fn Pages(newest: Option<String>, older: Option<String>) -> impl IntoView {
    (newest.is_some() || older.is_some()).then(|| {
        view! {
            <nav class="govuk-pagination" aria-label="Pages of reports">
                {newest.map(|href| view! {
                    <div class="govuk-pagination__prev">
                        <a class="govuk-link govuk-pagination__link" href=href rel="prev">
                            <span class="govuk-pagination__link-title">"Newest reports"</span>
                        </a>
                    </div>
                })}
                {older.map(|href| view! {
                    <div class="govuk-pagination__next">
                        <a class="govuk-link govuk-pagination__link" href=href rel="next">
                            <span class="govuk-pagination__link-title">"Older reports"</span>
                        </a>
                    </div>
                })}
            </nav>
        }
    })
}

/// The list's filter: text, what happened, the device and the days received between, sent in
/// the address (so the list can be shared as a link); the state chosen is kept.
#[component]
fn ListFilter(search: ListSearch, errors: Vec<(&'static str, String)>) -> impl IntoView {
    let error_for = |id: &str| {
        errors
            .iter()
            .find(|(field, _)| *field == id)
            .map(|(_, message)| message.clone())
    };
    let day = move |id: &'static str, label: &'static str, value: String| {
        let error = error_for(id);
        let group = if error.is_some() {
            "govuk-form-group govuk-form-group--error"
        } else {
            "govuk-form-group"
        };
        let class = if error.is_some() {
            "govuk-input govuk-input--width-10 govuk-input--error"
        } else {
            "govuk-input govuk-input--width-10"
        };
        let described = if error.is_some() {
            format!("{id}-hint {id}-error")
        } else {
            format!("{id}-hint")
        };
        view! {
            <div class=group>
                <label class="govuk-label" for=id>{label}</label>
                <div class="govuk-hint" id=format!("{id}-hint")>"UK time"</div>
                {error.map(|message| view! {
                    <p class="govuk-error-message" id=format!("{id}-error")>
                        <span class="govuk-visually-hidden">"Error: "</span>{message}
                    </p>
                })}
                <input class=class id=id name=id type="date" value=value aria-describedby=described/>
            </div>
        }
    };
    let choices = |question: incident_report::Question, chosen: String| {
        question
            .choices()
            .iter()
            .map(move |choice| {
                let selected = choice.value == chosen;
                view! { <option value=choice.value selected=selected>{choice.label}</option> }
            })
            .collect_view()
    };
    view! {
        <form method="get" action=TEAM_PATH class="app-team-search" novalidate>
            {(!search.state.is_empty()).then(|| view! { <input type="hidden" name="state" value=search.state.clone()/> })}
            <div class="govuk-form-group">
                <label class="govuk-label" for="q">"Reference, name, email, asset tag or ticket"</label>
                <div class="govuk-hint" id="q-hint">"Also the police reference. Any part of it, in any case: for example, LD-2026-000123 or sam.jones"</div>
                <input class="govuk-input govuk-input--width-20" id="q" name="q" type="search"
                    spellcheck="false" aria-describedby="q-hint" value=search.q.clone()/>
            </div>
            <div class="govuk-form-group">
                <label class="govuk-label" for="what">"What happened"</label>
                <select class="govuk-select" id="what" name="what">
                    <option value="">"Anything"</option>
                    {choices(incident_report::Question::WhatHappened, search.what.clone())}
                </select>
            </div>
            <div class="govuk-form-group">
                <label class="govuk-label" for="device">"Device"</label>
                <select class="govuk-select" id="device" name="device">
                    <option value="">"Any device"</option>
                    {choices(incident_report::Question::Device, search.device.clone())}
                </select>
            </div>
            {day("from", "Received from", search.from.clone())}
            {day("to", "Received to", search.to.clone())}
            <div class="govuk-button-group">
                <button data-module="govuk-button" type="submit" class="govuk-button govuk-button--secondary">"Apply filters"</button>
                <a class="govuk-link" href=TEAM_PATH>"Clear filters"</a>
            </div>
        </form>
    }
}

/// One report: its answers, deliveries, state, actions and audit trail.
pub fn report_page(options: &LeptosOptions, report: ReportView) -> String {
    let ReportView {
        member,
        reference,
        title,
        received,
        state,
        answers,
        acknowledged,
        closed,
        deliveries,
        audit,
        trail,
        notice,
        owner,
        notes,
        errors,
        posted,
    } = report;
    let csrf = member.csrf.clone();
    let path = report_path(&reference);
    let answers_kept = matches!(answers, Answers::Kept(_));
    // The destinations a copy has reached, named for the team to ask their owners to erase it.
    let copies: Vec<String> = deliveries
        .iter()
        .filter(|d| d.delivered.is_some())
        .map(|d| d.destination.clone())
        .collect();
    let page_title = if errors.is_empty() {
        reference.clone()
    } else {
        format!("Error: {reference}")
    };
    let body = view! {
        <ErrorSummary errors=errors.clone()/>
        {notice.map(|text| view! {
            <div class="govuk-notification-banner govuk-notification-banner--success" role="alert" aria-labelledby="notice-title" data-module="govuk-notification-banner">
                <div class="govuk-notification-banner__header">
                    <h2 class="govuk-notification-banner__title" id="notice-title">"Success"</h2>
                </div>
                <div class="govuk-notification-banner__content">
                    <p class="govuk-notification-banner__heading">{text}</p>
                </div>
            </div>
        })}
        <p class="govuk-body"><a class="govuk-back-link" href=TEAM_PATH>"All reports"</a></p>
        <span class="govuk-caption-l">{reference.clone()}</span>
        <h1 class="govuk-heading-l">{title}</h1>
        <p class="govuk-body">{state_tag(state)}</p>
        <dl class="govuk-summary-list">
            <div class="govuk-summary-list__row">
                <dt class="govuk-summary-list__key">"Received"</dt>
                <dd class="govuk-summary-list__value">{received}</dd>
            </div>
            {acknowledged.map(|(who, at)| view! {
                <div class="govuk-summary-list__row">
                    <dt class="govuk-summary-list__key">"Acknowledged"</dt>
                    <dd class="govuk-summary-list__value">{format!("{at} by {who}")}</dd>
                </div>
            })}
            {closed.clone().map(|(who, at, outcome, note)| view! {
                <div class="govuk-summary-list__row">
                    <dt class="govuk-summary-list__key">"Closed"</dt>
                    <dd class="govuk-summary-list__value">{format!("{at} by {who}: {outcome}")}</dd>
                </div>
                {note.map(|note| view! {
                    <div class="govuk-summary-list__row">
                        <dt class="govuk-summary-list__key">"Internal note"</dt>
                        <dd class="govuk-summary-list__value app-team-note">{note}</dd>
                    </div>
                })}
            })}
        </dl>

        {(state == TeamState::New).then(|| view! {
            <form method="post" action=format!("{path}/acknowledge")>
                <input type="hidden" name=CSRF_FIELD value=csrf.clone()/>
                <p class="govuk-body" id="acknowledge-hint">{format!("Where the app runs on the reporter's phone, it will then say “Seen by {}”, with the date and time.", crate::settings::ServiceSettings::current().recipient)}</p>
                <button data-module="govuk-button" type="submit" class="govuk-button" aria-describedby="acknowledge-hint">"Acknowledge"</button>
            </form>
        })}

        {(state == TeamState::Closed).then(|| view! {
            <form method="post" action=format!("{path}/reopen")>
                <input type="hidden" name=CSRF_FIELD value=csrf.clone()/>
                <p class="govuk-body" id="reopen-hint">{format!("Where the app runs on the reporter's phone, it will then say “Seen by {}” again, and no longer that the report is finished.", crate::settings::ServiceSettings::current().recipient)}</p>
                <button data-module="govuk-button" type="submit" class="govuk-button govuk-button--secondary" aria-describedby="reopen-hint">"Reopen this report"</button>
            </form>
        })}

        <OwnerSection owner path=path.clone() csrf=csrf.clone() me=member.email.clone() errors=errors.clone()/>

        <AnswersSection answers/>

        <NotesSection notes path=path.clone() csrf=csrf.clone() errors=errors.clone() text=posted.note_text.clone()/>

        <Deliveries deliveries path=path.clone() csrf=csrf.clone()/>

        {(state != TeamState::Closed).then(|| view! { <CloseForm path=path.clone() csrf=csrf.clone() errors=errors.clone() posted=posted.clone()/> })}
        {answers_kept.then(|| view! { <EraseForm path=path.clone() csrf=csrf.clone() errors=errors.clone() reason=posted.erase_reason.clone() copies=copies.clone()/> })}
        <AuditTrail audit/>
        <TrailLine trail/>
    };
    document(options, &page_title, Some(member), body)
}

/// The message for field `id` among `errors`, if any.
fn error_for(errors: &[(&'static str, String)], id: &str) -> Option<String> {
    errors
        .iter()
        .find(|(field, _)| *field == id)
        .map(|(_, message)| message.clone())
}

/// Who owns the report, taking it, handing it over and leaving it with nobody.
#[component]
fn OwnerSection(
    owner: Option<String>,
    path: String,
    csrf: String,
    me: String,
    errors: Vec<(&'static str, String)>,
) -> impl IntoView {
    let error = error_for(&errors, "owner");
    let mine = owner.as_deref() == Some(me.as_str());
    let action = format!("{path}/owner");
    view! {
        <h2 class="govuk-heading-m">"Owner"</h2>
        <p class="govuk-body">{match &owner {
            Some(owner) if mine => format!("You own this report ({owner})."),
            Some(owner) => format!("{owner} owns this report."),
            None => "Nobody owns this report yet.".to_owned(),
        }}</p>
        <div class="govuk-button-group">
            {(!mine).then(|| view! {
                <form method="post" action=action.clone()>
                    <input type="hidden" name=CSRF_FIELD value=csrf.clone()/>
                    <input type="hidden" name="owner" value="me"/>
                    <button data-module="govuk-button" type="submit" class="govuk-button govuk-button--secondary">"Take this report"</button>
                </form>
            })}
            {owner.is_some().then(|| view! {
                <form method="post" action=action.clone()>
                    <input type="hidden" name=CSRF_FIELD value=csrf.clone()/>
                    <input type="hidden" name="owner" value="nobody"/>
                    <button data-module="govuk-button" type="submit" class="govuk-button govuk-button--secondary">"Leave it with nobody"</button>
                </form>
            })}
        </div>
        <form method="post" action=action novalidate>
            <input type="hidden" name=CSRF_FIELD value=csrf/>
            <div class=if error.is_some() { "govuk-form-group govuk-form-group--error" } else { "govuk-form-group" }>
                <label class="govuk-label" for="owner">"Hand it to someone else in the team"</label>
                <div class="govuk-hint" id="owner-hint">"Their work email address"</div>
                {error.clone().map(|message| view! {
                    <p class="govuk-error-message" id="owner-error"><span class="govuk-visually-hidden">"Error: "</span>{message}</p>
                })}
                <input class=if error.is_some() { "govuk-input govuk-input--width-20 govuk-input--error" } else { "govuk-input govuk-input--width-20" }
                    id="owner" name="owner" type="email" spellcheck="false" autocomplete="off"
                    aria-describedby=if error.is_some() { "owner-hint owner-error" } else { "owner-hint" }/>
            </div>
            <button data-module="govuk-button" type="submit" class="govuk-button govuk-button--secondary">"Hand over"</button>
        </form>
    }
}

/// "Erase personal details", for a request to remove them: what goes, what stays, the copies
/// already passed on, a reason and a box to tick.
#[component]
fn EraseForm(
    path: String,
    csrf: String,
    errors: Vec<(&'static str, String)>,
    reason: String,
    copies: Vec<String>,
) -> impl IntoView {
    let reason_error = error_for(&errors, "reason");
    let understood_error = error_for(&errors, "understood");
    view! {
        <h2 class="govuk-heading-m">"Erase personal details"</h2>
        <p class="govuk-body">"Only when the reporter, or someone entitled to, asks for their details to be removed. The answers, the notes and the internal note are erased. The reference, what happened, the device, the times, the states and the outcome stay, so counts stay true."</p>
        {(!copies.is_empty()).then(|| view! {
            <p class="govuk-body">"Copies were passed on to these destinations. Erasing here does not reach them: ask their owners to erase them too."</p>
            <ul class="govuk-list govuk-list--bullet">
                {copies.into_iter().map(|copy| view! { <li>{copy}</li> }).collect_view()}
            </ul>
        })}
        <form method="post" action=format!("{path}/erase") novalidate>
            <input type="hidden" name=CSRF_FIELD value=csrf/>
            <div class=if reason_error.is_some() { "govuk-form-group govuk-form-group--error" } else { "govuk-form-group" }>
                <label class="govuk-label" for="reason">"Why are the details erased?"</label>
                <div class="govuk-hint" id="reason-hint">{format!("Kept in the audit trail. Do not include anyone's personal details. Up to {REASON_LIMIT} characters.")}</div>
                {reason_error.clone().map(|message| view! {
                    <p class="govuk-error-message" id="reason-error"><span class="govuk-visually-hidden">"Error: "</span>{message}</p>
                })}
                <textarea class=if reason_error.is_some() { "govuk-textarea govuk-textarea--error" } else { "govuk-textarea" }
                    id="reason" name="reason" rows="2"
                    aria-describedby=if reason_error.is_some() { "reason-hint reason-error" } else { "reason-hint" }>{reason}</textarea>
            </div>
            <div class=if understood_error.is_some() { "govuk-form-group govuk-form-group--error" } else { "govuk-form-group" }>
                {understood_error.clone().map(|message| view! {
                    <p class="govuk-error-message" id="understood-error"><span class="govuk-visually-hidden">"Error: "</span>{message}</p>
                })}
                <div class="govuk-checkboxes govuk-checkboxes--small" data-module="govuk-checkboxes">
                    <div class="govuk-checkboxes__item">
                        <input class="govuk-checkboxes__input" id="understood" name="understood" type="checkbox" value="yes"
                            aria-describedby=understood_error.is_some().then_some("understood-error")/>
                        <label class="govuk-label govuk-checkboxes__label" for="understood">"I understand the details cannot be brought back"</label>
                    </div>
                </div>
            </div>
            <button data-module="govuk-button" type="submit" class="govuk-button govuk-button--warning">"Erase personal details"</button>
        </form>
    }
}

/// The team's running notes, oldest first, and a form to add one.
#[component]
fn NotesSection(
    notes: Vec<NoteRow>,
    path: String,
    csrf: String,
    errors: Vec<(&'static str, String)>,
    text: String,
) -> impl IntoView {
    let error = error_for(&errors, "text");
    view! {
        <h2 class="govuk-heading-m">"Notes"</h2>
        {notes.is_empty().then(|| view! { <p class="govuk-body">"No notes yet."</p> })}
        {(!notes.is_empty()).then(|| view! {
            <ol class="govuk-list app-team-notes">
                {notes.into_iter().map(|note| view! {
                    <li>
                        <p class="govuk-body-s govuk-!-margin-bottom-1">{format!("{}, {}", note.who, note.at)}</p>
                        <p class="govuk-body app-team-note">{note.text}</p>
                    </li>
                }).collect_view()}
            </ol>
        })}
        <form method="post" action=format!("{path}/note") novalidate>
            <input type="hidden" name=CSRF_FIELD value=csrf/>
            <div class=if error.is_some() { "govuk-form-group govuk-form-group--error" } else { "govuk-form-group" }>
                <label class="govuk-label" for="text">"Add a note"</label>
                <div class="govuk-hint" id="text-hint">{format!("Only the team sees notes. They cannot be changed once added, and are removed with the answers. Up to {NOTE_LIMIT} characters.")}</div>
                {error.clone().map(|message| view! {
                    <p class="govuk-error-message" id="text-error"><span class="govuk-visually-hidden">"Error: "</span>{message}</p>
                })}
                <textarea class=if error.is_some() { "govuk-textarea govuk-textarea--error" } else { "govuk-textarea" }
                    id="text" name="text" rows="3"
                    aria-describedby=if error.is_some() { "text-hint text-error" } else { "text-hint" }>{text}</textarea>
            </div>
            <button data-module="govuk-button" type="submit" class="govuk-button govuk-button--secondary">"Add note"</button>
        </form>
    }
}

/// "There is a problem", linking to each field to correct.
#[component]
fn ErrorSummary(errors: Vec<(&'static str, String)>) -> impl IntoView {
    (!errors.is_empty()).then(|| {
        view! {
            <div class="govuk-error-summary" data-module="govuk-error-summary">
                <div role="alert">
                    <h2 class="govuk-error-summary__title">"There is a problem"</h2>
                    <div class="govuk-error-summary__body">
                        <ul class="govuk-list govuk-error-summary__list">
                            {errors.iter().map(|(field, message)| view! {
                                <li><a href=format!("#{field}")>{message.clone()}</a></li>
                            }).collect_view()}
                        </ul>
                    </div>
                </div>
            </div>
        }
    })
}

/// Each destination's delivery, and "Retry delivery" when one is held back.
#[component]
fn Deliveries(deliveries: Vec<DeliveryRow>, path: String, csrf: String) -> impl IntoView {
    let held_back = deliveries.iter().any(|d| d.passed_on == PassedOn::HeldBack);
    view! {
        <h2 class="govuk-heading-m">"Passing it on"</h2>
        <table class="govuk-table">
            <caption class="govuk-table__caption govuk-visually-hidden">"Deliveries, one per destination"</caption>
            <thead class="govuk-table__head">
                <tr class="govuk-table__row">
                    <th scope="col" class="govuk-table__header">"Destination"</th>
                    <th scope="col" class="govuk-table__header">"Outcome"</th>
                    <th scope="col" class="govuk-table__header govuk-table__header--numeric">"Attempts"</th>
                    <th scope="col" class="govuk-table__header">"Details"</th>
                </tr>
            </thead>
            <tbody class="govuk-table__body">
                {deliveries.into_iter().map(|d| view! {
                    <tr class="govuk-table__row">
                        <td class="govuk-table__cell">{d.destination}</td>
                        <td class="govuk-table__cell">{passed_on_tag(d.passed_on)}</td>
                        <td class="govuk-table__cell govuk-table__cell--numeric">{d.attempts}</td>
                        <td class="govuk-table__cell">
                            {d.delivered.map(|at| format!("Delivered {at}")).or_else(|| d.reason.map(|why| format!("Last failure: {why}")))}
                        </td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
        {held_back.then(|| view! {
            <form method="post" action=format!("{path}/retry")>
                <input type="hidden" name=CSRF_FIELD value=csrf.clone()/>
                <p class="govuk-body">"A destination refused this report. Fix what it says, then try again."</p>
                <button data-module="govuk-button" type="submit" class="govuk-button govuk-button--secondary">"Retry delivery"</button>
            </form>
        })}

    }
}

/// "Close this report": an outcome from the short list and an internal note.
#[component]
fn CloseForm(
    path: String,
    csrf: String,
    errors: Vec<(&'static str, String)>,
    posted: Posted,
) -> impl IntoView {
    let error_for = |id: &str| {
        errors
            .iter()
            .find(|(field, _)| *field == id)
            .map(|(_, message)| message.clone())
    };
    let outcome_error = error_for("outcome");
    let note_error = error_for("note");
    view! {
    <h2 class="govuk-heading-m">"Close this report"</h2>
    <form method="post" action=format!("{path}/close") novalidate>
        <input type="hidden" name=CSRF_FIELD value=csrf.clone()/>
        <div class=if outcome_error.is_some() { "govuk-form-group govuk-form-group--error" } else { "govuk-form-group" }>
            <fieldset class="govuk-fieldset" aria-describedby=outcome_error.as_ref().map(|_| "outcome-error")>
                <legend class="govuk-fieldset__legend govuk-fieldset__legend--s">"Outcome"</legend>
                {outcome_error.clone().map(|message| view! {
                    <p id="outcome-error" class="govuk-error-message">
                        <span class="govuk-visually-hidden">"Error: "</span>{message}
                    </p>
                })}
                <div class="govuk-radios" data-module="govuk-radios">
                    {<Outcome as strum::IntoEnumIterator>::iter().enumerate().map(|(index, outcome)| {
                        let id = if index == 0 { "outcome".to_owned() } else { format!("outcome-{outcome}") };
                        let checked = posted.outcome.as_deref() == Some(outcome.to_string().as_str());
                        view! {
                            <div class="govuk-radios__item">
                                <input class="govuk-radios__input" id=id.clone() name="outcome" type="radio" value=outcome.to_string() checked=checked/>
                                <label class="govuk-label govuk-radios__label" for=id>{outcome.label()}</label>
                            </div>
                        }
                    }).collect_view()}
                </div>
            </fieldset>
        </div>
        <div class=if note_error.is_some() { "govuk-form-group govuk-form-group--error" } else { "govuk-form-group" }>
            <label class="govuk-label govuk-label--s" for="note">"Internal note (optional)"</label>
            <div class="govuk-hint" id="note-hint">"Only the team sees this. It is removed with the answers after the retention period."</div>
            {note_error.clone().map(|message| view! {
                <p id="note-error" class="govuk-error-message">
                    <span class="govuk-visually-hidden">"Error: "</span>{message}
                </p>
            })}
            <textarea class="govuk-textarea" id="note" name="note" rows="4"
                aria-describedby=if note_error.is_some() { "note-hint note-error" } else { "note-hint" }>{posted.note.clone()}</textarea>
        </div>
        <p class="govuk-body" id="close-hint">{format!("Where the app runs on the reporter's phone, it will then say that {} has finished with this report, with the date. It does not show the outcome or the note.", crate::settings::ServiceSettings::current().recipient)}</p>
        <button data-module="govuk-button" type="submit" class="govuk-button govuk-button--warning" aria-describedby="close-hint">"Close report"</button>
    </form>
    }
}

/// Every view of and action on the report, oldest first.
/// The report's answers, or why they are not shown.
#[component]
fn AnswersSection(answers: Answers) -> impl IntoView {
    view! {
        <h2 class="govuk-heading-m">"Answers"</h2>
        {match answers {
            Answers::Removed => view! {
                <p class="govuk-body">"The answers were removed after the retention period. The reference, the dates, the deliveries and the audit trail are kept."</p>
            }.into_any(),
            Answers::Unreadable { id } => view! {
                <div class="govuk-warning-text">
                    <span class="govuk-warning-text__icon" aria-hidden="true">"!"</span>
                    <strong class="govuk-warning-text__text">
                        <span class="govuk-visually-hidden">"Warning"</span>
                        "The answers are stored but this version of the service cannot read them. Nothing was removed. Tell the service's administrator the report's id: "
                        <code class="app-team-id">{id}</code>
                    </strong>
                </div>
            }.into_any(),
            Answers::Kept(answers) => view! {
                <dl class="govuk-summary-list">
                    {answers.into_iter().map(|AnswerRow { question, answer, link }| view! {
                        <div class="govuk-summary-list__row">
                            <dt class="govuk-summary-list__key">{question}</dt>
                            <dd class="govuk-summary-list__value app-team-answer">{match link {
                                Some(href) => view! { <a class="govuk-link" href=href>{answer}</a> }.into_any(),
                                None => answer.into_any(),
                            }}</dd>
                        </div>
                    }).collect_view()}
                </dl>
            }.into_any(),
        }}
    }
}

/// One line on what the walk of the whole audit trail found; a warning when it was changed.
#[component]
fn TrailLine(trail: TrailCheck) -> impl IntoView {
    match trail {
        TrailCheck::Intact { rows } => view! {
            <p class="govuk-body-s app-trail-check">
                {format!("The audit trail is intact: all {rows} entries were checked against the ones before them.")}
            </p>
        }
        .into_any(),
        TrailCheck::ChangedAt { seq } => view! {
            <WarningText text=format!("The audit trail was changed at entry {seq}: it no longer follows the entries before it. Tell the service's administrator.") />
        }
        .into_any(),
        TrailCheck::Shortened { rows, seen } => view! {
            <WarningText text=format!("The audit trail has lost its newest entries: it has {rows}, but an earlier check found {seen}. Tell the service's administrator.") />
        }
        .into_any(),
        TrailCheck::NotChecked => view! {
            <p class="govuk-body-s app-trail-check">"The audit trail could not be checked just now."</p>
        }
        .into_any(),
    }
}

#[component]
fn AuditTrail(audit: Vec<AuditRow>) -> impl IntoView {
    view! {
        <h2 class="govuk-heading-m">"Audit trail"</h2>
        <table class="govuk-table">
            <caption class="govuk-table__caption govuk-visually-hidden">"Every view and action, oldest first"</caption>
            <thead class="govuk-table__head">
                <tr class="govuk-table__row">
                    <th scope="col" class="govuk-table__header">"When"</th>
                    <th scope="col" class="govuk-table__header">"Who"</th>
                    <th scope="col" class="govuk-table__header">"What"</th>
                    <th scope="col" class="govuk-table__header">"From"</th>
                </tr>
            </thead>
            <tbody class="govuk-table__body">
                {audit.into_iter().map(|row| view! {
                    <tr class="govuk-table__row app-audit-row">
                        <td class="govuk-table__cell">{row.at}</td>
                        <td class="govuk-table__cell">{row.who}</td>
                        <td class="govuk-table__cell">{row.what}</td>
                        <td class="govuk-table__cell">{row.address}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// What closing a report will do, asked before it is done.
#[derive(Debug, Clone)]
pub struct CloseConfirmation {
    /// Who is signed in.
    pub member: Member,
    /// The report's reference.
    pub reference: String,
    /// The outcome chosen.
    pub outcome: Outcome,
    /// The internal note written, if any.
    pub note: String,
}

/// "Close this report?": the outcome and note chosen, what the reporter's phone will then say,
/// and the form that closes it (carrying the same answers) or a way back without closing.
pub fn close_confirmation_page(options: &LeptosOptions, confirm: CloseConfirmation) -> String {
    let CloseConfirmation {
        member,
        reference,
        outcome,
        note,
    } = confirm;
    let csrf = member.csrf.clone();
    let path = report_path(&reference);
    let close = format!("{path}/close");
    let recipient = crate::settings::ServiceSettings::current().recipient;
    let body = view! {
        <span class="govuk-caption-l">{reference.clone()}</span>
        <h1 class="govuk-heading-l">"Close this report?"</h1>
        <dl class="govuk-summary-list">
            <div class="govuk-summary-list__row">
                <dt class="govuk-summary-list__key">"Outcome"</dt>
                <dd class="govuk-summary-list__value">{outcome.label()}</dd>
            </div>
            <div class="govuk-summary-list__row">
                <dt class="govuk-summary-list__key">"Internal note"</dt>
                <dd class="govuk-summary-list__value app-team-note">{if note.is_empty() { "None".to_owned() } else { note.clone() }}</dd>
            </div>
        </dl>
        <p class="govuk-body">{format!("Where the app runs on the reporter's phone, it will then say that {recipient} has finished with this report, with the date. It does not show the outcome or the note. A closed report cannot be changed here.")}</p>
        <form method="post" action=close>
            <input type="hidden" name=CSRF_FIELD value=csrf/>
            <input type="hidden" name="outcome" value=outcome.to_string()/>
            <input type="hidden" name="note" value=note/>
            <input type="hidden" name="confirm" value="yes"/>
            <div class="govuk-button-group">
                <button data-module="govuk-button" type="submit" class="govuk-button govuk-button--warning">"Yes, close this report"</button>
                <a class="govuk-link" href=path>"No, go back to the report"</a>
            </div>
        </form>
    };
    document(options, &format!("Close {reference}?"), Some(member), body)
}

/// A page that only says something.
pub fn message_page(options: &LeptosOptions, message: MessageView) -> String {
    let MessageView {
        member,
        title,
        lines,
        link,
    } = message;
    let heading = title.clone();
    let body = view! {
        <h1 class="govuk-heading-l">{heading}</h1>
        {lines.into_iter().map(|line| view! { <p class="govuk-body">{line}</p> }).collect_view()}
        {link.map(|(href, words)| view! {
            <p class="govuk-body"><a class="govuk-link" href=href>{words}</a></p>
        })}
    };
    document(options, &title, member, body)
}
