//! `/api/v1/tasks/{id}/subtasks/`, `/api/v1/tasks/{id}/dependencies/` and
//! `/api/v1/tasks/{id}/collaborators/`: the structure between tasks, and who works on them.

use axum::{Json, extract::State, http::StatusCode};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use switchyard_app::{collaborators, task_structure, tasks};
use switchyard_store::tasks::{Collaborator, LinkedTask, Ordering, TaskFilter};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::{
    auth::Member,
    error::{ApiResult, ErrorBody},
    extract::{ApiJson, IdPairPath, IdPath, PageQuery, Paginated, pagination::PageParams},
    routes::{tags, tasks::TaskListItem},
    state::AppState,
};

/// Another task as a link shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct LinkedTaskOut {
    pub id: Uuid,
    #[schema(example = "NOVA-0012")]
    pub task_key: String,
    #[schema(example = "Replace the gripper's thermal sensor")]
    pub title: String,
    #[schema(example = "in_progress")]
    pub current_state: String,
    /// Not in a final state.
    pub is_active: bool,
}

impl From<LinkedTask> for LinkedTaskOut {
    fn from(t: LinkedTask) -> Self {
        LinkedTaskOut {
            is_active: t.is_active(),
            id: t.id,
            task_key: t.task_key,
            title: t.title,
            current_state: t.current_state,
        }
    }
}

/// How many of a task's sub-tasks are finished.
#[derive(Debug, Serialize, ToSchema)]
pub struct SubtaskProgress {
    #[schema(example = 2)]
    pub done: usize,
    #[schema(example = 5)]
    pub total: usize,
}

impl SubtaskProgress {
    pub fn of(subtasks: &[LinkedTask]) -> SubtaskProgress {
        SubtaskProgress {
            done: subtasks.iter().filter(|t| !t.is_active()).count(),
            total: subtasks.len(),
        }
    }
}

/// Both directions of a task's dependencies.
#[derive(Debug, Serialize, ToSchema)]
pub struct DependenciesOut {
    /// What this task waits for.
    pub blocked_by: Vec<LinkedTaskOut>,
    /// What waits for this task.
    pub blocking: Vec<LinkedTaskOut>,
}

