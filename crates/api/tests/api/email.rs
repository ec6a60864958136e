//! Email through a real SMTP conversation with a local sink: assignment and comment notices
//! reach the assignee once, 4xx replies retry, 5xx replies go dead with the reply kept, and a
//! retried dead job sends once the server accepts.

use std::sync::Arc;

use chrono::{TimeZone, Utc};
use serde_json::json;
use switchyard_app::{
    jobs::{Handlers, Worker},
    mail,
};
use switchyard_store::{
    Page,
    jobs::{self, JobFilter, JobRow},
};

use crate::helpers::{ManualClock, SmtpSink, TestApp};

struct Setup {
    app: TestApp,
    clock: Arc<ManualClock>,
    sink: SmtpSink,
    worker: Worker,
}

async fn setup() -> Setup {
    let sink = SmtpSink::start().await;
    let clock = ManualClock::new(Utc.with_ymd_and_hms(2026, 11, 30, 9, 0, 0).unwrap());
    let url = sink.url();
    let app = TestApp::builder()
        .clock(clock.clone())
        .config(move |c| {
            c.app.smtp_url = Some(url);
            c.app.mail_from = "Switchyard <noreply@switchyard.test>".into();
            c.app.public_url = "https://work.example.com/".into();
        })
        .spawn()
        .await;
    let worker = Worker::new(app.app.clone(), mail::handlers(Handlers::default()));
    Setup {
        app,
        clock,
        sink,
        worker,
    }
}

async fn email_jobs(app: &TestApp) -> Vec<JobRow> {
    let filter = JobFilter {
        kind: Some("email".into()),
        ..Default::default()
    };
    let page = Page {
        number: 1,
        size: 100,
    };
    jobs::list(app.db.conn(), &filter, page).await.unwrap().0
}

/// Assigns `task` to `user` through the API as `token`'s caller.
async fn assign(app: &TestApp, token: &str, task: &serde_json::Value, user: &str) {
    app.post(
        &format!("/api/v1/tasks/{}/assign/", task["id"].as_str().unwrap()),
        token,
        json!({ "user_id": user }),
    )
    .await
    .expect(200);
}

/// The message with quoted-printable soft line breaks and `=3D` undone (enough to read it).
fn unfolded(data: &str) -> String {
    data.replace("=\r\n", "")
        .replace("=\n", "")
        .replace("=3D", "=")
}

/// An organization, a worker with an email address, and a task.
async fn org_with_task(app: &TestApp, slug: &str) -> (String, String, String, serde_json::Value) {
    let org = app.setup_org(slug).await;
    let (dev, dev_token) = app
        .add_user_with(
            &org.admin,
            json!({"username": "dana", "role": "engineer", "email": "dana@example.com"}),
        )
        .await;
    let task = app
        .create_task(&org.admin, "Fix the <login> page", json!({}))
        .await;
    (org.admin, dev, dev_token, task)
}

#[tokio::test]
async fn an_assignment_and_a_comment_each_email_the_assignee_once_as_they_chose() {
    let s = setup().await;
    let (admin, dev, dev_token, task) = org_with_task(&s.app, "mail").await;
    let id = task["id"].as_str().unwrap();
    let key = task["task_key"].as_str().unwrap();
    assign(&s.app, &admin, &task, &dev).await;
    // Comments are not emailed by default: a comment now sends nothing …
    s.app
        .post(
            "/api/v1/comments/",
            &admin,
            json!({"task": id, "content": "Not emailed"}),
        )
        .await
        .expect(201);
    // … until the assignee asks for comment emails.
    let prefs = s
        .app
        .put(
            "/api/v1/notifications/preferences/",
            &dev_token,
            json!({"preferences": [{"kind": "comment", "in_app": true, "email": true}]}),
        )
        .await
        .expect(200)
        .body;
    assert!(
        prefs["preferences"]
            .as_array()
            .unwrap()
            .contains(&json!({"kind": "comment", "in_app": true, "email": true}))
    );
    s.app
        .post(
            "/api/v1/comments/",
            &admin,
            json!({"task": id, "content": "Logs attached <b>here</b>"}),
        )
        .await
        .expect(201);
    // The assignee's own comment notifies nobody.
    s.app
        .post(
            "/api/v1/comments/",
            &dev_token,
            json!({"task": id, "content": "On it"}),
        )
        .await
        .expect(201);
    while s.worker.run_once().await.unwrap() > 0 {}

    let got = s.sink.received();
    assert_eq!(got.len(), 2, "{got:#?}");
    for m in &got {
        assert_eq!(m.to, vec!["<dana@example.com>".to_string()]);
        let body = unfolded(&m.data);
        assert!(body.contains(&format!("https://work.example.com/tasks/{key}")));
        assert!(body.contains("Message-ID: <"), "{body}");
        assert!(body.contains("text/html") && body.contains("text/plain"));
    }
    // The worker may send them in either order.
    let with = |s: &str| {
        got.iter()
            .map(|m| unfolded(&m.data))
            .find(|d| d.contains(s))
            .unwrap_or_else(|| panic!("no message with {s}"))
    };
    let assigned = with(&format!(
        "Subject: [{key}] Assigned to you: Fix the <login> page"
    ));
    assert!(
        assigned.contains("Fix the &lt;login&gt; page"),
        "the HTML part escapes"
    );
    let commented = with(&format!("Subject: [{key}] New comment on"));
    assert!(commented.contains("Logs attached &lt;b&gt;here&lt;/b&gt;"));
    assert!(
        email_jobs(&s.app)
            .await
            .iter()
            .all(|j| j.state == "succeeded")
    );
}

