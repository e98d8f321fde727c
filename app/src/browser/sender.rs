//! Sends queued reports to the server, one at a time, around the decisions in
//! `incident_report::stored` (what is due, what to record) and `incident_report::wire` (what an
//! answer means).
//!
//! A send is tried when the app starts, when the phone comes back online, when the page becomes
//! visible again, when the backoff timer fires and when the person presses "Send now". On the
//! same wake-ups, and every minute while a page is open and visible, the phone asks the server
//! what became of its delivered reports (`incident_report::progress`): a report just delivered
//! at once, the others at most once a minute, none once closed or past its time on the phone. One tab
//! sends at a time: the sending is done under a Web Lock, which the browser releases if the tab
//! closes, so a report left "sending" by a closed tab is safely put back in the queue by the next
//! holder. (Where Web Locks are missing, two tabs may send the same report; the server's
//! idempotency keys make that harmless.) Holding the lock, each run first hands the waiting
//! reports to the offline worker ([`super::handover`]), which sends them where the browser wakes
//! it with signal while no page is open, and takes back what it was answered.

use std::cell::RefCell;
use std::time::Duration;

use incident_report::json::Json;
use incident_report::progress::{Progress, status_path};
use incident_report::stored;
use incident_report::wire::{self, Attempt, Outcome, REPORTS_PATH, Submission};
use incident_report::{DeliveryState, ReportId, RetryPolicy};
use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue, prelude::Closure};
use wasm_bindgen_futures::{JsFuture, future_to_promise};
use web_sys::AbortController;

use service_worker::handover::{self, SENDER_LOCK};

use super::handover::{self as worker, Wake};
use super::json::BrowserJson;
use super::{now_ms, report_storage};

/// How long one send may take before it counts as timed out (the worker's limit too).
const SEND_TIMEOUT: Duration = Duration::from_millis(handover::SEND_TIMEOUT_MS as u64);
/// How often an open app asks what became of reports it was already told about.
const PROGRESS_EVERY: Duration = Duration::from_secs(60);

#[derive(Default)]
struct Sender {
    /// A run is under way in this tab.
    running: bool,
    /// Something asked for a run while one was under way: go round once more.
    again: bool,
    /// The backoff timer for the next due report.
    timer: Option<TimeoutHandle>,
    /// When this tab last asked about every report that wants news.
    progress_asked_at_ms: Option<i64>,
}

thread_local! {
    static SENDER: RefCell<Sender> = RefCell::new(Sender::default());
}

/// Starts sending in the background and listens for the moments to try again. First removes the
/// details of delivered reports past their time on the phone.
pub fn start() {
    let now = now_ms();
    // Look before writing: a write redraws open pages, and there is rarely anything to remove.
    if report_storage::load()
        .is_ok_and(|mut reports| stored::forget_old_details(&mut reports, now) > 0)
    {
        let _ = report_storage::update(|reports| stored::forget_old_details(reports, now));
    }
    report_storage::refresh_summary();
    kick();
    // The handles are dropped on purpose: the listeners live as long as the page.
    let _ = window_event_listener(leptos::ev::online, |_| kick());
    let _ = window_event_listener(leptos::ev::visibilitychange, |_| {
        if !document().hidden() {
            kick();
        }
    });
    let _ = set_interval_with_handle(
        || {
            if !document().hidden() {
                kick();
            }
        },
        PROGRESS_EVERY,
    );
}

/// Sends `id` now, without waiting for its backoff timer.
pub fn send_now(id: ReportId) -> Result<(), report_storage::StorageError> {
    report_storage::update(|reports| {
        if let Some(report) = reports.iter_mut().find(|r| r.id() == id) {
            report.send_now();
        }
    })?;
    kick();
    Ok(())
}

/// Starts a run, or asks the current one to go round again.
pub fn kick() {
    let start = SENDER.with_borrow_mut(|sender| {
        sender.again = sender.running;
        !std::mem::replace(&mut sender.running, true)
    });
    if start {
        leptos::task::spawn_local(async {
            loop {
                with_lock(|| async {
                    worker::hand_over(Wake::NotYet).await;
                    send_due().await;
                    // What is still waiting (none was due, or the connection failed) is the
                    // browser's to send when there is signal, even if this page closes.
                    worker::hand_over(Wake::IfWaiting).await;
                })
                .await;
                ask_progress().await;
                let again = SENDER.with_borrow_mut(|sender| {
                    sender.running = sender.again;
                    std::mem::take(&mut sender.again)
                });
                if !again {
                    break;
                }
            }
            schedule_next();
        });
    }
}

