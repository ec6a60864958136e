//! `/api/v1/comments/`.

use serde_json::json;

use crate::helpers::TestApp;

#[tokio::test]
async fn comments_are_created_listed_and_audited() {
    let app = TestApp::spawn().await;
    let org = app.setup_org("acme").await;
    let (_, worker) = app.add_user(&org.admin, "w", "engineer").await;
    let (_, viewer) = app.add_user(&org.admin, "v", "viewer").await;
    let task = app.create_task(&worker, "T", json!({})).await;
    let tid = task["id"].as_str().unwrap();
    let c = app
        .post(
            "/api/v1/comments/",
            &worker,
            json!({"task": tid, "content": "first"}),
        )
        .await
        .expect(201)
        .body;
    assert_eq!(c["author_name"], "w");
    assert_eq!(c["task"], json!(tid));
    app.post(
        "/api/v1/comments/",
        &org.admin,
        json!({"task": tid, "content": "second"}),
    )
    .await
    .expect(201);
    app.post(
        "/api/v1/comments/",
        &viewer,
        json!({"task": tid, "content": "nope"}),
    )
    .await
    .expect(403);
    app.post(
        "/api/v1/comments/",
        &worker,
        json!({"task": tid, "content": "  "}),
    )
    .await
    .expect(400);
    app.post("/api/v1/comments/", &worker, json!({"content": "no task"}))
        .await
        .expect(400);
    let list = app
        .get(&format!("/api/v1/comments/?task={tid}"), &viewer)
        .await
        .expect(200)
        .body;
    let contents: Vec<&str> = list["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["content"].as_str().unwrap())
        .collect();
    assert_eq!(contents, vec!["first", "second"]);
    let detail = app
        .get(&format!("/api/v1/tasks/{tid}/"), &viewer)
        .await
        .expect(200)
        .body;
    assert_eq!(detail["comments"].as_array().unwrap().len(), 2);
    let audit = app.audit_of(&org.admin, tid).await;
    assert_eq!(audit[0]["action"], "commented");
    assert_eq!(audit[0]["new_value"], json!({"comment": "second"}));
}

#[tokio::test]
async fn only_the_author_or_an_admin_edits_or_deletes() {
    let app = TestApp::spawn().await;
    let org = app.setup_org("acme").await;
    let (_, author) = app.add_user(&org.admin, "author", "engineer").await;
    let (_, manager) = app.add_user(&org.admin, "mgr", "manager").await;
    let task = app.create_task(&author, "T", json!({})).await;
    let c = app
        .post(
            "/api/v1/comments/",
            &author,
            json!({"task": task["id"], "content": "mine"}),
        )
        .await
        .expect(201)
        .body;
    let path = format!("/api/v1/comments/{}/", c["id"].as_str().unwrap());
    let r = app
        .patch(&path, &manager, json!({"content": "edited by boss"}))
        .await
        .expect(403);
    assert_eq!(
        r.detail(),
        "Only the comment's author or an admin can change it."
    );
    app.delete(&path, &manager).await.expect(403);
    let edited = app
        .patch(&path, &author, json!({"content": "mine, edited"}))
        .await
        .expect(200)
        .body;
    assert_eq!(edited["content"], "mine, edited");
    app.delete(&path, &org.admin).await.expect(204);
    app.get(&path, &author).await.expect(404);
    let audit = app.audit_of(&org.admin, task["id"].as_str().unwrap()).await;
    let actions: Vec<&str> = audit
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, vec!["deleted", "updated", "commented", "created"]);
}
