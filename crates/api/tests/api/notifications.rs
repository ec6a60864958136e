//! In-app notifications: for each kind of event the right people get exactly one, the
//! person who caused it none, another organization's people never; each person reads and
//! marks only their own.

use serde_json::{Value, json};

use crate::helpers::TestApp;

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_string()
}

/// `(kind, task_key, message)` of a person's notifications, newest first.
async fn inbox(app: &TestApp, token: &str) -> Vec<(String, String, String)> {
    let list = app
        .get("/api/v1/notifications/?page_size=100", token)
        .await
        .expect(200)
        .body;
    list["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            (
                n["kind"].as_str().unwrap().to_string(),
                n["task_key"].as_str().unwrap().to_string(),
                n["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

async fn kinds(app: &TestApp, token: &str) -> Vec<String> {
    inbox(app, token).await.into_iter().map(|n| n.0).collect()
}

/// `token`'s caller assigns `task` to `user`.
async fn assign(app: &TestApp, token: &str, task: &str, user: &str) {
    app.post(
        &format!("/api/v1/tasks/{task}/assign/"),
        token,
        json!({"user_id": user}),
    )
    .await
    .expect(200);
}

/// `token`'s caller adds `user` as a collaborator on `task`.
async fn collaborate(app: &TestApp, token: &str, task: &str, user: &str) {
    app.post(
        &format!("/api/v1/tasks/{task}/collaborators/"),
        token,
        json!({"user": user}),
    )
    .await
    .expect(201);
}

async fn unread(app: &TestApp, token: &str) -> i64 {
    app.get("/api/v1/notifications/unread-count/", token)
        .await
        .expect(200)
        .body["unread"]
        .as_i64()
        .unwrap()
}

#[tokio::test]
async fn assignment_tells_the_new_and_the_previous_assignee_and_nobody_else() {
    let app = TestApp::spawn().await;
    let org = app.setup_org("nova").await;
    let other = app.setup_org("orbit").await;
    let (_, mgr) = app.add_user(&org.admin, "mgr", "manager").await;
    let (alice, alice_t) = app.add_user(&org.admin, "alice", "engineer").await;
    let (bob, bob_t) = app.add_user(&org.admin, "bob", "engineer").await;
    let task = app.create_task(&mgr, "Tune the servo", json!({})).await;
    let (tid, key) = (id(&task), task["task_key"].as_str().unwrap().to_string());
    let assign = |user: String| {
        let (app, mgr, tid) = (&app, mgr.clone(), tid.clone());
        async move {
            app.post(
                &format!("/api/v1/tasks/{tid}/assign/"),
                &mgr,
                json!({"user_id": user}),
            )
            .await
            .expect(200);
        }
    };
    assign(alice.clone()).await;
    assert_eq!(
        inbox(&app, &alice_t).await,
        [(
            "assigned".to_string(),
            key.clone(),
            format!("mgr assigned {key} to you.")
        )]
    );
    assign(bob.clone()).await;
    assert_eq!(kinds(&app, &alice_t).await, ["unassigned", "assigned"]);
    assert_eq!(kinds(&app, &bob_t).await, ["assigned"]);
    // The manager caused all of it; the other organization hears nothing.
    assert!(kinds(&app, &mgr).await.is_empty());
    assert!(kinds(&app, &other.admin).await.is_empty());
    // Taking a task yourself tells nobody.
    let own = app.create_task(&mgr, "Self-serve", json!({})).await;
    app.post(
        &format!("/api/v1/tasks/{}/claim/", id(&own)),
        &bob_t,
        json!({}),
    )
    .await
    .expect(200);
    assert_eq!(kinds(&app, &bob_t).await, ["assigned"]);
}

#[tokio::test]
async fn a_comment_reaches_the_people_of_the_task_once_and_mentions_win() {
    let app = TestApp::spawn().await;
    let org = app.setup_org("nova").await;
    let other = app.setup_org("orbit").await;
    let (_, alice_t) = app.add_user(&org.admin, "alice", "engineer").await;
    let (bob, bob_t) = app.add_user(&org.admin, "bob", "engineer").await;
    let (carol, carol_t) = app.add_user(&org.admin, "carol", "engineer").await;
    let (_, dave_t) = app.add_user(&org.admin, "dave", "engineer").await;
    let (_, erin_t) = app.add_user(&org.admin, "erin", "engineer").await;
    app.add_user(&other.admin, "frank", "engineer").await;
    let task = app.create_task(&alice_t, "Calibrate", json!({})).await;
    let tid = id(&task);
    assign(&app, &org.admin, &tid, &bob).await;
    collaborate(&app, &alice_t, &tid, &carol).await;
    app.post(
        "/api/v1/comments/",
        &dave_t,
        json!({"task": tid, "content": "@carol @erin @frank @nobody have a look. @dave too"}),
    )
    .await
    .expect(201);
    // Creator and assignee: a comment; the collaborator was mentioned: one mention only.
    assert_eq!(kinds(&app, &alice_t).await, ["comment"]);
    assert_eq!(kinds(&app, &bob_t).await, ["comment", "assigned"]);
    assert_eq!(
        kinds(&app, &carol_t).await,
        ["mention", "collaborator_added"]
    );
    // Mentioned without other ties; the author and another organization's frank: nothing.
    assert_eq!(kinds(&app, &erin_t).await, ["mention"]);
    assert!(kinds(&app, &dave_t).await.is_empty());
    let frank = app.login("frank", "correct-horse-42").await;
    assert!(kinds(&app, &frank).await.is_empty());
    // A mention added to the description tells the newly named only.
    app.patch(
        &format!("/api/v1/tasks/{tid}/"),
        &alice_t,
        json!({"description": "Ask @dave and @erin"}),
    )
    .await
    .expect(200);
    assert_eq!(kinds(&app, &dave_t).await, ["mention"]);
    assert_eq!(kinds(&app, &erin_t).await, ["mention", "mention"]);
}

#[tokio::test]
async fn a_transition_tells_assignee_creator_and_collaborators_but_not_the_mover() {
    let app = TestApp::spawn().await;
    let org = app.setup_org("nova").await;
    let (_, alice_t) = app.add_user(&org.admin, "alice", "engineer").await;
    let (bob, bob_t) = app.add_user(&org.admin, "bob", "engineer").await;
    let (carol, carol_t) = app.add_user(&org.admin, "carol", "engineer").await;
    let (_, dave_t) = app.add_user(&org.admin, "dave", "engineer").await;
    let task = app.create_task(&alice_t, "Move me", json!({})).await;
    let (tid, key) = (id(&task), task["task_key"].as_str().unwrap().to_string());
    assign(&app, &org.admin, &tid, &bob).await;
    collaborate(&app, &alice_t, &tid, &carol).await;
    app.post(
        &format!("/api/v1/tasks/{tid}/transition/"),
        &bob_t,
        json!({"to_state": "in_progress"}),
    )
    .await
    .expect(200);
    let moved = (
        "transitioned".to_string(),
        key.clone(),
        format!("bob moved {key} from open to in_progress."),
    );
    assert_eq!(inbox(&app, &alice_t).await, vec![moved.clone()]);
    assert_eq!(inbox(&app, &carol_t).await[0], moved);
    assert_eq!(kinds(&app, &bob_t).await, ["assigned"]);
    assert!(kinds(&app, &dave_t).await.is_empty());
}

#[tokio::test]
async fn people_outside_a_private_project_hear_nothing_of_its_tasks() {
    let app = TestApp::spawn().await;
    let org = app.setup_org("nova").await;
    let (mia, mia_t) = app.add_user(&org.admin, "mia", "engineer").await;
    let (_, out_t) = app.add_user(&org.admin, "outsider", "engineer").await;
    let (_, mgr_t) = app.add_user(&org.admin, "boss", "manager").await;
    let project = app
        .post(
            "/api/v1/projects/",
            &org.admin,
            json!({"key": "SEC", "name": "Security"}),
        )
        .await
        .expect(201)
        .body;
    let pid = id(&project);
    app.post(
        &format!("/api/v1/projects/{pid}/members/"),
        &org.admin,
        json!({"user": mia, "role": "editor"}),
    )
    .await
    .expect(201);
    assert_eq!(kinds(&app, &mia_t).await, ["project_member_added"]);
    let task = app
        .create_task(&mia_t, "Rotate keys", json!({"project": pid}))
        .await;
    app.post(
        "/api/v1/comments/",
        &mia_t,
        json!({"task": id(&task), "content": "@outsider @boss FYI"}),
    )
    .await
    .expect(201);
    assert!(kinds(&app, &out_t).await.is_empty());
    // A manager sees every project, so the mention reaches them.
    assert_eq!(kinds(&app, &mgr_t).await, ["mention"]);
}

#[tokio::test]
async fn an_sla_breach_tells_the_assignee_and_the_team_lead() {
    let app = TestApp::spawn().await;
    let org = app.setup_org("nova").await;
    let (lead, lead_t) = app.add_user(&org.admin, "lead", "manager").await;
    let (eve, eve_t) = app.add_user(&org.admin, "eve", "engineer").await;
    let (_, creator_t) = app.add_user(&org.admin, "creator", "engineer").await;
    let team = app
        .post(
            "/api/v1/teams/",
            &org.admin,
            json!({"name": "Ops", "lead": lead, "members": [eve]}),
        )
        .await
        .expect(201)
        .body;
    let due = (chrono::Utc::now() - chrono::Duration::hours(2)).to_rfc3339();
    let task = app
        .create_task(
            &creator_t,
            "Late",
            json!({"due_date": due, "team": id(&team)}),
        )
        .await;
    app.post(
        &format!("/api/v1/tasks/{}/assign/", id(&task)),
        &org.admin,
        json!({"user_id": eve}),
    )
    .await
    .expect(200);
    app.post("/api/v1/dashboard/sla-check/", &org.admin, json!({}))
        .await
        .expect(200);
    assert_eq!(kinds(&app, &eve_t).await, ["sla_breached", "assigned"]);
    assert_eq!(kinds(&app, &lead_t).await, ["sla_breached"]);
    assert!(kinds(&app, &creator_t).await.is_empty());
}

#[tokio::test]
async fn each_person_reads_and_marks_only_their_own() {
    let app = TestApp::spawn().await;
    let org = app.setup_org("nova").await;
    let (alice, alice_t) = app.add_user(&org.admin, "alice", "engineer").await;
    let (_, bob_t) = app.add_user(&org.admin, "bob", "engineer").await;
    for title in ["One", "Two", "Three"] {
        let t = app.create_task(&org.admin, title, json!({})).await;
        assign(&app, &org.admin, &id(&t), &alice).await;
    }
    assert_eq!(unread(&app, &alice_t).await, 3);
    let list = app
        .get("/api/v1/notifications/?unread=true", &alice_t)
        .await
        .expect(200)
        .body;
    assert_eq!(list["count"], 3);
    let first = id(&list["results"][0]);
    // Bob cannot read or mark alice's notification.
    app.post(
        &format!("/api/v1/notifications/{first}/read/"),
        &bob_t,
        json!({}),
    )
    .await
    .expect(404);
    let read = app
        .post(
            &format!("/api/v1/notifications/{first}/read/"),
            &alice_t,
            json!({}),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(read["is_read"], true);
    assert_eq!(unread(&app, &alice_t).await, 2);
    let list = app
        .get("/api/v1/notifications/?unread=true", &alice_t)
        .await
        .expect(200)
        .body;
    assert_eq!(list["count"], 2);
    app.get("/api/v1/notifications/?unread=maybe", &alice_t)
        .await
        .expect(400);
    let all = app
        .post("/api/v1/notifications/read-all/", &alice_t, json!({}))
        .await
        .expect(200)
        .body;
    assert_eq!(all["marked"], 2);
    assert_eq!(unread(&app, &alice_t).await, 0);
    assert_eq!(
        app.get("/api/v1/notifications/", &alice_t)
            .await
            .expect(200)
            .body["count"],
        3
    );
}

#[tokio::test]
async fn preferences_start_from_the_defaults_and_switch_a_kind_off() {
    let app = TestApp::spawn().await;
    let org = app.setup_org("nova").await;
    let (alice, alice_t) = app.add_user(&org.admin, "alice", "engineer").await;
    let (bob, bob_t) = app.add_user(&org.admin, "bob", "engineer").await;
    let prefs = app
        .get("/api/v1/notifications/preferences/", &alice_t)
        .await
        .expect(200)
        .body;
    let list = prefs["preferences"].as_array().unwrap();
    assert_eq!(list.len(), 9);
    assert!(list.contains(&json!({"kind": "assigned", "in_app": true, "email": true})));
    assert!(list.contains(&json!({"kind": "mention", "in_app": true, "email": true})));
    assert!(list.contains(&json!({"kind": "comment", "in_app": true, "email": false})));
    // An unknown kind changes nothing.
    let bad = app
        .put(
            "/api/v1/notifications/preferences/",
            &alice_t,
            json!({"preferences": [
                {"kind": "assigned", "in_app": false, "email": false},
                {"kind": "gossip", "in_app": false, "email": false}
            ]}),
        )
        .await
        .expect(400);
    assert!(
        bad.body["errors"]["preferences"][0]
            .as_str()
            .unwrap()
            .contains("'gossip'")
    );
    let off = app
        .put(
            "/api/v1/notifications/preferences/",
            &alice_t,
            json!({"preferences": [{"kind": "assigned", "in_app": false, "email": false}]}),
        )
        .await
        .expect(200)
        .body;
    assert!(
        off["preferences"]
            .as_array()
            .unwrap()
            .contains(&json!({"kind": "assigned", "in_app": false, "email": false}))
    );
    // Each person's own: bob still hears of his assignment, alice no longer of hers.
    for user in [&alice, &bob] {
        let t = app.create_task(&org.admin, "Quiet", json!({})).await;
        assign(&app, &org.admin, &id(&t), user).await;
    }
    assert!(kinds(&app, &alice_t).await.is_empty());
    assert_eq!(kinds(&app, &bob_t).await, ["assigned"]);
}
