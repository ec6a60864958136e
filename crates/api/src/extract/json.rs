//! A JSON body extractor: 415 without a JSON content type, 413 when too large, 400 otherwise.

use axum::{
    extract::{FromRequest, Request, rejection::JsonRejection},
    http::StatusCode,
};
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// `axum::Json` with the API's error mapping.
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(ApiJson(v)),
            Err(rejection) => Err(map_rejection(rejection)),
        }
    }
}

fn map_rejection(rejection: JsonRejection) -> ApiError {
    match rejection.status() {
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::PayloadTooLarge,
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ApiError::UnsupportedMediaType,
        _ => match rejection {
            JsonRejection::JsonDataError(e) => ApiError::bad_request(
                "invalid",
                format!(
                    "Invalid request body: {}",
                    e.body_text().trim_start_matches(
                        "Failed to deserialize the JSON body into the target type: "
                    )
                ),
            ),
            JsonRejection::JsonSyntaxError(_) => {
                ApiError::bad_request("parse_error", "Malformed JSON in the request body.")
            }
            other => ApiError::bad_request("invalid", other.body_text()),
        },
    }
}
