//! Sub-tasks (one level, the parent-completion rule) and "blocked by" dependencies (cycles
//! refused, completion held back, concurrent inserts, other organizations' tasks).

use serde_json::{Value, json};

use crate::helpers::TestApp;

/// A workflow of one active state, so no move needs an assignee: todo → done | cancelled,
/// and back to todo.
async fn quick_workflow(app: &TestApp, token: &str, name: &str, parent_rule: bool) -> String {
    let wf = app
        .post(
            "/api/v1/workflows/",
            token,
            json!({"name": name, "allowed_states": ["todo", "done", "cancelled"],
                   "final_states": ["done", "cancelled"],
                   "complete_parent_requires_subtasks_done": parent_rule}),
        )
        .await
        .expect(201)
        .body;
    assert_eq!(wf["cancel_state"], "cancelled", "{wf}");
    assert_eq!(wf["complete_parent_requires_subtasks_done"], parent_rule);
    let id = wf["id"].as_str().unwrap().to_string();
    for (from, to) in [
        ("todo", "done"),
        ("todo", "cancelled"),
        ("done", "todo"),
        ("cancelled", "todo"),
    ] {
        app.post(
            "/api/v1/transitions/",
            token,
            json!({"workflow": id, "from_state": from, "to_state": to,
                   "allowed_roles": ["admin", "manager", "engineer"]}),
        )
        .await
        .expect(201);
    }
    id
}

async fn task(app: &TestApp, token: &str, wf: &str, title: &str, extra: Value) -> Value {
    let mut body = json!({"title": title, "workflow": wf});
    body.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    app.post("/api/v1/tasks/", token, body)
        .await
        .expect(201)
        .body
}

fn id(t: &Value) -> &str {
    t["id"].as_str().unwrap()
}

fn key(t: &Value) -> &str {
    t["task_key"].as_str().unwrap()
}

async fn move_to(app: &TestApp, token: &str, t: &Value, to: &str) -> (u16, Value) {
    let r = app
        .post(
            &format!("/api/v1/tasks/{}/transition/", id(t)),
            token,
            json!({"to_state": to, "reason": "test"}),
        )
        .await;
    (r.status, r.body)
}

async fn block(app: &TestApp, token: &str, t: &Value, by: &Value) -> (u16, Value) {
    let r = app
        .post(
            &format!("/api/v1/tasks/{}/dependencies/", id(t)),
            token,
            json!({"blocked_by": id(by)}),
        )
        .await;
    (r.status, r.body)
}

