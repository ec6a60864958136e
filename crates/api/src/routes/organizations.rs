//! `/api/v1/organizations/`.

use axum::{Json, extract::State, http::StatusCode};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use switchyard_store::organizations::OrgRow;
use utoipa::ToSchema;
use uuid::Uuid;

use switchyard_app::{
    memberships::{self, NewOrganization},
    organizations::{self, OrgPatch},
};

use crate::{
    auth::{Caller, Member},
    error::{ApiResult, ErrorBody},
    extract::{
        ApiJson, IdPath, IfMatch, PageQuery, Paginated, Tagged, Versioned, pagination::PageParams,
    },
    routes::tags,
    state::AppState,
};

/// An organization and its configured vocabularies.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrganizationOut {
    pub id: Uuid,
    pub name: String,
    pub slug: String,
    pub allowed_roles: Vec<String>,
    pub allowed_priorities: Vec<String>,
    pub allowed_task_types: Vec<String>,
    /// Members must turn on two-factor sign-in to act in the organization.
    pub require_two_factor: bool,
    /// Members may claim unassigned tasks themselves (`POST /tasks/{id}/claim/`).
    pub allow_claims: bool,
    pub member_count: i64,
    pub team_count: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Grows with every change; send it back in `If-Match` to refuse lost updates (412).
    #[schema(example = 1)]
    pub version: i64,
}

impl From<OrgRow> for OrganizationOut {
    fn from(o: OrgRow) -> Self {
        OrganizationOut {
            id: o.id,
            name: o.name,
            slug: o.slug,
            allowed_roles: o.allowed_roles.0,
            allowed_priorities: o.allowed_priorities.0,
            allowed_task_types: o.allowed_task_types.0,
            require_two_factor: o.require_two_factor,
            allow_claims: o.allow_claims,
            member_count: o.member_count,
            team_count: o.team_count,
            created_at: o.created_at,
            updated_at: o.updated_at,
            version: o.version,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct UpdateOrganizationRequest {
    #[schema(example = "Nova Robotics")]
    pub name: Option<String>,
    #[schema(
        example = json!([
            "admin",
            "engineering_manager",
            "robotics_engineer",
            "technician",
            "viewer"
        ])
    )]
    pub allowed_roles: Option<Vec<String>>,
    #[schema(example = json!(["critical", "high", "medium", "low"]))]
    pub allowed_priorities: Option<Vec<String>>,
    #[schema(example = json!(["bug", "feature", "hardware_fault", "maintenance"]))]
    pub allowed_task_types: Option<Vec<String>>,
    /// Require two-factor sign-in of every member (the admin turning it on must have it).
    #[schema(example = false)]
    pub require_two_factor: Option<bool>,
    /// Let members claim unassigned tasks themselves (default on).
    #[schema(example = true)]
    pub allow_claims: Option<bool>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateOrganizationRequest {
    #[schema(example = "Nova Robotics Labs", max_length = 255)]
    pub name: String,
    #[schema(example = "nova-robotics-labs", max_length = 50)]
    pub slug: String,
    /// The rest is optional and means what it means in `POST /setup/`.
    #[schema(
        example = json!([
            "admin",
            "engineering_manager",
            "robotics_engineer",
            "technician",
            "viewer"
        ])
    )]
    pub roles: Option<Vec<String>>,
    #[schema(example = json!(["critical", "high", "medium", "low"]))]
    pub priorities: Option<Vec<String>>,
    #[schema(example = json!(["bug", "feature", "hardware_fault", "maintenance"]))]
    pub task_types: Option<Vec<String>>,
    #[schema(example = "Nova Robotics Delivery")]
    pub workflow_name: Option<String>,
    #[schema(
        example = json!([
            "backlog",
            "in_progress",
            "code_review",
            "hardware_test",
            "done",
            "cancelled"
        ])
    )]
    pub workflow_states: Option<Vec<String>>,
    #[schema(example = "backlog")]
    pub initial_state: Option<String>,
    #[schema(example = json!(["done", "cancelled"]))]
    pub final_states: Option<Vec<String>>,
    #[schema(example = "Firmware Team")]
    pub team_name: Option<String>,
}

