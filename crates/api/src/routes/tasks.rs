//! `/api/v1/tasks/`: CRUD, available transitions, transition, assign.

use axum::{Json, extract::State, http::StatusCode};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use switchyard_store::tasks::{Ordering, SortKey, TaskFilter};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use switchyard_app::{
    ErrorCode,
    permissions::TaskCan,
    tasks::{self, ListedTask, NewTaskInput, TaskDetail, TaskPatch},
};

use crate::{
    auth::Member,
    error::{ApiError, ApiResult, ErrorBody},
    extract::{
        ApiJson, ApiQuery, IdPath, IfMatch, PageQuery, Paginated, Tagged, filters,
        pagination::PageParams,
    },
    routes::{
        comments::CommentOut,
        double_option, tags,
        task_links::{CollaboratorOut, LinkedTaskOut, SubtaskProgress},
        users::UserOut,
    },
    state::AppState,
};

/// A task in a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct TaskListItem {
    pub id: Uuid,
    pub task_key: String,
    pub title: String,
    pub current_state: String,
    pub priority: String,
    pub task_type: String,
    pub assigned_to: Option<Uuid>,
    pub assigned_to_name: Option<String>,
    pub created_by_name: Option<String>,
    pub team: Option<Uuid>,
    pub team_name: Option<String>,
    pub due_date: Option<DateTime<Utc>>,
    pub sla_breached: bool,
    pub ai_priority_score: Option<f64>,
    pub comment_count: i64,
    pub created_at: DateTime<Utc>,
    /// The task this one is a sub-task of.
    pub parent: Option<Uuid>,
    /// The project it belongs to, and that project's key.
    pub project: Option<Uuid>,
    #[schema(example = "ROVER")]
    pub project_key: Option<String>,
    /// What the caller may do to this task (the server's own rules).
    pub can: TaskCanOut,
}

/// What the caller may do to a task: computed by the code that enforces it.
#[derive(Debug, Serialize, ToSchema)]
pub struct TaskCanOut {
    pub edit: bool,
    pub delete: bool,
    pub assign: bool,
    pub transition: bool,
    pub comment: bool,
}

impl From<TaskCan> for TaskCanOut {
    fn from(c: TaskCan) -> Self {
        TaskCanOut {
            edit: c.edit,
            delete: c.delete,
            assign: c.assign,
            transition: c.transition,
            comment: c.comment,
        }
    }
}

impl From<ListedTask> for TaskListItem {
    fn from(ListedTask { task: t, can }: ListedTask) -> Self {
        TaskListItem {
            can: can.into(),
            id: t.id,
            task_key: t.task_key,
            title: t.title,
            current_state: t.current_state,
            priority: t.priority,
            task_type: t.task_type,
            assigned_to: t.assigned_to,
            assigned_to_name: t.assigned_to_name,
            created_by_name: t.created_by_name,
            team: t.team_id,
            team_name: t.team_name,
            due_date: t.due_date,
            sla_breached: t.sla_breached,
            ai_priority_score: t.ai_priority_score,
            comment_count: t.comment_count,
            created_at: t.created_at,
            parent: t.parent_id,
            project: t.project_id,
            project_key: t.project_key,
        }
    }
}

