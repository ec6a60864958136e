//! Files attached to tasks. The bytes go to object storage under
//! `attachments/<organization>/<task>/<id>` before the metadata commits (a failed commit
//! deletes them again); deleting an attachment, a task or an organization deletes the
//! metadata in its transaction and the bytes right after the commit, with a queued job
//! (`delete_files`) that repeats the deletion until storage has done it — so nothing is
//! left behind when storage is briefly away.
//!
//! Who may do what: whoever may write to the task (its project's editors and owners, the
//! organization's writers for tasks outside projects) uploads; whoever sees the task lists
//! and downloads; the uploader or an admin deletes.

use chrono::Duration;
use serde_json::json;
use sha2::{Digest, Sha256};
use switchyard_domain::AccessLevel;
use switchyard_store::{
    Page, Tenant, attachments,
    attachments::{AttachmentRow, NewAttachment, Usage},
    jobs::NewJob,
    tasks,
};
use uuid::Uuid;

use crate::{
    App, AppError, AppResult, ErrorCode, Event, Member, UnitOfWork,
    jobs::{Handlers, JobFailure},
    projects::task_right,
};

/// The job kind that deletes files whose metadata is gone (payload: `keys`, `prefixes`).
pub const DELETE_FILES_JOB: &str = "delete_files";

/// Longest file name kept (longer names are cut, keeping their extension when short).
const MAX_NAME: usize = 255;

/// Uploads a person may make per hour (each one is a storage write).
const UPLOADS_PER_HOUR: i64 = 600;

/// An attachment with what the member who asked may do to it.
#[derive(Debug, Clone)]
pub struct Attachment {
    pub row: AttachmentRow,
    /// The uploader (while they may still write to the task) or an admin.
    pub can_delete: bool,
}

impl Attachment {
    fn new(member: &Member, row: AttachmentRow, task_writable: bool) -> Self {
        let uploader = row.uploaded_by == Some(member.user_id);
        Attachment {
            can_delete: member.level == AccessLevel::Admin
                || (uploader && task_writable && member.level.can_write()),
            row,
        }
    }
}

/// An organization's storage: what its attachments take and what it may take.
#[derive(Debug, Clone, Copy)]
pub struct Storage {
    pub usage: Usage,
    pub quota_bytes: u64,
    pub max_file_bytes: u64,
}

fn megabytes(bytes: u64) -> String {
    let mb = bytes as f64 / (1024.0 * 1024.0);
    if mb >= 10.0 || mb.fract() == 0.0 {
        format!("{mb:.0} MB")
    } else {
        format!("{mb:.1} MB")
    }
}

fn too_large(max: u64) -> AppError {
    AppError::TooLarge {
        code: ErrorCode::FileTooLarge,
        detail: format!("The file is larger than {}.", megabytes(max)),
    }
}

fn quota_full(state: &App, used: i64, size: u64) -> AppError {
    let quota = state.settings.storage_quota_bytes;
    let left = quota.saturating_sub(used.max(0) as u64);
    AppError::TooLarge {
        code: ErrorCode::StorageQuotaExceeded,
        detail: format!(
            "The organization's storage quota of {} is full: {} left, the file takes {}.",
            megabytes(quota),
            megabytes(left),
            megabytes(size)
        ),
    }
}

/// The storage folder of a task's files.
fn task_prefix(tenant: Tenant, task: Uuid) -> String {
    format!("attachments/{}/{}", tenant.id().simple(), task.simple())
}

/// The name to keep: its last path segment, without control characters, at most 255
/// characters; "attachment" when nothing is left.
pub fn clean_name(raw: &str) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let name: String = last.chars().filter(|c| !c.is_control()).collect();
    let name = name.trim();
    if name.is_empty() || name == "." || name == ".." {
        return "attachment".into();
    }
    if name.chars().count() <= MAX_NAME {
        return name.to_string();
    }
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e)
        .filter(|e| e.chars().count() <= 16)
        .unwrap_or("");
    let keep = MAX_NAME
        - if ext.is_empty() {
            0
        } else {
            ext.chars().count() + 1
        };
    let stem: String = name.chars().take(keep).collect();
    if ext.is_empty() {
        stem
    } else {
        format!("{stem}.{ext}")
    }
}

