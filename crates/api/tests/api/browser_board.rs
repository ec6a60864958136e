//! The board in the dashboard: dragging a card to the next column moves the task (with the
//! reason in its history); a move the workflow refuses snaps the card back and shows the
//! API's own message.

use serde_json::json;

use crate::{browser_driver::Browser, helpers::TestApp};

const PASSWORD: &str = "correct-horse-42";

#[tokio::test]
async fn dragging_a_card_moves_the_task_and_a_refused_move_snaps_back() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn().await;
    let org = app.setup_org("webbd").await;
    let task = app
        .create_task(&org.admin, "Wire the encoder", json!({}))
        .await;
    let (tid, key) = (
        task["id"].as_str().unwrap().to_string(),
        task["task_key"].as_str().unwrap().to_string(),
    );
    app.post(
        &format!("/api/v1/tasks/{tid}/assign/"),
        &org.admin,
        json!({"user_id": org.admin_id}),
    )
    .await
    .expect(200);
    let other = app
        .create_task(&org.admin, "Order spare motors", json!({}))
        .await;
    let other_key = other["task_key"].as_str().unwrap().to_string();
    // What the API answers to the move the board will try for the second card.
    let probe = app.create_task(&org.admin, "Probe", json!({})).await;
    let refusal = app
        .post(
            &format!(
                "/api/v1/tasks/{}/transition/",
                probe["id"].as_str().unwrap()
            ),
            &org.admin,
            json!({"to_state": "review"}),
        )
        .await
        .expect(400);
    let message = refusal.detail().to_string();
    assert!(!message.is_empty());

    browser.login(&app.url(""), "webbd_admin", PASSWORD).await;
    browser.go_hash("#/board").await;
    let card = format!(".card[data-key='{key}']");
    browser.wait(&format!("[data-column=open] {card}")).await;

    // To the next column: a reason is asked, the task moves, the card stays there.
    browser
        .drag(&card, "[data-column=in_progress] .column-head")
        .await;
    browser
        .type_into("#confirm-modal textarea", "Encoder arrived")
        .await;
    browser.click("#confirm-modal [data-test=confirm]").await;
    browser
        .wait_text("#toasts", |t| t.contains("moved to in_progress"))
        .await;
    assert_eq!(
        browser
            .count(&format!("[data-column=in_progress] {card}"))
            .await,
        1
    );
    let now = app
        .get(&format!("/api/v1/tasks/{tid}/"), &org.admin)
        .await
        .expect(200)
        .body;
    assert_eq!(now["current_state"], "in_progress");
    // The task's page shows the new state and the audit entry with the reason.
    browser.go_hash(&format!("#/tasks/{tid}")).await;
    browser
        .wait_text("#task-state", |t| t.contains("in_progress"))
        .await;
    browser
        .wait_text("#task-audit [data-action=state_changed]", |t| {
            t.contains("Encoder arrived")
        })
        .await;

    // A move the workflow refuses: the API's message, and the card back in its column.
    browser.go_hash("#/board").await;
    let other_card = format!(".card[data-key='{other_key}']");
    browser
        .wait(&format!("[data-column=open] {other_card}"))
        .await;
    browser
        .drag(&other_card, "[data-column=review] .column-head")
        .await;
    browser.click("#confirm-modal [data-test=confirm]").await;
    browser.wait_text("#error-message", |t| t == message).await;
    browser.click("#error-modal [data-test=error-ok]").await;
    assert_eq!(
        browser
            .count(&format!("[data-column=open] {other_card}"))
            .await,
        1
    );
    assert_eq!(
        browser
            .count(&format!("[data-column=review] {other_card}"))
            .await,
        0
    );
    let still = app
        .get(
            &format!("/api/v1/tasks/{}/", other["id"].as_str().unwrap()),
            &org.admin,
        )
        .await
        .expect(200)
        .body;
    assert_eq!(still["current_state"], "open");
    browser.screenshots("board").await;
    browser.close().await;
}
