//! Extractors for the authenticated caller.
//!
//! [`Caller`] is any valid, non-revoked access token of an existing, active user.
//! [`Member`] additionally requires a membership in the organization the token acts in, and
//! carries the tenant that store functions demand.

use std::ops::Deref;
use switchyard_app::ErrorCode;

use axum::{
    extract::FromRequestParts,
    http::{header, request::Parts},
};
use switchyard_app as app;
use switchyard_domain::{AccessLevel, access};
use switchyard_store::principal;

use crate::{auth::jwt::TokenType, error::ApiError, state::AppState};

/// The authenticated user (the application's [`app::Caller`]), as a handler argument.
#[derive(Debug, Clone)]
pub struct Caller(pub app::Caller);

/// The caller acting in an organization they belong to (the application's
/// [`app::Member`]), as a handler argument.
#[derive(Debug, Clone)]
pub struct Member(pub app::Member);

/// Marks a request whose caller may not act in their organization until they turn on the
/// two-factor sign-in it requires (their own account routes still work).
#[derive(Debug, Clone, Copy)]
struct TwoFactorMissing;

impl Deref for Caller {
    type Target = app::Caller;
    fn deref(&self) -> &app::Caller {
        &self.0
    }
}

impl Deref for Member {
    type Target = app::Member;
    fn deref(&self) -> &app::Member {
        &self.0
    }
}

fn bearer(parts: &Parts) -> Result<&str, ApiError> {
    let value = parts
        .headers
        .get(header::AUTHORIZATION)
        .ok_or(ApiError::Unauthorized {
            code: ErrorCode::NotAuthenticated,
            detail: "Authentication credentials were not provided.".into(),
        })?;
    let value = value.to_str().map_err(|_| ApiError::bad_token())?;
    let mut split = value.splitn(2, ' ');
    match (split.next(), split.next()) {
        (Some(scheme), Some(token))
            if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() =>
        {
            Ok(token.trim())
        }
        _ => Err(ApiError::bad_token()),
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if let Some(caller) = parts.extensions.get::<Caller>() {
            return Ok(caller.clone());
        }
        let token = bearer(parts)?;
        let claims = state
            .app
            .keys
            .verify(token, TokenType::Access)
            .ok_or_else(ApiError::bad_token)?;
        let record = principal::load(state.app.db.conn(), claims.subject())
            .await?
            .ok_or_else(ApiError::bad_token)?;
        if record
            .membership
            .as_ref()
            .is_some_and(|m| m.lacks_required_two_factor)
        {
            parts.extensions.insert(TwoFactorMissing);
        }
        let member = record.membership.map(|m| app::Member {
            user_id: record.user_id,
            username: record.username.clone(),
            level: access::level_of(&m.org_roles, &m.role).unwrap_or(AccessLevel::ReadOnly),
            tenant: m.tenant,
            role: m.role,
            org_roles: m.org_roles,
        });
        let caller = app::Caller {
            user_id: record.user_id,
            username: record.username,
            jti: claims.jti,
            token_expires_at: claims.expires_at(),
            second_factor: claims.mfa,
            member,
        };
        parts.extensions.insert(Caller(caller.clone()));
        Ok(Caller(caller))
    }
}

/// For routes open to anyone that do more for a signed-in caller: no `Authorization` header
/// is `None`; a header with a bad token is still refused.
impl axum::extract::OptionalFromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Option<Self>, Self::Rejection> {
        if !parts.headers.contains_key(header::AUTHORIZATION) {
            return Ok(None);
        }
        <Caller as FromRequestParts<AppState>>::from_request_parts(parts, state)
            .await
            .map(Some)
    }
}

impl FromRequestParts<AppState> for Member {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let caller = Caller::from_request_parts(parts, state).await?;
        if parts.extensions.get::<TwoFactorMissing>().is_some() {
            return Err(ApiError::Forbidden(
                "This organization requires two-factor sign-in. Turn it on in your profile (POST /api/v1/auth/2fa/setup/) to act here."
                    .into(),
            ));
        }
        caller.0.member.map(Member).ok_or_else(|| {
            ApiError::Forbidden(
                "You are not a member of any organization. Create one with POST /api/v1/setup/ or ask a manager to add you."
                    .into(),
            )
        })
    }
}