/// A task with everything about it.
#[derive(Debug, Serialize, ToSchema)]
pub struct TaskDetailOut {
    pub id: Uuid,
    pub task_key: String,
    pub title: String,
    pub description: String,
    pub current_state: String,
    pub priority: String,
    pub task_type: String,
    pub tags: Vec<String>,
    pub organization: Uuid,
    pub team: Option<Uuid>,
    pub team_name: Option<String>,
    pub workflow: Uuid,
    pub assigned_to: Option<Uuid>,
    pub assigned_to_detail: Option<UserOut>,
    pub created_by: Option<Uuid>,
    pub created_by_detail: Option<UserOut>,
    pub due_date: Option<DateTime<Utc>>,
    pub sla_breached: bool,
    pub ai_priority_score: Option<f64>,
    pub ai_estimated_hours: Option<f64>,
    pub comments: Vec<CommentOut>,
    pub comment_count: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
    /// Grows with every change; send it back in `If-Match` to refuse lost updates (412).
    #[schema(example = 3)]
    pub version: i64,
    /// The project it belongs to (`null`: none), and that project's key.
    pub project: Option<Uuid>,
    #[schema(example = "ROVER")]
    pub project_key: Option<String>,
    /// The task this one is a sub-task of (`null`: none).
    pub parent: Option<Uuid>,
    pub parent_detail: Option<LinkedTaskOut>,
    /// Its sub-tasks, by key.
    pub subtasks: Vec<LinkedTaskOut>,
    pub subtask_progress: SubtaskProgress,
    /// The tasks this one is blocked by: while one is active, it cannot enter a final
    /// state other than the workflow's `cancel_state`.
    pub blocked_by: Vec<LinkedTaskOut>,
    /// The tasks this one blocks.
    pub blocking: Vec<LinkedTaskOut>,
    /// People who follow and help with it (they may edit it like its assignee).
    pub collaborators: Vec<CollaboratorOut>,
    /// What the caller may do to this task (the server's own rules).
    pub can: TaskCanOut,
}

