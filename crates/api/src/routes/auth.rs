//! `/api/v1/auth/`: login, refresh, logout, register.

use axum::{Json, extract::State, http::StatusCode};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use switchyard_app::{
    self,
    auth::{LoginOutcome, TokenPair},
};

use crate::{
    auth::Caller,
    error::{ApiResult, ErrorBody},
    extract::ApiJson,
    routes::{tags, users::UserOut},
    state::AppState,
};

/// An access token (short-lived) and a refresh token (rotated on use).
#[derive(Debug, Serialize, ToSchema)]
pub struct TokensOut {
    pub access: String,
    pub refresh: String,
}

impl From<TokenPair> for TokensOut {
    fn from(p: TokenPair) -> Self {
        TokensOut {
            access: p.access,
            refresh: p.refresh,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct RefreshRequest {
    pub refresh: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MessageOut {
    pub message: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct RegisterRequest {
    pub username: String,
    pub password: String,
    #[serde(default)]
    pub email: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RegisterResponse {
    pub message: String,
    pub user: UserOut,
    pub tokens: TokensOut,
}

/// The second sign-in step is needed: send `mfa_token` with a code to `/auth/login/2fa/`.
#[derive(Debug, Serialize, ToSchema)]
pub struct TwoFactorRequiredOut {
    #[schema(example = true)]
    pub mfa_required: bool,
    /// Valid for five minutes, once, and only for `POST /auth/login/2fa/`.
    pub mfa_token: String,
}

/// Tokens, or — for an account with two-factor sign-in — the token for the second step.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum LoginOut {
    Tokens(TokensOut),
    TwoFactorRequired(TwoFactorRequiredOut),
}

/// Exchanges credentials for tokens (or, with two-factor sign-in on, for `{"mfa_required":
/// true, "mfa_token": …}`). Repeated failures for one account answer 429.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = tags::AUTH, request_body = LoginRequest,
    responses((status = 200, body = LoginOut), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn login(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<LoginRequest>,
) -> ApiResult<Json<LoginOut>> {
    let out = match switchyard_app::auth::login(&state.app, req.username, req.password).await? {
        LoginOutcome::Tokens(pair) => LoginOut::Tokens(pair.into()),
        LoginOutcome::TwoFactorRequired { mfa_token } => {
            LoginOut::TwoFactorRequired(TwoFactorRequiredOut {
                mfa_required: true,
                mfa_token,
            })
        }
    };
    Ok(Json(out))
}

/// Rotates a refresh token: the one sent is dead afterwards.
#[utoipa::path(post, path = "/api/v1/auth/refresh", tag = tags::AUTH, request_body = RefreshRequest,
    responses((status = 200, body = TokensOut), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn refresh(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<RefreshRequest>,
) -> ApiResult<Json<TokensOut>> {
    Ok(Json(
        switchyard_app::auth::refresh(&state.app, req.refresh)
            .await?
            .into(),
    ))
}

/// Revokes the refresh token sent and the access token used for the call.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = tags::AUTH, request_body = RefreshRequest,
    security(("bearer" = [])),
    responses((status = 200, body = MessageOut), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn logout(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(req): ApiJson<RefreshRequest>,
) -> ApiResult<Json<MessageOut>> {
    switchyard_app::auth::logout(&state.app, &caller, req.refresh).await?;
    Ok(Json(MessageOut {
        message: "Logged out successfully".into(),
    }))
}

/// Creates an account that belongs to no organization; `organization` and `role` in the
/// body are ignored.
#[utoipa::path(post, path = "/api/v1/auth/register", tag = tags::AUTH, request_body = RegisterRequest,
    responses((status = 201, body = RegisterResponse), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn register(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<RegisterRequest>,
) -> ApiResult<(StatusCode, Json<RegisterResponse>)> {
    let (user, tokens) =
        switchyard_app::auth::register(&state.app, req.username, req.password, req.email).await?;
    Ok((
        StatusCode::CREATED,
        Json(RegisterResponse {
            message: "User registered successfully".into(),
            user: user.into(),
            tokens: tokens.into(),
        }),
    ))
}
