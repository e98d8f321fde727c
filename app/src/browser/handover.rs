//! Hands the reports waiting on this phone to the offline worker, so that the browser can send
//! them when signal returns even with every page of the app closed (Background Sync, where the
//! browser has it), and takes back into the phone's record what the worker was answered.
//!
//! Called by the sender while it holds the sender's Web Lock, which the worker also holds while
//! it sends, so the two never send or change the hand-over at once. The worker asks the browser
//! for the sync itself, while this page is open (the browser refuses one asked for by a worker
//! with no window), so a page closed straight after "Send report" still leaves one behind. The
//! names shared with the worker are `service_worker::handover`'s.

use incident_report::ReportId;
use incident_report::json::Json;
use incident_report::stored::StoredReport;
use incident_report::wire::{self, Attempt, Submission};
use js_sys::{Array, Object, Promise, Reflect};
use std::sync::atomic::{AtomicBool, Ordering};

use service_worker::handover::MESSAGE;
use wasm_bindgen::{JsCast, JsValue, prelude::Closure};
use wasm_bindgen_futures::JsFuture;
use web_sys::{MessageChannel, MessageEvent, ServiceWorker, ServiceWorkerRegistration};

use super::json::BrowserJson;
use super::report_storage;

/// How long to wait for the worker's reply: it only reads and writes a small database.
const REPLY_WAIT_MS: i32 = 3_000;

/// Whether the browser refused the last Background Sync the worker asked for (the person turned
/// it off, say): then a waiting report goes only when the app is open, and the words say so.
static SYNC_REFUSED: AtomicBool = AtomicBool::new(false);

/// Whether this browser will send a waiting report with every page of the app closed: it has
/// Background Sync and did not refuse the last sync asked for. Elsewhere a report waits for the
/// app to be opened with signal.
pub fn sends_with_the_app_closed() -> bool {
    has_background_sync() && !SYNC_REFUSED.load(Ordering::Relaxed)
}

/// Whether this browser offers Background Sync at all (Chrome on Android, Edge, Samsung
/// Internet; not Safari or Firefox).
fn has_background_sync() -> bool {
    web_sys::window().is_some_and(|w| Reflect::has(&w, &"SyncManager".into()).unwrap_or(false))
}

/// When the browser should wake the worker for the reports still waiting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wake {
    /// Not yet: this page is about to try them itself.
    NotYet,
    /// When there is a connection, if any still wait (this page has done what it could).
    IfWaiting,
}

/// Takes the worker's answers into the phone's record (a report delivered or refused while no
/// page was open), hands it what still waits, and with [`Wake::IfWaiting`] has it ask the browser
/// to wake it when there is a connection. Does nothing where there is no worker.
pub async fn hand_over(wake: Wake) {
    // No worker yet (on a first visit it may still be installing): the next run hands over.
    let Some(worker) = active_worker().await else {
        return;
    };
    let Ok(reports) = report_storage::load() else {
        return;
    };
    let Some(reply) = exchange(&worker, &waiting(&reports), &[], wake).await else {
        return;
    };
    let taken = take(&reply.answers);
    if taken.is_empty() {
        return;
    }
    // Told once more, so the worker forgets the answers the record now holds.
    if let Ok(reports) = report_storage::load() {
        let _ = exchange(&worker, &waiting(&reports), &taken, wake).await;
    }
}

/// The reports waiting to go, as the worker sends them: `{id, key, body, notBefore}`, where
/// `notBefore` keeps the page's own schedule (its backoff, and the wait a server asked for).
fn waiting(reports: &[StoredReport]) -> Vec<JsValue> {
    reports
        .iter()
        .filter_map(|report| {
            let submission = report.waiting_submission()?;
            let body = BrowserJson.write(&submission).ok()?;
            #[allow(clippy::cast_precision_loss)] // Exact for any real time.
            let not_before = report.next_attempt_at_ms().unwrap_or(0) as f64;
            let entry = Object::new();
            Reflect::set(&entry, &"id".into(), &submission.id.to_string().into()).ok()?;
            Reflect::set(&entry, &"key".into(), &submission.idempotency_key().into()).ok()?;
            Reflect::set(&entry, &"body".into(), &body.into()).ok()?;
            Reflect::set(&entry, &"notBefore".into(), &not_before.into()).ok()?;
            Some(entry.into())
        })
        .collect()
}

