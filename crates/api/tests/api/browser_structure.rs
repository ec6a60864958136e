//! Sub-tasks and blockers on the task page: add a sub-task, add a blocker by key, see the
//! completion refused with the API's message, remove the blocker and complete.

use serde_json::json;

use crate::{browser_driver::Browser, helpers::TestApp};

const PASSWORD: &str = "correct-horse-42";

#[tokio::test]
async fn a_blocker_added_by_key_holds_back_completion_until_removed() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn().await;
    let org = app.setup_org("webst").await;
    let wf = app
        .post(
            "/api/v1/workflows/",
            &org.admin,
            json!({"name": "Quick", "allowed_states": ["todo", "done", "cancelled"], "final_states": ["done", "cancelled"]}),
        )
        .await
        .expect(201)
        .body["id"]
        .as_str()
        .unwrap()
        .to_string();
    app.post(
        "/api/v1/transitions/",
        &org.admin,
        json!({"workflow": wf, "from_state": "todo", "to_state": "done", "allowed_roles": ["admin"]}),
    )
    .await
    .expect(201);
    let epic = app
        .create_task(&org.admin, "Release 2.0", json!({"workflow": wf}))
        .await;
    let blocker = app
        .create_task(&org.admin, "Sign the firmware", json!({"workflow": wf}))
        .await;
    let (id, blocker_key) = (
        epic["id"].as_str().unwrap(),
        blocker["task_key"].as_str().unwrap(),
    );
    browser.login(&app.url(""), "webst_admin", PASSWORD).await;
    browser.go_hash(&format!("#/tasks/{id}")).await;
    // A sub-task through the dialog.
    browser.click("#add-subtask").await;
    browser
        .type_into(".modal input[name=title]", "Write the changelog")
        .await;
    browser.click(".modal button[type=submit]").await;
    browser
        .wait_text("#subtask-list", |t| t.contains("Write the changelog"))
        .await;
    // A blocker by its key.
    browser.click("#add-blocker").await;
    browser
        .type_into(".modal input[name=key]", blocker_key)
        .await;
    browser.click(".modal button[type=submit]").await;
    browser
        .wait_text("#blocker-list", |t| t.contains(blocker_key))
        .await;
    // Completing is refused with the API's message, and nothing moves.
    click_done(&browser).await;
    browser.click("#confirm-modal [data-test=confirm]").await;
    let message = browser
        .wait_text("#error-modal #error-message", |t| !t.is_empty())
        .await;
    assert_eq!(message, format!("Task is blocked by {blocker_key}."));
    browser.click("#error-modal [data-test=error-ok]").await;
    browser.wait_text("#task-state", |t| t == "todo").await;
    // Removed, the task completes.
    browser
        .click("#blocker-list button[data-action=remove-blocker]")
        .await;
    browser
        .wait_text("#task-structure", |t| t.contains("Nothing."))
        .await;
    click_done(&browser).await;
    browser.click("#confirm-modal [data-test=confirm]").await;
    browser.wait_text("#task-state", |t| t == "done").await;
    let detail = app
        .get(&format!("/api/v1/tasks/{id}/"), &org.admin)
        .await
        .expect(200)
        .body;
    assert_eq!(detail["subtask_progress"], json!({"done": 0, "total": 1}));
    assert_eq!(detail["blocked_by"], json!([]));
    browser.screenshots("task-structure").await;
    browser.close().await;
}

/// Presses "→ done". The page keeps its scroll position after a change, which can leave the
/// button under the sticky header: bring it to the middle first.
async fn click_done(browser: &Browser) {
    let css = "#transitions button[data-to-state=done]";
    browser
        .js(&format!(
            "document.querySelector('{css}').scrollIntoView({{block: 'center'}}); return null;"
        ))
        .await;
    browser.click(css).await;
}
