//! `/api/v1/projects/`: projects, their members and their figures.

use std::collections::BTreeMap;

use axum::{Json, extract::State, http::StatusCode};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use switchyard_store::projects::{ProjectFilter, ProjectMember, ProjectRow};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use switchyard_app::projects::{self, Budget, Money, ProjectInput};

use crate::{
    auth::Member,
    error::{ApiResult, ErrorBody},
    extract::{
        ApiJson, ApiQuery, IdPairPath, IdPath, IfMatch, PageQuery, Paginated, Tagged, Versioned,
        filters, pagination::PageParams,
    },
    routes::{double_option, tags},
    state::AppState,
};

/// An amount of money in minor units (cents) with its ISO 4217 currency code.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"amount": 4500000, "currency": "EUR"}))]
pub struct MoneyJson {
    #[schema(minimum = 0, example = 9500)]
    pub amount: i64,
    #[schema(min_length = 3, max_length = 3, example = "EUR")]
    pub currency: String,
}

/// A budget in hours.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"hours": 320.0}))]
pub struct HoursJson {
    #[schema(minimum = 0, example = 320.0)]
    pub hours: f64,
}

/// A budget: an amount of money or a number of hours.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum BudgetJson {
    Money(MoneyJson),
    Hours(HoursJson),
}

impl From<MoneyJson> for Money {
    fn from(m: MoneyJson) -> Self {
        Money {
            amount: m.amount,
            currency: m.currency,
        }
    }
}

impl From<Money> for MoneyJson {
    fn from(m: Money) -> Self {
        MoneyJson {
            amount: m.amount,
            currency: m.currency,
        }
    }
}

impl From<BudgetJson> for Budget {
    fn from(b: BudgetJson) -> Self {
        match b {
            BudgetJson::Money(m) => Budget::Money(m.into()),
            BudgetJson::Hours(h) => Budget::Hours(h.hours),
        }
    }
}

impl From<Budget> for BudgetJson {
    fn from(b: Budget) -> Self {
        match b {
            Budget::Money(m) => BudgetJson::Money(m.into()),
            Budget::Hours(hours) => BudgetJson::Hours(HoursJson { hours }),
        }
    }
}

/// A project.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProjectOut {
    pub id: Uuid,
    #[schema(example = "ROVER")]
    pub key: String,
    #[schema(example = "Mars Rover Arm")]
    pub name: String,
    pub description: String,
    /// `planned`, `active`, `on_hold`, `completed` or `archived`.
    #[schema(example = "active")]
    pub status: String,
    /// `private` (members only) or `organization` (everyone in the organization reads it).
    #[schema(example = "private")]
    pub visibility: String,
    pub organization: Uuid,
    pub lead: Option<Uuid>,
    pub lead_name: Option<String>,
    #[schema(example = "2026-12-01")]
    pub start_date: Option<NaiveDate>,
    #[schema(example = "2027-03-31")]
    pub target_date: Option<NaiveDate>,
    pub budget: Option<BudgetJson>,
    pub hourly_rate: Option<MoneyJson>,
    #[schema(example = 4)]
    pub member_count: i64,
    /// The caller's role in the project (`owner`, `editor`, `viewer`), if a member.
    #[schema(example = "owner")]
    pub my_role: Option<String>,
    /// What the caller may do with the project.
    pub can: ProjectCanOut,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Grows with every change; send it back in `If-Match` to refuse lost updates (412).
    #[schema(example = 1)]
    pub version: i64,
}

/// What the caller may do with a project (the server's own rules).
#[derive(Debug, Serialize, ToSchema)]
pub struct ProjectCanOut {
    /// Edit it, delete it, manage its members.
    pub manage: bool,
    /// Create tasks in it (its owners and editors, not once archived).
    pub create_tasks: bool,
}

impl ProjectOut {
    fn of(p: ProjectRow, member: &Member) -> ProjectOut {
        let can = projects::can(member, &p);
        ProjectOut {
            can: ProjectCanOut {
                manage: can.manage,
                create_tasks: can.create_tasks,
            },
            budget: projects::budget_of(&p).map(Into::into),
            hourly_rate: projects::rate_of(&p).map(Into::into),
            id: p.id,
            key: p.project_key,
            name: p.name,
            description: p.description,
            status: p.status,
            visibility: p.visibility,
            organization: p.organization_id,
            lead: p.lead_id,
            lead_name: p.lead_name,
            start_date: p.start_date,
            target_date: p.target_date,
            member_count: p.member_count,
            my_role: p.my_role,
            created_by: p.created_by,
            created_at: p.created_at,
            updated_at: p.updated_at,
            version: p.version,
        }
    }
}

