//! Changing a password, and resetting a forgotten one through a single-use emailed link.
//!
//! Both end every session of the account (its session epoch moves on, so every access and
//! refresh token issued before stops working at once); a change hands the caller a new pair
//! for the session they are in.

use std::time::Duration;

use switchyard_domain::password::check as check_policy;
use switchyard_store::{account_tokens, tokens, users};

use serde_json::json;
use switchyard_store::jobs::NewJob;

use crate::{
    App, AppError, AppResult, Caller, ErrorCode, UnitOfWork,
    auth::{self, TokenPair, password},
    jobs::{Handlers, JobFailure, JobResult},
    mail::{self, AccountEmail},
    one_time::{self, OneTimeToken},
    throttle,
};

/// How long a reset link works.
pub const RESET_TTL: Duration = Duration::from_secs(3600);
/// Reset requests per email address per hour (whether or not an account has it).
const RESETS_PER_ADDRESS: i64 = 5;
/// Reset confirmations and password changes per account per hour.
const ATTEMPTS_PER_ACCOUNT: i64 = 10;

/// The one answer to a reset request, whether or not the email belongs to anyone.
pub const RESET_REQUESTED: &str =
    "If an account with that email exists, a link to reset its password is on its way.";

fn invalid_reset() -> AppError {
    AppError::field_coded(
        ErrorCode::InvalidToken,
        "token",
        "This password reset link is invalid or has expired. Ask for a new one.",
    )
}

/// Checks the policy for `new_password`, reported under that field.
fn policy(new_password: &str, username: &str) -> AppResult<()> {
    check_policy(new_password, username).map_err(|e| AppError::field("new_password", e.to_string()))
}

