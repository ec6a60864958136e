//! Login, refresh with rotation, logout, registration; token signing and password hashing.

use chrono::Utc;
use switchyard_store::{ConnectionTrait, tokens, users};
use uuid::Uuid;

use crate::ErrorCode;
use crate::{App, AppError, AppResult, Caller, UnitOfWork};

pub mod jwt;
pub mod password;

use jwt::{Claims, Subject, TokenType};

/// A freshly issued access/refresh pair.
#[derive(Debug, Clone)]
pub struct TokenPair {
    pub access: String,
    pub refresh: String,
}

/// Issues a pair for `user` acting in `org` (under the account's current session epoch) and
/// records the refresh token.
pub async fn issue_pair<C: ConnectionTrait>(
    state: &App,
    c: &C,
    user: Uuid,
    org: Option<Uuid>,
) -> AppResult<TokenPair> {
    let epoch = users::session_epoch(c, user).await?;
    let who = Subject {
        user,
        org,
        epoch,
        mfa: false,
    };
    issue_pair_at(state, c, who).await
}

/// Issues a pair for `user` acting in `org` that keeps the caller's second-factor standing
/// (switching organizations, a new pair after a password change).
pub async fn issue_pair_as<C: ConnectionTrait>(
    state: &App,
    c: &C,
    caller: &crate::Caller,
    org: Option<Uuid>,
) -> AppResult<TokenPair> {
    let epoch = users::session_epoch(c, caller.user_id).await?;
    let who = Subject {
        user: caller.user_id,
        org,
        epoch,
        mfa: caller.second_factor,
    };
    issue_pair_at(state, c, who).await
}

/// Issues a pair under a given session epoch (the one read with the password that was
/// checked, so a password changed in between voids the pair at once).
pub(crate) async fn issue_pair_at<C: ConnectionTrait>(
    state: &App,
    c: &C,
    who: Subject,
) -> AppResult<TokenPair> {
    let user = who.user;
    let org = who.org;
    let (access, _) = state
        .keys
        .issue(TokenType::Access, who, state.settings.access_ttl);
    let (refresh, claims) = state
        .keys
        .issue(TokenType::Refresh, who, state.settings.refresh_ttl);
    tokens::record_issued(c, claims.jti, user, org, claims.expires_at()).await?;
    Ok(TokenPair { access, refresh })
}

fn invalid_credentials() -> AppError {
    AppError::Unauthorized {
        code: ErrorCode::NoActiveAccount,
        detail: "No active account found with the given credentials".into(),
    }
}

/// What a correct password leads to.
#[derive(Debug, Clone)]
pub enum LoginOutcome {
    /// Signed in.
    Tokens(TokenPair),
    /// The account has two-factor sign-in: the second step takes this short-lived token and
    /// a code (`POST /auth/login/2fa/`).
    TwoFactorRequired { mfa_token: String },
}

/// How long the second sign-in step may take.
const MFA_TTL: std::time::Duration = std::time::Duration::from_secs(300);

/// Refuses (429) an account with too many recent failed sign-in attempts; returns the start
/// of the window counted.
async fn check_failure_limit(state: &App, username: &str) -> AppResult<chrono::DateTime<Utc>> {
    let cfg = &state.settings;
    let window = chrono::Duration::from_std(cfg.login_failure_window)
        .unwrap_or(chrono::Duration::minutes(15));
    let since = switchyard_store::now() - window;
    let (failures, oldest) = tokens::login_failures_since(state.db.conn(), username, since).await?;
    if failures >= cfg.login_failures_per_account {
        let retry = oldest
            .map(|t| (t + window - Utc::now()).num_seconds().max(1) as u64)
            .unwrap_or(60);
        return Err(AppError::RateLimited { retry_after: retry });
    }
    Ok(since)
}

/// Counts a failed attempt (a wrong password or a wrong second-factor code).
async fn record_failure(state: &App, username: &str) -> AppResult<()> {
    let uow = UnitOfWork::begin(state).await?;
    tokens::record_login_failure(uow.tx(), username).await?;
    uow.commit().await?;
    Ok(())
}

/// Checks credentials, with the per-account failure limit. An account with two-factor
/// sign-in gets a token for the second step instead of the pair.
pub async fn login(
    state: &App,
    username: String,
    password_text: String,
) -> AppResult<LoginOutcome> {
    let since = check_failure_limit(state, &username).await?;
    let creds = users::credentials(state.db.conn(), &username).await?;
    let ok = password::verify(
        password_text,
        creds.as_ref().map(|c| c.password_hash.clone()),
    )
    .await;
    let may_sign_in = match &creds {
        Some(c) if ok && c.is_active => {
            switchyard_store::memberships::may_sign_in(state.db.conn(), c.id).await?
        }
        _ => false,
    };
    let creds = match creds {
        Some(c) if may_sign_in => c,
        _ => {
            record_failure(state, &username).await?;
            return Err(invalid_credentials());
        }
    };
    if crate::two_factor::is_enabled(state, creds.id).await? {
        let org = users::default_organization(state.db.conn(), creds.id).await?;
        let who = Subject {
            user: creds.id,
            org,
            epoch: creds.session_epoch,
            mfa: false,
        };
        let (mfa_token, _) = state.keys.issue(TokenType::Mfa, who, MFA_TTL);
        return Ok(LoginOutcome::TwoFactorRequired { mfa_token });
    }
    let uow = UnitOfWork::begin(state).await?;
    tokens::clear_login_failures(uow.tx(), &username, since).await?;
    let org = users::default_organization(uow.tx(), creds.id).await?;
    let who = Subject {
        user: creds.id,
        org,
        epoch: creds.session_epoch,
        mfa: false,
    };
    let pair = issue_pair_at(state, uow.tx(), who).await?;
    uow.commit().await?;
    Ok(LoginOutcome::Tokens(pair))
}

