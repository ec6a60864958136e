//! Adversarial tests: headers, CORS, rate limits, token forgery, privilege escalation,
//! secrets, and malformed input on every route of the OpenAPI document.

use std::time::Duration;

use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::TestApp;

#[tokio::test]
async fn security_headers_on_every_response() {
    let app = TestApp::spawn().await;
    let org = app.setup_org("acme").await;
    for (method, path, token) in [
        (Method::GET, "/health/live", None),
        (Method::GET, "/api/v1/users/me/", Some(org.admin.as_str())),
        (Method::GET, "/api/v1/nowhere", Some(org.admin.as_str())),
        (Method::GET, "/api/v1/users/", None),
        (Method::GET, "/api/docs/", None),
        (Method::GET, "/api/v1/openapi.json", None),
    ] {
        let mut req = app.client.request(method, app.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let resp = req.send().await.unwrap();
        let h = resp.headers();
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["x-frame-options"], "DENY", "{path}");
        assert_eq!(h["referrer-policy"], "no-referrer", "{path}");
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("script-src 'self'") && !csp.contains("script-src 'self' 'unsafe-inline'"),
            "{csp}"
        );
        assert!(
            h.get("strict-transport-security").is_none(),
            "HSTS only when configured"
        );
    }
    let tls = TestApp::spawn_with(|c| c.hsts = true).await;
    let resp = tls
        .client
        .get(tls.url("/health/live"))
        .send()
        .await
        .unwrap();
    assert!(
        resp.headers()["strict-transport-security"]
            .to_str()
            .unwrap()
            .starts_with("max-age=")
    );
}

#[tokio::test]
async fn cors_only_for_configured_origins() {
    let app =
        TestApp::spawn_with(|c| c.cors_origins = vec!["https://app.example.com".into()]).await;
    let preflight = |origin: &'static str| {
        app.client
            .request(Method::OPTIONS, app.url("/api/v1/tasks/"))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header(
                "access-control-request-headers",
                "authorization,content-type",
            )
            .send()
    };
    let ok = preflight("https://app.example.com").await.unwrap();
    assert_eq!(
        ok.headers()["access-control-allow-origin"],
        "https://app.example.com"
    );
    let allowed_headers = ok.headers()["access-control-allow-headers"]
        .to_str()
        .unwrap()
        .to_lowercase();
    assert!(
        allowed_headers.contains("authorization") && allowed_headers.contains("content-type"),
        "{allowed_headers}"
    );
    assert!(!allowed_headers.contains('*'));
    let methods = ok.headers()["access-control-allow-methods"]
        .to_str()
        .unwrap();
    for m in ["GET", "POST", "PUT", "PATCH", "DELETE"] {
        assert!(methods.contains(m), "{methods}");
    }
    let evil = preflight("https://evil.example.com").await.unwrap();
    assert!(evil.headers().get("access-control-allow-origin").is_none());
    let actual = app
        .client
        .get(app.url("/health/live"))
        .header("origin", "https://app.example.com")
        .send()
        .await
        .unwrap();
    assert_eq!(
        actual.headers()["access-control-allow-origin"],
        "https://app.example.com"
    );
    let same_origin_only = TestApp::spawn().await;
    let r = same_origin_only
        .client
        .get(same_origin_only.url("/health/live"))
        .header("origin", "https://app.example.com")
        .send()
        .await
        .unwrap();
    assert!(r.headers().get("access-control-allow-origin").is_none());
}

/// The per-address limit counts in fixed one-minute windows of the wall clock: a burst that
/// straddles a window's end is counted in two. Waits until the window has 15 s left at least.
async fn away_from_window_edge() {
    let into = chrono::Utc::now().timestamp().rem_euclid(60);
    if into > 45 {
        tokio::time::sleep(std::time::Duration::from_secs((61 - into) as u64)).await;
    }
}

