//! `/api/v1/comments/`.

use axum::{Json, extract::State, http::StatusCode};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use switchyard_app::comments::{self, Comment};

use crate::{
    auth::Member,
    error::{ApiResult, ErrorBody},
    extract::{
        ApiJson, ApiQuery, IdPath, IfMatch, PageQuery, Paginated, Tagged, Versioned, filters,
        pagination::PageParams,
    },
    routes::tags,
    state::AppState,
};

/// A comment on a task.
#[derive(Debug, Serialize, ToSchema)]
pub struct CommentOut {
    pub id: Uuid,
    pub task: Uuid,
    /// The author's id (null once the account is deleted).
    pub author: Option<Uuid>,
    pub author_name: String,
    pub content: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Grows with every change; send it back in `If-Match` to refuse lost updates (412).
    #[schema(example = 1)]
    pub version: i64,
    /// What the caller may do to this comment (the server's own rule).
    pub can: CommentCanOut,
}

/// What the caller may do to a comment.
#[derive(Debug, Serialize, ToSchema)]
pub struct CommentCanOut {
    pub edit: bool,
    pub delete: bool,
}

impl From<Comment> for CommentOut {
    fn from(Comment { row: c, can }: Comment) -> Self {
        CommentOut {
            can: CommentCanOut {
                edit: can.edit,
                delete: can.delete,
            },
            id: c.id,
            task: c.task_id,
            author: c.author_id,
            author_name: c.author_name,
            content: c.content,
            created_at: c.created_at,
            updated_at: c.updated_at,
            version: c.version,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateCommentRequest {
    #[schema(
        required,
        nullable = false,
        example = "0f3e5d7c-9a1b-4c2d-8e4f-6a7b8c9d0e1f"
    )]
    pub task: Option<Uuid>,
    #[schema(
        min_length = 1,
        max_length = 10000,
        example = "Reproduced with the thermal chamber at 42 °C; logs attached."
    )]
    pub content: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct UpdateCommentRequest {
    #[schema(
        min_length = 1,
        max_length = 10000,
        example = "Reproduced with the thermal chamber at 42 °C and 45 °C; logs and the servo current trace attached."
    )]
    pub content: String,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CommentListParams {
    /// Only the comments of this task.
    pub task: Option<String>,
}

/// Comments, oldest first (`?task=<id>` for one task).
#[utoipa::path(get, path = "/api/v1/comments", tag = tags::COMMENTS, params(PageParams, CommentListParams), security(("bearer" = [])),
    responses((status = 200, body = Paginated<CommentOut>), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    member: Member,
    page: PageQuery,
    ApiQuery(q): ApiQuery<CommentListParams>,
) -> ApiResult<Json<Paginated<CommentOut>>> {
    let task = filters::uuid_param("task", q.task.as_deref())?;
    let (rows, count) = comments::list(&state.app, &member, task, page.page).await?;
    Ok(Json(
        page.wrap(rows.into_iter().map(Into::into).collect(), count)?,
    ))
}

/// One comment.
#[utoipa::path(get, path = "/api/v1/comments/{id}", tag = tags::COMMENTS, params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses((status = 200, body = CommentOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    member: Member,
    IdPath(id): IdPath,
) -> ApiResult<Tagged<CommentOut>> {
    Ok(Tagged::of(
        comments::get(&state.app, &member, id).await?.into(),
    ))
}

/// Comments on a task (every level but read-only); audited as `commented`.
#[utoipa::path(post, path = "/api/v1/comments", tag = tags::COMMENTS, request_body = CreateCommentRequest, security(("bearer" = [])),
    responses((status = 201, body = CommentOut), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    member: Member,
    ApiJson(req): ApiJson<CreateCommentRequest>,
) -> ApiResult<(StatusCode, Json<CommentOut>)> {
    Ok((
        StatusCode::CREATED,
        Json(
            comments::create(&state.app, &member, req.task, req.content)
                .await?
                .into(),
        ),
    ))
}

/// Edits a comment (its author or an admin).
#[utoipa::path(patch, path = "/api/v1/comments/{id}", tag = tags::COMMENTS, params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "Refuse the write unless the resource is still at this version: its ETag (\"3\"), the weak form (W/\"3\") or the number (3).", example = "\"3\"")), request_body = UpdateCommentRequest,
    security(("bearer" = [])),
    responses((status = 200, body = CommentOut), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 412, description = "If-Match named a stale version; nothing changed", body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    member: Member,
    IdPath(id): IdPath,
    IfMatch(if_match): IfMatch,
    ApiJson(req): ApiJson<UpdateCommentRequest>,
) -> ApiResult<Tagged<CommentOut>> {
    Ok(Tagged::of(
        comments::update(&state.app, &member, id, req.content, if_match)
            .await?
            .into(),
    ))
}

/// Deletes a comment (its author or an admin).
#[utoipa::path(delete, path = "/api/v1/comments/{id}", tag = tags::COMMENTS, params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "Refuse the write unless the resource is still at this version: its ETag (\"3\"), the weak form (W/\"3\") or the number (3).", example = "\"3\"")), security(("bearer" = [])),
    responses((status = 204), (status = 400, description = "If-Match is not a version", body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 412, description = "If-Match named a stale version; nothing changed", body = ErrorBody)))]
pub async fn delete(
    State(state): State<AppState>,
    member: Member,
    IdPath(id): IdPath,
    IfMatch(if_match): IfMatch,
) -> ApiResult<StatusCode> {
    comments::delete(&state.app, &member, id, if_match).await?;
    Ok(StatusCode::NO_CONTENT)
}

impl Versioned for CommentOut {
    fn version(&self) -> i64 {
        self.version
    }
}