/// The second sign-in step: the token from the first and a current code or a recovery code.
/// A wrong code counts toward the account's failure limit; the token works once.
pub async fn login_two_factor(
    state: &App,
    mfa_token: &str,
    code: Option<&str>,
    recovery_code: Option<&str>,
) -> AppResult<TokenPair> {
    let claims = state
        .keys
        .verify(mfa_token, TokenType::Mfa)
        .ok_or_else(refresh_invalid)?;
    if tokens::is_revoked(state.db.conn(), claims.jti).await? {
        return Err(refresh_invalid());
    }
    let record = switchyard_store::principal::load(state.db.conn(), claims.subject())
        .await?
        .ok_or_else(refresh_invalid)?;
    let since = check_failure_limit(state, &record.username).await?;
    let uow = UnitOfWork::begin(state).await?;
    let passed = crate::two_factor::verify_for_login(
        state,
        &uow,
        claims.sub,
        &record.username,
        code,
        recovery_code,
    )
    .await?;
    if !passed {
        drop(uow);
        record_failure(state, &record.username).await?;
        return Err(AppError::field_coded(
            ErrorCode::InvalidCode,
            "code",
            "The code is not valid or was already used. Check your device's clock and try again.",
        ));
    }
    if !tokens::revoke(uow.tx(), claims.jti, claims.expires_at()).await? {
        return Err(refresh_invalid());
    }
    tokens::clear_login_failures(uow.tx(), &record.username, since).await?;
    // As refresh does: a membership that ended (or was deactivated) does not carry over.
    let org = match record.membership {
        Some(m) => Some(m.tenant.id()),
        None => users::default_organization(uow.tx(), claims.sub).await?,
    };
    let who = Subject {
        user: claims.sub,
        org,
        epoch: claims.epoch,
        mfa: true,
    };
    let pair = issue_pair_at(state, uow.tx(), who).await?;
    uow.commit().await?;
    Ok(pair)
}

fn refresh_invalid() -> AppError {
    AppError::Unauthorized {
        code: ErrorCode::TokenNotValid,
        detail: "Token is invalid or expired".into(),
    }
}

fn refresh_blacklisted() -> AppError {
    AppError::Unauthorized {
        code: ErrorCode::TokenNotValid,
        detail: "Token is blacklisted".into(),
    }
}

/// Verifies a refresh token and that it is still on record.
async fn verified_refresh(state: &App, token: &str) -> AppResult<Claims> {
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

/// Checks a refresh token a browser asks to keep in its session cookie: valid, issued, not
/// revoked.
pub async fn check_refresh(state: &App, token: &str) -> AppResult<()> {
    verified_refresh(state, token).await.map(|_| ())
}

/// Rotates a refresh token: the old one is dead at once, even against a concurrent refresh.
pub async fn refresh(state: &App, token: String) -> AppResult<TokenPair> {
    let claims = verified_refresh(state, &token).await?;
    let uow = UnitOfWork::begin(state).await?;
    let record = switchyard_store::principal::load(uow.tx(), claims.subject()).await?;
    let Some(record) = record else {
        return Err(refresh_invalid());
    };
    if !tokens::revoke(uow.tx(), claims.jti, claims.expires_at()).await? {
        return Err(refresh_blacklisted());
    }
    // A membership that ended no longer carries over into the new tokens.
    let org = match record.membership {
        Some(m) => Some(m.tenant.id()),
        None => users::default_organization(uow.tx(), claims.sub).await?,
    };
    let who = Subject {
        user: claims.sub,
        org,
        epoch: claims.epoch,
        mfa: claims.mfa,
    };
    let pair = issue_pair_at(state, uow.tx(), who).await?;
    uow.commit().await?;
    Ok(pair)
}

/// Revokes the caller's refresh token and the access token used for the call.
pub async fn logout(state: &App, caller: &Caller, refresh_token: String) -> AppResult<()> {
    let claims = state
        .keys
        .verify(&refresh_token, TokenType::Refresh)
        .filter(|c| c.sub == caller.user_id)
        .ok_or_else(|| {
            AppError::bad_request(ErrorCode::TokenNotValid, "Token is invalid or expired")
        })?;
    let uow = UnitOfWork::begin(state).await?;
    tokens::revoke(uow.tx(), claims.jti, claims.expires_at()).await?;
    tokens::revoke(uow.tx(), caller.jti, caller.token_expires_at).await?;
    uow.commit().await?;
    Ok(())
}

/// Registers an account that belongs to no organization.
pub async fn register(
    state: &App,
    username: String,
    password_text: String,
    email: String,
) -> AppResult<(users::UserRow, TokenPair)> {
    if !state.settings.allow_registration {
        return Err(AppError::Forbidden(
            "Registration is disabled on this server.".into(),
        ));
    }
    crate::users::check_username(&username)?;
    crate::users::check_email(&email)?;
    if let Err(e) = switchyard_domain::password::check(&password_text, &username) {
        return Err(AppError::field("password", e.to_string()));
    }
    let hash = password::hash(password_text).await?;
    let uow = UnitOfWork::begin(state).await?;
    if users::username_exists(uow.tx(), &username).await? {
        return Err(AppError::username_taken("username"));
    }
    let id = users::create(
        uow.tx(),
        users::NewUser {
            username,
            email,
            password_hash: hash,
            skills: Vec::new(),
            is_superuser: false,
        },
    )
    .await?;
    let pair = issue_pair(state, uow.tx(), id, None).await?;
    let user = users::get_unaffiliated(uow.tx(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    uow.commit().await?;
    Ok((user, pair))
}
