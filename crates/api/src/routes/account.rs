//! `/api/v1/auth/…` for the caller's own account: the organizations they belong to and
//! switching between them, changing the password, and resetting a forgotten one.

use axum::{Json, extract::State};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use switchyard_store::memberships::MembershipRow;
use utoipa::ToSchema;
use uuid::Uuid;

use switchyard_app::{memberships, passwords};

use crate::{
    auth::Caller,
    error::{ApiResult, ErrorBody},
    extract::{ApiJson, PageQuery, Paginated, pagination::PageParams},
    routes::{auth::MessageOut, auth::TokensOut, tags},
    state::AppState,
};

/// One organization the caller belongs to.
#[derive(Debug, Serialize, ToSchema)]
pub struct MembershipOut {
    pub organization: Uuid,
    #[schema(example = "Acme")]
    pub name: String,
    #[schema(example = "acme")]
    pub slug: String,
    #[schema(example = "engineer")]
    pub role: String,
    pub max_concurrent_tasks: i32,
    /// False when an admin deactivated the caller there (switching to it is refused).
    pub is_active: bool,
    /// Whether the token used for this call acts in this organization.
    pub current: bool,
    pub joined_at: DateTime<Utc>,
}

/// The caller's memberships, oldest first (login lands in the first active one).
#[utoipa::path(get, path = "/api/v1/auth/organizations", tag = tags::AUTH, params(PageParams), security(("bearer" = [])),
    responses((status = 200, body = Paginated<MembershipOut>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn organizations(
    State(state): State<AppState>,
    caller: Caller,
    page: PageQuery,
) -> ApiResult<Json<Paginated<MembershipOut>>> {
    let current = caller.member.as_ref().map(|m| m.tenant.id());
    let (rows, count) = memberships::mine(&state.app, &caller, page.page).await?;
    let out = rows
        .into_iter()
        .map(|m: MembershipRow| MembershipOut {
            current: Some(m.organization_id) == current,
            organization: m.organization_id,
            name: m.name,
            slug: m.slug,
            role: m.role,
            max_concurrent_tasks: m.max_concurrent_tasks,
            is_active: m.deactivated_at.is_none(),
            joined_at: m.created_at,
        })
        .collect();
    Ok(Json(page.wrap(out, count)?))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct SwitchRequest {
    /// The id of an organization the caller is an active member of.
    #[schema(example = "5d8e2b1a-7c4f-4a9e-b3d6-0f1e2a3b4c5d")]
    pub organization: Uuid,
}

/// A new token pair acting in another organization of the caller's (404 for any other).
#[utoipa::path(post, path = "/api/v1/auth/switch-organization", tag = tags::AUTH, request_body = SwitchRequest, security(("bearer" = [])),
    responses((status = 200, body = TokensOut), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn switch_organization(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(req): ApiJson<SwitchRequest>,
) -> ApiResult<Json<TokensOut>> {
    Ok(Json(
        memberships::switch(&state.app, &caller, req.organization)
            .await?
            .into(),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ChangePasswordRequest {
    #[schema(example = "Servo-Torque-2026")]
    pub current_password: String,
    #[schema(min_length = 8, max_length = 128, example = "Harmonic-Drive-2027")]
    pub new_password: String,
}

/// The new pair for the session that changed the password; every other session ended.
#[derive(Debug, Serialize, ToSchema)]
pub struct PasswordChangedOut {
    #[schema(example = "Password changed. Every other session was signed out.")]
    pub message: String,
    pub access: String,
    pub refresh: String,
}

/// Changes the caller's password. Every token of the account issued before stops working;
/// the response carries a new pair for this session.
#[utoipa::path(post, path = "/api/v1/auth/change-password", tag = tags::AUTH, request_body = ChangePasswordRequest, security(("bearer" = [])),
    responses((status = 200, body = PasswordChangedOut), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn change_password(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(req): ApiJson<ChangePasswordRequest>,
) -> ApiResult<Json<PasswordChangedOut>> {
    let pair =
        passwords::change(&state.app, &caller, req.current_password, req.new_password).await?;
    Ok(Json(PasswordChangedOut {
        message: "Password changed. Every other session was signed out.".into(),
        access: pair.access,
        refresh: pair.refresh,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ResetRequest {
    #[schema(example = "admin@nova-robotics.example")]
    pub email: String,
}

/// Emails a single-use link (valid one hour) to the accounts with this address. The answer
/// is the same whether or not one exists.
#[utoipa::path(post, path = "/api/v1/auth/password-reset", tag = tags::AUTH, request_body = ResetRequest,
    responses((status = 200, body = MessageOut, example = json!({"message": passwords::RESET_REQUESTED})), (status = 400, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn password_reset(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<ResetRequest>,
) -> ApiResult<Json<MessageOut>> {
    passwords::request_reset(&state.app, req.email).await?;
    Ok(Json(MessageOut {
        message: passwords::RESET_REQUESTED.into(),
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ResetConfirmRequest {
    /// The token from the emailed link.
    #[schema(example = "GBi5SanSk4DMUAgPsLnRgZMHZeO1H8yp2COaSojAAQU")]
    pub token: String,
    #[schema(min_length = 8, max_length = 128, example = "Harmonic-Drive-2027")]
    pub new_password: String,
}

/// Sets a new password with the emailed token; every session of the account ends.
#[utoipa::path(post, path = "/api/v1/auth/password-reset/confirm", tag = tags::AUTH, request_body = ResetConfirmRequest,
    responses((status = 200, body = MessageOut), (status = 400, description = "Invalid, used or expired token (`invalid_token`), or a password the policy refuses", body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn password_reset_confirm(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<ResetConfirmRequest>,
) -> ApiResult<Json<MessageOut>> {
    passwords::confirm_reset(&state.app, req.token, req.new_password).await?;
    Ok(Json(MessageOut {
        message: "Password reset. Sign in with the new password.".into(),
    }))
}
