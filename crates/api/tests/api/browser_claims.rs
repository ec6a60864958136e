//! Claiming work in the browser: an engineer opens an unassigned task, presses "Assign to
//! me", and it is theirs — and the move it unlocks is offered.

use serde_json::json;

use crate::{browser_driver::Browser, helpers::TestApp};

const PASSWORD: &str = "correct-horse-42";

#[tokio::test]
async fn an_engineer_takes_unassigned_work_with_one_click() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn().await;
    let org = app.setup_org("webclm").await;
    app.add_user(&org.admin, "eng_emma", "engineer").await;
    let task = app.create_task(&org.admin, "Nobody's yet", json!({})).await;
    let id = task["id"].as_str().unwrap();
    let base = app.url("");
    browser.login(&base, "eng_emma", PASSWORD).await;
    browser.go_hash(&format!("#/tasks/{id}")).await;
    browser.wait("#claim-task").await;
    browser.click("#claim-task").await;
    browser
        .wait_text("#task-assignee", |t| t == "eng_emma")
        .await;
    assert_eq!(browser.count("#claim-task").await, 0);
    let detail = app
        .get(&format!("/api/v1/tasks/{id}/"), &org.admin)
        .await
        .expect(200)
        .body;
    assert_eq!(detail["assigned_to_detail"]["username"], "eng_emma");
    browser.close().await;
}

/// A double-click on "Add comment" posts one comment.
#[tokio::test]
async fn a_double_click_adds_one_comment() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn().await;
    let org = app.setup_org("webdbl").await;
    let task = app
        .create_task(&org.admin, "Talk about it", json!({}))
        .await;
    let id = task["id"].as_str().unwrap();
    browser.login(&app.url(""), "webdbl_admin", PASSWORD).await;
    browser.go_hash(&format!("#/tasks/{id}")).await;
    browser
        .type_into("#comment-text", "Only once, please")
        .await;
    browser
        .js("const b = document.querySelector('#comment-form button[type=submit]'); b.click(); b.click(); return true;")
        .await;
    browser
        .wait_text("#task-comments, .page", |t| t.contains("Only once, please"))
        .await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let comments = app
        .get(&format!("/api/v1/comments/?task={id}"), &org.admin)
        .await
        .expect(200)
        .body;
    assert_eq!(comments["count"], 1, "{comments}");
    browser.close().await;
}

/// A due date in the past is pointed out in the task form before it is saved.
#[tokio::test]
async fn a_past_due_date_is_pointed_out() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn().await;
    app.setup_org("webdue").await;
    browser.login(&app.url(""), "webdue_admin", PASSWORD).await;
    browser.go_hash("#/tasks").await;
    browser.click("#new-task").await;
    browser
        .js("const i = document.querySelector('.modal input[name=due_date]'); i.value = '2020-01-02T03:04'; i.dispatchEvent(new Event('input')); return true;")
        .await;
    browser
        .wait_text(".modal .hint.red", |t| t.contains("in the past"))
        .await;
    browser.close().await;
}

/// Dialogs close with Escape and with a click beside them, and give focus back to the
/// button that opened them.
#[tokio::test]
async fn dialogs_close_with_escape_or_a_click_outside_and_return_focus() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn().await;
    app.setup_org("webdlg").await;
    browser.login(&app.url(""), "webdlg_admin", PASSWORD).await;
    browser.go_hash("#/tasks").await;
    let focused = "return document.activeElement && document.activeElement.id;";
    browser.click("#new-task").await;
    browser.wait(".modal input[name=title]").await;
    browser
        .js("document.activeElement.dispatchEvent(new KeyboardEvent('keydown', {key: 'Escape', bubbles: true})); return true;")
        .await;
    assert_eq!(browser.count(".modal").await, 0, "Escape closes it");
    assert_eq!(browser.js(focused).await, serde_json::json!("new-task"));
    browser.click("#new-task").await;
    browser.wait(".modal input[name=title]").await;
    browser
        .js("document.querySelector('.modal-backdrop').dispatchEvent(new MouseEvent('mousedown', {bubbles: true})); return true;")
        .await;
    assert_eq!(
        browser.count(".modal").await,
        0,
        "a click beside it closes it"
    );
    assert_eq!(browser.js(focused).await, serde_json::json!("new-task"));
    browser.close().await;
}

/// After an action the page stays where the reader was, says briefly that it worked, and the
/// button that started it cannot be pressed twice meanwhile.
#[tokio::test]
async fn an_action_keeps_the_scroll_position_and_confirms_itself() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn().await;
    let org = app.setup_org("webscr").await;
    let task = app
        .create_task(&org.admin, "A long discussion", json!({}))
        .await;
    let id = task["id"].as_str().unwrap();
    for n in 0..25 {
        app.post(
            "/api/v1/comments/",
            &org.admin,
            json!({"task": id, "content": format!("Earlier remark number {n}, long enough to take a line of its own.")}),
        )
        .await
        .expect(201);
    }
    browser.login(&app.url(""), "webscr_admin", PASSWORD).await;
    browser.client.set_window_size(1366, 768).await.unwrap();
    browser.go_hash(&format!("#/tasks/{id}")).await;
    browser
        .wait("[data-page=tasks][data-ready=true] #comment-text")
        .await;
    browser
        .js("document.getElementById('comment-text').scrollIntoView({block: 'center'}); return true;")
        .await;
    let before = browser.js("return Math.round(window.scrollY)").await;
    assert!(
        before.as_i64().unwrap() > 300,
        "the page must be scrolled: {before}"
    );
    browser.type_into("#comment-text", "And one more").await;
    browser
        .js(
            "document.querySelector('.page').removeAttribute('data-ready'); \
             document.querySelector('#comment-form button[type=submit]').click(); return true;",
        )
        .await;
    browser
        .wait_text("#toasts", |t| t.contains("Comment added."))
        .await;
    browser
        .wait_text("[data-page=tasks][data-ready=true]", |t| {
            t.contains("And one more")
        })
        .await;
    let after = browser.js("return Math.round(window.scrollY)").await;
    let moved = (after.as_i64().unwrap() - before.as_i64().unwrap()).abs();
    assert!(moved < 120, "the page jumped from {before} to {after}");
    browser.close().await;
}
