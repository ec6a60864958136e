//! Comments on tasks; only the author or an admin edits or deletes one.

use serde_json::json;
use switchyard_domain::AccessLevel;
use switchyard_store::{Page, audit, comments, comments::CommentRow, commit, tasks};
use uuid::Uuid;

use crate::{
    auth::Member,
    error::{ApiError, ApiResult},
    services::tasks::actor,
    state::AppState,
};

/// Longest comment accepted.
pub const MAX_CONTENT: usize = 10_000;

fn check_content(content: &str) -> ApiResult<()> {
    if content.trim().is_empty() {
        return Err(ApiError::field("content", "This field may not be blank."));
    }
    if content.chars().count() > MAX_CONTENT {
        return Err(ApiError::field(
            "content",
            format!("Ensure this field has no more than {MAX_CONTENT} characters."),
        ));
    }
    Ok(())
}

/// Comments of the organization (of one task when given), oldest first.
pub async fn list(
    state: &AppState,
    member: &Member,
    task: Option<Uuid>,
    page: Page,
) -> ApiResult<(Vec<CommentRow>, u64)> {
    Ok(comments::list(state.db.conn(), member.tenant, task, page).await?)
}

/// One comment.
pub async fn get(state: &AppState, member: &Member, id: Uuid) -> ApiResult<CommentRow> {
    comments::get(state.db.conn(), member.tenant, id)
        .await?
        .ok_or(ApiError::NotFound)
}

/// Adds a comment to a task of the organization (every level but read-only).
pub async fn create(
    state: &AppState,
    member: &Member,
    task: Option<Uuid>,
    content: String,
) -> ApiResult<CommentRow> {
    member.require_writer()?;
    let task_id = task.ok_or_else(|| ApiError::field("task", "This field is required."))?;
    check_content(&content)?;
    let tx = state.db.begin_write().await?;
    let task = tasks::get(&tx, member.tenant, task_id)
        .await?
        .ok_or_else(|| ApiError::field("task", "Task not found in this organization."))?;
    let id = comments::create(
        &tx,
        member.tenant,
        task_id,
        member.user_id,
        &member.username,
        &content,
    )
    .await?;
    audit::record(
        &tx,
        member.tenant,
        audit::Entry {
            task_id: Some(task_id),
            task_key: task.task_key,
            action: audit::Action::Commented,
            actor: actor(member),
            old_value: None,
            new_value: Some(json!({"comment": content})),
            reason: String::new(),
        },
    )
    .await?;
    let row = comments::get(&tx, member.tenant, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    commit(tx).await?;
    Ok(row)
}

async fn own<C: switchyard_store::ConnectionTrait>(
    c: &C,
    member: &Member,
    id: Uuid,
) -> ApiResult<(CommentRow, String)> {
    let row = comments::get(c, member.tenant, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    if row.author_id != Some(member.user_id) && member.level != AccessLevel::Admin {
        return Err(ApiError::Forbidden(
            "Only the comment's author or an admin can change it.".into(),
        ));
    }
    let key = tasks::get(c, member.tenant, row.task_id)
        .await?
        .map(|t| t.task_key)
        .unwrap_or_default();
    Ok((row, key))
}

/// Edits a comment (author or admin), audited.
pub async fn update(
    state: &AppState,
    member: &Member,
    id: Uuid,
    content: String,
) -> ApiResult<CommentRow> {
    check_content(&content)?;
    let tx = state.db.begin_write().await?;
    let (row, task_key) = own(&tx, member, id).await?;
    comments::update(&tx, member.tenant, id, &content).await?;
    audit::record(
        &tx,
        member.tenant,
        audit::Entry {
            task_id: Some(row.task_id),
            task_key,
            action: audit::Action::Updated,
            actor: actor(member),
            old_value: Some(json!({"comment_id": id, "comment": row.content})),
            new_value: Some(json!({"comment_id": id, "comment": content})),
            reason: "Comment edited".into(),
        },
    )
    .await?;
    let out = comments::get(&tx, member.tenant, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    commit(tx).await?;
    Ok(out)
}

/// Deletes a comment (author or admin), audited.
pub async fn delete(state: &AppState, member: &Member, id: Uuid) -> ApiResult<()> {
    let tx = state.db.begin_write().await?;
    let (row, task_key) = own(&tx, member, id).await?;
    comments::delete(&tx, member.tenant, id).await?;
    audit::record(
        &tx,
        member.tenant,
        audit::Entry {
            task_id: Some(row.task_id),
            task_key,
            action: audit::Action::Deleted,
            actor: actor(member),
            old_value: Some(json!({"comment_id": id, "comment": row.content})),
            new_value: None,
            reason: "Comment deleted".into(),
        },
    )
    .await?;
    commit(tx).await?;
    Ok(())
}
