//! Capabilities from the server: `GET /users/me/` says what the caller's role may do, tasks
//! and comments carry `can`, and each flag agrees with what the server then allows.

use serde_json::{Value, json};

use crate::helpers::TestApp;

#[tokio::test]
async fn permissions_follow_the_role_and_match_what_the_server_allows() {
    let app = TestApp::spawn().await;
    let org = app.setup_org("caps").await;
    let (_, manager) = app.add_user(&org.admin, "mia", "manager").await;
    let (_, worker) = app.add_user(&org.admin, "wes", "engineer").await;
    let (_, viewer) = app.add_user(&org.admin, "val", "viewer").await;
    let cases = [
        (&org.admin, "admin"),
        (&manager, "manager"),
        (&worker, "worker"),
        (&viewer, "read_only"),
    ];
    for (token, level) in cases {
        let me = app.get("/api/v1/users/me/", token).await.expect(200).body;
        let p = &me["permissions"];
        assert_eq!(p["level"], level);
        assert!(
            me["username"].is_string(),
            "the account is still there: {me}"
        );

        // Each flag predicts the server's answer.
        let created = app
            .post(
                "/api/v1/tasks/",
                token,
                json!({"title": format!("by {level}")}),
            )
            .await;
        assert_eq!(created.status == 201, p["create_tasks"] == true, "{level}");
        let team = app
            .post(
                "/api/v1/teams/",
                token,
                json!({"name": format!("team {level}")}),
            )
            .await;
        assert_eq!(team.status == 201, p["manage_teams"] == true, "{level}");
        let workflow = app
            .patch(
                &format!("/api/v1/workflows/{}/", org.workflow_id),
                token,
                json!({"name": format!("flow {level}")}),
            )
            .await;
        assert_eq!(
            workflow.status == 200,
            p["manage_workflows"] == true,
            "{level}"
        );
        let grants: Vec<&str> = p["assignable_roles"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r.as_str().unwrap())
            .collect();
        let expected: &[&str] = match level {
            "admin" => &["admin", "manager", "engineer", "viewer"],
            "manager" => &["manager", "engineer", "viewer"],
            _ => &[],
        };
        assert_eq!(grants, expected, "{level}");
    }
}

fn can(body: &Value, what: &str) -> bool {
    body["can"][what].as_bool().expect("a can flag")
}

#[tokio::test]
async fn tasks_and_comments_say_what_the_caller_may_do_to_them() {
    let app = TestApp::spawn().await;
    let org = app.setup_org("cando").await;
    let (_, worker) = app.add_user(&org.admin, "wes", "engineer").await;
    let (_, viewer) = app.add_user(&org.admin, "val", "viewer").await;
    let admins = app.create_task(&org.admin, "Admin's", json!({})).await;
    let own = app.create_task(&worker, "Worker's", json!({})).await;
    assert!(can(&own, "edit") && !can(&own, "delete") && !can(&own, "assign"));

    let path = |t: &Value| format!("/api/v1/tasks/{}/", t["id"].as_str().unwrap());
    let seen = app.get(&path(&admins), &worker).await.expect(200).body;
    assert!(!can(&seen, "edit") && can(&seen, "comment") && can(&seen, "transition"));
    app.patch(&path(&admins), &worker, json!({"title": "x"}))
        .await
        .expect(403);
    app.patch(&path(&own), &worker, json!({"title": "mine"}))
        .await
        .expect(200);
    let as_viewer = app.get(&path(&own), &viewer).await.expect(200).body;
    assert!(!can(&as_viewer, "edit") && !can(&as_viewer, "comment"));
    let as_admin = app.get(&path(&own), &org.admin).await.expect(200).body;
    assert!(
        ["edit", "delete", "assign", "transition", "comment"]
            .iter()
            .all(|w| can(&as_admin, w))
    );

    // The list carries the same flags as the detail.
    let list = app.get("/api/v1/tasks/", &worker).await.expect(200).body;
    for item in list["results"].as_array().unwrap() {
        let detail = app.get(&path(item), &worker).await.expect(200).body;
        assert_eq!(item["can"], detail["can"], "{}", item["title"]);
    }

    let comment = app
        .post(
            "/api/v1/comments/",
            &org.admin,
            json!({"task": own["id"], "content": "from the admin"}),
        )
        .await
        .expect(201)
        .body;
    assert!(can(&comment, "edit"));
    let cpath = format!("/api/v1/comments/{}/", comment["id"].as_str().unwrap());
    let as_worker = app.get(&cpath, &worker).await.expect(200).body;
    assert!(!can(&as_worker, "edit") && !can(&as_worker, "delete"));
    app.patch(&cpath, &worker, json!({"content": "hijack"}))
        .await
        .expect(403);
    let in_detail = app.get(&path(&own), &worker).await.expect(200).body;
    assert_eq!(in_detail["comments"][0]["can"], as_worker["can"]);
}
