//! The dashboard's session cookie: a refresh token kept `HttpOnly`, used only with the
//! `X-Switchyard-Session: 1` header, rotated on every use, cleared by logout — so a page
//! opened in a new tab is signed in, and a cross-site request cannot use it.

use reqwest::Method;
use serde_json::json;

use crate::helpers::TestApp;

const SESSION: (&str, &str) = ("X-Switchyard-Session", "1");

fn set_cookie(r: &switchyard_test_support::Resp) -> String {
    r.headers
        .get("set-cookie")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default()
}

/// The token a `Set-Cookie` carries.
fn cookie_token(set: &str) -> String {
    set.strip_prefix("switchyard_refresh=")
        .and_then(|rest| rest.split(';').next())
        .unwrap_or_default()
        .to_string()
}

#[tokio::test]
async fn the_cookie_refreshes_a_new_tab_rotates_and_ends_with_logout() {
    let app = TestApp::spawn().await;
    let org = app.setup_org("cookie").await;
    let keep = |headers: Vec<(&'static str, String)>, body| {
        let app = &app;
        async move {
            let pairs: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
            app.request_with(
                Method::POST,
                "/api/v1/auth/session/",
                None,
                &pairs,
                Some(body),
            )
            .await
        }
    };
    // Only with the header, and only a live refresh token.
    let r = keep(vec![], json!({"refresh": org.refresh}))
        .await
        .expect(403);
    assert!(r.detail().contains("X-Switchyard-Session: 1"), "{}", r.body);
    keep(vec![(SESSION.0, "1".into())], json!({"refresh": org.admin}))
        .await
        .expect(401);
    let r = keep(vec![(SESSION.0, "1".into())], json!({}))
        .await
        .expect(400);
    assert_eq!(r.body["errors"]["refresh"][0], "This field is required.");
    let r = keep(
        vec![(SESSION.0, "1".into())],
        json!({"refresh": org.refresh}),
    )
    .await
    .expect(204);
    let set = set_cookie(&r);
    assert_eq!(
        set,
        format!(
            "switchyard_refresh={}; Path=/api/v1/auth/; Max-Age=604800; HttpOnly; SameSite=Strict",
            org.refresh
        )
    );

    // A new tab: no tokens of its own, the cookie and the header.
    let cookie = format!("switchyard_refresh={}", org.refresh);
    let refresh = |cookie: String, with_header: bool| {
        let app = &app;
        async move {
            let mut headers = vec![("Cookie", cookie.as_str())];
            if with_header {
                headers.push(SESSION);
            }
            app.request_with(
                Method::POST,
                "/api/v1/auth/refresh/",
                None,
                &headers,
                Some(json!({})),
            )
            .await
        }
    };
    // The cookie alone (what a cross-site form could make a browser send) is not enough.
    let r = refresh(cookie.clone(), false).await.expect(400);
    assert_eq!(r.body["errors"]["refresh"][0], "This field is required.");
    let r = refresh(cookie.clone(), true).await.expect(200);
    assert_eq!(
        r.body["refresh"], "",
        "the refresh token stays out of reach of scripts"
    );
    let access = r.body["access"].as_str().unwrap().to_string();
    app.get("/api/v1/users/me/", &access).await.expect(200);
    let rotated = cookie_token(&set_cookie(&r));
    assert!(!rotated.is_empty() && rotated != org.refresh);
    // The cookie it replaced is dead; the new one works once more.
    refresh(cookie, true).await.expect(401);
    let r = refresh(format!("switchyard_refresh={rotated}"), true)
        .await
        .expect(200);
    let current = cookie_token(&set_cookie(&r));
    let access = r.body["access"].as_str().unwrap().to_string();

    // Logout with the cookie revokes it and clears it.
    let cookie = format!("switchyard_refresh={current}");
    let r = app
        .request_with(
            Method::POST,
            "/api/v1/auth/logout/",
            Some(&access),
            &[("Cookie", cookie.as_str()), SESSION],
            Some(json!({})),
        )
        .await
        .expect(200);
    assert!(set_cookie(&r).starts_with("switchyard_refresh=; Path=/api/v1/auth/; Max-Age=0"));
    refresh(cookie, true).await.expect(401);
    // Without any cookie, the header alone gets a 401, not a session.
    let r = app
        .request_with(
            Method::POST,
            "/api/v1/auth/refresh/",
            None,
            &[SESSION],
            Some(json!({})),
        )
        .await
        .expect(401);
    assert_eq!(r.body["code"], "token_not_valid");
}

#[tokio::test]
async fn the_cookie_is_secure_when_the_dashboard_is_served_over_tls() {
    let app = TestApp::builder()
        .config(|c| c.app.public_url = "https://switchyard.example.com".into())
        .spawn()
        .await;
    let org = app.setup_org("tls").await;
    let r = app
        .request_with(
            Method::POST,
            "/api/v1/auth/session/",
            None,
            &[SESSION],
            Some(json!({"refresh": org.refresh})),
        )
        .await
        .expect(204);
    assert!(set_cookie(&r).ends_with("; HttpOnly; SameSite=Strict; Secure"));
}
