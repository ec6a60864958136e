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

/// The schema a request body refers to, resolved in `components`.
fn request_schema<'a>(
    doc: &'a serde_json::Value,
    op: &serde_json::Value,
) -> Option<&'a serde_json::Value> {
    let content = op["requestBody"]["content"].as_object()?;
    let media = content.get("application/json")?;
    let reference = media["schema"]["$ref"].as_str()?;
    let name = reference.rsplit('/').next()?;
    doc["components"]["schemas"].get(name)
}

/// Whether a property shows an example: its own, or — for a property whose schema is
/// another component (utoipa drops field examples there), possibly nullable — that
/// component's.
fn has_example(doc: &serde_json::Value, prop: &serde_json::Value) -> bool {
    if prop.get("example").is_some() || prop.get("examples").is_some() {
        return true;
    }
    if let Some(reference) = prop["$ref"].as_str() {
        let name = reference.rsplit('/').next().unwrap_or_default();
        return has_example(doc, &doc["components"]["schemas"][name]);
    }
    let branches: Vec<&serde_json::Value> = ["oneOf", "anyOf", "allOf"]
        .iter()
        .filter_map(|k| prop[*k].as_array())
        .flatten()
        .filter(|b| b["type"] != "null")
        .collect();
    !branches.is_empty() && branches.iter().all(|b| has_example(doc, b))
}

#[tokio::test]
async fn request_bodies_say_what_is_required_and_show_a_realistic_example() {
    let app = TestApp::spawn().await;
    let doc = app.get_json("/api/v1/openapi.json").await;
    let schemas = &doc["components"]["schemas"];
    // A task's title is a required, non-null string.
    let task = &schemas["CreateTaskRequest"];
    assert!(
        task["required"]
            .as_array()
            .unwrap()
            .contains(&json!("title")),
        "{task}"
    );
    assert_eq!(task["properties"]["title"]["type"], "string", "{task}");
    // Setup: the four required fields first, in this order, and an example that sets up a
    // real organization (not one called "string" with one state).
    let setup = &schemas["SetupRequest"];
    assert_eq!(
        setup["required"],
        json!(["org_name", "org_slug", "admin_username", "admin_password"])
    );
    let raw = app.get_text("/api/v1/openapi.json").await;
    let at = raw
        .find("\"SetupRequest\"")
        .expect("SetupRequest in the raw document");
    let props = &raw[at..];
    let order: Vec<usize> = [
        "\"org_name\"",
        "\"org_slug\"",
        "\"admin_username\"",
        "\"admin_password\"",
        "\"roles\"",
    ]
    .iter()
    .map(|k| {
        props
            .find(k)
            .unwrap_or_else(|| panic!("{k} in SetupRequest"))
    })
    .collect();
    assert!(
        order.windows(2).all(|w| w[0] < w[1]),
        "SetupRequest properties out of order: {order:?}"
    );
    let example = |name: &str| setup["properties"][name]["example"].clone();
    assert_ne!(example("org_name"), json!("string"));
    assert!(
        example("workflow_states")
            .as_array()
            .is_some_and(|s| s.len() >= 4),
        "{setup}"
    );
    // And the example works: setting up with it gives an organization with rules.
    let body: serde_json::Value = setup["properties"]
        .as_object()
        .unwrap()
        .iter()
        .filter_map(|(k, v)| v.get("example").map(|e| (k.clone(), e.clone())))
        .collect::<serde_json::Map<_, _>>()
        .into();
    let created = app.post_anon("/api/v1/setup/", body).await.expect(201).body;
    let token = created["tokens"]["access"].as_str().unwrap().to_string();
    let rules = app
        .get("/api/v1/transitions/", &token)
        .await
        .expect(200)
        .body;
    assert!(rules["count"].as_i64().unwrap() > 3, "{rules}");
    // Every operation that takes a JSON body shows an example of every field.
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let Some(schema) = request_schema(&doc, op) else {
                continue;
            };
            for (field, prop) in schema["properties"].as_object().into_iter().flatten() {
                assert!(
                    has_example(&doc, prop),
                    "{method} {path}: field {field} has no example"
                );
            }
        }
    }
}