impl Versioned for ProjectOut {
    fn version(&self) -> i64 {
        self.version
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateProjectRequest {
    /// 2 to 10 letters, unique in the organization (upper-cased).
    #[schema(min_length = 2, max_length = 10, example = "ROVER")]
    pub key: String,
    #[schema(min_length = 1, max_length = 255, example = "Mars Rover Arm")]
    pub name: String,
    #[schema(
        max_length = 50000,
        example = "Second-generation sampling arm: gripper, wrist and firmware."
    )]
    pub description: Option<String>,
    /// Default `active`.
    #[schema(example = "active")]
    pub status: Option<String>,
    /// Default `private`.
    #[schema(example = "private")]
    pub visibility: Option<String>,
    #[schema(example = "e2d4f6a8-1b3c-4d5e-8f7a-9b0c1d2e3f4a")]
    pub lead: Option<Uuid>,
    #[schema(example = "2026-12-01")]
    pub start_date: Option<NaiveDate>,
    #[schema(example = "2027-03-31")]
    pub target_date: Option<NaiveDate>,
    /// Money (`{"amount": 4500000, "currency": "EUR"}`) or hours (`{"hours": 320}`).
    pub budget: Option<BudgetJson>,
    pub hourly_rate: Option<MoneyJson>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct UpdateProjectRequest {
    #[schema(min_length = 2, max_length = 10, example = "ARM")]
    pub key: Option<String>,
    #[schema(min_length = 1, max_length = 255, example = "Mars Rover Arm v2")]
    pub name: Option<String>,
    #[schema(max_length = 50000, example = "Sampling arm, second generation.")]
    pub description: Option<String>,
    #[schema(example = "on_hold")]
    pub status: Option<String>,
    #[schema(example = "organization")]
    pub visibility: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Uuid>, example = "e2d4f6a8-1b3c-4d5e-8f7a-9b0c1d2e3f4a")]
    pub lead: Option<Option<Uuid>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<NaiveDate>, example = "2026-12-01")]
    pub start_date: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<NaiveDate>, example = "2027-04-30")]
    pub target_date: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<BudgetJson>)]
    pub budget: Option<Option<BudgetJson>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<MoneyJson>)]
    pub hourly_rate: Option<Option<MoneyJson>>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProjectListParams {
    /// `planned`, `active`, `on_hold`, `completed` or `archived`.
    pub status: Option<String>,
    /// Case-insensitive substring of the name or key.
    pub search: Option<String>,
}

/// Projects the caller may see, by name: all of them for organization managers and admins,
/// otherwise those they are a member of and those open to the organization.
#[utoipa::path(get, path = "/api/v1/projects", tag = tags::PROJECTS, params(PageParams, ProjectListParams), security(("bearer" = [])),
    responses((status = 200, body = Paginated<ProjectOut>), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    member: Member,
    page: PageQuery,
    ApiQuery(q): ApiQuery<ProjectListParams>,
) -> ApiResult<Json<Paginated<ProjectOut>>> {
    let filter = ProjectFilter {
        status: filters::text_param("status", q.status)?,
        search: filters::text_param("search", q.search)?,
    };
    let (rows, count) = projects::list(&state.app, &member, filter, page.page).await?;
    let out = rows
        .into_iter()
        .map(|p| ProjectOut::of(p, &member))
        .collect();
    Ok(Json(page.wrap(out, count)?))
}

/// One project (404 for a private project the caller is not a member of).
#[utoipa::path(get, path = "/api/v1/projects/{id}", tag = tags::PROJECTS, params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses((status = 200, body = ProjectOut), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    member: Member,
    IdPath(id): IdPath,
) -> ApiResult<Tagged<ProjectOut>> {
    let p = projects::get(&state.app, &member, id).await?;
    Ok(Tagged::of(ProjectOut::of(p, &member)))
}