#[tokio::test]
async fn entry_points_are_limited_per_address_and_spoofing_does_not_help() {
    let app = TestApp::spawn_with(|c| c.rate_limit_per_address = 5).await;
    away_from_window_edge().await;
    for i in 0..5 {
        let r = app
            .client
            .post(app.url("/api/v1/auth/login/"))
            .header("x-forwarded-for", format!("10.0.0.{i}"))
            .json(&json!({"username": "x", "password": "y"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 401);
    }
    let r = app
        .post_anon(
            "/api/v1/auth/register/",
            json!({"username": "late", "password": "correct-horse-42"}),
        )
        .await
        .expect(429);
    assert!(
        r.headers["retry-after"]
            .to_str()
            .unwrap()
            .parse::<u64>()
            .unwrap()
            <= 60
    );
    assert_eq!(r.body["code"], "throttled");
    // Authenticated routes are not limited per address.
    app.get("/health/live", "").await;

    // Behind one trusted proxy, the proxy's X-Forwarded-For entry is the client.
    let proxied = TestApp::spawn_with(|c| {
        c.rate_limit_per_address = 2;
        c.trusted_proxy_hops = 1;
    })
    .await;
    let login = |ip: &'static str| {
        proxied
            .client
            .post(proxied.url("/api/v1/auth/login/"))
            .header("x-forwarded-for", ip)
            .json(&json!({"username": "x", "password": "y"}))
            .send()
    };
    away_from_window_edge().await;
    for _ in 0..2 {
        assert_eq!(login("203.0.113.7").await.unwrap().status().as_u16(), 401);
    }
    assert_eq!(login("203.0.113.7").await.unwrap().status().as_u16(), 429);
    assert_eq!(login("203.0.113.8").await.unwrap().status().as_u16(), 401);
}

#[tokio::test]
async fn twenty_wrong_passwords_end_in_429() {
    let app = TestApp::spawn().await;
    app.setup_org("acme").await;
    let mut statuses = Vec::new();
    for _ in 0..20 {
        let r = app
            .post_anon(
                "/api/v1/auth/login/",
                json!({"username": "acme_admin", "password": "wrong-password"}),
            )
            .await;
        statuses.push(r.status);
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 401).count(),
        10,
        "{statuses:?}"
    );
    assert_eq!(*statuses.last().unwrap(), 429);
}

fn forge(claims: Value, key: &[u8]) -> String {
    encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(key),
    )
    .unwrap()
}

#[tokio::test]
async fn forged_and_expired_tokens_are_refused() {
    let app = TestApp::spawn_with(|c| c.app.access_ttl = Duration::from_secs(1)).await;
    let org = app.setup_org("acme").await;
    let me = app
        .get("/api/v1/users/me/", &org.admin)
        .await
        .expect(200)
        .body;
    let now = chrono::Utc::now().timestamp();
    let base = json!({"iss": "switchyard", "aud": "switchyard-api", "sub": me["id"], "org": org.id,
                      "iat": now, "exp": now + 600, "jti": uuid::Uuid::new_v4(), "typ": "access"});
    let right_key = b"test-secret-that-is-long-enough-for-hs256";
    // The right key with valid claims works: the forgeries below fail for their one flaw.
    app.get("/api/v1/users/me/", &forge(base.clone(), right_key))
        .await
        .expect(200);
    let mut cases: Vec<(&str, String)> = vec![(
        "wrong key",
        forge(base.clone(), b"another-secret-another-secret-another!"),
    )];
    for (field, value) in [
        ("iss", json!("someone-else")),
        ("aud", json!("another-api")),
        ("typ", json!("refresh")),
        ("exp", json!(now - 10)),
        ("sub", json!(uuid::Uuid::new_v4())),
    ] {
        let mut c = base.clone();
        c[field] = value;
        cases.push((field, forge(c, right_key)));
    }
    for missing in ["exp", "iat", "jti", "iss", "aud"] {
        let mut c = base.clone();
        c.as_object_mut().unwrap().remove(missing);
        cases.push((missing, forge(c, right_key)));
    }
    for (what, token) in cases {
        let r = app.get("/api/v1/users/me/", &token).await;
        assert_eq!(r.status, 401, "{what} must be refused");
    }
    // A real token, once expired.
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let r = app.get("/api/v1/users/me/", &org.admin).await.expect(401);
    assert_eq!(r.detail(), "Given token not valid for any token type");
}