#[tokio::test]
async fn a_blocker_holds_back_completion_until_it_is_done_but_not_cancelling() {
    let app = TestApp::spawn().await;
    let org = app.setup_org("deps").await;
    let admin = &org.admin;
    let wf = quick_workflow(&app, admin, "Quick", false).await;
    let a = task(&app, admin, &wf, "Ship the firmware", json!({})).await;
    let b = task(&app, admin, &wf, "Fix the thermal derating", json!({})).await;
    let c = task(&app, admin, &wf, "Update the manual", json!({})).await;
    let (status, body) = block(&app, admin, &a, &b).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["blocked_by"][0]["task_key"], key(&b));
    assert_eq!(body["blocked_by"][0]["is_active"], true);
    assert_eq!(block(&app, admin, &a, &c).await.0, 201);
    // Both directions show in the details and the dependencies list.
    let detail = app
        .get(&format!("/api/v1/tasks/{}/", id(&a)), admin)
        .await
        .expect(200)
        .body;
    let keys = |v: &Value| {
        v.as_array()
            .unwrap()
            .iter()
            .map(|t| t["task_key"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(keys(&detail["blocked_by"]), vec![key(&b), key(&c)]);
    let of_b = app
        .get(&format!("/api/v1/tasks/{}/dependencies/", id(&b)), admin)
        .await
        .expect(200)
        .body;
    assert_eq!(keys(&of_b["blocking"]), vec![key(&a)]);
    assert_eq!(
        app.get("/api/v1/tasks/?blocked=true", admin)
            .await
            .expect(200)
            .body["count"],
        1
    );
    // The sixth check, with its exact message; nothing moved.
    let (status, body) = move_to(&app, admin, &a, "done").await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["code"], "blocked");
    assert_eq!(
        body["detail"],
        format!("Task is blocked by {}, {}.", key(&b), key(&c))
    );
    let now = app
        .get(&format!("/api/v1/tasks/{}/", id(&a)), admin)
        .await
        .expect(200)
        .body;
    assert_eq!(now["current_state"], "todo");
    assert_eq!(now["version"], detail["version"]);
    // Cancelling is never held back.
    assert_eq!(move_to(&app, admin, &a, "cancelled").await.0, 200);
    assert_eq!(move_to(&app, admin, &a, "todo").await.0, 200);
    // One blocker done, one cancelled (finished either way): A may complete.
    assert_eq!(move_to(&app, admin, &b, "done").await.0, 200);
    let (_, body) = move_to(&app, admin, &a, "done").await;
    assert_eq!(body["detail"], format!("Task is blocked by {}.", key(&c)));
    assert_eq!(move_to(&app, admin, &c, "cancelled").await.0, 200);
    assert_eq!(
        app.get("/api/v1/tasks/?blocked=true", admin)
            .await
            .expect(200)
            .body["count"],
        0
    );
    let (status, body) = move_to(&app, admin, &a, "done").await;
    assert_eq!(status, 200, "{body}");
    // Audited; removable once; then gone.
    let audit = app
        .get("/api/v1/audit-logs/?action=dependency_added", admin)
        .await
        .expect(200)
        .body;
    assert_eq!(audit["count"], 2, "{audit}");
    assert_eq!(audit["results"][0]["task_key"], key(&a));
    app.delete(
        &format!("/api/v1/tasks/{}/dependencies/{}/", id(&a), id(&b)),
        admin,
    )
    .await
    .expect(204);
    app.delete(
        &format!("/api/v1/tasks/{}/dependencies/{}/", id(&a), id(&b)),
        admin,
    )
    .await
    .expect(404);
    let audit = app
        .get("/api/v1/audit-logs/?action=dependency_removed", admin)
        .await
        .expect(200)
        .body;
    assert_eq!(audit["count"], 1);
    // Deleting a blocker unblocks what it blocked, with a trace on the task it blocked.
    app.delete(&format!("/api/v1/tasks/{}/", id(&c)), admin)
        .await
        .expect(204);
    let removed = app.audit_of(admin, id(&a)).await;
    let gone = removed
        .iter()
        .filter(|e| e["action"] == "dependency_removed")
        .count();
    assert_eq!(gone, 2, "{removed:?}");
    let a_now = app
        .get(&format!("/api/v1/tasks/{}/", id(&a)), admin)
        .await
        .expect(200)
        .body;
    assert_eq!(a_now["blocked_by"], json!([]));
}

#[tokio::test]
async fn a_dependency_that_would_close_a_cycle_is_refused_naming_every_task() {
    let app = TestApp::spawn().await;
    let org = app.setup_org("cycles").await;
    let admin = &org.admin;
    let wf = quick_workflow(&app, admin, "Quick", false).await;
    let mut t = Vec::new();
    for i in 0..5 {
        t.push(task(&app, admin, &wf, &format!("Step {i}"), json!({})).await);
    }
    // Length 2.
    assert_eq!(block(&app, admin, &t[0], &t[1]).await.0, 201);
    let (status, body) = block(&app, admin, &t[1], &t[0]).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["code"], "dependency_cycle");
    assert_eq!(
        body["detail"],
        format!(
            "This dependency would create a cycle: {} → {} → {}.",
            key(&t[1]),
            key(&t[0]),
            key(&t[1])
        )
    );
    // Length 5: 0 ← 1 ← 2 ← 3 ← 4, then 4 blocked by 0.
    for i in 1..4 {
        assert_eq!(block(&app, admin, &t[i], &t[i + 1]).await.0, 201);
    }
    let (status, body) = block(&app, admin, &t[4], &t[0]).await;
    assert_eq!(status, 400, "{body}");
    let chain: Vec<&str> = [4, 0, 1, 2, 3, 4].iter().map(|i| key(&t[*i])).collect();
    assert_eq!(
        body["detail"],
        format!(
            "This dependency would create a cycle: {}.",
            chain.join(" → ")
        )
    );
    // Nothing was stored by the refusals.
    let deps = app
        .get(&format!("/api/v1/tasks/{}/dependencies/", id(&t[4])), admin)
        .await
        .expect(200)
        .body;
    assert_eq!(deps["blocked_by"], json!([]));
    // Itself, twice, no such task.
    let (status, body) = block(&app, admin, &t[0], &t[0]).await;
    assert_eq!(
        (status, body["errors"]["blocked_by"][0].clone()),
        (400, json!("A task cannot block itself."))
    );
    let (status, body) = block(&app, admin, &t[0], &t[1]).await;
    assert_eq!(status, 400);
    assert_eq!(
        body["detail"],
        format!("{} is already blocked by {}.", key(&t[0]), key(&t[1]))
    );
    let r = app
        .post(
            &format!("/api/v1/tasks/{}/dependencies/", id(&t[0])),
            admin,
            json!({"blocked_by": uuid::Uuid::now_v7()}),
        )
        .await;
    assert_eq!(r.status, 404);
    app.post(
        &format!("/api/v1/tasks/{}/dependencies/", id(&t[0])),
        admin,
        json!({}),
    )
    .await
    .expect(400);
}

