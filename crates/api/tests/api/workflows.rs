//! `/api/v1/workflows/` and `/api/v1/transitions/`.

use serde_json::{Value, json};

use crate::helpers::TestApp;

#[tokio::test]
async fn workflow_crud_and_validation() {
    let app = TestApp::spawn().await;
    let org = app.setup_org("acme").await;
    let (_, manager) = app.add_user(&org.admin, "mgr", "manager").await;
    let body = json!({"name": "Support", "allowed_states": ["new", "triaged", "closed"], "final_states": ["closed"]});
    app.post("/api/v1/workflows/", &manager, body.clone())
        .await
        .expect(403);
    let wf = app
        .post("/api/v1/workflows/", &org.admin, body.clone())
        .await
        .expect(201)
        .body;
    assert_eq!(wf["initial_state"], "new");
    assert_eq!(wf["is_default"], false);
    assert_eq!(wf["transitions"], json!([]));
    assert_eq!(wf["organization"], json!(org.id));
    app.post("/api/v1/workflows/", &org.admin, body)
        .await
        .expect(409);
    let r = app
        .post(
            "/api/v1/workflows/",
            &org.admin,
            json!({"name": "X", "allowed_states": ["a", "b"], "initial_state": "z"}),
        )
        .await
        .expect(400);
    assert_eq!(
        r.detail(),
        "initial_state 'z' must be in allowed_states. Allowed states: ['a', 'b']"
    );
    let r = app
        .post(
            "/api/v1/workflows/",
            &org.admin,
            json!({"name": "X", "allowed_states": ["a", "b"], "final_states": ["c"]}),
        )
        .await
        .expect(400);
    assert_eq!(
        r.detail(),
        "final_states 'c' must be in allowed_states. Allowed states: ['a', 'b']"
    );
    app.post(
        "/api/v1/workflows/",
        &org.admin,
        json!({"name": "X", "allowed_states": []}),
    )
    .await
    .expect(400);
    let list = app
        .get("/api/v1/workflows/", &manager)
        .await
        .expect(200)
        .body;
    assert_eq!(list["count"], 2);
    let default = list["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["is_default"] == true)
        .unwrap();
    assert_eq!(default["transitions"].as_array().unwrap().len(), 11);
}

#[tokio::test]
async fn only_one_default_workflow() {
    let app = TestApp::spawn().await;
    let org = app.setup_org("acme").await;
    let wf = app
        .post(
            "/api/v1/workflows/",
            &org.admin,
            json!({"name": "New default", "allowed_states": ["a", "b"], "is_default": true}),
        )
        .await
        .expect(201)
        .body;
    assert_eq!(wf["is_default"], true);
    let old = app
        .get(
            &format!("/api/v1/workflows/{}/", org.workflow_id),
            &org.admin,
        )
        .await
        .expect(200)
        .body;
    assert_eq!(old["is_default"], false);
    let task = app
        .create_task(&org.admin, "goes to the new default", json!({}))
        .await;
    assert_eq!(task["workflow"], wf["id"]);
    assert_eq!(task["current_state"], "a");
    app.patch(
        &format!("/api/v1/workflows/{}/", org.workflow_id),
        &org.admin,
        json!({"is_default": true}),
    )
    .await
    .expect(200);
    let again = app
        .get(
            &format!("/api/v1/workflows/{}/", wf["id"].as_str().unwrap()),
            &org.admin,
        )
        .await
        .expect(200)
        .body;
    assert_eq!(again["is_default"], false);
}

#[tokio::test]
async fn changes_that_would_strand_tasks_are_conflicts() {
    let app = TestApp::spawn().await;
    let org = app.setup_org("acme").await;
    app.create_task(&org.admin, "in open", json!({})).await;
    let path = format!("/api/v1/workflows/{}/", org.workflow_id);
    let r = app
        .patch(&path, &org.admin, json!({"allowed_states": ["in_progress", "review", "testing", "done", "cancelled"], "initial_state": "in_progress"}))
        .await
        .expect(409);
    assert!(
        r.detail().contains("Cannot remove state 'open'") && r.detail().contains("1 task(s)"),
        "{}",
        r.body
    );
    let r = app.delete(&path, &org.admin).await.expect(409);
    assert!(r.detail().contains("1 task(s) use it"));
    // Removing an unused state is fine and drops the rules that mention it.
    let wf = app
        .patch(
            &path,
            &org.admin,
            json!({"allowed_states": ["open", "in_progress", "review", "done", "cancelled"]}),
        )
        .await
        .expect(200)
        .body;
    assert!(
        wf["transitions"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["from_state"] != "testing" && r["to_state"] != "testing")
    );
}

#[tokio::test]
async fn changing_final_states_moves_tasks_in_and_out_of_active_work() {
    let app = TestApp::spawn().await;
    let org = app.setup_org("acme").await;
    let (uid, user) = app
        .add_user_with(
            &org.admin,
            json!({"username": "u", "role": "engineer", "max_concurrent_tasks": 5}),
        )
        .await;
    let task = app.create_task(&org.admin, "T", json!({})).await;
    app.post(
        &format!("/api/v1/tasks/{}/assign/", task["id"].as_str().unwrap()),
        &org.admin,
        json!({"user_id": uid}),
    )
    .await
    .expect(200);
    assert_eq!(
        app.get("/api/v1/users/me/", &user).await.body["active_task_count"],
        1
    );
    app.patch(
        &format!("/api/v1/workflows/{}/", org.workflow_id),
        &org.admin,
        json!({"final_states": ["open", "done"]}),
    )
    .await
    .expect(200);
    assert_eq!(
        app.get("/api/v1/users/me/", &user).await.body["active_task_count"],
        0
    );
    let t = app
        .get(
            &format!("/api/v1/tasks/{}/", task["id"].as_str().unwrap()),
            &org.admin,
        )
        .await
        .body;
    assert!(t["resolved_at"].is_string());
}

#[tokio::test]
async fn rule_crud_with_the_contract_messages() {
    let app = TestApp::spawn().await;
    let org = app.setup_org("acme").await;
    let (_, manager) = app.add_user(&org.admin, "mgr", "manager").await;
    let wf = app
        .post("/api/v1/workflows/", &org.admin, json!({"name": "Support", "allowed_states": ["new", "triaged", "closed"], "final_states": ["closed"]}))
        .await
        .expect(201)
        .body;
    let wf_id = wf["id"].as_str().unwrap();
    let rule = |from: &str, to: &str, roles: Value| json!({"workflow": wf_id, "from_state": from, "to_state": to, "allowed_roles": roles});
    app.post(
        "/api/v1/transitions/",
        &manager,
        rule("new", "triaged", json!(["manager"])),
    )
    .await
    .expect(403);
    let created = app
        .post(
            "/api/v1/transitions/",
            &org.admin,
            rule("new", "triaged", json!(["manager", "engineer"])),
        )
        .await
        .expect(201)
        .body;
    assert_eq!(created["workflow"], json!(wf_id));
    let r = app
        .post(
            "/api/v1/transitions/",
            &org.admin,
            rule("new", "triaged", json!(["manager"])),
        )
        .await
        .expect(409);
    assert_eq!(r.body["code"], "duplicate_rule");
    let r = app
        .post(
            "/api/v1/transitions/",
            &org.admin,
            rule("new", "gone", json!(["manager"])),
        )
        .await
        .expect(400);
    assert_eq!(
        r.detail(),
        "State 'gone' does not exist in workflow 'Support'. Allowed states: ['new', 'triaged', 'closed']"
    );
    let r = app
        .post(
            "/api/v1/transitions/",
            &org.admin,
            rule("new", "new", json!(["manager"])),
        )
        .await
        .expect(400);
    assert_eq!(r.detail(), "from_state and to_state cannot be the same.");
    // A rule only read-only people could take would never be usable.
    let r = app
        .post(
            "/api/v1/transitions/",
            &org.admin,
            rule("new", "closed", json!(["viewer"])),
        )
        .await
        .expect(400);
    assert_eq!(
        r.detail(),
        "['viewer'] only names read-only roles; a transition needs at least one role that can write."
    );
    let r = app
        .post(
            "/api/v1/transitions/",
            &org.admin,
            rule("new", "closed", json!(["wizard"])),
        )
        .await
        .expect(400);
    assert_eq!(
        r.detail(),
        "Invalid role 'wizard'. Allowed roles for this organization: ['admin', 'manager', 'engineer', 'viewer']"
    );
    let list = app
        .get(&format!("/api/v1/transitions/?workflow={wf_id}"), &manager)
        .await
        .expect(200)
        .body;
    assert_eq!(list["count"], 1);
    let all = app
        .get("/api/v1/transitions/", &manager)
        .await
        .expect(200)
        .body;
    assert_eq!(all["count"], 12);
    let id = created["id"].as_str().unwrap();
    let patched = app
        .patch(
            &format!("/api/v1/transitions/{id}/"),
            &org.admin,
            json!({"allowed_roles": ["admin"]}),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(patched["allowed_roles"], json!(["admin"]));
    app.delete(&format!("/api/v1/transitions/{id}/"), &org.admin)
        .await
        .expect(204);
    app.get(&format!("/api/v1/transitions/{id}/"), &org.admin)
        .await
        .expect(404);
    app.get("/api/v1/transitions/?workflow=nope", &org.admin)
        .await
        .expect(400);
}

#[tokio::test]
async fn a_new_rule_takes_effect_for_transitions() {
    let app = TestApp::spawn().await;
    let org = app.setup_org("acme").await;
    let (_, worker) = app.add_user(&org.admin, "w", "engineer").await;
    let task = app.create_task(&worker, "T", json!({})).await;
    let path = format!("/api/v1/tasks/{}/transition/", task["id"].as_str().unwrap());
    app.post(&path, &worker, json!({"to_state": "cancelled"}))
        .await
        .expect(400);
    let rules = app
        .get(
            &format!("/api/v1/transitions/?workflow={}", org.workflow_id),
            &org.admin,
        )
        .await
        .body;
    let cancel = rules["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["from_state"] == "open" && r["to_state"] == "cancelled")
        .unwrap();
    app.patch(
        &format!("/api/v1/transitions/{}/", cancel["id"].as_str().unwrap()),
        &org.admin,
        json!({"allowed_roles": ["admin", "engineer"]}),
    )
    .await
    .expect(200);
    app.post(&path, &worker, json!({"to_state": "cancelled"}))
        .await
        .expect(200);
}
