//! `/api/v1/ai/`: scoring, routing, auto-assign and plain-English queries through HTTP.

use chrono::{Duration, SecondsFormat, Utc};
use serde_json::{Value, json};

use crate::helpers::TestApp;

fn ago(hours: i64) -> String {
    (Utc::now() - Duration::hours(hours)).to_rfc3339_opts(SecondsFormat::Secs, true)
}

async fn ask(app: &TestApp, token: &str, q: &str) -> crate::helpers::Resp {
    app.post("/api/v1/ai/query/", token, json!({"question": q}))
        .await
}

fn keys(body: &Value) -> Vec<String> {
    let mut k: Vec<String> = body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["task_key"].as_str().unwrap().to_string())
        .collect();
    k.sort();
    k
}

#[tokio::test]
async fn score_priority_follows_the_reference_tables_for_a_new_task_without_due_date() {
    let app = TestApp::spawn().await;
    let org = app.setup_org("tables").await;
    let task = app
        .create_task(&org.admin, "Tidy the settings page", json!({}))
        .await;
    let r = app
        .post(
            "/api/v1/ai/score-priority/",
            &org.admin,
            json!({"task_id": task["id"]}),
        )
        .await
        .expect(200)
        .body;
    let analysis = &r["priority_analysis"];
    assert_eq!(analysis["factors"]["deadline_score"], 0.3, "{r}");
    assert_eq!(analysis["factors"]["age_score"], 0.1, "{r}");
    let explanation = analysis["explanation"].as_str().unwrap();
    assert!(
        explanation.starts_with("AI Priority: LOW — Primary driver: "),
        "{explanation}"
    );
}

#[tokio::test]
async fn score_priority_is_stored_on_the_task() {
    let app = TestApp::spawn().await;
    let org = app.setup_org("acme").await;
    let task = app
        .create_task(
            &org.admin,
            "Production outage: checkout crashes",
            json!({"priority": "critical", "task_type": "bug", "due_date": ago(2)}),
        )
        .await;
    let id = task["id"].as_str().unwrap();
    let r = app
        .post(
            "/api/v1/ai/score-priority/",
            &org.admin,
            json!({"task_id": id}),
        )
        .await
        .expect(200)
        .body;
    let score = r["priority_analysis"]["score"].as_f64().unwrap();
    assert!(score > 0.6, "{r}");
    assert_eq!(r["priority_analysis"]["factors"]["keyword_score"], 1.0);
    assert_eq!(r["priority_analysis"]["factors"]["type_score"], 0.8);
    assert_eq!(r["priority_analysis"]["factors"]["priority_score"], 1.0);
    assert_eq!(r["priority_analysis"]["factors"]["deadline_score"], 1.0);
    // A task created just now: the reference's youngest age step.
    assert_eq!(r["priority_analysis"]["factors"]["age_score"], 0.1);
    let explanation = r["priority_analysis"]["explanation"].as_str().unwrap();
    assert!(
        explanation.starts_with("AI Priority: HIGH — Primary driver: ")
            || explanation.starts_with("AI Priority: CRITICAL — Primary driver: "),
        "{explanation}"
    );
    assert_eq!(r["estimate_basis"], "heuristic");
    let stored = app
        .get(&format!("/api/v1/tasks/{id}/"), &org.admin)
        .await
        .body;
    assert_eq!(stored["ai_priority_score"].as_f64(), Some(score));
    assert_eq!(stored["ai_estimated_hours"], r["estimated_hours"]);
    let (_, viewer) = app.add_user(&org.admin, "v", "viewer").await;
    app.post(
        "/api/v1/ai/score-priority/",
        &viewer,
        json!({"task_id": id}),
    )
    .await
    .expect(403);
    app.post(
        "/api/v1/ai/score-priority/",
        &org.admin,
        json!({"task_id": "nope"}),
    )
    .await
    .expect(400);
    app.post("/api/v1/ai/score-priority/", &org.admin, json!({}))
        .await
        .expect(400);
}