#[tokio::test]
async fn concurrent_inserts_that_would_close_a_cycle_let_exactly_one_win() {
    let app = TestApp::spawn().await;
    let org = app.setup_org("race").await;
    let admin = &org.admin;
    let wf = quick_workflow(&app, admin, "Quick", false).await;
    for round in 0..6 {
        let a = task(&app, admin, &wf, &format!("A{round}"), json!({})).await;
        let b = task(&app, admin, &wf, &format!("B{round}"), json!({})).await;
        let (one, two) = tokio::join!(block(&app, admin, &a, &b), block(&app, admin, &b, &a));
        let mut statuses = vec![one.0, two.0];
        statuses.sort();
        assert_eq!(
            statuses,
            vec![201, 400],
            "round {round}: {} / {}",
            one.1,
            two.1
        );
        let loser = if one.0 == 400 { one.1 } else { two.1 };
        assert_eq!(loser["code"], "dependency_cycle", "{loser}");
    }
}

#[tokio::test]
async fn another_organizations_tasks_are_not_found_and_nothing_changes() {
    let app = TestApp::spawn().await;
    let org = app.setup_org("home").await;
    let other = app.setup_org("away").await;
    let wf = quick_workflow(&app, &org.admin, "Quick", false).await;
    let mine = task(&app, &org.admin, &wf, "Mine", json!({})).await;
    let theirs = app.create_task(&other.admin, "Theirs", json!({})).await;
    assert_eq!(block(&app, &org.admin, &mine, &theirs).await.0, 404);
    assert_eq!(block(&app, &org.admin, &theirs, &mine).await.0, 404);
    app.get(
        &format!("/api/v1/tasks/{}/dependencies/", id(&theirs)),
        &org.admin,
    )
    .await
    .expect(404);
    app.get(
        &format!("/api/v1/tasks/{}/subtasks/", id(&theirs)),
        &org.admin,
    )
    .await
    .expect(404);
    app.delete(
        &format!("/api/v1/tasks/{}/dependencies/{}/", id(&theirs), id(&mine)),
        &org.admin,
    )
    .await
    .expect(404);
    app.post(
        "/api/v1/tasks/",
        &org.admin,
        json!({"title": "Child", "workflow": wf, "parent": id(&theirs)}),
    )
    .await
    .expect(404);
    app.patch(
        &format!("/api/v1/tasks/{}/", id(&mine)),
        &org.admin,
        json!({"parent": id(&theirs)}),
    )
    .await
    .expect(404);
    let after = app
        .get(&format!("/api/v1/tasks/{}/", id(&mine)), &org.admin)
        .await
        .expect(200)
        .body;
    assert_eq!(after["parent"], Value::Null);
    assert_eq!(after["version"], mine["version"]);
    let theirs_now = app
        .get(&format!("/api/v1/tasks/{}/", id(&theirs)), &other.admin)
        .await
        .expect(200)
        .body;
    assert_eq!(theirs_now["blocking"], json!([]));
    assert_eq!(theirs_now["subtasks"], json!([]));
}

