//! `/api/v1/workflows/` and `/api/v1/transitions/`.

use axum::{Json, extract::State, http::StatusCode};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use switchyard_store::workflows::RuleRow;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use switchyard_app::workflows::{self, RuleInput, WorkflowInput, WorkflowWithRules};

use crate::{
    auth::Member,
    error::{ApiResult, ErrorBody},
    extract::{
        ApiJson, ApiQuery, IdPath, IfMatch, PageQuery, Paginated, Tagged, Versioned, filters,
        pagination::PageParams,
    },
    routes::{double_option, tags},
    state::AppState,
};

/// A transition rule: who may move a task from one state to another.
#[derive(Debug, Serialize, ToSchema)]
pub struct RuleOut {
    pub id: Uuid,
    pub workflow: Uuid,
    pub from_state: String,
    pub to_state: String,
    pub allowed_roles: Vec<String>,
    /// Grows with every change; send it back in `If-Match` to refuse lost updates (412).
    #[schema(example = 1)]
    pub version: i64,
}

impl From<RuleRow> for RuleOut {
    fn from(r: RuleRow) -> Self {
        RuleOut {
            id: r.id,
            workflow: r.workflow_id,
            from_state: r.from_state,
            to_state: r.to_state,
            allowed_roles: r.allowed_roles.0,
            version: r.version,
        }
    }
}

/// A workflow (state machine) with its rules.
#[derive(Debug, Serialize, ToSchema)]
pub struct WorkflowOut {
    pub id: Uuid,
    pub name: String,
    pub organization: Uuid,
    pub is_default: bool,
    pub allowed_states: Vec<String>,
    pub initial_state: String,
    pub final_states: Vec<String>,
    /// The final state that means "abandoned" (never held back by blockers or sub-tasks).
    #[schema(example = "cancelled")]
    pub cancel_state: Option<String>,
    /// Whether a task enters another final state only once its sub-tasks are done.
    pub complete_parent_requires_subtasks_done: bool,
    pub transitions: Vec<RuleOut>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Grows with every change; send it back in `If-Match` to refuse lost updates (412).
    #[schema(example = 1)]
    pub version: i64,
}

impl From<WorkflowWithRules> for WorkflowOut {
    fn from(w: WorkflowWithRules) -> Self {
        let wf = w.workflow;
        WorkflowOut {
            id: wf.id,
            name: wf.name,
            organization: wf.organization_id,
            is_default: wf.is_default,
            allowed_states: wf.allowed_states.0,
            initial_state: wf.initial_state,
            final_states: wf.final_states.0,
            cancel_state: wf.cancel_state,
            complete_parent_requires_subtasks_done: wf.complete_parent_requires_subtasks_done,
            transitions: w.rules.into_iter().map(Into::into).collect(),
            created_at: wf.created_at,
            updated_at: wf.updated_at,
            version: wf.version,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct WorkflowRequest {
    /// Required when creating.
    #[schema(
        min_length = 1,
        max_length = 255,
        example = "Nova Robotics Field Service"
    )]
    pub name: Option<String>,
    #[schema(example = false)]
    pub is_default: Option<bool>,
    /// Required when creating. The states in order; no state may repeat.
    #[schema(
        min_items = 1,
        max_items = 100,
        example = json!([
            "reported",
            "triage",
            "on_site_repair",
            "verification",
            "closed",
            "cancelled"
        ])
    )]
    pub allowed_states: Option<Vec<String>>,
    /// Default: the first state.
    #[schema(example = "reported")]
    pub initial_state: Option<String>,
    #[schema(example = json!(["closed", "cancelled"]))]
    pub final_states: Option<Vec<String>>,
    /// The final state that means "abandoned": entering it is never held back by blockers or
    /// unfinished sub-tasks. Default on create: a final state named `cancelled` or
    /// `canceled`; `null` clears it.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, example = "cancelled")]
    pub cancel_state: Option<Option<String>>,
    /// Refuse moving a task into a final state other than `cancel_state` while one of its
    /// sub-tasks is active (default false).
    #[schema(example = true)]
    pub complete_parent_requires_subtasks_done: Option<bool>,
}

