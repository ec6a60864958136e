//! The `switchyard` binary's database commands, run as a user runs them, against a fresh
//! database of the backend `TEST_DATABASE_URL` selects (SQLite when unset).

use std::process::{Command, Output};

use sea_orm::{ConnectionTrait, FromQueryResult, Statement, TransactionTrait};
use switchyard_store::{Backend, Db, bulk, tallies::Tally};
use switchyard_test_support::FreshDb;

fn switchyard(args: &[&str]) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_switchyard"))
        .args(args)
        .env(
            "SWITCHYARD_JWT_SECRET",
            "cli-test-secret-cli-test-secret-cli-test",
        )
        .env("RUST_LOG", "warn")
        .output()
        .expect("run switchyard");
    assert!(
        out.status.success(),
        "switchyard {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// One number; `$1`, where the query has it, is the organization.
async fn scalar(db: &Db, sql: &str, org: Option<uuid::Uuid>) -> i64 {
    #[derive(FromQueryResult)]
    struct R {
        v: i64,
    }
    let values: Vec<sea_orm::Value> = org.map(Into::into).into_iter().collect();
    R::find_by_statement(Statement::from_sql_and_values(
        db.conn().get_database_backend(),
        sql,
        values,
    ))
    .one(db.conn())
    .await
    .expect(sql)
    .expect("a row")
    .v
}

/// Every index, constraint and trigger (with whether it is enabled), as one sorted text.
async fn schema(db: &Db) -> String {
    #[derive(FromQueryResult)]
    struct R {
        v: String,
    }
    let sql = match db.backend() {
        Backend::Postgres => {
            "SELECT string_agg(x, E'\\n' ORDER BY x) AS v FROM ( \
               SELECT 'index ' || indexname || ': ' || indexdef AS x FROM pg_indexes WHERE schemaname = current_schema() \
               UNION ALL SELECT 'constraint ' || conrelid::regclass || '.' || conname || ': ' || pg_get_constraintdef(oid) \
                 FROM pg_constraint WHERE connamespace = current_schema()::regnamespace \
               UNION ALL SELECT 'trigger ' || tgrelid::regclass || '.' || tgname || ': ' || tgenabled::text \
                 FROM pg_trigger WHERE NOT tgisinternal) s"
        }
        Backend::Sqlite => {
            "SELECT group_concat(x, char(10)) AS v FROM ( \
               SELECT type || ' ' || name || ': ' || COALESCE(sql, '') AS x FROM sqlite_master \
               WHERE name NOT LIKE 'sqlite_stat%' ORDER BY x) s"
        }
    };
    R::find_by_statement(Statement::from_string(
        db.conn().get_database_backend(),
        sql,
    ))
    .one(db.conn())
    .await
    .expect("schema")
    .expect("a row")
    .v
}

/// The tallies, and the same counts straight from the tasks, both sorted.
async fn tallies_and_truth(
    db: &Db,
    tenant: switchyard_store::Tenant,
) -> (Vec<String>, Vec<String>) {
    let show = |t: &Tally| {
        format!(
            "{} {} {} {} {} {} {}",
            t.workflow_id,
            t.current_state,
            t.priority,
            t.task_type,
            t.unassigned,
            t.sla_breached,
            t.n
        )
    };
    let mut kept: Vec<String> =
        switchyard_store::tallies::all(db.conn(), tenant, &Default::default())
            .await
            .expect("tallies")
            .iter()
            .map(show)
            .collect();
    let mut truth: Vec<String> = Tally::find_by_statement(Statement::from_sql_and_values(
        db.conn().get_database_backend(),
        "SELECT workflow_id, current_state, priority, task_type, assigned_to IS NULL AS unassigned, \
           sla_breached, COUNT(*) AS n FROM tasks WHERE organization_id = $1 \
         GROUP BY workflow_id, current_state, priority, task_type, assigned_to IS NULL, sla_breached",
        [tenant.id().into()],
    ))
    .all(db.conn())
    .await
    .expect("truth")
    .iter()
    .map(show)
    .collect();
    kept.sort();
    truth.sort();
    (kept, truth)
}

#[tokio::test]
async fn migrate_reports_what_it_applied() {
    let fresh = FreshDb::new().await;
    let first = switchyard(&["migrate", "--database-url", &fresh.url]);
    let first = String::from_utf8_lossy(&first.stdout);
    assert!(first.starts_with("23 migration(s) applied"), "{first}");
    let again = switchyard(&["migrate", "--database-url", &fresh.url]);
    let again = String::from_utf8_lossy(&again.stdout);
    assert!(again.starts_with("0 migration(s) applied"), "{again}");
}

#[tokio::test]
async fn seed_bench_loads_a_consistent_organization_and_leaves_the_schema_as_it_was() {
    let fresh = FreshDb::new().await;
    switchyard(&["migrate", "--database-url", &fresh.url]);
    let db = fresh.connect(4).await;
    let before = schema(&db).await;

    // Into an empty database: on PostgreSQL the loader sets indexes, keys and triggers aside.
    let out = switchyard(&[
        "seed-bench",
        "--database-url",
        &fresh.url,
        "--org",
        "sb",
        "--tasks",
        "3000",
        "--users",
        "12",
    ]);
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("Seeded 3000 tasks and 12 people into 'sb'"),
        "{said}"
    );
    if fresh.backend == Backend::Postgres {
        assert!(said.contains("Restoring 34/34: tasks triggers"), "{said}");
    }
    assert_eq!(schema(&db).await, before, "the load changed the schema");

    let (tenant, _) = switchyard_store::sla::all_tenants(db.conn())
        .await
        .unwrap()
        .into_iter()
        .find(|(_, slug)| slug == "sb")
        .expect("organization sb");
    let org = tenant.id();
    // (tasks, distinct keys, the organization's task counter, tasks created per the audit log)
    let numbers = || async {
        let mut out = [0i64; 4];
        for (i, sql) in [
            "SELECT COUNT(*) AS v FROM tasks WHERE organization_id = $1",
            "SELECT COUNT(DISTINCT task_key) AS v FROM tasks WHERE organization_id = $1",
            "SELECT task_seq AS v FROM organizations WHERE id = $1",
            "SELECT COUNT(*) AS v FROM audit_logs WHERE organization_id = $1 AND action = 'created'",
        ]
        .into_iter()
        .enumerate()
        {
            out[i] = scalar(&db, sql, Some(org)).await;
        }
        out
    };
    assert_eq!(numbers().await, [3000; 4]);
    let comments = scalar(
        &db,
        "SELECT COUNT(*) AS v FROM comments WHERE organization_id = $1",
        Some(org),
    )
    .await;
    assert!((300..900).contains(&comments), "{comments} comments");
    assert_eq!(
        scalar(
            &db,
            "SELECT COUNT(*) AS v FROM tasks WHERE organization_id = $1 AND task_key = 'SB-3000'",
            Some(org)
        )
        .await,
        1
    );
    let (kept, truth) = tallies_and_truth(&db, tenant).await;
    assert_eq!(kept, truth, "tallies differ from the tasks");

    // A smaller load into the same organization keeps everything in place and numbers on.
    let out = switchyard(&[
        "seed-bench",
        "--database-url",
        &fresh.url,
        "--org",
        "sb",
        "--tasks",
        "500",
        "--users",
        "12",
    ]);
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(!said.contains("Restoring"), "{said}");
    assert_eq!(schema(&db).await, before);
    assert_eq!(numbers().await, [3500; 4]);
    let (kept, truth) = tallies_and_truth(&db, tenant).await;
    assert_eq!(
        kept, truth,
        "tallies differ from the tasks after the second load"
    );
    // Both loads joined the organization's audit chain, one after the other.
    let verified = switchyard(&[
        "audit",
        "verify",
        "--org",
        "sb",
        "--database-url",
        &fresh.url,
    ]);
    let verified = String::from_utf8_lossy(&verified.stdout);
    let entries = scalar(
        &db,
        "SELECT COUNT(*) AS v FROM audit_logs WHERE organization_id = $1",
        Some(org),
    )
    .await;
    assert!(
        verified.starts_with(&format!("sb: OK ({entries} entries")),
        "{verified}"
    );
}

