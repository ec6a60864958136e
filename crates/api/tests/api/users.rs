//! `/api/v1/users/`: creation rules, role rules, isolation.

use serde_json::json;

use crate::helpers::TestApp;

#[tokio::test]
async fn managers_create_members_but_not_admins() {
    let app = TestApp::spawn().await;
    let org = app.setup_org("acme").await;
    let (_, manager) = app.add_user(&org.admin, "mgr", "manager").await;
    let created = app
        .post(
            "/api/v1/users/",
            &manager,
            json!({"username": "alice", "password": "correct-horse-42", "email": "alice@acme.example",
                   "role": "engineer", "skills": ["python", "aws"], "max_concurrent_tasks": 3}),
        )
        .await
        .expect(201)
        .body;
    assert_eq!(created["role"], "engineer");
    assert_eq!(created["organization"], json!(org.id));
    assert_eq!(created["skills"], json!(["python", "aws"]));
    assert_eq!(created["max_concurrent_tasks"], 3);
    assert_eq!(created["active_task_count"], 0);
    assert!(created.get("password").is_none() && created.get("password_hash").is_none());

    let r = app
        .post(
            "/api/v1/users/",
            &manager,
            json!({"username": "eve", "password": "correct-horse-42", "role": "admin"}),
        )
        .await
        .expect(403);
    assert_eq!(r.detail(), "Only admins can create admin users.");
    app.post(
        "/api/v1/users/",
        &org.admin,
        json!({"username": "root2", "password": "correct-horse-42", "role": "admin"}),
    )
    .await
    .expect(201);
}

#[tokio::test]
async fn invalid_role_has_the_exact_message() {
    let app = TestApp::spawn().await;
    let org = app.setup_org("acme").await;
    let r = app
        .post(
            "/api/v1/users/",
            &org.admin,
            json!({"username": "x1", "password": "correct-horse-42", "role": "wizard"}),
        )
        .await
        .expect(400);
    assert_eq!(
        r.detail(),
        "Invalid role 'wizard'. Allowed roles for this organization: ['admin', 'manager', 'engineer', 'viewer']"
    );
    assert!(r.body["errors"]["role"].is_array());
}

#[tokio::test]
async fn workers_and_viewers_cannot_create_users() {
    let app = TestApp::spawn().await;
    let org = app.setup_org("acme").await;
    let (_, worker) = app.add_user(&org.admin, "w", "engineer").await;
    let (_, viewer) = app.add_user(&org.admin, "v", "viewer").await;
    for token in [&worker, &viewer] {
        app.post(
            "/api/v1/users/",
            token,
            json!({"username": "zz", "password": "correct-horse-42", "role": "engineer"}),
        )
        .await
        .expect(403);
    }
}

#[tokio::test]
async fn duplicate_usernames_conflict_and_bad_input_is_400() {
    let app = TestApp::spawn().await;
    let org = app.setup_org("acme").await;
    app.add_user(&org.admin, "dup", "engineer").await;
    let r = app
        .post(
            "/api/v1/users/",
            &org.admin,
            json!({"username": "dup", "password": "correct-horse-42", "role": "engineer"}),
        )
        .await
        .expect(400);
    assert_eq!(r.detail(), "A user with that username already exists.");
    assert_eq!(r.body["code"], "username_taken");
    app.post(
        "/api/v1/users/",
        &org.admin,
        json!({"username": "n", "password": "correct-horse-42", "max_concurrent_tasks": -1}),
    )
    .await
    .expect(400);
    app.post(
        "/api/v1/users/",
        &org.admin,
        json!({"username": "n", "password": "correct-horse-42", "email": "not-an-email"}),
    )
    .await
    .expect(400);
    app.post(
        "/api/v1/users/",
        &org.admin,
        json!({"username": "n", "password": 12345}),
    )
    .await
    .expect(400);
    app.post(
        "/api/v1/users/",
        &org.admin,
        json!({"password": "correct-horse-42"}),
    )
    .await
    .expect(400);
}

