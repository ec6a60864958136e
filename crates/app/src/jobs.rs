//! Background work: a worker that claims due jobs as leases, runs their handlers outside any
//! transaction, and records success, a retry with exponential backoff and jitter, or death
//! (kept, listed, retryable). Delivery is at least once: handlers must be idempotent.
//!
//! Jobs are enqueued in the transaction of the change that causes them
//! ([`UnitOfWork::enqueue`](crate::UnitOfWork::enqueue)), so a rolled-back change leaves none.

use std::{collections::HashMap, future::Future, pin::Pin, sync::Arc, time::Duration};

use chrono::{DateTime, Utc};
use rand::Rng;
use switchyard_store::{
    Page,
    jobs::{self, JobFilter, JobRow, NewJob},
};
use uuid::Uuid;

use crate::{App, AppResult};

/// Why a handler did not finish its job.
#[derive(Debug, Clone)]
pub enum JobFailure {
    /// Worth retrying (a 4xx reply from SMTP, a connection error, a database hiccup).
    Transient(String),
    /// Retrying cannot help (a 5xx reply, bad payload): dead at once.
    Permanent(String),
}

/// What a handler returns.
pub type JobResult = Result<(), JobFailure>;
type BoxedRun = Pin<Box<dyn Future<Output = JobResult> + Send>>;
type Handler = Arc<dyn Fn(App, JobRow) -> BoxedRun + Send + Sync>;

/// The handlers a worker runs, by job kind.
#[derive(Clone, Default)]
pub struct Handlers(HashMap<String, Handler>);

impl Handlers {
    /// Registers the handler of `kind`.
    pub fn on<F, Fut>(mut self, kind: &str, run: F) -> Self
    where
        F: Fn(App, JobRow) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = JobResult> + Send + 'static,
    {
        self.0.insert(
            kind.to_string(),
            Arc::new(move |app, job| Box::pin(run(app, job))),
        );
        self
    }
}

/// Claims and runs jobs. Many workers (in one process or several) may share a database.
#[derive(Clone)]
pub struct Worker {
    app: App,
    handlers: Arc<Handlers>,
    /// Who holds the leases this worker takes (`<process>-<random>`).
    pub owner: String,
    /// How long a claimed job is this worker's before others may take it.
    pub lease: Duration,
    /// Jobs claimed at once.
    pub batch: u64,
    /// The first retry's delay; each further retry doubles it (up to an hour).
    pub backoff: Duration,
    /// Whether an idle worker listens for PostgreSQL wake-ups (else it only polls).
    pub wake: bool,
}

impl Worker {
    pub fn new(app: App, handlers: Handlers) -> Worker {
        Worker {
            app,
            handlers: Arc::new(handlers),
            owner: format!("worker-{}", &Uuid::new_v4().simple().to_string()[..12]),
            lease: Duration::from_secs(60),
            batch: 16,
            backoff: Duration::from_secs(2),
            wake: true,
        }
    }

    /// Claims one batch of due jobs and runs them side by side; returns how many ran. Tests
    /// call it to drain the queue deterministically.
    ///
    /// Side by side, so the last job of a batch starts at once rather than after the others
    /// (a slow SMTP server could otherwise hold it past its lease), and one handler's wait
    /// does not stall the rest. A handler that panics makes its job dead.
    pub async fn run_once(&self) -> AppResult<usize> {
        let now = self.app.clock.now();
        let lease_until = now + chrono::Duration::from_std(self.lease).unwrap_or_default();
        let tx = self.app.db.begin_write().await?;
        let claimed = jobs::claim(&tx, &self.owner, now, lease_until, self.batch).await?;
        switchyard_store::commit(tx).await?;
        let ran = claimed.len();
        let mut running = tokio::task::JoinSet::new();
        let mut by_task = HashMap::new();
        // A handler that outlives three quarters of the lease is cut off (and retried), so
        // no other worker takes its job while it still runs.
        let limit = self.lease.mul_f64(0.75);
        // A job reclaimed after its last attempt's lease expired (its worker died each time,
        // say by crashing the process) is not run again: it is dead.
        let (spent, claimed): (Vec<_>, Vec<_>) = claimed
            .into_iter()
            .partition(|j| j.attempts > j.max_attempts);
        let spent: Vec<_> = spent
            .into_iter()
            .map(|j| {
                let why = "its worker stopped during the last attempt (the lease expired)";
                (j, Err(JobFailure::Permanent(why.into())))
            })
            .collect();
        if !spent.is_empty() {
            self.finish(&spent).await?;
        }
        for job in claimed {
            metrics::counter!("jobs_started_total", "kind" => job.kind.clone()).increment(1);
            metrics::histogram!("job_pickup_seconds", "kind" => job.kind.clone())
                .record((now - job.run_at).num_milliseconds().max(0) as f64 / 1000.0);
            let worker = self.clone();
            let row = job.clone();
            let task = running.spawn(async move {
                let result = match worker.handlers.0.get(&job.kind) {
                    Some(run) => tokio::time::timeout(limit, run(worker.app.clone(), job.clone()))
                        .await
                        .unwrap_or_else(|_| {
                            Err(JobFailure::Transient(format!(
                                "the handler took longer than {limit:?}"
                            )))
                        }),
                    None => Err(JobFailure::Permanent(format!(
                        "no handler for job kind '{}'",
                        job.kind
                    ))),
                };
                (job, result)
            });
            by_task.insert(task.id(), row);
        }
        // Outcomes are recorded as handlers end, those that ended together in one
        // transaction: a slow handler does not hold the others' records back.
        let mut failed = None;
        while let Some(first) = running.join_next_with_id().await {
            let mut ended = vec![ended_job(first, &by_task)];
            while let Some(more) = running.try_join_next_with_id() {
                ended.push(ended_job(more, &by_task));
            }
            let ended: Vec<_> = ended.into_iter().flatten().collect();
            if let Err(e) = self.finish(&ended).await {
                // Not recorded: the jobs run again once their leases expire (at least once).
                tracing::warn!(error = %e, jobs = ended.len(), "could not record job outcomes");
                failed = Some(e);
            }
        }
        failed.map_or(Ok(ran), Err)
    }

