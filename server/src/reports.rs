//! `POST /api/v1/reports`: where phones send incident reports.
//!
//! The request carries the report id in an `Idempotency-Key` header (as the IETF
//! idempotency-key draft describes; quoted or bare) and `{"id", "form"}` as JSON. Answers:
//! - 201 `{"id", "reference"}`: stored now (committed to disk before the answer);
//! - 200 with the same body: this id was already stored with the same content (answered from
//!   the store before the answers are checked, so a report stored under an earlier release's
//!   rules is never refused by a later one's);
//! - 400: no or malformed key, malformed JSON, or a key that is not the body's id;
//! - 409: a request with this id is still being processed;
//! - 413: the body is over 64 KiB;
//! - 415: the body is not sent as `application/json`;
//! - 429: too many reports from this address, or in all, just now (`Retry-After` says when to
//!   try again; see `rate_limit`);
//! - 422: the answers are invalid (`fields` says which and why), or this id was already used
//!   for a different report (`error` is `idempotency-key-reused`);
//! - 503: the database cannot take writes just now (a full disk, a lost connection), with
//!   `Retry-After`; `/readyz` says not ready until a write works again.
//!
//! What is stored and forwarded is `ReportForm::canonical`: only the questions the answers
//! ask, trimmed, with dates written one way. Nothing is stored on any error, and nothing a body
//! says reaches the log (a parse error is logged by its kind and position). A new report is stored with one delivery row per forwarding
//! destination in the same transaction, and the forwarder is woken to send it at once.

use std::collections::HashSet;
use std::sync::{Arc, Mutex, PoisonError};

use axum::{
    Json,
    body::Bytes,
    extract::{State, rejection::BytesRejection},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
};
use clock::SharedClock;
use forwarding::Forwarder;
use incident_report::wire::{ErrorCode, Receipt as ReportReceipt, Refusal, Submission};
use incident_report::{AnswerError, ReportId};
use report_store::{NewReport, ReportStore, StoreError, Submitted};
use sha2::{Digest, Sha256};

use crate::AppState;
use crate::fixed::UNAVAILABLE_RETRY_AFTER_S;
use crate::store_health::StoreHealth;

/// The report store, the forwarder that sends new reports on, and the ids being processed
/// right now.
#[derive(Debug)]
pub struct Reports {
    store: ReportStore,
    forwarder: Option<Forwarder>,
    in_flight: Mutex<HashSet<ReportId>>,
    health: StoreHealth,
    clock: SharedClock,
}

impl Reports {
    /// Serves reports from `store`; with a forwarder, each new report gets a delivery row per
    /// destination and wakes it. Every time it and the parts it serves keep is read from
    /// `clock`.
    pub fn new(store: ReportStore, forwarder: Option<Forwarder>, clock: SharedClock) -> Self {
        Self {
            store,
            forwarder,
            in_flight: Mutex::new(HashSet::new()),
            health: StoreHealth::default(),
            clock,
        }
    }

    /// The application's clock.
    pub fn clock(&self) -> &SharedClock {
        &self.clock
    }

    /// The time now by the application's clock, in milliseconds since the Unix epoch.
    pub fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }

    /// Whether the database can take writes (see [`StoreHealth`]).
    pub fn health(&self) -> &StoreHealth {
        &self.health
    }

    /// The error a phone is given for a store call that failed, noted for `/readyz`.
    fn store_failed(&self, error: &StoreError) -> ApiError {
        self.health.failed(error);
        if error.is_unavailable() {
            ApiError::Unavailable(error.to_string())
        } else {
            ApiError::Internal(error.to_string())
        }
    }

    /// Wakes the forwarder (after held-back deliveries were made due again), if there is one.
    pub fn wake_forwarder(&self) {
        if let Some(forwarder) = &self.forwarder {
            forwarder.wake();
        }
    }

    /// The store.
    pub fn store(&self) -> &ReportStore {
        &self.store
    }

    /// How many reports are stored.
    pub async fn count(&self) -> Result<u64, report_store::StoreError> {
        self.store.count().await
    }

    /// Marks `id` as being processed until the returned guard is dropped, or `None` if it
    /// already is.
    pub fn begin(self: &Arc<Self>, id: ReportId) -> Option<InFlight> {
        let inserted = self
            .in_flight
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(id);
        inserted.then(|| InFlight {
            reports: Arc::clone(self),
            id,
        })
    }
}

