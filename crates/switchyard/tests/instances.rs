//! Background work across real `switchyard serve` processes sharing one database (the
//! backend `TEST_DATABASE_URL` selects): several instances finish each job exactly once and
//! run each schedule tick once, a worker killed with SIGKILL mid-job loses nothing, and
//! `switchyard jobs retry` brings a dead email back. Emails go to a local SMTP sink, whose
//! record of messages is the side effect that is counted.

use std::{
    collections::HashSet,
    process::Command,
    time::{Duration, Instant},
};

use sea_orm::{FromQueryResult, Statement};
use switchyard_app::{App, mail};
use switchyard_store::{Db, jobs::NewJob};
use switchyard_test_support::{
    FreshDb, PROCESS_PASSWORD, ServeProcess, SmtpSink, reqwest, setup_org,
};
use uuid::Uuid;

/// `switchyard serve` on `db` with extra environment.
fn serve(db: &FreshDb, env: &[(&str, &str)]) -> ServeProcess {
    ServeProcess::start(env!("CARGO_BIN_EXE_switchyard"), &db.url, env)
}

fn email(n: usize) -> NewJob {
    let id = Uuid::new_v4();
    let email = mail::Email {
        to: format!("person{n}@example.com"),
        subject: format!("Message {n}"),
        text: format!("Message {n}"),
        html: format!("<p>Message {n}</p>"),
        message_id: format!("<test.{id}@switchyard.test>"),
    };
    NewJob {
        kind: mail::EMAIL.into(),
        payload: serde_json::to_value(email).unwrap(),
        organization_id: None,
        run_at: chrono::Utc::now(),
        max_attempts: 5,
        dedupe_key: Some(format!("test:{id}")),
    }
}

/// Rows of `(state, attempts, n)` for the jobs of `kind`.
async fn job_states(db: &Db, kind: &str) -> Vec<(String, i32, i64)> {
    #[derive(FromQueryResult)]
    struct R {
        state: String,
        attempts: i32,
        n: i64,
    }
    R::find_by_statement(Statement::from_sql_and_values(
        db.conn().get_database_backend(),
        "SELECT state, attempts, COUNT(*) AS n FROM jobs WHERE kind = $1 \
         GROUP BY state, attempts ORDER BY state, attempts",
        [kind.into()],
    ))
    .all(db.conn())
    .await
    .expect("job states")
    .into_iter()
    .map(|r| (r.state, r.attempts, r.n))
    .collect()
}

