//! A JSON body extractor: 415 without a JSON content type, 413 when too large, 400 otherwise.

use axum::{
    extract::{FromRequest, Request, rejection::JsonRejection},
    http::StatusCode,
};
use serde::de::DeserializeOwned;
use switchyard_app::ErrorCode;

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
        let (parts, body) = req.into_parts();
        let bytes =
            match axum::body::Bytes::from_request(Request::from_parts(parts.clone(), body), state)
                .await
            {
                Ok(b) => b,
                Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                    return Err(ApiError::PayloadTooLarge);
                }
                Err(e) => return Err(ApiError::bad_request(ErrorCode::Invalid, e.body_text())),
            };
        let is_json = parts
            .headers
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("json"));
        if is_json && has_escaped_nul(&bytes) {
            return Err(ApiError::bad_request(
                ErrorCode::Invalid,
                "Text may not contain NUL (\\u0000) characters.",
            ));
        }
        let req = Request::from_parts(parts, axum::body::Body::from(bytes));
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(ApiJson(v)),
            Err(rejection) => Err(map_rejection(rejection)),
        }
    }
}

/// Whether a JSON text contains the escape `\u0000` inside a string. PostgreSQL stores no
/// NUL in text or jsonb, so such input is refused up front on every backend alike. (Raw NUL
/// bytes are invalid JSON and fail parsing anyway.)
fn has_escaped_nul(json: &[u8]) -> bool {
    let mut i = 0;
    while i < json.len() {
        if json[i] == b'\\' {
            if json.get(i + 1) == Some(&b'u') && json.get(i + 2..i + 6) == Some(b"0000".as_slice())
            {
                return true;
            }
            i += 2;
        } else {
            i += 1;
        }
    }
    false
}

fn map_rejection(rejection: JsonRejection) -> ApiError {
    match rejection.status() {
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::PayloadTooLarge,
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ApiError::UnsupportedMediaType,
        _ => match rejection {
            JsonRejection::JsonDataError(e) => ApiError::bad_request(
                ErrorCode::Invalid,
                format!(
                    "Invalid request body: {}",
                    e.body_text().trim_start_matches(
                        "Failed to deserialize the JSON body into the target type: "
                    )
                ),
            ),
            JsonRejection::JsonSyntaxError(_) => {
                ApiError::bad_request(ErrorCode::ParseError, "Malformed JSON in the request body.")
            }
            other => ApiError::bad_request(ErrorCode::Invalid, other.body_text()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::has_escaped_nul;

    #[test]
    fn finds_escaped_nul_only() {
        assert!(has_escaped_nul(br#"{"a": "x\u0000y"}"#));
        assert!(
            !has_escaped_nul(br#"{"a": "x\\u0000y"}"#),
            "an escaped backslash, then text"
        );
        assert!(!has_escaped_nul(br#"{"a": "\u00e9"}"#));
    }
}