#[tokio::test]
async fn a_failed_bulk_load_leaves_schema_and_rows_as_they_were() {
    let fresh = FreshDb::new().await;
    if fresh.backend != Backend::Postgres {
        // The COPY loader is PostgreSQL's; on SQLite it refuses rather than misbehaves.
        let db = fresh.connect(4).await;
        let err = bulk::PgLoader::begin(&db, 1).await.err().expect("refused");
        assert!(err.to_string().contains("needs PostgreSQL"), "{err}");
        return;
    }
    switchyard(&[
        "seed-bench",
        "--database-url",
        &fresh.url,
        "--org",
        "sb",
        "--tasks",
        "200",
        "--users",
        "3",
    ]);
    let db = fresh.connect(4).await;
    let before = schema(&db).await;
    let (tenant, _) = switchyard_store::sla::all_tenants(db.conn()).await.unwrap()[0];

    // A task in a workflow that does not exist: no key is checked during the copy, so the
    // load only fails when the keys come back at the end.
    let now = switchyard_store::now();
    let orphan = bulk::SeedTask {
        id: uuid::Uuid::now_v7(),
        task_key: "SB-9999".into(),
        title: "Orphan\twith a tab".into(),
        description: "line one\nline two \\ backslash".into(),
        workflow_id: uuid::Uuid::now_v7(),
        current_state: "open".into(),
        priority: "low".into(),
        task_type: "bug".into(),
        tags: vec!["x".into()],
        team_id: None,
        assigned_to: None,
        created_by: None,
        due_date: None,
        sla_breached: false,
        resolved_at: None,
        created_at: now,
        project_id: None,
    };
    let mut loader = bulk::PgLoader::begin(&db, 1_000).await.expect("begin");
    assert!(loader.steps_to_finish() > 20);
    loader
        .write(&bulk::CopyBatch::new(
            tenant,
            std::slice::from_ref(&orphan),
            &[],
            &[],
        ))
        .await
        .expect("rows are copied unchecked");
    let err = loader
        .finish(|_| {})
        .await
        .expect_err("the foreign key must fail");
    assert!(err.to_string().contains("tasks_workflow_fkey"), "{err}");

    assert_eq!(
        schema(&db).await,
        before,
        "a failed load changed the schema"
    );
    assert_eq!(
        scalar(&db, "SELECT COUNT(*) AS v FROM tasks", None).await,
        200
    );

    // The same task in the real workflow loads, and its text survives the COPY encoding.
    #[derive(FromQueryResult)]
    struct Wf {
        id: uuid::Uuid,
    }
    let wf = Wf::find_by_statement(Statement::from_string(
        db.conn().get_database_backend(),
        "SELECT id FROM workflows WHERE is_default",
    ))
    .one(db.conn())
    .await
    .unwrap()
    .unwrap();
    let task = bulk::SeedTask {
        workflow_id: wf.id,
        ..orphan
    };
    let mut loader = bulk::PgLoader::begin(&db, 1).await.expect("begin");
    assert_eq!(
        loader.steps_to_finish(),
        0,
        "a small load keeps indexes in place"
    );
    loader
        .write(&bulk::CopyBatch::new(
            tenant,
            std::slice::from_ref(&task),
            &[],
            &[],
        ))
        .await
        .unwrap();
    loader.finish(|_| {}).await.unwrap();
    #[derive(FromQueryResult, Debug, PartialEq)]
    struct Text {
        title: String,
        description: String,
    }
    let stored = Text::find_by_statement(Statement::from_string(
        db.conn().get_database_backend(),
        "SELECT title, description FROM tasks WHERE task_key = 'SB-9999'",
    ))
    .one(db.conn())
    .await
    .unwrap();
    assert_eq!(
        stored,
        Some(Text {
            title: task.title,
            description: task.description
        })
    );
}

