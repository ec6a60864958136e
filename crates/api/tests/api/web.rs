//! Serving the dashboard's files: the shell, its modules, caching, and what is not served.

use std::collections::BTreeSet;

use reqwest::header;

use crate::helpers::TestApp;

#[tokio::test]
async fn the_shell_is_served_at_the_root_with_the_security_headers() {
    let app = TestApp::spawn().await;
    let resp = app.client.get(app.url("/")).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(
        resp.headers()[header::CONTENT_TYPE],
        "text/html; charset=utf-8"
    );
    let csp = resp.headers()[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap()
        .to_string();
    assert!(csp.contains("script-src 'self'"), "{csp}");
    let html = resp.text().await.unwrap();
    assert!(html.contains(r#"<script type="module" src="/assets/js/main.js"></script>"#));
    assert!(
        !html.contains("data-demo-users"),
        "no demo hints without --demo"
    );
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "no CDN"
    );
}

#[tokio::test]
async fn demo_mode_hints_the_demo_logins() {
    let app = TestApp::spawn_with(|c| c.demo = true).await;
    let html = app.get_text("/").await;
    assert!(html.contains(
        r#"<body data-demo-users="admin_user,manager_user,dev_alice,dev_bob,viewer_user" data-demo-password="testpass123">"#
    ));
}

/// Follows every `import … from "…"` from main.js over HTTP: each module the page needs is
/// embedded and served as JavaScript (a missing one would leave a blank page).
#[tokio::test]
async fn every_module_the_app_imports_is_served() {
    let app = TestApp::spawn().await;
    let mut seen = BTreeSet::new();
    let mut queue = vec!["/assets/js/main.js".to_string()];
    while let Some(path) = queue.pop() {
        if !seen.insert(path.clone()) {
            continue;
        }
        let resp = app.client.get(app.url(&path)).send().await.unwrap();
        assert_eq!(resp.status(), 200, "{path}");
        assert_eq!(
            resp.headers()[header::CONTENT_TYPE],
            "text/javascript",
            "{path}"
        );
        let source = resp.text().await.unwrap();
        let dir = &path[..path.rfind('/').unwrap()];
        for part in source.split(" from \"").skip(1) {
            let relative = part.split('"').next().unwrap();
            let mut segments: Vec<&str> = dir.split('/').collect();
            for piece in relative.split('/') {
                match piece {
                    "." => {}
                    ".." => {
                        segments.pop();
                    }
                    p => segments.push(p),
                }
            }
            queue.push(segments.join("/"));
        }
    }
    assert!(seen.len() >= 15, "only {} modules: {seen:?}", seen.len());
    let css = app
        .client
        .get(app.url("/assets/app.css"))
        .send()
        .await
        .unwrap();
    assert_eq!(css.status(), 200);
    assert_eq!(css.headers()[header::CONTENT_TYPE], "text/css");
}

#[tokio::test]
async fn assets_revalidate_by_content_hash() {
    let app = TestApp::spawn().await;
    let first = app
        .client
        .get(app.url("/assets/js/api.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(first.headers()[header::CACHE_CONTROL], "no-cache");
    let etag = first.headers()[header::ETAG].clone();
    let again = app
        .client
        .get(app.url("/assets/js/api.js"))
        .header(header::IF_NONE_MATCH, etag.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
    assert_eq!(again.headers()[header::ETAG], etag);
    let stale = app
        .client
        .get(app.url("/assets/js/api.js"))
        .header(header::IF_NONE_MATCH, "\"something-else\"")
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status(), 200);
}

#[tokio::test]
async fn unknown_and_outside_paths_are_404() {
    let app = TestApp::spawn().await;
    for path in [
        "/assets/nope.js",
        "/assets/index.html",
        "/assets/../Cargo.toml",
        "/assets/%2e%2e/Cargo.toml",
        "/assets/%2e%2e%2fsrc%2fweb.rs",
        "/nope",
    ] {
        let resp = app.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(resp.status(), 404, "{path}");
        let body: serde_json::Value = resp.json().await.unwrap();
        assert_eq!(body["detail"], "Not found.", "{path}");
    }
}

#[tokio::test]
async fn an_email_task_link_opens_the_dashboard_page_for_that_key() {
    let app = TestApp::spawn().await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let r = client
        .get(app.url("/tasks/ACME-0042"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(r.headers()["location"], "/#/tasks/key/ACME-0042");
    // Nothing but key characters reaches the fragment.
    let r = client
        .get(app.url("/tasks/ACME-1%22%3E%3Cscript%3E"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["location"], "/#/tasks/key/ACME-1script");
}
