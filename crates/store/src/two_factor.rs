//! Two-factor sign-in records: the sealed TOTP secret, the last step accepted (so a code
//! works once), and hashed recovery codes.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, FromQueryResult};
use uuid::Uuid;

use crate::{Result, now, sql};

/// An account's two-factor record.
#[derive(Debug, Clone, FromQueryResult)]
pub struct TwoFactorRow {
    pub secret_sealed: String,
    /// `None` while enrolling.
    pub enabled_at: Option<DateTime<Utc>>,
    pub last_step: i64,
}

/// The account's record, if it has one (enabled or enrolling).
pub async fn get<C: ConnectionTrait>(c: &C, user_id: Uuid) -> Result<Option<TwoFactorRow>> {
    sql::one(
        c,
        "SELECT secret_sealed, enabled_at, last_step FROM user_two_factor WHERE user_id = $1",
        vec![user_id.into()],
    )
    .await
}

/// Starts (or restarts) enrolment with a new sealed secret; refuses (`false`) when two-factor
/// sign-in is already on.
pub async fn begin_enrolment<C: ConnectionTrait>(
    c: &C,
    user_id: Uuid,
    secret_sealed: &str,
) -> Result<bool> {
    sql::exec(
        c,
        "DELETE FROM user_two_factor WHERE user_id = $1 AND enabled_at IS NULL",
        vec![user_id.into()],
    )
    .await?;
    Ok(sql::exec(
        c,
        "INSERT INTO user_two_factor (user_id, secret_sealed, last_step, created_at) VALUES ($1, $2, 0, $3) \
         ON CONFLICT (user_id) DO NOTHING",
        vec![user_id.into(), secret_sealed.into(), now().into()],
    )
    .await?
        == 1)
}

/// Accepts the code of `step`: records it as the last one, only if it is newer than the last
/// accepted (so of two uses of one code, one wins).
pub async fn accept_step<C: ConnectionTrait>(c: &C, user_id: Uuid, step: i64) -> Result<bool> {
    Ok(sql::exec(
        c,
        "UPDATE user_two_factor SET last_step = $2 WHERE user_id = $1 AND last_step < $2",
        vec![user_id.into(), step.into()],
    )
    .await?
        == 1)
}

/// Turns two-factor sign-in on for the secret `secret_sealed` (the one the first code was
/// checked against) and stores the recovery codes' hashes; `false` when it was replaced.
pub async fn enable<C: ConnectionTrait>(
    c: &C,
    user_id: Uuid,
    secret_sealed: &str,
    code_hashes: &[String],
) -> Result<bool> {
    let n = sql::exec(
        c,
        "UPDATE user_two_factor SET enabled_at = $2 WHERE user_id = $1 AND enabled_at IS NULL AND secret_sealed = $3",
        vec![user_id.into(), now().into(), secret_sealed.into()],
    )
    .await?;
    if n == 0 {
        return Ok(false);
    }
    sql::exec(
        c,
        "DELETE FROM two_factor_recovery_codes WHERE user_id = $1",
        vec![user_id.into()],
    )
    .await?;
    for hash in code_hashes {
        sql::exec(
            c,
            "INSERT INTO two_factor_recovery_codes (user_id, code_hash) VALUES ($1, $2)",
            vec![user_id.into(), hash.as_str().into()],
        )
        .await?;
    }
    Ok(true)
}

/// Uses a recovery code once; `false` when it is unknown or used.
pub async fn use_recovery_code<C: ConnectionTrait>(
    c: &C,
    user_id: Uuid,
    code_hash: &str,
) -> Result<bool> {
    Ok(sql::exec(
        c,
        "UPDATE two_factor_recovery_codes SET used_at = $3 WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL",
        vec![user_id.into(), code_hash.into(), now().into()],
    )
    .await?
        == 1)
}

/// Recovery codes not used yet.
pub async fn recovery_codes_left<C: ConnectionTrait>(c: &C, user_id: Uuid) -> Result<u64> {
    sql::count(
        c,
        "SELECT COUNT(*) FROM two_factor_recovery_codes WHERE user_id = $1 AND used_at IS NULL",
        vec![user_id.into()],
    )
    .await
}

/// Turns two-factor sign-in off (secret and recovery codes gone).
pub async fn disable<C: ConnectionTrait>(c: &C, user_id: Uuid) -> Result<()> {
    sql::exec(
        c,
        "DELETE FROM two_factor_recovery_codes WHERE user_id = $1",
        vec![user_id.into()],
    )
    .await?;
    sql::exec(
        c,
        "DELETE FROM user_two_factor WHERE user_id = $1",
        vec![user_id.into()],
    )
    .await?;
    Ok(())
}
