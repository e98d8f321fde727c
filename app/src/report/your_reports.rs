//! "Your reports": every report on this phone, newest first, with where it is, when it was last
//! tried and when it will be tried next; and any stored record that could not be read.

use leptos::prelude::*;

use super::status::{RemoveWithConfirmation, ReportStatus};
use super::{NeedsWebAssembly, REPORT_PATH, SECURITY_EMAIL, StateTag};
use crate::govuk::{ErrorMessage, InsetText};
use crate::install::AddToHomeScreen;
use crate::phone::{self, InstallWay};
use incident_report::StoredReport;
use incident_report::queue::Unreadable;

/// The list, read from the phone's storage after hydration and kept up to date.
#[island]
pub fn YourReports() -> impl IntoView {
    let reports = RwSignal::new(Vec::<StoredReport>::new());
    let unreadable = RwSignal::new(Vec::<Unreadable>::new());
    let problem = RwSignal::new(None::<String>);
    let loaded = RwSignal::new(false);
    let online = phone::online();
    let removed = RwSignal::new(false);
    let on_removed = Callback::new(move |()| {
        removed.set(true);
        phone::focus("your-reports-status");
    });
    let reload = move || {
        match phone::reports() {
            Ok(mut list) => {
                list.sort_by_key(|r| std::cmp::Reverse(r.created_at_ms()));
                reports.set(list);
                problem.set(None);
            }
            Err(why) => problem.set(Some(why)),
        }
        unreadable.set(phone::unreadable());
        loaded.set(true);
    };
    let persistent = RwSignal::new(None::<bool>);
    let installed = RwSignal::new(false);
    phone::after_hydrating(move || {
        reload();
        phone::on_reports_changed(reload);
        phone::storage_persistence(move |kept| persistent.set(kept));
        installed.set(phone::install_way() == InstallWay::Installed);
        phone::mark_hydrated();
    });
    let waiting = move || reports.with(|list| list.iter().any(|r| r.delivery().is_pending()));
    view! {
        <ErrorMessage message=problem.into()/>
        <p class="govuk-body" id="your-reports-status" role="status" tabindex="-1">
            {move || removed.get().then_some("The report was removed from this phone.")}
        </p>
        <NeedsWebAssembly ready=loaded.into()/>
        <p class="govuk-body" hidden=loaded>"Looking for reports on this phone…"</p>
        <p class="govuk-body" hidden=Signal::derive(move || !loaded.get() || !reports.with(Vec::is_empty))>
            "There are no reports on this phone."
        </p>
        <p class="govuk-body">
            <a class="govuk-button" href=REPORT_PATH role="button" draggable="false" data-module="govuk-button">"Start a new report"</a>
        </p>
        <StorageNote persistent waiting=Signal::derive(waiting) installed/>
        <ul class="govuk-list">
            {move || reports.get().into_iter().map(|report| {
                    let created = phone::clock_time(report.created_at_ms());
                    view! {
                        <li class="app-report">
                            <h2 class="govuk-heading-m">{report.form().title()}</h2>
                            <p class="govuk-body">
                                <StateTag state=report.delivery().clone()/>
                                " "
                                <span class="govuk-body-s app-secondary">{format!("Started {created}")}</span>
                            </p>
                            <ReportStatus report online on_removed/>
                        </li>
                    }
                }).collect_view()}
        </ul>
        <section hidden=Signal::derive(move || unreadable.with(Vec::is_empty))>
            <h2 class="govuk-heading-l">"Saved reports that could not be read"</h2>
            <p class="govuk-body">
                {format!("Something saved on this phone could not be read, so it cannot be sent from here. It has been kept exactly as it was. Email it to the security team at {SECURITY_EMAIL} (the address the guidance gives for questions about security) so nothing is lost.")}
            </p>
            {move || unreadable.get().into_iter().enumerate().map(|(index, item)| {
                    let id = format!("unreadable-{index}");
                    let raw = item.raw.clone();
                    view! {
                        <div class="govuk-form-group">
                            <p class="govuk-body">{format!("Why: {}.", item.reason)}</p>
                            <label class="govuk-label" for=id.clone()>"What was saved"</label>
                            <textarea class="govuk-textarea" id=id.clone() rows="4" readonly>{item.raw}</textarea>
                        </div>
                        <RemoveWithConfirmation
                            ask="Remove from this phone"
                            warning="Copy or email it first if you need it: once removed, it cannot be got back."
                            yes="Yes, remove it"
                            confirm_id=format!("remove-{id}")
                            remove=Callback::new(move |()| phone::remove_unreadable(&raw))
                            on_removed
                        />
                    }
                }).collect_view()}
        </section>
    }
}

/// Whether the browser will keep what is saved here, and, while a report waits in a browser tab,
/// how to keep it safe: adding the app to the home screen.
#[component]
fn StorageNote(
    /// The browser's answer, once it has given one.
    persistent: RwSignal<Option<bool>>,
    /// A report on this phone still has to reach the server.
    waiting: Signal<bool>,
    /// The app runs from the home screen.
    installed: RwSignal<bool>,
) -> impl IntoView {
    view! {
        <p class="govuk-body" hidden=Signal::derive(move || persistent.get() != Some(true))>
            "This browser will keep the reports on this phone until you remove them."
        </p>
        <div hidden=Signal::derive(move || persistent.get() != Some(false))>
            <p class="govuk-body">"This browser may clear what is saved on this phone if it runs short of space."</p>
            <p class="govuk-body">"On an iPhone, Safari also clears it after 7 days without a visit, unless the app is on the home screen."</p>
        </div>
        <div hidden=Signal::derive(move || !waiting.get() || installed.get())>
            <InsetText>
                "A report is waiting on this phone. Add this app to your home screen to keep it safe until it is sent."
            </InsetText>
            <AddToHomeScreen/>
        </div>
    }
}
