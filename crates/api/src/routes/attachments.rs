//! `/api/v1/tasks/{id}/attachments/` (upload, list, metadata, download, delete) and
//! `/api/v1/attachments/usage/` (the organization's storage).

use axum::{
    Json,
    body::Body,
    extract::{Multipart, State, multipart::MultipartRejection},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use chrono::{DateTime, Utc};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde::Serialize;
use switchyard_app::attachments::{self, Attachment};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::{
    auth::Member,
    error::{ApiError, ApiResult, ErrorBody},
    extract::{IdPairPath, IdPath, PageQuery, Paginated, pagination::PageParams},
    routes::tags,
    state::AppState,
};

/// A file attached to a task.
#[derive(Debug, Serialize, ToSchema)]
pub struct AttachmentOut {
    pub id: Uuid,
    pub task: Uuid,
    #[schema(example = "gripper-thermal-log.csv")]
    pub file_name: String,
    /// Sniffed from the bytes when uploaded (what the client claimed is ignored).
    #[schema(example = "text/plain")]
    pub content_type: String,
    /// Bytes.
    #[schema(example = 48213)]
    pub size: i64,
    /// Hex SHA-256 of the bytes, to check a download.
    #[schema(example = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08")]
    pub sha256: String,
    /// The uploader's id (null once the account is deleted).
    pub uploaded_by: Option<Uuid>,
    #[schema(example = "dev_alice")]
    pub uploaded_by_name: String,
    pub created_at: DateTime<Utc>,
    /// Where the bytes are (with the same credentials).
    #[schema(
        example = "/api/v1/tasks/0f3e5d7c-9a1b-4c2d-8e4f-6a7b8c9d0e1f/attachments/01936f0e-5a4b-7c3d-9e2f-1a2b3c4d5e6f/download/"
    )]
    pub download_url: String,
    /// What the caller may do: `delete` for the uploader (while they may write to the task)
    /// and admins.
    pub can: AttachmentCanOut,
}

/// What the caller may do to an attachment.
#[derive(Debug, Serialize, ToSchema)]
pub struct AttachmentCanOut {
    pub delete: bool,
}

impl From<Attachment> for AttachmentOut {
    fn from(Attachment { row, can_delete }: Attachment) -> Self {
        AttachmentOut {
            download_url: format!(
                "/api/v1/tasks/{}/attachments/{}/download/",
                row.task_id, row.id
            ),
            can: AttachmentCanOut { delete: can_delete },
            id: row.id,
            task: row.task_id,
            file_name: row.file_name,
            content_type: row.content_type,
            size: row.size_bytes,
            sha256: row.sha256,
            uploaded_by: row.uploaded_by,
            uploaded_by_name: row.uploaded_by_name,
            created_at: row.created_at,
        }
    }
}

/// The body of an upload, for the OpenAPI document.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct AttachmentUpload {
    /// Any file, up to `max_file_bytes` (25 MB by default); its part's `filename` is kept
    /// as the attachment's name.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

/// An organization's attachment storage.
#[derive(Debug, Serialize, ToSchema)]
pub struct StorageOut {
    #[schema(example = 73400320)]
    pub used_bytes: i64,
    #[schema(example = 1073741824)]
    pub quota_bytes: u64,
    #[schema(example = 12)]
    pub file_count: i64,
    /// The largest file accepted.
    #[schema(example = 26214400)]
    pub max_file_bytes: u64,
}

fn bad_upload(detail: &str) -> ApiError {
    ApiError::field("file", detail)
}

/// The `file` part of a multipart body: its name and bytes.
async fn file_part(
    multipart: Result<Multipart, MultipartRejection>,
) -> ApiResult<(String, Vec<u8>)> {
    let mut multipart =
        multipart.map_err(|_| bad_upload("Send the file as multipart/form-data, field 'file'."))?;
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|_| bad_upload("The multipart body could not be read."))?
    {
        if field.name() == Some("file") {
            let name = field.file_name().unwrap_or_default().to_string();
            let bytes = field
                .bytes()
                .await
                .map_err(|_| bad_upload("The multipart body could not be read."))?;
            return Ok((name, bytes.to_vec()));
        }
    }
    Err(bad_upload("Send the file in the field 'file'."))
}

