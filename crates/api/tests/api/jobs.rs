//! The job queue and the scheduler, on whichever backend the environment selects: jobs live
//! and die with the change that enqueues them, run once per claim, retry with backoff, go
//! dead and come back, survive a crashed worker, and each schedule tick runs once.

use std::{
    collections::HashMap,
    sync::{
        Arc, Mutex,
        atomic::{AtomicUsize, Ordering},
    },
    time::Duration,
};

use chrono::{TimeZone, Utc};
use serde_json::json;
use switchyard_app::{
    UnitOfWork,
    jobs::{Handlers, JobFailure, Worker},
    schedule::{self, Every, Schedule},
};
use switchyard_store::{
    Page,
    jobs::{self, JobFilter, JobRow, JobState, NewJob},
};
use uuid::Uuid;

use crate::helpers::{ManualClock, TestApp};

fn job(kind: &str, max_attempts: i32) -> NewJob {
    NewJob {
        kind: kind.into(),
        payload: json!({}),
        organization_id: None,
        run_at: Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
        max_attempts,
        dedupe_key: None,
    }
}

async fn all_jobs(app: &TestApp) -> Vec<JobRow> {
    let page = Page {
        number: 1,
        size: 1000,
    };
    jobs::list(app.db.conn(), &JobFilter::default(), page)
        .await
        .unwrap()
        .0
}

async fn spawn_at(now: chrono::DateTime<Utc>) -> (TestApp, Arc<ManualClock>) {
    let clock = ManualClock::new(now);
    (TestApp::builder().clock(clock.clone()).spawn().await, clock)
}

fn start() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap()
}

#[tokio::test]
async fn a_job_exists_exactly_when_the_change_that_enqueued_it_commits() {
    let (app, _) = spawn_at(start()).await;
    let uow = UnitOfWork::begin(&app.app).await.unwrap();
    uow.enqueue(job("noop", 3)).await.unwrap();
    drop(uow);
    assert!(
        all_jobs(&app).await.is_empty(),
        "a rolled-back change left a job"
    );
    let uow = UnitOfWork::begin(&app.app).await.unwrap();
    uow.enqueue(NewJob {
        dedupe_key: Some("once".into()),
        ..job("noop", 3)
    })
    .await
    .unwrap();
    uow.commit().await.unwrap();
    let again = switchyard_app::jobs::enqueue(
        &app.app,
        NewJob {
            dedupe_key: Some("once".into()),
            ..job("noop", 3)
        },
    )
    .await
    .unwrap();
    assert_eq!(again, None, "the dedupe key admits one job");
    assert_eq!(all_jobs(&app).await.len(), 1);
}

#[tokio::test]
async fn transient_failures_retry_with_growing_backoff_until_the_job_succeeds() {
    let (app, clock) = spawn_at(start()).await;
    let calls = Arc::new(AtomicUsize::new(0));
    let seen = calls.clone();
    let handlers = Handlers::default().on("flaky", move |_, _| {
        let n = seen.fetch_add(1, Ordering::SeqCst);
        async move {
            if n < 2 {
                Err(JobFailure::Transient(format!("421 try again ({n})")))
            } else {
                Ok(())
            }
        }
    });
    let worker = Worker::new(app.app.clone(), handlers);
    switchyard_app::jobs::enqueue(&app.app, job("flaky", 5))
        .await
        .unwrap();

    assert_eq!(worker.run_once().await.unwrap(), 1);
    let after_one = all_jobs(&app).await.remove(0);
    assert_eq!(after_one.state, "pending");
    let wait = after_one.run_at - clock_now(&clock);
    assert!(
        (1500..=2500).contains(&wait.num_milliseconds()),
        "first retry after 2 s ± 25 %: {wait}"
    );
    assert_eq!(worker.run_once().await.unwrap(), 0, "not due yet");

    clock.advance(chrono::Duration::seconds(3));
    assert_eq!(worker.run_once().await.unwrap(), 1);
    let after_two = all_jobs(&app).await.remove(0);
    let wait = after_two.run_at - clock_now(&clock);
    assert!(
        (3000..=5000).contains(&wait.num_milliseconds()),
        "second retry after 4 s ± 25 %: {wait}"
    );
    assert_eq!(after_two.last_error.as_deref(), Some("421 try again (1)"));

    clock.advance(chrono::Duration::seconds(6));
    assert_eq!(worker.run_once().await.unwrap(), 1);
    let done = all_jobs(&app).await.remove(0);
    assert_eq!(done.state, "succeeded");
    assert_eq!(done.attempts, 3);
    assert_eq!(calls.load(Ordering::SeqCst), 3);
}