/// Runs `send` holding the sender's Web Lock (waiting for another tab to finish first).
async fn with_lock<F, Fut>(send: F)
where
    F: FnOnce() -> Fut + 'static,
    Fut: std::future::Future<Output = ()> + 'static,
{
    let locks = js_sys::Reflect::get(&window().navigator(), &"locks".into())
        .ok()
        .filter(|locks| !locks.is_undefined() && !locks.is_null());
    let request = locks.as_ref().and_then(|locks| {
        js_sys::Reflect::get(locks, &"request".into())
            .ok()?
            .dyn_into::<js_sys::Function>()
            .ok()
    });
    let (Some(locks), Some(request)) = (locks, request) else {
        send().await;
        return;
    };
    let callback = Closure::once_into_js(move |_lock: JsValue| {
        future_to_promise(async move {
            send().await;
            Ok(JsValue::UNDEFINED)
        })
    });
    if let Ok(held) = request.call2(&locks, &SENDER_LOCK.into(), &callback) {
        // The promise settles when `send` is done; an error there was already recorded.
        let _ = JsFuture::from(js_sys::Promise::from(held)).await;
    }
}

/// Sends every due report, oldest first, until none is due or the phone is offline.
async fn send_due() {
    let policy = RetryPolicy::default();
    while window().navigator().on_line() {
        let now = now_ms();
        // Look before writing: most wake-ups find nothing to do, and a write redraws open pages.
        let Ok(reports) = report_storage::load() else {
            return;
        };
        let interrupted = reports
            .iter()
            .any(|r| matches!(r.delivery(), DeliveryState::Sending { .. }));
        if !interrupted && stored::next_due(&reports, now).is_none() {
            return;
        }
        // Holding the lock, no other tab is sending: a report still "sending" was cut off.
        let next = report_storage::update(|reports| {
            stored::recover_interrupted(reports);
            let id = stored::next_due(reports, now)?;
            let report = reports.iter_mut().find(|r| r.id() == id)?;
            report.start_sending(now).ok()
        });
        let Ok(Some(submission)) = next else {
            // Nothing is due, or nothing can be recorded (storage full): stop until next time.
            return;
        };
        let outcome = post(&submission).await;
        let finished = report_storage::update(|reports| {
            if let Some(report) = reports.iter_mut().find(|r| r.id() == submission.id) {
                let _ = report.finish_sending(outcome, now_ms(), &policy, js_sys::Math::random());
            }
        });
        if finished.is_err() {
            // The answer cannot be recorded; the report stays "sending" and is recovered and
            // sent again later, which the server answers with the same reference.
            return;
        }
    }
}

/// One attempt: POST with the idempotency key, bounded by [`SEND_TIMEOUT`].
async fn post(submission: &Submission) -> Outcome {
    let attempt = match post_init(submission) {
        Some(init) => fetch(REPORTS_PATH, &init).await,
        // Not sent at all: tried again later, like a failed connection.
        None => Err(Failed::Network),
    };
    let outcome = match &attempt {
        Ok(answer) => Attempt::Answered {
            status: answer.status,
            content_type: answer.content_type.as_deref(),
            body: &answer.body,
            retry_after: answer.retry_after.as_deref(),
        },
        Err(Failed::TimedOut) => Attempt::TimedOut,
        Err(Failed::Network) => Attempt::NetworkFailed,
    };
    wire::classify(&BrowserJson, submission.id, outcome)
}

/// The POST of `submission`: its body and idempotency key, or nothing if either cannot be made.
fn post_init(submission: &Submission) -> Option<web_sys::RequestInit> {
    let body = BrowserJson.write(submission).ok()?;
    let headers = web_sys::Headers::new().ok()?;
    headers.set("Content-Type", "application/json").ok()?;
    headers
        .set("Idempotency-Key", &submission.idempotency_key())
        .ok()?;
    let init = web_sys::RequestInit::new();
    init.set_method("POST");
    init.set_headers(&headers);
    init.set_body(&JsValue::from_str(&body));
    Some(init)
}