/// Creates a project (organization managers and admins); the creator becomes its owner.
#[utoipa::path(post, path = "/api/v1/projects", tag = tags::PROJECTS, request_body = CreateProjectRequest, security(("bearer" = [])),
    responses((status = 201, body = ProjectOut), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 409, description = "Key or name taken (`project_key_taken`, `project_name_taken`)", body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    member: Member,
    ApiJson(req): ApiJson<CreateProjectRequest>,
) -> ApiResult<(StatusCode, Json<ProjectOut>)> {
    let input = ProjectInput {
        key: Some(req.key),
        name: Some(req.name),
        description: req.description,
        status: req.status,
        visibility: req.visibility,
        lead: Some(req.lead),
        start_date: Some(req.start_date),
        target_date: Some(req.target_date),
        budget: Some(req.budget.map(Into::into)),
        hourly_rate: Some(req.hourly_rate.map(Into::into)),
    };
    let p = projects::create(&state.app, &member, input).await?;
    Ok((StatusCode::CREATED, Json(ProjectOut::of(p, &member))))
}

/// Changes a project (its owners, organization managers and admins).
#[utoipa::path(patch, path = "/api/v1/projects/{id}", tag = tags::PROJECTS, params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "Refuse the write unless the resource is still at this version: its ETag (\"3\"), the weak form (W/\"3\") or the number (3).", example = "\"3\"")), request_body = UpdateProjectRequest,
    security(("bearer" = [])),
    responses((status = 200, body = ProjectOut), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 412, description = "If-Match named a stale version; nothing changed", body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    member: Member,
    IdPath(id): IdPath,
    IfMatch(if_match): IfMatch,
    ApiJson(req): ApiJson<UpdateProjectRequest>,
) -> ApiResult<Tagged<ProjectOut>> {
    let input = ProjectInput {
        key: req.key,
        name: req.name,
        description: req.description,
        status: req.status,
        visibility: req.visibility,
        lead: req.lead,
        start_date: req.start_date,
        target_date: req.target_date,
        budget: req.budget.map(|b| b.map(Into::into)),
        hourly_rate: req.hourly_rate.map(|r| r.map(Into::into)),
    };
    let p = projects::update(&state.app, &member, id, input, if_match).await?;
    Ok(Tagged::of(ProjectOut::of(p, &member)))
}

/// Deletes a project without tasks (its owners, organization managers and admins).
#[utoipa::path(delete, path = "/api/v1/projects/{id}", tag = tags::PROJECTS, params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "Refuse the write unless the resource is still at this version: its ETag (\"3\"), the weak form (W/\"3\") or the number (3).", example = "\"3\"")), security(("bearer" = [])),
    responses((status = 204), (status = 400, description = "If-Match is not a version", body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, description = "The project still has tasks (`project_in_use`)", body = ErrorBody), (status = 412, description = "If-Match named a stale version; nothing changed", body = ErrorBody)))]
pub async fn delete(
    State(state): State<AppState>,
    member: Member,
    IdPath(id): IdPath,
    IfMatch(if_match): IfMatch,
) -> ApiResult<StatusCode> {
    projects::delete(&state.app, &member, id, if_match).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A project's figures.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProjectStatsOut {
    /// Tasks per state.
    #[schema(example = json!({"todo": 4, "in_progress": 2, "done": 6}))]
    pub by_state: BTreeMap<String, i64>,
    /// Not in a final state.
    #[schema(example = 6)]
    pub open: i64,
    /// Open and past due (flagged by the SLA sweep or not yet).
    #[schema(example = 1)]
    pub overdue: i64,
    /// Entered a final state other than the workflow's cancel state in the last 7 days.
    #[schema(example = 3)]
    pub completed_last_7_days: i64,
    /// Done out of all tasks not cancelled, rounded down (0 for an empty project).
    #[schema(example = 50)]
    pub progress_percent: u8,
}

/// A project's figures (whoever may see the project).
#[utoipa::path(get, path = "/api/v1/projects/{id}/stats", tag = tags::PROJECTS, params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses((status = 200, body = ProjectStatsOut), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn stats(
    State(state): State<AppState>,
    member: Member,
    IdPath(id): IdPath,
) -> ApiResult<Json<ProjectStatsOut>> {
    let s = projects::stats(&state.app, &member, id).await?;
    Ok(Json(ProjectStatsOut {
        by_state: s.stats.by_state.into_iter().collect(),
        open: s.stats.open,
        overdue: s.stats.overdue,
        completed_last_7_days: s.stats.completed_last_7_days,
        progress_percent: s.progress_percent,
    }))
}

