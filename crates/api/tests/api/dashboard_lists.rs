//! Each dashboard figure has a task list that holds exactly what it counts.

use chrono::Duration;
use serde_json::json;

use crate::helpers::TestApp;

#[tokio::test]
async fn every_card_figure_equals_the_count_of_its_list() {
    let app = TestApp::spawn().await;
    app.seed_demo().await;
    let admin = app
        .login("admin_user", switchyard_app::demo::DEMO_PASSWORD)
        .await;
    // One more overdue task that no sweep has flagged yet.
    let late = (chrono::Utc::now() - Duration::hours(3)).to_rfc3339();
    app.create_task(&admin, "Late and unflagged", json!({"due_date": late}))
        .await;
    let body = app
        .get("/api/v1/dashboard/overview/", &admin)
        .await
        .expect(200)
        .body;
    let (overview, sla) = (&body["overview"], &body["sla"]);
    let since = overview["last_7_days"]["since"].as_str().unwrap();
    let since = urlencode(since);
    let count = |q: String| {
        let app = &app;
        let admin = admin.clone();
        async move {
            app.get(&format!("/api/v1/tasks/?{q}"), &admin)
                .await
                .expect(200)
                .body["count"]
                .as_i64()
                .unwrap()
        }
    };
    assert_eq!(
        count("".into()).await,
        overview["total_tasks"].as_i64().unwrap()
    );
    assert_eq!(
        count("active=true".into()).await,
        sla["total_active"].as_i64().unwrap()
    );
    assert_eq!(
        count("active=true&assigned_to=null".into()).await,
        overview["unassigned"].as_i64().unwrap()
    );
    assert_eq!(
        count("overdue=true".into()).await,
        sla["breached"].as_i64().unwrap()
    );
    assert_eq!(
        count(format!("created_after={since}")).await,
        overview["last_7_days"]["created"].as_i64().unwrap()
    );
    assert_eq!(
        count(format!("resolved_after={since}")).await,
        overview["last_7_days"]["completed"].as_i64().unwrap()
    );
    // The figures are not all the same number (the test would prove little otherwise).
    assert_ne!(sla["total_active"], overview["total_tasks"]);
    assert!(overview["last_7_days"]["completed"].as_i64().unwrap() > 0);
    app.get("/api/v1/tasks/?created_after=yesterday", &admin)
        .await
        .expect(400);
}

fn urlencode(s: &str) -> String {
    s.replace('+', "%2B").replace(':', "%3A")
}