impl From<TaskDetail> for TaskDetailOut {
    fn from(d: TaskDetail) -> Self {
        let t = d.task;
        TaskDetailOut {
            id: t.id,
            task_key: t.task_key,
            title: t.title,
            description: t.description,
            current_state: t.current_state,
            priority: t.priority,
            task_type: t.task_type,
            tags: t.tags.0,
            organization: t.organization_id,
            team: t.team_id,
            team_name: t.team_name,
            workflow: t.workflow_id,
            assigned_to: t.assigned_to,
            assigned_to_detail: d.assignee.map(Into::into),
            created_by: t.created_by,
            created_by_detail: d.creator.map(Into::into),
            due_date: t.due_date,
            sla_breached: t.sla_breached,
            ai_priority_score: t.ai_priority_score,
            ai_estimated_hours: t.ai_estimated_hours,
            comment_count: d.comments.len() as i64,
            comments: d.comments.into_iter().map(Into::into).collect(),
            created_at: t.created_at,
            updated_at: t.updated_at,
            resolved_at: t.resolved_at,
            version: t.version,
            project: t.project_id,
            project_key: t.project_key,
            parent: t.parent_id,
            parent_detail: d.links.parent.map(Into::into),
            subtask_progress: SubtaskProgress::of(&d.links.subtasks),
            subtasks: d.links.subtasks.into_iter().map(Into::into).collect(),
            blocked_by: d.links.blocked_by.into_iter().map(Into::into).collect(),
            blocking: d.links.blocking.into_iter().map(Into::into).collect(),
            collaborators: d.collaborators.into_iter().map(Into::into).collect(),
            can: d.can.into(),
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TaskListParams {
    pub current_state: Option<String>,
    pub priority: Option<String>,
    pub task_type: Option<String>,
    /// A user id, or `null` for unassigned tasks.
    pub assigned_to: Option<String>,
    pub team: Option<String>,
    /// Tasks assigned to members of this department.
    pub department: Option<String>,
    /// `true`: not in a final state (what the dashboard counts as active); `false`: done.
    pub active: Option<String>,
    /// `true`: active and past due, flagged by a sweep or not yet (the dashboard's
    /// "SLA breached").
    pub overdue: Option<String>,
    /// Created at or after this time (RFC 3339).
    #[param(example = "2026-11-23T00:00:00Z")]
    pub created_after: Option<String>,
    /// Entered a final state at or after this time (RFC 3339).
    #[param(example = "2026-11-23T00:00:00Z")]
    pub resolved_after: Option<String>,
    /// Created before this time (exclusive), e.g. the next day's start.
    #[param(example = "2026-11-24T00:00:00Z")]
    pub created_before: Option<String>,
    /// Entered a final state before this time (exclusive).
    #[param(example = "2026-11-24T00:00:00Z")]
    pub resolved_before: Option<String>,
    pub sla_breached: Option<String>,
    pub workflow: Option<String>,
    /// Sub-tasks of this task (its id).
    pub parent: Option<String>,
    /// `true`: blocked by at least one active task; `false`: by none.
    pub blocked: Option<String>,
    /// Tasks of this project (its id).
    pub project: Option<String>,
    /// Case-insensitive substring of title, description or task key.
    pub search: Option<String>,
    /// Comma-separated fields, `-` for descending: created_at, updated_at, priority (by the
    /// organization's order), due_date, ai_priority_score, title, task_key, current_state.
    pub ordering: Option<String>,
}

fn parse_ordering(raw: Option<&str>) -> ApiResult<Ordering> {
    let mut keys = Vec::new();
    for part in raw
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        let (desc, name) = match part.strip_prefix('-') {
            Some(n) => (true, n),
            None => (false, part),
        };
        let key = SortKey::parse(name).ok_or_else(|| {
            ApiError::field(
                "ordering",
                format!(
                    "Cannot order by '{name}'. Allowed: created_at, updated_at, priority, due_date, ai_priority_score, title, task_key, current_state."
                ),
            )
        })?;
        keys.push((key, desc));
    }
    Ok(Ordering {
        keys,
        priorities: Vec::new(),
    })
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateTaskRequest {
    #[schema(
        required,
        nullable = false,
        min_length = 1,
        max_length = 500,
        example = "Gripper drops parts above 40 °C"
    )]
    pub title: Option<String>,
    #[schema(
        max_length = 50000,
        example = "Above 40 °C in the enclosure the gripper on cell 2 releases parts mid-transfer. The servo current limit seems to derate too early; seen on rigs 1 and 3."
    )]
    pub description: Option<String>,
    /// Default: the organization's default workflow.
    #[schema(example = "9b2f0c6e-4d1a-4c55-8f7e-2a1d3c4b5e6f")]
    pub workflow: Option<Uuid>,
    /// One of the organization's priorities (default: the middle one).
    #[schema(max_length = 255, example = "high")]
    pub priority: Option<String>,
    /// One of the organization's task types.
    #[schema(max_length = 255, example = "hardware_fault")]
    pub task_type: Option<String>,
    #[schema(max_items = 100, example = json!(["gripper", "thermal"]))]
    pub tags: Option<Vec<String>>,
    #[schema(example = "c4a1e7d2-3b5f-4e8a-9d6c-7f0b1a2c3d4e")]
    pub team: Option<Uuid>,
    #[schema(example = "2026-12-04T17:00:00Z")]
    pub due_date: Option<DateTime<Utc>>,
    /// Makes it a sub-task of this task (same organization; sub-tasks are one level deep;
    /// a sub-task is in its parent's project).
    #[schema(example = "0193f1a2-7c4d-7e8f-9a0b-1c2d3e4f5a6b")]
    pub parent: Option<Uuid>,
    /// A project of the organization where the caller is an owner or editor (or any, for
    /// managers and admins); not an archived one. Default: the parent's project, or none.
    #[schema(example = "0193f1a2-6b3c-7d4e-8f5a-6b7c8d9e0f1a")]
    pub project: Option<Uuid>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct UpdateTaskRequest {
    #[schema(
        min_length = 1,
        max_length = 500,
        example = "Gripper drops parts above 40 °C on cell 2"
    )]
    pub title: Option<String>,
    #[schema(
        max_length = 50000,
        example = "Above 40 °C in the enclosure the gripper on cell 2 releases parts mid-transfer. Reproduced on rig 3: the servo current limit derates at 38 °C instead of 55 °C."
    )]
    pub description: Option<String>,
    #[schema(max_length = 255, example = "critical")]
    pub priority: Option<String>,
    #[schema(max_length = 255, example = "hardware_fault")]
    pub task_type: Option<String>,
    #[schema(max_items = 100, example = json!(["gripper", "thermal", "servo"]))]
    pub tags: Option<Vec<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Uuid>, example = "c4a1e7d2-3b5f-4e8a-9d6c-7f0b1a2c3d4e")]
    pub team: Option<Option<Uuid>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<DateTime<Utc>>, example = "2026-12-01T17:00:00Z")]
    pub due_date: Option<Option<DateTime<Utc>>>,
    /// Must stay the task's current workflow.
    #[schema(example = "9b2f0c6e-4d1a-4c55-8f7e-2a1d3c4b5e6f")]
    pub workflow: Option<Uuid>,
    /// Assigns through the same checks as `POST /tasks/{id}/assign/` (manager+).
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Uuid>, example = "e2d4f6a8-1b3c-4d5e-8f7a-9b0c1d2e3f4a")]
    pub assigned_to: Option<Option<Uuid>>,
    /// The parent task; `null` makes a sub-task a task of its own again.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Uuid>, example = "0193f1a2-7c4d-7e8f-9a0b-1c2d3e4f5a6b")]
    pub parent: Option<Option<Uuid>>,
    /// Moves the task (with its sub-tasks) to this project; `null` takes it out of its
    /// project. The caller needs write access to both projects.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Uuid>, example = "0193f1a2-6b3c-7d4e-8f5a-6b7c8d9e0f1a")]
    pub project: Option<Option<Uuid>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AvailableTransition {
    pub to_state: String,
    pub allowed_roles: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AvailableTransitionsOut {
    pub current_state: String,
    pub available_transitions: Vec<AvailableTransition>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct TransitionRequest {
    #[schema(max_length = 255, example = "in_progress")]
    pub to_state: String,
    #[serde(default)]
    #[schema(max_length = 2000, example = "Reproduced on rig 3")]
    pub reason: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct AssignRequest {
    /// A member's id, or null to unassign. Required: an empty body is a 400, not an
    /// unassignment.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(
        value_type = Option<Uuid>,
        required = true,
        example = "e2d4f6a8-1b3c-4d5e-8f7a-9b0c1d2e3f4a"
    )]
    pub user_id: Option<Option<Uuid>>,
    #[serde(default)]
    #[schema(max_length = 2000, example = "Alice owns the gripper servo firmware.")]
    pub reason: Option<String>,
}

/// Tasks, filtered, searched, ordered (default `-created_at`) and paginated.
#[utoipa::path(get, path = "/api/v1/tasks", tag = tags::TASKS, params(PageParams, TaskListParams), security(("bearer" = [])),
    responses((status = 200, body = Paginated<TaskListItem>), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    member: Member,
    page: PageQuery,
    ApiQuery(q): ApiQuery<TaskListParams>,
) -> ApiResult<Json<Paginated<TaskListItem>>> {
    let filter = TaskFilter {
        current_state: filters::text_param("current_state", q.current_state)?,
        priority: filters::text_param("priority", q.priority)?,
        task_type: filters::text_param("task_type", q.task_type)?,
        assigned_to: filters::nullable_uuid_param("assigned_to", q.assigned_to.as_deref())?,
        team: filters::uuid_param("team", q.team.as_deref())?,
        department: filters::uuid_param("department", q.department.as_deref())?,
        active: filters::bool_param("active", q.active.as_deref())?,
        overdue_at: filters::bool_param("overdue", q.overdue.as_deref())?
            .filter(|o| *o)
            .map(|_| state.app.clock.now()),
        created_after: filters::time_param("created_after", q.created_after.as_deref())?,
        resolved_after: filters::time_param("resolved_after", q.resolved_after.as_deref())?,
        created_before: filters::time_param("created_before", q.created_before.as_deref())?,
        resolved_before: filters::time_param("resolved_before", q.resolved_before.as_deref())?,
        sla_breached: filters::bool_param("sla_breached", q.sla_breached.as_deref())?,
        workflow: filters::uuid_param("workflow", q.workflow.as_deref())?,
        parent: filters::uuid_param("parent", q.parent.as_deref())?,
        blocked: filters::bool_param("blocked", q.blocked.as_deref())?,
        search: filters::text_param("search", q.search)?,
        project: filters::uuid_param("project", q.project.as_deref())?,
        // Set from the caller by the use case.
        scope: Default::default(),
    };
    let ordering = parse_ordering(q.ordering.as_deref())?;
    let (rows, count) = tasks::list(&state.app, &member, filter, ordering, page.page).await?;
    Ok(Json(
        page.wrap(rows.into_iter().map(Into::into).collect(), count)?,
    ))
}

/// Creates a task in its workflow's initial state with the next key of the organization.
#[utoipa::path(post, path = "/api/v1/tasks", tag = tags::TASKS, request_body = CreateTaskRequest, security(("bearer" = [])),
    responses((status = 201, body = TaskDetailOut), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    member: Member,
    ApiJson(req): ApiJson<CreateTaskRequest>,
) -> ApiResult<(StatusCode, Json<TaskDetailOut>)> {
    let input = NewTaskInput {
        title: req.title,
        description: req.description,
        workflow: req.workflow,
        priority: req.priority,
        task_type: req.task_type,
        tags: req.tags,
        team: req.team,
        due_date: req.due_date,
        parent: req.parent,
        project: req.project,
    };
    Ok((
        StatusCode::CREATED,
        Json(tasks::create(&state.app, &member, input).await?.into()),
    ))
}

/// One task with its comments and people.
#[utoipa::path(get, path = "/api/v1/tasks/{id}", tag = tags::TASKS, params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses((status = 200, body = TaskDetailOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    member: Member,
    IdPath(id): IdPath,
) -> ApiResult<Tagged<TaskDetailOut>> {
    Ok(tagged(tasks::get(&state.app, &member, id).await?))
}

