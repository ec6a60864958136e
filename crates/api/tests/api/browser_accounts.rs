//! The account pages in a real browser: an invitation from the Invitations page to a new
//! person's first sign-in, and a forgotten password from the login page to the new one.

use serde_json::json;

use crate::{accounts, browser_driver::Browser, two_factor::code_at};

const PASSWORD: &str = "correct-horse-42";

#[tokio::test]
async fn an_invitation_sent_from_the_dashboard_is_accepted_and_the_new_person_signs_in() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let s = accounts::setup().await;
    let org = s.app.setup_org("webinv").await;
    let base = s.app.url("");
    browser.login(&base, "webinv_admin", PASSWORD).await;
    browser.go_hash("#/invitations").await;
    browser.click("#new-invitation").await;
    browser
        .type_into(".modal input[name=email]", "nina@example.com")
        .await;
    browser.select(".modal select[name=role]", "engineer").await;
    browser.click(".modal button[type=submit]").await;
    browser.wait("tr[data-invitation='nina@example.com']").await;

    let token = s.token_for("nina@example.com", "/accept-invitation").await;
    browser.fresh_session().await;
    browser
        .goto(&format!("{base}/accept-invitation#token={token}"))
        .await;
    browser
        .wait_text("#invitation h1", |t| t == "Join Org webinv")
        .await;
    browser.type_into("#invite-username", "nina").await;
    browser
        .type_into("#invite-password", "Blue-Quartz-Harbor-77")
        .await;
    browser.click("#invite-submit").await;
    browser.wait("[data-page=dashboard] .cards").await;
    let users = s
        .app
        .get("/api/v1/users/", &org.admin)
        .await
        .expect(200)
        .body;
    let nina = users["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == "nina")
        .expect("nina joined")
        .clone();
    assert_eq!(nina["role"], "engineer");
    assert_eq!(nina["email"], "nina@example.com");

    // Later, in a fresh session, she signs in with the password she chose.
    browser.fresh_session().await;
    browser.login(&base, "nina", "Blue-Quartz-Harbor-77").await;
    browser
        .wait_text("#whoami", |t| t.starts_with("nina"))
        .await;
    browser.close().await;
}

#[tokio::test]
async fn a_forgotten_password_is_reset_through_the_emailed_link() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let s = accounts::setup().await;
    let org = s.app.setup_org("webrst").await;
    s.app
        .add_user_with(
            &org.admin,
            json!({"username": "omar", "email": "omar@example.com"}),
        )
        .await;
    let base = s.app.url("");
    browser.goto(&format!("{base}/#/login")).await;
    browser.click("#forgot-link").await;
    browser.type_into("#forgot-email", "omar@example.com").await;
    browser.click("#forgot-submit").await;
    browser.wait_text("#forgot-done", |t| !t.is_empty()).await;

    let token = s.token_for("omar@example.com", "/reset-password").await;
    browser
        .goto(&format!("{base}/reset-password#token={token}"))
        .await;
    browser
        .type_into("#reset-password", "Green-Lantern-Quartz-44")
        .await;
    browser.click("#reset-submit").await;
    browser.wait("#reset-done").await;
    browser
        .login(&base, "omar", "Green-Lantern-Quartz-44")
        .await;
    browser
        .wait_text("#whoami", |t| t.starts_with("omar"))
        .await;
    browser.close().await;
}

#[tokio::test]
async fn two_factor_sign_in_is_turned_on_in_the_profile_and_then_asked_for_at_sign_in() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let s = accounts::setup().await;
    s.app.setup_org("web2fa").await;
    let base = s.app.url("");
    browser.login(&base, "web2fa_admin", PASSWORD).await;
    browser.go_hash("#/profile").await;
    browser.click("#two-factor-setup").await;
    browser.wait("#two-factor-qr").await;
    let secret = browser
        .wait_text("#two-factor-secret", |t| t.len() >= 32)
        .await;
    browser
        .type_into("#two-factor-code", &code_at(&secret, s.clock_now()))
        .await;
    browser.click("#two-factor-confirm").await;
    browser.wait("#recovery-codes").await;
    assert_eq!(browser.count("#recovery-codes li").await, 10);

    // A fresh session: the password leads to the code step, the code to the dashboard.
    browser.fresh_session().await;
    browser.goto(&format!("{base}/#/login")).await;
    browser.type_into("#login-username", "web2fa_admin").await;
    browser.type_into("#login-password", PASSWORD).await;
    browser.click("#login-submit").await;
    browser.wait("#two-factor-step").await;
    s.clock.advance(chrono::Duration::seconds(30));
    browser
        .type_into("#login-code", &code_at(&secret, s.clock_now()))
        .await;
    browser.click("#login-code-submit").await;
    browser.wait("[data-page=dashboard] .cards").await;
    browser.close().await;
}