#[tokio::test]
async fn read_only_roles_write_nothing_and_workers_do_not_configure() {
    let app = TestApp::spawn().await;
    let org = app.setup_org("acme").await;
    let (wid, worker) = app.add_user(&org.admin, "w", "engineer").await;
    let (_, viewer) = app.add_user(&org.admin, "v", "viewer").await;
    let task = app.create_task(&worker, "T", json!({})).await;
    let tid = task["id"].as_str().unwrap();
    let writes: Vec<(Method, String, Value)> = vec![
        (Method::POST, "/api/v1/tasks/".into(), json!({"title": "x"})),
        (
            Method::PATCH,
            format!("/api/v1/tasks/{tid}/"),
            json!({"title": "x"}),
        ),
        (Method::DELETE, format!("/api/v1/tasks/{tid}/"), json!({})),
        (
            Method::POST,
            format!("/api/v1/tasks/{tid}/transition/"),
            json!({"to_state": "in_progress"}),
        ),
        (
            Method::POST,
            format!("/api/v1/tasks/{tid}/assign/"),
            json!({"user_id": wid}),
        ),
        (
            Method::POST,
            "/api/v1/comments/".into(),
            json!({"task": tid, "content": "x"}),
        ),
        (
            Method::POST,
            "/api/v1/users/".into(),
            json!({"username": "zz", "password": "correct-horse-42"}),
        ),
        (
            Method::PATCH,
            format!("/api/v1/users/{wid}/"),
            json!({"email": "a@b.example"}),
        ),
        (Method::POST, "/api/v1/teams/".into(), json!({"name": "x"})),
        (
            Method::POST,
            "/api/v1/workflows/".into(),
            json!({"name": "x", "allowed_states": ["a"]}),
        ),
        (
            Method::PATCH,
            format!("/api/v1/workflows/{}/", org.workflow_id),
            json!({"name": "x"}),
        ),
        (
            Method::POST,
            "/api/v1/transitions/".into(),
            json!({"workflow": org.workflow_id, "from_state": "open", "to_state": "done", "allowed_roles": ["viewer"]}),
        ),
        (
            Method::PATCH,
            format!("/api/v1/organizations/{}/", org.id),
            json!({"allowed_roles": ["admin", "viewer"]}),
        ),
        (
            Method::POST,
            "/api/v1/dashboard/sla-check/".into(),
            json!({}),
        ),
        (
            Method::POST,
            "/api/v1/ai/score-priority/".into(),
            json!({"task_id": tid}),
        ),
        (Method::POST, "/api/v1/ai/score-all/".into(), json!({})),
        (
            Method::POST,
            "/api/v1/ai/auto-assign/".into(),
            json!({"task_id": tid}),
        ),
    ];
    for (method, path, body) in &writes {
        let r = app
            .request(method.clone(), path, Some(&viewer), Some(body.clone()))
            .await;
        assert_eq!(r.status, 403, "viewer {method} {path}: {}", r.body);
    }
    // A worker edits their own profile (tested elsewhere) but configures nothing.
    for (method, path, body) in writes.iter().filter(|(_, p, _)| {
        p.contains("workflows")
            || p.contains("transitions")
            || p.contains("organizations")
            || p == "/api/v1/users/"
    }) {
        let r = app
            .request(method.clone(), path, Some(&worker), Some(body.clone()))
            .await;
        assert_eq!(r.status, 403, "worker {method} {path}: {}", r.body);
    }
    let t = app
        .get(&format!("/api/v1/tasks/{tid}/"), &org.admin)
        .await
        .body;
    assert_eq!(t["title"], "T");
    assert_eq!(t["current_state"], "open");
    let o = app
        .get(&format!("/api/v1/organizations/{}/", org.id), &org.admin)
        .await
        .body;
    assert_eq!(
        o["allowed_roles"],
        json!(["admin", "manager", "engineer", "viewer"])
    );
}

