//! `POST /api/v1/reports`: where phones send incident reports.
//!
//! The request carries the report id in an `Idempotency-Key` header (as the IETF
//! idempotency-key draft describes; quoted or bare) and `{"id", "form"}` as JSON. Answers:
//! - 201 `{"id", "reference"}`: stored now (committed to disk before the answer);
//! - 200 with the same body: this id was already stored with the same content;
//! - 400: no or malformed key, malformed JSON, or a key that is not the body's id;
//! - 409: a request with this id is still being processed;
//! - 413: the body is over 64 KiB;
//! - 415: the body is not sent as `application/json`;
//! - 429: too many reports from this address, or in all, just now (`Retry-After` says when to
//!   try again; see `guard`);
//! - 422: the answers are invalid (`fields` says which and why), or this id was already used
//!   for a different report (`error` is `idempotency-key-reused`).
//!
//! Nothing is stored on any error. A new report is stored with one delivery row per forwarding
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
use forwarding::Forwarder;
use incident_report::wire::{ErrorCode, Receipt as ReportReceipt, Refusal, Submission};
use incident_report::{AnswerError, ReportId};
use report_store::{NewReport, ReportStore, Submitted};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use crate::AppState;

/// The largest report body accepted, in bytes: a full report with every text at its longest is
/// under 16 KiB.
pub const BODY_LIMIT: usize = 64 * 1024;

/// The report store, the forwarder that sends new reports on, and the ids being processed
/// right now.
#[derive(Debug)]
pub struct Reports {
    store: ReportStore,
    forwarder: Option<Forwarder>,
    in_flight: Mutex<HashSet<ReportId>>,
}

impl Reports {
    /// Serves reports from `store`; with a forwarder, each new report gets a delivery row per
    /// destination and wakes it.
    pub fn new(store: ReportStore, forwarder: Option<Forwarder>) -> Self {
        Self {
            store,
            forwarder,
            in_flight: Mutex::new(HashSet::new()),
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
    /// The JSON is not a report submission (the parser's detail, for the log only).
    Malformed(String),
    /// The key is not the body's id.
    KeyMismatch,
    /// The answers are invalid.
    Invalid(Vec<AnswerError>),
    /// A request with this id is being processed.
    InProgress,
    /// This id was already used for a different report.
    KeyReused,
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
            Self::Malformed(_) => ErrorCode::MalformedReport,
            Self::KeyMismatch => ErrorCode::IdempotencyKeyMismatch,
            Self::Invalid(_) => ErrorCode::InvalidReport,
            Self::InProgress => ErrorCode::InProgress,
            Self::KeyReused => ErrorCode::IdempotencyKeyReused,
            Self::Internal(_) => ErrorCode::Internal,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match &self {
            Self::Body(rejection) => {
                tracing::warn!(detail = %rejection.body_text(), "report body could not be read");
            }
            // The parser's words name internal types: they go to the log, not the sender.
            Self::Malformed(detail) => {
                tracing::warn!(%detail, "a report body that is not a report");
            }
            Self::Internal(detail) => {
                tracing::error!(%detail, "report intake failed");
            }
            _ => {}
        }
        let code = self.code();
        let refusal = match &self {
            Self::Invalid(errors) => Refusal::invalid(errors),
            _ => Refusal::new(code),
        };
        refusal_response(&refusal)
    }
}

/// The answer carrying `refusal`, with its code's status.
pub fn refusal_response(refusal: &Refusal) -> Response {
    let status =
        StatusCode::from_u16(refusal.error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, Json(refusal)).into_response()
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
    let mut submission: Submission =
        serde_json::from_slice(&body).map_err(|e| ApiError::Malformed(e.to_string()))?;
    // What is checked is what is stored: the answers without the spaces around them.
    submission.form = submission.form.trimmed();
    if submission.id != key {
        return Err(ApiError::KeyMismatch);
    }
    let now = OffsetDateTime::now_utc();
    // A reporter in a time zone ahead of UTC may already be on tomorrow's date.
    let latest_date = now.date().next_day().unwrap_or(now.date());
    submission
        .form
        .validate(latest_date)
        .map_err(ApiError::Invalid)?;

    let _in_flight = state.reports.begin(key).ok_or(ApiError::InProgress)?;
    // The canonical form (re-serialised, so spacing and key order do not matter) is what is
    // stored and what tells a repeat from a different report.
    let form_json =
        serde_json::to_string(&submission.form).map_err(|e| ApiError::Internal(e.to_string()))?;
    let fingerprint = format!("{:x}", Sha256::digest(form_json.as_bytes()));
    let received_at = now
        .format(&time::format_description::well_known::Rfc3339)
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    let reports = &state.reports;
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
            received_at_ms: forwarding::epoch_ms(now),
            year: now.year(),
            destinations,
        })
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?;

    match outcome {
        Submitted::Created { reference } => {
            if let Some(forwarder) = &reports.forwarder {
                forwarder.wake();
            }
            Ok((
                StatusCode::CREATED,
                Json(ReportReceipt { id: key, reference }),
            ))
        }
        Submitted::Repeat { reference } => {
            Ok((StatusCode::OK, Json(ReportReceipt { id: key, reference })))
        }
        Submitted::Mismatch => Err(ApiError::KeyReused),
        Submitted::InProgress => Err(ApiError::InProgress),
    }
}