/// Changes the caller's password after checking the current one; every other session of the
/// account ends, and the caller gets a new pair acting where their token did.
pub async fn change(
    state: &App,
    caller: &Caller,
    current: String,
    new_password: String,
) -> AppResult<TokenPair> {
    throttle::check(
        state,
        &format!("password:user:{}", caller.user_id),
        ATTEMPTS_PER_ACCOUNT,
        3600,
    )
    .await?;
    let (username, hash) = users::credentials_by_id(state.db.conn(), caller.user_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !password::verify(current, Some(hash)).await {
        return Err(AppError::field(
            "current_password",
            "Your current password is incorrect.",
        ));
    }
    policy(&new_password, &username)?;
    let new_hash = password::hash(new_password).await?;
    let uow = UnitOfWork::begin(state).await?;
    users::set_password(uow.tx(), caller.user_id, &new_hash).await?;
    users::end_sessions(uow.tx(), caller.user_id).await?;
    let org = caller.member.as_ref().map(|m| m.tenant.id());
    let pair = auth::issue_pair_as(state, uow.tx(), caller, org).await?;
    uow.commit().await?;
    Ok(pair)
}

/// The job that looks the address up and mails the links.
pub const RESET_JOB: &str = "password_reset";

/// Answers a reset request: the same work (a throttle count and one queued job) whether or
/// not the address belongs to anyone, so neither the answer nor its timing tells. Limited
/// per address (429 for any address past the limit).
pub async fn request_reset(state: &App, email: String) -> AppResult<()> {
    let email = email.trim().to_lowercase();
    crate::users::check_email(&email)?;
    if email.is_empty() {
        return Err(AppError::field("email", "This field may not be blank."));
    }
    throttle::check(
        state,
        &format!("reset:email:{}", one_time::hash(&email)),
        RESETS_PER_ADDRESS,
        3600,
    )
    .await?;
    let uow = UnitOfWork::begin(state).await?;
    uow.enqueue(NewJob {
        kind: RESET_JOB.into(),
        payload: json!({ "email": email }),
        organization_id: None,
        run_at: state.clock.now(),
        max_attempts: 8,
        dedupe_key: None,
    })
    .await?;
    uow.commit().await?;
    Ok(())
}

/// The job that mints one account's reset token and mails its link.
pub const RESET_LINK_JOB: &str = "password_reset_link";

/// The `password_reset` job looks the address up and queues one `password_reset_link` job
/// per active account with it (so a failed send retries that account alone); the link job
/// mints a token (only its hash is stored) and sends it. A retried link job mints a new one;
/// an earlier token that never arrived is unknown to anyone and expires within the hour.
pub fn handlers(handlers: Handlers) -> Handlers {
    handlers
        .on(RESET_JOB, |app: App, job| async move {
            let email = job.payload["email"]
                .as_str()
                .ok_or_else(|| JobFailure::Permanent("reset job without an email".into()))?
                .to_string();
            fan_out(&app, job.id, &email)
                .await
                .map_err(|e| JobFailure::Transient(e.to_string()))
        })
        .on(RESET_LINK_JOB, |app: App, job| async move {
            let user = job.payload["user"]
                .as_str()
                .and_then(|s| s.parse::<uuid::Uuid>().ok())
                .ok_or_else(|| JobFailure::Permanent("reset link job without a user".into()))?;
            send_reset_link(&app, user)
                .await
                .map_err(|e| JobFailure::Transient(e.to_string()))?
        })
}

async fn fan_out(app: &App, request: uuid::Uuid, email: &str) -> AppResult<()> {
    let accounts = users::active_by_email(app.db.conn(), email).await?;
    let uow = UnitOfWork::begin(app).await?;
    for account in &accounts {
        uow.enqueue(NewJob {
            kind: RESET_LINK_JOB.into(),
            payload: json!({ "user": account.id }),
            organization_id: None,
            run_at: app.clock.now(),
            max_attempts: 8,
            // A retried fan-out queues nobody twice.
            dedupe_key: Some(format!("reset:{request}:{}", account.id)),
        })
        .await?;
    }
    uow.commit().await?;
    Ok(())
}

async fn send_reset_link(app: &App, user: uuid::Uuid) -> AppResult<JobResult> {
    let Some(account) = users::get_unaffiliated(app.db.conn(), user).await? else {
        return Ok(Ok(()));
    };
    if !account.is_active || account.email.is_empty() {
        return Ok(Ok(()));
    }
    let expires = app.clock.now() + chrono::Duration::from_std(RESET_TTL).unwrap_or_default();
    let token = OneTimeToken::generate();
    let tx = app.db.begin_write().await?;
    account_tokens::insert(
        &tx,
        &token.hash,
        account.id,
        account_tokens::PASSWORD_RESET,
        expires,
    )
    .await?;
    switchyard_store::commit(tx).await?;
    let message = mail::account_message(
        app,
        &AccountEmail {
            purpose: "password_reset",
            to_email: &account.email,
            to_name: &account.username,
            subject: "Reset your Switchyard password".into(),
            message: format!(
                "Someone asked to reset the password of the account '{}'. The link below works once, for one hour.",
                account.username
            ),
            action: "Choose a new password",
            path: format!("/reset-password#token={}", token.token),
            footer: "If it was not you, ignore this email: your password stays as it is.",
            unique: token.hash[..32].to_string(),
        },
    );
    Ok(app.mailer.send(&message).await)
}

/// Sets a new password with a reset token; the token, every other reset token of the account
/// and every session end.
pub async fn confirm_reset(state: &App, token: String, new_password: String) -> AppResult<()> {
    let hash = one_time::hash(&token);
    throttle::check(
        state,
        &format!("reset:token:{hash}"),
        ATTEMPTS_PER_ACCOUNT,
        3600,
    )
    .await?;
    let now = state.clock.now();
    let purpose = account_tokens::PASSWORD_RESET;
    let user_id = account_tokens::peek(state.db.conn(), &hash, purpose, now)
        .await?
        .ok_or_else(invalid_reset)?;
    let (username, _) = users::credentials_by_id(state.db.conn(), user_id)
        .await?
        .ok_or_else(invalid_reset)?;
    policy(&new_password, &username)?;
    let new_hash = password::hash(new_password).await?;
    let uow = UnitOfWork::begin(state).await?;
    // Taken only now, after the slow hash: of two concurrent uses, one wins here.
    if account_tokens::take(uow.tx(), &hash, purpose, now).await? != Some(user_id) {
        return Err(invalid_reset());
    }
    users::set_password(uow.tx(), user_id, &new_hash).await?;
    users::end_sessions(uow.tx(), user_id).await?;
    account_tokens::spend_all(uow.tx(), user_id, purpose).await?;
    let window =
        chrono::Duration::from_std(state.settings.login_failure_window).unwrap_or_default();
    tokens::clear_login_failures(uow.tx(), &username, switchyard_store::now() - window).await?;
    uow.commit().await?;
    Ok(())
}
