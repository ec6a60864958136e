//! Token bookkeeping: refresh tokens issued, token ids revoked, failed logins.
//!
//! Kept in the database (not in process memory) so any number of instances agree.

use chrono::{DateTime, Utc};
use sea_orm::ConnectionTrait;
use uuid::Uuid;

use crate::{Result, now, sql};

/// Records a refresh token handed out to `user_id`.
pub async fn record_issued<C: ConnectionTrait>(
    c: &C,
    jti: Uuid,
    user_id: Uuid,
    organization_id: Option<Uuid>,
    expires_at: DateTime<Utc>,
) -> Result<()> {
    sql::exec(
        c,
        "INSERT INTO issued_tokens (jti, user_id, organization_id, expires_at, created_at) VALUES ($1, $2, $3, $4, $5)",
        vec![jti.into(), user_id.into(), organization_id.into(), expires_at.into(), now().into()],
    )
    .await?;
    Ok(())
}

/// Whether a refresh token was issued to `user_id` and is still on record (it is gone once
/// the user is deleted).
pub async fn is_issued<C: ConnectionTrait>(c: &C, jti: Uuid, user_id: Uuid) -> Result<bool> {
    Ok(sql::count(
        c,
        "SELECT COUNT(*) FROM issued_tokens WHERE jti = $1 AND user_id = $2",
        vec![jti.into(), user_id.into()],
    )
    .await?
        > 0)
}

/// Revokes a token id. Returns `true` only for the caller that revoked it first, which makes
/// refresh-token rotation atomic: of two concurrent refreshes with one token, one wins.
pub async fn revoke<C: ConnectionTrait>(
    c: &C,
    jti: Uuid,
    expires_at: DateTime<Utc>,
) -> Result<bool> {
    Ok(sql::exec(
        c,
        "INSERT INTO revoked_tokens (jti, expires_at, revoked_at) VALUES ($1, $2, $3) ON CONFLICT (jti) DO NOTHING",
        vec![jti.into(), expires_at.into(), now().into()],
    )
    .await?
        == 1)
}

/// Whether a token id is revoked.
pub async fn is_revoked<C: ConnectionTrait>(c: &C, jti: Uuid) -> Result<bool> {
    Ok(sql::count(
        c,
        "SELECT COUNT(*) FROM revoked_tokens WHERE jti = $1",
        vec![jti.into()],
    )
    .await?
        > 0)
}

/// Forgets bookkeeping for tokens that have expired anyway.
pub async fn purge_expired<C: ConnectionTrait>(c: &C) -> Result<u64> {
    let ts = now();
    let a = sql::exec(
        c,
        "DELETE FROM revoked_tokens WHERE expires_at < $1",
        vec![ts.into()],
    )
    .await?;
    let b = sql::exec(
        c,
        "DELETE FROM issued_tokens WHERE expires_at < $1",
        vec![ts.into()],
    )
    .await?;
    Ok(a + b)
}

/// Records a failed login for `username`.
pub async fn record_login_failure<C: ConnectionTrait>(c: &C, username: &str) -> Result<()> {
    sql::exec(
        c,
        "INSERT INTO login_failures (id, username, failed_at) VALUES ($1, $2, $3)",
        vec![Uuid::now_v7().into(), username.into(), now().into()],
    )
    .await?;
    Ok(())
}

/// Failed logins for `username` since `since`, and the oldest of them.
pub async fn login_failures_since<C: ConnectionTrait>(
    c: &C,
    username: &str,
    since: DateTime<Utc>,
) -> Result<(u64, Option<DateTime<Utc>>)> {
    #[derive(sea_orm::FromQueryResult)]
    struct R {
        failed_at: DateTime<Utc>,
    }
    let rows: Vec<R> = sql::all(
        c,
        "SELECT failed_at FROM login_failures WHERE username = $1 AND failed_at >= $2 ORDER BY failed_at",
        vec![username.into(), since.into()],
    )
    .await?;
    Ok((rows.len() as u64, rows.first().map(|r| r.failed_at)))
}

/// Clears the failure record after a successful login, and old records of everyone.
pub async fn clear_login_failures<C: ConnectionTrait>(
    c: &C,
    username: &str,
    older_than: DateTime<Utc>,
) -> Result<()> {
    sql::exec(
        c,
        "DELETE FROM login_failures WHERE username = $1",
        vec![username.into()],
    )
    .await?;
    sql::exec(
        c,
        "DELETE FROM login_failures WHERE failed_at < $1",
        vec![older_than.into()],
    )
    .await?;
    Ok(())
}