/// A person's place in a project.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProjectMemberOut {
    pub user: Uuid,
    #[schema(example = "dev_alice")]
    pub username: String,
    /// `owner`, `editor` or `viewer`.
    #[schema(example = "editor")]
    pub role: String,
    pub created_at: DateTime<Utc>,
}

impl From<ProjectMember> for ProjectMemberOut {
    fn from(m: ProjectMember) -> Self {
        ProjectMemberOut {
            user: m.user_id,
            username: m.username,
            role: m.role,
            created_at: m.created_at,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct AddProjectMemberRequest {
    /// A member of the organization.
    #[schema(example = "a7b9c1d3-5e6f-4a8b-9c0d-1e2f3a4b5c6d")]
    pub user: Uuid,
    /// `owner`, `editor` (default) or `viewer`.
    #[schema(example = "editor")]
    pub role: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct UpdateProjectMemberRequest {
    /// `owner`, `editor` or `viewer`.
    #[schema(example = "viewer")]
    pub role: String,
}

/// A project's members, by username (whoever may see the project).
#[utoipa::path(get, path = "/api/v1/projects/{id}/members", tag = tags::PROJECTS, params(("id" = Uuid, Path), PageParams), security(("bearer" = [])),
    responses((status = 200, body = Paginated<ProjectMemberOut>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn members(
    State(state): State<AppState>,
    member: Member,
    IdPath(id): IdPath,
    page: PageQuery,
) -> ApiResult<Json<Paginated<ProjectMemberOut>>> {
    let (rows, count) = projects::members(&state.app, &member, id, page.page).await?;
    Ok(Json(
        page.wrap(rows.into_iter().map(Into::into).collect(), count)?,
    ))
}

/// Adds a person of the organization to the project (its owners, managers and admins).
#[utoipa::path(post, path = "/api/v1/projects/{id}/members", tag = tags::PROJECTS, params(("id" = Uuid, Path)), request_body = AddProjectMemberRequest, security(("bearer" = [])),
    responses((status = 201, body = ProjectMemberOut), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, description = "Already a member (`already_member`)", body = ErrorBody)))]
pub async fn add_member(
    State(state): State<AppState>,
    member: Member,
    IdPath(id): IdPath,
    ApiJson(req): ApiJson<AddProjectMemberRequest>,
) -> ApiResult<(StatusCode, Json<ProjectMemberOut>)> {
    let role = req.role.as_deref().unwrap_or("editor");
    let m = projects::add_member(&state.app, &member, id, req.user, role).await?;
    Ok((StatusCode::CREATED, Json(m.into())))
}

/// Gives a project member another role (its owners, managers and admins); the last owner
/// stays an owner (409 `last_project_owner`).
#[utoipa::path(patch, path = "/api/v1/projects/{id}/members/{user}", tag = tags::PROJECTS, params(("id" = Uuid, Path), ("user" = Uuid, Path)), request_body = UpdateProjectMemberRequest, security(("bearer" = [])),
    responses((status = 200, body = ProjectMemberOut), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn update_member(
    State(state): State<AppState>,
    member: Member,
    IdPairPath(id, user): IdPairPath,
    ApiJson(req): ApiJson<UpdateProjectMemberRequest>,
) -> ApiResult<Json<ProjectMemberOut>> {
    let m = projects::set_role(&state.app, &member, id, user, &req.role).await?;
    Ok(Json(m.into()))
}

/// Removes someone from the project (its owners, managers and admins); the last owner
/// stays (409 `last_project_owner`).
#[utoipa::path(delete, path = "/api/v1/projects/{id}/members/{user}", tag = tags::PROJECTS, params(("id" = Uuid, Path), ("user" = Uuid, Path)), security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn remove_member(
    State(state): State<AppState>,
    member: Member,
    IdPairPath(id, user): IdPairPath,
) -> ApiResult<StatusCode> {
    projects::remove_member(&state.app, &member, id, user).await?;
    Ok(StatusCode::NO_CONTENT)
}