/// The content type of `bytes`, from their magic numbers; UTF-8 text without one is
/// `text/plain`, anything else `application/octet-stream`. The client's claim is ignored.
pub fn sniff(bytes: &[u8]) -> String {
    if let Some(kind) = infer::get(bytes) {
        return kind.mime_type().to_string();
    }
    let head = &bytes[..bytes.len().min(8192)];
    let text = match std::str::from_utf8(head) {
        Ok(_) => true,
        // Cut inside a character at the 8 kB boundary: still text.
        Err(e) => e.error_len().is_none() && head.len() == 8192,
    };
    if text && !head.contains(&0) {
        "text/plain".into()
    } else {
        "application/octet-stream".into()
    }
}

/// The type a download is served with: the stored one, except that anything a browser
/// could run (HTML, SVG, XML, scripts) is served as opaque bytes.
pub fn served_type(stored: &str) -> &str {
    const ACTIVE: [&str; 7] = [
        "text/html",
        "application/xhtml+xml",
        "image/svg+xml",
        "text/xml",
        "application/xml",
        "application/javascript",
        "text/javascript",
    ];
    if ACTIVE.contains(&stored) {
        "application/octet-stream"
    } else {
        stored
    }
}

/// Attaches `bytes` to a task as `file_name`.
pub async fn upload(
    state: &App,
    member: &Member,
    task_id: Uuid,
    file_name: &str,
    bytes: Vec<u8>,
) -> AppResult<Attachment> {
    member.require_writer()?;
    let max = state.settings.attachment_max_bytes;
    if bytes.len() as u64 > max {
        return Err(too_large(max));
    }
    if bytes.is_empty() {
        return Err(AppError::field("file", "The submitted file is empty."));
    }
    // Refused before anything is stored: a task hidden or read-only for the caller.
    let c = state.db.conn();
    let task = tasks::record(c, member.tenant, task_id)
        .await?
        .ok_or(AppError::NotFound)?;
    task_right(c, member, task.project_id)
        .await?
        .require_write()?;
    crate::throttle::check(
        state,
        &format!("attachment:{}", member.user_id),
        UPLOADS_PER_HOUR,
        3600,
    )
    .await?;
    let size = bytes.len() as u64;
    let used = attachments::usage(c, member.tenant).await?.used_bytes;
    if used.max(0) as u64 + size > state.settings.storage_quota_bytes {
        return Err(quota_full(state, used, size));
    }
    let id = Uuid::now_v7();
    let key = format!("{}/{}", task_prefix(member.tenant, task_id), id.simple());
    let sha256 = format!("{:x}", Sha256::digest(&bytes));
    let content_type = sniff(&bytes);
    let name = clean_name(file_name);
    state.files.put(&key, bytes).await?;
    let new = NewAttachment {
        id,
        task_id,
        file_name: &name,
        content_type: &content_type,
        size_bytes: size as i64,
        sha256: &sha256,
        storage_key: &key,
        uploaded_by: member.user_id,
        uploaded_by_name: &member.username,
    };
    match record_upload(state, member, new).await {
        Ok(a) => Ok(a),
        Err(e) => {
            // Nothing was acknowledged: the bytes go too (the task's folder is swept when
            // the task is deleted, should this fail as well).
            state.files.delete(&key).await.ok();
            Err(e)
        }
    }
}

/// The upload's transaction: the task still there and writable, the quota taken by a
/// compare-and-set, the metadata and its audit entry.
async fn record_upload(
    state: &App,
    member: &Member,
    new: NewAttachment<'_>,
) -> AppResult<Attachment> {
    let tenant = member.tenant;
    let mut uow = UnitOfWork::begin(state).await?;
    let task = tasks::record_for_update(uow.tx(), tenant, new.task_id)
        .await?
        .ok_or(AppError::NotFound)?;
    task_right(uow.tx(), member, task.project_id)
        .await?
        .require_write()?;
    let quota = state.settings.storage_quota_bytes.min(i64::MAX as u64) as i64;
    if !attachments::reserve(uow.tx(), tenant, new.size_bytes, quota).await? {
        let used = attachments::usage(uow.tx(), tenant).await?.used_bytes;
        return Err(quota_full(state, used, new.size_bytes as u64));
    }
    attachments::create(uow.tx(), tenant, new.clone()).await?;
    uow.record(
        member,
        Event::AttachmentChanged {
            task_id: new.task_id,
            task_key: task.task_key,
            attachment_id: new.id,
            file_name: new.file_name.to_string(),
            content_type: new.content_type.to_string(),
            size_bytes: new.size_bytes,
            added: true,
        },
    )
    .await?;
    let row = attachments::get(uow.tx(), tenant, new.task_id, new.id)
        .await?
        .ok_or(AppError::NotFound)?;
    uow.commit().await?;
    Ok(Attachment::new(member, row, true))
}

