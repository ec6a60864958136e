//! `/api/v1/teams/`.

use axum::{Json, extract::State, http::StatusCode};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use switchyard_app::teams::{self, TeamInput, TeamView};

use crate::{
    auth::Member,
    error::{ApiResult, ErrorBody},
    extract::{
        ApiJson, IdPath, IfMatch, PageQuery, Paginated, Tagged, Versioned, pagination::PageParams,
    },
    routes::{double_option, tags, users::UserOut},
    state::AppState,
};

/// A team with its lead and members.
#[derive(Debug, Serialize, ToSchema)]
pub struct TeamOut {
    pub id: Uuid,
    pub name: String,
    pub organization: Uuid,
    pub lead: Option<Uuid>,
    pub lead_detail: Option<UserOut>,
    pub members: Vec<Uuid>,
    pub member_count: usize,
    pub created_at: DateTime<Utc>,
    /// Grows with every change; send it back in `If-Match` to refuse lost updates (412).
    #[schema(example = 1)]
    pub version: i64,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateTeamRequest {
    #[schema(min_length = 1, max_length = 255, example = "Motion Control Team")]
    pub name: String,
    #[schema(example = "e2d4f6a8-1b3c-4d5e-8f7a-9b0c1d2e3f4a")]
    pub lead: Option<Uuid>,
    #[serde(default)]
    #[schema(
        max_items = 100,
        example = json!([
            "e2d4f6a8-1b3c-4d5e-8f7a-9b0c1d2e3f4a",
            "a7b9c1d3-5e6f-4a8b-9c0d-1e2f3a4b5c6d"
        ])
    )]
    pub members: Vec<Uuid>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct UpdateTeamRequest {
    #[schema(min_length = 1, max_length = 255, example = "Firmware Team")]
    pub name: Option<String>,
    /// A member's id, or null to clear the lead.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Uuid>, example = "e2d4f6a8-1b3c-4d5e-8f7a-9b0c1d2e3f4a")]
    pub lead: Option<Option<Uuid>>,
    #[schema(
        example = json!([
            "e2d4f6a8-1b3c-4d5e-8f7a-9b0c1d2e3f4a",
            "a7b9c1d3-5e6f-4a8b-9c0d-1e2f3a4b5c6d"
        ])
    )]
    pub members: Option<Vec<Uuid>>,
}

impl From<TeamView> for TeamOut {
    fn from(TeamView { team: t, lead }: TeamView) -> Self {
        TeamOut {
            lead_detail: lead.map(Into::into),
            id: t.id,
            name: t.name,
            organization: t.organization_id,
            lead: t.lead_id,
            member_count: t.members.len(),
            members: t.members,
            created_at: t.created_at,
            version: t.version,
        }
    }
}

/// Teams of the caller's organization, by name.
#[utoipa::path(get, path = "/api/v1/teams", tag = tags::TEAMS, params(PageParams), security(("bearer" = [])),
    responses((status = 200, body = Paginated<TeamOut>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    member: Member,
    page: PageQuery,
) -> ApiResult<Json<Paginated<TeamOut>>> {
    let (rows, count) = teams::list(&state.app, &member, page.page).await?;
    let out = rows.into_iter().map(Into::into).collect();
    Ok(Json(page.wrap(out, count)?))
}

/// One team.
#[utoipa::path(get, path = "/api/v1/teams/{id}", tag = tags::TEAMS, params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses((status = 200, body = TeamOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    member: Member,
    IdPath(id): IdPath,
) -> ApiResult<Tagged<TeamOut>> {
    let team = teams::get(&state.app, &member, id).await?;
    Ok(Tagged::of(team.into()))
}

/// Creates a team (manager+); lead and members must belong to the organization.
#[utoipa::path(post, path = "/api/v1/teams", tag = tags::TEAMS, request_body = CreateTeamRequest, security(("bearer" = [])),
    responses((status = 201, body = TeamOut), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    member: Member,
    ApiJson(req): ApiJson<CreateTeamRequest>,
) -> ApiResult<(StatusCode, Json<TeamOut>)> {
    let team = teams::create(
        &state.app,
        &member,
        TeamInput {
            name: Some(req.name),
            lead: Some(req.lead),
            members: Some(req.members),
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(team.into())))
}

/// Changes a team (manager+).
#[utoipa::path(patch, path = "/api/v1/teams/{id}", tag = tags::TEAMS, params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "Refuse the write unless the resource is still at this version: its ETag (\"3\"), the weak form (W/\"3\") or the number (3).", example = "\"3\"")), request_body = UpdateTeamRequest,
    security(("bearer" = [])),
    responses((status = 200, body = TeamOut), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 412, description = "If-Match named a stale version; nothing changed", body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    member: Member,
    IdPath(id): IdPath,
    IfMatch(if_match): IfMatch,
    ApiJson(req): ApiJson<UpdateTeamRequest>,
) -> ApiResult<Tagged<TeamOut>> {
    let team = teams::update(
        &state.app,
        &member,
        id,
        TeamInput {
            name: req.name,
            lead: req.lead,
            members: req.members,
        },
        if_match,
    )
    .await?;
    Ok(Tagged::of(team.into()))
}

/// Deletes a team (manager+).
#[utoipa::path(delete, path = "/api/v1/teams/{id}", tag = tags::TEAMS, params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "Refuse the write unless the resource is still at this version: its ETag (\"3\"), the weak form (W/\"3\") or the number (3).", example = "\"3\"")), security(("bearer" = [])),
    responses((status = 204), (status = 400, description = "If-Match is not a version", body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 412, description = "If-Match named a stale version; nothing changed", body = ErrorBody)))]
pub async fn delete(
    State(state): State<AppState>,
    member: Member,
    IdPath(id): IdPath,
    IfMatch(if_match): IfMatch,
) -> ApiResult<StatusCode> {
    teams::delete(&state.app, &member, id, if_match).await?;
    Ok(StatusCode::NO_CONTENT)
}

impl Versioned for TeamOut {
    fn version(&self) -> i64 {
        self.version
    }
}
