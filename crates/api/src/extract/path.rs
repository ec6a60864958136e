//! A UUID path parameter: anything that is not a UUID is simply "not found".

use axum::{
    extract::{FromRequestParts, Path},
    http::request::Parts,
};
use uuid::Uuid;

use crate::error::ApiError;

/// The `{id}` of a route, parsed as a UUID.
pub struct IdPath(pub Uuid);

impl<S: Send + Sync> FromRequestParts<S> for IdPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Path::<Uuid>::from_request_parts(parts, state).await {
            Ok(Path(id)) => Ok(IdPath(id)),
            Err(_) => Err(ApiError::NotFound),
        }
    }
}

/// A route's two ids (`/tasks/{id}/dependencies/{blocked_by}`), parsed as UUIDs; anything
/// else is "not found".
pub struct IdPairPath(pub Uuid, pub Uuid);

impl<S: Send + Sync> FromRequestParts<S> for IdPairPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Path::<(Uuid, Uuid)>::from_request_parts(parts, state).await {
            Ok(Path((a, b))) => Ok(IdPairPath(a, b)),
            Err(_) => Err(ApiError::NotFound),
        }
    }
}
