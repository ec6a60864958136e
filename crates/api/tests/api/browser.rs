//! The dashboard in a real (headless) browser against a real server on a fresh database.

use serde_json::json;

use switchyard_app::demo;

use crate::{browser_driver::Browser, helpers::TestApp};

const PASSWORD: &str = "correct-horse-42";

/// The whole working day of an admin through the dashboard: create a user and a task,
/// assign it, move it twice with reasons, comment, and read the result on the detail page.
#[tokio::test]
async fn admin_runs_a_task_through_the_dashboard() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn().await;
    let org = app.setup_org("webflow").await;
    let base = app.url("");
    browser.login(&base, "webflow_admin", PASSWORD).await;

    // A user, through the Users page.
    browser.go_hash("#/users").await;
    browser.click("#new-user").await;
    browser
        .type_into(".modal input[name=username]", "dev_carol")
        .await;
    browser
        .type_into(".modal input[name=password]", PASSWORD)
        .await;
    browser
        .type_into(".modal input[name=email]", "carol@example.com")
        .await;
    browser.select(".modal select[name=role]", "engineer").await;
    browser
        .type_into(".modal input[name=skills]", "python, sql")
        .await;
    browser.click(".modal button[type=submit]").await;
    browser.wait("tr[data-user=dev_carol]").await;
    let users = app.get("/api/v1/users/", &org.admin).await.expect(200).body;
    let carol = users["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == "dev_carol")
        .expect("dev_carol was created")
        .clone();
    assert_eq!(carol["role"], "engineer");
    assert_eq!(carol["skills"], json!(["python", "sql"]));

    // A task, through the Tasks page; creating it opens its detail page.
    browser.go_hash("#/tasks").await;
    browser.click("#new-task").await;
    browser
        .type_into(".modal input[name=title]", "Fix the export timeout")
        .await;
    browser
        .type_into(
            ".modal textarea[name=description]",
            "Nightly export dies after 30 s.",
        )
        .await;
    browser.select(".modal select[name=priority]", "high").await;
    browser.select(".modal select[name=task_type]", "bug").await;
    browser.click(".modal button[type=submit]").await;
    let key = browser
        .wait_text("#task-key", |t| t.starts_with("WEBF-"))
        .await;
    assert_eq!(key, "WEBF-0001");
    browser.wait_text("#task-state", |t| t == "open").await;
    let tasks = app.get("/api/v1/tasks/", &org.admin).await.expect(200).body;
    let task_id = tasks["results"][0]["id"].as_str().unwrap().to_string();
    assert_eq!(tasks["results"][0]["priority"], "high");

    // Assign it; the dropdown shows each person's workload.
    let option = browser
        .wait_text(
            &format!(
                "#assign-user option[value='{}']",
                carol["id"].as_str().unwrap()
            ),
            |t| !t.is_empty(),
        )
        .await;
    assert_eq!(option, "dev_carol — 0/5 active");
    browser
        .select("#assign-user", carol["id"].as_str().unwrap())
        .await;
    browser
        .type_into("#assign-reason", "Carol knows the exporter")
        .await;
    browser.click("#assign-button").await;
    browser
        .wait_text("#task-assignee", |t| t == "dev_carol")
        .await;

    // Two transitions, each confirmed with a reason.
    for (to, reason) in [
        ("in_progress", "Starting on the exporter"),
        ("review", "Fix ready: batch the writes"),
    ] {
        browser
            .click(&format!("#transitions button[data-to-state={to}]"))
            .await;
        browser.type_into("#confirm-modal textarea", reason).await;
        browser.click("#confirm-modal [data-test=confirm]").await;
        browser.wait_text("#task-state", |t| t == to).await;
    }

    // A comment.
    browser
        .type_into("#comment-text", "Reproduced with 2 GB of data.")
        .await;
    browser.click("#comment-form button[type=submit]").await;
    browser
        .wait_text(".comment .comment-content", |t| {
            t == "Reproduced with 2 GB of data."
        })
        .await;

    // The history on the page shows every step with old → new values and reasons.
    let history = browser
        .wait_text("#task-audit", |t| t.contains("commented"))
        .await;
    for expected in [
        "created",
        "assigned",
        "state: open",
        "state: in_progress",
        "state: review",
        "Starting on the exporter",
        "Fix ready: batch the writes",
        "Carol knows the exporter",
    ] {
        assert!(
            history.contains(expected),
            "history lacks {expected:?}: {history}"
        );
    }
    assert_eq!(
        browser
            .count("#task-audit tr[data-action=state_changed]")
            .await,
        2
    );
    // People by name, not by id.
    assert!(history.contains("person: dev_carol"), "{history}");
    assert!(
        !history.contains(carol["id"].as_str().unwrap()),
        "a raw id in the history: {history}"
    );

    // And the database agrees.
    let task = app
        .get(&format!("/api/v1/tasks/{task_id}/"), &org.admin)
        .await
        .expect(200)
        .body;
    assert_eq!(task["current_state"], "review");
    assert_eq!(task["assigned_to"], carol["id"]);
    assert_eq!(
        task["comments"][0]["content"],
        "Reproduced with 2 GB of data."
    );
    let audit = app.audit_of(&org.admin, &task_id).await;
    let actions: Vec<&str> = audit
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "commented",
            "state_changed",
            "state_changed",
            "assigned",
            "created"
        ]
    );
    assert_eq!(audit[1]["reason"], "Fix ready: batch the writes");

    browser.screenshots("task-detail").await;
    browser
        .go_hash(&format!("#/workflows/{}", org.workflow_id))
        .await;
    browser.wait("#workflow-diagram").await;
    assert_eq!(browser.count("#workflow-diagram g.state").await, 6);
    assert_eq!(browser.count("#rules tr[data-rule]").await, 11);
    browser.screenshots("workflow").await;
    browser.close().await;
}

