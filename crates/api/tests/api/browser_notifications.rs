//! Notifications in the dashboard: the bell counts what is unread; opening a notification
//! goes to its task and marks it read.

use serde_json::json;

use crate::{browser_driver::Browser, helpers::TestApp};

const PASSWORD: &str = "correct-horse-42";

#[tokio::test]
async fn the_bell_counts_and_a_notification_opens_its_task() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn().await;
    let org = app.setup_org("webnt").await;
    let (alice, _) = app.add_user(&org.admin, "alice", "engineer").await;
    let task = app
        .create_task(&org.admin, "Replace the fan", json!({}))
        .await;
    let tid = task["id"].as_str().unwrap().to_string();
    app.post(
        &format!("/api/v1/tasks/{tid}/assign/"),
        &org.admin,
        json!({"user_id": alice}),
    )
    .await
    .expect(200);
    browser.login(&app.url(""), "alice", PASSWORD).await;
    browser.wait_text("#bell .bell-count", |t| t == "1").await;
    browser.click("#bell").await;
    let key = task["task_key"].as_str().unwrap();
    browser
        .wait_text("#notification-list [data-kind=assigned]", |t| {
            t.contains(&format!("webnt_admin assigned {key} to you."))
        })
        .await;
    browser
        .click("#notification-list [data-kind=assigned] button")
        .await;
    browser
        .wait_text("#task-title", |t| t.contains("Replace the fan"))
        .await;
    // Read now: the bell has nothing to count.
    browser.go_hash("#/notifications?unread=true").await;
    browser
        .wait_text(".page", |t| t.contains("Nothing unread."))
        .await;
    assert_eq!(browser.count("#bell .bell-count[hidden]").await, 1);
    // Preferences: comments by email too.
    browser
        .click("#notification-preferences [data-kind=comment][data-channel=email]")
        .await;
    browser.click("#save-preferences").await;
    browser
        .wait_text("#toasts", |t| t.contains("Preferences saved."))
        .await;
    let alice_t = app.login("alice", PASSWORD).await;
    let prefs = app
        .get("/api/v1/notifications/preferences/", &alice_t)
        .await
        .expect(200)
        .body;
    assert!(
        prefs["preferences"]
            .as_array()
            .unwrap()
            .contains(&json!({"kind": "comment", "in_app": true, "email": true}))
    );
    browser.screenshots("notifications").await;
    browser.close().await;
}
