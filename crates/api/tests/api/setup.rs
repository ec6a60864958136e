//! `POST /api/v1/setup/`.

use serde_json::json;

use crate::helpers::TestApp;

fn novasphere() -> serde_json::Value {
    json!({
        "org_name": "NovaSphere Engineering",
        "org_slug": "novasphere",
        "admin_username": "nova_admin",
        "admin_password": "Orbit-Launch-2026",
        "admin_email": "admin@novasphere.example",
        "roles": ["admin", "engineering_manager", "senior_engineer", "engineer", "stakeholder"],
        "priorities": ["p0_blocker", "p1_critical", "p2_major", "p3_minor"],
        "task_types": ["defect", "user_story", "spike", "tech_debt", "change_request"],
        "workflow_name": "NovaSphere Delivery",
        "workflow_states": ["backlog", "todo", "in_progress", "code_review", "qa", "staging", "deployed", "cancelled"],
        "initial_state": "backlog",
        "final_states": ["deployed", "cancelled"],
        "team_name": "Platform Team"
    })
}

#[tokio::test]
async fn novasphere_setup_creates_a_working_organization() {
    let app = TestApp::spawn().await;
    let body = app
        .post_anon("/api/v1/setup/", novasphere())
        .await
        .expect(201)
        .body;
    assert_eq!(
        body["message"],
        "Organization 'NovaSphere Engineering' created successfully!"
    );
    assert_eq!(body["workflow"]["transitions_created"], 17);
    assert_eq!(body["workflow"]["initial_state"], "backlog");
    assert_eq!(
        body["workflow"]["final_states"],
        json!(["deployed", "cancelled"])
    );
    assert_eq!(body["organization"]["slug"], "novasphere");
    assert_eq!(body["organization"]["allowed_priorities"][0], "p0_blocker");
    assert_eq!(body["admin_user"]["role"], "admin");
    assert_eq!(body["team"]["name"], "Platform Team");
    let access = body["tokens"]["access"].as_str().unwrap();
    let me = app.get("/api/v1/users/me/", access).await.expect(200).body;
    assert_eq!(me["username"], "nova_admin");
    assert_eq!(me["role"], "admin");
    assert_eq!(me["organization"], body["organization"]["id"]);
    let org = app
        .get(
            &format!(
                "/api/v1/organizations/{}/",
                body["organization"]["id"].as_str().unwrap()
            ),
            access,
        )
        .await
        .expect(200)
        .body;
    assert_eq!(org["member_count"], 1);
    assert_eq!(org["team_count"], 1);
}

#[tokio::test]
async fn defaults_give_eleven_rules_and_admin_is_inserted_first() {
    let app = TestApp::spawn().await;
    let body = app
        .post_anon(
            "/api/v1/setup/",
            json!({"org_name": "Acme", "org_slug": "acme", "admin_username": "boss", "admin_password": "correct-horse-42",
                   "roles": ["lead", "dev", "viewer"]}),
        )
        .await
        .expect(201)
        .body;
    assert_eq!(body["workflow"]["transitions_created"], 11);
    assert_eq!(body["workflow"]["name"], "Acme Default Workflow");
    assert_eq!(
        body["organization"]["allowed_roles"],
        json!(["admin", "lead", "dev", "viewer"])
    );
    assert_eq!(body["team"], serde_json::Value::Null);
}

#[tokio::test]
async fn missing_fields_are_listed() {
    let app = TestApp::spawn().await;
    let r = app
        .post_anon("/api/v1/setup/", json!({"org_name": "X"}))
        .await
        .expect(400);
    assert_eq!(
        r.detail(),
        "Missing required fields: ['org_slug', 'admin_username', 'admin_password']"
    );
    assert_eq!(r.body["code"], "missing_fields");
}

#[tokio::test]
async fn duplicate_slug_and_username_are_refused_and_nothing_is_left_behind() {
    let app = TestApp::spawn().await;
    app.setup_org("alpha").await;
    let r = app
        .post_anon("/api/v1/setup/", json!({"org_name": "A2", "org_slug": "alpha", "admin_username": "other", "admin_password": "correct-horse-42"}))
        .await
        .expect(400);
    assert_eq!(r.detail(), "Organization with slug 'alpha' already exists.");
    let r = app
        .post_anon("/api/v1/setup/", json!({"org_name": "B", "org_slug": "beta", "admin_username": "alpha_admin", "admin_password": "correct-horse-42"}))
        .await
        .expect(400);
    assert!(r.detail().contains("already exists"), "{}", r.body);
    // The failed setup left no organization "beta" behind.
    let ok = app
        .post_anon("/api/v1/setup/", json!({"org_name": "B", "org_slug": "beta", "admin_username": "beta_boss", "admin_password": "correct-horse-42"}))
        .await;
    ok.expect(201);
}

#[tokio::test]
async fn invalid_configuration_is_a_400() {
    let app = TestApp::spawn().await;
    let base = json!({"org_name": "C", "org_slug": "c-org", "admin_username": "cee", "admin_password": "correct-horse-42"});
    let cases = [
        (json!({"org_slug": "Bad Slug"}), "Invalid slug"),
        (
            json!({"workflow_states": ["a", "b", "a"]}),
            "more than once",
        ),
        (json!({"roles": []}), "may not be empty"),
        (json!({"priorities": []}), "may not be empty"),
        (
            json!({"workflow_states": ["a", "b"], "initial_state": "z"}),
            "State 'z' is not in workflow_states",
        ),
        (
            json!({"workflow_states": ["a", "b"], "final_states": ["q"]}),
            "State 'q'",
        ),
        (
            json!({"admin_password": "123456789012"}),
            "entirely numeric",
        ),
        (json!({"admin_password": "short"}), "too short"),
    ];
    for (patch, expected) in cases {
        let mut body = base.clone();
        for (k, v) in patch.as_object().unwrap() {
            body[k] = v.clone();
        }
        let r = app.post_anon("/api/v1/setup/", body).await.expect(400);
        assert!(
            r.detail().contains(expected),
            "{expected} not in {}",
            r.body
        );
    }
}

#[tokio::test]
async fn setup_can_be_disabled() {
    let app = TestApp::spawn_with(|c| c.app.allow_setup = false).await;
    let r = app
        .post_anon("/api/v1/setup/", json!({"org_name": "C", "org_slug": "c", "admin_username": "cee", "admin_password": "correct-horse-42"}))
        .await
        .expect(403);
    assert_eq!(r.detail(), "Organization setup is disabled on this server.");
}
