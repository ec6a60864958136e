//! Single-use secrets emailed to an account (password reset), kept only as hashes.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, FromQueryResult};
use uuid::Uuid;

use crate::{Result, now, sql};

/// What a token is for.
pub const PASSWORD_RESET: &str = "password_reset";

/// Records a token (its hash) for `user_id`.
pub async fn insert<C: ConnectionTrait>(
    c: &C,
    hash: &str,
    user_id: Uuid,
    purpose: &str,
    expires_at: DateTime<Utc>,
) -> Result<()> {
    sql::exec(
        c,
        "INSERT INTO account_tokens (token_hash, user_id, purpose, expires_at, created_at) VALUES ($1, $2, $3, $4, $5)",
        vec![hash.into(), user_id.into(), purpose.into(), expires_at.into(), now().into()],
    )
    .await?;
    Ok(())
}

/// The account of a token that exists for `purpose`, unused and unexpired at `at` (a check
/// before the slow work; [`take`] decides).
pub async fn peek<C: ConnectionTrait>(
    c: &C,
    hash: &str,
    purpose: &str,
    at: DateTime<Utc>,
) -> Result<Option<Uuid>> {
    #[derive(FromQueryResult)]
    struct R {
        user_id: Uuid,
    }
    let row: Option<R> = sql::one(
        c,
        "SELECT user_id FROM account_tokens \
         WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $3",
        vec![hash.into(), purpose.into(), at.into()],
    )
    .await?;
    Ok(row.map(|r| r.user_id))
}

/// Uses a token: marks it used and returns its account, only if it exists for `purpose`, is
/// unused and unexpired at `at`. Of two concurrent uses exactly one gets the account.
pub async fn take<C: ConnectionTrait>(
    c: &C,
    hash: &str,
    purpose: &str,
    at: DateTime<Utc>,
) -> Result<Option<Uuid>> {
    #[derive(FromQueryResult)]
    struct R {
        user_id: Uuid,
    }
    let row: Option<R> = sql::one(
        c,
        "UPDATE account_tokens SET used_at = $3 \
         WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $3 RETURNING user_id",
        vec![hash.into(), purpose.into(), at.into()],
    )
    .await?;
    Ok(row.map(|r| r.user_id))
}

/// Spends every unused token of the account for `purpose` (after one of them was used).
pub async fn spend_all<C: ConnectionTrait>(c: &C, user_id: Uuid, purpose: &str) -> Result<u64> {
    sql::exec(
        c,
        "UPDATE account_tokens SET used_at = $3 WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL",
        vec![user_id.into(), purpose.into(), now().into()],
    )
    .await
}

/// Forgets tokens that expired before `before`.
pub async fn purge<C: ConnectionTrait>(c: &C, before: DateTime<Utc>) -> Result<u64> {
    sql::exec(
        c,
        "DELETE FROM account_tokens WHERE expires_at < $1",
        vec![before.into()],
    )
    .await
}
