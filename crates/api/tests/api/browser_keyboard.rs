//! The dashboard by keyboard: `g` then a letter goes to a page, `/` searches, `c` starts a
//! new task, `?` lists the shortcuts; sortable headers and chart bars are reachable with Tab
//! and act on Enter; keys typed into a field stay there.

use fantoccini::key::Key;
use serde_json::json;

use crate::{browser_driver::Browser, helpers::TestApp};

const PASSWORD: &str = "correct-horse-42";

#[tokio::test]
async fn shortcuts_move_between_pages_search_create_and_list_themselves() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn().await;
    let org = app.setup_org("webkey").await;
    app.create_task(&org.admin, "Keyboard only", json!({"priority": "high"}))
        .await;
    browser.login(&app.url(""), "webkey_admin", PASSWORD).await;
    let hash = || async { browser.js("return location.hash").await };

    browser.press("gt").await;
    browser.wait("[data-page=tasks][data-ready=true]").await;
    assert_eq!(hash().await, "#/tasks");
    browser.press("ga").await;
    browser.wait("[data-page=audit][data-ready=true]").await;

    // `/` from another page: the task list, with the search field focused; what is typed
    // there is text, not a shortcut.
    browser.press("/").await;
    browser.wait("[data-page=tasks][data-ready=true]").await;
    browser.wait_text("body", |_| true).await;
    for _ in 0..30 {
        if browser.js("return document.activeElement.id").await == "task-search" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(
        browser.js("return document.activeElement.id").await,
        "task-search"
    );
    browser.press("gt").await;
    assert_eq!(
        browser
            .js("return document.getElementById('task-search').value")
            .await,
        "gt"
    );
    assert_eq!(hash().await, "#/tasks");
    browser
        .js("document.activeElement.blur(); return true;")
        .await;

    // A sortable header: reached as a button, sorted with Enter.
    browser
        .js("document.querySelector('th[data-sort=priority] button').focus(); return true;")
        .await;
    browser.press(&String::from(char::from(Key::Enter))).await;
    browser
        .wait("[data-page=tasks][data-ready=true] th[data-sort=priority][aria-sort=ascending]")
        .await;
    assert!(hash().await.as_str().unwrap().contains("ordering=priority"));

    // `c`: the new-task dialog; Escape closes it.
    browser.press("c").await;
    browser.wait(".modal input[name=title]").await;
    browser.press(&String::from(char::from(Key::Escape))).await;
    for _ in 0..20 {
        if browser.count(".modal").await == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(browser.count(".modal").await, 0);

    // `?`: the list of shortcuts.
    browser.press("?").await;
    browser
        .wait_text("#shortcuts-modal", |t| {
            t.contains("Go to Tasks") && t.contains("New task")
        })
        .await;
    browser.press(&String::from(char::from(Key::Escape))).await;

    // Chart bars on the dashboard are links for the keyboard.
    browser.press("gd").await;
    browser.wait("[data-page=dashboard][data-ready=true]").await;
    let focusable = browser
        .js("return [...document.querySelectorAll('.bar-row[tabindex=\"0\"]')].length")
        .await;
    assert!(
        focusable.as_u64().unwrap_or(0) > 0,
        "no keyboard-reachable bars"
    );
    browser.close().await;
}
