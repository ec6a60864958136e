//! Projects in the dashboard: a manager creates one, adds a member and a task from the
//! project's page; the member sees it, someone outside a private project does not.

use crate::{browser_driver::Browser, helpers::TestApp};

const PASSWORD: &str = "correct-horse-42";

#[tokio::test]
async fn a_project_is_created_staffed_and_filled_from_its_page() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn().await;
    let org = app.setup_org("webpj").await;
    let (alice, _) = app.add_user(&org.admin, "alice", "engineer").await;
    let (_, carol_t) = app.add_user(&org.admin, "carol", "engineer").await;
    browser.login(&app.url(""), "webpj_admin", PASSWORD).await;
    browser.go_hash("#/projects").await;
    browser.click("#new-project").await;
    browser
        .type_into(".modal input[name=name]", "Mars Rover Arm")
        .await;
    browser.type_into(".modal input[name=key]", "rover").await;
    browser.click(".modal button[type=submit]").await;
    // The new project's page: its owner, no tasks yet.
    browser
        .wait_text(".page-head h1", |t| t.contains("Mars Rover Arm"))
        .await;
    browser
        .wait_text("#project-members", |t| t.contains("webpj_admin"))
        .await;
    browser.click("#add-member").await;
    browser.select(".modal select[name=user]", &alice).await;
    browser.select(".modal select[name=role]", "editor").await;
    browser.click(".modal button[type=submit]").await;
    browser
        .wait_text("#project-members", |t| t.contains("alice"))
        .await;
    browser.click("#new-project-task").await;
    browser
        .type_into(".modal input[name=title]", "Calibrate the wrist")
        .await;
    browser.click(".modal button[type=submit]").await;
    // The task page names the project.
    browser
        .wait_text(".page", |t| {
            t.contains("Calibrate the wrist") && t.contains("ROVER")
        })
        .await;
    let projects = app
        .get("/api/v1/projects/", &org.admin)
        .await
        .expect(200)
        .body;
    let pid = projects["results"][0]["id"].as_str().unwrap().to_string();
    let tasks = app
        .get(&format!("/api/v1/tasks/?project={pid}"), &org.admin)
        .await
        .expect(200)
        .body;
    assert_eq!(tasks["count"], 1, "{tasks}");
    assert_eq!(tasks["results"][0]["title"], "Calibrate the wrist");
    let members = app
        .get(&format!("/api/v1/projects/{pid}/members/"), &org.admin)
        .await
        .expect(200)
        .body;
    assert_eq!(members["count"], 2, "{members}");
    browser.go_hash(&format!("#/projects/{pid}")).await;
    browser
        .wait_text("#project-stats", |t| t.contains("1 open"))
        .await;
    browser.screenshots("project").await;
    // Someone outside the private project sees neither it nor its task.
    assert_eq!(
        app.get("/api/v1/projects/", &carol_t).await.body["count"],
        0
    );
    browser.fresh_session().await;
    browser.login(&app.url(""), "carol", PASSWORD).await;
    browser.go_hash("#/projects").await;
    browser
        .wait_text("#main", |t| t.contains("not in any project"))
        .await;
    browser.go_hash("#/tasks").await;
    browser
        .wait_text("#task-count", |t| t.contains("0 tasks"))
        .await;
    browser.close().await;
}
