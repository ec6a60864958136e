//! No lost updates: concurrent PATCHes of different fields both land; `If-Match` with a stale
//! version is refused with 412 and changes nothing; of two writes with the same `If-Match`
//! exactly one succeeds. Run on whichever backend the environment selects.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{Resp, TestApp};

/// Rounds per concurrency test (the figure).
const ROUNDS: usize = 30;

/// A request with an `If-Match` header.
async fn with_if_match(
    app: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    if_match: &str,
    body: Option<Value>,
) -> Resp {
    app.request_with(method, path, Some(token), &[("If-Match", if_match)], body)
        .await
}

/// Sends two PATCHes to `path` at once, each `ROUNDS` times with fresh values, and checks
/// that both answered 200 and both changes are in the resource afterwards.
async fn both_patches_land(
    app: &TestApp,
    token: &str,
    path: &str,
    first: impl Fn(usize) -> (Value, &'static str),
    second: impl Fn(usize) -> (Value, &'static str),
) {
    for round in 0..ROUNDS {
        let (a, field_a) = first(round);
        let (b, field_b) = second(round);
        let (ra, rb) = tokio::join!(
            app.patch(path, token, a.clone()),
            app.patch(path, token, b.clone())
        );
        ra.expect(200);
        rb.expect(200);
        let now = app.get(path, token).await.expect(200).body;
        assert_eq!(now[field_a], a[field_a], "round {round}: {field_a} lost");
        assert_eq!(now[field_b], b[field_b], "round {round}: {field_b} lost");
    }
}

#[tokio::test]
async fn concurrent_patches_of_different_task_fields_both_land() {
    let app = TestApp::spawn().await;
    let org = app.setup_org("lost").await;
    let task = app.create_task(&org.admin, "Start", json!({})).await;
    let path = format!("/api/v1/tasks/{}/", task["id"].as_str().unwrap());
    both_patches_land(
        &app,
        &org.admin,
        &path,
        |i| (json!({"title": format!("title {i}")}), "title"),
        |i| {
            (
                json!({"description": format!("description {i}")}),
                "description",
            )
        },
    )
    .await;
    let task = app.get(&path, &org.admin).await.expect(200).body;
    assert_eq!(
        task["version"],
        json!(1 + 2 * ROUNDS),
        "every change counted once"
    );
}

#[tokio::test]
async fn concurrent_patches_of_different_user_team_and_organization_fields_both_land() {
    let app = TestApp::spawn().await;
    let org = app.setup_org("lost2").await;
    let (user, pat) = app.add_user(&org.admin, "pat", "engineer").await;
    // Only the holder changes an account's email; two of their own edits race here.
    both_patches_land(
        &app,
        &pat,
        &format!("/api/v1/users/{user}/"),
        |i| (json!({"email": format!("pat{i}@acme.example")}), "email"),
        |i| (json!({"skills": [format!("skill{i}")]}), "skills"),
    )
    .await;
    let team = app
        .post("/api/v1/teams/", &org.admin, json!({"name": "Team"}))
        .await
        .expect(201)
        .body;
    let member = user.clone();
    both_patches_land(
        &app,
        &org.admin,
        &format!("/api/v1/teams/{}/", team["id"].as_str().unwrap()),
        |i| (json!({"name": format!("Team {i}")}), "name"),
        move |i| {
            let members = if i % 2 == 0 {
                json!([member])
            } else {
                json!([])
            };
            (json!({ "members": members }), "members")
        },
    )
    .await;
    both_patches_land(
        &app,
        &org.admin,
        &format!("/api/v1/organizations/{}/", org.id),
        |i| (json!({"name": format!("Org {i}")}), "name"),
        |i| {
            (
                json!({"allowed_task_types": ["bug", "feature", "task", format!("kind{i}")]}),
                "allowed_task_types",
            )
        },
    )
    .await;
}

#[tokio::test]
async fn a_stale_if_match_is_refused_with_412_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let org = app.setup_org("etag").await;
    let task = app.create_task(&org.admin, "Versioned", json!({})).await;
    let path = format!("/api/v1/tasks/{}/", task["id"].as_str().unwrap());
    let read = app.get(&path, &org.admin).await.expect(200);
    assert_eq!(read.body["version"], 1);
    assert_eq!(read.headers["etag"], "\"1\"");

    // The ETag as sent, its weak form and the bare number are all accepted.
    for (i, tag) in ["\"1\"", "W/\"2\"", "3"].into_iter().enumerate() {
        let ok = with_if_match(
            &app,
            Method::PATCH,
            &path,
            &org.admin,
            tag,
            Some(json!({"title": format!("v{}", i + 2)})),
        )
        .await
        .expect(200);
        assert_eq!(ok.body["version"], json!(i + 2));
        assert_eq!(ok.headers["etag"], format!("\"{}\"", i + 2).as_str());
    }

    let stale = with_if_match(
        &app,
        Method::PATCH,
        &path,
        &org.admin,
        "\"1\"",
        Some(json!({"title": "overwrite"})),
    )
    .await
    .expect(412);
    assert_eq!(stale.body["code"], "precondition_failed");
    assert_eq!(stale.body["current_version"], 4);
    let after = app.get(&path, &org.admin).await.expect(200).body;
    assert_eq!(after["title"], "v4");
    assert_eq!(after["version"], 4);

    // Transition, assign and delete honour the precondition too.
    let id = task["id"].as_str().unwrap();
    with_if_match(
        &app,
        Method::POST,
        &format!("/api/v1/tasks/{id}/transition/"),
        &org.admin,
        "2",
        Some(json!({"to_state": "cancelled"})),
    )
    .await
    .expect(412);
    with_if_match(&app, Method::DELETE, &path, &org.admin, "\"3\"", None)
        .await
        .expect(412);
    let audit = app.audit_of(&org.admin, id).await;
    assert_eq!(audit.len(), 4, "created + three updates, nothing refused");
    with_if_match(&app, Method::DELETE, &path, &org.admin, "\"4\"", None)
        .await
        .expect(204);

    let garbage = with_if_match(
        &app,
        Method::PATCH,
        &path,
        &org.admin,
        "yesterday",
        Some(json!({})),
    )
    .await
    .expect(400);
    assert_eq!(garbage.body["code"], "invalid_if_match");
}

#[tokio::test]
async fn every_updatable_resource_has_a_version_and_refuses_a_stale_one() {
    let app = TestApp::spawn().await;
    let org = app.setup_org("versions").await;
    let (user, _) = app.add_user(&org.admin, "val", "engineer").await;
    let team = app
        .post("/api/v1/teams/", &org.admin, json!({"name": "T"}))
        .await
        .expect(201)
        .body;
    let task = app.create_task(&org.admin, "With comment", json!({})).await;
    let comment = app
        .post(
            "/api/v1/comments/",
            &org.admin,
            json!({"task": task["id"], "content": "first"}),
        )
        .await
        .expect(201)
        .body;
    let rules = app
        .get(
            &format!("/api/v1/transitions/?workflow={}", org.workflow_id),
            &org.admin,
        )
        .await
        .expect(200)
        .body;
    let rule = rules["results"][0]["id"].as_str().unwrap().to_string();
    let cases = [
        (
            format!("/api/v1/users/{user}/"),
            json!({"skills": ["triage"]}),
        ),
        (
            format!("/api/v1/teams/{}/", team["id"].as_str().unwrap()),
            json!({"name": "T2"}),
        ),
        (
            format!("/api/v1/organizations/{}/", org.id),
            json!({"name": "Renamed"}),
        ),
        (
            format!("/api/v1/workflows/{}/", org.workflow_id),
            json!({"name": "Renamed flow"}),
        ),
        (
            format!("/api/v1/transitions/{rule}/"),
            json!({"allowed_roles": ["admin"]}),
        ),
        (
            format!("/api/v1/comments/{}/", comment["id"].as_str().unwrap()),
            json!({"content": "edited"}),
        ),
    ];
    for (path, change) in cases {
        let read = app.get(&path, &org.admin).await.expect(200);
        let v = read.body["version"].as_i64().expect("version");
        assert_eq!(read.headers["etag"], format!("\"{v}\"").as_str(), "{path}");
        let changed = with_if_match(
            &app,
            Method::PATCH,
            &path,
            &org.admin,
            &format!("\"{v}\""),
            Some(change.clone()),
        )
        .await
        .expect(200);
        assert_eq!(changed.body["version"], v + 1, "{path}");
        let stale = with_if_match(
            &app,
            Method::PATCH,
            &path,
            &org.admin,
            &format!("\"{v}\""),
            Some(change),
        )
        .await
        .expect(412);
        assert_eq!(stale.body["current_version"], v + 1, "{path}");
        let after = app.get(&path, &org.admin).await.expect(200).body;
        assert_eq!(
            after["version"],
            v + 1,
            "{path}: a refused write changed it"
        );
    }
}

#[tokio::test]
async fn of_two_writes_with_the_same_if_match_exactly_one_succeeds() {
    let app = TestApp::spawn().await;
    let org = app.setup_org("race").await;
    let task = app.create_task(&org.admin, "Race", json!({})).await;
    let path = format!("/api/v1/tasks/{}/", task["id"].as_str().unwrap());
    for round in 0..ROUNDS {
        let v = app.get(&path, &org.admin).await.expect(200).body["version"]
            .as_i64()
            .unwrap();
        let tag = format!("\"{v}\"");
        let (a, b) = tokio::join!(
            with_if_match(
                &app,
                Method::PATCH,
                &path,
                &org.admin,
                &tag,
                Some(json!({"title": format!("a{round}")}))
            ),
            with_if_match(
                &app,
                Method::PATCH,
                &path,
                &org.admin,
                &tag,
                Some(json!({"description": format!("b{round}")}))
            )
        );
        let mut statuses = [a.status, b.status];
        statuses.sort();
        assert_eq!(statuses, [200, 412], "round {round}");
        let now = app.get(&path, &org.admin).await.expect(200).body;
        assert_eq!(now["version"], v + 1, "round {round}");
        let winner_title = a.status == 200;
        assert_eq!(now["title"] == json!(format!("a{round}")), winner_title);
        assert_eq!(
            now["description"] == json!(format!("b{round}")),
            !winner_title
        );
    }
}

#[tokio::test]
async fn a_caller_who_may_not_write_is_refused_before_the_precondition_is_looked_at() {
    let app = TestApp::spawn().await;
    let org = app.setup_org("order").await;
    let (_, worker) = app.add_user(&org.admin, "wes", "engineer").await;
    let task = app.create_task(&org.admin, "Not yours", json!({})).await;
    let path = format!("/api/v1/tasks/{}/", task["id"].as_str().unwrap());
    for tag in ["\"1\"", "\"9\""] {
        let r = with_if_match(
            &app,
            Method::PATCH,
            &path,
            &worker,
            tag,
            Some(json!({"title": "x"})),
        )
        .await
        .expect(403);
        assert_eq!(r.body["code"], "permission_denied");
    }
    let comment = app
        .post(
            "/api/v1/comments/",
            &org.admin,
            json!({"task": task["id"], "content": "admin's"}),
        )
        .await
        .expect(201)
        .body;
    with_if_match(
        &app,
        Method::DELETE,
        &format!("/api/v1/comments/{}/", comment["id"].as_str().unwrap()),
        &worker,
        "\"9\"",
        None,
    )
    .await
    .expect(403);
}
