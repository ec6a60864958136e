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
use switchyard_test_support::{FreshDb, ServeProcess, SmtpSink};
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
