//! `/api/v1/users/`.

use axum::{Json, extract::State, http::StatusCode};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use switchyard_store::users::UserRow;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use switchyard_app::users::{self, Me, MemberPatch, NewMember};

use crate::{
    auth::{Caller, Member},
    error::{ApiResult, ErrorBody},
    extract::{
        ApiJson, ApiQuery, IdPath, IfMatch, PageQuery, Paginated, Tagged, Versioned, filters,
        pagination::PageParams,
    },
    routes::tags,
    state::AppState,
};

/// A person as seen within the caller's organization.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserOut {
    pub id: Uuid,
    pub username: String,
    pub email: String,
    /// The role in the organization (null for an account without one).
    pub role: Option<String>,
    /// The organization's id (null for an account without one).
    pub organization: Option<Uuid>,
    pub skills: Vec<String>,
    pub max_concurrent_tasks: i32,
    /// The department the person is in (at most one).
    pub department: Option<Uuid>,
    /// The profile picture (256×256 PNG), when there is one; changes with every upload.
    #[schema(
        example = "/api/v1/users/0193a1c2-7d4e-7b1a-9c3d-2f1e0a9b8c7d/avatar/?v=0193a1c27d4e"
    )]
    pub avatar_url: Option<String>,
    /// Whether tasks can be assigned to them here (an active member whose role is not
    /// read-only); given on the member list and detail.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assignable: Option<bool>,
    /// False once an admin deactivated the person in this organization.
    pub is_active: bool,
    /// Assigned tasks not in a final state of their workflow.
    pub active_task_count: i64,
    pub date_joined: DateTime<Utc>,
    /// Grows with every change; send it back in `If-Match` to refuse lost updates (412).
    #[schema(example = 1)]
    pub version: i64,
}

impl UserOut {
    /// The person as a member of `member`'s organization sees them, with `assignable`.
    fn seen_by(row: UserRow, member: &switchyard_app::Member) -> UserOut {
        let level = row.role.as_deref().and_then(|r| member.level_of(r));
        let active = row.is_active && row.deactivated_at.is_none();
        let mut out = UserOut::from(row);
        out.assignable =
            Some(active && level.is_some_and(|l| l != switchyard_domain::AccessLevel::ReadOnly));
        out
    }
}

impl From<UserRow> for UserOut {
    fn from(u: UserRow) -> Self {
        UserOut {
            id: u.id,
            username: u.username,
            email: u.email,
            role: u.role,
            organization: u.organization_id,
            skills: u.skills.0,
            max_concurrent_tasks: u.max_concurrent_tasks.unwrap_or(5),
            assignable: None,
            is_active: u.is_active && u.deactivated_at.is_none(),
            department: u.department_id,
            avatar_url: u.avatar_key.as_deref().map(|key| {
                let version = key
                    .rsplit('/')
                    .next()
                    .unwrap_or_default()
                    .trim_end_matches(".png");
                format!("/api/v1/users/{}/avatar/?v={version}", u.id)
            }),
            active_task_count: u.active_task_count,
            date_joined: u.created_at,
            version: u.version,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateUserRequest {
    #[schema(
        min_length = 1,
        max_length = 150,
        pattern = r"^[\w.@+-]+$",
        example = "tech_bruno"
    )]
    pub username: String,
    #[schema(min_length = 8, max_length = 128, example = "Calibrate-Arm-77")]
    pub password: String,
    #[serde(default)]
    #[schema(max_length = 254, example = "bruno@nova-robotics.example")]
    pub email: String,
    /// One of the organization's roles (default: its first worker-level role).
    #[schema(max_length = 255, example = "technician")]
    pub role: Option<String>,
    #[serde(default)]
    #[schema(max_items = 100, example = json!(["servo_calibration", "thermal_testing"]))]
    pub skills: Vec<String>,
    #[schema(minimum = 0, maximum = 1000, example = 5)]
    pub max_concurrent_tasks: Option<i64>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct UpdateUserRequest {
    #[schema(max_length = 254, example = "bruno@nova-robotics.example")]
    pub email: Option<String>,
    #[schema(
        max_items = 100,
        example = json!(["servo_calibration", "thermal_testing", "gripper_firmware"])
    )]
    pub skills: Option<Vec<String>>,
    #[schema(minimum = 0, maximum = 1000, example = 8)]
    pub max_concurrent_tasks: Option<i64>,
    #[schema(max_length = 255, example = "robotics_engineer")]
    pub role: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserListParams {
    /// Only members of this department.
    pub department: Option<String>,
}

/// Members of the caller's organization, by username.
#[utoipa::path(get, path = "/api/v1/users", tag = tags::USERS, params(PageParams, UserListParams), security(("bearer" = [])),
    responses((status = 200, body = Paginated<UserOut>), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    member: Member,
    page: PageQuery,
    ApiQuery(q): ApiQuery<UserListParams>,
) -> ApiResult<Json<Paginated<UserOut>>> {
    let department = filters::uuid_param("department", q.department.as_deref())?;
    let (rows, count) = users::list(&state.app, &member, department, page.page).await?;
    Ok(Json(
        page.wrap(
            rows.into_iter()
                .map(|r| UserOut::seen_by(r, &member))
                .collect(),
            count,
        )?,
    ))
}

/// The caller's own account (works without an organization too).
#[utoipa::path(get, path = "/api/v1/users/me", tag = tags::USERS, security(("bearer" = [])),
    responses((status = 200, body = MeOut), (status = 401, body = ErrorBody)))]