fn clock_now(clock: &ManualClock) -> chrono::DateTime<Utc> {
    use switchyard_domain::sla::Clock;
    clock.now()
}

#[tokio::test]
async fn dead_jobs_are_kept_with_their_error_and_run_again_when_retried() {
    let (app, clock) = spawn_at(start()).await;
    let healthy = Arc::new(AtomicUsize::new(0));
    let flag = healthy.clone();
    let handlers = Handlers::default()
        .on("refused", move |_, _| {
            let ok = flag.load(Ordering::SeqCst) > 0;
            async move {
                if ok {
                    Ok(())
                } else {
                    Err(JobFailure::Permanent("550 mailbox unavailable".into()))
                }
            }
        })
        .on("always_busy", |_, _| async {
            Err(JobFailure::Transient("421 busy".into()))
        });
    let worker = Worker::new(app.app.clone(), handlers);
    switchyard_app::jobs::enqueue(&app.app, job("refused", 5))
        .await
        .unwrap();
    switchyard_app::jobs::enqueue(&app.app, job("always_busy", 2))
        .await
        .unwrap();
    switchyard_app::jobs::enqueue(&app.app, job("unknown_kind", 5))
        .await
        .unwrap();
    worker.run_once().await.unwrap();
    clock.advance(chrono::Duration::minutes(5));
    worker.run_once().await.unwrap();

    let by_kind: HashMap<String, JobRow> = all_jobs(&app)
        .await
        .into_iter()
        .map(|j| (j.kind.clone(), j))
        .collect();
    let refused = &by_kind["refused"];
    assert_eq!((refused.state.as_str(), refused.attempts), ("dead", 1));
    assert_eq!(
        refused.last_error.as_deref(),
        Some("550 mailbox unavailable")
    );
    assert_eq!(
        (
            by_kind["always_busy"].state.as_str(),
            by_kind["always_busy"].attempts
        ),
        ("dead", 2),
        "out of attempts"
    );
    assert!(
        by_kind["unknown_kind"]
            .last_error
            .as_deref()
            .unwrap()
            .contains("no handler")
    );

    healthy.store(1, Ordering::SeqCst);
    let retried = switchyard_app::jobs::retry_dead(&app.app, Some(refused.id))
        .await
        .unwrap();
    assert_eq!(retried, 1);
    assert_eq!(worker.run_once().await.unwrap(), 1);
    let dead = jobs::list(
        app.db.conn(),
        &JobFilter {
            state: Some(JobState::Dead),
            ..Default::default()
        },
        Page {
            number: 1,
            size: 100,
        },
    )
    .await
    .unwrap();
    assert_eq!(dead.1, 2, "the other two stay dead until retried");
    let refused = all_jobs(&app)
        .await
        .into_iter()
        .find(|j| j.kind == "refused")
        .unwrap();
    assert_eq!(refused.state, "succeeded");
}

/// A worker whose `send` handler counts its runs.
fn counting_worker(app: &TestApp) -> (Worker, Arc<AtomicUsize>) {
    let runs = Arc::new(AtomicUsize::new(0));
    let counted = runs.clone();
    let worker = Worker::new(
        app.app.clone(),
        Handlers::default().on("send", move |_, _| {
            counted.fetch_add(1, Ordering::SeqCst);
            async { Ok(()) }
        }),
    );
    (worker, runs)
}