/// Attaches a file (multipart field `file`; any type, up to 25 MB by default) — whoever may
/// write to the task. The content type is sniffed from the bytes. Counted against the
/// organization's storage quota; audited as `attachment_added`.
#[utoipa::path(post, path = "/api/v1/tasks/{id}/attachments", tag = tags::TASKS, params(("id" = Uuid, Path)), security(("bearer" = [])),
    request_body(content = AttachmentUpload, content_type = "multipart/form-data"),
    responses((status = 201, body = AttachmentOut), (status = 400, description = "No `file` part, or an empty file", body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 413, description = "`file_too_large`, `storage_quota_exceeded` or `payload_too_large`; nothing is stored", body = ErrorBody), (status = 429, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn upload(
    State(state): State<AppState>,
    member: Member,
    IdPath(task): IdPath,
    multipart: Result<Multipart, MultipartRejection>,
) -> ApiResult<(StatusCode, Json<AttachmentOut>)> {
    let (name, bytes) = file_part(multipart).await?;
    let created = attachments::upload(&state.app, &member, task, &name, bytes).await?;
    Ok((StatusCode::CREATED, Json(created.into())))
}

/// A task's attachments, newest first.
#[utoipa::path(get, path = "/api/v1/tasks/{id}/attachments", tag = tags::TASKS, params(("id" = Uuid, Path), PageParams), security(("bearer" = [])),
    responses((status = 200, body = Paginated<AttachmentOut>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    member: Member,
    IdPath(task): IdPath,
    page: PageQuery,
) -> ApiResult<Json<Paginated<AttachmentOut>>> {
    let (rows, count) = attachments::list(&state.app, &member, task, page.page).await?;
    Ok(Json(
        page.wrap(rows.into_iter().map(Into::into).collect(), count)?,
    ))
}

/// One attachment's metadata.
#[utoipa::path(get, path = "/api/v1/tasks/{id}/attachments/{attachment}", tag = tags::TASKS, params(("id" = Uuid, Path), ("attachment" = Uuid, Path)), security(("bearer" = [])),
    responses((status = 200, body = AttachmentOut), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    member: Member,
    IdPairPath(task, id): IdPairPath,
) -> ApiResult<Json<AttachmentOut>> {
    Ok(Json(
        attachments::get(&state.app, &member, task, id)
            .await?
            .into(),
    ))
}

/// Deletes an attachment (its uploader or an admin); the file leaves storage with it.
/// Audited as `attachment_removed`.
#[utoipa::path(delete, path = "/api/v1/tasks/{id}/attachments/{attachment}", tag = tags::TASKS, params(("id" = Uuid, Path), ("attachment" = Uuid, Path)), security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn delete(
    State(state): State<AppState>,
    member: Member,
    IdPairPath(task, id): IdPairPath,
) -> ApiResult<StatusCode> {
    attachments::delete(&state.app, &member, task, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Characters kept as they are in `filename*` (RFC 8187 `attr-char`).
const ATTR_CHAR: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'!')
    .remove(b'#')
    .remove(b'$')
    .remove(b'&')
    .remove(b'+')
    .remove(b'-')
    .remove(b'.')
    .remove(b'^')
    .remove(b'_')
    .remove(b'`')
    .remove(b'|')
    .remove(b'~');

/// `attachment; filename="<ASCII fallback>"; filename*=UTF-8''<percent-encoded>`.
fn content_disposition(name: &str) -> HeaderValue {
    let fallback: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded = utf8_percent_encode(name, ATTR_CHAR);
    HeaderValue::from_str(&format!(
        "attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("attachment"))
}

/// The file, always as a download (`Content-Disposition: attachment`), with the type sniffed
/// when it was uploaded — anything a browser could run is served as
/// `application/octet-stream` — `X-Content-Type-Options: nosniff` and a sandboxing CSP.
#[utoipa::path(get, path = "/api/v1/tasks/{id}/attachments/{attachment}/download", tag = tags::TASKS, params(("id" = Uuid, Path), ("attachment" = Uuid, Path)), security(("bearer" = [])),
    responses((status = 200, description = "The file's bytes", content_type = "application/octet-stream"), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn download(
    State(state): State<AppState>,
    member: Member,
    IdPairPath(task, id): IdPairPath,
) -> ApiResult<Response> {
    let (row, bytes) = attachments::download(&state.app, &member, task, id).await?;
    let content_type = HeaderValue::from_str(attachments::served_type(&row.content_type))
        .unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream"));
    let mut response = Body::from_stream(bytes).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, content_type);
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(row.size_bytes));
    headers.insert(
        header::CONTENT_DISPOSITION,
        content_disposition(&row.file_name),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; sandbox"),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-cache"),
    );
    if let Ok(etag) = HeaderValue::from_str(&format!("\"{}\"", row.sha256)) {
        headers.insert(header::ETAG, etag);
    }
    Ok(response)
}

/// What the organization's attachments take, its quota and the largest file accepted.
#[utoipa::path(get, path = "/api/v1/attachments/usage", tag = tags::TASKS, security(("bearer" = [])),
    responses((status = 200, body = StorageOut), (status = 401, body = ErrorBody)))]
pub async fn usage(State(state): State<AppState>, member: Member) -> ApiResult<Json<StorageOut>> {
    let s = attachments::storage(&state.app, &member).await?;
    Ok(Json(StorageOut {
        used_bytes: s.usage.used_bytes,
        quota_bytes: s.quota_bytes,
        file_count: s.usage.file_count,
        max_file_bytes: s.max_file_bytes,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_quoted_safely_in_the_disposition() {
        let v = content_disposition("rapport d'été \"final\".pdf");
        let s = v.to_str().unwrap();
        assert!(
            s.starts_with("attachment; filename=\"rapport d'_t_ _final_.pdf\""),
            "{s}"
        );
        assert!(
            s.ends_with("filename*=UTF-8''rapport%20d%27%C3%A9t%C3%A9%20%22final%22.pdf"),
            "{s}"
        );
    }
}
