//! The task table at the sizes people use: at 1366 px a long unbroken title (a pasted URL)
//! neither widens the page nor the table, and shows whole on hover; on a phone each task is
//! a card whose cells say what they are.

use serde_json::json;

use crate::{browser_driver::Browser, helpers::TestApp};

const PASSWORD: &str = "correct-horse-42";

#[tokio::test]
async fn a_long_unbroken_title_keeps_the_table_usable_and_phones_get_cards() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn().await;
    let org = app.setup_org("webtbl").await;
    let long = format!(
        "https://example.com/incidents/{}/details?trace={}",
        "a".repeat(80),
        "0123456789".repeat(12)
    );
    let me = app
        .get("/api/v1/users/me/", &org.admin)
        .await
        .expect(200)
        .body;
    let task = app
        .create_task(
            &org.admin,
            &long,
            json!({"priority": "high", "due_date": "2030-01-01T09:00:00Z", "tags": ["network"]}),
        )
        .await;
    app.post(
        &format!("/api/v1/tasks/{}/assign/", task["id"].as_str().unwrap()),
        &org.admin,
        json!({"user_id": me["id"]}),
    )
    .await
    .expect(200);
    app.create_task(&org.admin, "A short one", json!({})).await;
    browser.login(&app.url(""), "webtbl_admin", PASSWORD).await;
    browser.client.set_window_size(1366, 768).await.unwrap();
    browser.go_hash("#/tasks").await;
    browser.wait("[data-page=tasks][data-ready=true]").await;

    let fits = browser
        .js(
            "const wrap = document.getElementById('task-table').parentElement; \
             return [document.documentElement.scrollWidth <= window.innerWidth, \
                     wrap.scrollWidth <= wrap.clientWidth + 1, wrap.scrollWidth, wrap.clientWidth]",
        )
        .await;
    assert_eq!(
        fits[0], true,
        "the page scrolls sideways at 1366 px: {fits}"
    );
    let widths = browser
        .js("return [...document.querySelectorAll('#task-table tbody tr:first-child td')].map(td => td.dataset.label + ':' + Math.round(td.getBoundingClientRect().width))")
        .await;
    assert_eq!(
        fits[1], true,
        "the table is wider than its panel at 1366 px: {fits} {widths}"
    );
    let hover = browser
        .js(&format!(
            "return document.querySelector(\"tr[data-task='{}'] .task-title\").title",
            task["task_key"].as_str().unwrap()
        ))
        .await;
    assert_eq!(hover, long.as_str(), "the whole title on hover");
    browser.screenshot("tasks-long-title", 1366, 768).await;

    browser.client.set_window_size(375, 812).await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let phone = browser
        .js(
            "const row = document.querySelector('#task-table tbody tr'); \
             const due = row.querySelector('td[data-label=\"Due\"]'); \
             return [getComputedStyle(document.querySelector('#task-table thead')).display, \
                     getComputedStyle(row).display, \
                     getComputedStyle(due, '::before').content, \
                     document.documentElement.scrollWidth <= window.innerWidth]",
        )
        .await;
    assert_eq!(phone[0], "none", "{phone}");
    assert_eq!(phone[1], "block", "{phone}");
    assert_eq!(phone[2], "\"Due\"", "{phone}");
    assert_eq!(
        phone[3], true,
        "the page scrolls sideways on a phone: {phone}"
    );
    browser.screenshot("tasks-long-title", 375, 812).await;
    browser.close().await;
}
