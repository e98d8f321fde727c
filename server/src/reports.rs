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
use incident_report::outbox::{Receipt as ReportReceipt, Submission};
use incident_report::{FieldError, ReportId};
use report_store::{NewReport, ReportStore, Submitted};
use serde::Serialize;
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

/// What went wrong with a request, as the phone (and the person) will be told.
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
    Invalid(Vec<FieldError>),
    /// A request with this id is being processed.
    InProgress,
    /// This id was already used for a different report.
    KeyReused,
    /// Something failed on the server.
    Internal(String),
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    error: &'a str,
    message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    fields: Option<Vec<FieldMessage<'a>>>,
}

#[derive(Serialize)]
struct FieldMessage<'a> {
    field: incident_report::Field,
    id: &'static str,
    message: &'a str,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, error, message) = match &self {
            // The phone shows this message to the reporter, so it is in plain words.
            Self::Body(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "too-large",
                "The report is too long to send. Shorten the longest answers.".to_owned(),
            ),
            Self::Body(rejection) => {
                tracing::warn!(detail = %rejection.body_text(), "report body could not be read");
                (
                    rejection.status(),
                    "unreadable-body",
                    "The report arrived incomplete.".to_owned(),
                )
            }
            Self::NotJson => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "not-json",
                "Send the report as JSON, with Content-Type: application/json.".to_owned(),
            ),
            Self::BadKey => (
                StatusCode::BAD_REQUEST,
                "bad-idempotency-key",
                "Send the report id as the Idempotency-Key header.".to_owned(),
            ),
            Self::Malformed(detail) => {
                // The parser's words name internal types: they go to the log, not the sender.
                tracing::warn!(%detail, "a report body that is not a report");
                (
                    StatusCode::BAD_REQUEST,
                    "malformed-report",
                    "The report could not be read: it is not in the form this server expects."
                        .to_owned(),
                )
            }
            Self::KeyMismatch => (
                StatusCode::BAD_REQUEST,
                "idempotency-key-mismatch",
                "The Idempotency-Key header must be the report's id.".to_owned(),
            ),
            Self::Invalid(_) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid-report",
                "Some answers need to be corrected.".to_owned(),
            ),
            Self::InProgress => (
                StatusCode::CONFLICT,
                "in-progress",
                "This report is already being received. Try again in a moment.".to_owned(),
            ),
            Self::KeyReused => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "idempotency-key-reused",
                "A different report was already received with this id.".to_owned(),
            ),
            Self::Internal(detail) => {
                tracing::error!(%detail, "report intake failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "The report could not be stored. It is safe to send it again.".to_owned(),
                )
            }
        };
        let fields = match &self {
            Self::Invalid(errors) => Some(
                errors
                    .iter()
                    .map(|e| FieldMessage {
                        field: e.field,
                        id: e.field.id(),
                        message: &e.message,
                    })
                    .collect(),
            ),
            _ => None,
        };
        (
            status,
            Json(ErrorBody {
                error,
                message,
                fields,
            }),
        )
            .into_response()
    }
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