#[test]
fn a_pool_size_out_of_range_is_refused_before_connecting() {
    let out = Command::new(env!("CARGO_BIN_EXE_switchyard"))
        .args(["migrate", "--database-url", "sqlite::memory:"])
        .env("SWITCHYARD_DB_POOL_SIZE", "0")
        .output()
        .expect("run switchyard");
    assert!(!out.status.success());
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("SWITCHYARD_DB_POOL_SIZE") || said.contains("--db-pool-size"),
        "{said}"
    );
    assert!(
        said.contains("1..=1000") || said.contains("not in"),
        "{said}"
    );
}

#[tokio::test]
async fn jobs_commands_list_retry_and_purge() {
    use switchyard_store::jobs::{self, NewJob};
    let fresh = FreshDb::new().await;
    switchyard(&["migrate", "--database-url", &fresh.url]);
    let db = fresh.connect(4).await;
    let long_ago = chrono::Utc::now() - chrono::Duration::days(3);
    let new = |kind: &str| NewJob {
        kind: kind.into(),
        payload: serde_json::json!({}),
        organization_id: None,
        run_at: long_ago,
        max_attempts: 1,
        dedupe_key: None,
    };
    let tx = db.begin_write().await.unwrap();
    for kind in ["email", "webhook", "report"] {
        jobs::enqueue(&tx, new(kind), long_ago).await.unwrap();
    }
    // A worker takes all three: the email dies, the report succeeds, the webhook stays running.
    let claimed = jobs::claim(
        &tx,
        "w",
        long_ago,
        chrono::Utc::now() + chrono::Duration::hours(1),
        10,
    )
    .await
    .unwrap();
    for j in &claimed {
        match j.kind.as_str() {
            "email" => {
                jobs::fail(&tx, j.id, "w", "550 no such user", None, long_ago)
                    .await
                    .unwrap();
            }
            "report" => {
                jobs::succeed(&tx, j.id, "w", long_ago).await.unwrap();
            }
            _ => {}
        }
    }
    switchyard_store::commit(tx).await.unwrap();

    let out = switchyard(&[
        "jobs",
        "--database-url",
        &fresh.url,
        "list",
        "--state",
        "dead",
    ]);
    let listed = String::from_utf8_lossy(&out.stdout);
    assert!(
        listed.contains("email") && listed.contains("550 no such user"),
        "{listed}"
    );
    assert!(listed.contains("1 of 1 job(s) shown."), "{listed}");
    let out = switchyard(&["jobs", "--database-url", &fresh.url, "retry", "--all-dead"]);
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("1 dead job(s) queued again."));
    let out = switchyard(&[
        "jobs",
        "--database-url",
        &fresh.url,
        "list",
        "--state",
        "pending",
    ]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("email"));
    let out = switchyard(&[
        "jobs",
        "--database-url",
        &fresh.url,
        "purge",
        "--finished-before",
        "1d",
    ]);
    assert!(
        String::from_utf8_lossy(&out.stdout).starts_with("1 succeeded job(s) purged."),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let out = switchyard(&["jobs", "--database-url", &fresh.url, "list"]);
    let all = String::from_utf8_lossy(&out.stdout);
    assert!(
        all.contains("2 of 2 job(s) shown.") && !all.contains("report"),
        "{all}"
    );
}

