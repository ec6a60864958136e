//! Profile pictures: `PUT`/`DELETE /users/me/avatar/` and `GET /users/{id}/avatar/`.

use axum::{
    extract::{Multipart, State, multipart::MultipartRejection},
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response},
};

use switchyard_app::avatars;

use crate::{
    auth::{Caller, Member},
    error::{ApiError, ApiResult, ErrorBody},
    extract::IdPath,
    routes::tags,
    state::AppState,
};

/// The body of an upload, for the OpenAPI document.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct AvatarUpload {
    /// A PNG, JPEG or WebP image of at most 2 MB.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

fn bad_upload(detail: &str) -> ApiError {
    ApiError::field("file", detail)
}

/// Sets the caller's picture from the multipart field `file` (PNG, JPEG or WebP, at most
/// 2 MB). It is re-encoded to a 256×256 PNG without metadata; anything that does not decode
/// as a picture is a 400 and nothing is stored.
#[utoipa::path(put, path = "/api/v1/users/me/avatar", tag = tags::USERS, security(("bearer" = [])),
    request_body(content = AvatarUpload, content_type = "multipart/form-data"),
    responses((status = 204), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 413, body = ErrorBody), (status = 429, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn put(
    State(state): State<AppState>,
    caller: Caller,
    multipart: Result<Multipart, MultipartRejection>,
) -> ApiResult<StatusCode> {
    let mut multipart = multipart
        .map_err(|_| bad_upload("Send the picture as multipart/form-data, field 'file'."))?;
    let mut upload = None;
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|_| bad_upload("The multipart body could not be read."))?
    {
        if field.name() == Some("file") {
            let bytes = field
                .bytes()
                .await
                .map_err(|_| bad_upload("The multipart body could not be read."))?;
            upload = Some(bytes.to_vec());
        }
    }
    let upload = upload.ok_or_else(|| bad_upload("Send the picture in the field 'file'."))?;
    avatars::set(&state.app, &caller, upload).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Removes the caller's picture (404 when there is none).
#[utoipa::path(delete, path = "/api/v1/users/me/avatar", tag = tags::USERS, security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete(State(state): State<AppState>, caller: Caller) -> ApiResult<StatusCode> {
    avatars::delete(&state.app, &caller).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A member's picture (PNG), for people of the same organization; cacheable privately and
/// revalidated by ETag.
#[utoipa::path(get, path = "/api/v1/users/{id}/avatar", tag = tags::USERS, params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses((status = 200, description = "The picture", content_type = "image/png"), (status = 304), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    member: Member,
    IdPath(id): IdPath,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let (bytes, etag) = avatars::get(&state.app, &member, id).await?;
    let etag = format!("\"{etag}\"");
    let cache = [
        (header::ETAG, etag.clone()),
        (header::CACHE_CONTROL, "private, max-age=3600".to_string()),
    ];
    if headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag))
    {
        return Ok((StatusCode::NOT_MODIFIED, cache).into_response());
    }
    Ok((
        cache,
        [(header::CONTENT_TYPE, "image/png".to_string())],
        bytes,
    )
        .into_response())
}