pub async fn me(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<MeOut>> {
    Ok(Json(users::me(&state.app, &caller).await?.into()))
}

/// The caller's account, with what their role may do in the organization they act in.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeOut {
    #[serde(flatten)]
    pub user: UserOut,
    /// Null for an account without an organization.
    pub permissions: Option<PermissionsOut>,
    /// Whether signing in needs a code from an authenticator app.
    pub two_factor_enabled: bool,
}

/// What the caller's role may do, flag by flag; the server enforces exactly these rules.
#[derive(Debug, Serialize, ToSchema)]
pub struct PermissionsOut {
    /// `admin`, `manager`, `worker` or `read_only`.
    #[schema(example = "manager")]
    pub level: String,
    pub create_tasks: bool,
    pub edit_any_task: bool,
    pub delete_tasks: bool,
    pub assign_tasks: bool,
    pub transition_tasks: bool,
    pub comment: bool,
    pub moderate_comments: bool,
    pub manage_users: bool,
    pub remove_users: bool,
    pub manage_teams: bool,
    /// Create projects (and manage every project).
    pub create_projects: bool,
    pub manage_workflows: bool,
    pub manage_organization: bool,
    pub run_sla_check: bool,
    pub score_tasks: bool,
    pub score_all_tasks: bool,
    pub auto_assign: bool,
    /// Roles the caller may give to a new or existing member.
    pub assignable_roles: Vec<String>,
}

impl From<Me> for MeOut {
    fn from(me: Me) -> Self {
        MeOut {
            two_factor_enabled: me.two_factor_enabled,
            user: me.user.into(),
            permissions: me.permissions.map(|p| PermissionsOut {
                level: p.level.as_str().to_string(),
                create_tasks: p.create_tasks,
                edit_any_task: p.edit_any_task,
                delete_tasks: p.delete_tasks,
                assign_tasks: p.assign_tasks,
                transition_tasks: p.transition_tasks,
                comment: p.comment,
                moderate_comments: p.moderate_comments,
                manage_users: p.manage_users,
                remove_users: p.remove_users,
                manage_teams: p.manage_teams,
                create_projects: p.create_projects,
                manage_workflows: p.manage_workflows,
                manage_organization: p.manage_organization,
                run_sla_check: p.run_sla_check,
                score_tasks: p.score_tasks,
                score_all_tasks: p.score_all_tasks,
                auto_assign: p.auto_assign,
                assignable_roles: p.assignable_roles,
            }),
        }
    }
}

