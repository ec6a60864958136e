//! The unit of work: a use case's change, its audit entries and its outbox rows commit
//! together or not at all, and after-commit hooks see only what committed.

use sea_orm::{ConnectionTrait, Statement};
use serde_json::json;

use crate::helpers::TestApp;

/// The outbox's event kinds for `task_id`'s events (payload `task_id`), oldest first.
async fn outbox_kinds(app: &TestApp, org: &str) -> Vec<String> {
    let c = app.db.conn();
    let org: uuid::Uuid = org.parse().unwrap();
    c.query_all_raw(Statement::from_sql_and_values(
        c.get_database_backend(),
        "SELECT kind FROM outbox WHERE organization_id = $1 ORDER BY created_at, id",
        [org.into()],
    ))
    .await
    .unwrap()
    .iter()
    .map(|r| r.try_get_by_index::<String>(0).unwrap())
    .collect()
}

#[tokio::test]
async fn each_change_writes_one_outbox_row_and_runs_the_hooks_after_commit() {
    let app = TestApp::spawn().await;
    let org = app.setup_org("uow").await;
    let dev = app
        .post(
            "/api/v1/users/",
            &org.admin,
            json!({"username": "dev", "password": "correct-horse-42", "role": "engineer"}),
        )
        .await
        .expect(201)
        .body["id"]
        .as_str()
        .unwrap()
        .to_string();
    let task = app.create_task(&org.admin, "Ship it", json!({})).await;
    let id = task["id"].as_str().unwrap();
    app.post(
        &format!("/api/v1/tasks/{id}/assign/"),
        &org.admin,
        json!({"user_id": dev}),
    )
    .await
    .expect(200);
    app.post(
        "/api/v1/comments/",
        &org.admin,
        json!({"task": id, "content": "on it"}),
    )
    .await
    .expect(201);
    let expected = [
        "organization_changed",
        "user_changed",
        "task_created",
        "task_assigned",
        "comment_added",
    ];
    assert_eq!(outbox_kinds(&app, &org.id).await, expected);
    // The hook saw the same events, each once, in commit order.
    assert_eq!(app.committed.kinds(), expected);
    let assigned = app
        .committed
        .events()
        .into_iter()
        .find(|e| e.kind() == "task_assigned")
        .unwrap();
    let payload = serde_json::to_value(&assigned).unwrap();
    assert_eq!(payload["assignee"], json!(dev));
    assert_eq!(payload["task_key"], task["task_key"]);
}

#[tokio::test]
async fn a_use_case_that_fails_midway_leaves_no_change_no_audit_and_no_outbox_row() {
    let app = TestApp::spawn().await;
    let org = app.setup_org("uowfail").await;
    let (busy, _) = app
        .add_user_with(
            &org.admin,
            json!({"username": "busy", "role": "engineer", "max_concurrent_tasks": 1}),
        )
        .await;
    let first = app.create_task(&org.admin, "Taken", json!({})).await;
    app.post(
        &format!("/api/v1/tasks/{}/assign/", first["id"].as_str().unwrap()),
        &org.admin,
        json!({"user_id": busy}),
    )
    .await
    .expect(200);
    let task = app.create_task(&org.admin, "Original", json!({})).await;
    let id = task["id"].as_str().unwrap();
    let before_outbox = outbox_kinds(&app, &org.id).await;
    let before_hooks = app.committed.kinds();

    // The title change is written and recorded first; the assignment then fails on
    // capacity, so the whole unit of work must roll back.
    let refused = app
        .patch(
            &format!("/api/v1/tasks/{id}/"),
            &org.admin,
            json!({"title": "Changed", "assigned_to": busy}),
        )
        .await
        .expect(400);
    assert_eq!(refused.body["code"], "capacity_exceeded");

    let after = app
        .get(&format!("/api/v1/tasks/{id}/"), &org.admin)
        .await
        .expect(200)
        .body;
    assert_eq!(after["title"], "Original");
    assert_eq!(after["version"], task["version"]);
    let audit = app.audit_of(&org.admin, id).await;
    assert_eq!(audit.len(), 1, "only the creation: {audit:?}");
    assert_eq!(outbox_kinds(&app, &org.id).await, before_outbox);
    assert_eq!(
        app.committed.kinds(),
        before_hooks,
        "no hook for a rollback"
    );
}

#[tokio::test]
async fn refused_requests_leave_no_event_behind() {
    let app = TestApp::spawn().await;
    app.post_anon(
        "/api/v1/setup/",
        json!({"org_name": "Bad", "org_slug": "Not A Slug", "admin_username": "bad",
               "admin_password": "correct-horse-42"}),
    )
    .await
    .expect(400);
    app.post_anon(
        "/api/v1/auth/register/",
        json!({"username": "weak", "password": "123"}),
    )
    .await
    .expect(400);
    app.post_anon(
        "/api/v1/auth/login/",
        json!({"username": "nobody", "password": "wrong-password"}),
    )
    .await
    .expect(401);
    app.assert_no_pending_events().await;
    assert!(app.committed.kinds().is_empty());
}
