//! Hands the reports waiting on this phone to the offline worker, so that the browser can send
//! them when signal returns even with every page of the app closed (Background Sync, where the
//! browser has it), and takes back into the phone's record what the worker was answered.
//!
//! Called by the sender while it holds the sender's Web Lock, which the worker also holds while
//! it sends, so the two never send or change the hand-over at once. The names shared with the
//! worker are `service_worker::handover`'s.

use incident_report::ReportId;
use incident_report::json::Json;
use incident_report::stored::StoredReport;
use incident_report::wire::{self, Attempt, Submission};
use js_sys::{Array, Object, Promise, Reflect};
use service_worker::handover::{MESSAGE, SYNC_TAG};
use wasm_bindgen::{JsCast, JsValue, prelude::Closure};
use wasm_bindgen_futures::JsFuture;
use web_sys::{MessageChannel, MessageEvent, ServiceWorker, ServiceWorkerRegistration};

use super::json::BrowserJson;
use super::report_storage;

/// How long to wait for the worker's reply: it only reads and writes a small database.
const REPLY_WAIT_MS: i32 = 3_000;

/// Whether this browser will send a waiting report with every page of the app closed: it has
/// Background Sync and the offline worker runs this page. Elsewhere a report waits for the app
/// to be opened with signal.
pub fn sends_with_the_app_closed() -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    Reflect::has(&window, &"SyncManager".into()).unwrap_or(false)
        && window.navigator().service_worker().controller().is_some()
}

/// Takes the worker's answers into the phone's record, hands it what still waits, and asks the
/// browser to wake it when there is a connection. Returns whether the record changed (a report
/// was delivered or refused while no page was open). Does nothing where there is no worker.
pub async fn hand_over() -> bool {
    let Some((registration, worker)) = active_worker().await else {
        return false;
    };
    let Ok(reports) = report_storage::load() else {
        return false;
    };
    let Some(answers) = exchange(&worker, &waiting(&reports), &[]).await else {
        return false;
    };
    let (taken, changed) = take(&answers);
    let Ok(reports) = report_storage::load() else {
        return changed;
    };
    let waiting = waiting(&reports);
    if !taken.is_empty() {
        // Told once more, so the worker forgets the answers the record now holds.
        let _ = exchange(&worker, &waiting, &taken).await;
    }
    if !waiting.is_empty() {
        register_sync(&registration).await;
    }
    changed
}

/// The reports waiting to go, as the worker sends them: `{id, key, body}`.
fn waiting(reports: &[StoredReport]) -> Vec<JsValue> {
    reports
        .iter()
        .filter_map(StoredReport::waiting_submission)
        .filter_map(|submission| {
            let body = BrowserJson.write(&submission).ok()?;
            let entry = Object::new();
            Reflect::set(&entry, &"id".into(), &submission.id.to_string().into()).ok()?;
            Reflect::set(&entry, &"key".into(), &submission.idempotency_key().into()).ok()?;
            Reflect::set(&entry, &"body".into(), &body.into()).ok()?;
            Some(entry.into())
        })
        .collect()
}

/// Records each of the worker's answers (a receipt or a refusal) on the report it answers, by
/// the wire's rules. Gives the ids of the answers taken (to be forgotten by the worker) and
/// whether any report changed. Nothing is taken if the record cannot be written.
fn take(answers: &[JsValue]) -> (Vec<String>, bool) {
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
        return (ids, false);
    }
    let recorded = report_storage::update(|reports| {
        let mut changed = false;
        for (id, sent, outcome, at) in settled {
            if let Some(report) = reports.iter_mut().find(|r| r.id() == id) {
                changed |= report.record_sent_elsewhere(&sent, outcome, at);
            }
        }
        changed
    });
    match recorded {
        Ok(changed) => (ids, changed),
        // Kept by the worker, to be taken next time.
        Err(_) => (Vec::new(), false),
    }
}

/// The worker that runs this app, and its registration.
async fn active_worker() -> Option<(ServiceWorkerRegistration, ServiceWorker)> {
    let container = web_sys::window()?.navigator().service_worker();
    let registration: ServiceWorkerRegistration = JsFuture::from(container.get_registration())
        .await
        .ok()?
        .dyn_into()
        .ok()?;
    let worker = registration.active()?;
    Some((registration, worker))
}

/// Sends the worker what waits now and the answers taken; gives the answers it still keeps, or
/// nothing if it did not reply in time.
async fn exchange(
    worker: &ServiceWorker,
    waiting: &[JsValue],
    taken: &[String],
) -> Option<Vec<JsValue>> {
    let channel = MessageChannel::new().ok()?;
    let message = Object::new();
    Reflect::set(&message, &"type".into(), &MESSAGE.into()).ok()?;
    let waiting: Array = waiting.iter().collect();
    Reflect::set(&message, &"waiting".into(), &waiting).ok()?;
    let taken: Array = taken.iter().map(|id| JsValue::from_str(id)).collect();
    Reflect::set(&message, &"taken".into(), &taken).ok()?;
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
    Some(answers.dyn_into::<Array>().ok()?.iter().collect())
}

/// Asks the browser to wake the worker when there is a connection (where it can).
async fn register_sync(registration: &ServiceWorkerRegistration) {
    let register = Reflect::get(registration, &"sync".into())
        .ok()
        .filter(JsValue::is_object)
        .and_then(|sync| {
            let register = Reflect::get(&sync, &"register".into()).ok()?;
            register
                .dyn_into::<js_sys::Function>()
                .ok()?
                .call1(&sync, &SYNC_TAG.into())
                .ok()
        });
    if let Some(promise) = register.and_then(|p| p.dyn_into::<Promise>().ok()) {
        // Refused (for example, the person turned background sync off): the page sends instead.
        let _ = JsFuture::from(promise).await;
    }
}
