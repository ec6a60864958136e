//! Fixed-window counters in the database, so every instance enforces one shared limit.

use sea_orm::{ConnectionTrait, FromQueryResult};

use crate::{Result, sql};

/// Counts one hit on `bucket` in the window starting at `window_start` (Unix seconds) and
/// returns the hits so far in that window, this one included.
pub async fn hit<C: ConnectionTrait>(c: &C, bucket: &str, window_start: i64) -> Result<i64> {
    #[derive(FromQueryResult)]
    struct R {
        hits: i32,
    }
    let row: Option<R> = sql::one(
        c,
        "INSERT INTO rate_limit_hits (bucket, window_start, hits) VALUES ($1, $2, 1) \
         ON CONFLICT (bucket, window_start) DO UPDATE SET hits = rate_limit_hits.hits + 1 RETURNING hits",
        vec![bucket.into(), window_start.into()],
    )
    .await?;
    Ok(row.map_or(1, |r| r.hits as i64))
}

/// Forgets windows that ended before `before` (Unix seconds).
pub async fn purge<C: ConnectionTrait>(c: &C, before: i64) -> Result<u64> {
    sql::exec(
        c,
        "DELETE FROM rate_limit_hits WHERE window_start < $1",
        vec![before.into()],
    )
    .await
}