#[tokio::test]
async fn sub_tasks_are_one_level_and_hold_back_their_parent_where_the_workflow_asks() {
    let app = TestApp::spawn().await;
    let org = app.setup_org("subs").await;
    let admin = &org.admin;
    let strict = quick_workflow(&app, admin, "Strict", true).await;
    let parent = task(&app, admin, &strict, "Release 2.0", json!({})).await;
    let s1 = task(
        &app,
        admin,
        &strict,
        "Changelog",
        json!({"parent": id(&parent)}),
    )
    .await;
    let s2 = task(
        &app,
        admin,
        &strict,
        "Upgrade notes",
        json!({"parent": id(&parent)}),
    )
    .await;
    assert_eq!(s1["parent"], parent["id"]);
    assert_eq!(s1["parent_detail"]["task_key"], key(&parent));
    assert_eq!(
        s1["version"], 1,
        "a task created as a sub-task is at its first version"
    );
    let p = app
        .get(&format!("/api/v1/tasks/{}/", id(&parent)), admin)
        .await
        .expect(200)
        .body;
    assert_eq!(p["subtask_progress"], json!({"done": 0, "total": 2}));
    assert_eq!(p["subtasks"][0]["task_key"], key(&s1));
    let listed = app
        .get(&format!("/api/v1/tasks/{}/subtasks/", id(&parent)), admin)
        .await
        .expect(200)
        .body;
    assert_eq!(listed["count"], 2);
    assert_eq!(listed["results"][0]["parent"], parent["id"]);
    assert_eq!(
        app.get(&format!("/api/v1/tasks/?parent={}", id(&parent)), admin)
            .await
            .expect(200)
            .body["count"],
        2
    );
    // One level: no sub-task of a sub-task, and a parent cannot become a sub-task.
    let depth = "Sub-tasks are one level deep: a sub-task cannot have sub-tasks.";
    let r = app
        .post(
            "/api/v1/tasks/",
            admin,
            json!({"title": "Too deep", "workflow": strict, "parent": id(&s1)}),
        )
        .await;
    assert_eq!(
        (r.status, r.body["code"].clone(), r.body["detail"].clone()),
        (400, json!("subtask_depth"), json!(depth))
    );
    let other = task(&app, admin, &strict, "Another epic", json!({})).await;
    let r = app
        .patch(
            &format!("/api/v1/tasks/{}/", id(&parent)),
            admin,
            json!({"parent": id(&other)}),
        )
        .await;
    assert_eq!((r.status, r.body["detail"].clone()), (400, json!(depth)));
    let r = app
        .patch(
            &format!("/api/v1/tasks/{}/", id(&parent)),
            admin,
            json!({"parent": id(&parent)}),
        )
        .await;
    assert_eq!(r.status, 400);
    // The seventh check: the parent completes once its sub-tasks are finished.
    let (status, body) = move_to(&app, admin, &parent, "done").await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["code"], "subtasks_open");
    assert_eq!(
        body["detail"],
        format!("Task has unfinished sub-tasks: {}, {}.", key(&s1), key(&s2))
    );
    assert_eq!(move_to(&app, admin, &parent, "cancelled").await.0, 200);
    assert_eq!(move_to(&app, admin, &parent, "todo").await.0, 200);
    assert_eq!(move_to(&app, admin, &s1, "done").await.0, 200);
    assert_eq!(move_to(&app, admin, &s2, "cancelled").await.0, 200);
    assert_eq!(move_to(&app, admin, &parent, "done").await.0, 200);
    let p = app
        .get(&format!("/api/v1/tasks/{}/", id(&parent)), admin)
        .await
        .expect(200)
        .body;
    assert_eq!(p["subtask_progress"], json!({"done": 2, "total": 2}));
    // A workflow without the option lets a parent complete with open sub-tasks.
    let loose = quick_workflow(&app, admin, "Loose", false).await;
    let epic = task(&app, admin, &loose, "Loose epic", json!({})).await;
    task(
        &app,
        admin,
        &loose,
        "Open child",
        json!({"parent": id(&epic)}),
    )
    .await;
    assert_eq!(move_to(&app, admin, &epic, "done").await.0, 200);
    // Detaching is an edit, audited old → new; deleting a parent keeps its sub-tasks.
    let r = app
        .patch(
            &format!("/api/v1/tasks/{}/", id(&s2)),
            admin,
            json!({"parent": null}),
        )
        .await
        .expect(200);
    assert_eq!(r.body["parent"], Value::Null);
    let history = app.audit_of(admin, id(&s2)).await;
    let edit = history
        .iter()
        .find(|e| e["action"] == "updated")
        .expect("an update entry");
    assert_eq!(edit["old_value"]["parent"], parent["id"]);
    let before = app
        .get(&format!("/api/v1/tasks/{}/", id(&s1)), admin)
        .await
        .expect(200)
        .body;
    app.delete(&format!("/api/v1/tasks/{}/", id(&parent)), admin)
        .await
        .expect(204);
    let orphan = app
        .get(&format!("/api/v1/tasks/{}/", id(&s1)), admin)
        .await
        .expect(200)
        .body;
    assert_eq!(orphan["parent"], Value::Null);
    assert_eq!(
        orphan["version"].as_i64().unwrap(),
        before["version"].as_i64().unwrap() + 1
    );
    let history = app.audit_of(admin, id(&s1)).await;
    assert!(
        history.iter().any(|e| e["action"] == "updated"
            && e["new_value"]["parent"].is_null()
            && e["old_value"]["parent"] == parent["id"]),
        "{history:?}"
    );
}

