//! What each subcommand does.

use std::time::Duration;

use anyhow::{Context, bail};
use switchyard_api::{AppState, telemetry};
use switchyard_app::{demo, jobs::Worker, mail, schedule};
use switchyard_store::{Db, DbOptions, migrate};

use crate::{
    cli::{Cli, Command, DbArgs, ServeArgs, SuperuserArgs},
    secret, settings,
};

/// Runs the chosen subcommand.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve(args) => serve(args).await,
        Command::Migrate(args) => {
            let db = open(&args).await?;
            let n = migrate(&db).await.context("applying migrations")?;
            println!("{n} migration(s) applied; the schema is up to date.");
            Ok(())
        }
        Command::SeedDemo(args) => {
            let db = create(&args).await?;
            let state = state(db, &args.database_url, true)?;
            if demo::seed(&state.app).await.map_err(api_err)? {
                print_demo_logins(None);
            } else {
                bail!(
                    "the database already holds organizations; the demo is only seeded into an empty database"
                );
            }
            Ok(())
        }
        Command::CreateSuperuser(args) => create_superuser(args).await,
        Command::SeedBench(args) => {
            let db = create(&args.db).await?;
            let state = state(db, &args.db.database_url, false)?;
            crate::seed_bench::run(&state, &args.org, args.tasks, args.users).await
        }
        Command::Jobs(args) => {
            let db = connect(&args.db).await?;
            crate::jobs_cli::run(&switchyard_app::App::for_system(db), args.action).await
        }
        Command::Backup(args) => crate::backup::run(args).await,
        Command::Audit(args) => {
            let db = connect(&args.db).await?;
            let state = state(db, &args.db.database_url, false)?;
            crate::audit_cli::run(&state.app, args.action).await
        }
        Command::CheckSla(args) => {
            let db = connect(&args.db).await?;
            crate::sla_cli::run(
                &switchyard_app::App::for_system(db),
                args.org.as_deref(),
                args.json,
                args.limit,
            )
            .await
        }
    }
}

fn api_err(e: switchyard_app::AppError) -> anyhow::Error {
    anyhow::anyhow!("{e}")
}

/// Opens an existing database and brings its schema up to date. Commands that only make
/// sense on a database that holds data start here: a mistyped SQLite path is an error, not
/// a new, empty file ("0 organization(s) checked").
async fn connect(args: &DbArgs) -> anyhow::Result<Db> {
    require_existing(args)?;
    create(args).await
}

/// Refuses a SQLite URL whose file does not exist (opening it would create an empty one).
pub(crate) fn require_existing(args: &DbArgs) -> anyhow::Result<()> {
    if let Some(path) = sqlite_path(&args.database_url)
        && !path.exists()
    {
        bail!(
            "no database at {} (check DATABASE_URL or --database-url; `switchyard migrate` creates one)",
            path.display()
        );
    }
    Ok(())
}

/// The file a `sqlite:` URL names (`sqlite://path?mode=rwc`, `sqlite:path`).
fn sqlite_path(url: &str) -> Option<std::path::PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or(url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next()?;
    (!path.is_empty() && path != ":memory:").then(|| std::path::PathBuf::from(path))
}

/// Opens the database, creating a SQLite file if there is none, and brings its schema up
/// to date: `serve`, `seed-demo` and `seed-bench` start here.
async fn create(args: &DbArgs) -> anyhow::Result<Db> {
    let db = open(args).await?;
    migrate(&db).await.context("applying migrations")?;
    Ok(db)
}

pub(crate) async fn open(args: &DbArgs) -> anyhow::Result<Db> {
    // PostgreSQL: measured on the 2-core benchmark machine, 10 connections serve 32
    // concurrent clients with a p99 about a third lower than 20 did, at equal or better
    // throughput (more backends than cores only queue inside the database).
    let max = args
        .db_pool_size
        .unwrap_or(if args.database_url.starts_with("sqlite:") {
            8
        } else {
            10
        });
    let options = DbOptions {
        max_connections: max,
        acquire_timeout: args.db_acquire_timeout,
        sqlite_max_size: args.sqlite_max_size,
    };
    let db = Db::open(&args.database_url, &options)
        .await
        .with_context(|| "connecting to the database")?;
    Ok(db)
}

fn state(db: Db, database_url: &str, demo: bool) -> anyhow::Result<AppState> {
    let secret = secret::resolve(database_url)?;
    let mut config = settings::api_config(secret, demo)?;
    let files = settings::files_url(database_url)?;
    // Checked (and a local directory created) here, so a bad URL stops the server at start.
    let store = switchyard_app::files::Files::open(Some(&files))
        .map_err(|e| anyhow::anyhow!("file storage: {e}"))?;
    tracing::info!(files = %store.description, "files are stored in {}", store.description);
    config.app.files_url = Some(files);
    Ok(AppState::new(db, config, telemetry::metrics_handle()))
}

fn print_demo_logins(addr: Option<&str>) {
    if let Some(addr) = addr {
        println!("\n  Switchyard is running at http://{addr}/");
        println!("  API docs: http://{addr}/api/docs/\n");
    }
    println!("  Demo organization: Sunshine Corporation (slug: sunshine)");
    println!("  Logins (password: {}):", demo::DEMO_PASSWORD);
    for (user, role, _) in demo::DEMO_USERS {
        println!("    {user:<14} {role}");
    }
    println!();
}

