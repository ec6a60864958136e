//! Comments on tasks; only the author or an admin edits or deletes one.

use switchyard_domain::AccessLevel;
use switchyard_store::{Page, comments, comments::CommentRow, locks, tasks};
use uuid::Uuid;

use crate::{App, AppError, AppResult, Event, Member, UnitOfWork, mail, permissions::CommentCan};

/// A comment with what the member who asked may do to it.
#[derive(Debug, Clone)]
pub struct Comment {
    pub row: CommentRow,
    pub can: CommentCan,
}

impl Comment {
    /// The comment as `member` sees it.
    pub fn new(member: &Member, row: CommentRow) -> Self {
        Comment {
            can: CommentCan::of(member, &row),
            row,
        }
    }
}

/// Longest comment accepted.
pub const MAX_CONTENT: usize = 10_000;

fn check_content(content: &str) -> AppResult<()> {
    if content.trim().is_empty() {
        return Err(AppError::field("content", "This field may not be blank."));
    }
    if content.chars().count() > MAX_CONTENT {
        return Err(AppError::field(
            "content",
            format!("Ensure this field has no more than {MAX_CONTENT} characters."),
        ));
    }
    Ok(())
}

/// Comments of the organization (of one task when given), oldest first.
pub async fn list(
    state: &App,
    member: &Member,
    task: Option<Uuid>,
    page: Page,
) -> AppResult<(Vec<Comment>, u64)> {
    let c = state.db.conn();
    let scope = crate::projects::scope(c, member).await?;
    let (rows, count) = comments::list(c, member.tenant, task, &scope, page).await?;
    let listed = rows.into_iter().map(|r| Comment::new(member, r)).collect();
    Ok((listed, count))
}

/// One comment.
pub async fn get(state: &App, member: &Member, id: Uuid) -> AppResult<Comment> {
    let c = state.db.conn();
    let row = comments::get(c, member.tenant, id)
        .await?
        .ok_or(AppError::NotFound)?;
    crate::tasks::visible_record(c, member, row.task_id).await?;
    Ok(Comment::new(member, row))
}

/// Adds a comment to a task of the organization (every level but read-only).
pub async fn create(
    state: &App,
    member: &Member,
    task: Option<Uuid>,
    content: String,
) -> AppResult<Comment> {
    member.require_writer()?;
    let task_id = task.ok_or_else(|| AppError::field("task", "This field is required."))?;
    check_content(&content)?;
    let mut uow = UnitOfWork::begin(state).await?;
    let task = tasks::get(uow.tx(), member.tenant, task_id)
        .await?
        .ok_or_else(|| AppError::field("task", "Task not found in this organization."))?;
    match crate::projects::task_right(uow.tx(), member, task.project_id).await? {
        crate::projects::TaskRight::Hidden => {
            return Err(AppError::field(
                "task",
                "Task not found in this organization.",
            ));
        }
        right => right.require_write()?,
    };
    let id = comments::create(
        uow.tx(),
        member.tenant,
        task_id,
        member.user_id,
        &member.username,
        &content,
    )
    .await?;
    let event_id = uow
        .record(
            member,
            Event::CommentAdded {
                task_id,
                task_key: task.task_key.clone(),
                comment_id: id,
                content: content.clone(),
            },
        )
        .await?;
    notify_assignee(&uow, member, &task, &content, event_id).await?;
    let row = comments::get(uow.tx(), member.tenant, id)
        .await?
        .ok_or(AppError::NotFound)?;
    uow.commit().await?;
    Ok(Comment::new(member, row))
}

/// Queues "a comment was added on a task assigned to you" for the task's assignee, unless
/// they wrote it, have no email address or did not ask for comment emails (the default).
async fn notify_assignee(
    uow: &UnitOfWork,
    member: &Member,
    task: &switchyard_store::tasks::TaskRow,
    content: &str,
    event_id: Uuid,
) -> AppResult<()> {
    let Some(assignee) = task.assigned_to.filter(|a| *a != member.user_id) else {
        return Ok(());
    };
    let Some(user) = switchyard_store::users::get(uow.tx(), member.tenant, assignee).await? else {
        return Ok(());
    };
    if user.email.is_empty()
        || !crate::notifications::wants_email(uow.tx(), member.tenant, assignee, "comment").await?
    {
        return Ok(());
    }
    let job = mail::task_email(
        uow.app(),
        &mail::TaskNotice {
            notice: mail::Notice::Commented,
            to_email: &user.email,
            to_name: &user.username,
            actor: &member.username,
            task_key: &task.task_key,
            title: &task.title,
            comment: content,
            event_id,
            organization_id: member.tenant.id(),
        },
    );
    uow.enqueue(job).await?;
    Ok(())
}

/// Whether `member` may edit or delete `comment`: its author, or an admin.
pub fn may_change(member: &Member, comment: &CommentRow) -> bool {
    comment.author_id == Some(member.user_id) || member.level == AccessLevel::Admin
}

/// Locks and reads a comment the member may change (author or admin), with its task's key.
/// A comment on a task of a project hidden from the member is not found; on a project they
/// only read, only an admin may change it.
async fn own(
    uow: &UnitOfWork,
    member: &Member,
    id: Uuid,
    if_match: Option<i64>,
) -> AppResult<(CommentRow, String)> {
    uow.lock(member.tenant, locks::Row::Comment, id).await?;
    let c = uow.tx();
    let row = AppError::current(comments::get(c, member.tenant, id).await?, None)?;
    let task = tasks::record(c, member.tenant, row.task_id).await?;
    if let Some(t) = &task {
        let right = crate::projects::task_right(c, member, t.project_id)
            .await?
            .require_visible()?;
        if member.require_admin().is_err() {
            right.require_write()?;
        }
    }
    if !may_change(member, &row) {
        return Err(AppError::Forbidden(
            "Only the comment's author or an admin can change it.".into(),
        ));
    }
    AppError::check_version(if_match, row.version)?;
    Ok((row, task.map(|t| t.task_key).unwrap_or_default()))
}

/// Edits a comment (author or admin), audited.
pub async fn update(
    state: &App,
    member: &Member,
    id: Uuid,
    content: String,
    if_match: Option<i64>,
) -> AppResult<Comment> {
    check_content(&content)?;
    let mut uow = UnitOfWork::begin(state).await?;
    let (row, task_key) = own(&uow, member, id, if_match).await?;
    comments::update(uow.tx(), member.tenant, id, &content).await?;
    uow.record(
        member,
        Event::CommentEdited {
            task_id: row.task_id,
            task_key,
            comment_id: id,
            old_content: row.content,
            content,
        },
    )
    .await?;
    let out = comments::get(uow.tx(), member.tenant, id)
        .await?
        .ok_or(AppError::NotFound)?;
    uow.commit().await?;
    Ok(Comment::new(member, out))
}

/// Deletes a comment (author or admin), audited.
pub async fn delete(
    state: &App,
    member: &Member,
    id: Uuid,
    if_match: Option<i64>,
) -> AppResult<()> {
    let mut uow = UnitOfWork::begin(state).await?;
    let (row, task_key) = own(&uow, member, id, if_match).await?;
    comments::delete(uow.tx(), member.tenant, id).await?;
    uow.record(
        member,
        Event::CommentDeleted {
            task_id: row.task_id,
            task_key,
            comment_id: id,
            content: row.content,
        },
    )
    .await?;
    uow.commit().await?;
    Ok(())
}
