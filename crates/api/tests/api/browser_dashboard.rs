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
    browser.close().await;
}
