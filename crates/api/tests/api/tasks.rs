//! `/api/v1/tasks/`: creation, keys, listing, editing, transitions, assignment.

use serde_json::{Value, json};

use crate::helpers::TestApp;

/// Titles of the tasks a list query returns, in order.
async fn titles(app: &TestApp, token: &str, path: &str) -> Vec<String> {
    app.get(path, token).await.expect(200).body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["title"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn create_starts_in_the_initial_state_with_a_key_and_an_audit_entry() {
    let app = TestApp::spawn().await;
    let org = app.setup_org("acme").await;
    let (_, worker) = app.add_user(&org.admin, "w", "engineer").await;
    let task = app
        .create_task(
            &worker,
            "Fix login",
            json!({"priority": "high", "task_type": "bug", "tags": ["auth"],
            "due_date": "2030-01-02T03:04:05Z", "description": "details"}),
        )
        .await;
    assert_eq!(task["task_key"], "ACME-0001");
    assert_eq!(task["current_state"], "open");
    assert_eq!(task["priority"], "high");
    assert_eq!(task["tags"], json!(["auth"]));
    assert_eq!(task["workflow"], json!(org.workflow_id));
    assert_eq!(task["due_date"], "2030-01-02T03:04:05Z");
    assert_eq!(task["created_by_detail"]["username"], "w");
    assert_eq!(task["resolved_at"], Value::Null);
    let audit = app.audit_of(&org.admin, task["id"].as_str().unwrap()).await;
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0]["action"], "created");
    assert_eq!(audit[0]["performed_by_name"], "w");
    // Defaults: the middle priority and the "task" type.
    let t2 = app.create_task(&worker, "Second", json!({})).await;
    assert_eq!(
        (t2["priority"].as_str(), t2["task_type"].as_str()),
        (Some("medium"), Some("task"))
    );
    assert_eq!(t2["task_key"], "ACME-0002");
}

