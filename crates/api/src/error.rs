//! The one error type of the HTTP layer and its JSON body (`detail`, `code`, `errors`).

use std::collections::BTreeMap;
use switchyard_app::ErrorCode;

use axum::{
    Json,
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use serde::Serialize;
use switchyard_app::AppError;
use switchyard_store::StoreError;
use utoipa::ToSchema;

/// The JSON body of every error response.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// A human sentence.
    pub detail: String,
    /// A stable snake_case machine code from one complete list.
    #[schema(schema_with = error_code_schema)]
    pub code: String,
    /// Field validation errors, when the request had invalid fields.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<BTreeMap<String, Vec<String>>>,
    /// With 412 `precondition_failed`: the version the resource has now.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_version: Option<i64>,
}

/// The `code` schema: a string from the one list of codes.
fn error_code_schema() -> utoipa::openapi::Object {
    use utoipa::openapi::{ObjectBuilder, Type};
    let described: Vec<String> = ErrorCode::ALL
        .iter()
        .map(|c| format!("`{}` — {}", c.as_str(), c.description()))
        .collect();
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(ErrorCode::ALL.iter().map(|c| c.as_str())))
        .description(Some(format!(
            "A stable snake_case machine code:\n\n- {}",
            described.join("\n- ")
        )))
        .build()
}

/// An error answered to the client. Internal failures carry their cause for the log only.
#[derive(Debug)]
pub enum ApiError {
    /// 400: validation or business rule.
    BadRequest {
        code: ErrorCode,
        detail: String,
        errors: Option<BTreeMap<String, Vec<String>>>,
    },
    /// 401: missing or bad credentials.
    Unauthorized { code: ErrorCode, detail: String },
    /// 403: authenticated but not allowed.
    Forbidden(String),
    /// 404: missing, or another organization's.
    NotFound,
    /// 404 with a specific sentence (pagination).
    NotFoundDetail(String),
    /// 405.
    MethodNotAllowed,
    /// 409: conflict with the current state.
    Conflict { code: ErrorCode, detail: String },
    /// 412: `If-Match` named a version that is no longer current.
    PreconditionFailed { current_version: i64 },
    /// 408: the body did not arrive in time (the connection is closed).
    RequestTimeout,
    /// 413.
    PayloadTooLarge,
    /// 413 with its own code and sentence (a file or a quota).
    TooLarge { code: ErrorCode, detail: String },
    /// 414.
    UriTooLong,
    /// 431.
    HeadersTooLarge,
    /// 415.
    UnsupportedMediaType,
    /// 429 with seconds to wait.
    RateLimited { retry_after: u64 },
    /// 503: a dependency is down.
    Unavailable { detail: String, retry_after: u64 },
    /// 500: a bug or an outage; the cause is logged, never sent.
    Internal(String),
}