/// Creates an organization with the caller as its admin, a default workflow and its rules
/// (as setup does). The caller's tokens keep acting where they did; act in the new one with
/// `POST /auth/switch-organization/`. Off when `SWITCHYARD_ALLOW_SETUP=false` (403).
#[utoipa::path(post, path = "/api/v1/organizations", tag = tags::ORGANIZATIONS, request_body = CreateOrganizationRequest, security(("bearer" = [])),
    responses((status = 201, body = OrganizationOut), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(req): ApiJson<CreateOrganizationRequest>,
) -> ApiResult<(StatusCode, Json<OrganizationOut>)> {
    let input = NewOrganization {
        name: req.name,
        slug: req.slug,
        roles: req.roles,
        priorities: req.priorities,
        task_types: req.task_types,
        workflow_name: req.workflow_name,
        workflow_states: req.workflow_states,
        initial_state: req.initial_state,
        final_states: req.final_states,
        team_name: req.team_name,
    };
    let org = memberships::create_organization(&state.app, &caller, input).await?;
    Ok((StatusCode::CREATED, Json(org.into())))
}

/// The caller's organization (never anyone else's).
#[utoipa::path(get, path = "/api/v1/organizations", tag = tags::ORGANIZATIONS, params(PageParams), security(("bearer" = [])),
    responses((status = 200, body = Paginated<OrganizationOut>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    member: Member,
    page: PageQuery,
) -> ApiResult<Json<Paginated<OrganizationOut>>> {
    let org = organizations::mine(&state.app, &member).await?;
    let rows: Vec<OrganizationOut> = if page.page.number == 1 {
        vec![org.into()]
    } else {
        Vec::new()
    };
    Ok(Json(page.wrap(rows, 1)?))
}

/// The caller's organization by id (admins only).
#[utoipa::path(get, path = "/api/v1/organizations/{id}", tag = tags::ORGANIZATIONS, params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses((status = 200, body = OrganizationOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    member: Member,
    IdPath(id): IdPath,
) -> ApiResult<Tagged<OrganizationOut>> {
    Ok(Tagged::of(
        organizations::get(&state.app, &member, id).await?.into(),
    ))
}

/// Changes the name or the configured lists (admins only); a value still in use cannot be
/// removed (409).
#[utoipa::path(patch, path = "/api/v1/organizations/{id}", tag = tags::ORGANIZATIONS, params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "Refuse the write unless the resource is still at this version: its ETag (\"3\"), the weak form (W/\"3\") or the number (3).", example = "\"3\"")),
    request_body = UpdateOrganizationRequest, security(("bearer" = [])),
    responses((status = 200, body = OrganizationOut), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 412, description = "If-Match named a stale version; nothing changed", body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    member: Member,
    IdPath(id): IdPath,
    IfMatch(if_match): IfMatch,
    ApiJson(req): ApiJson<UpdateOrganizationRequest>,
) -> ApiResult<Tagged<OrganizationOut>> {
    let patch = OrgPatch {
        name: req.name,
        allowed_roles: req.allowed_roles,
        allowed_priorities: req.allowed_priorities,
        allowed_task_types: req.allowed_task_types,
        require_two_factor: req.require_two_factor,
        allow_claims: req.allow_claims,
    };
    Ok(Tagged::of(
        organizations::update(&state.app, &member, id, patch, if_match)
            .await?
            .into(),
    ))
}

/// Deletes the organization and everything it owns (admins only).
#[utoipa::path(delete, path = "/api/v1/organizations/{id}", tag = tags::ORGANIZATIONS, params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "Refuse the write unless the resource is still at this version: its ETag (\"3\"), the weak form (W/\"3\") or the number (3).", example = "\"3\"")), security(("bearer" = [])),
    responses((status = 204), (status = 400, description = "If-Match is not a version", body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 412, description = "If-Match named a stale version; nothing changed", body = ErrorBody)))]
pub async fn delete(
    State(state): State<AppState>,
    member: Member,
    IdPath(id): IdPath,
    IfMatch(if_match): IfMatch,
) -> ApiResult<StatusCode> {
    organizations::delete(&state.app, &member, id, if_match).await?;
    Ok(StatusCode::NO_CONTENT)
}

impl Versioned for OrganizationOut {
    fn version(&self) -> i64 {
        self.version
    }
}
