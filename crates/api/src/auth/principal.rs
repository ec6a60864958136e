//! Extractors for the authenticated caller.
//!
//! [`Caller`] is any valid, non-revoked access token of an existing, active user.
//! [`Member`] additionally requires a membership in the organization the token acts in, and
//! carries the [`Tenant`] that store functions demand.

use axum::{
    extract::FromRequestParts,
    http::{header, request::Parts},
};
use chrono::{DateTime, Utc};
use switchyard_domain::{AccessLevel, access};
use switchyard_store::{Tenant, principal};
use uuid::Uuid;

use crate::{auth::jwt::TokenType, error::ApiError, state::AppState};

/// An authenticated user, with their membership when they have one.
#[derive(Debug, Clone)]
pub struct Caller {
    pub user_id: Uuid,
    pub username: String,
    /// Id and expiry of the access token used, so logout can revoke it.
    pub jti: Uuid,
    pub token_expires_at: DateTime<Utc>,
    pub member: Option<Member>,
}

/// A caller acting in an organization they belong to.
#[derive(Debug, Clone)]
pub struct Member {
    pub user_id: Uuid,
    pub username: String,
    pub tenant: Tenant,
    pub role: String,
    pub level: AccessLevel,
    /// The organization's roles, in order (position gives the level).
    pub org_roles: Vec<String>,
}

impl Member {
    /// Requires manager level or above.
    pub fn require_manager(&self) -> Result<(), ApiError> {
        if self.level.is_manager_or_above() {
            Ok(())
        } else {
            Err(ApiError::forbidden())
        }
    }

    /// Requires admin level.
    pub fn require_admin(&self) -> Result<(), ApiError> {
        if self.level == AccessLevel::Admin {
            Ok(())
        } else {
            Err(ApiError::forbidden())
        }
    }

    /// Requires a level that may write (every level but read-only).
    pub fn require_writer(&self) -> Result<(), ApiError> {
        if self.level.can_write() {
            Ok(())
        } else {
            Err(ApiError::forbidden())
        }
    }

    /// The organization's roles at manager or worker level: the people who take on work
    /// (routing candidates, team performance).
    pub fn work_roles(&self) -> Vec<String> {
        self.org_roles
            .iter()
            .filter(|r| {
                matches!(
                    self.level_of(r),
                    Some(AccessLevel::Manager | AccessLevel::Worker)
                )
            })
            .cloned()
            .collect()
    }

    /// The level of another role in this organization.
    pub fn level_of(&self, role: &str) -> Option<AccessLevel> {
        access::level_of(&self.org_roles, role)
    }
}

fn bearer(parts: &Parts) -> Result<&str, ApiError> {
    let value = parts
        .headers
        .get(header::AUTHORIZATION)
        .ok_or(ApiError::Unauthorized {
            code: "not_authenticated",
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
            .keys
            .verify(token, TokenType::Access)
            .ok_or_else(ApiError::bad_token)?;
        let record = principal::load(state.db.conn(), claims.sub, claims.org, claims.jti)
            .await?
            .ok_or_else(ApiError::bad_token)?;
        let member = record.membership.map(|m| Member {
            user_id: record.user_id,
            username: record.username.clone(),
            level: access::level_of(&m.org_roles, &m.role).unwrap_or(AccessLevel::ReadOnly),
            tenant: m.tenant,
            role: m.role,
            org_roles: m.org_roles,
        });
        let caller = Caller {
            user_id: record.user_id,
            username: record.username,
            jti: claims.jti,
            token_expires_at: claims.expires_at(),
            member,
        };
        parts.extensions.insert(caller.clone());
        Ok(caller)
    }
}

impl FromRequestParts<AppState> for Member {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let caller = Caller::from_request_parts(parts, state).await?;
        caller.member.ok_or_else(|| {
            ApiError::Forbidden(
                "You are not a member of any organization. Create one with POST /api/v1/setup/ or ask a manager to add you."
                    .into(),
            )
        })
    }
}
