//! What `switchyard serve` promises when its database fails under it, tested on a real
//! process: a full SQLite disk, a read-only PostgreSQL database and a PostgreSQL server that
//! goes away. Writes are refused with a fast `503` and `Retry-After`, nothing acknowledged is
//! lost, reads go on where they can, and service resumes on its own.

use std::{
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use sea_orm::{ConnectionTrait, FromQueryResult, Statement};
use serde_json::{Value, json};
use switchyard_store::{Backend, Db};
use switchyard_test_support::{
    FreshDb, PROCESS_PASSWORD, ServeProcess, create_task, reqwest, setup_org, task_count,
};
use tokio::{io::AsyncWriteExt, net::TcpListener, task::JoinSet};

fn serve(url: &str, env: &[(&str, &str)]) -> ServeProcess {
    ServeProcess::start(env!("CARGO_BIN_EXE_switchyard"), url, env)
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap()
}

/// One create through the API: `(status, body, Retry-After)`.
async fn create(
    http: &reqwest::Client,
    base: &str,
    token: &str,
    title: &str,
    description: &str,
) -> Result<(u16, Value, Option<String>), reqwest::Error> {
    create_task(
        http,
        base,
        token,
        json!({"title": title, "description": description}),
    )
    .await
}

/// Asserts that each task (an acknowledged create) is there.
async fn assert_tasks_exist(
    http: &reqwest::Client,
    base: &str,
    token: &str,
    ids: impl IntoIterator<Item = &String>,
) {
    for id in ids {
        let r = http
            .get(format!("{base}/api/v1/tasks/{id}/"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "acknowledged task {id} is gone");
    }
}

/// Asserts a refusal is the fault answer: 503, `unavailable`, a `Retry-After`.
fn assert_unavailable(status: u16, body: &Value, retry: &Option<String>) {
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["code"], "unavailable", "{body}");
    assert!(retry.is_some(), "503 without Retry-After: {body}");
}

async fn scalar(db: &Db, sql: &str) -> i64 {
    #[derive(FromQueryResult)]
    struct R {
        v: i64,
    }
    R::find_by_statement(Statement::from_string(
        db.conn().get_database_backend(),
        sql,
    ))
    .one(db.conn())
    .await
    .expect(sql)
    .expect("a row")
    .v
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_sqlite_disk_refuses_writes_with_503_loses_nothing_and_recovers_when_space_returns()
{
    let fresh = FreshDb::new().await;
    if fresh.backend != Backend::Sqlite {
        eprintln!("SQLite only: the disk-full path of PostgreSQL is the server's own");
        return;
    }
    const QUOTA: u64 = 4 << 20;
    let quota = QUOTA.to_string();
    let env = [("SWITCHYARD_SQLITE_MAX_SIZE", quota.as_str())];
    let server = serve(&fresh.url, &env);
    let http = client();
    let token = setup_org(&http, &server.url, "faults").await;

    // Another program fills the disk (the test's own connection has no quota), leaving
    // room for a few dozen tasks.
    let outside = Db::connect(&fresh.url, 1).await.unwrap();
    let c = outside.conn();
    c.execute_unprepared("CREATE TABLE ballast (b BLOB)")
        .await
        .unwrap();
    let pages = |db: Db| async move {
        scalar(&db, "SELECT page_count AS v FROM pragma_page_count()").await
    };
    while (pages(outside.clone()).await as u64) < QUOTA / 4096 - 60 {
        c.execute_unprepared("INSERT INTO ballast VALUES (randomblob(16000))")
            .await
            .unwrap();
    }

    // Four writers create tasks until each has been refused three times in a row.
    let description = "x".repeat(3000);
    let acknowledged = Arc::new(Mutex::new(Vec::<(String, String)>::new()));
    let mut writers = JoinSet::new();
    for w in 0..4 {
        let (http, base, token) = (http.clone(), server.url.clone(), token.clone());
        let (description, acknowledged) = (description.clone(), acknowledged.clone());
        writers.spawn(async move {
            let (mut refused_in_a_row, mut refusals) = (0, 0);
            let mut n = 0;
            while refused_in_a_row < 3 {
                n += 1;
                let (status, body, retry) =
                    create(&http, &base, &token, &format!("w{w} #{n}"), &description)
                        .await
                        .unwrap();
                if status == 201 {
                    refused_in_a_row = 0;
                    acknowledged.lock().unwrap().push((
                        body["id"].as_str().unwrap().to_string(),
                        body["task_key"].as_str().unwrap().to_string(),
                    ));
                } else {
                    assert_unavailable(status, &body, &retry);
                    refused_in_a_row += 1;
                    refusals += 1;
                }
                assert!(n < 500, "the disk never filled");
            }
            refusals
        });
    }
    let refusals: i32 = writers.join_all().await.into_iter().sum();
    assert!(refusals >= 12);
    let before = acknowledged.lock().unwrap().clone();
    assert!(before.len() >= 5, "only {} tasks fitted", before.len());

    // Reads go on while the disk is full, and agree with what was acknowledged.
    assert_eq!(
        task_count(&http, &server.url, &token).await,
        (200, before.len() as i64)
    );
    // As large as the refused ones: a smaller task may still fit in a partly used page.
    let (status, body, retry) = create(&http, &server.url, &token, "still full", &description)
        .await
        .unwrap();
    assert_unavailable(status, &body, &retry);

    // Space comes back: writes work at once, without a restart, and keys go on.
    c.execute_unprepared("DROP TABLE ballast").await.unwrap();
    let mut after = Vec::new();
    for n in 0..5 {
        let (status, body, _) = create(&http, &server.url, &token, &format!("after {n}"), "")
            .await
            .unwrap();
        assert_eq!(status, 201, "{body}");
        after.push(body["task_key"].as_str().unwrap().to_string());
    }

    // After a restart every acknowledged task is there, and no key was handed out twice.
    drop(server);
    let server = serve(&fresh.url, &env);
    let total = before.len() + after.len();
    assert_eq!(
        task_count(&http, &server.url, &token).await,
        (200, total as i64)
    );
    assert_tasks_exist(&http, &server.url, &token, before.iter().map(|(id, _)| id)).await;
    let mut keys: Vec<_> = before.iter().map(|(_, k)| k.clone()).chain(after).collect();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), total, "a task key was handed out twice");
    assert_eq!(
        scalar(
            &outside,
            "SELECT COUNT(*) AS v FROM pragma_integrity_check() WHERE integrity_check = 'ok'"
        )
        .await,
        1
    );
}

