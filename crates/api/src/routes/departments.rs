//! `/api/v1/departments/`: admins write, every member reads.

use axum::{Json, extract::State, http::StatusCode};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use switchyard_store::departments::Department;
use utoipa::ToSchema;
use uuid::Uuid;

use switchyard_app::departments::{self, DepartmentInput};

use crate::{
    auth::Member,
    error::{ApiResult, ErrorBody},
    extract::{
        ApiJson, IdPath, IfMatch, PageQuery, Paginated, Tagged, Versioned, pagination::PageParams,
    },
    routes::{double_option, tags},
    state::AppState,
};

/// A department with its head and members.
#[derive(Debug, Serialize, ToSchema)]
pub struct DepartmentOut {
    pub id: Uuid,
    #[schema(example = "Platform engineering")]
    pub name: String,
    /// The department head (a member's id), used by approval steps that name the head.
    pub head: Option<Uuid>,
    /// Members' ids, by username.
    pub members: Vec<Uuid>,
    pub member_count: usize,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Grows with every change; send it back in `If-Match` to refuse lost updates (412).
    #[schema(example = 1)]
    pub version: i64,
}

impl From<Department> for DepartmentOut {
    fn from(d: Department) -> Self {
        DepartmentOut {
            id: d.id,
            name: d.name,
            head: d.head_id,
            member_count: d.members.len(),
            members: d.members,
            created_at: d.created_at,
            updated_at: d.updated_at,
            version: d.version,
        }
    }
}

impl Versioned for DepartmentOut {
    fn version(&self) -> i64 {
        self.version
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateDepartmentRequest {
    #[schema(min_length = 1, max_length = 255, example = "Robotics Engineering")]
    pub name: String,
    #[schema(example = "e2d4f6a8-1b3c-4d5e-8f7a-9b0c1d2e3f4a")]
    pub head: Option<Uuid>,
    /// Members to put in it; anyone already in another department moves here.
    #[serde(default)]
    #[schema(
        example = json!([
            "e2d4f6a8-1b3c-4d5e-8f7a-9b0c1d2e3f4a",
            "a7b9c1d3-5e6f-4a8b-9c0d-1e2f3a4b5c6d"
        ])
    )]
    pub members: Vec<Uuid>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct UpdateDepartmentRequest {
    #[schema(
        min_length = 1,
        max_length = 255,
        example = "Robotics & Automation Engineering"
    )]
    pub name: Option<String>,
    /// A member's id, or null to clear the head.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Uuid>, example = "a7b9c1d3-5e6f-4a8b-9c0d-1e2f3a4b5c6d")]
    pub head: Option<Option<Uuid>>,
    /// Replaces the member list (people named move in; people left out leave).
    #[schema(
        example = json!([
            "e2d4f6a8-1b3c-4d5e-8f7a-9b0c1d2e3f4a",
            "a7b9c1d3-5e6f-4a8b-9c0d-1e2f3a4b5c6d"
        ])
    )]
    pub members: Option<Vec<Uuid>>,
}

/// The organization's departments, by name.
#[utoipa::path(get, path = "/api/v1/departments", tag = tags::TEAMS, params(PageParams), security(("bearer" = [])),
    responses((status = 200, body = Paginated<DepartmentOut>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    member: Member,
    page: PageQuery,
) -> ApiResult<Json<Paginated<DepartmentOut>>> {
    let (rows, count) = departments::list(&state.app, &member, page.page).await?;
    let out = rows.into_iter().map(Into::into).collect();
    Ok(Json(page.wrap(out, count)?))
}

/// One department.
#[utoipa::path(get, path = "/api/v1/departments/{id}", tag = tags::TEAMS, params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses((status = 200, body = DepartmentOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    member: Member,
    IdPath(id): IdPath,
) -> ApiResult<Tagged<DepartmentOut>> {
    Ok(Tagged::of(
        departments::get(&state.app, &member, id).await?.into(),
    ))
}

/// Creates a department (admins).
#[utoipa::path(post, path = "/api/v1/departments", tag = tags::TEAMS, request_body = CreateDepartmentRequest, security(("bearer" = [])),
    responses((status = 201, body = DepartmentOut), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    member: Member,
    ApiJson(req): ApiJson<CreateDepartmentRequest>,
) -> ApiResult<(StatusCode, Json<DepartmentOut>)> {
    let input = DepartmentInput {
        name: Some(req.name),
        head: Some(req.head),
        members: Some(req.members),
    };
    let row = departments::create(&state.app, &member, input).await?;
    Ok((StatusCode::CREATED, Json(row.into())))
}

/// Changes a department (admins).
#[utoipa::path(patch, path = "/api/v1/departments/{id}", tag = tags::TEAMS, params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "Refuse the write unless the resource is still at this version: its ETag (\"3\"), the weak form (W/\"3\") or the number (3).", example = "\"3\"")), request_body = UpdateDepartmentRequest,
    security(("bearer" = [])),
    responses((status = 200, body = DepartmentOut), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 412, description = "If-Match named a stale version; nothing changed", body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    member: Member,
    IdPath(id): IdPath,
    IfMatch(if_match): IfMatch,
    ApiJson(req): ApiJson<UpdateDepartmentRequest>,
) -> ApiResult<Tagged<DepartmentOut>> {
    let input = DepartmentInput {
        name: req.name,
        head: req.head,
        members: req.members,
    };
    let row = departments::update(&state.app, &member, id, input, if_match).await?;
    Ok(Tagged::of(row.into()))
}

/// Deletes a department (admins); its members stay, in no department.
#[utoipa::path(delete, path = "/api/v1/departments/{id}", tag = tags::TEAMS, params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "Refuse the write unless the resource is still at this version: its ETag (\"3\"), the weak form (W/\"3\") or the number (3).", example = "\"3\"")), security(("bearer" = [])),
    responses((status = 204), (status = 400, description = "If-Match is not a version", body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 412, description = "If-Match named a stale version; nothing changed", body = ErrorBody)))]
pub async fn delete(
    State(state): State<AppState>,
    member: Member,
    IdPath(id): IdPath,
    IfMatch(if_match): IfMatch,
) -> ApiResult<StatusCode> {
    departments::delete(&state.app, &member, id, if_match).await?;
    Ok(StatusCode::NO_CONTENT)
}