    /// Records how jobs ended, in one transaction (one write instead of one per job: on
    /// SQLite, sixteen writers at once would queue in its busy handler).
    async fn finish(&self, ended: &[(JobRow, JobResult)]) -> AppResult<()> {
        let now = self.app.clock.now();
        let tx = self.app.db.begin_write().await?;
        let mut outcomes = Vec::with_capacity(ended.len());
        for (job, result) in ended {
            let kind = &job.kind;
            let outcome = match result {
                Ok(()) => {
                    if jobs::succeed(&tx, job.id, &self.owner, now).await? {
                        "succeeded"
                    } else {
                        // Its lease ran out and another worker holds it now.
                        tracing::warn!(job = %job.id, %kind, "finished after losing its lease");
                        "lease_lost"
                    }
                }
                Err(JobFailure::Transient(e)) if job.attempts < job.max_attempts => {
                    let retry_at = now + self.delay(job.attempts);
                    tracing::warn!(job = %job.id, %kind, attempt = job.attempts, error = %e, "job failed; will retry");
                    jobs::fail(&tx, job.id, &self.owner, e, Some(retry_at), now).await?;
                    "failed"
                }
                Err(JobFailure::Transient(e) | JobFailure::Permanent(e)) => {
                    tracing::error!(job = %job.id, %kind, attempts = job.attempts, error = %e, "job is dead");
                    jobs::fail(&tx, job.id, &self.owner, e, None, now).await?;
                    "dead"
                }
            };
            outcomes.push((kind.clone(), outcome));
        }
        switchyard_store::commit(tx).await?;
        for (kind, outcome) in outcomes {
            metrics::counter!("jobs_finished_total", "kind" => kind, "outcome" => outcome)
                .increment(1);
        }
        Ok(())
    }

    /// Exponential backoff with ±25 % jitter: `backoff × 2^(attempt−1)`, at most an hour.
    fn delay(&self, attempt: i32) -> chrono::Duration {
        let base = self.backoff.as_secs_f64() * 2f64.powi((attempt - 1).clamp(0, 20));
        let jittered = base.min(3600.0) * rand::rng().random_range(0.75..=1.25);
        chrono::Duration::milliseconds((jittered * 1000.0) as i64)
    }

    /// Publishes the queue's depth and the age of its oldest due job (Prometheus gauges).
    async fn report_depth(&self) {
        let now = self.app.clock.now();
        if let Ok(d) = jobs::depth(self.app.db.conn(), now).await {
            metrics::gauge!("jobs_pending").set(d.pending as f64);
            let age = d
                .oldest_run_at
                .map_or(0.0, |t| (now - t).num_milliseconds() as f64 / 1000.0);
            metrics::gauge!("jobs_oldest_pending_age_seconds").set(age.max(0.0));
        }
    }

