//! Collaborators: added by whoever may edit a task, they edit it like its assignee; other
//! organizations' people and tasks are not reachable; changes are audited.

use serde_json::{Value, json};

use crate::helpers::TestApp;

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn a_collaborator_edits_like_the_assignee_until_removed() {
    let app = TestApp::spawn().await;
    let org = app.setup_org("nova").await;
    let (_, alice_t) = app.add_user(&org.admin, "alice", "engineer").await;
    let (bob, bob_t) = app.add_user(&org.admin, "bob", "engineer").await;
    let (_, carol_t) = app.add_user(&org.admin, "carol", "engineer").await;
    let task = app.create_task(&alice_t, "Tune the servo", json!({})).await;
    let tid = id(&task);
    // bob may not edit alice's task, nor add himself.
    let r = app
        .patch(
            &format!("/api/v1/tasks/{tid}/"),
            &bob_t,
            json!({"title": "x"}),
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.body);
    let r = app
        .post(
            &format!("/api/v1/tasks/{tid}/collaborators/"),
            &bob_t,
            json!({"user": bob}),
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.body);
    // alice (the creator) adds him; now he edits it, and his lists say so.
    let r = app
        .post(
            &format!("/api/v1/tasks/{tid}/collaborators/"),
            &alice_t,
            json!({"user": bob}),
        )
        .await
        .expect(201);
    assert_eq!(r.body["collaborators"][0]["username"], "bob");
    let r = app
        .post(
            &format!("/api/v1/tasks/{tid}/collaborators/"),
            &alice_t,
            json!({"user": bob}),
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(
        r.body["errors"]["user"][0]
            .as_str()
            .unwrap()
            .contains("already")
    );
    let r = app
        .patch(
            &format!("/api/v1/tasks/{tid}/"),
            &bob_t,
            json!({"priority": "high"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["collaborators"][0]["user"], bob.as_str());
    assert_eq!(r.body["can"]["edit"], true);
    let listed = app.get("/api/v1/tasks/", &bob_t).await.expect(200).body;
    assert_eq!(listed["results"][0]["can"]["edit"], true, "{listed}");
    let listed = app.get("/api/v1/tasks/", &carol_t).await.expect(200).body;
    assert_eq!(listed["results"][0]["can"]["edit"], false, "{listed}");
    // carol cannot remove him; he can leave.
    app.delete(
        &format!("/api/v1/tasks/{tid}/collaborators/{bob}/"),
        &carol_t,
    )
    .await
    .expect(403);
    app.delete(&format!("/api/v1/tasks/{tid}/collaborators/{bob}/"), &bob_t)
        .await
        .expect(204);
    app.delete(&format!("/api/v1/tasks/{tid}/collaborators/{bob}/"), &bob_t)
        .await
        .expect(404);
    let r = app
        .patch(
            &format!("/api/v1/tasks/{tid}/"),
            &bob_t,
            json!({"title": "x"}),
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.body);
    let actions: Vec<String> = app
        .audit_of(&org.admin, &tid)
        .await
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_string())
        .collect();
    assert!(
        actions.contains(&"collaborator_added".to_string()),
        "{actions:?}"
    );
    assert!(
        actions.contains(&"collaborator_removed".to_string()),
        "{actions:?}"
    );
    let filtered = app
        .get("/api/v1/audit-logs/?action=collaborator_added", &org.admin)
        .await
        .expect(200)
        .body;
    assert_eq!(filtered["count"], 1, "{filtered}");

    // Moving a task into a project its collaborator cannot work in is refused.
    app.post(
        &format!("/api/v1/tasks/{tid}/collaborators/"),
        &alice_t,
        json!({"user": bob}),
    )
    .await
    .expect(201);
    let pid = app
        .post(
            "/api/v1/projects/",
            &org.admin,
            json!({"key": "SEC", "name": "Security"}),
        )
        .await
        .expect(201)
        .body["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = app
        .patch(
            &format!("/api/v1/tasks/{tid}/"),
            &org.admin,
            json!({"project": pid}),
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(r.detail().contains("bob"), "{}", r.body);
    // A read-only member added as a collaborator may leave.
    let (vic, vic_t) = app.add_user(&org.admin, "vic", "viewer").await;
    app.post(
        &format!("/api/v1/tasks/{tid}/collaborators/"),
        &alice_t,
        json!({"user": vic}),
    )
    .await
    .expect(201);
    app.delete(&format!("/api/v1/tasks/{tid}/collaborators/{vic}/"), &vic_t)
        .await
        .expect(204);
}

#[tokio::test]
async fn collaborators_come_from_the_organization_and_the_project() {
    let app = TestApp::spawn().await;
    let org = app.setup_org("nova").await;
    let other = app.setup_org("other").await;
    let (bob, _) = app.add_user(&org.admin, "bob", "engineer").await;
    let task = app.create_task(&org.admin, "Ours", json!({})).await;
    let tid = id(&task);
    // Someone of another organization: 400 on the field.
    let r = app
        .post(
            &format!("/api/v1/tasks/{tid}/collaborators/"),
            &org.admin,
            json!({"user": other.admin_id}),
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.body);
    // Another organization's task: 404, nothing added.
    let theirs = app.create_task(&other.admin, "Theirs", json!({})).await;
    app.post(
        &format!("/api/v1/tasks/{}/collaborators/", id(&theirs)),
        &org.admin,
        json!({"user": bob}),
    )
    .await
    .expect(404);
    let after = app
        .get(&format!("/api/v1/tasks/{}/", id(&theirs)), &other.admin)
        .await
        .body;
    assert_eq!(after["collaborators"], json!([]));
    // A project's task: only people who may work in the project.
    let pid = app
        .post(
            "/api/v1/projects/",
            &org.admin,
            json!({"key": "SEC", "name": "Security"}),
        )
        .await
        .expect(201)
        .body["id"]
        .as_str()
        .unwrap()
        .to_string();
    let secret = app
        .create_task(&org.admin, "Private", json!({"project": pid}))
        .await;
    let r = app
        .post(
            &format!("/api/v1/tasks/{}/collaborators/", id(&secret)),
            &org.admin,
            json!({"user": bob}),
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.body);
    app.post(
        &format!("/api/v1/projects/{pid}/members/"),
        &org.admin,
        json!({"user": bob, "role": "editor"}),
    )
    .await
    .expect(201);
    app.post(
        &format!("/api/v1/tasks/{}/collaborators/", id(&secret)),
        &org.admin,
        json!({"user": bob}),
    )
    .await
    .expect(201);
    // Made a viewer of the project, he no longer collaborates on its tasks (audited).
    app.patch(
        &format!("/api/v1/projects/{pid}/members/{bob}/"),
        &org.admin,
        json!({"role": "viewer"}),
    )
    .await
    .expect(200);
    let detail = app
        .get(&format!("/api/v1/tasks/{}/", id(&secret)), &org.admin)
        .await
        .body;
    assert_eq!(detail["collaborators"], json!([]), "{detail}");
    let ended = app.audit_of(&org.admin, &id(&secret)).await;
    assert_eq!(ended[0]["action"], "collaborator_removed", "{ended:?}");
    app.patch(
        &format!("/api/v1/projects/{pid}/members/{bob}/"),
        &org.admin,
        json!({"role": "editor"}),
    )
    .await
    .expect(200);
    app.post(
        &format!("/api/v1/tasks/{}/collaborators/", id(&secret)),
        &org.admin,
        json!({"user": bob}),
    )
    .await
    .expect(201);
    // Leaving the organization ends every collaboration.
    app.delete(&format!("/api/v1/users/{bob}/"), &org.admin)
        .await
        .expect(204);
    let detail = app
        .get(&format!("/api/v1/tasks/{}/", id(&secret)), &org.admin)
        .await
        .body;
    assert_eq!(detail["collaborators"], json!([]), "{detail}");
}
