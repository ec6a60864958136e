//! Backups as an operator takes them: `switchyard backup` on SQLite while the server is
//! writing, and `pg_dump`/`pg_restore` on PostgreSQL; the copy serves every task it holds,
//! each with its audit trail, and the audit chain (signed checkpoints included) verifies in
//! the copy.

use std::{
    process::Command,
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicUsize, Ordering},
    },
    time::Duration,
};

use sea_orm::{FromQueryResult, Statement};
use serde_json::json;
use switchyard_store::{Backend, Db};
use switchyard_test_support::{
    FreshDb, PROCESS_SECRET, ServeProcess, create_task, reqwest, setup_org, task_count,
};

fn serve(url: &str) -> ServeProcess {
    ServeProcess::start(env!("CARGO_BIN_EXE_switchyard"), url, &[])
}

/// `switchyard audit ARGS` against `url`, with the servers' key; returns (success, stdout).
fn audit(url: &str, args: &[&str]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_switchyard"))
        .arg("audit")
        .args(args)
        .env("DATABASE_URL", url)
        .env("SWITCHYARD_JWT_SECRET", PROCESS_SECRET)
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

/// `switchyard audit checkpoint` against `url`; afterwards a signed checkpoint vouches for
/// at least the whole log as it stood before the call. (The server signs on its own schedule
/// too, so the command may find the head signed already and sign nothing.)
async fn checkpoint_now(url: &str) {
    #[derive(FromQueryResult)]
    struct R {
        seq: i64,
    }
    let db = Db::connect(url, 1).await.unwrap();
    let read = |sql: &'static str| {
        let db = &db;
        async move {
            R::find_by_statement(Statement::from_string(
                db.conn().get_database_backend(),
                sql,
            ))
            .one(db.conn())
            .await
            .unwrap()
            .map_or(0, |r| r.seq)
        }
    };
    let head = read("SELECT COALESCE(MAX(seq), 0) AS seq FROM audit_chain_heads").await;
    assert!(head > 0, "nothing to sign");
    let (ok, signed) = audit(url, &["checkpoint"]);
    assert!(
        ok && (signed.starts_with("1 checkpoint(s) signed")
            || signed.starts_with("0 checkpoint(s) signed")),
        "{signed}"
    );
    let vouched = read("SELECT COALESCE(MAX(seq), 0) AS seq FROM audit_checkpoints").await;
    assert!(
        vouched >= head,
        "checkpoint at #{vouched}, head was #{head}"
    );
    db.close().await.ok();
}

