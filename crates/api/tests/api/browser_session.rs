//! A link opened in a new tab works while the session is alive: the tab has no tokens of
//! its own, the session cookie signs it in; after logout a new tab asks to sign in.

use serde_json::json;

use crate::{browser_driver::Browser, helpers::TestApp};

const PASSWORD: &str = "correct-horse-42";

#[tokio::test]
async fn a_task_link_opened_in_a_new_tab_is_signed_in_until_logout() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn().await;
    let org = app.setup_org("webtab").await;
    let task = app
        .create_task(&org.admin, "Open me elsewhere", json!({}))
        .await;
    let id = task["id"].as_str().unwrap();
    let base = app.url("");
    browser.login(&base, "webtab_admin", PASSWORD).await;
    // Every page names itself in the tab (and in bookmarks and history).
    assert_eq!(
        browser.js("return document.title").await,
        "Dashboard · Switchyard"
    );
    browser.go_hash("#/tasks?priority=high").await;
    browser.wait("[data-page=tasks][data-ready=true]").await;
    assert_eq!(
        browser.js("return document.title").await,
        "Tasks · Switchyard"
    );

    let first = browser.client.window().await.unwrap();
    let tab = browser.client.new_window(true).await.unwrap();
    browser.client.switch_to_window(tab.handle).await.unwrap();
    browser.goto(&format!("{base}/#/tasks/{id}")).await;
    browser
        .wait_text(".page h1, .page", |t| t.contains("Open me elsewhere"))
        .await;
    let title = browser.js("return document.title").await;
    assert_eq!(
        title,
        format!(
            "{} Open me elsewhere · Switchyard",
            task["task_key"].as_str().unwrap()
        )
    );
    assert_eq!(browser.count("#login-username").await, 0);
    assert_eq!(
        browser
            .js("return sessionStorage.getItem('switchyard.refresh')")
            .await,
        serde_json::Value::Null,
        "no refresh token where scripts can read it"
    );
    // Scripts cannot read the cookie either.
    let cookies = browser.js("return document.cookie").await;
    assert!(
        !cookies
            .as_str()
            .unwrap_or("")
            .contains("switchyard_refresh")
    );

    // Sign out there: another new tab asks to sign in.
    browser.click("#logout").await;
    browser.wait("#login-username").await;
    assert_eq!(
        browser.js("return document.title").await,
        "Sign in · Switchyard"
    );
    browser.client.switch_to_window(first).await.unwrap();
    let again = browser.client.new_window(true).await.unwrap();
    browser.client.switch_to_window(again.handle).await.unwrap();
    browser.goto(&format!("{base}/#/tasks/{id}")).await;
    browser.wait("#login-username").await;
    browser.close().await;
}