/// A worker ("crashed") claims every due job for 60 s and dies before finishing them.
async fn claim_and_crash(app: &TestApp, clock: &ManualClock) -> Vec<JobRow> {
    let now = clock_now(clock);
    let tx = app.db.begin_write().await.unwrap();
    let claimed = jobs::claim(&tx, "crashed", now, now + chrono::Duration::seconds(60), 10)
        .await
        .unwrap();
    switchyard_store::commit(tx).await.unwrap();
    claimed
}

#[tokio::test]
async fn a_crashed_workers_job_is_taken_over_after_its_lease_and_it_cannot_finish_it() {
    let (app, clock) = spawn_at(start()).await;
    let (worker, runs) = counting_worker(&app);
    switchyard_app::jobs::enqueue(&app.app, job("send", 5))
        .await
        .unwrap();
    // A worker claims the job and dies before finishing it.
    let claimed = claim_and_crash(&app, &clock).await;
    assert_eq!(claimed.len(), 1);

    assert_eq!(worker.run_once().await.unwrap(), 0, "the lease still holds");
    clock.advance(chrono::Duration::seconds(61));
    assert_eq!(worker.run_once().await.unwrap(), 1);
    assert_eq!(runs.load(Ordering::SeqCst), 1);
    let done = all_jobs(&app).await.remove(0);
    assert_eq!((done.state.as_str(), done.attempts), ("succeeded", 2));
    let tx = app.db.begin_write().await.unwrap();
    let late = jobs::succeed(&tx, claimed[0].id, "crashed", clock_now(&clock))
        .await
        .unwrap();
    switchyard_store::commit(tx).await.unwrap();
    assert!(!late, "the dead worker's lease is gone");
}

#[tokio::test]
async fn a_panicking_handler_makes_its_job_dead_and_spares_its_batch() {
    let (app, _) = spawn_at(start()).await;
    let handlers = Handlers::default()
        .on("boom", |_, _| async { panic!("a bug in the handler") })
        .on("fine", |_, _| async { Ok(()) });
    let worker = Worker::new(app.app.clone(), handlers);
    for kind in ["boom", "fine"] {
        switchyard_app::jobs::enqueue(&app.app, job(kind, 5))
            .await
            .unwrap();
    }
    assert_eq!(worker.run_once().await.unwrap(), 2);
    let mut by_kind: Vec<_> = all_jobs(&app)
        .await
        .into_iter()
        .map(|j| (j.kind, j.state, j.attempts, j.last_error))
        .collect();
    by_kind.sort();
    assert_eq!(
        by_kind,
        [
            (
                "boom".into(),
                "dead".into(),
                1,
                Some("the handler panicked".into())
            ),
            ("fine".into(), "succeeded".into(), 1, None),
        ]
    );
}