async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(limit) => tracing::debug!(limit, "open-file limit"),
        Err(e) => tracing::warn!(error = %e, "could not raise the open-file limit"),
    }
    let db = create(&args.db).await?;
    // The demo logins are offered (banner, login page) only when they really work.
    let mut demo_ready = false;
    if args.demo {
        let probe = state(db.clone(), &args.db.database_url, false)?;
        let seeded = demo::seed(&probe.app).await.map_err(api_err)?;
        demo_ready = demo::is_present(&probe.app).await.map_err(api_err)?;
        tracing::info!(seeded, present = demo_ready, "demo organization checked");
        if !demo_ready {
            tracing::warn!(
                "--demo: the database already holds other organizations, so the demo was not seeded and its logins are not offered"
            );
        }
    }
    let state = state(db.clone(), &args.db.database_url, demo_ready)?;
    let listener = tokio::net::TcpListener::bind(&args.addr)
        .await
        .with_context(|| format!("binding {}", args.addr))?;
    let addr = listener.local_addr()?.to_string();
    if demo_ready {
        print_demo_logins(Some(&addr));
    } else {
        println!("Switchyard is listening on http://{addr}/ (API docs: http://{addr}/api/docs/)");
    }
    match &state.app.mailer {
        mail::Mailer::Log => tracing::warn!(
            "SWITCHYARD_SMTP_URL is not set: emails are written to the log, not sent"
        ),
        mail::Mailer::Smtp { .. } => tracing::info!("emails go out through SWITCHYARD_SMTP_URL"),
    }
    let compaction = tokio::spawn(tally_compaction(db.clone()));
    let sla_every = (args.sla_interval > 0).then(|| Duration::from_secs(args.sla_interval));
    let scheduler = tokio::spawn(scheduler(
        state.app.clone(),
        schedule::system_schedules(sla_every),
    ));
    let (stop_worker, worker_stopped) = tokio::sync::oneshot::channel::<()>();
    let mut worker = Worker::new(state.app.clone(), switchyard_app::every_handler());
    worker.lease = args.job_lease;
    let worker = tokio::spawn(worker.run(Duration::from_millis(500), async {
        worker_stopped.await.ok();
    }));
    let router = switchyard_api::router(state);
    switchyard_api::serve_with(
        listener,
        router,
        shutdown_signal(),
        settings::serve_options()?,
    )
    .await?;
    scheduler.abort();
    compaction.abort();
    // The worker finishes the job it is running; its lease covers a stop mid-job.
    stop_worker.send(()).ok();
    // The worker finishes its batch and the pool closes, within a bounded time: a stuck
    // query or SMTP server must not hold the exit (unfinished jobs run again elsewhere).
    let wind_down = async {
        worker.await.ok();
        db.close().await.ok();
    };
    if tokio::time::timeout(Duration::from_secs(10), wind_down)
        .await
        .is_ok()
    {
        tracing::info!("shut down cleanly");
    } else {
        tracing::warn!("background work did not stop within 10 s; exiting anyway");
    }
    Ok(())
}

/// Folds the task-tally deltas that writers append (PostgreSQL) every few seconds, so
/// readers add a few rows rather than a growing log. Instances take turns by advisory lock.
async fn tally_compaction(db: Db) {
    let mut tick = tokio::time::interval(Duration::from_secs(5));
    loop {
        tick.tick().await;
        match switchyard_store::tallies::compact(&db).await {
            Ok(n) => tracing::debug!(folded = n, "task tallies compacted"),
            Err(e) => tracing::warn!(error = %e, "task tally compaction failed"),
        }
    }
}

/// Enqueues each due tick of the system's schedules, once across every instance.
async fn scheduler(app: switchyard_app::App, schedules: Vec<schedule::Schedule>) {
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if let Err(e) = schedule::tick(&app, &schedules).await {
            tracing::warn!(error = %e, "scheduler could not enqueue");
        }
    }
}

/// Resolves on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        tokio::signal::ctrl_c().await.ok();
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutdown requested; draining requests");
}

async fn create_superuser(args: SuperuserArgs) -> anyhow::Result<()> {
    let db = connect(&args.db).await?;
    let app = switchyard_app::App::for_system(db);
    let id = switchyard_app::users::create_superuser(
        &app,
        switchyard_app::users::NewSuperuser {
            username: args.username.clone(),
            email: args.email,
            password: args.password,
            org: args.org,
        },
    )
    .await
    .map_err(api_err)?;
    println!("Superuser '{}' created (id {id}).", args.username);
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    #[test]
    fn sqlite_urls_name_their_file() {
        assert_eq!(
            sqlite_path("sqlite://switchyard.db?mode=rwc"),
            Some(PathBuf::from("switchyard.db"))
        );
        assert_eq!(
            sqlite_path("sqlite:///tmp/x.db"),
            Some(PathBuf::from("/tmp/x.db"))
        );
        assert_eq!(sqlite_path("sqlite::memory:"), None);
    }
}