#[tokio::test]
async fn dependencies_are_changed_by_those_who_may_edit_the_task() {
    let app = TestApp::spawn().await;
    let org = app.setup_org("perm").await;
    let wf = quick_workflow(&app, &org.admin, "Quick", false).await;
    let (_, engineer) = app.add_user(&org.admin, "perm_eng", "engineer").await;
    let (_, viewer) = app.add_user(&org.admin, "perm_view", "viewer").await;
    let admins = task(&app, &org.admin, &wf, "Admin's task", json!({})).await;
    let blocker = task(&app, &org.admin, &wf, "Blocker", json!({})).await;
    // Neither the engineer (not its creator or assignee) nor a viewer; everyone reads.
    assert_eq!(block(&app, &engineer, &admins, &blocker).await.0, 403);
    assert_eq!(block(&app, &viewer, &admins, &blocker).await.0, 403);
    app.get(
        &format!("/api/v1/tasks/{}/dependencies/", id(&admins)),
        &viewer,
    )
    .await
    .expect(200);
    // The engineer's own task: yes.
    let own = task(&app, &engineer, &wf, "Engineer's task", json!({})).await;
    assert_eq!(block(&app, &engineer, &own, &blocker).await.0, 201);
    app.delete(
        &format!("/api/v1/tasks/{}/dependencies/{}/", id(&own), id(&blocker)),
        &viewer,
    )
    .await
    .expect(403);
    // A sub-task holds its parent back, so giving a task sub-tasks is an edit of it.
    let r = app
        .post(
            "/api/v1/tasks/",
            &engineer,
            json!({"title": "Hitchhiker", "workflow": wf, "parent": id(&admins)}),
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.body);
    assert_eq!(
        r.body["detail"],
        format!(
            "Only those who may edit {} can give it sub-tasks.",
            key(&admins)
        )
    );
    let subs = app
        .get(
            &format!("/api/v1/tasks/{}/subtasks/", id(&admins)),
            &org.admin,
        )
        .await
        .expect(200)
        .body;
    assert_eq!(subs["count"], 0);
    task(
        &app,
        &engineer,
        &wf,
        "My own step",
        json!({"parent": id(&own)}),
    )
    .await;
}

/// PostgreSQL: a blocker being reopened by a transaction that has not committed yet makes
/// the completion wait, then refuses it — the share lock, not luck, decides.
#[tokio::test]
async fn a_blocker_reopened_at_the_same_moment_is_waited_for_and_then_holds_back() {
    if crate::helpers::expected_backend() != switchyard_store::Backend::Postgres {
        return; // SQLite runs one writer at a time: there is no "same moment".
    }
    use sea_orm::{ConnectionTrait, Statement, TransactionTrait};
    let app = std::sync::Arc::new(TestApp::spawn().await);
    let org = app.setup_org("reopen").await;
    let admin = org.admin.clone();
    let wf = quick_workflow(&app, &admin, "Quick", false).await;
    let a = task(&app, &admin, &wf, "Ship", json!({})).await;
    let b = task(&app, &admin, &wf, "Sign", json!({})).await;
    assert_eq!(block(&app, &admin, &a, &b).await.0, 201);
    assert_eq!(move_to(&app, &admin, &b, "done").await.0, 200);
    // Someone reopens the blocker and has not committed yet.
    let reopen = app.db.conn().begin().await.unwrap();
    reopen
        .execute_raw(Statement::from_sql_and_values(
            reopen.get_database_backend(),
            "UPDATE tasks SET current_state = 'todo', resolved_at = NULL, version = version + 1 WHERE id = $1",
            [uuid::Uuid::parse_str(id(&b)).unwrap().into()],
        ))
        .await
        .unwrap();
    let completing = {
        let (app, admin, a) = (app.clone(), admin.clone(), a.clone());
        tokio::spawn(async move { move_to(&app, &admin, &a, "done").await })
    };
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert!(
        !completing.is_finished(),
        "the completion must wait for the reopen"
    );
    reopen.commit().await.unwrap();
    let (status, body) = completing.await.unwrap();
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["detail"], format!("Task is blocked by {}.", key(&b)));
}