/// A worker is not offered moves the API would refuse for an unassigned task (but "Assign
/// to me"); a move that became stale while the page was open shows the API's message in a
/// modal that has to be acknowledged, and nothing changes.
#[tokio::test]
async fn forbidden_transition_shows_the_api_message() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn().await;
    let org = app.setup_org("webdeny").await;
    let (dan, worker) = app.add_user(&org.admin, "dev_dan", "engineer").await;
    let task = app.create_task(&worker, "Unassigned work", json!({})).await;
    let id = task["id"].as_str().unwrap();
    browser.login(&app.url(""), "dev_dan", PASSWORD).await;
    browser.go_hash(&format!("#/tasks/{id}")).await;
    browser.wait_text("#task-state", |t| t == "open").await;
    // Manager-only and admin-only controls are not offered to a worker, nor a move that
    // needs an assignee; taking the task is.
    assert_eq!(browser.count("#assign").await, 0);
    assert_eq!(browser.count("#delete-task").await, 0);
    assert_eq!(
        browser
            .count("#transitions button[data-to-state=in_progress]")
            .await,
        0
    );
    assert_eq!(browser.count("#claim-task").await, 1);

    // Assigned (by a manager, elsewhere) the move is offered; a manager then makes it first.
    app.post(
        &format!("/api/v1/tasks/{id}/assign/"),
        &org.admin,
        json!({"user_id": dan}),
    )
    .await
    .expect(200);
    browser.go_hash("#/tasks").await;
    browser.go_hash(&format!("#/tasks/{id}")).await;
    browser
        .wait("#transitions button[data-to-state=in_progress]")
        .await;
    app.post(
        &format!("/api/v1/tasks/{id}/transition/"),
        &org.admin,
        json!({"to_state": "in_progress"}),
    )
    .await
    .expect(200);
    browser
        .click("#transitions button[data-to-state=in_progress]")
        .await;
    browser.click("#confirm-modal [data-test=confirm]").await;
    let message = browser
        .wait_text("#error-modal #error-message", |t| !t.is_empty())
        .await;
    assert_eq!(message, "Task is already in 'in_progress' state.");
    // Titled by what failed, not "Something went wrong".
    let title = browser
        .wait_text("#error-modal h2", |t| !t.is_empty())
        .await;
    assert_eq!(title, "Could not move the task");
    browser.click("#error-modal [data-test=error-ok]").await;
    assert_eq!(browser.count("#error-modal").await, 0);
    let audit = app.audit_of(&org.admin, id).await;
    assert_eq!(
        audit
            .iter()
            .filter(|e| e["action"] == "state_changed")
            .count(),
        1,
        "only the manager's move"
    );

    // A read-only role sees no buttons that write.
    let (_, _) = app.add_user(&org.admin, "vic_viewer", "viewer").await;
    browser.click("#logout").await;
    browser.wait("#login-username").await;
    browser.login(&app.url(""), "vic_viewer", PASSWORD).await;
    browser.go_hash("#/tasks").await;
    browser.wait("#task-table tr[data-task]").await;
    assert_eq!(browser.count("#new-task").await, 0);
    browser.go_hash(&format!("#/tasks/{id}")).await;
    browser.wait("#task-fields").await;
    assert_eq!(browser.count("#transitions button").await, 0);
    assert_eq!(browser.count("#comment-form").await, 0);
    browser.close().await;
}

