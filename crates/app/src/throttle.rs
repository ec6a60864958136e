//! Limits on actions that send email or check a secret, per key (an address, an account, an
//! organization), counted in the database so every instance shares them.

use crate::{App, AppError, AppResult};

/// Counts one attempt on `bucket` in a fixed window of `window_secs`; past `limit` attempts
/// in the window it is [`AppError::RateLimited`] with the seconds until the window ends.
/// The count commits on its own: a refused request still counts.
pub async fn check(app: &App, bucket: &str, limit: i64, window_secs: i64) -> AppResult<()> {
    let now = app.clock.now().timestamp();
    let window = now - now.rem_euclid(window_secs);
    let tx = app.db.begin_write().await?;
    let hits = switchyard_store::rate_limits::hit(&tx, bucket, window).await?;
    switchyard_store::commit(tx).await?;
    if hits > limit {
        metrics::counter!("rate_limited_total").increment(1);
        return Err(AppError::RateLimited {
            retry_after: (window + window_secs - now).max(1) as u64,
        });
    }
    Ok(())
}