/// Result of a handler or service.
pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    /// A 400 with a code and sentence.
    pub fn bad_request(code: ErrorCode, detail: impl Into<String>) -> Self {
        ApiError::BadRequest {
            code,
            detail: detail.into(),
            errors: None,
        }
    }

    /// A 400 about one field.
    pub fn field(field: &str, detail: impl Into<String>) -> Self {
        let detail = detail.into();
        let mut errors = BTreeMap::new();
        errors.insert(field.to_string(), vec![detail.clone()]);
        ApiError::BadRequest {
            code: ErrorCode::Invalid,
            detail,
            errors: Some(errors),
        }
    }

    /// A 403 with the default sentence.
    pub fn forbidden() -> Self {
        ApiError::Forbidden("You do not have permission to perform this action.".into())
    }

    /// A 409 with a code and sentence.
    pub fn conflict(code: ErrorCode, detail: impl Into<String>) -> Self {
        ApiError::Conflict {
            code,
            detail: detail.into(),
        }
    }

    /// 401 for a token that fails verification.
    pub fn bad_token() -> Self {
        ApiError::Unauthorized {
            code: ErrorCode::TokenNotValid,
            detail: "Given token not valid for any token type".into(),
        }
    }

    fn parts(&self) -> (StatusCode, ErrorCode, String) {
        match self {
            ApiError::BadRequest { code, detail, .. } => {
                (StatusCode::BAD_REQUEST, *code, detail.clone())
            }
            ApiError::Unauthorized { code, detail } => {
                (StatusCode::UNAUTHORIZED, *code, detail.clone())
            }
            ApiError::Forbidden(d) => (
                StatusCode::FORBIDDEN,
                ErrorCode::PermissionDenied,
                d.clone(),
            ),
            ApiError::NotFound => (
                StatusCode::NOT_FOUND,
                ErrorCode::NotFound,
                "Not found.".into(),
            ),
            ApiError::NotFoundDetail(d) => (StatusCode::NOT_FOUND, ErrorCode::NotFound, d.clone()),
            ApiError::MethodNotAllowed => (
                StatusCode::METHOD_NOT_ALLOWED,
                ErrorCode::MethodNotAllowed,
                "Method not allowed.".into(),
            ),
            ApiError::Conflict { code, detail } => (StatusCode::CONFLICT, *code, detail.clone()),
            ApiError::PreconditionFailed { current_version } => (
                StatusCode::PRECONDITION_FAILED,
                ErrorCode::PreconditionFailed,
                format!(
                    "The resource has changed since you read it (current version {current_version}); reload it and retry."
                ),
            ),
            ApiError::RequestTimeout => (
                StatusCode::REQUEST_TIMEOUT,
                ErrorCode::RequestTimeout,
                "The request body did not arrive in time.".into(),
            ),
            ApiError::TooLarge { code, detail } => {
                (StatusCode::PAYLOAD_TOO_LARGE, *code, detail.clone())
            }
            ApiError::PayloadTooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                ErrorCode::PayloadTooLarge,
                "Request body is too large.".into(),
            ),
            ApiError::UriTooLong => (
                StatusCode::URI_TOO_LONG,
                ErrorCode::UriTooLong,
                format!(
                    "The URI is longer than {} bytes.",
                    crate::middleware::MAX_URI_BYTES
                ),
            ),
            ApiError::HeadersTooLarge => (
                StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
                ErrorCode::HeadersTooLarge,
                format!(
                    "The request headers are larger than {} bytes.",
                    crate::middleware::MAX_HEADER_BYTES
                ),
            ),
            ApiError::UnsupportedMediaType => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                ErrorCode::UnsupportedMediaType,
                "Unsupported media type: send a JSON body with Content-Type: application/json."
                    .into(),
            ),
            ApiError::RateLimited { retry_after } => (
                StatusCode::TOO_MANY_REQUESTS,
                ErrorCode::Throttled,
                format!("Request was throttled. Expected available in {retry_after} seconds."),
            ),
            ApiError::Unavailable { detail, .. } => (
                StatusCode::SERVICE_UNAVAILABLE,
                ErrorCode::Unavailable,
                detail.clone(),
            ),
            ApiError::Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                ErrorCode::InternalError,
                "Internal server error.".into(),
            ),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let ApiError::Internal(cause) = &self {
            tracing::error!(cause = %cause, "internal error");
        }
        let (status, code, detail) = self.parts();
        let errors = match &self {
            ApiError::BadRequest { errors, .. } => errors.clone(),
            _ => None,
        };
        let current_version = match &self {
            ApiError::PreconditionFailed { current_version } => Some(*current_version),
            _ => None,
        };
        let body = ErrorBody {
            detail,
            code: code.as_str().to_string(),
            errors,
            current_version,
        };
        let mut response = (status, Json(body)).into_response();
        if let ApiError::RateLimited { retry_after } | ApiError::Unavailable { retry_after, .. } =
            self
            && let Ok(v) = HeaderValue::from_str(&retry_after.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, v);
        }
        response
    }
}

impl From<AppError> for ApiError {
    fn from(err: AppError) -> Self {
        match err {
            AppError::BadRequest {
                code,
                detail,
                errors,
            } => ApiError::BadRequest {
                code,
                detail,
                errors,
            },
            AppError::Unauthorized { code, detail } => ApiError::Unauthorized { code, detail },
            AppError::Forbidden(d) => ApiError::Forbidden(d),
            AppError::NotFound => ApiError::NotFound,
            AppError::NotFoundDetail(d) => ApiError::NotFoundDetail(d),
            AppError::Conflict { code, detail } => ApiError::Conflict { code, detail },
            AppError::TooLarge { code, detail } => ApiError::TooLarge { code, detail },
            AppError::PreconditionFailed { current_version } => {
                ApiError::PreconditionFailed { current_version }
            }
            AppError::RateLimited { retry_after } => ApiError::RateLimited { retry_after },
            AppError::Unavailable {
                detail,
                retry_after,
            } => ApiError::Unavailable {
                detail,
                retry_after,
            },
            AppError::Internal(d) => ApiError::Internal(d),
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> Self {
        AppError::from(err).into()
    }
}

impl From<switchyard_domain::validate::Invalid> for ApiError {
    fn from(err: switchyard_domain::validate::Invalid) -> Self {
        AppError::from(err).into()
    }
}
