//! Clients that give up mid-request (a timeout, a closed tab) cannot leave half a change or
//! a pooled connection inside a transaction: a request that may write runs to completion on
//! its own task, and a connection returns to the pool only outside any transaction.

use std::time::Duration;

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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn abandoned_writes_leave_every_task_equal_to_its_audit_trail() {
    let app = TestApp::spawn().await;
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
