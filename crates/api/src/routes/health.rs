//! Liveness, readiness and Prometheus metrics.

use std::time::Duration;

use axum::{Json, extract::State, http::header, response::IntoResponse};
use serde::Serialize;
use utoipa::ToSchema;

use crate::{
    error::{ApiError, ApiResult, ErrorBody},
    routes::tags,
    state::AppState,
};

#[derive(Debug, Serialize, ToSchema)]
pub struct HealthOut {
    pub status: String,
}

/// The process is up.
#[utoipa::path(get, path = "/health/live", tag = tags::OPERATIONS, responses((status = 200, body = HealthOut)))]
pub async fn live() -> Json<HealthOut> {
    Json(HealthOut {
        status: "ok".into(),
    })
}

/// The process can serve: the database answers within a second and takes writes. `503`
/// with `Retry-After` while it is away or read-only.
#[utoipa::path(get, path = "/health/ready", tag = tags::OPERATIONS,
    responses((status = 200, body = HealthOut), (status = 503, body = ErrorBody)))]
pub async fn ready(State(state): State<AppState>) -> ApiResult<Json<HealthOut>> {
    state
        .app
        .db
        .writable(Duration::from_secs(1))
        .await
        .map_err(|fault| ApiError::Unavailable {
            detail: fault.message().to_string(),
            retry_after: fault.retry_after(),
        })?;
    Ok(Json(HealthOut {
        status: "ready".into(),
    }))
}

/// Prometheus text exposition of request and job metrics.
#[utoipa::path(get, path = "/metrics", tag = tags::OPERATIONS,
    responses((status = 200, description = "Prometheus text format", content_type = "text/plain")))]
pub async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    let body = state
        .metrics
        .as_ref()
        .map(|h| h.render())
        .unwrap_or_default();
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], body)
}