/// Asks what became of each delivered report that wants news (see the module's docs), and
/// keeps what the server says; stops at the first failure (offline, limited, server down).
async fn ask_progress() {
    let now = now_ms();
    let Ok(reports) = report_storage::load() else {
        return;
    };
    let every_ms = i64::try_from(PROGRESS_EVERY.as_millis()).unwrap_or(i64::MAX);
    let all = SENDER.with_borrow(|sender| {
        sender
            .progress_asked_at_ms
            .is_none_or(|at| now.saturating_sub(at) >= every_ms)
    });
    let wanted: Vec<_> = reports
        .iter()
        .filter(|r| r.wants_progress(now) && (all || r.progress().is_none()))
        .map(stored::StoredReport::id)
        .collect();
    if wanted.is_empty() || !window().navigator().on_line() {
        return;
    }
    if all {
        SENDER.with_borrow_mut(|sender| sender.progress_asked_at_ms = Some(now));
    }
    let mut told = Vec::new();
    for id in wanted {
        let init = web_sys::RequestInit::new();
        init.set_method("GET");
        let Ok(answer) = fetch(&status_path(id), &init).await else {
            break;
        };
        if answer.status != 200 {
            break;
        }
        if let Some(progress) = BrowserJson.read_text::<Progress>(&answer.body) {
            told.push(progress);
        }
    }
    // Look before writing: a write redraws open pages, and most answers say nothing new.
    let news = |reports: &mut Vec<stored::StoredReport>| {
        // Every answer is recorded (no short cut): counted, not `any`.
        let recorded = told.iter().filter(|progress| {
            reports
                .iter_mut()
                .find(|r| r.id() == progress.id)
                .is_some_and(|r| r.record_progress((*progress).clone()))
        });
        recorded.count() > 0
    };
    if news(&mut reports.clone()) {
        let _ = report_storage::update(news);
    }
}

/// Why a request got no answer.
enum Failed {
    /// It took longer than [`SEND_TIMEOUT`].
    TimedOut,
    /// No connection, or the browser refused it.
    Network,
}

/// What the server answered.
struct Answer {
    status: u16,
    content_type: Option<String>,
    body: String,
    retry_after: Option<String>,
}

/// `fetch` of `path` as `init` says, bounded by [`SEND_TIMEOUT`].
/// (Plain `fetch` through `web_sys`: measured 4 KB less WebAssembly than `gloo-net`'s builder.)
async fn fetch(path: &str, init: &web_sys::RequestInit) -> Result<Answer, Failed> {
    let controller = AbortController::new().map_err(|_| Failed::Network)?;
    let signal = controller.signal();
    init.set_signal(Some(&signal));
    let timer = set_timeout_with_handle(move || controller.abort(), SEND_TIMEOUT).ok();
    let answer = answer(path, init).await;
    if let Some(timer) = timer {
        timer.clear();
    }
    answer.map_err(|_| {
        if signal.aborted() {
            Failed::TimedOut
        } else {
            Failed::Network
        }
    })
}

async fn answer(path: &str, init: &web_sys::RequestInit) -> Result<Answer, JsValue> {
    let response: web_sys::Response = JsFuture::from(window().fetch_with_str_and_init(path, init))
        .await?
        .dyn_into()?;
    let content_type = response.headers().get("content-type")?;
    let retry_after = response.headers().get("retry-after")?;
    let body = JsFuture::from(response.text()?)
        .await?
        .as_string()
        .unwrap_or_default();
    Ok(Answer {
        status: response.status(),
        content_type,
        body,
        retry_after,
    })
}

/// Sets the backoff timer for the earliest report waiting to be retried.
fn schedule_next() {
    let Ok(reports) = report_storage::load() else {
        return;
    };
    let due = reports
        .iter()
        .filter(|r| matches!(r.delivery(), DeliveryState::Queued { .. }))
        .filter_map(stored::StoredReport::next_attempt_at_ms)
        .min();
    let handle = due.and_then(|due| {
        let wait = u64::try_from(due.saturating_sub(now_ms())).unwrap_or(0);
        set_timeout_with_handle(kick, Duration::from_millis(wait)).ok()
    });
    SENDER.with_borrow_mut(|sender| {
        if let Some(old) = std::mem::replace(&mut sender.timer, handle) {
            old.clear();
        }
    });
}
