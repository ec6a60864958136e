//! `switchyard-bench-jobs`: the job queue's throughput (no-op jobs per second, drained by
//! N workers on M instances) and its pickup latency (from a job's commit to its handler's
//! start, idle workers, with and without PostgreSQL wake-ups). See `bench/README.md`.
//!
//! Instances are simulated as separate connection pools and worker sets in one process;
//! each has the pool size a `serve` has.

use std::{
    sync::{
        Arc, Mutex,
        atomic::{AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use clap::Parser;
use switchyard_app::{
    App,
    jobs::{Handlers, Worker},
};
use switchyard_store::{
    ConnectionTrait, Db,
    jobs::{self, NewJob},
};

#[derive(Debug, Parser)]
#[command(
    name = "switchyard-bench-jobs",
    about = "Job queue throughput and pickup latency"
)]
struct Args {
    /// A database to use (migrated first; its jobs table is emptied).
    #[arg(long)]
    database_url: String,
    /// No-op jobs for the throughput run.
    #[arg(long, default_value_t = 20_000)]
    jobs: usize,
    /// Simulated instances (each its own pool and workers).
    #[arg(long, default_value_t = 1)]
    instances: usize,
    /// Workers per instance.
    #[arg(long, default_value_t = 2)]
    workers: usize,
    /// Jobs for the pickup-latency run (enqueued one at a time, 20 ms apart).
    #[arg(long, default_value_t = 200)]
    pickups: usize,
}

fn no_op(counter: Arc<AtomicUsize>, started: Arc<Mutex<Vec<Duration>>>) -> Handlers {
    Handlers::default().on("noop", move |app: App, job| {
        counter.fetch_add(1, Ordering::Relaxed);
        let lag = (app.clock.now() - job.run_at).to_std().unwrap_or_default();
        started.lock().unwrap().push(lag);
        async { Ok(()) }
    })
}

fn new_job(app: &App) -> NewJob {
    NewJob {
        kind: "noop".into(),
        payload: serde_json::json!({}),
        organization_id: None,
        run_at: app.clock.now(),
        max_attempts: 1,
        dedupe_key: None,
    }
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let pool_size = if args.database_url.starts_with("sqlite") {
        8
    } else {
        10
    };
    let mut apps = Vec::new();
    for _ in 0..args.instances.max(1) {
        let db = Db::connect(&args.database_url, pool_size).await?;
        apps.push(App::for_system(db));
    }
    switchyard_store::migrate(&apps[0].db).await?;
    apps[0]
        .db
        .conn()
        .execute_unprepared("DELETE FROM jobs")
        .await?;

    // Throughput: enqueue, then drain with every worker of every instance.
    let app = &apps[0];
    let t = Instant::now();
    for chunk in (0..args.jobs).collect::<Vec<_>>().chunks(1000) {
        let tx = app.db.begin_write().await?;
        for _ in chunk {
            jobs::enqueue(&tx, new_job(app), app.clock.now()).await?;
        }
        switchyard_store::commit(tx).await?;
    }
    let enqueue_rate = args.jobs as f64 / t.elapsed().as_secs_f64();
    let done = Arc::new(AtomicUsize::new(0));
    let lags = Arc::new(Mutex::new(Vec::new()));
    let t = Instant::now();
    let mut drains = Vec::new();
    for app in &apps {
        for _ in 0..args.workers {
            let mut w = Worker::new(app.clone(), no_op(done.clone(), lags.clone()));
            w.batch = 32;
            drains.push(tokio::spawn(async move {
                while w.run_once().await.unwrap_or(0) > 0 {}
            }));
        }
    }
    for d in drains {
        d.await?;
    }
    let secs = t.elapsed().as_secs_f64();
    println!(
        "| throughput | {} instance(s) x {} worker(s) | {} jobs | {:.0} jobs/s drained | {:.0} jobs/s enqueued |",
        args.instances,
        args.workers,
        done.load(Ordering::Relaxed),
        done.load(Ordering::Relaxed) as f64 / secs,
        enqueue_rate
    );

    // Pickup latency: idle workers, one job at a time.
    for wake in [true, false] {
        let lags = Arc::new(Mutex::new(Vec::new()));
        let counter = Arc::new(AtomicUsize::new(0));
        let (stop, _) = tokio::sync::watch::channel(false);
        let mut running = Vec::new();
        for app in &apps {
            for _ in 0..args.workers {
                let mut w = Worker::new(app.clone(), no_op(counter.clone(), lags.clone()));
                w.wake = wake;
                let mut rx = stop.subscribe();
                running.push(tokio::spawn(w.run(
                    Duration::from_millis(500),
                    async move {
                        rx.changed().await.ok();
                    },
                )));
            }
        }
        tokio::time::sleep(Duration::from_millis(700)).await;
        for _ in 0..args.pickups {
            switchyard_app::jobs::enqueue(&apps[0], new_job(&apps[0])).await?;
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        while counter.load(Ordering::Relaxed) < args.pickups {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        stop.send(true).ok();
        for r in running {
            r.await?;
        }
        let mut lags = lags.lock().unwrap().clone();
        lags.sort();
        println!(
            "| pickup, wake-ups {} | {} instance(s) x {} worker(s) | {} jobs | p50 {:.1} ms | p99 {:.1} ms |",
            if wake { "on" } else { "off (poll 500 ms)" },
            args.instances,
            args.workers,
            lags.len(),
            percentile(&lags, 0.5),
            percentile(&lags, 0.99)
        );
    }
    Ok(())
}