#[tokio::test]
async fn a_mention_emails_each_person_named_who_wants_it() {
    let s = setup().await;
    let (admin, _, dana_t, task) = org_with_task(&s.app, "ment").await;
    let (_, ed_t) = s
        .app
        .add_user_with(
            &admin,
            json!({"username": "ed", "role": "engineer", "email": "ed@example.com"}),
        )
        .await;
    // Ed wants mentions in the app only.
    s.app
        .put(
            "/api/v1/notifications/preferences/",
            &ed_t,
            json!({"preferences": [{"kind": "mention", "in_app": true, "email": false}]}),
        )
        .await
        .expect(200);
    s.app
        .post(
            "/api/v1/comments/",
            &admin,
            json!({"task": task["id"], "content": "@dana @ed please check the <b>logs</b>"}),
        )
        .await
        .expect(201);
    while s.worker.run_once().await.unwrap() > 0 {}
    let got = s.sink.received();
    assert_eq!(got.len(), 1, "{got:#?}");
    assert_eq!(got[0].to, vec!["<dana@example.com>".to_string()]);
    let body = unfolded(&got[0].data);
    assert!(body.contains("ment_admin mentioned you"), "{body}");
    assert!(body.contains("&lt;b&gt;logs&lt;/b&gt;"));
    // Both see it in the app.
    for token in [&dana_t, &ed_t] {
        let list = s
            .app
            .get("/api/v1/notifications/", token)
            .await
            .expect(200)
            .body;
        assert_eq!(list["results"][0]["kind"], "mention");
    }
}

#[tokio::test]
async fn assigning_yourself_sends_nothing() {
    let s = setup().await;
    let (admin, _, _, task) = org_with_task(&s.app, "self").await;
    let admin_id = s.app.member_of(&admin).await.user_id.to_string();
    assign(&s.app, &admin, &task, &admin_id).await;
    assert!(email_jobs(&s.app).await.is_empty());
}

#[tokio::test]
async fn a_421_reply_retries_and_the_message_is_delivered_once() {
    let s = setup().await;
    let (admin, dev, _, task) = org_with_task(&s.app, "busy").await;
    s.sink.refuse_next(421, 2);
    assign(&s.app, &admin, &task, &dev).await;
    for _ in 0..3 {
        s.worker.run_once().await.unwrap();
        s.clock.advance(chrono::Duration::minutes(1));
    }
    let job = email_jobs(&s.app).await.remove(0);
    assert_eq!((job.state.as_str(), job.attempts), ("succeeded", 3));
    assert_eq!(s.sink.received().len(), 1);
}

#[tokio::test]
async fn a_550_reply_goes_dead_with_the_reply_and_a_retry_sends_it() {
    let s = setup().await;
    let (admin, dev, _, task) = org_with_task(&s.app, "gone").await;
    s.sink.refuse_next(550, 1);
    assign(&s.app, &admin, &task, &dev).await;
    s.worker.run_once().await.unwrap();
    let job = email_jobs(&s.app).await.remove(0);
    assert_eq!((job.state.as_str(), job.attempts), ("dead", 1));
    assert!(
        job.last_error.as_deref().unwrap().contains("550"),
        "{:?}",
        job.last_error
    );
    assert!(s.sink.received().is_empty());
    switchyard_app::jobs::retry_dead(&s.app.app, Some(job.id))
        .await
        .unwrap();
    s.worker.run_once().await.unwrap();
    assert_eq!(s.sink.received().len(), 1);
    assert_eq!(email_jobs(&s.app).await[0].state, "succeeded");
}