/// Plain-English questions on the AI page, and markup in user text shown as text.
#[tokio::test]
async fn nl_query_and_markup_is_rendered_as_text() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn().await;
    let org = app.setup_org("webai").await;
    let markup = "<img src=x onerror=alert(1)> <script>alert(2)</script> Export";
    let hostile = app
        .create_task(&org.admin, markup, json!({"tags": ["<b>tag</b>"]}))
        .await;
    let hostile_id = hostile["id"].as_str().unwrap();
    let assigned = app
        .create_task(&org.admin, "Assigned work", json!({}))
        .await;
    app.post(
        &format!("/api/v1/tasks/{}/assign/", assigned["id"].as_str().unwrap()),
        &org.admin,
        json!({"user_id": org.admin_id}),
    )
    .await
    .expect(200);
    let comment = "<b onmouseover=alert(3)>bold?</b> & <a href=javascript:alert(4)>link</a>";
    app.post(
        "/api/v1/comments/",
        &org.admin,
        json!({"task": hostile_id, "content": comment}),
    )
    .await
    .expect(201);

    browser.login(&app.url(""), "webai_admin", PASSWORD).await;
    browser.go_hash("#/ai").await;
    browser.type_into("#nlq-input", "unassigned tasks").await;
    browser.click("#nlq-form button[type=submit]").await;
    browser.wait("#nlq-table").await;
    let count = browser.wait_text("#nlq-count", |t| !t.is_empty()).await;
    assert_eq!(count, "1 task");
    let table = browser.wait_text("#nlq-table", |t| !t.is_empty()).await;
    assert!(
        table.contains(hostile["task_key"].as_str().unwrap()),
        "{table}"
    );
    assert!(
        !table.contains(assigned["task_key"].as_str().unwrap()),
        "{table}"
    );
    let filters = browser.wait_text("#nlq-filters", |t| !t.is_empty()).await;
    assert!(filters.contains("unassigned"), "{filters}");
    browser.screenshots("ai-query").await;

    // The task list, the detail page and the comment show the characters, build no
    // elements from them, and run nothing.
    browser.go_hash("#/tasks").await;
    let listed = browser
        .wait_text(
            &format!(
                "tr[data-task='{}'] .task-title",
                hostile["task_key"].as_str().unwrap()
            ),
            |t| !t.is_empty(),
        )
        .await;
    assert_eq!(listed, markup);
    browser.go_hash(&format!("#/tasks/{hostile_id}")).await;
    let title = browser.wait_text("#task-title", |t| !t.is_empty()).await;
    assert_eq!(title, markup);
    let shown = browser
        .wait_text(".comment .comment-content", |t| !t.is_empty())
        .await;
    assert_eq!(shown, comment);
    let injected = browser
        .js("return document.querySelectorAll('#main img, #main script, #main b, .comment a').length;")
        .await;
    assert_eq!(injected, json!(0), "markup from data became elements");
    assert!(
        browser.client.get_alert_text().await.is_err(),
        "an alert is open: script ran"
    );
    browser.screenshots("markup-literal").await;
    browser.close().await;
}

