//! The demo organization.

use switchyard_app::demo;

use crate::helpers::TestApp;

#[tokio::test]
async fn demo_seed_creates_a_believable_organization_once() {
    let app = TestApp::spawn().await;
    assert!(app.seed_demo().await);
    assert!(!app.seed_demo().await, "only into an empty database");
    for (user, role, _) in demo::DEMO_USERS {
        let token = app.login(user, demo::DEMO_PASSWORD).await;
        let me = app.get("/api/v1/users/me/", &token).await.expect(200).body;
        assert_eq!(me["role"], role);
    }
    let admin = app.login("admin_user", demo::DEMO_PASSWORD).await;
    let alice = app.get("/api/v1/users/?page_size=100", &admin).await.body["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == "dev_alice")
        .cloned()
        .unwrap();
    assert_eq!(
        alice["skills"],
        serde_json::json!(["python", "django", "aws"])
    );
    let teams = app.get("/api/v1/teams/", &admin).await.body;
    assert_eq!(teams["results"][0]["name"], "Backend Team");
    assert_eq!(
        teams["results"][0]["lead_detail"]["username"],
        "manager_user"
    );
    assert_eq!(teams["results"][0]["member_count"], 2);
    let tasks = app.get("/api/v1/tasks/?page_size=100", &admin).await.body;
    assert_eq!(tasks["count"], 30);
    let items = tasks["results"].as_array().unwrap();
    let now = chrono::Utc::now();
    let due = |t: &serde_json::Value| {
        t["due_date"]
            .as_str()
            .map(|d| chrono::DateTime::parse_from_rfc3339(d).unwrap())
    };
    let active = |t: &serde_json::Value| {
        !["done", "cancelled"].contains(&t["current_state"].as_str().unwrap())
    };
    let overdue = items
        .iter()
        .filter(|t| active(t) && due(t).is_some_and(|d| d < now))
        .count();
    let soon = items
        .iter()
        .filter(|t| {
            active(t) && due(t).is_some_and(|d| d > now && d < now + chrono::Duration::hours(24))
        })
        .count();
    assert!(overdue >= 3, "{overdue} overdue");
    assert!(soon >= 3, "{soon} due within 24h");
    for field in ["current_state", "priority", "task_type"] {
        let distinct: std::collections::HashSet<&str> =
            items.iter().map(|t| t[field].as_str().unwrap()).collect();
        assert!(distinct.len() >= 4, "{field}: {distinct:?}");
    }
    assert!(items.iter().any(|t| t["assigned_to_name"] == "dev_alice"));
    assert!(items.iter().any(|t| t["assigned_to_name"] == "dev_bob"));
    assert!(items.iter().any(|t| t["assigned_to"].is_null()));
    assert!(
        items
            .iter()
            .any(|t| t["comment_count"].as_i64().unwrap() > 0)
    );
    let audit = app
        .get("/api/v1/audit-logs/?page_size=1", &admin)
        .await
        .body;
    assert!(audit["count"].as_u64().unwrap() > 100, "{}", audit["count"]);
    // The seeded history follows the workflow: a task in review went open → in_progress → review.
    let review = items
        .iter()
        .find(|t| t["current_state"] == "review")
        .unwrap();
    let trail = app.audit_of(&admin, review["id"].as_str().unwrap()).await;
    let states: Vec<String> = trail
        .iter()
        .rev()
        .filter(|e| e["action"] == "state_changed")
        .map(|e| e["new_value"]["state"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(states, vec!["in_progress", "review"]);
    // New tasks continue the sequence.
    let t = app
        .create_task(&admin, "after the demo", serde_json::json!({}))
        .await;
    assert_eq!(t["task_key"], "SUNS-0031");

    // Healthy: everyone who takes work has free slots, so a manager's first assignment and
    // auto-assign pick an engineer, and an engineer can claim.
    let people = app.get("/api/v1/users/?page_size=100", &admin).await.body;
    for u in people["results"].as_array().unwrap() {
        if u["assignable"] == true {
            assert!(
                u["active_task_count"].as_i64() < u["max_concurrent_tasks"].as_i64(),
                "{} is full: {u}",
                u["username"]
            );
        }
    }
    let manager = app.login("manager_user", demo::DEMO_PASSWORD).await;
    app.post(
        &format!("/api/v1/tasks/{}/assign/", t["id"].as_str().unwrap()),
        &manager,
        serde_json::json!({"user_id": alice["id"]}),
    )
    .await
    .expect(200);
    let fresh = app
        .create_task(
            &admin,
            "Django upgrade for the API",
            serde_json::json!({"tags": ["python", "django"]}),
        )
        .await;
    let routed = app
        .post(
            "/api/v1/ai/auto-assign/",
            &manager,
            serde_json::json!({"task_id": fresh["id"]}),
        )
        .await
        .expect(200)
        .body;
    assert!(
        ["dev_alice", "dev_bob"].contains(&routed["assigned_to"].as_str().unwrap_or_default()),
        "{routed}"
    );
    let bob = app.login("dev_bob", demo::DEMO_PASSWORD).await;
    let open = app
        .create_task(&admin, "Unclaimed work", serde_json::json!({}))
        .await;
    app.post(
        &format!("/api/v1/tasks/{}/claim/", open["id"].as_str().unwrap()),
        &bob,
        serde_json::json!({}),
    )
    .await
    .expect(200);
}