#[test]
fn commands_that_read_data_refuse_to_create_a_new_sqlite_file() {
    let dir = std::env::temp_dir().join(format!("switchyard-missing-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let missing = dir.join("typo.db");
    let url = format!("sqlite://{}?mode=rwc", missing.display());
    for args in [
        vec!["check-sla", "--database-url", &url],
        vec!["jobs", "--database-url", &url, "list"],
        vec!["backup", "--database-url", &url, "/tmp/never-written.db"],
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_switchyard"))
            .args(&args)
            .env("RUST_LOG", "warn")
            .output()
            .expect("run switchyard");
        assert!(!out.status.success(), "{args:?} succeeded");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("no database at"), "{args:?}: {stderr}");
        assert!(!missing.exists(), "{args:?} created {}", missing.display());
        // No colour codes when the output is not a terminal.
        assert!(!stderr.contains('\u{1b}'), "{args:?}: {stderr:?}");
    }
    std::fs::remove_dir_all(dir).ok();
}

/// `serve --demo` on a database that already holds another organization seeds nothing and
/// offers no demo logins (neither in its banner nor on the login page); on an empty one it
/// offers them and they work.
#[tokio::test]
async fn demo_logins_are_offered_only_when_the_demo_organization_is_there() {
    use switchyard_test_support::{ServeProcess, reqwest, setup_org};
    let http = reqwest::Client::new();
    let bin = env!("CARGO_BIN_EXE_switchyard");

    let occupied = FreshDb::new().await;
    {
        let plain = ServeProcess::start(bin, &occupied.url, &[]);
        setup_org(&http, &plain.url, "someone-else").await;
    }
    let demo = ServeProcess::start(bin, &occupied.url, &[("SWITCHYARD_DEMO", "true")]);
    let page = http
        .get(&demo.url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!page.contains("data-demo-users"), "{page}");
    drop(demo);

    let empty = FreshDb::new().await;
    let demo = ServeProcess::start(bin, &empty.url, &[("SWITCHYARD_DEMO", "true")]);
    let page = http
        .get(&demo.url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("data-demo-users=\"admin_user,"), "{page}");
    let login = http
        .post(format!("{}/api/v1/auth/login/", demo.url))
        .json(&serde_json::json!({"username": "dev_alice", "password": "testpass123"}))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 200);
}