#[tokio::test]
async fn own_profile_yes_own_role_no() {
    let app = TestApp::spawn().await;
    let org = app.setup_org("acme").await;
    let (id, worker) = app.add_user(&org.admin, "w", "engineer").await;
    let body = app
        .patch(
            &format!("/api/v1/users/{id}/"),
            &worker,
            json!({"email": "w@acme.example", "skills": ["rust"], "max_concurrent_tasks": 2}),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(body["skills"], json!(["rust"]));
    assert_eq!(body["max_concurrent_tasks"], 2);
    let r = app
        .patch(
            &format!("/api/v1/users/{id}/"),
            &worker,
            json!({"role": "manager"}),
        )
        .await
        .expect(403);
    assert_eq!(r.detail(), "You cannot change your own role.");
    let r = app
        .patch(
            &format!("/api/v1/users/{}/", org.admin_id),
            &org.admin,
            json!({"role": "viewer"}),
        )
        .await
        .expect(403);
    assert_eq!(r.detail(), "You cannot change your own role.");
    let me = app.get("/api/v1/users/me/", &worker).await.expect(200).body;
    assert_eq!(me["role"], "engineer");
}

#[tokio::test]
async fn role_changes_follow_levels() {
    let app = TestApp::spawn().await;
    let org = app.setup_org("acme").await;
    let (_, manager) = app.add_user(&org.admin, "mgr", "manager").await;
    let (wid, worker) = app.add_user(&org.admin, "w", "engineer").await;
    let (vid, _) = app.add_user(&org.admin, "v", "viewer").await;
    // A worker cannot change anyone else.
    app.patch(
        &format!("/api/v1/users/{vid}/"),
        &worker,
        json!({"role": "engineer"}),
    )
    .await
    .expect(403);
    app.patch(
        &format!("/api/v1/users/{vid}/"),
        &worker,
        json!({"email": "x@y.example"}),
    )
    .await
    .expect(403);
    // A manager can move people between non-admin roles, but not grant or touch admin.
    let body = app
        .patch(
            &format!("/api/v1/users/{vid}/"),
            &manager,
            json!({"role": "engineer"}),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(body["role"], "engineer");
    let r = app
        .patch(
            &format!("/api/v1/users/{wid}/"),
            &manager,
            json!({"role": "admin"}),
        )
        .await
        .expect(403);
    assert_eq!(
        r.detail(),
        "Only admins can grant or remove the admin role."
    );
    let r = app
        .patch(
            &format!("/api/v1/users/{}/", org.admin_id),
            &manager,
            json!({"role": "viewer"}),
        )
        .await
        .expect(403);
    assert!(r.detail().contains("admin"));
    // An admin can grant admin; an invalid role is refused.
    app.patch(
        &format!("/api/v1/users/{wid}/"),
        &org.admin,
        json!({"role": "admin"}),
    )
    .await
    .expect(200);
    app.patch(
        &format!("/api/v1/users/{vid}/"),
        &org.admin,
        json!({"role": "wizard"}),
    )
    .await
    .expect(400);
}

#[tokio::test]
async fn deletion_is_admin_only_and_protects_self() {
    let app = TestApp::spawn().await;
    let org = app.setup_org("acme").await;
    let (_, manager) = app.add_user(&org.admin, "mgr", "manager").await;
    let (wid, _) = app.add_user(&org.admin, "w", "engineer").await;
    app.delete(&format!("/api/v1/users/{wid}/"), &manager)
        .await
        .expect(403);
    let r = app
        .delete(&format!("/api/v1/users/{}/", org.admin_id), &org.admin)
        .await
        .expect(400);
    assert_eq!(r.detail(), "You cannot delete your own account.");
    app.delete(&format!("/api/v1/users/{wid}/"), &org.admin)
        .await
        .expect(204);
    app.get(&format!("/api/v1/users/{wid}/"), &org.admin)
        .await
        .expect(404);
    app.delete(&format!("/api/v1/users/{wid}/"), &org.admin)
        .await
        .expect(404);
}

#[tokio::test]
async fn other_organizations_users_are_not_found_and_untouched() {
    let app = TestApp::spawn().await;
    let a = app.setup_org("alpha").await;
    let b = app.setup_org("beta").await;
    let (bid, _) = app.add_user(&b.admin, "bee", "engineer").await;
    for path in [
        format!("/api/v1/users/{bid}/"),
        format!("/api/v1/users/{}/", b.admin_id),
    ] {
        app.get(&path, &a.admin).await.expect(404);
        app.patch(
            &path,
            &a.admin,
            json!({"email": "owned@evil.example", "role": "viewer"}),
        )
        .await
        .expect(404);
        app.delete(&path, &a.admin).await.expect(404);
    }
    let bee = app
        .get(&format!("/api/v1/users/{bid}/"), &b.admin)
        .await
        .expect(200)
        .body;
    assert_eq!(bee["email"], "");
    assert_eq!(bee["role"], "engineer");
    let list = app.get("/api/v1/users/", &a.admin).await.expect(200).body;
    assert_eq!(list["count"], 1);
    assert!(
        list["results"]
            .as_array()
            .unwrap()
            .iter()
            .all(|u| u["organization"] == json!(a.id))
    );
}

#[tokio::test]
async fn list_is_paginated_drf_style() {
    let app = TestApp::spawn().await;
    let org = app.setup_org("acme").await;
    for i in 0..4 {
        app.post(
            "/api/v1/users/",
            &org.admin,
            json!({"username": format!("u{i}"), "password": "correct-horse-42"}),
        )
        .await
        .expect(201);
    }
    let page1 = app
        .get("/api/v1/users/?page_size=2&search=x", &org.admin)
        .await
        .expect(200)
        .body;
    assert_eq!(page1["count"], 5);
    assert_eq!(page1["results"].as_array().unwrap().len(), 2);
    assert_eq!(page1["previous"], serde_json::Value::Null);
    let next = page1["next"].as_str().unwrap();
    assert!(
        next.contains("page=2") && next.contains("page_size=2") && next.contains("search=x"),
        "{next}"
    );
    let page3 = app
        .get("/api/v1/users/?page_size=2&page=3", &org.admin)
        .await
        .expect(200)
        .body;
    assert_eq!(page3["results"].as_array().unwrap().len(), 1);
    assert_eq!(page3["next"], serde_json::Value::Null);
    assert!(page3["previous"].as_str().unwrap().contains("page=2"));
    let r = app
        .get("/api/v1/users/?page=9", &org.admin)
        .await
        .expect(404);
    assert_eq!(r.detail(), "Invalid page.");
    app.get("/api/v1/users/?page=abc", &org.admin)
        .await
        .expect(404);
    let big = app
        .get("/api/v1/users/?page_size=1000", &org.admin)
        .await
        .expect(200)
        .body;
    assert_eq!(big["results"].as_array().unwrap().len(), 5);
}