/// A task's attachments, newest first.
pub async fn list(
    state: &App,
    member: &Member,
    task_id: Uuid,
    page: Page,
) -> AppResult<(Vec<Attachment>, u64)> {
    let c = state.db.conn();
    let writable = writable(state, member, task_id).await?;
    let (rows, count) = attachments::list(c, member.tenant, task_id, page).await?;
    let listed = rows
        .into_iter()
        .map(|r| Attachment::new(member, r, writable))
        .collect();
    Ok((listed, count))
}

/// Whether `member` may write to the task (404 when they cannot see it).
async fn writable(state: &App, member: &Member, task_id: Uuid) -> AppResult<bool> {
    let task = crate::tasks::visible_record(state.db.conn(), member, task_id).await?;
    let right = task_right(state.db.conn(), member, task.project_id).await?;
    Ok(right.writes())
}

/// One attachment's metadata.
pub async fn get(state: &App, member: &Member, task_id: Uuid, id: Uuid) -> AppResult<Attachment> {
    let writable = writable(state, member, task_id).await?;
    let row = attachments::get(state.db.conn(), member.tenant, task_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Attachment::new(member, row, writable))
}

/// An attachment's metadata and its bytes, as a stream.
pub async fn download(
    state: &App,
    member: &Member,
    task_id: Uuid,
    id: Uuid,
) -> AppResult<(
    AttachmentRow,
    futures_util::stream::BoxStream<'static, std::io::Result<bytes::Bytes>>,
)> {
    crate::tasks::visible_record(state.db.conn(), member, task_id).await?;
    let row = attachments::get(state.db.conn(), member.tenant, task_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let Some(bytes) = state.files.stream(&row.storage_key).await? else {
        tracing::error!(attachment = %row.id, key = %row.storage_key, "an attachment's file is missing from storage");
        return Err(AppError::NotFoundDetail(
            "The attachment's file is missing from storage.".into(),
        ));
    };
    Ok((row, bytes))
}

/// Deletes an attachment: its uploader (who may still write to the task) or an admin.
pub async fn delete(state: &App, member: &Member, task_id: Uuid, id: Uuid) -> AppResult<()> {
    let tenant = member.tenant;
    let mut uow = UnitOfWork::begin(state).await?;
    let task = tasks::record_for_update(uow.tx(), tenant, task_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let right = task_right(uow.tx(), member, task.project_id)
        .await?
        .require_visible()?;
    let row = attachments::get(uow.tx(), tenant, task_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !Attachment::new(member, row, right.writes()).can_delete {
        return Err(AppError::Forbidden(
            "Only the person who uploaded a file, or an admin, can delete it.".into(),
        ));
    }
    let row = attachments::delete(uow.tx(), tenant, task_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    uow.record(
        member,
        Event::AttachmentChanged {
            task_id,
            task_key: task.task_key,
            attachment_id: id,
            file_name: row.file_name,
            content_type: row.content_type,
            size_bytes: row.size_bytes,
            added: false,
        },
    )
    .await?;
    let cleanup = Cleanup::keys(vec![row.storage_key]);
    cleanup.enqueue(&uow, Some(tenant)).await?;
    uow.commit().await?;
    cleanup.run_now(state).await;
    Ok(())
}

/// What the organization's attachments take, and its limits.
pub async fn storage(state: &App, member: &Member) -> AppResult<Storage> {
    Ok(Storage {
        usage: attachments::usage(state.db.conn(), member.tenant).await?,
        quota_bytes: state.settings.storage_quota_bytes,
        max_file_bytes: state.settings.attachment_max_bytes,
    })
}

/// Files to delete once a transaction that dropped their metadata commits.
#[derive(Debug, Clone, Default)]
#[must_use = "enqueue it in the transaction and run it after the commit"]
pub struct Cleanup {
    keys: Vec<String>,
    prefixes: Vec<String>,
}

impl Cleanup {
    fn keys(keys: Vec<String>) -> Self {
        Cleanup {
            keys,
            prefixes: Vec::new(),
        }
    }

    /// Everything stored for a task (called in the task's deletion, which cascades to its
    /// attachments' metadata; this gives their bytes back to the quota first).
    pub async fn for_task(uow: &UnitOfWork, tenant: Tenant, task: Uuid) -> AppResult<Cleanup> {
        attachments::delete_for_task(uow.tx(), tenant, task).await?;
        let cleanup = Cleanup {
            keys: Vec::new(),
            prefixes: vec![task_prefix(tenant, task)],
        };
        cleanup.enqueue(uow, Some(tenant)).await?;
        Ok(cleanup)
    }

    /// Everything stored for an organization (called in its deletion).
    pub async fn for_organization(uow: &UnitOfWork, tenant: Tenant) -> AppResult<Cleanup> {
        let cleanup = Cleanup {
            keys: Vec::new(),
            prefixes: vec![format!("attachments/{}", tenant.id().simple())],
        };
        // Not the organization's job: it outlives the organization.
        cleanup.enqueue(uow, None).await?;
        Ok(cleanup)
    }

    /// Queues the deletion in the transaction: it happens even if this process stops
    /// right after the commit.
    async fn enqueue(&self, uow: &UnitOfWork, tenant: Option<Tenant>) -> AppResult<()> {
        uow.enqueue(NewJob {
            kind: DELETE_FILES_JOB.into(),
            payload: json!({"keys": self.keys, "prefixes": self.prefixes}),
            organization_id: tenant.map(|t| t.id()),
            run_at: uow.app().clock.now() + Duration::seconds(30),
            max_attempts: 20,
            dedupe_key: None,
        })
        .await?;
        Ok(())
    }

    /// Deletes the files now (after the commit); the queued job repeats what fails.
    pub async fn run_now(&self, state: &App) {
        if let Err(e) = self.run(state).await {
            tracing::warn!(error = %e, "deleting files failed; the queued job will retry");
        }
    }

    async fn run(&self, state: &App) -> AppResult<()> {
        for key in &self.keys {
            state.files.delete(key).await?;
        }
        for prefix in &self.prefixes {
            state.files.delete_prefix(prefix).await?;
        }
        Ok(())
    }
}

/// The `delete_files` job.
pub fn handlers(handlers: Handlers) -> Handlers {
    handlers.on(DELETE_FILES_JOB, |app: App, job| async move {
        let list = |field: &str| -> Vec<String> {
            job.payload[field]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|v| v.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default()
        };
        let cleanup = Cleanup {
            keys: list("keys"),
            prefixes: list("prefixes"),
        };
        cleanup
            .run(&app)
            .await
            .map_err(|e| JobFailure::Transient(e.to_string()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_keep_their_last_segment_without_control_characters() {
        assert_eq!(clean_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_name("C:\\Users\\pia\\report.pdf"), "report.pdf");
        assert_eq!(clean_name("a\u{0}b\nc.txt"), "abc.txt");
        assert_eq!(clean_name("  "), "attachment");
        assert_eq!(clean_name(".."), "attachment");
        let long = format!("{}.tar.gz", "x".repeat(400));
        let cut = clean_name(&long);
        assert_eq!(cut.chars().count(), 255);
        assert!(cut.ends_with(".gz"));
    }

    #[test]
    fn types_come_from_the_bytes_and_active_content_is_served_as_bytes() {
        assert_eq!(sniff(b"%PDF-1.7\n..."), "application/pdf");
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), "image/png");
        assert_eq!(sniff("plain words, ünïcode".as_bytes()), "text/plain");
        assert_eq!(sniff(&[0, 159, 146, 150, 1, 2]), "application/octet-stream");
        let html = sniff(b"<!DOCTYPE html><html><script>alert(1)</script></html>");
        assert_eq!(served_type(&html), "application/octet-stream");
        assert_eq!(served_type("text/html"), "application/octet-stream");
        assert_eq!(served_type("image/svg+xml"), "application/octet-stream");
        assert_eq!(served_type("application/pdf"), "application/pdf");
    }
}