/// A second `create-superuser` with a taken username says so in words.
#[tokio::test]
async fn a_taken_superuser_username_is_named() {
    let fresh = FreshDb::new().await;
    switchyard(&["migrate", "--database-url", &fresh.url]);
    let args = [
        "create-superuser",
        "--database-url",
        fresh.url.as_str(),
        "--username",
        "ops",
        "--password",
        "Blue-Quartz-Harbor-77",
    ];
    switchyard(&args);
    let again = Command::new(env!("CARGO_BIN_EXE_switchyard"))
        .args(args)
        .env("RUST_LOG", "warn")
        .output()
        .expect("run switchyard");
    assert!(!again.status.success());
    let stderr = String::from_utf8_lossy(&again.stderr);
    assert!(stderr.contains("username 'ops' is taken"), "{stderr}");
}

/// `check-sla --limit` lists at most that many tasks of each kind and says how many more.
#[tokio::test]
async fn check_sla_lists_at_most_the_limit_and_counts_the_rest() {
    let fresh = FreshDb::new().await;
    switchyard(&["seed-demo", "--database-url", &fresh.url]);
    let out = switchyard(&["check-sla", "--database-url", &fresh.url, "--limit", "1"]);
    let text = String::from_utf8_lossy(&out.stdout);
    let count = |status: &str| {
        text.lines()
            .filter(|l| l.trim_start().starts_with(status))
            .count()
    };
    assert_eq!(count("BREACHED"), 1, "{text}");
    assert_eq!(count("AT RISK"), 1, "{text}");
    assert!(text.contains("more (raise --limit"), "{text}");
}

#[tokio::test]
async fn audit_verify_passes_on_the_demo_and_names_the_first_tampered_entry() {
    let fresh = FreshDb::new().await;
    switchyard(&["seed-demo", "--database-url", &fresh.url]);
    let ok = switchyard(&["audit", "verify", "--database-url", &fresh.url]);
    let ok = String::from_utf8_lossy(&ok.stdout);
    assert!(ok.starts_with("sunshine: OK ("), "{ok}");
    assert!(ok.contains("1 organization(s) verified."), "{ok}");

    // Someone with write access to the database rewrites entry #5 behind the triggers.
    let db = fresh.connect(1).await;
    let tx = db.conn().begin().await.unwrap();
    match db.backend() {
        Backend::Postgres => tx
            .execute_unprepared("SET LOCAL session_replication_role = replica")
            .await
            .unwrap(),
        Backend::Sqlite => tx
            .execute_unprepared("DROP TRIGGER audit_logs_no_update")
            .await
            .unwrap(),
    };
    tx.execute_unprepared("UPDATE audit_logs SET reason = 'approved' WHERE seq = 5")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    db.close().await.ok();

    let out = Command::new(env!("CARGO_BIN_EXE_switchyard"))
        .args([
            "audit",
            "verify",
            "--org",
            "sunshine",
            "--database-url",
            &fresh.url,
        ])
        .env(
            "SWITCHYARD_JWT_SECRET",
            "cli-test-secret-cli-test-secret-cli-test",
        )
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.starts_with("sunshine: FAILED at #5: entry #5 was modified"),
        "{stdout}"
    );
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("the audit log of 1 of 1 organization(s) does not verify")
    );
    let unknown = Command::new(env!("CARGO_BIN_EXE_switchyard"))
        .args([
            "audit",
            "verify",
            "--org",
            "nope",
            "--database-url",
            &fresh.url,
        ])
        .env(
            "SWITCHYARD_JWT_SECRET",
            "cli-test-secret-cli-test-secret-cli-test",
        )
        .output()
        .unwrap();
    assert_eq!(unknown.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("No organization with slug 'nope'."));
}