    /// Runs until `shutdown` resolves: a batch whenever jobs are due. When idle it waits for
    /// a PostgreSQL `NOTIFY` from an enqueue (any instance) or `poll`, whichever comes first;
    /// on SQLite it polls. A lost wake-up connection is re-established every
    /// [`RELISTEN_EVERY`] (polling meanwhile), so an outage does not leave it polling for good.
    pub async fn run(self, poll: Duration, shutdown: impl Future<Output = ()>) {
        tokio::pin!(shutdown);
        let mut wakeups = None;
        let mut next_listen = Some(tokio::time::Instant::now());
        let mut failures = 0u32;
        loop {
            let ran = match self.run_once().await {
                Ok(n) => {
                    failures = 0;
                    n
                }
                Err(e) => {
                    // The database is away or full: back off (up to 5 s) instead of spinning.
                    failures += 1;
                    let pause = (poll * 2u32.pow(failures.min(4))).min(Duration::from_secs(5));
                    tracing::warn!(error = %e, retry_in = ?pause, "job worker could not claim");
                    tokio::select! {
                        _ = &mut shutdown => return,
                        _ = tokio::time::sleep(pause) => {}
                    }
                    continue;
                }
            };
            if ran > 0 {
                continue;
            }
            if self.wake
                && wakeups.is_none()
                && next_listen.is_some_and(|t| t <= tokio::time::Instant::now())
            {
                match jobs::Wakeups::listen(&self.app.db).await {
                    Ok(Some(w)) => {
                        wakeups = Some(w);
                        next_listen = None;
                    }
                    // SQLite: nothing to listen to; polling is the way.
                    Ok(None) => next_listen = None,
                    Err(e) => {
                        tracing::warn!(error = %e, "cannot LISTEN for new jobs; polling meanwhile");
                        next_listen = Some(tokio::time::Instant::now() + RELISTEN_EVERY);
                    }
                }
            }
            self.report_depth().await;
            let woken = async {
                match wakeups.as_mut() {
                    Some(w) => w.recv().await,
                    None => std::future::pending().await,
                }
            };
            let lost = tokio::select! {
                _ = &mut shutdown => return,
                _ = tokio::time::sleep(poll) => false,
                r = woken => r.is_err(),
            };
            if lost {
                tracing::warn!("lost the job wake-up connection; polling until it is back");
                wakeups = None;
                next_listen = Some(tokio::time::Instant::now() + RELISTEN_EVERY);
            }
        }
    }
}

/// How often a worker whose wake-up connection was lost tries to listen again.
pub const RELISTEN_EVERY: Duration = Duration::from_secs(5);

/// A handler task's job and result; a panicked handler's job fails for good (a panic is a
/// bug that retrying repeats).
fn ended_job(
    joined: Result<(tokio::task::Id, (JobRow, JobResult)), tokio::task::JoinError>,
    by_task: &HashMap<tokio::task::Id, JobRow>,
) -> Option<(JobRow, JobResult)> {
    match joined {
        Ok((_, ended)) => Some(ended),
        Err(e) => {
            tracing::error!(error = %e, "a job handler panicked");
            let job = by_task.get(&e.id())?.clone();
            Some((
                job,
                Err(JobFailure::Permanent("the handler panicked".into())),
            ))
        }
    }
}

/// Enqueues a job outside any change (operators, schedules); `None` if its dedupe key exists.
pub async fn enqueue(app: &App, job: NewJob) -> AppResult<Option<Uuid>> {
    metrics::counter!("jobs_enqueued_total", "kind" => job.kind.clone()).increment(1);
    let tx = app.db.begin_write().await?;
    let id = jobs::enqueue(&tx, job, app.clock.now()).await?;
    switchyard_store::commit(tx).await?;
    Ok(id)
}

/// A page of jobs (all organizations: the operator's view).
pub async fn list(app: &App, filter: &JobFilter, page: Page) -> AppResult<(Vec<JobRow>, u64)> {
    Ok(jobs::list(app.db.conn(), filter, page).await?)
}

/// A page of the member's organization's jobs (admins only; never another organization's).
pub async fn list_for(
    app: &App,
    member: &crate::Member,
    mut filter: JobFilter,
    page: Page,
) -> AppResult<(Vec<JobRow>, u64)> {
    member.require_admin()?;
    filter.tenant = Some(member.tenant);
    Ok(jobs::list(app.db.conn(), &filter, page).await?)
}

/// Puts a dead job (or every dead job) back in the queue; returns how many.
pub async fn retry_dead(app: &App, id: Option<Uuid>) -> AppResult<u64> {
    let tx = app.db.begin_write().await?;
    let n = jobs::retry_dead(&tx, id, app.clock.now()).await?;
    switchyard_store::commit(tx).await?;
    Ok(n)
}

/// Deletes succeeded jobs that finished before `before`; returns how many.
pub async fn purge(app: &App, before: DateTime<Utc>) -> AppResult<u64> {
    let tx = app.db.begin_write().await?;
    let n = jobs::purge(&tx, before).await?;
    switchyard_store::commit(tx).await?;
    Ok(n)
}
