//! Personal-data requests: an export built by a job, downloadable by its owner only and for
//! 24 hours; an erasure that leaves the audit log whole and the old name and email nowhere
//! in the API.

use chrono::Duration;
use serde_json::{Value, json};

use crate::{accounts, helpers::FIXTURE_PASSWORD};

#[tokio::test]
async fn an_export_is_built_in_the_background_for_its_owner_and_expires_after_a_day() {
    let s = accounts::setup().await;
    let org = s.app.setup_org("pde").await;
    let (quin, quin_token) = s
        .app
        .add_user_with(
            &org.admin,
            json!({"username": "quentin", "email": "quentin@example.com", "skills": ["rust"]}),
        )
        .await;
    let task = s
        .app
        .create_task(&quin_token, "Quentin's own task", json!({}))
        .await;
    let task_id = task["id"].as_str().unwrap();
    s.app
        .post(
            "/api/v1/comments/",
            &quin_token,
            json!({"task": task_id, "content": "A comment by Quentin"}),
        )
        .await
        .expect(201);
    s.app
        .post(
            &format!("/api/v1/tasks/{task_id}/assign/"),
            &org.admin,
            json!({"user_id": quin}),
        )
        .await
        .expect(200);

    let asked = s
        .app
        .post("/api/v1/users/me/export/", &quin_token, json!({}))
        .await
        .expect(202)
        .body;
    assert_eq!(asked["status"], "pending");
    assert!(asked["download_url"].is_null());
    let id = asked["id"].as_str().unwrap().to_string();
    let path = format!("/api/v1/users/me/export/{id}/");
    s.app
        .get(&format!("{path}download/"), &quin_token)
        .await
        .expect(409);
    s.deliver().await;
    let ready = s.app.get(&path, &quin_token).await.expect(200).body;
    assert_eq!(ready["status"], "ready");
    let url = ready["download_url"].as_str().unwrap().to_string();

    let resp = s
        .app
        .client
        .get(s.app.url(&url))
        .bearer_auth(&quin_token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert!(
        resp.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment;")
    );
    let archive: Value = resp.json().await.unwrap();
    assert_eq!(archive["profile"]["username"], "quentin");
    assert_eq!(archive["profile"]["email"], "quentin@example.com");
    assert_eq!(archive["memberships"][0]["organization"], "Org pde");
    assert_eq!(archive["tasks"][0]["title"], "Quentin's own task");
    assert_eq!(archive["tasks"][0]["created_by_you"], true);
    assert_eq!(archive["tasks"][0]["assigned_to_you"], true);
    assert_eq!(archive["comments"][0]["content"], "A comment by Quentin");
    let actions: Vec<&str> = archive["audit_entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    // Their own creation and comment, and the assignment the admin made to them.
    assert!(
        actions.contains(&"created")
            && actions.contains(&"commented")
            && actions.contains(&"assigned"),
        "{actions:?}"
    );

    // Nobody else sees it, not even an admin.
    s.app.get(&path, &org.admin).await.expect(404);
    s.app
        .get(&format!("{path}download/"), &org.admin)
        .await
        .expect(404);
    // After 24 hours it is gone.
    s.clock.advance(Duration::hours(24) + Duration::seconds(1));
    let later = s.app.get(&path, &quin_token).await.expect(200).body;
    assert_eq!(later["status"], "expired");
    assert!(later["download_url"].is_null());
    s.app
        .get(&format!("{path}download/"), &quin_token)
        .await
        .expect(404);
}

/// Every response body a member's admin can read about the organization, as text.
async fn everything_visible(s: &accounts::Setup, token: &str, task_id: &str) -> String {
    let mut all = String::new();
    for path in [
        "/api/v1/users/?page_size=100".to_string(),
        "/api/v1/audit-logs/?page_size=100".to_string(),
        format!("/api/v1/comments/?task={task_id}"),
        format!("/api/v1/tasks/{task_id}/"),
        "/api/v1/tasks/?page_size=100".to_string(),
        "/api/v1/teams/".to_string(),
        "/api/v1/dashboard/activity/?limit=100".to_string(),
        "/api/v1/notifications/?page_size=100".to_string(),
    ] {
        all.push_str(&s.app.get(&path, token).await.expect(200).body.to_string());
    }
    all
}

#[tokio::test]
async fn erasure_keeps_every_audit_entry_and_leaves_no_trace_of_the_name_or_email() {
    let s = accounts::setup().await;
    let org = s.app.setup_org("pdx").await;
    let (quin, quin_token) = s
        .app
        .add_user_with(
            &org.admin,
            json!({"username": "quentin", "email": "quentin@example.com"}),
        )
        .await;
    let task = s
        .app
        .create_task(&quin_token, "Written by them", json!({}))
        .await;
    let task_id = task["id"].as_str().unwrap().to_string();
    s.app
        .post(
            "/api/v1/comments/",
            &quin_token,
            json!({"task": task_id, "content": "Their comment for @pdx_admin"}),
        )
        .await
        .expect(201);
    s.app
        .post(
            &format!("/api/v1/tasks/{task_id}/assign/"),
            &org.admin,
            json!({"user_id": quin}),
        )
        .await
        .expect(200);
    let erase = format!("/api/v1/users/{quin}/erase/");
    s.app
        .post(&erase, &org.admin, json!({"reason": "GDPR request 7"}))
        .await
        .expect(409);
    s.app
        .post(
            &format!("/api/v1/users/{quin}/deactivate/"),
            &org.admin,
            json!({}),
        )
        .await
        .expect(200);
    s.app
        .post(&erase, &org.admin, json!({"reason": " "}))
        .await
        .expect(400);
    let before = everything_visible(&s, &org.admin, &task_id).await;
    assert!(before.contains("quentin"));
    // Among it, the notification of their mention of the admin.
    assert!(
        before.contains("quentin mentioned you on PDX-0001."),
        "{before}"
    );
    let count = |body: &str| -> u64 {
        let v: Value = serde_json::from_str(body).unwrap();
        v["count"].as_u64().unwrap()
    };
    let audit_before = s
        .app
        .get("/api/v1/audit-logs/", &org.admin)
        .await
        .expect(200)
        .body
        .to_string();

    let erased = s
        .app
        .post(&erase, &org.admin, json!({"reason": "GDPR request 7"}))
        .await
        .expect(200)
        .body;
    let alias = erased["username"].as_str().unwrap().to_string();
    assert!(alias.starts_with("deleted-user-"), "{alias}");
    assert_eq!(erased["email"], "");
    let audit_after = s
        .app
        .get("/api/v1/audit-logs/", &org.admin)
        .await
        .expect(200)
        .body
        .to_string();
    assert_eq!(
        count(&audit_before),
        count(&audit_after),
        "no entry added or removed"
    );
    let after = everything_visible(&s, &org.admin, &task_id).await;
    assert!(
        !after.contains("quentin"),
        "the old name or email is still visible: {after}"
    );
    assert!(after.contains(&alias));
    assert!(
        after.contains(&format!("{alias} mentioned you on PDX-0001.")),
        "{after}"
    );
    // The account cannot sign in, under either name.
    for name in ["quentin", alias.as_str()] {
        s.app
            .post_anon(
                "/api/v1/auth/login/",
                json!({"username": name, "password": FIXTURE_PASSWORD}),
            )
            .await
            .expect(401);
    }
    // Another organization's admin cannot erase anyone here.
    let (other_person, _) = s.app.add_user(&org.admin, "rita", "engineer").await;
    let other = s.app.setup_org("pdy").await;
    s.app
        .post(
            &format!("/api/v1/users/{other_person}/erase/"),
            &other.admin,
            json!({"reason": "x"}),
        )
        .await
        .expect(404);
}
