//! The dashboard's cards in a browser: each opens the list it counts, with the same number.

use crate::{browser_driver::Browser, helpers::TestApp};

#[tokio::test]
async fn each_card_opens_the_list_it_counts() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn().await;
    app.seed_demo().await;
    let base = app.url("");
    browser
        .login(&base, "admin_user", switchyard_app::demo::DEMO_PASSWORD)
        .await;
    // The whole page, trend panels included, for review (the suite's other shots show the
    // first screen only).
    browser
        .wait_text("#chart-overdue h2", |t| !t.is_empty())
        .await;
    browser.screenshot("dashboard-whole", 1366, 2200).await;
    browser.screenshot("dashboard-whole", 375, 4200).await;
    browser.screenshot("dashboard", 1366, 768).await;
    for card in [
        "Active",
        "Unassigned",
        "SLA breached",
        "Created, last 7 days",
        "Completed, last 7 days",
    ] {
        browser.go_hash("#/").await;
        let selector = format!("a[data-card='{card}'] .value");
        let figure = browser.wait_text(&selector, |t| !t.is_empty()).await;
        browser.click(&format!("a[data-card='{card}']")).await;
        let shown = browser
            .wait_text("#task-count", |t| t.contains(" task"))
            .await;
        let listed = shown
            .rsplit(" · ")
            .next()
            .unwrap()
            .split(' ')
            .next()
            .unwrap()
            .to_string();
        assert_eq!(
            listed, figure,
            "{card}: the card says {figure}, the list {shown}"
        );
    }
    // The trend charts' bars open their lists too: today's "created" column, the busiest
    // person's overdue bar. Their figures are in their labels ("Nov 30: 4 created").
    for (bar, figure_of) in [
        ("#chart-flow rect.flow-created[role='link']", "last"),
        ("#chart-overdue g.bar-row[role='link']", "first"),
    ] {
        browser.go_hash("#/").await;
        browser
            .wait_text("#chart-overdue h2", |t| !t.is_empty())
            .await;
        let label = browser
            .js(&format!(
                "const all = document.querySelectorAll(\"{bar}\"); const el = all[{}]; \
                 el.setAttribute('data-test-target', '1'); return el.getAttribute('aria-label');",
                if figure_of == "last" {
                    "all.length - 1"
                } else {
                    "0"
                }
            ))
            .await;
        let label = label.as_str().expect("a bar with a label").to_string();
        let figure = label
            .split(": ")
            .nth(1)
            .unwrap()
            .split(' ')
            .next()
            .unwrap()
            .to_string();
        browser.click("[data-test-target='1']").await;
        let shown = browser
            .wait_text("#task-count", |t| t.contains(" task"))
            .await;
        let listed = shown
            .rsplit(" · ")
            .next()
            .unwrap()
            .split(' ')
            .next()
            .unwrap();
        assert_eq!(listed, figure, "{label}: the list says {shown}");
    }
    browser.close().await;
}
