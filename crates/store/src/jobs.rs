//! The job queue: enqueue (in the caller's transaction), claim as a lease, finish, fail with
//! a retry time or as dead, list, retry, purge. Claims take `FOR UPDATE SKIP LOCKED` on
//! PostgreSQL, so workers on several instances never claim one job twice; on SQLite the
//! single writer serialises claims.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbBackend, FromQueryResult};
use serde_json::Value as Json;
use uuid::Uuid;

use crate::{Page, Result, Tenant, sql, sql::Params};

/// Where a job stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobState {
    Pending,
    Running,
    Succeeded,
    Dead,
}

impl JobState {
    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Pending => "pending",
            JobState::Running => "running",
            JobState::Succeeded => "succeeded",
            JobState::Dead => "dead",
        }
    }

    pub fn parse(s: &str) -> Option<JobState> {
        [
            JobState::Pending,
            JobState::Running,
            JobState::Succeeded,
            JobState::Dead,
        ]
        .into_iter()
        .find(|j| j.as_str() == s)
    }
}

/// A job to enqueue.
#[derive(Debug, Clone)]
pub struct NewJob {
    pub kind: String,
    pub payload: Json,
    pub organization_id: Option<Uuid>,
    pub run_at: DateTime<Utc>,
    pub max_attempts: i32,
    /// At most one job with this key ever exists (a retried enqueue is a no-op).
    pub dedupe_key: Option<String>,
}

/// A stored job.
#[derive(Debug, Clone, FromQueryResult)]
pub struct JobRow {
    pub id: Uuid,
    pub organization_id: Option<Uuid>,
    pub kind: String,
    pub payload: Json,
    pub state: String,
    pub run_at: DateTime<Utc>,
    pub attempts: i32,
    pub max_attempts: i32,
    pub lease_owner: Option<String>,
    pub lease_expires_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub dedupe_key: Option<String>,
    pub created_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
}

const COLUMNS: &str = "id, organization_id, kind, payload, state, run_at, attempts, max_attempts, \
    lease_owner, lease_expires_at, last_error, dedupe_key, created_at, started_at, finished_at";

/// Enqueues a job in `c`'s transaction; `None` when a job with its dedupe key exists already.
pub async fn enqueue<C: ConnectionTrait>(
    c: &C,
    job: NewJob,
    now: DateTime<Utc>,
) -> Result<Option<Uuid>> {
    let id = Uuid::now_v7();
    let insert = "INSERT INTO jobs (id, organization_id, kind, payload, state, run_at, attempts, max_attempts, \
           dedupe_key, created_at) VALUES ($1, $2, $3, $4, 'pending', $5, 0, $6, $7, $8) \
         ON CONFLICT (dedupe_key) DO NOTHING";
    let values = vec![
        id.into(),
        job.organization_id.into(),
        job.kind.into(),
        sea_orm::Value::Json(Some(Box::new(job.payload))),
        job.run_at.into(),
        job.max_attempts.into(),
        job.dedupe_key.into(),
        now.into(),
    ];
    let n = match c.get_database_backend() {
        // PostgreSQL: the same statement notifies idle workers; NOTIFY is delivered only
        // when the transaction commits, so no worker wakes for a job that was rolled back.
        DbBackend::Postgres => {
            let notifying = format!(
                "WITH inserted AS ({insert} RETURNING id) \
                 SELECT COUNT(*) FROM (SELECT pg_notify('{WAKE_CHANNEL}', '') FROM inserted) woken"
            );
            sql::count(c, &notifying, values).await?
        }
        _ => sql::exec(c, insert, values).await?,
    };
    Ok((n == 1).then_some(id))
}

/// The channel enqueues notify on PostgreSQL.
pub const WAKE_CHANNEL: &str = "switchyard_jobs";

/// Wake-ups for idle workers: PostgreSQL `LISTEN` on [`WAKE_CHANNEL`].
pub struct Wakeups(sea_orm::sqlx::postgres::PgListener);

impl Wakeups {
    /// Listens on its own connection from `db`'s pool; `None` on SQLite (workers poll).
    pub async fn listen(db: &crate::Db) -> Result<Option<Wakeups>> {
        if db.backend() != crate::Backend::Postgres {
            return Ok(None);
        }
        let pool = db.conn().get_postgres_connection_pool();
        let mut listener = sea_orm::sqlx::postgres::PgListener::connect_with(pool).await?;
        listener.listen(WAKE_CHANNEL).await?;
        Ok(Some(Wakeups(listener)))
    }

    /// Waits for the next enqueue anywhere (reconnecting by itself after a lost connection).
    pub async fn recv(&mut self) -> Result<()> {
        self.0.recv().await?;
        Ok(())
    }
}