/// One member of the caller's organization.
#[utoipa::path(get, path = "/api/v1/users/{id}", tag = tags::USERS, params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses((status = 200, body = UserOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    member: Member,
    IdPath(id): IdPath,
) -> ApiResult<Tagged<UserOut>> {
    Ok(Tagged::of(UserOut::seen_by(
        users::get(&state.app, &member, id).await?,
        &member,
    )))
}

/// Creates a member (manager+; only admins create admins).
#[utoipa::path(post, path = "/api/v1/users", tag = tags::USERS, request_body = CreateUserRequest, security(("bearer" = [])),
    responses((status = 201, body = UserOut), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    member: Member,
    ApiJson(req): ApiJson<CreateUserRequest>,
) -> ApiResult<(StatusCode, Json<UserOut>)> {
    let row = users::create(
        &state.app,
        &member,
        NewMember {
            username: req.username,
            password: req.password,
            email: req.email,
            role: req.role,
            skills: req.skills,
            max_concurrent_tasks: req.max_concurrent_tasks,
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(row.into())))
}

/// Updates a member: their own profile for anyone; others, and roles, for managers+.
#[utoipa::path(patch, path = "/api/v1/users/{id}", tag = tags::USERS, params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "Refuse the write unless the resource is still at this version: its ETag (\"3\"), the weak form (W/\"3\") or the number (3).", example = "\"3\"")), request_body = UpdateUserRequest,
    security(("bearer" = [])),
    responses((status = 200, body = UserOut), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 412, description = "If-Match named a stale version; nothing changed", body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    member: Member,
    IdPath(id): IdPath,
    IfMatch(if_match): IfMatch,
    ApiJson(req): ApiJson<UpdateUserRequest>,
) -> ApiResult<Tagged<UserOut>> {
    let row = users::update(
        &state.app,
        &member,
        id,
        MemberPatch {
            email: req.email,
            skills: req.skills,
            max_concurrent_tasks: req.max_concurrent_tasks,
            role: req.role,
        },
        if_match,
    )
    .await?;
    Ok(Tagged::of(row.into()))
}

/// Removes a member (admin only); their tasks become unassigned.
#[utoipa::path(delete, path = "/api/v1/users/{id}", tag = tags::USERS, params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "Refuse the write unless the resource is still at this version: its ETag (\"3\"), the weak form (W/\"3\") or the number (3).", example = "\"3\"")), security(("bearer" = [])),
    responses((status = 204), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 412, description = "If-Match named a stale version; nothing changed", body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn delete(
    State(state): State<AppState>,
    member: Member,
    IdPath(id): IdPath,
    IfMatch(if_match): IfMatch,
) -> ApiResult<StatusCode> {
    users::delete(&state.app, &member, id, if_match).await?;
    Ok(StatusCode::NO_CONTENT)
}

impl Versioned for UserOut {
    fn version(&self) -> i64 {
        self.version
    }
}

/// Deactivates a member (admins): they cannot sign in to this organization, their tokens for
/// it stop working at once and their open tasks are unassigned (audited); history stays.
#[utoipa::path(post, path = "/api/v1/users/{id}/deactivate", tag = tags::USERS, params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses((status = 200, body = UserOut), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, description = "The organization's last admin", body = ErrorBody)))]
pub async fn deactivate(
    State(state): State<AppState>,
    member: Member,
    IdPath(id): IdPath,
) -> ApiResult<Tagged<UserOut>> {
    Ok(Tagged::of(
        users::set_active(&state.app, &member, id, false)
            .await?
            .into(),
    ))
}

/// Reactivates a deactivated member (admins).
#[utoipa::path(post, path = "/api/v1/users/{id}/reactivate", tag = tags::USERS, params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses((status = 200, body = UserOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn reactivate(
    State(state): State<AppState>,
    member: Member,
    IdPath(id): IdPath,
) -> ApiResult<Tagged<UserOut>> {
    Ok(Tagged::of(
        users::set_active(&state.app, &member, id, true)
            .await?
            .into(),
    ))
}
