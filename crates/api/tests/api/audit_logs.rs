//! `/api/v1/audit-logs/`: read-only over HTTP and in the database too (triggers on both
//! backends).

use serde_json::json;
use switchyard_store::ConnectionTrait;

use crate::helpers::TestApp;

#[tokio::test]
async fn writes_are_405_for_everyone() {
    let app = TestApp::spawn().await;
    let org = app.setup_org("acme").await;
    let task = app.create_task(&org.admin, "T", json!({})).await;
    let entry = app.audit_of(&org.admin, task["id"].as_str().unwrap()).await[0].clone();
    let id = entry["id"].as_str().unwrap();
    app.get(&format!("/api/v1/audit-logs/{id}/"), &org.admin)
        .await
        .expect(200);
    for (method, path) in [
        (reqwest::Method::POST, "/api/v1/audit-logs/".to_string()),
        (reqwest::Method::PUT, format!("/api/v1/audit-logs/{id}/")),
        (reqwest::Method::PATCH, format!("/api/v1/audit-logs/{id}/")),
        (reqwest::Method::DELETE, format!("/api/v1/audit-logs/{id}/")),
    ] {
        let r = app
            .request(
                method.clone(),
                &path,
                Some(&org.admin),
                Some(json!({"action": "deleted"})),
            )
            .await;
        assert_eq!(r.status, 405, "{method} {path}");
        assert_eq!(r.body["code"], "method_not_allowed");
    }
    assert_eq!(
        app.audit_of(&org.admin, task["id"].as_str().unwrap())
            .await
            .len(),
        1
    );
}

#[tokio::test]
async fn filters_and_newest_first() {
    let app = TestApp::spawn().await;
    let org = app.setup_org("acme").await;
    let (wid, worker) = app.add_user(&org.admin, "w", "engineer").await;
    let t1 = app.create_task(&worker, "one", json!({})).await;
    app.create_task(&org.admin, "two", json!({})).await;
    app.post(
        &format!("/api/v1/tasks/{}/assign/", t1["id"].as_str().unwrap()),
        &org.admin,
        json!({"user_id": wid}),
    )
    .await
    .expect(200);
    let all = app
        .get("/api/v1/audit-logs/", &worker)
        .await
        .expect(200)
        .body;
    assert_eq!(all["count"], 3);
    assert_eq!(all["results"][0]["action"], "assigned");
    let by = app
        .get(
            &format!("/api/v1/audit-logs/?performed_by={wid}"),
            &org.admin,
        )
        .await
        .expect(200)
        .body;
    assert_eq!(by["count"], 1);
    assert_eq!(by["results"][0]["task_key"], "ACME-0001");
    let created = app
        .get("/api/v1/audit-logs/?action=created", &org.admin)
        .await
        .expect(200)
        .body;
    assert_eq!(created["count"], 2);
    let r = app
        .get("/api/v1/audit-logs/?action=hacked", &org.admin)
        .await
        .expect(400);
    assert!(r.detail().starts_with("Unknown action 'hacked'"));
    app.get("/api/v1/audit-logs/?task=123", &org.admin)
        .await
        .expect(400);
}

#[tokio::test]
async fn the_database_refuses_update_and_delete_of_audit_rows() {
    let app = TestApp::spawn().await;
    let org = app.setup_org("acme").await;
    app.create_task(&org.admin, "T", json!({})).await;
    let conn = app.db.conn();
    let upd = conn
        .execute_unprepared("UPDATE audit_logs SET reason = 'tampered'")
        .await;
    assert!(
        upd.unwrap_err()
            .to_string()
            .contains("audit_logs is append-only: UPDATE refused"),
        "UPDATE must be refused"
    );
    let del = conn.execute_unprepared("DELETE FROM audit_logs").await;
    assert!(
        del.unwrap_err()
            .to_string()
            .contains("audit_logs is append-only: DELETE refused"),
        "DELETE must be refused"
    );
    let list = app
        .get("/api/v1/audit-logs/", &org.admin)
        .await
        .expect(200)
        .body;
    assert_eq!(list["count"], 1);
    assert_eq!(list["results"][0]["reason"], "");
    // Deleting the whole organization still works (its entries go with it).
    app.delete(&format!("/api/v1/organizations/{}/", org.id), &org.admin)
        .await
        .expect(204);
}
