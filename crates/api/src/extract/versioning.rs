//! Optimistic concurrency at the HTTP edge: the `If-Match` precondition a client sends, and
//! the `ETag` a versioned resource answers with.
//!
//! A resource's ETag is its `version` in quotes (`"7"`). `If-Match` accepts that ETag, its
//! weak form `W/"7"`, or the bare number; `*` (any version) is the same as no header.

use axum::{
    Json,
    extract::FromRequestParts,
    http::{HeaderValue, header, request::Parts},
    response::{IntoResponse, Response},
};
use serde::Serialize;
use switchyard_app::ErrorCode;

use crate::error::ApiError;

/// The version named by `If-Match`, if the client sent one.
#[derive(Debug, Clone, Copy, Default)]
pub struct IfMatch(pub Option<i64>);

/// Parses one `If-Match` value.
fn parse(value: &str) -> Option<Option<i64>> {
    let v = value.trim();
    if v == "*" {
        return Some(None);
    }
    let v = v.strip_prefix("W/").unwrap_or(v);
    let v = v
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .unwrap_or(v);
    v.parse::<i64>().ok().filter(|n| *n > 0).map(Some)
}

impl<S: Send + Sync> FromRequestParts<S> for IfMatch {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let Some(raw) = parts.headers.get(header::IF_MATCH) else {
            return Ok(IfMatch(None));
        };
        raw.to_str()
            .ok()
            .and_then(parse)
            .map(IfMatch)
            .ok_or_else(|| {
                ApiError::bad_request(
                    ErrorCode::InvalidIfMatch,
                    "If-Match must name one version: \"7\", W/\"7\" or 7.",
                )
            })
    }
}

/// A representation that carries its resource's version.
pub trait Versioned {
    fn version(&self) -> i64;
}

/// A JSON body answered with the resource's `ETag`.
pub struct Tagged<T>(pub i64, pub T);

impl<T: Versioned> Tagged<T> {
    /// Tags a representation with its own version.
    pub fn of(body: T) -> Self {
        Tagged(body.version(), body)
    }
}

impl<T: Serialize> IntoResponse for Tagged<T> {
    fn into_response(self) -> Response {
        let mut response = Json(self.1).into_response();
        if let Ok(v) = HeaderValue::from_str(&format!("\"{}\"", self.0)) {
            response.headers_mut().insert(header::ETAG, v);
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn accepts_the_etag_its_weak_form_and_the_number() {
        assert_eq!(parse("\"7\""), Some(Some(7)));
        assert_eq!(parse("W/\"7\""), Some(Some(7)));
        assert_eq!(parse(" 7 "), Some(Some(7)));
        assert_eq!(parse("*"), Some(None));
        assert_eq!(parse("\"x\""), None);
        assert_eq!(parse("0"), None);
        assert_eq!(parse("\"7\", \"8\""), None);
    }
}