#[tokio::test]
async fn create_errors_have_the_contract_messages() {
    let app = TestApp::spawn().await;
    let org = app.setup_org("acme").await;
    let other = app.setup_org("other").await;
    let r = app
        .post(
            "/api/v1/tasks/",
            &org.admin,
            json!({"title": "x", "priority": "urgent"}),
        )
        .await
        .expect(400);
    assert_eq!(
        r.detail(),
        "Invalid priority 'urgent'. Allowed: ['critical', 'high', 'medium', 'low']"
    );
    let r = app
        .post(
            "/api/v1/tasks/",
            &org.admin,
            json!({"title": "x", "task_type": "epic"}),
        )
        .await
        .expect(400);
    assert_eq!(
        r.detail(),
        "Invalid task type 'epic'. Allowed: ['bug', 'feature', 'task', 'improvement']"
    );
    let r = app
        .post("/api/v1/tasks/", &org.admin, json!({"title": ""}))
        .await
        .expect(400);
    assert!(r.body["errors"]["title"].is_array());
    app.post("/api/v1/tasks/", &org.admin, json!({}))
        .await
        .expect(400);
    app.post(
        "/api/v1/tasks/",
        &org.admin,
        json!({"title": "x".repeat(501)}),
    )
    .await
    .expect(400);
    app.post(
        "/api/v1/tasks/",
        &org.admin,
        json!({"title": "x", "due_date": "tomorrow"}),
    )
    .await
    .expect(400);
    // Another organization's workflow or team is never linked.
    let r = app
        .post(
            "/api/v1/tasks/",
            &org.admin,
            json!({"title": "x", "workflow": other.workflow_id}),
        )
        .await
        .expect(400);
    assert!(r.body["errors"]["workflow"].is_array());
    let team = app
        .post("/api/v1/teams/", &other.admin, json!({"name": "T"}))
        .await
        .expect(201)
        .body;
    app.post(
        "/api/v1/tasks/",
        &org.admin,
        json!({"title": "x", "team": team["id"]}),
    )
    .await
    .expect(400);
    // Read-only roles create nothing.
    let (_, viewer) = app.add_user(&org.admin, "v", "viewer").await;
    app.post("/api/v1/tasks/", &viewer, json!({"title": "x"}))
        .await
        .expect(403);
    let list = app.get("/api/v1/tasks/", &org.admin).await.expect(200).body;
    assert_eq!(list["count"], 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn forty_parallel_creations_get_consecutive_keys() {
    let app = TestApp::spawn().await;
    let org = app.setup_org("keys").await;
    let futures: Vec<_> = (0..40)
        .map(|i| {
            app.post(
                "/api/v1/tasks/",
                &org.admin,
                json!({"title": format!("t{i}")}),
            )
        })
        .collect();
    let results = futures::future::join_all(futures).await;
    let mut keys: Vec<String> = results
        .into_iter()
        .map(|r| r.expect(201).body["task_key"].as_str().unwrap().to_string())
        .collect();
    keys.sort();
    let expected: Vec<String> = (1..=40).map(|i| format!("KEYS-{i:04}")).collect();
    assert_eq!(keys, expected);
}

#[tokio::test]
async fn organizations_sharing_a_prefix_both_start_at_one() {
    let app = TestApp::spawn().await;
    let a = app.setup_org("abcd-x").await;
    let b = app.setup_org("abcd-y").await;
    assert_eq!(
        app.create_task(&a.admin, "a", json!({})).await["task_key"],
        "ABCD-0001"
    );
    assert_eq!(
        app.create_task(&b.admin, "b", json!({})).await["task_key"],
        "ABCD-0001"
    );
}

#[tokio::test]
async fn list_filters_search_order_and_paginate() {
    let app = TestApp::spawn().await;
    let org = app.setup_org("acme").await;
    let (wid, _) = app.add_user(&org.admin, "w", "engineer").await;
    let a = app
        .create_task(
            &org.admin,
            "Alpha login bug",
            json!({"priority": "low", "task_type": "bug", "due_date": "2030-01-01T00:00:00Z"}),
        )
        .await;
    let b = app
        .create_task(
            &org.admin,
            "Beta feature",
            json!({"priority": "critical", "task_type": "feature", "description": "LOGIN page"}),
        )
        .await;
    let c = app
        .create_task(
            &org.admin,
            "Gamma 100%_done",
            json!({"priority": "high", "due_date": "2029-01-01T00:00:00Z"}),
        )
        .await;
    app.post(
        &format!("/api/v1/tasks/{}/assign/", a["id"].as_str().unwrap()),
        &org.admin,
        json!({"user_id": wid}),
    )
    .await
    .expect(200);
    let keys = |v: &Value| -> Vec<String> {
        v["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["title"].as_str().unwrap().to_string())
            .collect()
    };
    let all = app.get("/api/v1/tasks/", &org.admin).await.expect(200).body;
    assert_eq!(
        keys(&all),
        vec!["Gamma 100%_done", "Beta feature", "Alpha login bug"],
        "default -created_at"
    );
    let s = app
        .get("/api/v1/tasks/?search=login", &org.admin)
        .await
        .expect(200)
        .body;
    assert_eq!(s["count"], 2);
    assert_eq!(
        titles(&app, &org.admin, "/api/v1/tasks/?search=ACME-0002").await,
        vec!["Beta feature"]
    );
    assert_eq!(
        titles(&app, &org.admin, "/api/v1/tasks/?search=100%25_").await,
        vec!["Gamma 100%_done"],
        "LIKE wildcards are literal"
    );
    let s = app
        .get("/api/v1/tasks/?search=%25", &org.admin)
        .await
        .expect(200)
        .body;
    assert_eq!(s["count"], 1);
    assert_eq!(
        titles(&app, &org.admin, "/api/v1/tasks/?priority=critical").await,
        vec!["Beta feature"]
    );
    let f = app
        .get(&format!("/api/v1/tasks/?assigned_to={wid}"), &org.admin)
        .await
        .expect(200)
        .body;
    assert_eq!(keys(&f), vec!["Alpha login bug"]);
    let f = app
        .get("/api/v1/tasks/?assigned_to=null", &org.admin)
        .await
        .expect(200)
        .body;
    assert_eq!(f["count"], 2);
    let f = app
        .get(
            "/api/v1/tasks/?task_type=bug&current_state=open&sla_breached=false",
            &org.admin,
        )
        .await
        .expect(200)
        .body;
    assert_eq!(keys(&f), vec!["Alpha login bug"]);
    assert_eq!(
        titles(&app, &org.admin, "/api/v1/tasks/?ordering=priority").await,
        vec!["Beta feature", "Gamma 100%_done", "Alpha login bug"],
        "by configured priority order"
    );
    assert_eq!(
        titles(&app, &org.admin, "/api/v1/tasks/?ordering=due_date").await,
        vec!["Gamma 100%_done", "Alpha login bug", "Beta feature"],
        "nulls last"
    );
    assert_eq!(
        titles(&app, &org.admin, "/api/v1/tasks/?ordering=-due_date").await,
        vec!["Alpha login bug", "Gamma 100%_done", "Beta feature"],
        "nulls last"
    );
    assert_eq!(
        titles(&app, &org.admin, "/api/v1/tasks/?page_size=2&page=2").await,
        vec!["Alpha login bug"]
    );
    // The count beside each page, whichever way it is taken: from the tallies in the page's
    // own statement, from the tallies alone when the page is empty, or by counting matches
    // (search) with the ordering's own values in the statement.
    let count = |path: &'static str| {
        let app = &app;
        let token = org.admin.clone();
        async move { app.get(path, &token).await.expect(200).body["count"].clone() }
    };
    assert_eq!(count("/api/v1/tasks/?page_size=2&page=2").await, 3);
    assert_eq!(count("/api/v1/tasks/?current_state=done").await, 0);
    assert_eq!(
        count("/api/v1/tasks/?search=a&ordering=priority&page_size=1&page=2").await,
        3
    );
    let past = app
        .get("/api/v1/tasks/?page_size=2&page=3", &org.admin)
        .await
        .expect(404);
    assert_eq!(past.detail(), "Invalid page.");
    let r = app
        .get("/api/v1/tasks/?ordering=password", &org.admin)
        .await
        .expect(400);
    assert!(r.detail().contains("Cannot order by 'password'"));
    app.get("/api/v1/tasks/?assigned_to=bob", &org.admin)
        .await
        .expect(400);
    app.get("/api/v1/tasks/?sla_breached=maybe", &org.admin)
        .await
        .expect(400);
    app.get(
        "/api/v1/tasks/?search=%27%3B%20DROP%20TABLE%20tasks%3B--",
        &org.admin,
    )
    .await
    .expect(200);
    app.get("/api/v1/tasks/?search=%E2%9C%93%F0%9F%98%80", &org.admin)
        .await
        .expect(200);
    let item = &all["results"][0];
    for field in [
        "id",
        "task_key",
        "title",
        "current_state",
        "priority",
        "task_type",
        "assigned_to",
        "assigned_to_name",
        "created_by_name",
        "team",
        "team_name",
        "due_date",
        "sla_breached",
        "ai_priority_score",
        "comment_count",
        "created_at",
    ] {
        assert!(item.get(field).is_some(), "list item lacks {field}");
    }
    let _ = (b, c);
}

#[tokio::test]
async fn patch_audits_each_changed_field_and_checks_who() {
    let app = TestApp::spawn().await;
    let org = app.setup_org("acme").await;
    let (_, creator) = app.add_user(&org.admin, "creator", "engineer").await;
    let (_, stranger) = app.add_user(&org.admin, "stranger", "engineer").await;
    let (_, manager) = app.add_user(&org.admin, "mgr", "manager").await;
    let task = app
        .create_task(&creator, "Old title", json!({"priority": "low"}))
        .await;
    let path = format!("/api/v1/tasks/{}/", task["id"].as_str().unwrap());
    let r = app
        .patch(&path, &stranger, json!({"title": "Mine now"}))
        .await
        .expect(403);
    assert_eq!(
        r.detail(),
        "Only the task's creator, its assignee or a manager can edit it."
    );
    let body = app
        .patch(
            &path,
            &creator,
            json!({"title": "New title", "priority": "high", "current_state": "done",
            "task_key": "HACK-1", "sla_breached": true, "ai_priority_score": 1.0}),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(body["title"], "New title");
    assert_eq!(
        body["current_state"], "open",
        "read-only fields are ignored"
    );
    assert_eq!(body["task_key"], "ACME-0001");
    assert_eq!(body["sla_breached"], false);
    let audit = app.audit_of(&org.admin, task["id"].as_str().unwrap()).await;
    assert_eq!(audit[0]["action"], "updated");
    assert_eq!(
        audit[0]["old_value"],
        json!({"title": "Old title", "priority": "low"})
    );
    assert_eq!(
        audit[0]["new_value"],
        json!({"title": "New title", "priority": "high"})
    );
    // No change, no entry.
    app.patch(&path, &manager, json!({"title": "New title"}))
        .await
        .expect(200);
    assert_eq!(
        app.audit_of(&org.admin, task["id"].as_str().unwrap())
            .await
            .len(),
        2
    );
    app.patch(&path, &manager, json!({"priority": "nope"}))
        .await
        .expect(400);
    app.patch(&path, &manager, json!({"due_date": "2031-05-05T10:00:00Z"}))
        .await
        .expect(200);
    let cleared = app
        .patch(&path, &manager, json!({"due_date": null}))
        .await
        .expect(200)
        .body;
    assert_eq!(cleared["due_date"], Value::Null);
}

#[tokio::test]
async fn delete_is_admin_only_and_audited_and_the_audit_survives() {
    let app = TestApp::spawn().await;
    let org = app.setup_org("acme").await;
    let (_, manager) = app.add_user(&org.admin, "mgr", "manager").await;
    let task = app.create_task(&manager, "Doomed", json!({})).await;
    let id = task["id"].as_str().unwrap();
    app.delete(&format!("/api/v1/tasks/{id}/"), &manager)
        .await
        .expect(403);
    app.delete(&format!("/api/v1/tasks/{id}/"), &org.admin)
        .await
        .expect(204);
    app.get(&format!("/api/v1/tasks/{id}/"), &org.admin)
        .await
        .expect(404);
    let audit = app.audit_of(&org.admin, id).await;
    let actions: Vec<&str> = audit
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, vec!["deleted", "created"]);
    assert_eq!(audit[0]["task_key"], "ACME-0001");
}

#[tokio::test]
async fn transitions_follow_rules_with_the_contract_messages() {
    let app = TestApp::spawn().await;
    let org = app.setup_org("acme").await;
    let (wid, worker) = app.add_user(&org.admin, "w", "engineer").await;
    let (_, viewer) = app.add_user(&org.admin, "v", "viewer").await;
    let task = app.create_task(&worker, "T", json!({})).await;
    let id = task["id"].as_str().unwrap();
    let go = |to: &str| json!({"to_state": to, "reason": "because"});
    let path = format!("/api/v1/tasks/{id}/transition/");
    let r = app.post(&path, &worker, go("open")).await.expect(400);
    assert_eq!(r.detail(), "Task is already in 'open' state.");
    let r = app.post(&path, &worker, go("limbo")).await.expect(400);
    assert_eq!(
        r.detail(),
        "State 'limbo' is not valid for workflow 'Org acme Default Workflow'. Allowed states: ['open', 'in_progress', 'review', 'testing', 'done', 'cancelled']"
    );
    let r = app.post(&path, &worker, go("review")).await.expect(400);
    assert_eq!(
        r.detail(),
        "Transition from 'open' to 'review' is not allowed in workflow 'Org acme Default Workflow'."
    );
    let r = app.post(&path, &worker, go("cancelled")).await.expect(400);
    assert_eq!(
        r.detail(),
        "Your role 'engineer' cannot transition from 'open' to 'cancelled'. Allowed roles: ['admin', 'manager']"
    );
    let r = app
        .post(&path, &worker, go("in_progress"))
        .await
        .expect(400);
    assert_eq!(
        r.detail(),
        "Task must be assigned to someone before moving to 'in_progress'."
    );
    app.post(&path, &viewer, go("in_progress"))
        .await
        .expect(403);
    app.post(
        &format!("/api/v1/tasks/{id}/assign/"),
        &org.admin,
        json!({"user_id": wid}),
    )
    .await
    .expect(200);
    let avail = app
        .get(
            &format!("/api/v1/tasks/{id}/available-transitions/"),
            &worker,
        )
        .await
        .expect(200)
        .body;
    assert_eq!(avail["current_state"], "open");
    assert_eq!(
        avail["available_transitions"],
        json!([{"to_state": "in_progress", "allowed_roles": ["admin", "manager", "engineer"]}])
    );
    let admin_avail = app
        .get(
            &format!("/api/v1/tasks/{id}/available-transitions/"),
            &org.admin,
        )
        .await
        .expect(200)
        .body;
    assert_eq!(
        admin_avail["available_transitions"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let viewer_avail = app
        .get(
            &format!("/api/v1/tasks/{id}/available-transitions/"),
            &viewer,
        )
        .await
        .expect(200)
        .body;
    assert_eq!(viewer_avail["available_transitions"], json!([]));
    for s in ["in_progress", "review", "testing"] {
        app.post(&path, &worker, go(s)).await.expect(200);
    }
    let done = app
        .post(&path, &org.admin, go("done"))
        .await
        .expect(200)
        .body;
    assert_eq!(done["current_state"], "done");
    assert!(done["resolved_at"].is_string());
    let reopened = app
        .post(&path, &org.admin, go("open"))
        .await
        .expect(200)
        .body;
    assert_eq!(
        reopened["resolved_at"],
        Value::Null,
        "leaving a final state clears resolved_at"
    );
    let audit = app.audit_of(&org.admin, id).await;
    assert_eq!(audit[0]["action"], "state_changed");
    assert_eq!(audit[0]["old_value"], json!({"state": "done"}));
    assert_eq!(audit[0]["new_value"], json!({"state": "open"}));
    assert_eq!(audit[0]["reason"], "because");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_parallel_identical_transitions_have_one_winner() {
    let app = TestApp::spawn().await;
    let org = app.setup_org("race").await;
    let task = app.create_task(&org.admin, "Race", json!({})).await;
    let id = task["id"].as_str().unwrap();
    let path = format!("/api/v1/tasks/{id}/transition/");
    let futures: Vec<_> = (0..20)
        .map(|_| app.post(&path, &org.admin, json!({"to_state": "cancelled"})))
        .collect();
    let results = futures::future::join_all(futures).await;
    let statuses: Vec<u16> = results.iter().map(|r| r.status).collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        1,
        "{statuses:?}"
    );
    assert!(
        statuses.iter().all(|s| [200, 400, 409].contains(s)),
        "{statuses:?}"
    );
    let changes = app
        .audit_of(&org.admin, id)
        .await
        .into_iter()
        .filter(|e| e["action"] == "state_changed")
        .count();
    assert_eq!(changes, 1);
}

#[tokio::test]
async fn assignment_rules_and_audit() {
    let app = TestApp::spawn().await;
    let org = app.setup_org("acme").await;
    let other = app.setup_org("other").await;
    let (wid, worker) = app.add_user(&org.admin, "w", "engineer").await;
    let (_, busy) = app
        .add_user_with(
            &org.admin,
            json!({"username": "busy", "role": "engineer", "max_concurrent_tasks": 1}),
        )
        .await;
    let busy_id = app.get("/api/v1/users/me/", &busy).await.body["id"]
        .as_str()
        .unwrap()
        .to_string();
    let t1 = app.create_task(&org.admin, "one", json!({})).await;
    let t2 = app.create_task(&org.admin, "two", json!({})).await;
    let assign = |t: &Value| format!("/api/v1/tasks/{}/assign/", t["id"].as_str().unwrap());
    app.post(&assign(&t1), &worker, json!({"user_id": wid}))
        .await
        .expect(403);
    let r = app
        .post(&assign(&t1), &org.admin, json!({"user_id": other.admin_id}))
        .await
        .expect(400);
    assert_eq!(
        r.detail(),
        "Cannot assign task to user from different organization."
    );
    let r = app
        .post(
            &assign(&t1),
            &org.admin,
            json!({"user_id": uuid::Uuid::new_v4()}),
        )
        .await
        .expect(400);
    assert_eq!(
        r.detail(),
        "Cannot assign task to user from different organization."
    );
    app.post(
        &assign(&t1),
        &org.admin,
        json!({"user_id": busy_id, "reason": "first"}),
    )
    .await
    .expect(200);
    let r = app
        .post(&assign(&t2), &org.admin, json!({"user_id": busy_id}))
        .await
        .expect(400);
    assert_eq!(r.detail(), "busy already has 1 active tasks (max: 1).");
    // Finishing the first task frees capacity (finals of the task's own workflow).
    app.post(
        &format!("/api/v1/tasks/{}/transition/", t1["id"].as_str().unwrap()),
        &org.admin,
        json!({"to_state": "cancelled"}),
    )
    .await
    .expect(200);
    app.post(&assign(&t2), &org.admin, json!({"user_id": busy_id}))
        .await
        .expect(200);
    let me = app.get("/api/v1/users/me/", &busy).await.body;
    assert_eq!(me["active_task_count"], 1);
    // Read-only people cannot be given work.
    let (viewer_id, _) = app.add_user(&org.admin, "watcher", "viewer").await;
    let refused = app
        .post(&assign(&t2), &org.admin, json!({"user_id": viewer_id}))
        .await
        .expect(400)
        .body;
    assert_eq!(
        refused["errors"]["user_id"][0],
        "watcher has the read-only role 'viewer' and cannot be assigned tasks."
    );
    // Leaving user_id out is a mistake, not an unassignment (the reference answers 400).
    let missing = app
        .post(&assign(&t2), &org.admin, json!({"reason": "oops"}))
        .await
        .expect(400)
        .body;
    assert_eq!(missing["detail"], "user_id is required (null unassigns).");
    assert_eq!(missing["errors"]["user_id"][0], "This field is required.");
    let still = app
        .get(
            &format!("/api/v1/tasks/{}/", t2["id"].as_str().unwrap()),
            &org.admin,
        )
        .await
        .body;
    assert_eq!(still["assigned_to"], me["id"], "nothing changed");
    let un = app
        .post(
            &assign(&t2),
            &org.admin,
            json!({"user_id": null, "reason": "rebalancing"}),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(un["assigned_to"], Value::Null);
    let audit = app.audit_of(&org.admin, t2["id"].as_str().unwrap()).await;
    assert_eq!(audit[0]["action"], "assigned");
    assert_eq!(
        audit[0]["new_value"],
        json!({"assigned_to": null, "username": null})
    );
    assert_eq!(audit[0]["old_value"]["username"], "busy");
    assert_eq!(audit[0]["reason"], "rebalancing");
    assert_eq!(audit[1]["new_value"]["username"], "busy");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn ten_parallel_assignments_to_a_one_task_user_have_one_winner() {
    let app = TestApp::spawn().await;
    let org = app.setup_org("cap").await;
    let (uid, _) = app
        .add_user_with(
            &org.admin,
            json!({"username": "solo", "role": "engineer", "max_concurrent_tasks": 1}),
        )
        .await;
    let mut ids = Vec::new();
    for i in 0..10 {
        ids.push(
            app.create_task(&org.admin, &format!("t{i}"), json!({}))
                .await["id"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    let paths: Vec<String> = ids
        .iter()
        .map(|id| format!("/api/v1/tasks/{id}/assign/"))
        .collect();
    let futures: Vec<_> = paths
        .iter()
        .map(|p| app.post(p, &org.admin, json!({"user_id": uid})))
        .collect();
    let results = futures::future::join_all(futures).await;
    let statuses: Vec<u16> = results.iter().map(|r| r.status).collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        1,
        "{statuses:?}"
    );
    assert!(
        statuses.iter().all(|s| *s == 200 || *s == 400),
        "{statuses:?}"
    );
    let assigned = app
        .get(&format!("/api/v1/tasks/?assigned_to={uid}"), &org.admin)
        .await
        .body;
    assert_eq!(assigned["count"], 1);
}

#[tokio::test]
async fn deleting_a_user_unassigns_their_tasks_and_keeps_the_audit_actor() {
    let app = TestApp::spawn().await;
    let org = app.setup_org("acme").await;
    let (wid, worker) = app.add_user(&org.admin, "leaver", "engineer").await;
    let task = app.create_task(&worker, "Mine", json!({})).await;
    let id = task["id"].as_str().unwrap();
    app.post(
        &format!("/api/v1/tasks/{id}/assign/"),
        &org.admin,
        json!({"user_id": wid}),
    )
    .await
    .expect(200);
    app.delete(&format!("/api/v1/users/{wid}/"), &org.admin)
        .await
        .expect(204);
    let t = app
        .get(&format!("/api/v1/tasks/{id}/"), &org.admin)
        .await
        .expect(200)
        .body;
    assert_eq!(t["assigned_to"], Value::Null);
    assert_eq!(t["created_by"], Value::Null);
    let audit = app.audit_of(&org.admin, id).await;
    let created = audit.iter().find(|e| e["action"] == "created").unwrap();
    assert_eq!(created["performed_by_name"], "leaver");
}