#[tokio::test]
async fn no_password_hash_or_token_secret_in_any_response() {
    let app = TestApp::spawn().await;
    let org = app.setup_org("acme").await;
    let (wid, _) = app.add_user(&org.admin, "w", "engineer").await;
    let task = app.create_task(&org.admin, "T", json!({})).await;
    app.post(
        &format!("/api/v1/tasks/{}/assign/", task["id"].as_str().unwrap()),
        &org.admin,
        json!({"user_id": wid}),
    )
    .await;
    for path in [
        "/api/v1/users/".to_string(),
        "/api/v1/users/me/".to_string(),
        format!("/api/v1/users/{wid}/"),
        format!("/api/v1/tasks/{}/", task["id"].as_str().unwrap()),
        "/api/v1/teams/".to_string(),
        "/api/v1/audit-logs/".to_string(),
        "/api/v1/dashboard/team-performance/".to_string(),
        "/api/v1/organizations/".to_string(),
    ] {
        let body = app
            .get(&path, &org.admin)
            .await
            .expect(200)
            .body
            .to_string();
        for secret in ["$argon2", "password", "test-secret-that-is-long-enough"] {
            assert!(!body.contains(secret), "{path} leaks {secret}");
        }
    }
}

/// Fills a path template's parameters with `value`.
fn fill(path: &str, value: &str) -> String {
    let mut out = String::new();
    let mut rest = path;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let end = rest[start..]
            .find('}')
            .map(|e| start + e + 1)
            .unwrap_or(rest.len());
        out.push_str(value);
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

#[tokio::test]
async fn malformed_input_on_every_route_is_a_4xx() {
    let app = TestApp::spawn_with(|c| c.rate_limit_per_address = 0).await;
    let org = app.setup_org("acme").await;
    let doc = app.get_json("/api/v1/openapi.json").await;
    let deep = format!("{}1{}", "[".repeat(3000), "]".repeat(3000));
    let huge = "x".repeat(200_000);
    let bodies: Vec<(Option<&str>, String)> = vec![
        (None, String::new()),
        (Some("application/json"), String::new()),
        (Some("application/json"), "null".into()),
        (Some("application/json"), "[]".into()),
        (Some("application/json"), "\"text\"".into()),
        (Some("application/json"), "{\"title\": 5, \"name\": [], \"task_id\": \"x\", \"user_id\": {}, \"to_state\": null}".into()),
        (Some("application/json"), json!({"title": huge, "name": huge, "content": huge, "question": huge, "username": huge}).to_string()),
        (Some("application/json"), format!("{{\"a\": {deep}}}")),
        (Some("application/json"), "{\"question\": \"'; DROP TABLE tasks; --\", \"title\": \"\\u0000\\ud83d\"}".into()),
        (Some("application/json"), "{not json".into()),
        (Some("application/json"), "{\"username\": \"a\\u0000b\", \"password\": \"x\", \"title\": \"\\u0000\", \"skills\": [\"\\u0000\"]}".into()),
        (Some("text/plain"), "hello".into()),
    ];
    let ids = [
        "not-a-uuid",
        "00000000-0000-0000-0000-000000000000",
        "%27%20OR%201%3D1--",
        "%F0%9F%98%80",
    ];
    let queries = [
        "?page=-1&page_size=abc&ordering=%00&search=%27%3B--%F0%9F%98%80&current_state=%E2%9C%93&task=abc&action=x&workflow=1&limit=99999999999999999999",
        "?page=9223372036854775808&search=%00&current_state=%00&priority=a%00b",
    ];
    let mut cases = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, _) in item.as_object().unwrap() {
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let ids_here: &[&str] = if path.contains('{') { &ids } else { &ids[..1] };
            for (id, query) in ids_here
                .iter()
                .flat_map(|id| queries.iter().map(move |q| (id, q)))
            {
                let url = format!("{}{query}", fill(path, id));
                for (ctype, body) in &bodies {
                    for token in [Some(org.admin.as_str()), None, Some("garbage")] {
                        let mut req = app.client.request(method.clone(), app.url(&url));
                        if let Some(t) = token {
                            req = req.bearer_auth(t);
                        }
                        if let Some(ct) = ctype {
                            req = req.header("content-type", *ct).body(body.clone());
                        }
                        let resp = req.send().await.unwrap();
                        let status = resp.status().as_u16();
                        assert!(
                            status < 500,
                            "{method} {url} ({ctype:?}, {} bytes): {status} {}",
                            body.len(),
                            resp.text().await.unwrap_or_default()
                        );
                        cases += 1;
                    }
                }
            }
        }
    }
    println!("malformed-input cases: {cases}");
    assert!(cases > 1000, "{cases}");
    // The organization survived all of it.
    app.get("/api/v1/users/me/", &org.admin).await.expect(200);
}
