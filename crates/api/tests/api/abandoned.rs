//! Clients that give up mid-request (a timeout, a closed tab) cannot leave half a change or
//! a pooled connection inside a transaction: a request that may write runs to completion on
//! its own task, and a connection returns to the pool only outside any transaction — which
//! PostgreSQL would otherwise say in its warnings ("there is already a transaction in
//! progress"), captured here as the driver receives them.

use std::{
    sync::{Arc, Mutex, OnceLock},
    time::Duration,
};

use rand::Rng;
use sea_orm::{FromQueryResult, Statement};
use serde_json::json;

use crate::helpers::TestApp;

#[derive(Debug, FromQueryResult, PartialEq)]
struct Check {
    id: String,
    version: i64,
    updates: i64,
}

/// PostgreSQL's notices and warnings to this process's connections (sqlx reports them as
/// tracing events with the target `sqlx::postgres::notice`).
fn postgres_notices() -> Arc<Mutex<Vec<String>>> {
    static SEEN: OnceLock<Arc<Mutex<Vec<String>>>> = OnceLock::new();
    SEEN.get_or_init(|| {
        let seen = Arc::new(Mutex::new(Vec::new()));
        // Nothing else in this test binary installs a subscriber; if something did, the
        // self-check below fails rather than the test passing blind.
        tracing::subscriber::set_global_default(NoticeSink(seen.clone())).ok();
        seen
    })
    .clone()
}

struct NoticeSink(Arc<Mutex<Vec<String>>>);

struct Message(String);

impl tracing::field::Visit for Message {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            self.0 = format!("{value:?}");
        }
    }

    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        if field.name() == "message" {
            self.0 = value.to_string();
        }
    }
}

impl tracing::Subscriber for NoticeSink {
    fn enabled(&self, metadata: &tracing::Metadata<'_>) -> bool {
        metadata.target() == "sqlx::postgres::notice"
    }
    fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        let mut m = Message(String::new());
        event.record(&mut m);
        self.0.lock().unwrap().push(m.0);
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn abandoned_writes_leave_every_task_equal_to_its_audit_trail() {
    let app = TestApp::spawn().await;
    let postgres = app.db.backend() == switchyard_store::Backend::Postgres;
    let notices = postgres_notices();
    if postgres {
        // The capture works: a COMMIT outside a transaction draws the warning.
        use sea_orm::ConnectionTrait;
        app.db.conn().execute_unprepared("COMMIT").await.unwrap();
        let seen = std::mem::take(&mut *notices.lock().unwrap());
        assert!(
            seen.iter()
                .any(|n| n.contains("there is no transaction in progress")),
            "the notice capture saw {seen:?}"
        );
    }
    let org = app.setup_org("abandon").await;
    let mut ids = Vec::new();
    for n in 0..16 {
        let task = app
            .create_task(&org.admin, &format!("task {n}"), json!({}))
            .await;
        ids.push(task["id"].as_str().unwrap().to_string());
    }

    // 32 clients send 40 PATCHes each and give up after 1-20 ms (1,280 requests).
    let mut clients = tokio::task::JoinSet::new();
    for c in 0..32 {
        let (base, token, ids) = (app.url(""), org.admin.clone(), ids.clone());
        clients.spawn(async move {
            let mut abandoned = 0;
            for n in 0..40 {
                let (id, wait) = {
                    let mut rng = rand::rng();
                    (
                        ids[rng.random_range(0..ids.len())].clone(),
                        rng.random_range(1..=20),
                    )
                };
                let http = reqwest::Client::builder()
                    .timeout(Duration::from_millis(wait))
                    .build()
                    .unwrap();
                let sent = http
                    .patch(format!("{base}/api/v1/tasks/{id}/"))
                    .bearer_auth(&token)
                    .json(
                        &json!({"title": format!("c{c} n{n}"), "description": "x".repeat(n * 50)}),
                    )
                    .send()
                    .await;
                if sent.is_err() {
                    abandoned += 1;
                }
            }
            abandoned
        });
    }
    let abandoned: usize = clients.join_all().await.into_iter().sum();
    assert!(
        abandoned >= 100,
        "only {abandoned} of 1,280 requests were abandoned"
    );
    // Requests whose clients left finish on their own.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let seen = notices.lock().unwrap().clone();
    assert!(
        !seen.iter().any(|n| n.contains("transaction in progress")),
        "a connection went back to the pool inside a transaction: {seen:?}"
    );

    // Every committed change bumped the version and wrote its audit entry, together.
    let sql = "SELECT t.task_key AS id, CAST(t.version AS BIGINT) AS version, \
                 (SELECT COUNT(*) FROM audit_logs a WHERE a.task_id = t.id AND a.action = 'updated') AS updates \
               FROM tasks t ORDER BY t.id";
    let rows = Check::find_by_statement(Statement::from_string(
        app.db.conn().get_database_backend(),
        sql,
    ))
    .all(app.db.conn())
    .await
    .unwrap();
    assert_eq!(rows.len(), 16);
    let first = rows[0].version - rows[0].updates;
    for r in &rows {
        assert_eq!(
            r.version - r.updates,
            first,
            "{r:?}: a change without its audit entry"
        );
    }

    // And the server goes on serving writes normally.
    let after = app
        .patch(
            &format!("/api/v1/tasks/{}/", ids[0]),
            &org.admin,
            json!({"title": "after"}),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(after["title"], "after");
}
