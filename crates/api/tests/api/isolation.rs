//! Every route of the workflow engine, called with another organization's ids: 404 (or 400
//! for a reference in a body), and the other organization's data unchanged.

use serde_json::{Value, json};

use crate::helpers::TestApp;

#[tokio::test]
async fn another_organizations_objects_are_not_found_and_untouched() {
    let app = TestApp::spawn().await;
    let a = app.setup_org("alpha").await;
    let b = app.setup_org("beta").await;
    let (b_user, b_worker) = app.add_user(&b.admin, "bworker", "engineer").await;
    let b_task = app
        .create_task(
            &b_worker,
            "Beta secret",
            json!({"description": "confidential"}),
        )
        .await;
    let tid = b_task["id"].as_str().unwrap().to_string();
    let b_comment = app
        .post(
            "/api/v1/comments/",
            &b_worker,
            json!({"task": tid, "content": "beta only"}),
        )
        .await
        .expect(201)
        .body;
    let cid = b_comment["id"].as_str().unwrap().to_string();
    let rules = app
        .get(
            &format!("/api/v1/transitions/?workflow={}", b.workflow_id),
            &b.admin,
        )
        .await
        .body;
    let rid = rules["results"][0]["id"].as_str().unwrap().to_string();
    let audit_id = app.audit_of(&b.admin, &tid).await[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let wid = b.workflow_id.clone();
    let before_task = app
        .get(&format!("/api/v1/tasks/{tid}/"), &b.admin)
        .await
        .body;
    let before_wf = app
        .get(&format!("/api/v1/workflows/{wid}/"), &b.admin)
        .await
        .body;

    let not_found: Vec<(reqwest::Method, String, Option<Value>)> = vec![
        (reqwest::Method::GET, format!("/api/v1/tasks/{tid}/"), None),
        (
            reqwest::Method::PATCH,
            format!("/api/v1/tasks/{tid}/"),
            Some(json!({"title": "pwned"})),
        ),
        (
            reqwest::Method::DELETE,
            format!("/api/v1/tasks/{tid}/"),
            None,
        ),
        (
            reqwest::Method::GET,
            format!("/api/v1/tasks/{tid}/available-transitions/"),
            None,
        ),
        (
            reqwest::Method::POST,
            format!("/api/v1/tasks/{tid}/transition/"),
            Some(json!({"to_state": "cancelled"})),
        ),
        (
            reqwest::Method::POST,
            format!("/api/v1/tasks/{tid}/assign/"),
            Some(json!({"user_id": a.admin_id})),
        ),
        (
            reqwest::Method::GET,
            format!("/api/v1/workflows/{wid}/"),
            None,
        ),
        (
            reqwest::Method::PATCH,
            format!("/api/v1/workflows/{wid}/"),
            Some(json!({"name": "pwned"})),
        ),
        (
            reqwest::Method::DELETE,
            format!("/api/v1/workflows/{wid}/"),
            None,
        ),
        (
            reqwest::Method::GET,
            format!("/api/v1/transitions/{rid}/"),
            None,
        ),
        (
            reqwest::Method::PATCH,
            format!("/api/v1/transitions/{rid}/"),
            Some(json!({"allowed_roles": ["admin"]})),
        ),
        (
            reqwest::Method::DELETE,
            format!("/api/v1/transitions/{rid}/"),
            None,
        ),
        (
            reqwest::Method::GET,
            format!("/api/v1/comments/{cid}/"),
            None,
        ),
        (
            reqwest::Method::PATCH,
            format!("/api/v1/comments/{cid}/"),
            Some(json!({"content": "pwned"})),
        ),
        (
            reqwest::Method::DELETE,
            format!("/api/v1/comments/{cid}/"),
            None,
        ),
        (
            reqwest::Method::GET,
            format!("/api/v1/audit-logs/{audit_id}/"),
            None,
        ),
    ];
    for (method, path, body) in not_found {
        let r = app
            .request(method.clone(), &path, Some(&a.admin), body)
            .await;
        assert_eq!(r.status, 404, "{method} {path}: {}", r.body);
    }
    // References in bodies are 400s.
    let a_task = app.create_task(&a.admin, "Alpha", json!({})).await;
    let bad_refs: Vec<(String, Value)> = vec![
        (
            "/api/v1/tasks/".into(),
            json!({"title": "x", "workflow": wid}),
        ),
        (
            "/api/v1/comments/".into(),
            json!({"task": tid, "content": "x"}),
        ),
        (
            "/api/v1/transitions/".into(),
            json!({"workflow": wid, "from_state": "open", "to_state": "done", "allowed_roles": ["admin"]}),
        ),
        (
            format!("/api/v1/tasks/{}/assign/", a_task["id"].as_str().unwrap()),
            json!({"user_id": b_user}),
        ),
    ];
    for (path, body) in bad_refs {
        let r = app.post(&path, &a.admin, body).await;
        assert_eq!(r.status, 400, "POST {path}: {}", r.body);
    }
    // Lists and filters show nothing of beta.
    for path in [
        "/api/v1/tasks/".to_string(),
        format!("/api/v1/comments/?task={tid}"),
        format!("/api/v1/audit-logs/?task={tid}"),
        format!("/api/v1/transitions/?workflow={wid}"),
        "/api/v1/tasks/?search=Beta".to_string(),
    ] {
        let body = app.get(&path, &a.admin).await.expect(200).body;
        let leaked = body["results"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r.to_string().contains("Beta") || r.to_string().contains(&tid));
        assert!(!leaked, "{path} leaked: {body}");
    }
    // Beta, with its own token, sees everything unchanged.
    assert_eq!(
        app.get(&format!("/api/v1/tasks/{tid}/"), &b.admin)
            .await
            .expect(200)
            .body,
        before_task
    );
    assert_eq!(
        app.get(&format!("/api/v1/workflows/{wid}/"), &b.admin)
            .await
            .expect(200)
            .body,
        before_wf
    );
    assert_eq!(
        app.get(&format!("/api/v1/comments/{cid}/"), &b.admin)
            .await
            .expect(200)
            .body["content"],
        "beta only"
    );
    assert_eq!(
        app.get(&format!("/api/v1/transitions/{rid}/"), &b.admin)
            .await
            .expect(200)
            .body,
        rules["results"][0]
    );
    assert_eq!(app.audit_of(&b.admin, &tid).await.len(), 2);
}
