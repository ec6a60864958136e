//! Departments: admins write and everyone reads; a member is in at most one department;
//! users and tasks filter by department; other organizations' departments are not there.

use serde_json::json;

use crate::helpers::TestApp;

#[tokio::test]
async fn departments_hold_each_member_once_filter_users_and_tasks_and_stay_in_their_organization() {
    let app = TestApp::spawn().await;
    let org = app.setup_org("dep").await;
    let (ana, ana_token) = app.add_user(&org.admin, "ana", "engineer").await;
    let (ben, _) = app.add_user(&org.admin, "ben", "engineer").await;
    let (mia, _) = app.add_user(&org.admin, "mia", "manager").await;
    app.post("/api/v1/departments/", &ana_token, json!({"name": "Nope"}))
        .await
        .expect(403);
    let platform = app
        .post(
            "/api/v1/departments/",
            &org.admin,
            json!({"name": "Platform", "head": mia, "members": [ana, ben]}),
        )
        .await
        .expect(201)
        .body;
    assert_eq!(platform["head"], mia.as_str());
    assert_eq!(platform["member_count"], 2);
    let taken = app
        .post(
            "/api/v1/departments/",
            &org.admin,
            json!({"name": "Platform"}),
        )
        .await
        .expect(409);
    assert_eq!(taken.body["code"], "department_name_taken");

    // Ben joins Data: he leaves Platform.
    let data = app
        .post(
            "/api/v1/departments/",
            &org.admin,
            json!({"name": "Data", "members": [ben]}),
        )
        .await
        .expect(201)
        .body;
    let pid = platform["id"].as_str().unwrap();
    let platform = app
        .get(&format!("/api/v1/departments/{pid}/"), &ana_token)
        .await
        .expect(200)
        .body;
    assert_eq!(platform["members"], json!([ana]));
    let listed = app
        .get(&format!("/api/v1/users/?department={pid}"), &ana_token)
        .await
        .expect(200)
        .body;
    assert_eq!(listed["count"], 1);
    assert_eq!(listed["results"][0]["username"], "ana");
    assert_eq!(listed["results"][0]["department"], pid);

    // Tasks assigned to Platform's people.
    let task = app
        .create_task(&org.admin, "Platform work", json!({}))
        .await;
    app.create_task(&org.admin, "Unassigned work", json!({}))
        .await;
    app.post(
        &format!("/api/v1/tasks/{}/assign/", task["id"].as_str().unwrap()),
        &org.admin,
        json!({"user_id": ana}),
    )
    .await
    .expect(200);
    let tasks = app
        .get(&format!("/api/v1/tasks/?department={pid}"), &org.admin)
        .await
        .expect(200)
        .body;
    assert_eq!(tasks["count"], 1);
    assert_eq!(tasks["results"][0]["title"], "Platform work");
    app.get("/api/v1/tasks/?department=nope", &org.admin)
        .await
        .expect(400);

    // Another organization: its users cannot be named, its admin cannot see or touch ours.
    let other = app.setup_org("dep2").await;
    app.patch(
        &format!("/api/v1/departments/{pid}/"),
        &org.admin,
        json!({"head": other.admin_id}),
    )
    .await
    .expect(400);
    for method in ["get", "patch", "delete"] {
        let path = format!("/api/v1/departments/{pid}/");
        let resp = match method {
            "get" => app.get(&path, &other.admin).await,
            "patch" => {
                app.patch(&path, &other.admin, json!({"name": "Mine"}))
                    .await
            }
            _ => app.delete(&path, &other.admin).await,
        };
        assert_eq!(resp.status, 404, "{method}");
    }
    let theirs = app
        .get("/api/v1/departments/", &other.admin)
        .await
        .expect(200)
        .body;
    assert_eq!(theirs["count"], 0);

    // Deleting Data leaves Ben in no department.
    let did = data["id"].as_str().unwrap();
    app.delete(&format!("/api/v1/departments/{did}/"), &org.admin)
        .await
        .expect(204);
    let ben_now = app
        .get(&format!("/api/v1/users/{ben}/"), &org.admin)
        .await
        .expect(200)
        .body;
    assert!(ben_now["department"].is_null());
    let ours = app
        .get("/api/v1/departments/", &ana_token)
        .await
        .expect(200)
        .body;
    assert_eq!(ours["count"], 1);
    assert_eq!(ours["results"][0]["name"], "Platform");
}