/// Waits until `done` holds, failing the test after `limit`.
async fn wait_for<F, Fut>(what: &str, limit: Duration, mut done: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let start = Instant::now();
    while !done().await {
        assert!(start.elapsed() < limit, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn connect(db: &FreshDb) -> App {
    App::for_system(Db::connect(&db.url, 4).await.expect("connect"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_finish_ten_thousand_jobs_exactly_once_and_sweep_once_per_tick() {
    const JOBS: usize = 10_000;
    let fresh = FreshDb::new().await;
    let sink = SmtpSink::start().await;
    let smtp = sink.url();
    let env = [
        ("SWITCHYARD_SMTP_URL", smtp.as_str()),
        ("SWITCHYARD_SLA_INTERVAL", "1"),
    ];
    let started = Instant::now();
    // One after the other: the first applies the migrations.
    let a = serve(&fresh, &env);
    let b = serve(&fresh, &env);
    let app = connect(&fresh).await;

    let producers: Vec<_> = (0..8)
        .map(|p| {
            let app = app.clone();
            tokio::spawn(async move {
                for n in (p..JOBS).step_by(8) {
                    let id = switchyard_app::jobs::enqueue(&app, email(n)).await;
                    assert!(id.expect("enqueue").is_some());
                }
            })
        })
        .collect();
    for p in producers {
        p.await.unwrap();
    }
    wait_for("every email", Duration::from_secs(240), || async {
        sink.received_count() >= JOBS
    })
    .await;
    wait_for("every job to finish", Duration::from_secs(30), || async {
        job_states(&app.db, mail::EMAIL).await == [("succeeded".into(), 1, JOBS as i64)]
    })
    .await;
    // Let anything still in flight land before counting side effects.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let received = sink.received();
    let ids: HashSet<_> = received.iter().filter_map(|m| m.message_id()).collect();
    assert_eq!(received.len(), JOBS, "each email sent once");
    assert_eq!(ids.len(), JOBS, "no email sent twice");

    // Both instances did their share, and together exactly the whole.
    let series = r#"jobs_finished_total{kind="email",outcome="succeeded"}"#;
    let (by_a, by_b) = (a.counter(series).await, b.counter(series).await);
    assert_eq!(by_a + by_b, JOBS as f64);
    assert!(by_a > 0.0 && by_b > 0.0, "a: {by_a}, b: {by_b}");

    // Each one-second tick of the SLA sweep ran once, not once per instance.
    let elapsed = started.elapsed().as_secs_f64();
    let sweeps: i64 = job_states(&app.db, switchyard_app::schedule::SLA_SWEEP)
        .await
        .iter()
        .map(|(_, _, n)| n)
        .sum();
    assert!(sweeps >= 2, "the sweep ran ({sweeps})");
    assert!(
        (sweeps as f64) <= elapsed + 2.0,
        "{sweeps} sweeps in {elapsed:.1} s: a tick ran more than once"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_held_by_a_killed_worker_is_finished_by_another_instance_once_its_lease_expires() {
    let fresh = FreshDb::new().await;
    let sink = SmtpSink::start().await;
    let smtp = sink.url();
    let env = [
        ("SWITCHYARD_SMTP_URL", smtp.as_str()),
        ("SWITCHYARD_JOB_LEASE", "2s"),
    ];
    sink.stall_next(1);
    let mut first = serve(&fresh, &env);
    let app = connect(&fresh).await;
    switchyard_app::jobs::enqueue(&app, email(1))
        .await
        .unwrap()
        .unwrap();
    // The first instance is mid-send: it claimed the job and the sink holds its message.
    wait_for("the first send", Duration::from_secs(20), || async {
        !sink.stalled().is_empty()
    })
    .await;
    first.kill();
    assert_eq!(
        job_states(&app.db, mail::EMAIL).await,
        [("running".into(), 1, 1)]
    );

    let _second = serve(&fresh, &env);
    wait_for("the email", Duration::from_secs(20), || async {
        sink.received_count() == 1
    })
    .await;
    wait_for("the job to finish", Duration::from_secs(10), || async {
        job_states(&app.db, mail::EMAIL).await == [("succeeded".into(), 2, 1)]
    })
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let received = sink.received();
    assert_eq!(received.len(), 1, "sent once");
    assert_eq!(
        received[0].message_id(),
        sink.stalled()[0].message_id(),
        "the second attempt carries the first one's Message-ID"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jobs_retry_sends_a_dead_email_once_the_server_accepts() {
    let fresh = FreshDb::new().await;
    let sink = SmtpSink::start().await;
    let smtp = sink.url();
    sink.refuse_next(550, 1);
    let _server = serve(&fresh, &[("SWITCHYARD_SMTP_URL", smtp.as_str())]);
    let app = connect(&fresh).await;
    let id = switchyard_app::jobs::enqueue(&app, email(1))
        .await
        .unwrap()
        .unwrap();
    wait_for("the job to die", Duration::from_secs(20), || async {
        job_states(&app.db, mail::EMAIL).await == [("dead".into(), 1, 1)]
    })
    .await;
    assert_eq!(sink.received_count(), 0);

    let out = Command::new(env!("CARGO_BIN_EXE_switchyard"))
        .args(["jobs", "retry", &id.to_string()])
        .env("DATABASE_URL", &fresh.url)
        .env("RUST_LOG", "warn")
        .output()
        .expect("run switchyard jobs retry");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).contains('1'),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    wait_for("the retried email", Duration::from_secs(20), || async {
        sink.received_count() == 1
    })
    .await;
    wait_for("the job to finish", Duration::from_secs(10), || async {
        job_states(&app.db, mail::EMAIL).await == [("succeeded".into(), 1, 1)]
    })
    .await;
}

/// A JSON request to one of the instances; `(status, body)`.
async fn call(
    http: &reqwest::Client,
    method: reqwest::Method,
    url: String,
    token: Option<&str>,
    body: serde_json::Value,
) -> (u16, serde_json::Value) {
    let mut request = http.request(method, url).json(&body);
    if let Some(t) = token {
        request = request.bearer_auth(t);
    }
    let r = request.send().await.expect("request");
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or_default())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_driven_at_once_lose_no_update_hand_out_gapless_keys_and_share_throttling() {
    use reqwest::Method;
    use serde_json::json;
    let fresh = FreshDb::new().await;
    let env = [
        ("SWITCHYARD_SLA_INTERVAL", "1"),
        ("SWITCHYARD_LOGIN_FAILURES_PER_ACCOUNT", "3"),
        ("SWITCHYARD_RATE_LIMIT_PER_ADDRESS", "0"),
    ];
    let started = Instant::now();
    let a = serve(&fresh, &env);
    let b = serve(&fresh, &env);
    let http = reqwest::Client::new();
    let token = setup_org(&http, &a.url, "twins").await;
    let urls = [a.url.clone(), b.url.clone()];

    // 16 clients create 200 tasks through both instances: keys unique and gapless.
    let mut creators = tokio::task::JoinSet::new();
    for c in 0..16usize {
        let (http, token, urls) = (http.clone(), token.clone(), urls.clone());
        creators.spawn(async move {
            let mut keys = Vec::new();
            for n in (c..200).step_by(16) {
                let (status, t) = call(
                    &http,
                    Method::POST,
                    format!("{}/api/v1/tasks/", urls[n % 2]),
                    Some(&token),
                    json!({"title": format!("task {n}")}),
                )
                .await;
                assert_eq!(status, 201, "{t}");
                keys.push(t["task_key"].as_str().unwrap().to_string());
            }
            keys
        });
    }
    let mut keys: Vec<String> = creators.join_all().await.into_iter().flatten().collect();
    keys.sort();
    let expected: Vec<String> = (1..=200).map(|n| format!("TWIN-{n:04}")).collect();
    assert_eq!(keys, expected);

    // Concurrent PATCHes of different fields of one task, one through each instance: both
    // land, every round.
    let (_, task) = call(
        &http,
        Method::POST,
        format!("{}/api/v1/tasks/", a.url),
        Some(&token),
        json!({"title": "contended", "due_date": "2020-01-01T00:00:00Z"}),
    )
    .await;
    let id = task["id"].as_str().unwrap().to_string();
    for round in 0..30 {
        let title = call(
            &http,
            Method::PATCH,
            format!("{}/api/v1/tasks/{id}/", a.url),
            Some(&token),
            json!({"title": format!("title {round}")}),
        );
        let description = call(
            &http,
            Method::PATCH,
            format!("{}/api/v1/tasks/{id}/", b.url),
            Some(&token),
            json!({"description": format!("description {round}")}),
        );
        let ((s1, _), (s2, _)) = tokio::join!(title, description);
        assert_eq!((s1, s2), (200, 200));
        let (_, now) = call(
            &http,
            Method::GET,
            format!("{}/api/v1/tasks/{id}/", urls[round % 2]),
            Some(&token),
            json!(null),
        )
        .await;
        assert_eq!(now["title"], format!("title {round}"), "round {round}");
        assert_eq!(
            now["description"],
            format!("description {round}"),
            "round {round}"
        );
    }

    // Login throttling is shared: three failures spread over both instances lock the
    // account on both.
    for url in [&a.url, &b.url, &a.url] {
        let (status, _) = call(
            &http,
            Method::POST,
            format!("{url}/api/v1/auth/login/"),
            None,
            json!({"username": "twins_admin", "password": "wrong-password-1"}),
        )
        .await;
        assert_eq!(status, 401);
    }
    for url in [&a.url, &b.url] {
        let (status, body) = call(
            &http,
            Method::POST,
            format!("{url}/api/v1/auth/login/"),
            None,
            json!({"username": "twins_admin", "password": PROCESS_PASSWORD}),
        )
        .await;
        assert_eq!(status, 429, "{body}");
    }

    // The overdue task is flagged once, whichever instance's sweep ran each second.
    let app = connect(&fresh).await;
    wait_for(
        "the SLA sweep to flag the task",
        Duration::from_secs(20),
        || async {
            let (_, t) = call(
                &http,
                Method::GET,
                format!("{}/api/v1/tasks/{id}/", b.url),
                Some(&token),
                json!(null),
            )
            .await;
            t["sla_breached"] == true
        },
    )
    .await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    let (_, audit) = call(
        &http,
        Method::GET,
        format!("{}/api/v1/audit-logs/?task={id}&page_size=100", a.url),
        Some(&token),
        json!(null),
    )
    .await;
    let breaches = audit["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "sla_breached")
        .count();
    assert_eq!(breaches, 1);
    // And each one-second tick ran once across the two instances, not once per instance.
    let sweeps: i64 = job_states(&app.db, switchyard_app::schedule::SLA_SWEEP)
        .await
        .iter()
        .map(|(_, _, n)| n)
        .sum();
    let elapsed = started.elapsed().as_secs_f64();
    assert!(
        (sweeps as f64) <= elapsed + 2.0,
        "{sweeps} sweeps in {elapsed:.1} s"
    );
}
