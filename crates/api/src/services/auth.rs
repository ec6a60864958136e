//! Login, refresh with rotation, logout, registration.

use chrono::Utc;
use switchyard_store::{ConnectionTrait, commit, tokens, users};
use uuid::Uuid;

use crate::{
    auth::{
        Caller,
        jwt::{Claims, TokenType},
        password,
    },
    error::{ApiError, ApiResult},
    state::AppState,
};

/// A freshly issued access/refresh pair.
#[derive(Debug, Clone)]
pub struct TokenPair {
    pub access: String,
    pub refresh: String,
}

/// Issues a pair for `user` acting in `org` and records the refresh token.
pub async fn issue_pair<C: ConnectionTrait>(
    state: &AppState,
    c: &C,
    user: Uuid,
    org: Option<Uuid>,
) -> ApiResult<TokenPair> {
    let (access, _) = state
        .keys
        .issue(TokenType::Access, user, org, state.config.access_ttl);
    let (refresh, claims) =
        state
            .keys
            .issue(TokenType::Refresh, user, org, state.config.refresh_ttl);
    tokens::record_issued(c, claims.jti, user, org, claims.expires_at()).await?;
    Ok(TokenPair { access, refresh })
}

fn invalid_credentials() -> ApiError {
    ApiError::Unauthorized {
        code: "no_active_account",
        detail: "No active account found with the given credentials".into(),
    }
}

/// Checks credentials, with the per-account failure limit.
pub async fn login(
    state: &AppState,
    username: String,
    password_text: String,
) -> ApiResult<TokenPair> {
    let cfg = &state.config;
    let window = chrono::Duration::from_std(cfg.login_failure_window)
        .unwrap_or(chrono::Duration::minutes(15));
    let since = switchyard_store::now() - window;
    let (failures, oldest) =
        tokens::login_failures_since(state.db.conn(), &username, since).await?;
    if failures >= cfg.login_failures_per_account {
        let retry = oldest
            .map(|t| (t + window - Utc::now()).num_seconds().max(1) as u64)
            .unwrap_or(60);
        return Err(ApiError::RateLimited { retry_after: retry });
    }
    let creds = users::credentials(state.db.conn(), &username).await?;
    let ok = password::verify(
        password_text,
        creds.as_ref().map(|c| c.password_hash.clone()),
    )
    .await;
    let creds = match creds {
        Some(c) if ok && c.is_active => c,
        _ => {
            let tx = state.db.begin_write().await?;
            tokens::record_login_failure(&tx, &username).await?;
            commit(tx).await?;
            return Err(invalid_credentials());
        }
    };
    let tx = state.db.begin_write().await?;
    tokens::clear_login_failures(&tx, &username, since).await?;
    let org = users::default_organization(&tx, creds.id).await?;
    let pair = issue_pair(state, &tx, creds.id, org).await?;
    commit(tx).await?;
    Ok(pair)
}

fn refresh_invalid() -> ApiError {
    ApiError::Unauthorized {
        code: "token_not_valid",
        detail: "Token is invalid or expired".into(),
    }
}

fn refresh_blacklisted() -> ApiError {
    ApiError::Unauthorized {
        code: "token_not_valid",
        detail: "Token is blacklisted".into(),
    }
}

/// Verifies a refresh token and that it is still on record.
async fn verified_refresh(state: &AppState, token: &str) -> ApiResult<Claims> {
    let claims = state
        .keys
        .verify(token, TokenType::Refresh)
        .ok_or_else(refresh_invalid)?;
    if tokens::is_revoked(state.db.conn(), claims.jti).await? {
        return Err(refresh_blacklisted());
    }
    if !tokens::is_issued(state.db.conn(), claims.jti, claims.sub).await? {
        return Err(refresh_invalid());
    }
    Ok(claims)
}

/// Rotates a refresh token: the old one is dead at once, even against a concurrent refresh.
pub async fn refresh(state: &AppState, token: String) -> ApiResult<TokenPair> {
    let claims = verified_refresh(state, &token).await?;
    let tx = state.db.begin_write().await?;
    let record =
        switchyard_store::principal::load(&tx, claims.sub, claims.org, Uuid::nil()).await?;
    let Some(record) = record else {
        return Err(refresh_invalid());
    };
    if !tokens::revoke(&tx, claims.jti, claims.expires_at()).await? {
        return Err(refresh_blacklisted());
    }
    // A membership that ended no longer carries over into the new tokens.
    let org = match record.membership {
        Some(m) => Some(m.tenant.id()),
        None => users::default_organization(&tx, claims.sub).await?,
    };
    let pair = issue_pair(state, &tx, claims.sub, org).await?;
    commit(tx).await?;
    Ok(pair)
}

/// Revokes the caller's refresh token and the access token used for the call.
pub async fn logout(state: &AppState, caller: &Caller, refresh_token: String) -> ApiResult<()> {
    let claims = state
        .keys
        .verify(&refresh_token, TokenType::Refresh)
        .filter(|c| c.sub == caller.user_id)
        .ok_or_else(|| ApiError::bad_request("token_not_valid", "Token is invalid or expired"))?;
    let tx = state.db.begin_write().await?;
    tokens::revoke(&tx, claims.jti, claims.expires_at()).await?;
    tokens::revoke(&tx, caller.jti, caller.token_expires_at).await?;
    commit(tx).await?;
    Ok(())
}

/// Registers an account that belongs to no organization.
pub async fn register(
    state: &AppState,
    username: String,
    password_text: String,
    email: String,
) -> ApiResult<(Uuid, TokenPair)> {
    if !state.config.allow_registration {
        return Err(ApiError::Forbidden(
            "Registration is disabled on this server.".into(),
        ));
    }
    crate::services::users::check_username(&username)?;
    crate::services::users::check_email(&email)?;
    if let Err(e) = switchyard_domain::password::check(&password_text, &username) {
        return Err(ApiError::field("password", e.to_string()));
    }
    let hash = password::hash(password_text).await?;
    let tx = state.db.begin_write().await?;
    if users::username_exists(&tx, &username).await? {
        return Err(ApiError::field(
            "username",
            "A user with that username already exists.",
        ));
    }
    let id = users::create(
        &tx,
        users::NewUser {
            username,
            email,
            password_hash: hash,
            skills: Vec::new(),
            is_superuser: false,
        },
    )
    .await?;
    let pair = issue_pair(state, &tx, id, None).await?;
    commit(tx).await?;
    Ok((id, pair))
}