/// Every page renders for an admin, a worker and a read-only role of the demo organization,
/// with no error modal and no script error; the admin's interactive panels load too.
#[tokio::test]
async fn every_page_renders_for_every_kind_of_role() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn().await;
    assert!(app.seed_demo().await);
    let admin = app.login("admin_user", demo::DEMO_PASSWORD).await;
    let tasks = app
        .get("/api/v1/tasks/?page_size=1", &admin)
        .await
        .expect(200)
        .body;
    let task_id = tasks["results"][0]["id"].as_str().unwrap().to_string();
    let workflows = app.get("/api/v1/workflows/", &admin).await.expect(200).body;
    let workflow_id = workflows["results"][0]["id"].as_str().unwrap().to_string();
    // The project every demo role may read (open to the organization).
    let portal = app
        .get("/api/v1/projects/?search=portal", &admin)
        .await
        .expect(200)
        .body["results"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let pages = [
        "#/".to_string(),
        "#/tasks".into(),
        "#/tasks?current_state=open&priority=high&ordering=due_date".into(),
        "#/tasks?search=login&sla_breached=true".into(),
        format!("#/tasks/{task_id}"),
        "#/tasks/key/SUNS-0001".into(),
        "#/board".into(),
        "#/notifications".into(),
        "#/notifications?unread=true".into(),
        format!("#/board?workflow={workflow_id}&project={portal}&priority=high"),
        "#/projects".into(),
        format!("#/projects/{portal}"),
        "#/users".into(),
        "#/invitations".into(),
        "#/teams".into(),
        "#/departments".into(),
        "#/workflows".into(),
        format!("#/workflows/{workflow_id}"),
        "#/transitions".into(),
        "#/ai".into(),
        "#/audit".into(),
        "#/audit?action=state_changed&page=2".into(),
        "#/comments".into(),
        "#/organization".into(),
        "#/profile".into(),
    ];
    browser.goto(&format!("{}/#/login", app.url(""))).await;
    browser.wait("#login-username").await;
    browser.screenshots("page-login").await;
    for user in ["admin_user", "dev_alice", "viewer_user"] {
        browser.login(&app.url(""), user, demo::DEMO_PASSWORD).await;
        browser
            .js("window.__errors = []; \
                 addEventListener('error', e => __errors.push(String(e.message))); \
                 addEventListener('unhandledrejection', e => __errors.push(String(e.reason))); \
                 return null;")
            .await;
        for page in &pages {
            browser.go_hash(page).await;
            browser.wait(".page[data-ready], .page[data-failed]").await;
            assert_eq!(
                browser.count(".page[data-failed]").await,
                0,
                "{user} {page}"
            );
            assert_eq!(browser.count("#error-modal").await, 0, "{user} {page}");
            // Pages a role may not see say so (and only those).
            let forbidden = browser.count(".page[data-forbidden]").await == 1;
            assert_eq!(
                forbidden,
                user != "admin_user" && page == "#/invitations",
                "{user} {page}"
            );
            // Every page at both sizes, as the admin sees it, for review.
            if user == "admin_user" {
                browser.screenshots(&shot_name(page)).await;
            }
        }
        if user == "admin_user" {
            browser.go_hash("#/").await;
            browser.wait("#chart-state svg").await;
            browser.screenshots("dashboard").await;
            browser.click("#sla-details").await;
            let sla = browser
                .wait_text("#sla-list", |t| t.contains("At risk"))
                .await;
            assert!(sla.contains("h overdue"), "{sla}");
            browser.go_hash("#/ai").await;
            browser.click("#score-task + button").await;
            browser.wait("#score-out .score-big").await;
            browser.click("#route-task + button").await;
            browser.wait("#route-out table").await;
            browser.screenshots("ai-routing").await;
            browser.go_hash("#/tasks").await;
            browser.wait("#task-table tr[data-task]").await;
            browser.screenshots("tasks").await;
            phone_menu_opens_and_closes(&browser).await;
        }
        let errors = browser.js("return window.__errors;").await;
        assert_eq!(errors, json!([]), "script errors for {user}");
        browser.click("#logout").await;
        browser.wait("#login-username").await;
    }
    browser.close().await;
}