#[tokio::test]
async fn a_job_whose_worker_died_in_its_last_attempt_is_made_dead_not_run_again() {
    let (app, clock) = spawn_at(start()).await;
    let (worker, runs) = counting_worker(&app);
    switchyard_app::jobs::enqueue(&app.app, job("send", 1))
        .await
        .unwrap();
    // Its only attempt's worker dies.
    assert_eq!(claim_and_crash(&app, &clock).await.len(), 1);
    clock.advance(chrono::Duration::seconds(61));
    worker.run_once().await.unwrap();
    assert_eq!(runs.load(Ordering::SeqCst), 0, "not run past max_attempts");
    let dead = all_jobs(&app).await.remove(0);
    assert_eq!(dead.state, "dead");
    assert!(dead.last_error.unwrap().contains("lease expired"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn workers_side_by_side_run_every_job_exactly_once() {
    const JOBS: usize = 1000;
    let (app, _) = spawn_at(start()).await;
    let seen: Arc<Mutex<HashMap<Uuid, usize>>> = Arc::default();
    let record = seen.clone();
    let handlers = Handlers::default().on("count", move |_, job: JobRow| {
        *record.lock().unwrap().entry(job.id).or_default() += 1;
        async { Ok(()) }
    });
    let tx = app.db.begin_write().await.unwrap();
    for _ in 0..JOBS {
        jobs::enqueue(&tx, job("count", 3), start()).await.unwrap();
    }
    switchyard_store::commit(tx).await.unwrap();
    // Four workers with small batches, on four threads: claims overlap all the time.
    let drains = (0..4).map(|_| {
        let mut w = Worker::new(app.app.clone(), handlers.clone());
        w.batch = 4;
        tokio::spawn(async move {
            let mut total = 0;
            loop {
                let n = w.run_once().await.unwrap();
                if n == 0 {
                    return total;
                }
                total += n;
            }
        })
    });
    let mut ran = 0;
    for d in drains.collect::<Vec<_>>() {
        ran += d.await.unwrap();
    }
    assert_eq!(ran, JOBS);
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), JOBS);
    assert!(seen.values().all(|&n| n == 1), "a job ran twice");
    assert!(all_jobs(&app).await.iter().all(|j| j.state == "succeeded"));
}

#[tokio::test]
async fn each_schedule_tick_runs_once_across_instances_and_missed_ticks_run_once() {
    let (app, clock) = spawn_at(start()).await;
    let schedules = [Schedule {
        name: "every_minute",
        every: Every::Interval(Duration::from_secs(60)),
        job_kind: "noop",
    }];
    assert_eq!(schedule::tick(&app.app, &schedules).await.unwrap(), 1);
    // A second instance ticking in the same minute enqueues nothing.
    assert_eq!(schedule::tick(&app.app, &schedules).await.unwrap(), 0);
    clock.advance(chrono::Duration::seconds(30));
    assert_eq!(schedule::tick(&app.app, &schedules).await.unwrap(), 0);
    // Ten minutes of downtime: one run, not ten.
    clock.advance(chrono::Duration::minutes(10));
    assert_eq!(schedule::tick(&app.app, &schedules).await.unwrap(), 1);
    assert_eq!(schedule::tick(&app.app, &schedules).await.unwrap(), 0);
    assert_eq!(all_jobs(&app).await.len(), 2);
}

#[tokio::test]
async fn the_sla_sweep_housekeeping_and_audit_checkpoints_run_as_scheduled_jobs() {
    let (app, _) = spawn_at(start()).await;
    let org = app.setup_org("sched").await;
    let task = app
        .create_task(
            &org.admin,
            "Late",
            json!({"due_date": "2026-02-01T00:00:00Z"}),
        )
        .await;
    let schedules = schedule::system_schedules(Some(Duration::from_secs(60)));
    assert_eq!(schedule::tick(&app.app, &schedules).await.unwrap(), 3);
    let worker = Worker::new(app.app.clone(), schedule::system_handlers());
    assert_eq!(worker.run_once().await.unwrap(), 3);
    assert!(all_jobs(&app).await.iter().all(|j| j.state == "succeeded"));
    let detail = app
        .get(
            &format!("/api/v1/tasks/{}/", task["id"].as_str().unwrap()),
            &org.admin,
        )
        .await
        .expect(200)
        .body;
    assert_eq!(
        detail["sla_breached"], true,
        "the scheduled sweep flagged it"
    );
    let audit = switchyard_app::audit::verify(&app.app, Some("sched"))
        .await
        .unwrap();
    assert_eq!(audit[0].1.checkpoints, 1, "the scheduled job signed one");
    assert!(audit[0].1.problems.is_empty());
}

#[tokio::test]
async fn organization_admins_see_their_organizations_jobs_only() {
    let (app, _) = spawn_at(start()).await;
    let ours = app.setup_org("jobs-ours").await;
    let theirs = app.setup_org("jobs-theirs").await;
    let (_, manager) = app.add_user(&ours.admin, "mgr", "manager").await;
    let org_job = |org: &str, kind: &str| NewJob {
        organization_id: Some(org.parse().unwrap()),
        ..job(kind, 3)
    };
    for j in [
        org_job(&ours.id, "email"),
        org_job(&ours.id, "webhook"),
        org_job(&theirs.id, "email"),
        job("sla_sweep", 3),
    ] {
        switchyard_app::jobs::enqueue(&app.app, j).await.unwrap();
    }
    let listed = app
        .get("/api/v1/admin/jobs/", &ours.admin)
        .await
        .expect(200)
        .body;
    assert_eq!(listed["count"], 2, "{listed}");
    let kinds: Vec<&str> = listed["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|j| j["kind"].as_str().unwrap())
        .collect();
    assert!(kinds.contains(&"email") && kinds.contains(&"webhook"));
    let emails = app
        .get("/api/v1/admin/jobs/?kind=email&state=pending", &ours.admin)
        .await
        .expect(200)
        .body;
    assert_eq!(emails["count"], 1);
    app.get("/api/v1/admin/jobs/?state=sleeping", &ours.admin)
        .await
        .expect(400);
    app.get("/api/v1/admin/jobs/", &manager).await.expect(403);
}

#[tokio::test]
async fn an_idle_worker_on_postgresql_wakes_on_enqueue_instead_of_waiting_to_poll() {
    if crate::helpers::expected_backend() != switchyard_store::Backend::Postgres {
        return; // SQLite has no NOTIFY: its workers poll.
    }
    let app = TestApp::spawn().await;
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let handlers = Handlers::default().on("ping", move |_, _| {
        let tx = tx.clone();
        async move {
            tx.send(std::time::Instant::now()).ok();
            Ok(())
        }
    });
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let worker = tokio::spawn(Worker::new(app.app.clone(), handlers).run(
        Duration::from_secs(30),
        async {
            stopped.await.ok();
        },
    ));
    // Let it find the queue empty and start waiting.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut pickups = Vec::new();
    for _ in 0..5 {
        let sent = std::time::Instant::now();
        switchyard_app::jobs::enqueue(
            &app.app,
            NewJob {
                run_at: Utc::now() - chrono::Duration::seconds(1),
                ..job("ping", 1)
            },
        )
        .await
        .unwrap();
        let ran = tokio::time::timeout(Duration::from_secs(5), rx.recv())
            .await
            .expect("the worker woke up (its poll interval is 30 s)")
            .unwrap();
        pickups.push(ran - sent);
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    stop.send(()).ok();
    worker.await.unwrap();
    assert!(
        pickups.iter().all(|d| *d < Duration::from_millis(1000)),
        "{pickups:?}"
    );
}

#[tokio::test]
async fn housekeeping_purges_succeeded_jobs_past_the_retention_and_keeps_dead_ones() {
    let (app, clock) = spawn_at(start()).await;
    let worker = Worker::new(
        app.app.clone(),
        Handlers::default()
            .on("done", |_, _| async { Ok(()) })
            .on("broken", |_, _| async {
                Err(JobFailure::Permanent("550".into()))
            }),
    );
    for kind in ["done", "broken"] {
        switchyard_app::jobs::enqueue(&app.app, job(kind, 1))
            .await
            .unwrap();
    }
    worker.run_once().await.unwrap();
    clock.advance(chrono::Duration::days(6));
    switchyard_app::jobs::enqueue(&app.app, job("done", 1))
        .await
        .unwrap();
    worker.run_once().await.unwrap();
    // Eight days after the first two finished, two after the third (retention: 7 days).
    clock.advance(chrono::Duration::days(2));
    let purged = schedule::housekeeping(&app.app).await.unwrap();
    assert_eq!(purged, 1);
    let mut left: Vec<String> = all_jobs(&app)
        .await
        .into_iter()
        .map(|j| format!("{} {}", j.kind, j.state))
        .collect();
    left.sort();
    assert_eq!(left, ["broken dead", "done succeeded"]);
}
