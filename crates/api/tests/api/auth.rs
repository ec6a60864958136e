//! Login, refresh rotation, logout, register, and token forgery.

use serde_json::json;

use crate::helpers::TestApp;

fn b64(data: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in data.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, b)| acc | (u32::from(*b) << (16 - 8 * i)));
        let chars = chunk.len() + 1;
        for i in 0..chars {
            out.push(T[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

fn unb64(s: &str) -> Vec<u8> {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let vals: Vec<u32> = s
        .bytes()
        .map(|c| T.iter().position(|t| *t == c).unwrap() as u32)
        .collect();
    let mut out = Vec::new();
    for chunk in vals.chunks(4) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, v)| acc | (v << (18 - 6 * i)));
        for i in 0..chunk.len() - 1 {
            out.push((n >> (16 - 8 * i)) as u8);
        }
    }
    out
}

#[tokio::test]
async fn login_and_wrong_credentials() {
    let app = TestApp::spawn().await;
    app.setup_org("acme").await;
    let token = app.login("acme_admin", "correct-horse-42").await;
    app.get("/api/v1/users/me/", &token).await.expect(200);
    for (user, pass) in [
        ("acme_admin", "wrong-password"),
        ("nobody", "correct-horse-42"),
    ] {
        let r = app
            .post_anon(
                "/api/v1/auth/login/",
                json!({"username": user, "password": pass}),
            )
            .await
            .expect(401);
        assert_eq!(
            r.detail(),
            "No active account found with the given credentials"
        );
    }
}