/// At phone width the sidebar is off screen until the menu button opens it, and choosing a
/// page closes it again.
async fn phone_menu_opens_and_closes(browser: &Browser) {
    browser
        .client
        .set_window_size(375, 812)
        .await
        .expect("resize");
    let sidebar_right = "return document.getElementById('sidebar').getBoundingClientRect().right;";
    let settle = || tokio::time::sleep(std::time::Duration::from_millis(400));
    settle().await;
    assert!(
        browser.js(sidebar_right).await.as_f64().unwrap() <= 0.0,
        "menu starts closed"
    );
    // Who is signed in shows on a phone too.
    let whoami = browser
        .js("const w = document.getElementById('whoami'); return w.offsetWidth > 0 && w.textContent.length > 0;")
        .await;
    assert_eq!(
        whoami,
        serde_json::json!(true),
        "the signed-in person is visible"
    );
    browser.click("#menu-toggle").await;
    settle().await;
    assert!(
        browser.js(sidebar_right).await.as_f64().unwrap() > 100.0,
        "menu opened"
    );
    // The page behind is dimmed; a tap on it closes the menu.
    assert_eq!(
        browser.count("#menu-backdrop").await,
        1,
        "the page is dimmed"
    );
    browser
        .js("document.getElementById('menu-backdrop').click(); return true;")
        .await;
    settle().await;
    assert!(
        browser.js(sidebar_right).await.as_f64().unwrap() <= 0.0,
        "a tap beside the menu closes it"
    );
    assert_eq!(browser.count("#menu-backdrop").await, 0);
    browser.click("#menu-toggle").await;
    settle().await;
    browser.click("#sidebar a[data-nav=users]").await;
    browser.wait("#user-table").await;
    settle().await;
    assert!(
        browser.js(sidebar_right).await.as_f64().unwrap() <= 0.0,
        "menu closed again"
    );
    // The people table becomes cards: no header row, nothing to scroll sideways.
    let cards = browser
        .js("const w = document.querySelector('#user-table').closest('.table-wrap'); \
             return getComputedStyle(document.querySelector('#user-table thead')).display === 'none' \
               && w.scrollWidth <= w.clientWidth;")
        .await;
    assert_eq!(
        cards,
        serde_json::json!(true),
        "the people table is a list of cards on a phone"
    );
    let page_overflow = browser
        .js("return document.documentElement.scrollWidth > window.innerWidth;")
        .await;
    assert_eq!(
        page_overflow,
        serde_json::json!(false),
        "the page itself never scrolls sideways"
    );
    browser
        .client
        .set_window_size(1366, 768)
        .await
        .expect("resize");
}