/// Records each of the worker's answers (a receipt or a refusal) on the report it answers, by
/// the wire's rules. Gives the ids of the answers taken, to be forgotten by the worker: all of
/// them (an answer to an older send or a removed report is dropped), or none if the record
/// cannot be written.
fn take(answers: &[JsValue]) -> Vec<String> {
    let read = |answer: &JsValue, name: &str| {
        Reflect::get(answer, &name.into())
            .ok()
            .and_then(|value| value.as_string())
    };
    let mut ids = Vec::new();
    let mut settled = Vec::new();
    for answer in answers {
        let Some(raw_id) = read(answer, "id") else {
            continue;
        };
        ids.push(raw_id.clone());
        let id = ReportId::parse(&raw_id).ok();
        let sent = read(answer, "sent").and_then(|sent| BrowserJson.read_text::<Submission>(&sent));
        let (Some(id), Some(sent)) = (id, sent) else {
            continue;
        };
        // A status the worker did not record reads as 0: no answer, so nothing is settled.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        // Checked first: 0 to 999.
        let status = Reflect::get(answer, &"status".into())
            .ok()
            .and_then(|s| s.as_f64())
            .filter(|s| s.fract() == 0.0 && (0.0..=999.0).contains(s))
            .map_or(0, |s| s as u16);
        let body = read(answer, "body").unwrap_or_default();
        let content_type = read(answer, "contentType");
        let retry_after = read(answer, "retryAfter");
        let outcome = wire::classify(
            &BrowserJson,
            id,
            Attempt::Answered {
                status,
                content_type: content_type.as_deref(),
                body: &body,
                retry_after: retry_after.as_deref(),
            },
        );
        #[allow(clippy::cast_possible_truncation)] // A time in milliseconds fits an i64.
        let at = Reflect::get(answer, &"at".into())
            .ok()
            .and_then(|at| at.as_f64())
            .map_or_else(super::now_ms, |at| at as i64);
        settled.push((id, sent, outcome, at));
    }
    if settled.is_empty() {
        return ids;
    }
    let recorded = report_storage::update(|reports| {
        for (id, sent, outcome, at) in settled {
            if let Some(report) = reports.iter_mut().find(|r| r.id() == id) {
                report.record_sent_elsewhere(&sent, outcome, at);
            }
        }
    });
    match recorded {
        Ok(()) => ids,
        // Kept by the worker, to be taken next time.
        Err(_) => Vec::new(),
    }
}

/// The worker that runs this app.
async fn active_worker() -> Option<ServiceWorker> {
    let container = web_sys::window()?.navigator().service_worker();
    let registration: ServiceWorkerRegistration = JsFuture::from(container.get_registration())
        .await
        .ok()?
        .dyn_into()
        .ok()?;
    registration.active()
}

/// What the worker replied.
struct Reply {
    /// The answers it keeps, not yet taken.
    answers: Vec<JsValue>,
}

/// Sends the worker what waits now and the answers taken; gives its reply, or nothing if it did
/// not reply in time. With [`Wake::IfWaiting`] the worker asks for a sync and says whether the
/// browser agreed, which decides the words ([`sends_with_the_app_closed`]).
async fn exchange(
    worker: &ServiceWorker,
    waiting: &[JsValue],
    taken: &[String],
    wake: Wake,
) -> Option<Reply> {
    let channel = MessageChannel::new().ok()?;
    let message = Object::new();
    Reflect::set(&message, &"type".into(), &MESSAGE.into()).ok()?;
    let asked_to_wake = wake == Wake::IfWaiting && !waiting.is_empty() && has_background_sync();
    let waiting: Array = waiting.iter().collect();
    Reflect::set(&message, &"waiting".into(), &waiting).ok()?;
    let taken: Array = taken.iter().map(|id| JsValue::from_str(id)).collect();
    Reflect::set(&message, &"taken".into(), &taken).ok()?;
    Reflect::set(&message, &"register".into(), &asked_to_wake.into()).ok()?;
    let port = channel.port1();
    let reply = Promise::new(&mut |resolve, _| {
        let on_reply = Closure::once_into_js(move |event: MessageEvent| {
            let _ = resolve.call1(&JsValue::NULL, &event.data());
        });
        port.set_onmessage(Some(on_reply.unchecked_ref()));
    });
    let give_up = Promise::new(&mut |resolve, _| {
        if let Some(window) = web_sys::window() {
            let _ = window
                .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, REPLY_WAIT_MS);
        }
    });
    worker
        .post_message_with_transferable(&message, &Array::of1(&channel.port2()))
        .ok()?;
    let data = JsFuture::from(Promise::race(&Array::of2(&reply, &give_up)))
        .await
        .ok()?;
    port.set_onmessage(None);
    let answers = Reflect::get(&data, &"answers".into()).ok()?;
    if asked_to_wake {
        let registered = Reflect::get(&data, &"registered".into())
            .ok()
            .and_then(|r| r.as_bool())
            .unwrap_or(false);
        SYNC_REFUSED.store(!registered, Ordering::Relaxed);
    }
    Some(Reply {
        answers: answers.dyn_into::<Array>().ok()?.iter().collect(),
    })
}
