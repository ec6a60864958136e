//! Liveness, readiness and Prometheus metrics.

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

/// The process can serve: the database answers.
#[utoipa::path(get, path = "/health/ready", tag = tags::OPERATIONS,
    responses((status = 200, body = HealthOut), (status = 503, body = ErrorBody)))]
pub async fn ready(State(state): State<AppState>) -> ApiResult<Json<HealthOut>> {
    state
        .app
        .db
        .ping()
        .await
        .map_err(|_| ApiError::Unavailable("The database is not reachable.".into()))?;
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
