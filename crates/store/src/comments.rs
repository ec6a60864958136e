//! Comments on tasks.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, FromQueryResult};
use uuid::Uuid;

use crate::{Page, Result, Tenant, now, sql, sql::Params};

/// A stored comment.
#[derive(Debug, Clone, FromQueryResult)]
pub struct CommentRow {
    pub id: Uuid,
    pub task_id: Uuid,
    pub author_id: Option<Uuid>,
    pub author_name: String,
    pub content: String,
    /// Grows with every edit (optimistic concurrency).
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

const SELECT: &str = "SELECT id, task_id, author_id, author_name, content, version, created_at, updated_at FROM comments";

/// Comments of the organization (of one task when given), oldest first.
pub async fn list<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    task: Option<Uuid>,
    scope: &crate::projects::TaskScope,
    page: Page,
) -> Result<(Vec<CommentRow>, u64)> {
    let mut p = Params::default();
    let mut wh = format!("organization_id = {}", p.push(tenant.id()));
    if let Some(task) = task {
        wh.push_str(&format!(" AND task_id = {}", p.push(task)));
    }
    if let Some(scope) = crate::projects::task_id_scope_sql(tenant, scope, "task_id", &mut p) {
        wh.push_str(&format!(" AND {scope}"));
    }
    let total = sql::count(
        c,
        &format!("SELECT COUNT(*) FROM comments WHERE {wh}"),
        p.values.clone(),
    )
    .await?;
    let limit = p.push(page.size as i64);
    let offset = p.push(page.offset() as i64);
    let rows = sql::all(
        c,
        &format!("{SELECT} WHERE {wh} ORDER BY created_at, id LIMIT {limit} OFFSET {offset}"),
        p.values,
    )
    .await?;
    Ok((rows, total))
}

/// Every comment of one task, oldest first (for the task detail).
pub async fn for_task<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    task: Uuid,
) -> Result<Vec<CommentRow>> {
    sql::all(
        c,
        &format!("{SELECT} WHERE organization_id = $1 AND task_id = $2 ORDER BY created_at, id"),
        vec![tenant.id().into(), task.into()],
    )
    .await
}

/// One comment.
pub async fn get<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    id: Uuid,
) -> Result<Option<CommentRow>> {
    sql::one(
        c,
        &format!("{SELECT} WHERE organization_id = $1 AND id = $2"),
        vec![tenant.id().into(), id.into()],
    )
    .await
}

/// Adds a comment; the task must already be known to belong to the organization.
pub async fn create<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    task: Uuid,
    author: Uuid,
    author_name: &str,
    content: &str,
) -> Result<Uuid> {
    create_at(c, tenant, task, author, author_name, content, now()).await
}

/// Adds a comment with an explicit time (seeding history).
pub async fn create_at<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    task: Uuid,
    author: Uuid,
    author_name: &str,
    content: &str,
    ts: DateTime<Utc>,
) -> Result<Uuid> {
    let id = Uuid::now_v7();
    sql::exec(
        c,
        "INSERT INTO comments (id, organization_id, task_id, author_id, author_name, content, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
        vec![id.into(), tenant.id().into(), task.into(), author.into(), author_name.into(), content.into(), ts.into()],
    )
    .await?;
    Ok(id)
}

/// Replaces a comment's text.
pub async fn update<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    id: Uuid,
    content: &str,
) -> Result<()> {
    sql::exec(
        c,
        "UPDATE comments SET content = $3, version = version + 1, updated_at = $4 \
         WHERE organization_id = $1 AND id = $2",
        vec![tenant.id().into(), id.into(), content.into(), now().into()],
    )
    .await?;
    Ok(())
}

/// Deletes a comment.
pub async fn delete<C: ConnectionTrait>(c: &C, tenant: Tenant, id: Uuid) -> Result<()> {
    sql::exec(
        c,
        "DELETE FROM comments WHERE organization_id = $1 AND id = $2",
        vec![tenant.id().into(), id.into()],
    )
    .await?;
    Ok(())
}