impl From<WorkflowRequest> for WorkflowInput {
    fn from(r: WorkflowRequest) -> Self {
        WorkflowInput {
            name: r.name,
            is_default: r.is_default,
            allowed_states: r.allowed_states,
            initial_state: r.initial_state,
            final_states: r.final_states,
            cancel_state: r.cancel_state,
            complete_parent_requires_subtasks_done: r.complete_parent_requires_subtasks_done,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct RuleRequest {
    /// Required when creating.
    #[schema(example = "9b2f0c6e-4d1a-4c55-8f7e-2a1d3c4b5e6f")]
    pub workflow: Option<Uuid>,
    /// Required when creating.
    #[schema(max_length = 255, example = "hardware_test")]
    pub from_state: Option<String>,
    /// Required when creating.
    #[schema(max_length = 255, example = "in_progress")]
    pub to_state: Option<String>,
    /// Required when creating. Roles of the organization.
    #[schema(
        min_items = 1,
        max_items = 100,
        example = json!(["admin", "engineering_manager", "technician"])
    )]
    pub allowed_roles: Option<Vec<String>>,
}

impl From<RuleRequest> for RuleInput {
    fn from(r: RuleRequest) -> Self {
        RuleInput {
            workflow: r.workflow,
            from_state: r.from_state,
            to_state: r.to_state,
            allowed_roles: r.allowed_roles,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RuleListParams {
    /// Only the rules of this workflow.
    pub workflow: Option<String>,
}

/// Workflows of the organization.
#[utoipa::path(get, path = "/api/v1/workflows", tag = tags::WORKFLOWS, params(PageParams), security(("bearer" = [])),
    responses((status = 200, body = Paginated<WorkflowOut>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    member: Member,
    page: PageQuery,
) -> ApiResult<Json<Paginated<WorkflowOut>>> {
    let (rows, count) = workflows::list(&state.app, &member, page.page).await?;
    Ok(Json(
        page.wrap(rows.into_iter().map(Into::into).collect(), count)?,
    ))
}

/// One workflow with its rules.
#[utoipa::path(get, path = "/api/v1/workflows/{id}", tag = tags::WORKFLOWS, params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses((status = 200, body = WorkflowOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    member: Member,
    IdPath(id): IdPath,
) -> ApiResult<Tagged<WorkflowOut>> {
    Ok(Tagged::of(
        workflows::get(&state.app, &member, id).await?.into(),
    ))
}

/// Creates a workflow (admin). Setting `is_default` unsets the previous default.
#[utoipa::path(post, path = "/api/v1/workflows", tag = tags::WORKFLOWS, request_body = WorkflowRequest, security(("bearer" = [])),
    responses((status = 201, body = WorkflowOut), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    member: Member,
    ApiJson(req): ApiJson<WorkflowRequest>,
) -> ApiResult<(StatusCode, Json<WorkflowOut>)> {
    Ok((
        StatusCode::CREATED,
        Json(
            workflows::create(&state.app, &member, req.into())
                .await?
                .into(),
        ),
    ))
}

/// Changes a workflow (admin); removing a state tasks are in is a conflict.
#[utoipa::path(patch, path = "/api/v1/workflows/{id}", tag = tags::WORKFLOWS, params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "Refuse the write unless the resource is still at this version: its ETag (\"3\"), the weak form (W/\"3\") or the number (3).", example = "\"3\"")), request_body = WorkflowRequest,
    security(("bearer" = [])),
    responses((status = 200, body = WorkflowOut), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 412, description = "If-Match named a stale version; nothing changed", body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    member: Member,
    IdPath(id): IdPath,
    IfMatch(if_match): IfMatch,
    ApiJson(req): ApiJson<WorkflowRequest>,
) -> ApiResult<Tagged<WorkflowOut>> {
    Ok(Tagged::of(
        workflows::update(&state.app, &member, id, req.into(), if_match)
            .await?
            .into(),
    ))
}

/// Deletes a workflow no task uses (admin).
#[utoipa::path(delete, path = "/api/v1/workflows/{id}", tag = tags::WORKFLOWS, params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "Refuse the write unless the resource is still at this version: its ETag (\"3\"), the weak form (W/\"3\") or the number (3).", example = "\"3\"")), security(("bearer" = [])),
    responses((status = 204), (status = 400, description = "If-Match is not a version", body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 412, description = "If-Match named a stale version; nothing changed", body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn delete(
    State(state): State<AppState>,
    member: Member,
    IdPath(id): IdPath,
    IfMatch(if_match): IfMatch,
) -> ApiResult<StatusCode> {
    workflows::delete(&state.app, &member, id, if_match).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Transition rules (`?workflow=<id>` for one workflow).
#[utoipa::path(get, path = "/api/v1/transitions", tag = tags::WORKFLOWS, params(PageParams, RuleListParams), security(("bearer" = [])),
    responses((status = 200, body = Paginated<RuleOut>), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list_rules(
    State(state): State<AppState>,
    member: Member,
    page: PageQuery,
    ApiQuery(q): ApiQuery<RuleListParams>,
) -> ApiResult<Json<Paginated<RuleOut>>> {
    let workflow = filters::uuid_param("workflow", q.workflow.as_deref())?;
    let (rows, count) = workflows::list_rules(&state.app, &member, workflow, page.page).await?;
    Ok(Json(
        page.wrap(rows.into_iter().map(Into::into).collect(), count)?,
    ))
}

/// One transition rule.
#[utoipa::path(get, path = "/api/v1/transitions/{id}", tag = tags::WORKFLOWS, params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses((status = 200, body = RuleOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_rule(
    State(state): State<AppState>,
    member: Member,
    IdPath(id): IdPath,
) -> ApiResult<Tagged<RuleOut>> {
    Ok(Tagged::of(
        workflows::get_rule(&state.app, &member, id).await?.into(),
    ))
}

/// Creates a rule (admin): states of the workflow, roles of the organization, unique.
#[utoipa::path(post, path = "/api/v1/transitions", tag = tags::WORKFLOWS, request_body = RuleRequest, security(("bearer" = [])),
    responses((status = 201, body = RuleOut), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn create_rule(
    State(state): State<AppState>,
    member: Member,
    ApiJson(req): ApiJson<RuleRequest>,
) -> ApiResult<(StatusCode, Json<RuleOut>)> {
    Ok((
        StatusCode::CREATED,
        Json(
            workflows::create_rule(&state.app, &member, req.into())
                .await?
                .into(),
        ),
    ))
}

/// Changes a rule (admin).
#[utoipa::path(patch, path = "/api/v1/transitions/{id}", tag = tags::WORKFLOWS, params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "Refuse the write unless the resource is still at this version: its ETag (\"3\"), the weak form (W/\"3\") or the number (3).", example = "\"3\"")), request_body = RuleRequest,
    security(("bearer" = [])),
    responses((status = 200, body = RuleOut), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 412, description = "If-Match named a stale version; nothing changed", body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn update_rule(
    State(state): State<AppState>,
    member: Member,
    IdPath(id): IdPath,
    IfMatch(if_match): IfMatch,
    ApiJson(req): ApiJson<RuleRequest>,
) -> ApiResult<Tagged<RuleOut>> {
    Ok(Tagged::of(
        workflows::update_rule(&state.app, &member, id, req.into(), if_match)
            .await?
            .into(),
    ))
}

/// Deletes a rule (admin).
#[utoipa::path(delete, path = "/api/v1/transitions/{id}", tag = tags::WORKFLOWS, params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "Refuse the write unless the resource is still at this version: its ETag (\"3\"), the weak form (W/\"3\") or the number (3).", example = "\"3\"")), security(("bearer" = [])),
    responses((status = 204), (status = 400, description = "If-Match is not a version", body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 412, description = "If-Match named a stale version; nothing changed", body = ErrorBody)))]
pub async fn delete_rule(
    State(state): State<AppState>,
    member: Member,
    IdPath(id): IdPath,
    IfMatch(if_match): IfMatch,
) -> ApiResult<StatusCode> {
    workflows::delete_rule(&state.app, &member, id, if_match).await?;
    Ok(StatusCode::NO_CONTENT)
}

impl Versioned for RuleOut {
    fn version(&self) -> i64 {
        self.version
    }
}

impl Versioned for WorkflowOut {
    fn version(&self) -> i64 {
        self.version
    }
}