/// While alive, `id` is being processed; dropping it (also on error or cancellation) ends that.
#[derive(Debug)]
pub struct InFlight {
    reports: Arc<Reports>,
    id: ReportId,
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.reports
            .in_flight
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&self.id);
    }
}

/// What went wrong with a request. The phone is told the error's code, status and words from
/// the wire contract (`incident_report::wire::ErrorCode`); details go to the log only.
#[derive(Debug)]
pub enum ApiError {
    /// The body could not be read (too large, or broken off).
    Body(BytesRejection),
    /// The body is not declared as JSON.
    NotJson,
    /// No `Idempotency-Key`, or not a report id.
    BadKey,
    /// The JSON is not a report submission. Only the kind of error and where it is are kept:
    /// the parser's words quote the value they could not read, which may be an answer.
    Malformed {
        /// Syntax, data of the wrong shape, or the end of the body too soon.
        kind: serde_json::error::Category,
        /// Where in the body, line and column.
        line: usize,
        /// The column on that line.
        column: usize,
    },
    /// The key is not the body's id.
    KeyMismatch,
    /// The answers are invalid.
    Invalid(Vec<AnswerError>),
    /// A request with this id is being processed.
    InProgress,
    /// This id was already used for a different report.
    KeyReused,
    /// The database cannot take writes just now (the detail, for the log only).
    Unavailable(String),
    /// Something failed on the server (the detail, for the log only).
    Internal(String),
}

impl ApiError {
    /// The contract's code for this error.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::Body(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                ErrorCode::TooLarge
            }
            Self::Body(_) => ErrorCode::UnreadableBody,
            Self::NotJson => ErrorCode::NotJson,
            Self::BadKey => ErrorCode::BadIdempotencyKey,
            Self::Malformed { .. } => ErrorCode::MalformedReport,
            Self::KeyMismatch => ErrorCode::IdempotencyKeyMismatch,
            Self::Invalid(_) => ErrorCode::InvalidReport,
            Self::InProgress => ErrorCode::InProgress,
            Self::KeyReused => ErrorCode::IdempotencyKeyReused,
            Self::Unavailable(_) => ErrorCode::Unavailable,
            Self::Internal(_) => ErrorCode::Internal,
        }
    }
}

impl ApiError {
    /// Writes what the log may know of the error: never a body or an answer.
    pub fn log(&self) {
        match self {
            Self::Body(rejection) => {
                tracing::warn!(status = %rejection.status(), "report body could not be read");
            }
            Self::Malformed { kind, line, column } => {
                tracing::warn!(?kind, line, column, "a report body that is not a report");
            }
            Self::Unavailable(detail) => {
                tracing::warn!(%detail, "report refused for now: the database cannot take it");
            }
            Self::Internal(detail) => {
                tracing::error!(%detail, "report intake failed");
            }
            _ => {}
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.log();
        let code = self.code();
        let refusal = match &self {
            Self::Invalid(errors) => Refusal::invalid(errors),
            _ => Refusal::new(code),
        };
        let mut response = refusal_response(&refusal);
        if let Self::Unavailable(_) = self {
            response.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                UNAVAILABLE_RETRY_AFTER_S.into(),
            );
        }
        response
    }
}

/// The answer carrying `refusal`, with its code's status.
pub fn refusal_response(refusal: &Refusal) -> Response {
    let status =
        StatusCode::from_u16(refusal.error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = (status, Json(refusal)).into_response();
    // For the metrics: the refusal's code, never its words.
    response.extensions_mut().insert(refusal.error);
    response
}

/// `POST /api/v1/reports`.
pub async fn reports_create(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<ReportReceipt>), ApiError> {
    let is_json = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|media| media.trim().eq_ignore_ascii_case("application/json"));
    if !is_json {
        return Err(ApiError::NotJson);
    }
    let body = body.map_err(ApiError::Body)?;
    let key = headers
        .get("idempotency-key")
        .and_then(|value| value.to_str().ok())
        .and_then(|value| ReportId::parse(value.trim().trim_matches('"')).ok())
        .ok_or(ApiError::BadKey)?;
    let submission: Submission =
        serde_json::from_slice(&body).map_err(|error| ApiError::Malformed {
            kind: error.classify(),
            line: error.line(),
            column: error.column(),
        })?;
    if submission.id != key {
        return Err(ApiError::KeyMismatch);
    }
    let (status, receipt) = take(&state.reports, submission).await?;
    Ok((status, Json(receipt)))
}

