//! `/api/v1/organizations/`.

use serde_json::json;

use crate::helpers::TestApp;

#[tokio::test]
async fn list_shows_only_the_callers_organization() {
    let app = TestApp::spawn().await;
    let a = app.setup_org("alpha").await;
    app.setup_org("beta").await;
    let list = app
        .get("/api/v1/organizations/", &a.admin)
        .await
        .expect(200)
        .body;
    assert_eq!(list["count"], 1);
    assert_eq!(list["results"][0]["id"], json!(a.id));
    assert_eq!(list["results"][0]["member_count"], 1);
}

#[tokio::test]
async fn only_admins_manage_their_organization() {
    let app = TestApp::spawn().await;
    let org = app.setup_org("acme").await;
    let (_, manager) = app.add_user(&org.admin, "mgr", "manager").await;
    let path = format!("/api/v1/organizations/{}/", org.id);
    app.get(&path, &manager).await.expect(403);
    app.patch(&path, &manager, json!({"name": "Taken over"}))
        .await
        .expect(403);
    app.delete(&path, &manager).await.expect(403);
    let body = app
        .patch(&path, &org.admin, json!({"name": "Acme Inc", "allowed_priorities": ["urgent", "normal"], "allowed_roles": ["lead", "manager", "engineer", "viewer"]}))
        .await
        .expect(200)
        .body;
    assert_eq!(body["name"], "Acme Inc");
    assert_eq!(body["allowed_priorities"], json!(["urgent", "normal"]));
    assert_eq!(
        body["allowed_roles"],
        json!(["admin", "lead", "manager", "engineer", "viewer"])
    );
}

#[tokio::test]
async fn removing_a_role_in_use_is_a_conflict() {
    let app = TestApp::spawn().await;
    let org = app.setup_org("acme").await;
    app.add_user(&org.admin, "w", "engineer").await;
    let path = format!("/api/v1/organizations/{}/", org.id);
    let r = app
        .patch(
            &path,
            &org.admin,
            json!({"allowed_roles": ["admin", "manager", "viewer"]}),
        )
        .await
        .expect(409);
    assert!(
        r.detail().contains("Cannot remove role 'engineer'") && r.detail().contains("1 user(s)"),
        "{}",
        r.body
    );
    let org_now = app.get(&path, &org.admin).await.expect(200).body;
    assert_eq!(
        org_now["allowed_roles"],
        json!(["admin", "manager", "engineer", "viewer"])
    );
    app.patch(&path, &org.admin, json!({"allowed_priorities": []}))
        .await
        .expect(400);
    app.patch(
        &path,
        &org.admin,
        json!({"allowed_task_types": ["bug", "bug"]}),
    )
    .await
    .expect(400);
}

#[tokio::test]
async fn other_organizations_are_not_found_and_untouched() {
    let app = TestApp::spawn().await;
    let a = app.setup_org("alpha").await;
    let b = app.setup_org("beta").await;
    let path = format!("/api/v1/organizations/{}/", b.id);
    app.get(&path, &a.admin).await.expect(404);
    app.patch(&path, &a.admin, json!({"name": "Pwned"}))
        .await
        .expect(404);
    app.delete(&path, &a.admin).await.expect(404);
    let still = app.get(&path, &b.admin).await.expect(200).body;
    assert_eq!(still["name"], "Org beta");
}

#[tokio::test]
async fn deleting_an_organization_removes_its_data() {
    let app = TestApp::spawn().await;
    let org = app.setup_org("acme").await;
    let (_, worker) = app.add_user(&org.admin, "w", "engineer").await;
    app.delete(&format!("/api/v1/organizations/{}/", org.id), &org.admin)
        .await
        .expect(204);
    // Accounts that belonged only to it are gone with it.
    app.get("/api/v1/users/me/", &worker).await.expect(401);
    app.get("/api/v1/users/me/", &org.admin).await.expect(401);
    // The slug is free again.
    app.setup_org("acme").await;
}
