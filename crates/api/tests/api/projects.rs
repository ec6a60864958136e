//! Projects: the third access layer (owner, editor, viewer, non-member, organization roles)
//! on every way a task can be reached, tasks in projects, figures, and other organizations'
//! projects.

use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};

use crate::helpers::TestApp;

/// Puts a task straight into `state`, resolved now (figures only; no transition rules).
async fn set_state(app: &TestApp, task: &str, state: &str) {
    let c = app.db.conn();
    c.execute_raw(Statement::from_sql_and_values(
        c.get_database_backend(),
        "UPDATE tasks SET current_state = $1, resolved_at = $2 WHERE id = $3",
        [
            state.into(),
            chrono::Utc::now().into(),
            uuid::Uuid::parse_str(task).unwrap().into(),
        ],
    ))
    .await
    .unwrap();
}

async fn project(app: &TestApp, token: &str, body: Value) -> Value {
    app.post("/api/v1/projects/", token, body)
        .await
        .expect(201)
        .body
}

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_string()
}

async fn add_member(app: &TestApp, token: &str, project: &str, user: &str, role: &str) {
    app.post(
        &format!("/api/v1/projects/{project}/members/"),
        token,
        json!({"user": user, "role": role}),
    )
    .await
    .expect(201);
}

/// Keys of the tasks a list answer holds, and its count.
fn keys(list: &Value) -> (Vec<String>, i64) {
    let keys = list["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["task_key"].as_str().unwrap().to_string())
        .collect();
    (keys, list["count"].as_i64().unwrap())
}

#[tokio::test]
async fn each_access_layer_decides_for_members_viewers_and_outsiders() {
    let app = TestApp::spawn().await;
    let org = app.setup_org("nova").await;
    let (alice, alice_t) = app.add_user(&org.admin, "alice", "engineer").await;
    let (bob, bob_t) = app.add_user(&org.admin, "bob", "engineer").await;
    let (_carol, carol_t) = app.add_user(&org.admin, "carol", "engineer").await;
    let (vic, vic_t) = app.add_user(&org.admin, "vic", "viewer").await;
    let (_mia, mia_t) = app.add_user(&org.admin, "mia", "manager").await;

    // Only organization managers and admins create projects; the creator owns it.
    let r = app
        .post(
            "/api/v1/projects/",
            &alice_t,
            json!({"key": "ROVER", "name": "Rover"}),
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.body);
    let p = project(
        &app,
        &org.admin,
        json!({"key": "rover", "name": "Mars Rover Arm", "description": "Sampling arm"}),
    )
    .await;
    assert_eq!(p["key"], "ROVER");
    assert_eq!(p["visibility"], "private");
    assert_eq!(p["status"], "active");
    assert_eq!(p["my_role"], "owner");
    assert_eq!(p["can"]["manage"], true);
    let pid = id(&p);
    add_member(&app, &org.admin, &pid, &alice, "editor").await;
    add_member(&app, &org.admin, &pid, &bob, "viewer").await;
    add_member(&app, &org.admin, &pid, &vic, "editor").await;

    // An editor creates tasks in it and edits anyone's task there.
    let by_admin = app
        .create_task(&org.admin, "Calibrate wrist", json!({"project": pid}))
        .await;
    assert_eq!(by_admin["project"], pid.as_str());
    assert_eq!(by_admin["project_key"], "ROVER");
    let tid = id(&by_admin);
    let mine = app
        .create_task(&alice_t, "Gripper firmware", json!({"project": pid}))
        .await;
    let r = app
        .patch(
            &format!("/api/v1/tasks/{tid}/"),
            &alice_t,
            json!({"priority": "high"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["can"]["edit"], true);

    // A viewer reads but changes nothing.
    app.post(
        &format!("/api/v1/tasks/{tid}/assign/"),
        &org.admin,
        json!({"user_id": alice}),
    )
    .await
    .expect(200);
    let seen = app.get(&format!("/api/v1/tasks/{tid}/"), &bob_t).await;
    assert_eq!(seen.status, 200);
    assert_eq!(seen.body["can"]["edit"], false);
    assert_eq!(seen.body["can"]["transition"], false);
    assert_eq!(seen.body["can"]["comment"], false);
    for (status, body) in [
        {
            let r = app
                .post(
                    "/api/v1/tasks/",
                    &bob_t,
                    json!({"title": "x", "project": pid}),
                )
                .await;
            (r.status, r.body)
        },
        {
            let r = app
                .patch(
                    &format!("/api/v1/tasks/{tid}/"),
                    &bob_t,
                    json!({"title": "x"}),
                )
                .await;
            (r.status, r.body)
        },
        {
            let r = app
                .post(
                    &format!("/api/v1/tasks/{tid}/transition/"),
                    &bob_t,
                    json!({"to_state": "in_progress"}),
                )
                .await;
            (r.status, r.body)
        },
        {
            let r = app
                .post(
                    "/api/v1/comments/",
                    &bob_t,
                    json!({"task": tid, "content": "x"}),
                )
                .await;
            (r.status, r.body)
        },
    ] {
        assert_eq!(status, 403, "{body}");
    }
    let r = app
        .get(
            &format!("/api/v1/tasks/{tid}/available-transitions/"),
            &bob_t,
        )
        .await
        .expect(200);
    assert_eq!(r.body["available_transitions"], json!([]));
    // A project editor whose organization role is read-only stays read-only.
    let r = app
        .post(
            "/api/v1/tasks/",
            &vic_t,
            json!({"title": "x", "project": pid}),
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.body);

    // Someone outside a private project: it and its tasks do not exist for them.
    let outside = app
        .create_task(&carol_t, "Carol's own task", json!({}))
        .await;
    app.post(
        "/api/v1/comments/",
        &alice_t,
        json!({"task": tid, "content": "torque is off by 4%"}),
    )
    .await
    .expect(201);
    for path in [
        format!("/api/v1/projects/{pid}/"),
        format!("/api/v1/projects/{pid}/stats/"),
        format!("/api/v1/projects/{pid}/members/"),
        format!("/api/v1/tasks/{tid}/"),
        format!("/api/v1/tasks/{tid}/dependencies/"),
        format!("/api/v1/tasks/{tid}/available-transitions/"),
    ] {
        let r = app.get(&path, &carol_t).await;
        assert_eq!(r.status, 404, "{path}: {}", r.body);
    }
    let (listed, count) = keys(&app.get("/api/v1/tasks/", &carol_t).await.expect(200).body);
    assert_eq!(listed, vec![outside["task_key"].as_str().unwrap()]);
    assert_eq!(count, 1, "the count leaves out hidden tasks too");
    let (_, count) = keys(&app.get("/api/v1/tasks/?priority=high", &carol_t).await.body);
    assert_eq!(count, 0);
    let (listed, _) = keys(
        &app.get(&format!("/api/v1/tasks/?project={pid}"), &carol_t)
            .await
            .body,
    );
    assert!(listed.is_empty());
    let (listed, _) = keys(&app.get("/api/v1/tasks/?search=wrist", &carol_t).await.body);
    assert!(listed.is_empty());
    let nl = app
        .post(
            "/api/v1/ai/query/",
            &carol_t,
            json!({"question": "tasks in project rover"}),
        )
        .await
        .expect(200)
        .body;
    assert!(nl["parsed_filters"].get("project").is_none(), "{nl}");
    assert_eq!(nl["count"], 1, "{nl}");
    let comments = app
        .get("/api/v1/comments/", &carol_t)
        .await
        .expect(200)
        .body;
    assert_eq!(comments["count"], 0, "{comments}");
    let audit = app
        .get("/api/v1/audit-logs/", &carol_t)
        .await
        .expect(200)
        .body;
    assert!(
        audit["results"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["task"] != tid.as_str() && e["task"] != mine["id"]),
        "{audit}"
    );
    let r = app
        .post(
            "/api/v1/tasks/",
            &carol_t,
            json!({"title": "x", "project": pid}),
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.body);
    assert_eq!(
        r.body["errors"]["project"][0],
        "Project not found in this organization."
    );
    let listed = app
        .get("/api/v1/projects/", &carol_t)
        .await
        .expect(200)
        .body;
    assert_eq!(listed["count"], 0);

    // Members and the organization's managers see it; the assignee must be able to work in it.
    assert_eq!(app.get("/api/v1/projects/", &bob_t).await.body["count"], 1);
    assert_eq!(app.get("/api/v1/projects/", &mia_t).await.body["count"], 1);
    let (listed, _) = keys(&app.get("/api/v1/tasks/", &mia_t).await.body);
    assert_eq!(listed.len(), 3);
    let r = app
        .post(
            &format!("/api/v1/tasks/{tid}/assign/"),
            &org.admin,
            json!({"user_id": bob}),
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(r.detail().contains("not an owner or editor"), "{}", r.body);

    // Open to the organization: everyone reads, only members write.
    app.patch(
        &format!("/api/v1/projects/{pid}/"),
        &org.admin,
        json!({"visibility": "organization"}),
    )
    .await
    .expect(200);
    let r = app.get(&format!("/api/v1/tasks/{tid}/"), &carol_t).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["can"]["edit"], false);
    let (_, count) = keys(&app.get("/api/v1/tasks/", &carol_t).await.body);
    assert_eq!(count, 3);
    let r = app
        .patch(
            &format!("/api/v1/tasks/{tid}/"),
            &carol_t,
            json!({"title": "x"}),
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.body);
}

#[tokio::test]
async fn owners_manage_members_and_editors_do_not() {
    let app = TestApp::spawn().await;
    let org = app.setup_org("nova").await;
    let (alice, alice_t) = app.add_user(&org.admin, "alice", "engineer").await;
    let (bob, bob_t) = app.add_user(&org.admin, "bob", "engineer").await;
    let pid = id(&project(&app, &org.admin, json!({"key": "DOCK", "name": "Docking"})).await);
    add_member(&app, &org.admin, &pid, &alice, "owner").await;
    add_member(&app, &alice_t, &pid, &bob, "editor").await;
    let r = app
        .post(
            &format!("/api/v1/projects/{pid}/members/"),
            &alice_t,
            json!({"user": bob}),
        )
        .await;
    assert_eq!(r.status, 409, "{}", r.body);
    assert_eq!(r.body["code"], "already_member");
    // An editor manages nothing.
    let r = app
        .patch(
            &format!("/api/v1/projects/{pid}/members/{alice}/"),
            &bob_t,
            json!({"role": "viewer"}),
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.body);
    let r = app
        .patch(
            &format!("/api/v1/projects/{pid}/"),
            &bob_t,
            json!({"name": "Mine now"}),
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.body);
    // The owner does.
    let r = app
        .patch(
            &format!("/api/v1/projects/{pid}/members/{bob}/"),
            &alice_t,
            json!({"role": "viewer"}),
        )
        .await
        .expect(200);
    assert_eq!(r.body["role"], "viewer");
    let r = app
        .patch(
            &format!("/api/v1/projects/{pid}/"),
            &alice_t,
            json!({"target_date": "2027-03-31", "budget": {"hours": 320}}),
        )
        .await
        .expect(200);
    assert_eq!(r.body["target_date"], "2027-03-31");
    assert_eq!(r.body["budget"], json!({"hours": 320.0}));
    let members = app
        .get(&format!("/api/v1/projects/{pid}/members/"), &bob_t)
        .await
        .expect(200)
        .body;
    let names: Vec<&str> = members["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["username"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["alice", "bob", "nova_admin"]);
    // The last owner stays: with the admin gone from the project, alice cannot leave.
    let admin_id = org.admin_id.clone();
    app.delete(
        &format!("/api/v1/projects/{pid}/members/{admin_id}/"),
        &alice_t,
    )
    .await
    .expect(204);
    let r = app
        .delete(
            &format!("/api/v1/projects/{pid}/members/{alice}/"),
            &alice_t,
        )
        .await;
    assert_eq!(r.status, 409, "{}", r.body);
    assert_eq!(r.body["code"], "last_project_owner");
    let r = app
        .patch(
            &format!("/api/v1/projects/{pid}/members/{alice}/"),
            &alice_t,
            json!({"role": "editor"}),
        )
        .await;
    assert_eq!(r.status, 409, "{}", r.body);
    // Bad roles and people of no organization of ours are refused.
    let r = app
        .post(
            &format!("/api/v1/projects/{pid}/members/"),
            &alice_t,
            json!({"user": admin_id, "role": "boss"}),
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.body);
    let other = app.setup_org("other").await;
    let r = app
        .post(
            &format!("/api/v1/projects/{pid}/members/"),
            &alice_t,
            json!({"user": other.admin_id, "role": "viewer"}),
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.body);
}

#[tokio::test]
async fn projects_validate_their_fields() {
    let app = TestApp::spawn().await;
    let org = app.setup_org("nova").await;
    project(&app, &org.admin, json!({"key": "ROVER", "name": "Rover"})).await;
    for (body, field_or_code) in [
        (json!({"key": "R2D2", "name": "Droid"}), "key"),
        (json!({"key": "A", "name": "Short"}), "key"),
        (
            json!({"key": "ROVER", "name": "Other"}),
            "project_key_taken",
        ),
        (
            json!({"key": "OTHER", "name": "Rover"}),
            "project_name_taken",
        ),
        (
            json!({"key": "DATE", "name": "Dates", "start_date": "2027-01-02", "target_date": "2027-01-01"}),
            "target_date",
        ),
        (
            json!({"key": "CUR", "name": "Money", "budget": {"amount": 100, "currency": "EUR"},
                   "hourly_rate": {"amount": 10, "currency": "USD"}}),
            "hourly_rate",
        ),
        (
            json!({"key": "NEG", "name": "Neg", "budget": {"amount": -1, "currency": "EUR"}}),
            "budget",
        ),
        (
            json!({"key": "STAT", "name": "Stat", "status": "done"}),
            "status",
        ),
        (
            json!({"key": "VIS", "name": "Vis", "visibility": "public"}),
            "visibility",
        ),
    ] {
        let r = app
            .post("/api/v1/projects/", &org.admin, body.clone())
            .await;
        if field_or_code.starts_with("project_") {
            assert_eq!(r.status, 409, "{body}: {}", r.body);
            assert_eq!(r.body["code"], field_or_code, "{}", r.body);
        } else {
            assert_eq!(r.status, 400, "{body}: {}", r.body);
            assert!(
                r.body["errors"][field_or_code].is_array(),
                "{body}: {}",
                r.body
            );
        }
    }
    let p = project(
        &app,
        &org.admin,
        json!({"key": "FUND", "name": "Funded", "budget": {"amount": 4500000, "currency": "EUR"},
               "hourly_rate": {"amount": 9500, "currency": "EUR"}, "start_date": "2026-12-01"}),
    )
    .await;
    assert_eq!(p["budget"], json!({"amount": 4500000, "currency": "EUR"}));
    assert_eq!(p["hourly_rate"], json!({"amount": 9500, "currency": "EUR"}));
    assert_eq!(p["start_date"], "2026-12-01");
    let listed = app
        .get("/api/v1/projects/?search=fun", &org.admin)
        .await
        .expect(200)
        .body;
    assert_eq!(listed["count"], 1);
    let r = app.get("/api/v1/projects/?status=nope", &org.admin).await;
    assert_eq!(r.status, 400);
}

#[tokio::test]
async fn tasks_live_in_projects_with_their_subtasks_and_figures() {
    let app = TestApp::spawn().await;
    let org = app.setup_org("nova").await;
    let a = id(&project(&app, &org.admin, json!({"key": "AAA", "name": "A"})).await);
    let b = id(&project(&app, &org.admin, json!({"key": "BBB", "name": "B"})).await);
    let parent = app
        .create_task(&org.admin, "Parent", json!({"project": a}))
        .await;
    let pid = id(&parent);
    // A sub-task follows its parent into the project; another project is refused.
    let sub = app
        .create_task(&org.admin, "Child", json!({"parent": pid}))
        .await;
    assert_eq!(sub["project"], a.as_str());
    let r = app
        .post(
            "/api/v1/tasks/",
            &org.admin,
            json!({"title": "Stray", "parent": pid, "project": b}),
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(r.body["errors"]["project"].is_array(), "{}", r.body);
    let r = app
        .patch(
            &format!("/api/v1/tasks/{}/", id(&sub)),
            &org.admin,
            json!({"project": b}),
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.body);
    // Moving the parent moves its sub-tasks, audited.
    app.patch(
        &format!("/api/v1/tasks/{pid}/"),
        &org.admin,
        json!({"project": b}),
    )
    .await
    .expect(200);
    let moved = app
        .get(&format!("/api/v1/tasks/{}/", id(&sub)), &org.admin)
        .await
        .body;
    assert_eq!(moved["project"], b.as_str());
    let audit = app.audit_of(&org.admin, &pid).await;
    assert!(
        audit
            .iter()
            .any(|e| e["action"] == "updated" && e["new_value"]["project"] == b.as_str()),
        "{audit:?}"
    );
    let (listed, count) = keys(
        &app.get(&format!("/api/v1/tasks/?project={b}"), &org.admin)
            .await
            .body,
    );
    assert_eq!(count, 2);
    assert_eq!(listed.len(), 2);

    // Figures: one done, one cancelled (not counted), one overdue, one open.
    let wf = &org.workflow_id;
    let done = app
        .create_task(&org.admin, "Done", json!({"project": a}))
        .await;
    let cancelled = app
        .create_task(&org.admin, "Cancelled", json!({"project": a}))
        .await;
    app.create_task(
        &org.admin,
        "Late",
        json!({"project": a, "due_date": "2020-01-01T00:00:00Z"}),
    )
    .await;
    app.create_task(&org.admin, "Open", json!({"project": a}))
        .await;
    let states = app
        .get(&format!("/api/v1/workflows/{wf}/"), &org.admin)
        .await
        .body;
    let finals = states["final_states"].as_array().unwrap().clone();
    let cancel = states["cancel_state"].as_str().unwrap().to_string();
    let finished = finals
        .iter()
        .map(|s| s.as_str().unwrap())
        .find(|s| *s != cancel)
        .unwrap()
        .to_string();
    set_state(&app, &id(&done), &finished).await;
    set_state(&app, &id(&cancelled), &cancel).await;
    let stats = app
        .get(&format!("/api/v1/projects/{a}/stats/"), &org.admin)
        .await
        .expect(200)
        .body;
    assert_eq!(stats["open"], 2, "{stats}");
    assert_eq!(stats["overdue"], 1, "{stats}");
    assert_eq!(stats["completed_last_7_days"], 1, "{stats}");
    assert_eq!(
        stats["progress_percent"], 33,
        "1 done of 3 not cancelled: {stats}"
    );
    assert_eq!(stats["by_state"][&finished], 1, "{stats}");

    // A project with tasks is not deleted; an archived one takes no new tasks.
    let r = app
        .delete(&format!("/api/v1/projects/{a}/"), &org.admin)
        .await;
    assert_eq!(r.status, 409, "{}", r.body);
    assert_eq!(r.body["code"], "project_in_use");
    app.patch(
        &format!("/api/v1/projects/{a}/"),
        &org.admin,
        json!({"status": "archived"}),
    )
    .await
    .expect(200);
    let r = app
        .post(
            "/api/v1/tasks/",
            &org.admin,
            json!({"title": "Late add", "project": a}),
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.body);
    let empty = id(&project(&app, &org.admin, json!({"key": "EMPTY", "name": "Empty"})).await);
    app.delete(&format!("/api/v1/projects/{empty}/"), &org.admin)
        .await
        .expect(204);
    app.get(&format!("/api/v1/projects/{empty}/"), &org.admin)
        .await
        .expect(404);
}

#[tokio::test]
async fn another_organizations_projects_are_not_found_and_untouched() {
    let app = TestApp::spawn().await;
    let a = app.setup_org("alpha").await;
    let b = app.setup_org("beta").await;
    let theirs = project(&app, &b.admin, json!({"key": "SECRET", "name": "Secret"})).await;
    let pid = id(&theirs);
    let their_task = app
        .create_task(&b.admin, "Theirs", json!({"project": pid}))
        .await;
    for path in [
        format!("/api/v1/projects/{pid}/"),
        format!("/api/v1/projects/{pid}/stats/"),
        format!("/api/v1/projects/{pid}/members/"),
    ] {
        app.get(&path, &a.admin).await.expect(404);
    }
    app.patch(
        &format!("/api/v1/projects/{pid}/"),
        &a.admin,
        json!({"name": "Pwned"}),
    )
    .await
    .expect(404);
    app.delete(&format!("/api/v1/projects/{pid}/"), &a.admin)
        .await
        .expect(404);
    app.post(
        &format!("/api/v1/projects/{pid}/members/"),
        &a.admin,
        json!({"user": a.admin_id}),
    )
    .await
    .expect(404);
    let r = app
        .post(
            "/api/v1/tasks/",
            &a.admin,
            json!({"title": "x", "project": pid}),
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.body);
    let mine = app.create_task(&a.admin, "Mine", json!({})).await;
    let r = app
        .patch(
            &format!("/api/v1/tasks/{}/", id(&mine)),
            &a.admin,
            json!({"project": pid}),
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.body);
    let (listed, _) = keys(
        &app.get(&format!("/api/v1/tasks/?project={pid}"), &a.admin)
            .await
            .body,
    );
    assert!(listed.is_empty());
    let after = app
        .get(&format!("/api/v1/projects/{pid}/"), &b.admin)
        .await
        .body;
    assert_eq!(after["name"], "Secret");
    assert_eq!(after["member_count"], 1);
    let (listed, _) = keys(
        &app.get(&format!("/api/v1/tasks/?project={pid}"), &b.admin)
            .await
            .body,
    );
    assert_eq!(listed, vec![their_task["task_key"].as_str().unwrap()]);
}

/// Counts in a dashboard answer, for comparing what two readers see.
fn overview_total(o: &Value) -> i64 {
    o["overview"]["total_tasks"].as_i64().unwrap()
}

#[tokio::test]
async fn hidden_work_stays_out_of_every_figure_and_message() {
    let app = TestApp::spawn().await;
    let org = app.setup_org("nova").await;
    let (alice, alice_t) = app.add_user(&org.admin, "alice", "engineer").await;
    let (_, carol_t) = app.add_user(&org.admin, "carol", "engineer").await;
    let pid = id(&project(&app, &org.admin, json!({"key": "SEC", "name": "Security"})).await);
    add_member(&app, &org.admin, &pid, &alice, "editor").await;
    let open_task = app.create_task(&carol_t, "Open work", json!({})).await;
    let secret = app
        .create_task(
            &org.admin,
            "Rotate the leaked key",
            json!({"project": pid, "due_date": "2020-01-01T00:00:00Z", "priority": "critical"}),
        )
        .await;
    app.post(
        &format!("/api/v1/tasks/{}/assign/", id(&secret)),
        &org.admin,
        json!({"user_id": alice}),
    )
    .await
    .expect(200);

    // The dashboard: the admin counts both tasks, carol only hers.
    let all = app
        .get("/api/v1/dashboard/overview/", &org.admin)
        .await
        .expect(200)
        .body;
    let mine = app
        .get("/api/v1/dashboard/overview/", &carol_t)
        .await
        .expect(200)
        .body;
    assert_eq!(overview_total(&all), 2, "{all}");
    assert_eq!(overview_total(&mine), 1, "{mine}");
    assert_eq!(mine["overview"]["by_priority"]["critical"], 0, "{mine}");
    assert_eq!(mine["overview"]["last_7_days"]["created"], 1, "{mine}");
    assert_eq!(mine["sla"]["breached"], 0, "{mine}");
    assert_eq!(all["sla"]["breached"], 1, "{all}");
    let perf = app
        .get("/api/v1/dashboard/team-performance/", &carol_t)
        .await
        .expect(200)
        .body;
    let alice_row = perf["team_performance"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["username"] == "alice")
        .unwrap()
        .clone();
    assert_eq!(alice_row["active_tasks"], 0, "{perf}");
    let trends = app
        .get("/api/v1/dashboard/trends/?days=7", &carol_t)
        .await
        .expect(200)
        .body;
    let created: i64 = trends["created_vs_completed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["created"].as_i64().unwrap())
        .sum();
    assert_eq!(created, 1, "{trends}");
    assert_eq!(trends["overdue_by_assignee"], json!([]), "{trends}");
    let trends_admin = app
        .get("/api/v1/dashboard/trends/?days=7", &org.admin)
        .await
        .expect(200)
        .body;
    assert_eq!(trends_admin["overdue_by_assignee"][0]["username"], "alice");
    let sla = app
        .post("/api/v1/dashboard/sla-check/", &carol_t, json!({}))
        .await
        .expect(200)
        .body;
    assert_eq!(sla["results"]["breached_tasks"], json!([]), "{sla}");
    assert_eq!(sla["results"]["newly_breached"], 0, "{sla}");

    // Messages name a hidden task without its key; responses leave it out.
    let r = app
        .post(
            &format!("/api/v1/tasks/{}/dependencies/", id(&open_task)),
            &org.admin,
            json!({"blocked_by": id(&secret)}),
        )
        .await
        .expect(201);
    assert_eq!(r.body["blocked_by"][0]["task_key"], secret["task_key"]);
    let deps = app
        .get(
            &format!("/api/v1/tasks/{}/dependencies/", id(&open_task)),
            &carol_t,
        )
        .await
        .expect(200)
        .body;
    assert_eq!(deps["blocked_by"], json!([]), "{deps}");
    let detail = app
        .get(&format!("/api/v1/tasks/{}/", id(&open_task)), &carol_t)
        .await
        .body;
    assert_eq!(detail["blocked_by"], json!([]), "{detail}");

    // Taking away the right to work on a project's tasks from someone who holds some.
    let r = app
        .delete(
            &format!("/api/v1/projects/{pid}/members/{alice}/"),
            &org.admin,
        )
        .await;
    assert_eq!(r.status, 409, "{}", r.body);
    assert_eq!(r.body["code"], "member_has_tasks");
    let r = app
        .patch(
            &format!("/api/v1/projects/{pid}/members/{alice}/"),
            &org.admin,
            json!({"role": "viewer"}),
        )
        .await;
    assert_eq!(r.status, 409, "{}", r.body);
    // Moving a task into a project its assignee cannot work in is refused too.
    let other = id(&project(&app, &org.admin, json!({"key": "OPS", "name": "Ops"})).await);
    let r = app
        .patch(
            &format!("/api/v1/tasks/{}/", id(&secret)),
            &org.admin,
            json!({"project": other}),
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.body);
    // … unless the same request hands it to someone who can.
    let r = app
        .patch(
            &format!("/api/v1/tasks/{}/", id(&secret)),
            &org.admin,
            json!({"project": other, "assigned_to": null}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["project"], other.as_str());
    app.patch(
        &format!("/api/v1/tasks/{}/", id(&secret)),
        &org.admin,
        json!({"project": pid}),
    )
    .await
    .expect(200);

    // A deleted hidden task's history stays hidden.
    let before = app.get("/api/v1/audit-logs/", &carol_t).await.body["count"].clone();
    app.delete(&format!("/api/v1/tasks/{}/", id(&secret)), &org.admin)
        .await
        .expect(204);
    let after = app
        .get("/api/v1/audit-logs/", &carol_t)
        .await
        .expect(200)
        .body;
    // One entry more: her task is no longer blocked (recorded on her task).
    assert_eq!(after["count"], before.as_i64().unwrap() + 1, "{after}");
    assert_eq!(
        after["results"][0]["action"], "dependency_removed",
        "{after}"
    );
    assert!(
        after["results"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["task_key"] != secret["task_key"]),
        "{after}"
    );
    let admin_sees = app
        .get(
            &format!("/api/v1/audit-logs/?task={}", id(&secret)),
            &org.admin,
        )
        .await
        .expect(200)
        .body;
    assert!(admin_sees["count"].as_i64().unwrap() >= 3, "{admin_sees}");
    let entry = admin_sees["results"][0]["id"].as_str().unwrap();
    app.get(&format!("/api/v1/audit-logs/{entry}/"), &carol_t)
        .await
        .expect(404);
    // alice, who was in the project, still reads it.
    let hers = app
        .get("/api/v1/audit-logs/", &alice_t)
        .await
        .expect(200)
        .body;
    assert!(
        hers["results"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["task_key"] == secret["task_key"]),
        "{hers}"
    );
}

#[tokio::test]
async fn viewers_cannot_score_or_change_their_old_comments() {
    let app = TestApp::spawn().await;
    let org = app.setup_org("nova").await;
    let (bob, bob_t) = app.add_user(&org.admin, "bob", "engineer").await;
    let pid = id(&project(&app, &org.admin, json!({"key": "ROVER", "name": "Rover"})).await);
    add_member(&app, &org.admin, &pid, &bob, "editor").await;
    let task = app
        .create_task(&org.admin, "Calibrate", json!({"project": pid}))
        .await;
    let comment = app
        .post(
            "/api/v1/comments/",
            &bob_t,
            json!({"task": id(&task), "content": "on it"}),
        )
        .await
        .expect(201)
        .body;
    app.post(
        "/api/v1/ai/score-priority/",
        &bob_t,
        json!({"task_id": id(&task)}),
    )
    .await
    .expect(200);
    app.patch(
        &format!("/api/v1/projects/{pid}/members/{bob}/"),
        &org.admin,
        json!({"role": "viewer"}),
    )
    .await
    .expect(200);
    let r = app
        .post(
            "/api/v1/ai/score-priority/",
            &bob_t,
            json!({"task_id": id(&task)}),
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.body);
    let r = app
        .patch(
            &format!("/api/v1/comments/{}/", id(&comment)),
            &bob_t,
            json!({"content": "never mind"}),
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.body);
    // Removed from the project, the comment is not found at all.
    app.delete(
        &format!("/api/v1/projects/{pid}/members/{bob}/"),
        &org.admin,
    )
    .await
    .expect(204);
    app.patch(
        &format!("/api/v1/comments/{}/", id(&comment)),
        &bob_t,
        json!({"content": "never mind"}),
    )
    .await
    .expect(404);
    // The recommendation for a project task only names people who may work on it.
    let (eve, _) = app.add_user(&org.admin, "eve", "engineer").await;
    add_member(&app, &org.admin, &pid, &eve, "editor").await;
    let recs = app
        .post(
            "/api/v1/ai/recommend-assignee/",
            &org.admin,
            json!({"task_id": id(&task)}),
        )
        .await
        .expect(200)
        .body;
    let names: Vec<&str> = recs["recommendations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["username"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"eve"), "{names:?}");
    assert!(!names.contains(&"bob"), "{names:?}");
}