/// `ALTER DATABASE <name> SET …` for the database `url` names (new sessions take it).
async fn alter_database(url: &str, setting: &str) {
    let name = url.rsplit('/').next().unwrap().split('?').next().unwrap();
    let db = Db::connect(url, 1).await.unwrap();
    db.conn()
        .execute_unprepared(&format!("ALTER DATABASE {name} SET {setting}"))
        .await
        .unwrap();
    db.close().await.ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_only_postgres_database_starts_serves_reads_and_answers_503_to_writes() {
    let fresh = FreshDb::new().await;
    if fresh.backend != Backend::Postgres {
        eprintln!("PostgreSQL only");
        return;
    }
    let http = client();
    let token = {
        let server = serve(&fresh.url, &[]);
        let token = setup_org(&http, &server.url, "faults").await;
        let (status, body, _) = create(&http, &server.url, &token, "before", "")
            .await
            .unwrap();
        assert_eq!(status, 201, "{body}");
        token
    };
    alter_database(&fresh.url, "default_transaction_read_only = on").await;

    // Nothing to migrate, so it starts.
    let server = serve(&fresh.url, &[]);
    let ready = http
        .get(format!("{}/health/ready", server.url))
        .send()
        .await
        .unwrap();
    assert_eq!(ready.status(), 503);
    assert!(ready.headers().contains_key("retry-after"));
    let body: Value = ready.json().await.unwrap();
    assert!(
        body["detail"].as_str().unwrap().contains("read-only"),
        "{body}"
    );

    let (status, body, retry) = create(&http, &server.url, &token, "refused", "")
        .await
        .unwrap();
    assert_unavailable(status, &body, &retry);
    let login = http
        .post(format!("{}/api/v1/auth/login/", server.url))
        .json(&json!({"username": "faults_admin", "password": PROCESS_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 503);
    assert_eq!(task_count(&http, &server.url, &token).await, (200, 1));
}

/// A TCP proxy in front of PostgreSQL that can be taken down (port closed, connections cut)
/// and brought back on the same port.
struct Proxy {
    port: u16,
    tasks: Option<JoinSet<()>>,
}

impl Proxy {
    async fn start() -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let mut proxy = Proxy { port, tasks: None };
        proxy.run(listener);
        proxy
    }

    fn run(&mut self, listener: TcpListener) {
        let mut tasks = JoinSet::new();
        let connections = Arc::new(Mutex::new(Vec::<tokio::task::AbortHandle>::new()));
        let cut = connections.clone();
        tasks.spawn(async move {
            let _cut_on_drop = AbortAll(cut);
            while let Ok((mut client, _)) = listener.accept().await {
                let handle = tokio::spawn(async move {
                    if let Ok(mut server) = tokio::net::TcpStream::connect("127.0.0.1:5432").await {
                        tokio::io::copy_bidirectional(&mut client, &mut server)
                            .await
                            .ok();
                    }
                });
                connections.lock().unwrap().push(handle.abort_handle());
            }
        });
        self.tasks = Some(tasks);
    }

    /// The database goes away: no new connections, existing ones cut.
    fn down(&mut self) {
        self.tasks = None;
    }

    /// The database is back on the same port.
    async fn up(&mut self) {
        let listener = TcpListener::bind(("127.0.0.1", self.port)).await.unwrap();
        self.run(listener);
    }
}

struct AbortAll(Arc<Mutex<Vec<tokio::task::AbortHandle>>>);

impl Drop for AbortAll {
    fn drop(&mut self) {
        for h in self.0.lock().unwrap().drain(..) {
            h.abort();
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn while_postgres_is_away_requests_fail_fast_with_503_and_service_resumes_within_a_second() {
    let fresh = FreshDb::new().await;
    if fresh.backend != Backend::Postgres {
        eprintln!("PostgreSQL only");
        return;
    }
    let mut proxy = Proxy::start().await;
    let name = fresh.url.rsplit('/').next().unwrap();
    let via_proxy = format!("postgres://postgres@127.0.0.1:{}/{name}", proxy.port);
    let server = serve(&via_proxy, &[("SWITCHYARD_DB_ACQUIRE_TIMEOUT", "2s")]);
    let http = client();
    let token = setup_org(&http, &server.url, "faults").await;

    // 16 clients create tasks and read the list in a loop, each request logged.
    #[derive(Clone, Copy)]
    struct Call {
        start: Instant,
        took: Duration,
        status: u16,
    }
    let calls = Arc::new(Mutex::new(Vec::<Call>::new()));
    let created = Arc::new(Mutex::new(Vec::<String>::new()));
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut clients = JoinSet::new();
    for c in 0..16 {
        let (http, base, token) = (http.clone(), server.url.clone(), token.clone());
        let (calls, created, stop) = (calls.clone(), created.clone(), stop.clone());
        clients.spawn(async move {
            let mut n = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                n += 1;
                let start = Instant::now();
                let status = if n % 2 == 0 {
                    match create(&http, &base, &token, &format!("c{c} #{n}"), "").await {
                        Ok((201, body, _)) => {
                            created
                                .lock()
                                .unwrap()
                                .push(body["id"].as_str().unwrap().into());
                            201
                        }
                        Ok((status, body, retry)) => {
                            if status == 503 {
                                assert_unavailable(status, &body, &retry);
                            }
                            status
                        }
                        Err(_) => 0,
                    }
                } else {
                    task_count(&http, &base, &token).await.0
                };
                calls.lock().unwrap().push(Call {
                    start,
                    took: start.elapsed(),
                    status,
                });
                if status != 200 && status != 201 {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
        });
    }

    tokio::time::sleep(Duration::from_secs(2)).await;
    let down_at = Instant::now();
    proxy.down();
    // Readiness says so within a second (each probe answers within a second).
    let mut ready_503 = None;
    while ready_503.is_none() && down_at.elapsed() < Duration::from_secs(5) {
        let probe = Instant::now();
        let r = http
            .get(format!("{}/health/ready", server.url))
            .send()
            .await
            .unwrap();
        assert!(probe.elapsed() < Duration::from_millis(1500));
        if r.status() == 503 {
            ready_503 = Some(down_at.elapsed());
        }
    }
    let ready_503 = ready_503.expect("readiness never said 503");
    assert!(ready_503 < Duration::from_millis(1500), "{ready_503:?}");
    tokio::time::sleep(Duration::from_secs(6).saturating_sub(down_at.elapsed())).await;
    proxy.up().await;
    let up_at = Instant::now();
    tokio::time::sleep(Duration::from_secs(3)).await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    clients.join_all().await;

    let calls = calls.lock().unwrap().clone();
    assert!(
        calls.iter().all(|c| [200, 201, 503].contains(&c.status)),
        "statuses: {:?}",
        calls
            .iter()
            .map(|c| c.status)
            .collect::<std::collections::BTreeSet<_>>()
    );
    // While it was away (after the first second), requests answered 503 within 3 s.
    let during: Vec<_> = calls
        .iter()
        .filter(|c| c.start > down_at + Duration::from_secs(1) && c.start + c.took < up_at)
        .collect();
    assert!(during.len() >= 16, "only {} calls while away", during.len());
    let fast_503 = during
        .iter()
        .filter(|c| c.status == 503 && c.took < Duration::from_secs(3))
        .count();
    assert!(
        fast_503 * 100 >= during.len() * 95,
        "{fast_503} of {} answered 503 within 3 s",
        during.len()
    );
    // Back within a second of the database.
    let first_ok = calls
        .iter()
        .map(|c| c.start + c.took)
        .zip(calls.iter())
        .filter(|(end, c)| *end > up_at && (c.status == 200 || c.status == 201))
        .map(|(end, _)| end)
        .min()
        .expect("no success after the database came back");
    assert!(
        first_ok - up_at < Duration::from_secs(1),
        "first success {:?} after the database came back",
        first_ok - up_at
    );
    // Every acknowledged task is there (a refused create may have committed after all:
    // its answer, not its change, was lost).
    let created = created.lock().unwrap().clone();
    assert!(task_count(&http, &server.url, &token).await.1 >= created.len() as i64);
    assert_tasks_exist(&http, &server.url, &token, &created).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_exits_within_the_shutdown_deadline_despite_a_half_sent_request_and_a_trickling_body()
 {
    let fresh = FreshDb::new().await;
    let mut server = serve(
        &fresh.url,
        &[
            ("SWITCHYARD_SHUTDOWN_TIMEOUT", "2s"),
            ("SWITCHYARD_HEADER_TIMEOUT", "60s"),
            ("SWITCHYARD_BODY_TIMEOUT", "60s"),
        ],
    );
    let addr = server.url.trim_start_matches("http://").to_string();
    let mut half = tokio::net::TcpStream::connect(&addr).await.unwrap();
    half.write_all(b"GET /health/live HTTP/1.1\r\nHost: t\r\nX-Half: ")
        .await
        .unwrap();
    let mut trickle = tokio::net::TcpStream::connect(&addr).await.unwrap();
    trickle
        .write_all(b"POST /api/v1/auth/login/ HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{")
        .await
        .unwrap();
    let trickling = tokio::spawn(async move {
        for _ in 0..100 {
            if trickle.write_all(b" ").await.is_err() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    let asked = Instant::now();
    server.terminate();
    let status = tokio::task::spawn_blocking(move || {
        let status = server.wait_exit(Duration::from_secs(10));
        (status, server)
    })
    .await
    .unwrap()
    .0;
    let took = asked.elapsed();
    assert!(status.is_some(), "still running 10 s after SIGTERM");
    assert!(took < Duration::from_secs(5), "exited after {took:?}");
    assert!(status.unwrap().success());
    trickling.abort();
    drop(half);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_hundred_silent_connections_under_a_256_descriptor_limit_do_not_lock_clients_out() {
    if std::process::Command::new("prlimit")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("skipped: needs prlimit (util-linux)");
        return;
    }
    let fresh = FreshDb::new().await;
    let mut command = std::process::Command::new("prlimit");
    command.args(["--nofile=256:256", env!("CARGO_BIN_EXE_switchyard")]);
    let server =
        ServeProcess::start_command(command, &fresh.url, &[("SWITCHYARD_HEADER_TIMEOUT", "2s")]);
    let addr = server.url.trim_start_matches("http://").to_string();
    let mut silent = Vec::new();
    for _ in 0..300 {
        silent.push(tokio::net::TcpStream::connect(&addr).await.unwrap());
    }
    // Once the silent connections time out, a new client is served.
    let http = client();
    let started = Instant::now();
    let mut served = false;
    while started.elapsed() < Duration::from_secs(20) {
        let probe = reqwest::Client::builder()
            .timeout(Duration::from_secs(2))
            .build()
            .unwrap();
        if let Ok(r) = probe
            .get(format!("{}/health/live", server.url))
            .send()
            .await
            && r.status() == 200
        {
            served = true;
            break;
        }
    }
    assert!(served, "no client served within 20 s");
    // And, once the last of them are gone, the database is in reach again.
    drop(silent);
    let mut ready = 0;
    while started.elapsed() < Duration::from_secs(30) && ready != 200 {
        ready = http
            .get(format!("{}/health/ready", server.url))
            .send()
            .await
            .map_or(0, |r| r.status().as_u16());
    }
    assert_eq!(ready, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sqlite_write_lock_held_past_the_busy_timeout_answers_503_then_writes_resume() {
    let fresh = FreshDb::new().await;
    if fresh.backend != Backend::Sqlite {
        eprintln!("SQLite only");
        return;
    }
    let server = serve(&fresh.url, &[]);
    let http = client();
    let token = setup_org(&http, &server.url, "locked").await;
    // Another process (here: the test) holds the write lock.
    let other = Db::connect(&fresh.url, 1).await.unwrap();
    let held = other.begin_write().await.unwrap();
    let started = Instant::now();
    let (status, body, retry) = create(&http, &server.url, &token, "waits", "")
        .await
        .unwrap();
    let waited = started.elapsed();
    assert_unavailable(status, &body, &retry);
    assert!(body["detail"].as_str().unwrap().contains("busy"), "{body}");
    assert!(
        waited >= Duration::from_secs(4) && waited < Duration::from_secs(8),
        "answered after {waited:?}"
    );
    drop(held);
    let (status, body, _) = create(&http, &server.url, &token, "after", "")
        .await
        .unwrap();
    assert_eq!(status, 201, "{body}");
    assert_eq!(task_count(&http, &server.url, &token).await, (200, 1));
}