/// Teams, transition rules and organization settings through their dialogs; a change the
/// API refuses (a priority still in use) shows its 409 message and changes nothing.
#[tokio::test]
async fn admin_configures_teams_rules_and_the_organization() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn().await;
    let org = app.setup_org("webconf").await;
    app.add_user(&org.admin, "eve", "engineer").await;
    app.create_task(&org.admin, "Uses low", json!({"priority": "low"}))
        .await;
    browser.login(&app.url(""), "webconf_admin", PASSWORD).await;

    // A team with a lead and a member.
    browser.go_hash("#/teams").await;
    browser.wait(".page[data-ready]").await;
    browser.click(".page-head button.primary").await;
    browser
        .type_into(".modal input[name=name]", "Platform")
        .await;
    let users = app.get("/api/v1/users/", &org.admin).await.expect(200).body;
    let eve = users["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == "eve")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    browser
        .select(".modal select[name=lead]", &org.admin_id)
        .await;
    browser
        .click(&format!(".modal .checks input[value='{eve}']"))
        .await;
    browser.click(".modal button[type=submit]").await;
    let card = browser
        .wait_text("section[data-team=Platform]", |t| t.contains("eve"))
        .await;
    assert!(card.contains("Lead: webconf_admin"), "{card}");
    let teams = app.get("/api/v1/teams/", &org.admin).await.expect(200).body;
    assert_eq!(teams["results"][0]["members"], json!([eve]));

    // A transition rule, then its deletion.
    browser.go_hash("#/transitions").await;
    browser.wait("#rules").await;
    browser.click("#new-rule").await;
    browser
        .select(".modal select[name=from_state]", "testing")
        .await;
    browser.select(".modal select[name=to_state]", "open").await;
    browser.click(".modal .checks input[value=manager]").await;
    browser.click(".modal button[type=submit]").await;
    browser.wait("tr[data-rule='testing->open']").await;
    let rules = app
        .get(
            &format!("/api/v1/transitions/?workflow={}", org.workflow_id),
            &org.admin,
        )
        .await
        .expect(200)
        .body;
    assert_eq!(rules["count"], 12);
    browser
        .click("tr[data-rule='testing->open'] button.danger")
        .await;
    browser.click("#confirm-modal [data-test=confirm]").await;
    browser
        .wait_text("#rules h2", |t| t == "Transition rules (11)")
        .await;

    // Organization settings: a refused change shows the API's message, a valid one saves.
    browser.go_hash("#/organization").await;
    browser.click("#edit-org").await;
    browser
        .type_into(
            ".modal input[name=allowed_priorities]",
            "critical, high, medium",
        )
        .await;
    browser.click(".modal button[type=submit]").await;
    let message = browser
        .wait_text("#error-modal #error-message", |t| !t.is_empty())
        .await;
    assert!(message.contains("low"), "{message}");
    browser.click("#error-modal [data-test=error-ok]").await;
    browser
        .type_into(
            ".modal input[name=allowed_priorities]",
            "critical, high, medium, low, trivial",
        )
        .await;
    browser
        .type_into(".modal input[name=name]", "Webconf Corp")
        .await;
    browser.click(".modal button[type=submit]").await;
    browser
        .wait_text("#org-name", |t| t == "Webconf Corp")
        .await;
    let saved = app
        .get(&format!("/api/v1/organizations/{}/", org.id), &org.admin)
        .await
        .expect(200)
        .body;
    assert_eq!(
        saved["allowed_priorities"],
        json!(["critical", "high", "medium", "low", "trivial"])
    );
    browser.close().await;
}

/// A screenshot's name for a page address: `#/tasks?search=x` → `page-tasks-search-x`,
/// ids shortened to `id`.
fn shot_name(page: &str) -> String {
    let path = page.trim_start_matches("#/");
    let words: Vec<String> = path
        .split(|c: char| !c.is_ascii_alphanumeric() && c != '-')
        .filter(|w| !w.is_empty())
        .map(|w| {
            if w.len() == 36 {
                "id".to_string()
            } else {
                w.to_string()
            }
        })
        .collect();
    format!(
        "page-{}",
        if words.is_empty() {
            "dashboard".to_string()
        } else {
            words.join("-")
        }
    )
}