#[tokio::test]
async fn missing_and_bad_bearer_tokens_are_401() {
    let app = TestApp::spawn().await;
    let org = app.setup_org("acme").await;
    let r = app
        .request(reqwest::Method::GET, "/api/v1/users/", None, None)
        .await
        .expect(401);
    assert_eq!(r.detail(), "Authentication credentials were not provided.");

    let parts: Vec<&str> = org.admin.split('.').collect();
    let tampered_sig = format!(
        "{}.{}.{}x",
        parts[0],
        parts[1],
        &parts[2][..parts[2].len() - 1]
    );
    let mut claims: serde_json::Value = serde_json::from_slice(&unb64(parts[1])).unwrap();
    claims["sub"] = json!(uuid::Uuid::new_v4());
    let tampered_claims = format!(
        "{}.{}.{}",
        parts[0],
        b64(claims.to_string().as_bytes()),
        parts[2]
    );
    let alg_none = format!("{}.{}.", b64(br#"{"alg":"none","typ":"JWT"}"#), parts[1]);
    for bad in [
        tampered_sig.as_str(),
        tampered_claims.as_str(),
        alg_none.as_str(),
        org.refresh.as_str(),
        "garbage",
        "a.b.c",
    ] {
        let r = app.get("/api/v1/users/", bad).await.expect(401);
        assert_eq!(
            r.detail(),
            "Given token not valid for any token type",
            "token {bad}"
        );
    }
    // A different scheme is not a bearer token either.
    let r = app
        .client
        .get(app.url("/api/v1/users/"))
        .header("authorization", format!("Basic {}", org.admin))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);
}

#[tokio::test]
async fn refresh_rotates_and_the_old_token_dies() {
    let app = TestApp::spawn().await;
    let org = app.setup_org("acme").await;
    let pair = app
        .post_anon("/api/v1/auth/refresh/", json!({"refresh": org.refresh}))
        .await
        .expect(200)
        .body;
    let new_access = pair["access"].as_str().unwrap();
    app.get("/api/v1/users/me/", new_access).await.expect(200);
    let r = app
        .post_anon("/api/v1/auth/refresh/", json!({"refresh": org.refresh}))
        .await
        .expect(401);
    assert_eq!(r.detail(), "Token is blacklisted");
    let r = app
        .post_anon("/api/v1/auth/refresh/", json!({"refresh": "nonsense"}))
        .await
        .expect(401);
    assert_eq!(r.detail(), "Token is invalid or expired");
    // An access token is not a refresh token.
    let r = app
        .post_anon("/api/v1/auth/refresh/", json!({"refresh": new_access}))
        .await
        .expect(401);
    assert_eq!(r.detail(), "Token is invalid or expired");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_refreshes_with_one_token_have_one_winner() {
    let app = TestApp::spawn().await;
    let org = app.setup_org("acme").await;
    let futures: Vec<_> = (0..8)
        .map(|_| app.post_anon("/api/v1/auth/refresh/", json!({"refresh": org.refresh})))
        .collect();
    let results = futures::future::join_all(futures).await;
    let ok = results.iter().filter(|r| r.status == 200).count();
    assert_eq!(
        ok,
        1,
        "{:?}",
        results.iter().map(|r| r.status).collect::<Vec<_>>()
    );
    assert!(results.iter().all(|r| r.status == 200 || r.status == 401));
}

#[tokio::test]
async fn logout_blacklists_refresh_and_access() {
    let app = TestApp::spawn().await;
    let org = app.setup_org("acme").await;
    let out = app
        .post(
            "/api/v1/auth/logout/",
            &org.admin,
            json!({"refresh": org.refresh}),
        )
        .await
        .expect(200);
    assert_eq!(out.body["message"], "Logged out successfully");
    let r = app.get("/api/v1/users/me/", &org.admin).await.expect(401);
    assert_eq!(r.detail(), "Given token not valid for any token type");
    let r = app
        .post_anon("/api/v1/auth/refresh/", json!({"refresh": org.refresh}))
        .await
        .expect(401);
    assert_eq!(r.detail(), "Token is blacklisted");
}

#[tokio::test]
async fn register_ignores_organization_and_role() {
    let app = TestApp::spawn().await;
    let org = app.setup_org("acme").await;
    let body = app
        .post_anon(
            "/api/v1/auth/register/",
            json!({"username": "mallory", "password": "correct-horse-42", "email": "m@example.com",
                   "organization": org.id, "role": "admin"}),
        )
        .await
        .expect(201)
        .body;
    assert_eq!(body["message"], "User registered successfully");
    assert_eq!(body["user"]["organization"], serde_json::Value::Null);
    assert_eq!(body["user"]["role"], serde_json::Value::Null);
    let token = body["tokens"]["access"].as_str().unwrap();
    let me = app.get("/api/v1/users/me/", token).await.expect(200).body;
    assert_eq!(me["organization"], serde_json::Value::Null);
    // Without an organization, tenant routes are closed and acme's data invisible.
    app.get("/api/v1/users/", token).await.expect(403);
    app.get(&format!("/api/v1/organizations/{}/", org.id), token)
        .await
        .expect(403);
    let members = app.get("/api/v1/users/", &org.admin).await.expect(200).body;
    assert_eq!(members["count"], 1);
}

#[tokio::test]
async fn register_validates_and_can_be_disabled() {
    let app = TestApp::spawn().await;
    let r = app
        .post_anon(
            "/api/v1/auth/register/",
            json!({"username": "sam", "password": "password"}),
        )
        .await
        .expect(400);
    assert!(r.detail().contains("too common"), "{}", r.body);
    let r = app
        .post_anon(
            "/api/v1/auth/register/",
            json!({"username": "sam smith", "password": "correct-horse-42"}),
        )
        .await
        .expect(400);
    assert!(r.body["errors"]["username"].is_array());
    app.post_anon(
        "/api/v1/auth/register/",
        json!({"username": "sam", "password": "correct-horse-42"}),
    )
    .await
    .expect(201);
    let r = app
        .post_anon(
            "/api/v1/auth/register/",
            json!({"username": "sam", "password": "correct-horse-42"}),
        )
        .await
        .expect(400);
    assert!(r.detail().contains("already exists"));
    let closed = TestApp::spawn_with(|c| c.app.allow_registration = false).await;
    closed
        .post_anon(
            "/api/v1/auth/register/",
            json!({"username": "sam", "password": "correct-horse-42"}),
        )
        .await
        .expect(403);
}

#[tokio::test]
async fn repeated_failures_lock_the_account_with_retry_after() {
    let app = TestApp::spawn_with(|c| c.app.login_failures_per_account = 3).await;
    app.setup_org("acme").await;
    for _ in 0..3 {
        app.post_anon(
            "/api/v1/auth/login/",
            json!({"username": "acme_admin", "password": "nope-nope-nope"}),
        )
        .await
        .expect(401);
    }
    let r = app
        .post_anon(
            "/api/v1/auth/login/",
            json!({"username": "acme_admin", "password": "correct-horse-42"}),
        )
        .await
        .expect(429);
    let retry: u64 = r.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!(retry > 0 && retry <= 900, "{retry}");
    // Other accounts are unaffected.
    app.post_anon(
        "/api/v1/auth/login/",
        json!({"username": "someone", "password": "nope-nope-nope"}),
    )
    .await
    .expect(401);
}

#[tokio::test]
async fn deleted_users_tokens_stop_working() {
    let app = TestApp::spawn().await;
    let org = app.setup_org("acme").await;
    let (id, token) = app.add_user(&org.admin, "temp", "engineer").await;
    app.get("/api/v1/users/me/", &token).await.expect(200);
    app.delete(&format!("/api/v1/users/{id}/"), &org.admin)
        .await
        .expect(204);
    let r = app.get("/api/v1/users/me/", &token).await.expect(401);
    assert_eq!(r.detail(), "Given token not valid for any token type");
}
