//! Attachments' metadata and each organization's storage use (the bytes are in object
//! storage; see the application's `files`).

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, FromQueryResult};
use uuid::Uuid;

use crate::{Page, Result, Tenant, now, sql, sql::Params};

/// A stored attachment.
#[derive(Debug, Clone, FromQueryResult)]
pub struct AttachmentRow {
    pub id: Uuid,
    pub task_id: Uuid,
    pub file_name: String,
    /// Sniffed from the bytes when uploaded, never taken from the client.
    pub content_type: String,
    pub size_bytes: i64,
    /// Hex SHA-256 of the bytes.
    pub sha256: String,
    pub storage_key: String,
    pub uploaded_by: Option<Uuid>,
    pub uploaded_by_name: String,
    pub created_at: DateTime<Utc>,
}

/// An attachment to insert.
#[derive(Debug, Clone)]
pub struct NewAttachment<'a> {
    pub id: Uuid,
    pub task_id: Uuid,
    pub file_name: &'a str,
    pub content_type: &'a str,
    pub size_bytes: i64,
    pub sha256: &'a str,
    pub storage_key: &'a str,
    pub uploaded_by: Uuid,
    pub uploaded_by_name: &'a str,
}

const SELECT: &str = "SELECT id, task_id, file_name, content_type, size_bytes, sha256, storage_key, \
     uploaded_by, uploaded_by_name, created_at FROM task_attachments";

/// A task's attachments, newest first, and how many it has.
pub async fn list<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    task: Uuid,
    page: Page,
) -> Result<(Vec<AttachmentRow>, u64)> {
    let mut p = Params::default();
    let wh = format!(
        "organization_id = {} AND task_id = {}",
        p.push(tenant.id()),
        p.push(task)
    );
    let total = sql::count(
        c,
        &format!("SELECT COUNT(*) FROM task_attachments WHERE {wh}"),
        p.values.clone(),
    )
    .await?;
    let limit = p.push(page.size as i64);
    let offset = p.push(page.offset() as i64);
    let rows = sql::all(
        c,
        &format!(
            "{SELECT} WHERE {wh} ORDER BY created_at DESC, id DESC LIMIT {limit} OFFSET {offset}"
        ),
        p.values,
    )
    .await?;
    Ok((rows, total))
}

/// One attachment of one task.
pub async fn get<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    task: Uuid,
    id: Uuid,
) -> Result<Option<AttachmentRow>> {
    sql::one(
        c,
        &format!("{SELECT} WHERE organization_id = $1 AND task_id = $2 AND id = $3"),
        vec![tenant.id().into(), task.into(), id.into()],
    )
    .await
}

/// Inserts an attachment's metadata (its bytes are already stored, its quota reserved).
pub async fn create<C: ConnectionTrait>(c: &C, tenant: Tenant, a: NewAttachment<'_>) -> Result<()> {
    sql::exec(
        c,
        "INSERT INTO task_attachments (organization_id, id, task_id, file_name, content_type, \
         size_bytes, sha256, storage_key, uploaded_by, uploaded_by_name, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        vec![
            tenant.id().into(),
            a.id.into(),
            a.task_id.into(),
            a.file_name.into(),
            a.content_type.into(),
            a.size_bytes.into(),
            a.sha256.into(),
            a.storage_key.into(),
            a.uploaded_by.into(),
            a.uploaded_by_name.into(),
            now().into(),
        ],
    )
    .await?;
    Ok(())
}

/// Deletes one attachment's metadata and gives its bytes back to the quota; `None` when
/// it is already gone.
pub async fn delete<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    task: Uuid,
    id: Uuid,
) -> Result<Option<AttachmentRow>> {
    let Some(row) = get(c, tenant, task, id).await? else {
        return Ok(None);
    };
    let gone = sql::exec(
        c,
        "DELETE FROM task_attachments WHERE organization_id = $1 AND id = $2",
        vec![tenant.id().into(), id.into()],
    )
    .await?;
    if gone == 0 {
        return Ok(None);
    }
    release(c, tenant, row.size_bytes, 1).await?;
    Ok(Some(row))
}

/// Deletes the metadata of every attachment of a task (before the task itself) and gives
/// their bytes back to the quota; returns how many there were.
pub async fn delete_for_task<C: ConnectionTrait>(c: &C, tenant: Tenant, task: Uuid) -> Result<u64> {
    #[derive(FromQueryResult)]
    struct Sum {
        n: i64,
        bytes: Option<i64>,
    }
    let sum: Option<Sum> = sql::one(
        c,
        "SELECT COUNT(*) AS n, CAST(SUM(size_bytes) AS BIGINT) AS bytes FROM task_attachments \
         WHERE organization_id = $1 AND task_id = $2",
        vec![tenant.id().into(), task.into()],
    )
    .await?;
    let Some(Sum { n, bytes }) = sum.filter(|s| s.n > 0) else {
        return Ok(0);
    };
    sql::exec(
        c,
        "DELETE FROM task_attachments WHERE organization_id = $1 AND task_id = $2",
        vec![tenant.id().into(), task.into()],
    )
    .await?;
    release(c, tenant, bytes.unwrap_or(0), n).await?;
    Ok(n as u64)
}

/// Takes `bytes` of the organization's `quota` for one more file: a compare-and-set, so two
/// uploads at the same moment cannot both take the last megabytes. `false` when it would
/// not fit.
pub async fn reserve<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    bytes: i64,
    quota: i64,
) -> Result<bool> {
    sql::exec(
        c,
        "INSERT INTO organization_storage (organization_id, used_bytes, file_count) VALUES ($1, 0, 0) \
         ON CONFLICT (organization_id) DO NOTHING",
        vec![tenant.id().into()],
    )
    .await?;
    let taken = sql::exec(
        c,
        "UPDATE organization_storage SET used_bytes = used_bytes + $2, file_count = file_count + 1 \
         WHERE organization_id = $1 AND used_bytes + $2 <= $3",
        vec![tenant.id().into(), bytes.into(), quota.into()],
    )
    .await?;
    Ok(taken == 1)
}

async fn release<C: ConnectionTrait>(c: &C, tenant: Tenant, bytes: i64, files: i64) -> Result<()> {
    sql::exec(
        c,
        "UPDATE organization_storage SET used_bytes = used_bytes - $2, file_count = file_count - $3 \
         WHERE organization_id = $1",
        vec![tenant.id().into(), bytes.into(), files.into()],
    )
    .await?;
    Ok(())
}

/// What an organization's attachments take.
#[derive(Debug, Clone, Copy, Default, FromQueryResult)]
pub struct Usage {
    pub used_bytes: i64,
    pub file_count: i64,
}

/// The organization's storage use (zero before its first upload).
pub async fn usage<C: ConnectionTrait>(c: &C, tenant: Tenant) -> Result<Usage> {
    let found: Option<Usage> = sql::one(
        c,
        "SELECT used_bytes, file_count FROM organization_storage WHERE organization_id = $1",
        vec![tenant.id().into()],
    )
    .await?;
    Ok(found.unwrap_or_default())
}
