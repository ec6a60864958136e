//! `/api/v1/auth/2fa/…` and `/auth/login/2fa/`: enrolling in, using and leaving two-factor
//! sign-in (TOTP).

use axum::{Json, extract::State};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use switchyard_app::two_factor;

use crate::{
    auth::Caller,
    error::{ApiResult, ErrorBody},
    extract::ApiJson,
    routes::{
        auth::{MessageOut, TokensOut},
        tags,
    },
    state::AppState,
};

/// What an authenticator app needs (shown once).
#[derive(Debug, Serialize, ToSchema)]
pub struct EnrolmentOut {
    /// The secret in base32, to type in by hand.
    #[schema(example = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")]
    pub secret: String,
    #[schema(
        example = "otpauth://totp/Switchyard:alice?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Switchyard"
    )]
    pub otpauth_url: String,
    /// The `otpauth://` URL as a QR code (an SVG document).
    pub qr_svg: String,
}

/// Starts enrolment (replacing an unconfirmed one); confirm with a first code.
#[utoipa::path(post, path = "/api/v1/auth/2fa/setup", tag = tags::AUTH, security(("bearer" = [])),
    responses((status = 200, body = EnrolmentOut), (status = 401, body = ErrorBody), (status = 409, description = "Already on", body = ErrorBody)))]
pub async fn setup(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<EnrolmentOut>> {
    let e = two_factor::setup(&state.app, &caller).await?;
    Ok(Json(EnrolmentOut {
        secret: e.secret,
        otpauth_url: e.otpauth_url,
        qr_svg: e.qr_svg,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CodeRequest {
    /// The six digits the authenticator app shows now.
    #[schema(example = "492039")]
    pub code: String,
}

/// The recovery codes, shown this once (each signs in once without the device), and a new
/// pair for this session: every other session of the account ended.
#[derive(Debug, Serialize, ToSchema)]
pub struct RecoveryCodesOut {
    #[schema(example = json!(["k7m2p-x9q4r", "…"]))]
    pub recovery_codes: Vec<String>,
    pub access: String,
    pub refresh: String,
}

/// Turns two-factor sign-in on with a first code; answers the ten recovery codes once and a
/// new token pair (every other session of the account ends).
#[utoipa::path(post, path = "/api/v1/auth/2fa/confirm", tag = tags::AUTH, request_body = CodeRequest, security(("bearer" = [])),
    responses((status = 200, body = RecoveryCodesOut), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn confirm(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(req): ApiJson<CodeRequest>,
) -> ApiResult<Json<RecoveryCodesOut>> {
    let (recovery_codes, pair) = two_factor::confirm(&state.app, &caller, &req.code).await?;
    Ok(Json(RecoveryCodesOut {
        recovery_codes,
        access: pair.access,
        refresh: pair.refresh,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct DisableRequest {
    #[schema(example = "Servo-Torque-2026")]
    pub password: String,
    /// A current code, or one of the recovery codes.
    #[schema(example = "492039")]
    pub code: String,
}

/// Turns two-factor sign-in off (password and a code).
#[utoipa::path(post, path = "/api/v1/auth/2fa/disable", tag = tags::AUTH, request_body = DisableRequest, security(("bearer" = [])),
    responses((status = 200, body = MessageOut), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn disable(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(req): ApiJson<DisableRequest>,
) -> ApiResult<Json<MessageOut>> {
    two_factor::disable(&state.app, &caller, req.password, &req.code).await?;
    Ok(Json(MessageOut {
        message: "Two-factor sign-in is off.".into(),
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct LoginTwoFactorRequest {
    /// The `mfa_token` the first step (`POST /auth/login/`) answered.
    #[schema(example = "eyJhbGciOiJIUzI1NiJ9.example.signature")]
    pub mfa_token: String,
    /// A current code …
    #[schema(example = "492039")]
    pub code: Option<String>,
    /// … or one of the recovery codes (each works once; used only when `code` is absent or
    /// blank).
    #[schema(example = "h4tz8-wn3ka")]
    pub recovery_code: Option<String>,
}

/// The second sign-in step. A code is accepted once; wrong codes count toward the account's
/// sign-in limit (429).
#[utoipa::path(post, path = "/api/v1/auth/login/2fa", tag = tags::AUTH, request_body = LoginTwoFactorRequest,
    responses((status = 200, body = TokensOut), (status = 400, description = "Wrong or reused code (`invalid_code`)", body = ErrorBody), (status = 401, description = "The mfa_token is invalid, expired or used", body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn login(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<LoginTwoFactorRequest>,
) -> ApiResult<Json<TokensOut>> {
    let pair = switchyard_app::auth::login_two_factor(
        &state.app,
        &req.mfa_token,
        req.code.as_deref(),
        req.recovery_code.as_deref(),
    )
    .await?;
    Ok(Json(pair.into()))
}