impl From<task_structure::Dependencies> for DependenciesOut {
    fn from(d: task_structure::Dependencies) -> Self {
        DependenciesOut {
            blocked_by: d.blocked_by.into_iter().map(Into::into).collect(),
            blocking: d.blocking.into_iter().map(Into::into).collect(),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct AddDependencyRequest {
    /// The task that must finish first (same organization).
    #[schema(example = "0193f1a2-7c4d-7e8f-9a0b-1c2d3e4f5a6b")]
    pub blocked_by: Uuid,
}

/// The task's sub-tasks, as the task list shows them (paginated, newest first).
#[utoipa::path(get, path = "/api/v1/tasks/{id}/subtasks", tag = tags::TASKS, params(("id" = Uuid, Path), PageParams), security(("bearer" = [])),
    responses((status = 200, body = Paginated<TaskListItem>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn subtasks(
    State(state): State<AppState>,
    member: Member,
    IdPath(id): IdPath,
    page: PageQuery,
) -> ApiResult<Json<Paginated<TaskListItem>>> {
    tasks::require_visible(&state.app, &member, id).await?;
    let filter = TaskFilter {
        parent: Some(id),
        ..Default::default()
    };
    let (rows, count) =
        tasks::list(&state.app, &member, filter, Ordering::default(), page.page).await?;
    Ok(Json(
        page.wrap(rows.into_iter().map(Into::into).collect(), count)?,
    ))
}

/// What the task is blocked by and what it blocks.
#[utoipa::path(get, path = "/api/v1/tasks/{id}/dependencies", tag = tags::TASKS, params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses((status = 200, body = DependenciesOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn dependencies(
    State(state): State<AppState>,
    member: Member,
    IdPath(id): IdPath,
) -> ApiResult<Json<DependenciesOut>> {
    Ok(Json(
        task_structure::list(&state.app, &member, id).await?.into(),
    ))
}

/// Records that the task is blocked by `blocked_by` (whoever may edit the task). While a
/// blocker is active the task cannot enter a final state other than the workflow's
/// `cancel_state`. A dependency that would close a cycle is refused naming every task in it.
#[utoipa::path(post, path = "/api/v1/tasks/{id}/dependencies", tag = tags::TASKS, params(("id" = Uuid, Path)), request_body = AddDependencyRequest, security(("bearer" = [])),
    responses((status = 201, body = DependenciesOut), (status = 400, description = "Itself, already there, or a cycle (`dependency_cycle`)", body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, description = "No such task or blocker in the organization", body = ErrorBody)))]
pub async fn add_dependency(
    State(state): State<AppState>,
    member: Member,
    IdPath(id): IdPath,
    ApiJson(req): ApiJson<AddDependencyRequest>,
) -> ApiResult<(StatusCode, Json<DependenciesOut>)> {
    let out = task_structure::add(&state.app, &member, id, req.blocked_by).await?;
    Ok((StatusCode::CREATED, Json(out.into())))
}

/// Removes a dependency (whoever may edit the task).
#[utoipa::path(delete, path = "/api/v1/tasks/{id}/dependencies/{blocked_by}", tag = tags::TASKS, params(("id" = Uuid, Path), ("blocked_by" = Uuid, Path)), security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn remove_dependency(
    State(state): State<AppState>,
    member: Member,
    IdPairPath(id, blocker): IdPairPath,
) -> ApiResult<StatusCode> {
    task_structure::remove(&state.app, &member, id, blocker).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Someone who follows and helps with a task.
#[derive(Debug, Serialize, ToSchema)]
pub struct CollaboratorOut {
    pub user: Uuid,
    #[schema(example = "dev_alice")]
    pub username: String,
    /// When they were added.
    pub created_at: DateTime<Utc>,
}

impl From<Collaborator> for CollaboratorOut {
    fn from(c: Collaborator) -> Self {
        CollaboratorOut {
            user: c.user_id,
            username: c.username,
            created_at: c.created_at,
        }
    }
}

/// A task's collaborators, by username.
#[derive(Debug, Serialize, ToSchema)]
pub struct CollaboratorsOut {
    pub collaborators: Vec<CollaboratorOut>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct AddCollaboratorRequest {
    /// A member of the organization (for a project's task, one who may work on it).
    #[schema(example = "a7b9c1d3-5e6f-4a8b-9c0d-1e2f3a4b5c6d")]
    pub user: Uuid,
}

/// Adds a collaborator (whoever may edit the task): they may edit it like its assignee.
/// Audited as `collaborator_added`.
#[utoipa::path(post, path = "/api/v1/tasks/{id}/collaborators", tag = tags::TASKS, params(("id" = Uuid, Path)), request_body = AddCollaboratorRequest, security(("bearer" = [])),
    responses((status = 201, body = CollaboratorsOut), (status = 400, description = "Not a member, deactivated, cannot work in the task's project, or already a collaborator", body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn add_collaborator(
    State(state): State<AppState>,
    member: Member,
    IdPath(id): IdPath,
    ApiJson(req): ApiJson<AddCollaboratorRequest>,
) -> ApiResult<(StatusCode, Json<CollaboratorsOut>)> {
    let list = collaborators::add(&state.app, &member, id, req.user).await?;
    Ok((
        StatusCode::CREATED,
        Json(CollaboratorsOut {
            collaborators: list.into_iter().map(Into::into).collect(),
        }),
    ))
}

/// Removes a collaborator (the person themself, or whoever may edit the task). Audited as
/// `collaborator_removed`.
#[utoipa::path(delete, path = "/api/v1/tasks/{id}/collaborators/{user}", tag = tags::TASKS, params(("id" = Uuid, Path), ("user" = Uuid, Path)), security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn remove_collaborator(
    State(state): State<AppState>,
    member: Member,
    IdPairPath(id, user): IdPairPath,
) -> ApiResult<StatusCode> {
    collaborators::remove(&state.app, &member, id, user).await?;
    Ok(StatusCode::NO_CONTENT)
}
