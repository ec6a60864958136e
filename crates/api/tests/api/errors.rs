//! One status, code and message per error, wherever it arises; the list of codes is in the
//! OpenAPI document.

use serde_json::{Value, json};
use switchyard_app::ErrorCode;

use crate::helpers::{Resp, TestApp};

fn same(a: &Resp, b: &Resp) {
    assert_eq!(
        (a.status, &a.body["code"], &a.body["detail"]),
        (b.status, &b.body["code"], &b.body["detail"]),
        "{} vs {}",
        a.body,
        b.body
    );
}

#[tokio::test]
async fn a_taken_username_is_the_same_error_in_setup_registration_and_member_creation() {
    let app = TestApp::spawn().await;
    let org = app.setup_org("dups").await;
    let setup = app
        .post_anon(
            "/api/v1/setup/",
            json!({"org_name": "Other", "org_slug": "other", "admin_username": "dups_admin",
                   "admin_password": "correct-horse-42"}),
        )
        .await
        .expect(400);
    assert_eq!(setup.body["code"], "username_taken");
    assert_eq!(setup.detail(), "A user with that username already exists.");
    assert!(setup.body["errors"]["admin_username"].is_array());
    let register = app
        .post_anon(
            "/api/v1/auth/register/",
            json!({"username": "dups_admin", "password": "correct-horse-42"}),
        )
        .await;
    same(&setup, &register);
    assert!(register.body["errors"]["username"].is_array());
    let member = app
        .post(
            "/api/v1/users/",
            &org.admin,
            json!({"username": "dups_admin", "password": "correct-horse-42"}),
        )
        .await;
    same(&setup, &member);
}

#[tokio::test]
async fn taken_slugs_team_names_and_rules_answer_one_way() {
    let app = TestApp::spawn().await;
    let org = app.setup_org("taken").await;
    let slug = app
        .post_anon(
            "/api/v1/setup/",
            json!({"org_name": "Again", "org_slug": "taken", "admin_username": "someone",
                   "admin_password": "correct-horse-42"}),
        )
        .await
        .expect(400);
    assert_eq!(slug.body["code"], "slug_taken");
    assert_eq!(
        slug.detail(),
        "Organization with slug 'taken' already exists."
    );

    let team = |name: &str| json!({ "name": name });
    app.post("/api/v1/teams/", &org.admin, team("A"))
        .await
        .expect(201);
    let b = app
        .post("/api/v1/teams/", &org.admin, team("B"))
        .await
        .expect(201)
        .body;
    let on_create = app.post("/api/v1/teams/", &org.admin, team("A")).await;
    assert_eq!(on_create.status, 409);
    assert_eq!(on_create.body["code"], "team_name_taken");
    let on_rename = app
        .patch(
            &format!("/api/v1/teams/{}/", b["id"].as_str().unwrap()),
            &org.admin,
            team("A"),
        )
        .await;
    same(&on_create, &on_rename);

    let rules = app
        .get(
            &format!(
                "/api/v1/transitions/?workflow={}&page_size=100",
                org.workflow_id
            ),
            &org.admin,
        )
        .await
        .expect(200)
        .body;
    let rules = rules["results"].as_array().unwrap();
    let rule = |r: &Value| {
        json!({"workflow": org.workflow_id, "from_state": r["from_state"],
               "to_state": r["to_state"], "allowed_roles": ["admin"]})
    };
    let on_create = app
        .post("/api/v1/transitions/", &org.admin, rule(&rules[0]))
        .await;
    assert_eq!(on_create.status, 409);
    assert_eq!(on_create.body["code"], "duplicate_rule");
    let on_update = app
        .patch(
            &format!("/api/v1/transitions/{}/", rules[1]["id"].as_str().unwrap()),
            &org.admin,
            json!({"from_state": rules[0]["from_state"], "to_state": rules[0]["to_state"]}),
        )
        .await;
    same(&on_create, &on_update);
}

#[tokio::test]
async fn the_openapi_document_lists_every_error_code() {
    let app = TestApp::spawn().await;
    let doc = app.get_json("/api/v1/openapi.json").await;
    let listed: Vec<&str> = doc["components"]["schemas"]["ErrorBody"]["properties"]["code"]["enum"]
        .as_array()
        .expect("an enum of codes")
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    let all: Vec<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
    assert_eq!(listed, all);
    assert!(listed.contains(&"precondition_failed"));
}