/// Claims up to `limit` jobs that are due (or whose lease expired) for `owner` until
/// `lease_until`, counting an attempt each. Run it in its own short transaction.
pub async fn claim<C: ConnectionTrait>(
    c: &C,
    owner: &str,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<JobRow>> {
    let skip_locked = match c.get_database_backend() {
        DbBackend::Postgres => " FOR UPDATE SKIP LOCKED",
        _ => "",
    };
    sql::all(
        c,
        &format!(
            "UPDATE jobs SET state = 'running', lease_owner = $1, lease_expires_at = $2, \
               attempts = attempts + 1, started_at = $3 \
             WHERE id IN (SELECT id FROM jobs \
               WHERE (state = 'pending' AND run_at <= $3) OR (state = 'running' AND lease_expires_at < $3) \
               ORDER BY run_at, id LIMIT $4{skip_locked}) \
             RETURNING {COLUMNS}"
        ),
        vec![
            owner.into(),
            lease_until.into(),
            now.into(),
            (limit as i64).into(),
        ],
    )
    .await
}

/// Marks a job `owner` holds as done; false when the lease was lost (another worker took it).
pub async fn succeed<C: ConnectionTrait>(
    c: &C,
    id: Uuid,
    owner: &str,
    now: DateTime<Utc>,
) -> Result<bool> {
    Ok(sql::exec(
        c,
        "UPDATE jobs SET state = 'succeeded', finished_at = $3, lease_owner = NULL, lease_expires_at = NULL \
         WHERE id = $1 AND lease_owner = $2 AND state = 'running'",
        vec![id.into(), owner.into(), now.into()],
    )
    .await?
        == 1)
}

/// Records a failed attempt: back to pending at `retry_at`, or dead when `retry_at` is None.
pub async fn fail<C: ConnectionTrait>(
    c: &C,
    id: Uuid,
    owner: &str,
    error: &str,
    retry_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<bool> {
    let (state, run_at, finished) = match retry_at {
        Some(at) => (JobState::Pending, Some(at), None),
        None => (JobState::Dead, None, Some(now)),
    };
    Ok(sql::exec(
        c,
        "UPDATE jobs SET state = $3, run_at = COALESCE($4, run_at), finished_at = $5, last_error = $6, \
           lease_owner = NULL, lease_expires_at = NULL \
         WHERE id = $1 AND lease_owner = $2 AND state = 'running'",
        vec![
            id.into(),
            owner.into(),
            state.as_str().into(),
            run_at.into(),
            finished.into(),
            error.into(),
        ],
    )
    .await?
        == 1)
}

/// Which jobs to list.
#[derive(Debug, Clone, Default)]
pub struct JobFilter {
    pub state: Option<JobState>,
    pub kind: Option<String>,
    /// Only this organization's jobs (an organization admin's view).
    pub tenant: Option<Tenant>,
}

/// A page of jobs, newest first, and how many match.
pub async fn list<C: ConnectionTrait>(
    c: &C,
    f: &JobFilter,
    page: Page,
) -> Result<(Vec<JobRow>, u64)> {
    let mut p = Params::default();
    let mut wh = vec!["1 = 1".to_string()];
    if let Some(s) = f.state {
        wh.push(format!("state = {}", p.push(s.as_str())));
    }
    if let Some(k) = &f.kind {
        wh.push(format!("kind = {}", p.push(k.clone())));
    }
    if let Some(t) = f.tenant {
        wh.push(format!("organization_id = {}", p.push(t.id())));
    }
    let wh = wh.join(" AND ");
    let count = sql::count(
        c,
        &format!("SELECT COUNT(*) FROM jobs WHERE {wh}"),
        p.values.clone(),
    )
    .await?;
    let rows = sql::all(
        c,
        &format!(
            "SELECT {COLUMNS} FROM jobs WHERE {wh} ORDER BY created_at DESC, id DESC LIMIT {} OFFSET {}",
            page.size,
            page.offset()
        ),
        p.values,
    )
    .await?;
    Ok((rows, count))
}

/// Puts dead jobs back in the queue to run at `now` with fresh attempts: one (`id`), or all.
/// Returns how many.
pub async fn retry_dead<C: ConnectionTrait>(
    c: &C,
    id: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<u64> {
    let mut values = vec![now.into()];
    let mut sql =
        "UPDATE jobs SET state = 'pending', attempts = 0, run_at = $1, finished_at = NULL \
                   WHERE state = 'dead'"
            .to_string();
    if let Some(id) = id {
        values.push(id.into());
        sql.push_str(" AND id = $2");
    }
    let n = sql::exec(c, &sql, values).await?;
    if n > 0 && c.get_database_backend() == DbBackend::Postgres {
        // Idle workers on every instance pick the retried jobs up at commit, not at their
        // next poll.
        c.execute_unprepared(&format!("NOTIFY {WAKE_CHANNEL}"))
            .await?;
    }
    Ok(n)
}

/// Deletes succeeded jobs finished before `before` (dead jobs stay until retried or looked
/// at). Returns how many.
pub async fn purge<C: ConnectionTrait>(c: &C, before: DateTime<Utc>) -> Result<u64> {
    sql::exec(
        c,
        "DELETE FROM jobs WHERE state = 'succeeded' AND finished_at < $1",
        vec![before.into()],
    )
    .await
}

/// How many jobs wait, and since when the oldest due one has waited.
#[derive(Debug, Clone, Default, FromQueryResult)]
pub struct Depth {
    pub pending: i64,
    pub oldest_run_at: Option<DateTime<Utc>>,
}

/// The queue's depth at `now` (jobs due and not yet claimed).
pub async fn depth<C: ConnectionTrait>(c: &C, now: DateTime<Utc>) -> Result<Depth> {
    Ok(sql::one(
        c,
        "SELECT COUNT(*) AS pending, MIN(run_at) AS oldest_run_at FROM jobs \
         WHERE state = 'pending' AND run_at <= $1",
        vec![now.into()],
    )
    .await?
    .unwrap_or_default())
}

/// Records that `schedule` ran its tick at `tick`; false when some instance already did.
pub async fn claim_tick<C: ConnectionTrait>(
    c: &C,
    schedule: &str,
    tick: DateTime<Utc>,
) -> Result<bool> {
    Ok(sql::exec(
        c,
        "INSERT INTO schedule_ticks (schedule, tick) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        vec![schedule.into(), tick.into()],
    )
    .await?
        == 1)
}
