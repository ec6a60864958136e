//! Conventions and operations: slashes, errors, limits, health, metrics, OpenAPI, docs.

use serde_json::json;

use crate::helpers::{TestApp, expected_backend};

#[tokio::test]
async fn the_backend_is_the_one_the_environment_selects() {
    let app = TestApp::spawn().await;
    assert_eq!(app.db.backend(), expected_backend());
}

#[tokio::test]
async fn trailing_slash_is_optional() {
    let app = TestApp::spawn().await;
    let org = app.setup_org("acme").await;
    app.get("/api/v1/users/me", &org.admin).await.expect(200);
    app.get("/api/v1/users/me/", &org.admin).await.expect(200);
    app.get(&format!("/api/v1/organizations/{}", org.id), &org.admin)
        .await
        .expect(200);
}

#[tokio::test]
async fn errors_are_json_with_detail_and_code() {
    let app = TestApp::spawn().await;
    let org = app.setup_org("acme").await;
    let r = app.get("/api/v1/nowhere/", &org.admin).await.expect(404);
    assert_eq!(r.body["code"], "not_found");
    let r = app
        .request(
            reqwest::Method::PUT,
            "/api/v1/users/me/",
            Some(&org.admin),
            Some(json!({})),
        )
        .await
        .expect(405);
    assert_eq!(r.body["code"], "method_not_allowed");
    app.get("/api/v1/users/not-a-uuid/", &org.admin)
        .await
        .expect(404);
    // Not JSON.
    let resp = app
        .client
        .post(app.url("/api/v1/auth/login/"))
        .header("content-type", "text/plain")
        .body("username=x")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 415);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["code"], "unsupported_media_type");
    // Malformed JSON and wrong types.
    let resp = app
        .client
        .post(app.url("/api/v1/auth/login/"))
        .header("content-type", "application/json")
        .body("{\"username\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 400);
    app.post_anon(
        "/api/v1/auth/login/",
        json!({"username": ["x"], "password": 1}),
    )
    .await
    .expect(400);
    // Deep nesting is a 400, not a crash.
    let deep = "[".repeat(5000) + &"]".repeat(5000);
    let resp = app
        .client
        .post(app.url("/api/v1/setup/"))
        .header("content-type", "application/json")
        .body(format!("{{\"roles\": {deep}}}"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 400);
}

#[tokio::test]
async fn oversized_bodies_are_413() {
    let app = TestApp::spawn_with(|c| c.body_limit = 4096).await;
    let big = "x".repeat(10_000);
    let r = app
        .post_anon(
            "/api/v1/auth/login/",
            json!({"username": big, "password": "x"}),
        )
        .await
        .expect(413);
    assert_eq!(r.body["code"], "payload_too_large");
}

#[tokio::test]
async fn request_ids_are_returned_and_kept() {
    let app = TestApp::spawn().await;
    let resp = app
        .client
        .get(app.url("/health/live"))
        .send()
        .await
        .unwrap();
    let id = resp.headers()["x-request-id"].to_str().unwrap().to_string();
    assert_eq!(id.len(), 36);
    let resp = app
        .client
        .get(app.url("/health/live"))
        .header("x-request-id", "abc-123")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.headers()["x-request-id"], "abc-123");
}

#[tokio::test]
async fn health_and_metrics() {
    let app = TestApp::spawn().await;
    let live = app.get_json("/health/live").await;
    assert_eq!(live["status"], "ok");
    let ready = app
        .client
        .get(app.url("/health/ready"))
        .send()
        .await
        .unwrap();
    assert_eq!(ready.status().as_u16(), 200);
    let metrics = app.get_text("/metrics").await;
    assert!(metrics.contains("http_requests_total"), "{metrics}");
}

#[tokio::test]
async fn openapi_lists_every_route_and_docs_render_offline() {
    let app = TestApp::spawn().await;
    let doc = app.get_json("/api/v1/openapi.json").await;
    let paths = doc["paths"].as_object().unwrap();
    for (path, methods) in [
        ("/api/v1/setup", vec!["post"]),
        ("/api/v1/auth/login", vec!["post"]),
        ("/api/v1/auth/refresh", vec!["post"]),
        ("/api/v1/auth/logout", vec!["post"]),
        ("/api/v1/auth/register", vec!["post"]),
        ("/api/v1/organizations", vec!["get"]),
        ("/api/v1/organizations/{id}", vec!["get", "patch", "delete"]),
        ("/api/v1/users", vec!["get", "post"]),
        ("/api/v1/users/me", vec!["get"]),
        ("/api/v1/users/{id}", vec!["get", "patch", "delete"]),
        ("/api/v1/teams", vec!["get", "post"]),
        ("/api/v1/teams/{id}", vec!["get", "patch", "delete"]),
        ("/health/live", vec!["get"]),
        ("/health/ready", vec!["get"]),
        ("/metrics", vec!["get"]),
    ] {
        let item = paths
            .get(path)
            .unwrap_or_else(|| panic!("{path} missing from OpenAPI"));
        for m in methods {
            assert!(item.get(m).is_some(), "{m} {path} missing");
        }
    }
    assert!(doc["components"]["schemas"]["UserOut"].is_object());
    let mut ids = std::collections::HashSet::new();
    for (path, item) in paths {
        for (method, op) in item.as_object().unwrap() {
            let id = op["operationId"]
                .as_str()
                .unwrap_or_else(|| panic!("{method} {path} has no operationId"));
            assert!(ids.insert(id.to_string()), "operationId {id} repeats");
        }
    }
    let html = app.client.get(app.url("/api/docs/")).send().await.unwrap();
    assert_eq!(html.status().as_u16(), 200);
    let text = html.text().await.unwrap();
    assert!(text.contains("swagger-ui"), "{text}");
    assert!(
        !text.contains("https://"),
        "docs must not load anything from the network"
    );
    let js = app
        .client
        .get(app.url("/api/docs/swagger-ui-bundle.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(js.status().as_u16(), 200);
}