/// Checks and stores `submission` (once: a repeat of its id is answered from the store), and
/// wakes the forwarder for a new report. The phones' JSON intake and the plain HTML form both
/// take reports this one way.
pub async fn take(
    reports: &Arc<Reports>,
    submission: Submission,
) -> Result<(StatusCode, ReportReceipt), ApiError> {
    let key = submission.id;
    // What is checked and stored: only what the form asked, trimmed, dates written one way. Its
    // JSON (re-serialised, so spacing and key order do not matter) tells a repeat from a
    // different report.
    let form = submission.form.canonical();
    let form_json = serde_json::to_string(&form).map_err(|e| ApiError::Internal(e.to_string()))?;
    let fingerprint = fingerprint(&form_json);

    // A report already stored is answered from the store before any check: it was valid under
    // the rules of the release that stored it, and a phone resending it after a release with
    // stricter rules must get its reference, not a request for changes.
    if let Some(known) = reports
        .store
        .find(key)
        .await
        .map_err(|e| reports.store_failed(&e))?
    {
        return if known.fingerprint == fingerprint
            || known.fingerprint == legacy_fingerprint(&submission.form)
        {
            Ok((
                StatusCode::OK,
                ReportReceipt {
                    id: key,
                    reference: known.reference,
                },
            ))
        } else {
            Err(ApiError::KeyReused)
        };
    }

    let now = reports.clock.now();
    // A reporter in a time zone ahead of UTC may already be on tomorrow's date.
    let latest_date = now.date().next_day().unwrap_or(now.date());
    // By the rules the answers were written under: a report queued on a phone before a release
    // made an answer required is still taken. (A version newer than this server's is checked
    // by this server's rules, the newest it knows.)
    let version = submission
        .form_version
        .min(incident_report::question_table::FORM_VERSION);
    form.validate_as(version, latest_date)
        .map_err(ApiError::Invalid)?;

    let _in_flight = reports.begin(key).ok_or(ApiError::InProgress)?;
    let received_at = now
        .format(&time::format_description::well_known::Rfc3339)
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    let destinations = reports
        .forwarder
        .as_ref()
        .map(Forwarder::destination_names)
        .unwrap_or_default();
    let outcome = reports
        .store
        .submit(NewReport {
            id: key,
            fingerprint,
            form_json,
            received_at,
            received_at_ms: clock::epoch_ms(now),
            year: now.year(),
            destinations,
        })
        .await
        .map_err(|e| reports.store_failed(&e))?;

    match outcome {
        Submitted::Created { reference } => {
            reports.health.wrote();
            if let Some(forwarder) = &reports.forwarder {
                forwarder.wake();
            }
            Ok((StatusCode::CREATED, ReportReceipt { id: key, reference }))
        }
        Submitted::Repeat { reference } => {
            Ok((StatusCode::OK, ReportReceipt { id: key, reference }))
        }
        Submitted::Mismatch => Err(ApiError::KeyReused),
        Submitted::InProgress => Err(ApiError::InProgress),
    }
}

/// The hash that tells a repeat from a different report.
fn fingerprint(form_json: &str) -> String {
    format!("{:x}", Sha256::digest(form_json.as_bytes()))
}

/// The fingerprint an earlier release stored `form` with: trimmed, but with every answer kept
/// and dates as typed. A report stored then and sent again now is still a repeat.
fn legacy_fingerprint(form: &incident_report::ReportForm) -> String {
    serde_json::to_string(&form.trimmed())
        .map(|json| fingerprint(&json))
        .unwrap_or_default()
}
