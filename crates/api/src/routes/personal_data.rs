//! Personal-data requests: `POST /users/me/export/` and its status and download, and
//! `POST /users/{id}/erase/` (admins).

use axum::{
    Json,
    extract::State,
    http::{StatusCode, header},
    response::IntoResponse,
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use switchyard_store::personal_data::ExportRow;
use utoipa::ToSchema;
use uuid::Uuid;

use switchyard_app::personal_data;

use crate::{
    auth::{Caller, Member},
    error::{ApiResult, ErrorBody},
    extract::{ApiJson, IdPath, Tagged},
    routes::{tags, users::UserOut},
    state::AppState,
};

/// An export of the caller's personal data.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExportOut {
    pub id: Uuid,
    /// `pending`, `ready`, `failed` (the job gave up; ask again) or `expired`.
    #[schema(example = "pending")]
    pub status: String,
    pub created_at: DateTime<Utc>,
    pub completed_at: Option<DateTime<Utc>>,
    /// Until when it can be downloaded (24 hours after it was built).
    pub expires_at: Option<DateTime<Utc>>,
    /// Where to download the JSON archive, once ready.
    #[schema(example = "/api/v1/users/me/export/0193a1c2-7d4e-7b1a-9c3d-2f1e0a9b8c7d/download/")]
    pub download_url: Option<String>,
}

fn out(state: &AppState, row: ExportRow) -> ExportOut {
    let expired = personal_data::expired(&state.app, &row);
    let ready = row.status == "ready" && !expired;
    ExportOut {
        download_url: ready.then(|| format!("/api/v1/users/me/export/{}/download/", row.id)),
        status: if expired {
            "expired".into()
        } else {
            row.status
        },
        id: row.id,
        created_at: row.created_at,
        completed_at: row.completed_at,
        expires_at: row.expires_at,
    }
}

/// Asks for a JSON archive of everything held about the caller (profile, memberships, tasks
/// created and assigned, comments, audit entries about them); built in the background.
#[utoipa::path(post, path = "/api/v1/users/me/export", tag = tags::USERS, security(("bearer" = [])),
    responses((status = 202, body = ExportOut), (status = 401, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn request(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<(StatusCode, Json<ExportOut>)> {
    let row = personal_data::request_export(&state.app, &caller).await?;
    Ok((StatusCode::ACCEPTED, Json(out(&state, row))))
}

/// The status of one of the caller's exports, with `download_url` once ready.
#[utoipa::path(get, path = "/api/v1/users/me/export/{id}", tag = tags::USERS, params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses((status = 200, body = ExportOut), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn status(
    State(state): State<AppState>,
    caller: Caller,
    IdPath(id): IdPath,
) -> ApiResult<Json<ExportOut>> {
    let row = personal_data::export(&state.app, &caller, id).await?;
    Ok(Json(out(&state, row)))
}

/// The archive itself (JSON, as an attachment), for 24 hours after it was built.
#[utoipa::path(get, path = "/api/v1/users/me/export/{id}/download", tag = tags::USERS, params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses((status = 200, description = "The archive", content_type = "application/json"), (status = 401, body = ErrorBody), (status = 404, description = "Unknown, another person's, or expired", body = ErrorBody), (status = 409, description = "Not built yet", body = ErrorBody)))]
pub async fn download(
    State(state): State<AppState>,
    caller: Caller,
    IdPath(id): IdPath,
) -> ApiResult<impl IntoResponse> {
    let archive = personal_data::download(&state.app, &caller, id).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/json".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"switchyard-personal-data-{id}.json\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        archive,
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct EraseRequest {
    /// The request this fulfils (kept in the event, not in the audit log).
    #[schema(example = "Erasure request #1234 of 2026-11-30")]
    pub reason: String,
}

/// Erases a deactivated member who belongs to no other organization (admins): name, email,
/// skills and password are replaced; audit entries and comments stay, attributed to the
/// pseudonym `deleted-user-…`; the audit log keeps every entry.
#[utoipa::path(post, path = "/api/v1/users/{id}/erase", tag = tags::USERS, params(("id" = Uuid, Path)), request_body = EraseRequest, security(("bearer" = [])),
    responses((status = 200, body = UserOut), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, description = "Not deactivated yet, or a member of other organizations", body = ErrorBody)))]
pub async fn erase(
    State(state): State<AppState>,
    member: Member,
    IdPath(id): IdPath,
    ApiJson(req): ApiJson<EraseRequest>,
) -> ApiResult<Tagged<UserOut>> {
    let row = personal_data::erase(&state.app, &member, id, req.reason).await?;
    Ok(Tagged::of(row.into()))
}