/// The detail body with its `ETag`.
fn tagged(detail: TaskDetail) -> Tagged<TaskDetailOut> {
    Tagged(detail.task.version, detail.into())
}

/// Edits a task (creator, assignee or manager+); each changed field is audited old → new.
#[utoipa::path(patch, path = "/api/v1/tasks/{id}", tag = tags::TASKS, params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "Refuse the write unless the resource is still at this version: its ETag (\"3\"), the weak form (W/\"3\") or the number (3).", example = "\"3\"")), request_body = UpdateTaskRequest,
    security(("bearer" = [])),
    responses((status = 200, body = TaskDetailOut), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 412, description = "If-Match named a stale version; nothing changed", body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    member: Member,
    IdPath(id): IdPath,
    IfMatch(if_match): IfMatch,
    ApiJson(req): ApiJson<UpdateTaskRequest>,
) -> ApiResult<Tagged<TaskDetailOut>> {
    let patch = TaskPatch {
        title: req.title,
        description: req.description,
        priority: req.priority,
        task_type: req.task_type,
        tags: req.tags,
        team: req.team,
        due_date: req.due_date,
        workflow: req.workflow,
        assigned_to: req.assigned_to,
        parent: req.parent,
        project: req.project,
    };
    Ok(tagged(
        tasks::update(&state.app, &member, id, patch, if_match).await?,
    ))
}