#[tokio::test]
async fn score_all_scores_every_active_task_best_first() {
    let app = TestApp::spawn().await;
    let org = app.setup_org("acme").await;
    app.create_task(
        &org.admin,
        "Tidy docs",
        json!({"priority": "low", "task_type": "improvement"}),
    )
    .await;
    app.create_task(
        &org.admin,
        "Security breach in prod",
        json!({"priority": "critical", "task_type": "bug", "due_date": ago(1)}),
    )
    .await;
    let done = app.create_task(&org.admin, "Old", json!({})).await;
    app.post(
        &format!("/api/v1/tasks/{}/transition/", done["id"].as_str().unwrap()),
        &org.admin,
        json!({"to_state": "cancelled"}),
    )
    .await
    .expect(200);
    let (_, worker) = app.add_user(&org.admin, "w", "engineer").await;
    app.post("/api/v1/ai/score-all/", &worker, json!({}))
        .await
        .expect(403);
    let r = app
        .post("/api/v1/ai/score-all/", &org.admin, json!({}))
        .await
        .expect(200)
        .body;
    assert_eq!(r["scored_count"], 2);
    assert_eq!(r["results"][0]["task_key"], "ACME-0002");
    assert!(r["results"][0]["score"].as_f64() > r["results"][1]["score"].as_f64());
    let list = app
        .get("/api/v1/tasks/?ordering=-ai_priority_score", &org.admin)
        .await
        .body;
    assert_eq!(list["results"][0]["task_key"], "ACME-0002");
    assert_eq!(
        list["results"][2]["ai_priority_score"],
        Value::Null,
        "final tasks are not scored"
    );
}