/// `(tasks, tasks with their "created" audit entry)` in `db`.
async fn tasks_and_trails(db: &Db) -> (i64, i64) {
    #[derive(FromQueryResult)]
    struct R {
        tasks: i64,
        trailed: i64,
    }
    let r = R::find_by_statement(Statement::from_string(
        db.conn().get_database_backend(),
        "SELECT (SELECT COUNT(*) FROM tasks) AS tasks, \
           (SELECT COUNT(*) FROM tasks t WHERE EXISTS (SELECT 1 FROM audit_logs a \
              WHERE a.task_id = t.id AND a.action = 'created')) AS trailed",
    ))
    .one(db.conn())
    .await
    .unwrap()
    .unwrap();
    (r.tasks, r.trailed)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sqlite_backup_taken_under_load_is_consistent_and_serves() {
    let fresh = FreshDb::new().await;
    if fresh.backend != Backend::Sqlite {
        eprintln!("SQLite only (PostgreSQL: pg_dump, tested below)");
        return;
    }
    let server = serve(&fresh.url);
    let http = reqwest::Client::new();
    let token = setup_org(&http, &server.url, "kept").await;

    // Four writers keep creating tasks while the backup runs.
    let stop = Arc::new(AtomicBool::new(false));
    let created = Arc::new(AtomicUsize::new(0));
    let mut writers = tokio::task::JoinSet::new();
    for w in 0..4 {
        let (http, base, token) = (http.clone(), server.url.clone(), token.clone());
        let (stop, created) = (stop.clone(), created.clone());
        writers.spawn(async move {
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                n += 1;
                let body = json!({"title": format!("w{w} #{n}"), "description": "x".repeat(500)});
                let (status, _, _) = create_task(&http, &base, &token, body).await.unwrap();
                assert_eq!(status, 201);
                created.fetch_add(1, Ordering::Relaxed);
            }
        });
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    checkpoint_now(&fresh.url).await;
    let dir = std::env::temp_dir().join(format!("switchyard-backup-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let copy = dir.join("copy.db");
    let backup = || {
        Command::new(env!("CARGO_BIN_EXE_switchyard"))
            .args(["backup", copy.to_str().unwrap()])
            .env("DATABASE_URL", &fresh.url)
            .output()
            .unwrap()
    };
    let out = backup();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("Backup written to"));
    tokio::time::sleep(Duration::from_millis(300)).await;
    stop.store(true, Ordering::Relaxed);
    writers.join_all().await;
    let total = created.load(Ordering::Relaxed) as i64;

    // A second backup to the same path is refused, not overwritten.
    let again = backup();
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("exists already"));

    // The copy is one consistent moment: every task in it has its audit trail.
    let copy_url = format!("sqlite://{}?mode=rw", copy.display());
    let copied = Db::connect(&copy_url, 1).await.unwrap();
    let (tasks, trailed) = tasks_and_trails(&copied).await;
    assert!(tasks > 0 && tasks <= total, "{tasks} of {total}");
    assert_eq!(tasks, trailed, "a task without its audit entry");
    copied.close().await.ok();
    let (ok, verified) = audit(&copy_url, &["verify"]);
    assert!(ok, "{verified}");
    assert!(verified.starts_with("kept: OK ("), "{verified}");
    assert!(!verified.contains(" 0 signed checkpoint(s)"), "{verified}");

    // Restored (the file put in place), it serves those tasks.
    drop(server);
    let restored = serve(&copy_url);
    assert_eq!(task_count(&http, &restored.url, &token).await, (200, tasks));
    drop(restored);
    std::fs::remove_dir_all(dir).ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_postgres_dump_restores_into_a_new_database_that_serves() {
    let fresh = FreshDb::new().await;
    if fresh.backend != Backend::Postgres {
        eprintln!("PostgreSQL only");
        return;
    }
    let server = serve(&fresh.url);
    let http = reqwest::Client::new();
    let token = setup_org(&http, &server.url, "kept").await;
    for n in 0..25 {
        let body = json!({"title": format!("task {n}")});
        let (status, _, _) = create_task(&http, &server.url, &token, body).await.unwrap();
        assert_eq!(status, 201);
    }
    checkpoint_now(&fresh.url).await;
    let dir = std::env::temp_dir().join(format!("switchyard-dump-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let dump = dir.join("switchyard.dump");
    // The README's commands.
    let out = Command::new("pg_dump")
        .args([
            "--format=custom",
            "--file",
            dump.to_str().unwrap(),
            &fresh.url,
        ])
        .output()
        .expect("pg_dump (postgresql-client)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let target = FreshDb::new().await;
    let out = Command::new("pg_restore")
        .args([
            "--no-owner",
            "--exit-on-error",
            "--dbname",
            &target.url,
            dump.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    drop(server);
    let (ok, verified) = audit(&target.url, &["verify"]);
    assert!(ok, "{verified}");
    assert!(verified.starts_with("kept: OK (25 entries, "), "{verified}");
    assert!(!verified.contains(" 0 signed checkpoint(s)"), "{verified}");
    let restored = serve(&target.url);
    assert_eq!(task_count(&http, &restored.url, &token).await, (200, 25));
    let db = Db::connect(&target.url, 1).await.unwrap();
    assert_eq!(tasks_and_trails(&db).await, (25, 25));
    // Writes go on where they left off.
    let (_, r, _) = create_task(&http, &restored.url, &token, json!({"title": "after"}))
        .await
        .unwrap();
    assert_eq!(r["task_key"], "KEPT-0026");
    db.close().await.ok();
    drop(restored);
    std::fs::remove_dir_all(dir).ok();
}