/// Deletes a task (admin); audited as `deleted`.
#[utoipa::path(delete, path = "/api/v1/tasks/{id}", tag = tags::TASKS, params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "Refuse the write unless the resource is still at this version: its ETag (\"3\"), the weak form (W/\"3\") or the number (3).", example = "\"3\"")), security(("bearer" = [])),
    responses((status = 204), (status = 400, description = "If-Match is not a version", body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 412, description = "If-Match named a stale version; nothing changed", body = ErrorBody)))]
pub async fn delete(
    State(state): State<AppState>,
    member: Member,
    IdPath(id): IdPath,
    IfMatch(if_match): IfMatch,
) -> ApiResult<StatusCode> {
    tasks::delete(&state.app, &member, id, if_match).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The states the caller's role may move the task to.
#[utoipa::path(get, path = "/api/v1/tasks/{id}/available-transitions", tag = tags::TASKS, params(("id" = Uuid, Path)),
    security(("bearer" = [])),
    responses((status = 200, body = AvailableTransitionsOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn available_transitions(
    State(state): State<AppState>,
    member: Member,
    IdPath(id): IdPath,
) -> ApiResult<Json<AvailableTransitionsOut>> {
    let (current_state, rules) = tasks::available(&state.app, &member, id).await?;
    Ok(Json(AvailableTransitionsOut {
        current_state,
        available_transitions: rules
            .into_iter()
            .map(|r| AvailableTransition {
                to_state: r.to_state,
                allowed_roles: r.allowed_roles,
            })
            .collect(),
    }))
}

/// Moves the task to another state after the workflow's checks; atomic under concurrency.
#[utoipa::path(post, path = "/api/v1/tasks/{id}/transition", tag = tags::TASKS, params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "Refuse the write unless the resource is still at this version: its ETag (\"3\"), the weak form (W/\"3\") or the number (3).", example = "\"3\"")), request_body = TransitionRequest,
    security(("bearer" = [])),
    responses((status = 200, body = TaskDetailOut), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 412, description = "If-Match named a stale version; nothing changed", body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn transition(
    State(state): State<AppState>,
    member: Member,
    IdPath(id): IdPath,
    IfMatch(if_match): IfMatch,
    ApiJson(req): ApiJson<TransitionRequest>,
) -> ApiResult<Tagged<TaskDetailOut>> {
    let out = tasks::transition(
        &state.app,
        &member,
        id,
        req.to_state,
        req.reason.unwrap_or_default(),
        if_match,
    )
    .await?;
    Ok(tagged(out))
}

/// Takes an unassigned task for oneself (worker level and above, where the organization
/// allows claims): capacity is checked as for an assignment, and it is audited as one.
#[utoipa::path(post, path = "/api/v1/tasks/{id}/claim", tag = tags::TASKS, params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "Refuse the write unless the resource is still at this version: its ETag (\"3\"), the weak form (W/\"3\") or the number (3).", example = "\"3\"")),
    security(("bearer" = [])),
    responses((status = 200, body = TaskDetailOut), (status = 400, description = "At capacity", body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, description = "Already assigned (`already_assigned`)", body = ErrorBody), (status = 412, description = "If-Match named a stale version; nothing changed", body = ErrorBody)))]
pub async fn claim(
    State(state): State<AppState>,
    member: Member,
    IdPath(id): IdPath,
    IfMatch(if_match): IfMatch,
) -> ApiResult<Tagged<TaskDetailOut>> {
    Ok(tagged(
        tasks::claim(&state.app, &member, id, if_match).await?,
    ))
}

/// Assigns the task (manager+), within the assignee's capacity; `user_id: null` unassigns.
#[utoipa::path(post, path = "/api/v1/tasks/{id}/assign", tag = tags::TASKS, params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "Refuse the write unless the resource is still at this version: its ETag (\"3\"), the weak form (W/\"3\") or the number (3).", example = "\"3\"")), request_body = AssignRequest,
    security(("bearer" = [])),
    responses((status = 200, body = TaskDetailOut), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 412, description = "If-Match named a stale version; nothing changed", body = ErrorBody)))]
pub async fn assign(
    State(state): State<AppState>,
    member: Member,
    IdPath(id): IdPath,
    IfMatch(if_match): IfMatch,
    ApiJson(req): ApiJson<AssignRequest>,
) -> ApiResult<Tagged<TaskDetailOut>> {
    let user_id = req.user_id.ok_or_else(|| ApiError::BadRequest {
        code: ErrorCode::Invalid,
        detail: "user_id is required (null unassigns).".into(),
        errors: Some([("user_id".into(), vec!["This field is required.".into()])].into()),
    })?;
    let out = tasks::assign(
        &state.app,
        &member,
        id,
        user_id,
        req.reason.unwrap_or_default(),
        if_match,
    )
    .await?;
    Ok(tagged(out))
}