#[tokio::test]
async fn routing_prefers_skills_and_respects_capacity() {
    let app = TestApp::spawn().await;
    let org = app.setup_org("acme").await;
    let (alice, _) = app.add_user_with(&org.admin, json!({"username": "alice", "role": "engineer", "skills": ["Python", "django"], "max_concurrent_tasks": 1})).await;
    let (bob, _) = app.add_user_with(&org.admin, json!({"username": "bob", "role": "engineer", "skills": ["react"], "max_concurrent_tasks": 3})).await;
    app.add_user(&org.admin, "v", "viewer").await;
    let task = app
        .create_task(
            &org.admin,
            "Fix the Django ORM query",
            json!({"tags": ["python"], "task_type": "bug"}),
        )
        .await;
    let id = task["id"].as_str().unwrap();
    let r = app
        .post(
            "/api/v1/ai/recommend-assignee/",
            &org.admin,
            json!({"task_id": id}),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(r["required_skills"], json!(["python"]));
    let recs = r["recommendations"].as_array().unwrap();
    let names: Vec<&str> = recs
        .iter()
        .map(|x| x["username"].as_str().unwrap())
        .collect();
    assert!(
        !names.contains(&"v") && !names.contains(&"acme_admin"),
        "only managers and workers: {names:?}"
    );
    assert_eq!(recs[0]["user_id"], json!(alice));
    assert_eq!(recs[0]["factors"]["skill_match"], 1.0);
    let bob_rec = recs.iter().find(|x| x["user_id"] == json!(bob)).unwrap();
    assert_eq!(bob_rec["factors"]["skill_match"], 0.0);
    assert!(recs[0]["total_score"].as_f64() > bob_rec["total_score"].as_f64());
    assert!(
        recs[0]["reasoning"]
            .as_str()
            .unwrap()
            .contains("matches 1 of 1 required skills")
    );

    // Fill alice's single slot: she now has no availability, and auto-assign passes her by.
    let other = app
        .create_task(&org.admin, "Other python work", json!({"tags": ["python"]}))
        .await;
    app.post(
        &format!("/api/v1/tasks/{}/assign/", other["id"].as_str().unwrap()),
        &org.admin,
        json!({"user_id": alice}),
    )
    .await
    .expect(200);
    let r = app
        .post(
            "/api/v1/ai/recommend-assignee/",
            &org.admin,
            json!({"task_id": id}),
        )
        .await
        .expect(200)
        .body;
    let alice_rec = r["recommendations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["user_id"] == json!(alice))
        .unwrap()
        .clone();
    assert_eq!(alice_rec["factors"]["availability"], 0.0);
    let tagged = ask(&app, &org.admin, "tasks tagged PYTHON")
        .await
        .expect(200)
        .body;
    assert_eq!(tagged["count"], 2);
    assert_eq!(tagged["parsed_filters"]["tags"], json!(["python"]));
    let none = ask(&app, &org.admin, "tagged pyth").await.expect(200).body;
    assert_eq!(none["count"], 0, "tags match whole");
    let auto = app
        .post(
            "/api/v1/ai/auto-assign/",
            &org.admin,
            json!({"task_id": id}),
        )
        .await
        .expect(200)
        .body;
    assert_ne!(auto["assigned_to"], "alice", "{auto}");
    let t = app
        .get(&format!("/api/v1/tasks/{id}/"), &org.admin)
        .await
        .body;
    assert_ne!(t["assigned_to"], json!(alice));
    if auto["assigned_to"].is_string() {
        let entry = &app.audit_of(&org.admin, id).await[0];
        assert_eq!(entry["action"], "assigned");
        assert!(
            entry["reason"]
                .as_str()
                .unwrap()
                .starts_with("AI auto-assigned")
        );
    }
}

#[tokio::test]
async fn auto_assign_is_for_managers_and_assigns_the_best() {
    let app = TestApp::spawn().await;
    let org = app.setup_org("acme").await;
    let (_, worker) = app.add_user(&org.admin, "w", "engineer").await;
    let (alice, _) = app
        .add_user_with(
            &org.admin,
            json!({"username": "alice", "role": "engineer", "skills": ["python"]}),
        )
        .await;
    let task = app
        .create_task(&org.admin, "Python job", json!({"tags": ["python"]}))
        .await;
    let id = task["id"].as_str().unwrap();
    let r = app
        .post("/api/v1/ai/auto-assign/", &worker, json!({"task_id": id}))
        .await
        .expect(403);
    assert_eq!(
        r.detail(),
        "Only admins and managers can auto-assign tasks."
    );
    let r = app
        .post(
            "/api/v1/ai/auto-assign/",
            &org.admin,
            json!({"task_id": id}),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(r["assigned_to"], "alice");
    assert_eq!(r["recommendation_details"]["user_id"], json!(alice));
    let t = app
        .get(&format!("/api/v1/tasks/{id}/"), &org.admin)
        .await
        .body;
    assert_eq!(t["assigned_to"], json!(alice));
}

#[tokio::test]
async fn auto_assign_assigns_nobody_when_nobody_qualifies() {
    let app = TestApp::spawn().await;
    let org = app.setup_org("acme").await;
    app.add_user_with(
        &org.admin,
        json!({"username": "full", "role": "engineer", "max_concurrent_tasks": 0}),
    )
    .await;
    let task = app
        .create_task(&org.admin, "Anything", json!({"tags": ["cobol"]}))
        .await;
    let r = app
        .post(
            "/api/v1/ai/auto-assign/",
            &org.admin,
            json!({"task_id": task["id"]}),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(r["assigned_to"], Value::Null);
    assert!(
        r["message"]
            .as_str()
            .unwrap()
            .starts_with("Nobody was assigned")
    );
    let t = app
        .get(
            &format!("/api/v1/tasks/{}/", task["id"].as_str().unwrap()),
            &org.admin,
        )
        .await
        .body;
    assert_eq!(t["assigned_to"], Value::Null);
}

#[tokio::test]
async fn questions_return_exactly_the_right_tasks() {
    let app = TestApp::spawn().await;
    let setup = app
        .post_anon(
            "/api/v1/setup/",
            json!({"org_name": "NovaSphere", "org_slug": "nova", "admin_username": "nova_admin", "admin_password": "Orbit-Launch-2026",
                   "roles": ["admin", "engineering_manager", "senior_engineer", "engineer", "stakeholder"],
                   "priorities": ["p0_blocker", "p1_critical", "p2_major", "p3_minor"],
                   "task_types": ["defect", "user_story", "spike", "tech_debt", "change_request"],
                   "workflow_states": ["backlog", "todo", "in_progress", "code_review", "qa", "staging", "deployed", "cancelled"],
                   "final_states": ["deployed", "cancelled"]}),
        )
        .await
        .expect(201)
        .body;
    let admin = setup["tokens"]["access"].as_str().unwrap().to_string();
    let (alice, alice_token) = app.add_user(&admin, "dev_alice", "engineer").await;
    app.add_user(&admin, "bob", "engineer").await;
    let t1 = app
        .create_task(
            &admin,
            "Crash in payments",
            json!({"priority": "p0_blocker", "task_type": "defect", "due_date": ago(3)}),
        )
        .await;
    let t2 = app
        .create_task(
            &admin,
            "Crash in search",
            json!({"priority": "p0_blocker", "task_type": "defect", "due_date": ago(3)}),
        )
        .await;
    let t3 = app
        .create_task(
            &admin,
            "Not late",
            json!({"priority": "p0_blocker", "task_type": "defect"}),
        )
        .await;
    let t4 = app
        .create_task(
            &admin,
            "Minor thing",
            json!({"priority": "p3_minor", "task_type": "defect", "due_date": ago(3)}),
        )
        .await;
    let t5 = app
        .create_task(
            &admin,
            "Story for alice",
            json!({"priority": "p2_major", "task_type": "user_story"}),
        )
        .await;
    for t in [&t1, &t2, &t3, &t4, &t5] {
        let id = t["id"].as_str().unwrap();
        app.post(
            &format!("/api/v1/tasks/{id}/assign/"),
            &admin,
            json!({"user_id": alice}),
        )
        .await
        .expect(200);
    }
    // t1 and t3 go to code review; t2 stays in progress.
    for (t, to) in [
        (&t1, "code_review"),
        (&t3, "code_review"),
        (&t2, "in_progress"),
        (&t4, "code_review"),
    ] {
        for s in ["todo", "in_progress", "code_review"] {
            app.post(
                &format!("/api/v1/tasks/{}/transition/", t["id"].as_str().unwrap()),
                &admin,
                json!({"to_state": s}),
            )
            .await
            .expect(200);
            if s == to {
                break;
            }
        }
    }
    let unassigned = app
        .create_task(&admin, "Nobody's", json!({"task_type": "spike"}))
        .await;
    let key = |t: &Value| t["task_key"].as_str().unwrap().to_string();

    let r = ask(&app, &admin, "overdue p0 defects in code review")
        .await
        .expect(200)
        .body;
    assert_eq!(keys(&r), vec![key(&t1)], "{r}");
    assert_eq!(r["parsed_filters"]["current_state"], json!(["code_review"]));
    assert_eq!(r["parsed_filters"]["priority"], json!(["p0_blocker"]));
    assert_eq!(r["parsed_filters"]["task_type"], json!(["defect"]));
    assert_eq!(r["parsed_filters"]["overdue"], true);
    assert!(
        r["explanation"]
            .as_str()
            .unwrap()
            .starts_with("Showing tasks")
    );

    let r = ask(&app, &alice_token, "my tasks").await.expect(200).body;
    let mut mine = vec![key(&t1), key(&t2), key(&t3), key(&t4), key(&t5)];
    mine.sort();
    assert_eq!(keys(&r), mine);
    assert_eq!(r["count"], 5);
    let r = ask(&app, &admin, "my tasks").await.expect(200).body;
    assert_eq!(r["count"], 0);

    let r = ask(&app, &admin, "unassigned tasks").await.expect(200).body;
    assert_eq!(keys(&r), vec![key(&unassigned)]);
    assert_eq!(r["parsed_filters"]["assigned_to"], "unassigned");

    let r = ask(&app, &admin, "tasks assigned to dev_al")
        .await
        .expect(200)
        .body;
    assert_eq!(keys(&r), mine);
    assert_eq!(r["parsed_filters"]["assigned_to"], "dev_alice");

    let r = ask(&app, &admin, "what's for lunch?")
        .await
        .expect(200)
        .body;
    assert_eq!(r["parsed_filters"], json!({}));
    assert_eq!(r["count"], 6, "no filter, never a wrong one");

    let r = ask(&app, &admin, "   ").await.expect(400);
    assert_eq!(r.detail(), "Please provide a question.");
    app.post("/api/v1/ai/query/", &admin, json!({}))
        .await
        .expect(400);
}

#[tokio::test]
async fn another_organizations_task_is_not_found() {
    let app = TestApp::spawn().await;
    let a = app.setup_org("alpha").await;
    let b = app.setup_org("beta").await;
    let task = app.create_task(&b.admin, "Beta", json!({})).await;
    for path in [
        "/api/v1/ai/score-priority/",
        "/api/v1/ai/recommend-assignee/",
        "/api/v1/ai/auto-assign/",
    ] {
        app.post(path, &a.admin, json!({"task_id": task["id"]}))
            .await
            .expect(404);
    }
    let r = app
        .post(
            "/api/v1/ai/query/",
            &a.admin,
            json!({"question": "all tasks"}),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(r["count"], 0);
    let t = app
        .get(
            &format!("/api/v1/tasks/{}/", task["id"].as_str().unwrap()),
            &b.admin,
        )
        .await
        .body;
    assert_eq!(t["ai_priority_score"], Value::Null);
    assert_eq!(t["assigned_to"], Value::Null);
}
