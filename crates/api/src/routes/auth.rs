//! `/api/v1/auth/`: login, refresh, logout, register, and the dashboard's session cookie.

use axum::{
    Json,
    extract::State,
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response},
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use switchyard_app::{
    self,
    auth::{LoginOutcome, TokenPair},
};

use crate::{
    auth::{Caller, session_cookie},
    error::{ApiError, ApiResult, ErrorBody},
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
    #[schema(example = "nova_admin")]
    pub username: String,
    #[schema(example = "Servo-Torque-2026")]
    pub password: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct RefreshRequest {
    /// Required — unless the dashboard's session cookie stands in for it (send
    /// `X-Switchyard-Session: 1`; see `POST /auth/session/`).
    #[serde(default)]
    #[schema(example = "eyJhbGciOiJIUzI1NiJ9.example.signature")]
    pub refresh: Option<String>,
}

/// The refresh token of a request: the body's, or — when the request says so with
/// `X-Switchyard-Session: 1` — the session cookie's (`true`).
fn refresh_token(headers: &HeaderMap, body: Option<String>) -> ApiResult<(String, bool)> {
    if let Some(token) = body.filter(|t| !t.is_empty()) {
        return Ok((token, false));
    }
    if session_cookie::requested(headers) {
        return session_cookie::token(headers)
            .map(|t| (t, true))
            .ok_or_else(ApiError::bad_token);
    }
    Err(refresh_required())
}

/// The 400 for a request without a refresh token.
fn refresh_required() -> ApiError {
    ApiError::field("refresh", "This field is required.")
}

/// Whether cookies must say `Secure` (the dashboard is served over TLS).
fn secure_cookies(state: &AppState) -> bool {
    state.app.settings.public_url.starts_with("https://")
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MessageOut {
    pub message: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct RegisterRequest {
    #[schema(example = "dev_carla")]
    pub username: String,
    #[schema(example = "Encoder-Drift-314")]
    pub password: String,
    #[serde(default)]
    #[schema(example = "carla@nova-robotics.example")]
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

/// Rotates a refresh token: the one sent is dead afterwards. With the session cookie the
/// new refresh token goes into the cookie and `refresh` in the body is empty.
#[utoipa::path(post, path = "/api/v1/auth/refresh", tag = tags::AUTH, request_body = RefreshRequest,
    params(("X-Switchyard-Session" = Option<String>, Header, description = "`1` to use the session cookie instead of `refresh`")),
    responses((status = 200, body = TokensOut), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn refresh(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<RefreshRequest>,
) -> ApiResult<Response> {
    let (token, from_cookie) = refresh_token(&headers, req.refresh)?;
    let pair = switchyard_app::auth::refresh(&state.app, token).await?;
    if !from_cookie {
        return Ok(Json(TokensOut::from(pair)).into_response());
    }
    let cookie = session_cookie::set(
        &pair.refresh,
        state.app.settings.refresh_ttl.as_secs(),
        secure_cookies(&state),
    );
    let body = TokensOut {
        access: pair.access,
        refresh: String::new(),
    };
    Ok(([(header::SET_COOKIE, cookie)], Json(body)).into_response())
}

/// Keeps a refresh token in the dashboard's session cookie (`HttpOnly`, `SameSite=Strict`,
/// sent only to `/api/v1/auth/`), so pages opened in new tabs are signed in. Needs
/// `X-Switchyard-Session: 1`; `POST /auth/refresh/` and `/auth/logout/` then use the cookie
/// when their body has no `refresh`.
#[utoipa::path(post, path = "/api/v1/auth/session", tag = tags::AUTH, request_body = RefreshRequest,
    params(("X-Switchyard-Session" = String, Header, description = "Must be `1`")),
    responses((status = 204, description = "The cookie is set"), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn session(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<RefreshRequest>,
) -> ApiResult<Response> {
    if !session_cookie::requested(&headers) {
        return Err(ApiError::Forbidden(
            "The session cookie is set only with the header X-Switchyard-Session: 1.".into(),
        ));
    }
    let token = req
        .refresh
        .filter(|t| !t.is_empty())
        .ok_or_else(refresh_required)?;
    switchyard_app::auth::check_refresh(&state.app, &token).await?;
    let cookie = session_cookie::set(
        &token,
        state.app.settings.refresh_ttl.as_secs(),
        secure_cookies(&state),
    );
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, cookie)]).into_response())
}

/// Revokes the refresh token sent (or the session cookie's) and the access token used for
/// the call; with `X-Switchyard-Session: 1` the cookie is cleared.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = tags::AUTH, request_body = RefreshRequest,
    params(("X-Switchyard-Session" = Option<String>, Header, description = "`1` to use and clear the session cookie")),
    security(("bearer" = [])),
    responses((status = 200, body = MessageOut), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn logout(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    ApiJson(req): ApiJson<RefreshRequest>,
) -> ApiResult<Response> {
    let (token, _) = refresh_token(&headers, req.refresh)?;
    switchyard_app::auth::logout(&state.app, &caller, token).await?;
    let body = Json(MessageOut {
        message: "Logged out successfully".into(),
    });
    if session_cookie::requested(&headers) {
        let cookie = session_cookie::clear(secure_cookies(&state));
        return Ok(([(header::SET_COOKIE, cookie)], body).into_response());
    }
    Ok(body.into_response())
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
