//! `GET /api/v1/reports/{id}/status`: what became of a report, for the phone that made it.
//!
//! The report's random id is the capability (only the phone that made it knows it). The answer
//! is `incident_report::progress::Progress`: the reference, when it was received, whether it has
//! been passed on (never where to), and the team's state with times (never who). An id that is
//! not known and one that is not an id at all get the same 404, so the endpoint tells nothing
//! about which reports exist. Rate-limited like the intake, with an allowance of its own.

use axum::{
    Json,
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Response},
};
use incident_report::ReportId;
use incident_report::progress::UNKNOWN_REPORT;

use crate::AppState;

/// Answers with report `id`'s progress, or 404 alike for an unknown or malformed id.
pub async fn status_show(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    let Ok(id) = ReportId::parse(&id) else {
        return unknown();
    };
    match state.reports.store().status(id).await {
        Ok(Some(progress)) => Json(progress).into_response(),
        Ok(None) => unknown(),
        Err(error) => {
            tracing::error!(%error, "a report's status could not be read");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(serde_json::json!({
                    "error": "unavailable",
                    "message": "What became of the report cannot be read just now. Try again later.",
                })),
            )
                .into_response()
        }
    }
}

fn unknown() -> Response {
    (
        StatusCode::NOT_FOUND,
        Json(serde_json::json!({
            "error": UNKNOWN_REPORT,
            "message": "No report with this id has been received.",
        })),
    )
        .into_response()
}