/// Migration 21 recounts the tallies of an existing database per project: a database at
/// migration 20 with tasks in and out of a project counts them right afterwards.
#[tokio::test]
async fn project_tallies_count_the_tasks_already_there() {
    let fresh = FreshDb::new().await;
    let db = fresh.connect(2).await;
    switchyard_store::migrate_up_to(&db, 20)
        .await
        .expect("migrate to 20");
    let (org, wf, project) = (
        uuid::Uuid::now_v7(),
        uuid::Uuid::now_v7(),
        uuid::Uuid::now_v7(),
    );
    let now = chrono::Utc::now();
    let c = db.conn();
    let run = |sql: &str, values: Vec<sea_orm::Value>| {
        c.execute_raw(Statement::from_sql_and_values(
            c.get_database_backend(),
            sql,
            values,
        ))
    };
    run(
        "INSERT INTO organizations (id, name, slug, allowed_roles, allowed_priorities, allowed_task_types, created_at, updated_at) \
         VALUES ($1, 'Old', 'old', '[\"admin\"]', '[\"high\"]', '[\"bug\"]', $2, $2)",
        vec![org.into(), now.into()],
    )
    .await
    .expect("organization");
    run(
        "INSERT INTO workflows (id, organization_id, name, allowed_states, initial_state, final_states, created_at, updated_at) \
         VALUES ($1, $2, 'Flow', '[\"open\",\"done\"]', 'open', '[\"done\"]', $3, $3)",
        vec![wf.into(), org.into(), now.into()],
    )
    .await
    .expect("workflow");
    run(
        "INSERT INTO projects (id, organization_id, project_key, name, status, visibility, created_at, updated_at) \
         VALUES ($1, $2, 'OLD', 'Old work', 'active', 'private', $3, $3)",
        vec![project.into(), org.into(), now.into()],
    )
    .await
    .expect("project");
    for (i, in_project) in [true, true, false].into_iter().enumerate() {
        run(
            "INSERT INTO tasks (id, organization_id, task_key, title, workflow_id, current_state, priority, task_type, tags, created_at, updated_at, project_id) \
             VALUES ($1, $2, $3, 'T', $4, 'open', 'high', 'bug', '[]', $5, $5, $6)",
            vec![
                uuid::Uuid::now_v7().into(),
                org.into(),
                format!("OLD-{i}").into(),
                wf.into(),
                now.into(),
                in_project.then_some(project).into(),
            ],
        )
        .await
        .expect("task");
    }
    assert_eq!(
        switchyard_store::migrate_up_to(&db, 21)
            .await
            .expect("migrate 21"),
        1
    );
    let (tenant, _) = switchyard_store::sla::all_tenants(db.conn())
        .await
        .expect("tenants")
        .into_iter()
        .find(|(t, _)| t.id() == org)
        .expect("the organization");
    for (project, expected) in [(None, 3), (Some(project), 2)] {
        let f = switchyard_store::tasks::TaskFilter {
            project,
            ..Default::default()
        };
        let n = switchyard_store::tallies::count_matching(db.conn(), tenant, &f)
            .await
            .expect("count");
        assert_eq!(n, Some(expected), "{project:?}");
    }
}
