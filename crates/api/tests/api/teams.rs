//! `/api/v1/teams/`.

use serde_json::json;

use crate::helpers::TestApp;

#[tokio::test]
async fn team_lifecycle() {
    let app = TestApp::spawn().await;
    let org = app.setup_org("acme").await;
    let (mgr_id, manager) = app.add_user(&org.admin, "mgr", "manager").await;
    let (a, worker) = app.add_user(&org.admin, "alice", "engineer").await;
    let (b, _) = app.add_user(&org.admin, "bob", "engineer").await;
    let team = app
        .post(
            "/api/v1/teams/",
            &manager,
            json!({"name": "Backend", "lead": mgr_id, "members": [a, b]}),
        )
        .await
        .expect(201)
        .body;
    assert_eq!(team["organization"], json!(org.id));
    assert_eq!(team["lead"], json!(mgr_id));
    assert_eq!(team["lead_detail"]["username"], "mgr");
    assert_eq!(team["member_count"], 2);
    let id = team["id"].as_str().unwrap();
    // Everyone reads; workers do not write.
    app.get(&format!("/api/v1/teams/{id}/"), &worker)
        .await
        .expect(200);
    app.post("/api/v1/teams/", &worker, json!({"name": "Mine"}))
        .await
        .expect(403);
    app.patch(
        &format!("/api/v1/teams/{id}/"),
        &worker,
        json!({"name": "Mine"}),
    )
    .await
    .expect(403);
    app.delete(&format!("/api/v1/teams/{id}/"), &worker)
        .await
        .expect(403);
    // Patch: rename, clear the lead, replace members.
    let patched = app
        .patch(
            &format!("/api/v1/teams/{id}/"),
            &manager,
            json!({"name": "Core", "lead": null, "members": [a]}),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(patched["name"], "Core");
    assert_eq!(patched["lead"], serde_json::Value::Null);
    assert_eq!(patched["lead_detail"], serde_json::Value::Null);
    assert_eq!(patched["members"], json!([a]));
    // Duplicate name conflicts.
    app.post("/api/v1/teams/", &manager, json!({"name": "Core"}))
        .await
        .expect(409);
    app.post("/api/v1/teams/", &manager, json!({"name": ""}))
        .await
        .expect(400);
    let list = app.get("/api/v1/teams/", &worker).await.expect(200).body;
    assert_eq!(list["count"], 1);
    app.delete(&format!("/api/v1/teams/{id}/"), &manager)
        .await
        .expect(204);
    app.get(&format!("/api/v1/teams/{id}/"), &manager)
        .await
        .expect(404);
}

#[tokio::test]
async fn members_of_other_organizations_are_refused_in_bodies() {
    let app = TestApp::spawn().await;
    let a = app.setup_org("alpha").await;
    let b = app.setup_org("beta").await;
    let r = app
        .post(
            "/api/v1/teams/",
            &a.admin,
            json!({"name": "T", "lead": b.admin_id}),
        )
        .await
        .expect(400);
    assert!(r.detail().contains("is not a member of this organization"));
    app.post(
        "/api/v1/teams/",
        &a.admin,
        json!({"name": "T", "members": [b.admin_id]}),
    )
    .await
    .expect(400);
    app.post(
        "/api/v1/teams/",
        &a.admin,
        json!({"name": "T", "members": ["not-a-uuid"]}),
    )
    .await
    .expect(400);
}

#[tokio::test]
async fn other_organizations_teams_are_not_found_and_untouched() {
    let app = TestApp::spawn().await;
    let a = app.setup_org("alpha").await;
    let b = app.setup_org("beta").await;
    let team = app
        .post("/api/v1/teams/", &b.admin, json!({"name": "Beta Team"}))
        .await
        .expect(201)
        .body;
    let path = format!("/api/v1/teams/{}/", team["id"].as_str().unwrap());
    app.get(&path, &a.admin).await.expect(404);
    app.patch(&path, &a.admin, json!({"name": "Pwned"}))
        .await
        .expect(404);
    app.delete(&path, &a.admin).await.expect(404);
    let still = app.get(&path, &b.admin).await.expect(200).body;
    assert_eq!(still["name"], "Beta Team");
    assert_eq!(
        app.get("/api/v1/teams/", &a.admin).await.expect(200).body["count"],
        0
    );
}
