//! The SLA check with a controllable clock, and the dashboard figures.

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use serde_json::{Value, json};

use crate::helpers::{ManualClock, TestApp};

fn at(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

fn keys(v: &Value, list: &str) -> Vec<String> {
    v["results"][list]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["task_key"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn healthy_at_risk_and_breached_with_one_audit_entry() {
    let start = chrono::DateTime::parse_from_rfc3339("2030-06-01T12:00:00Z")
        .unwrap()
        .with_timezone(&Utc);
    let clock = ManualClock::new(start);
    let app = TestApp::spawn_with_clock(clock.clone()).await;
    let org = app.setup_org("sla").await;
    let healthy = app
        .create_task(
            &org.admin,
            "in 25h",
            json!({"due_date": at(start + Duration::hours(25))}),
        )
        .await;
    let risky = app
        .create_task(
            &org.admin,
            "in 23h",
            json!({"due_date": at(start + Duration::hours(23))}),
        )
        .await;
    let late = app
        .create_task(
            &org.admin,
            "1s late",
            json!({"due_date": at(start - Duration::seconds(1))}),
        )
        .await;
    let closed = app
        .create_task(
            &org.admin,
            "closed and late",
            json!({"due_date": at(start - Duration::hours(5))}),
        )
        .await;
    app.post(
        &format!(
            "/api/v1/tasks/{}/transition/",
            closed["id"].as_str().unwrap()
        ),
        &org.admin,
        json!({"to_state": "cancelled"}),
    )
    .await
    .expect(200);
    app.create_task(&org.admin, "no due date", json!({})).await;

    let r = app
        .post("/api/v1/dashboard/sla-check/", &org.admin, json!({}))
        .await
        .expect(200)
        .body;
    assert_eq!(r["message"], "SLA check completed");
    // Active tasks that have a due date, as the reference counts: not the one without.
    assert_eq!(r["results"]["checked"], 3, "active tasks with a due date");
    assert_eq!(
        keys(&r, "breached_tasks"),
        vec![late["task_key"].as_str().unwrap()]
    );
    assert_eq!(
        keys(&r, "at_risk_tasks"),
        vec![risky["task_key"].as_str().unwrap()]
    );
    assert_eq!(r["results"]["at_risk_tasks"][0]["hours_remaining"], 23.0);
    assert_eq!(r["results"]["breached_tasks"][0]["hours_overdue"], 0.0);
    assert_eq!(r["results"]["newly_breached"], 1);
    let late_id = late["id"].as_str().unwrap();
    let t = app
        .get(&format!("/api/v1/tasks/{late_id}/"), &org.admin)
        .await
        .body;
    assert_eq!(t["sla_breached"], true);
    for other in [&healthy, &risky, &closed] {
        let t = app
            .get(
                &format!("/api/v1/tasks/{}/", other["id"].as_str().unwrap()),
                &org.admin,
            )
            .await
            .body;
        assert_eq!(t["sla_breached"], false, "{}", t["title"]);
    }
    let entries: Vec<Value> = app
        .audit_of(&org.admin, late_id)
        .await
        .into_iter()
        .filter(|e| e["action"] == "sla_breached")
        .collect();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["performed_by"], Value::Null);
    assert_eq!(entries[0]["performed_by_name"], "System");
    assert_eq!(entries[0]["reason"], "Task exceeded SLA deadline");

    // A second run adds nothing.
    let again = app
        .post("/api/v1/dashboard/sla-check/", &org.admin, json!({}))
        .await
        .expect(200)
        .body;
    assert_eq!(again["results"]["newly_breached"], 0);
    let n = app
        .audit_of(&org.admin, late_id)
        .await
        .into_iter()
        .filter(|e| e["action"] == "sla_breached")
        .count();
    assert_eq!(n, 1);

    // Two hours later the 23h task is still at risk, then it breaches after a day.
    clock.advance(Duration::hours(24));
    let later = app
        .post("/api/v1/dashboard/sla-check/", &org.admin, json!({}))
        .await
        .expect(200)
        .body;
    assert!(
        keys(&later, "breached_tasks").contains(&risky["task_key"].as_str().unwrap().to_string())
    );
    assert_eq!(
        keys(&later, "at_risk_tasks"),
        vec![healthy["task_key"].as_str().unwrap()]
    );

    // Moving the due date into the future un-flags the task.
    app.patch(
        &format!("/api/v1/tasks/{late_id}/"),
        &org.admin,
        json!({"due_date": at(start + Duration::days(10))}),
    )
    .await
    .expect(200);
    app.post("/api/v1/dashboard/sla-check/", &org.admin, json!({}))
        .await
        .expect(200);
    let t = app
        .get(&format!("/api/v1/tasks/{late_id}/"), &org.admin)
        .await
        .body;
    assert_eq!(t["sla_breached"], false);
    // Removing it does too.
    let risky_id = risky["id"].as_str().unwrap();
    app.patch(
        &format!("/api/v1/tasks/{risky_id}/"),
        &org.admin,
        json!({"due_date": null}),
    )
    .await
    .expect(200);
    app.post("/api/v1/dashboard/sla-check/", &org.admin, json!({}))
        .await
        .expect(200);
    let t = app
        .get(&format!("/api/v1/tasks/{risky_id}/"), &org.admin)
        .await
        .body;
    assert_eq!(t["sla_breached"], false);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_checks_write_one_entry_per_breach() {
    let start = Utc::now();
    let clock = ManualClock::new(start);
    let app = TestApp::spawn_with_clock(clock).await;
    let org = app.setup_org("race").await;
    let mut ids = Vec::new();
    for i in 0..8 {
        let t = app
            .create_task(
                &org.admin,
                &format!("late {i}"),
                json!({"due_date": at(start - Duration::hours(i + 1))}),
            )
            .await;
        ids.push(t["id"].as_str().unwrap().to_string());
    }
    let futures: Vec<_> = (0..6)
        .map(|_| app.post("/api/v1/dashboard/sla-check/", &org.admin, json!({})))
        .collect();
    let results = futures::future::join_all(futures).await;
    let newly: i64 = results
        .iter()
        .map(|r| r.body["results"]["newly_breached"].as_i64().unwrap())
        .sum();
    assert_eq!(newly, 8, "each breach is flagged by exactly one run");
    let entries = app
        .get(
            "/api/v1/audit-logs/?action=sla_breached&page_size=100",
            &org.admin,
        )
        .await
        .body;
    assert_eq!(entries["count"], 8);
    // The system sweep (as the scheduler and CLI run it) agrees and adds nothing.
    let reports = switchyard_app::sla::sweep(&app.app, start, |_| true)
        .await
        .unwrap();
    assert_eq!(
        reports.iter().map(|(_, r)| r.newly_breached).sum::<u64>(),
        0
    );
    assert_eq!(reports[0].1.breached.len(), 8);
}

#[tokio::test]
async fn readers_cannot_run_the_check() {
    let app = TestApp::spawn().await;
    let org = app.setup_org("acme").await;
    let (_, viewer) = app.add_user(&org.admin, "v", "viewer").await;
    app.post("/api/v1/dashboard/sla-check/", &viewer, json!({}))
        .await
        .expect(403);
    app.get("/api/v1/dashboard/overview/", &viewer)
        .await
        .expect(200);
}

#[tokio::test]
async fn overview_team_performance_and_activity() {
    let start = chrono::DateTime::parse_from_rfc3339("2030-06-01T12:00:00Z")
        .unwrap()
        .with_timezone(&Utc);
    let clock = ManualClock::new(start);
    let app = TestApp::spawn_with_clock(clock).await;
    let org = app.setup_org("dash").await;
    let (mid, _) = app.add_user(&org.admin, "mgr", "manager").await;
    let (wid, _) = app
        .add_user_with(
            &org.admin,
            json!({"username": "w", "role": "engineer", "max_concurrent_tasks": 4}),
        )
        .await;
    app.add_user(&org.admin, "v", "viewer").await;
    let a = app.create_task(&org.admin, "a", json!({"priority": "critical", "task_type": "bug", "due_date": at(start - Duration::hours(2))})).await;
    let b = app
        .create_task(
            &org.admin,
            "b",
            json!({"priority": "high", "due_date": at(start + Duration::hours(5))}),
        )
        .await;
    let c = app
        .create_task(&org.admin, "c", json!({"priority": "high"}))
        .await;
    app.create_task(&org.admin, "d", json!({"priority": "low"}))
        .await;
    for t in [&a, &b, &c] {
        app.post(
            &format!("/api/v1/tasks/{}/assign/", t["id"].as_str().unwrap()),
            &org.admin,
            json!({"user_id": wid}),
        )
        .await
        .expect(200);
    }
    app.post(
        &format!("/api/v1/tasks/{}/transition/", c["id"].as_str().unwrap()),
        &org.admin,
        json!({"to_state": "cancelled"}),
    )
    .await
    .expect(200);

    let o = app
        .get("/api/v1/dashboard/overview/", &org.admin)
        .await
        .expect(200)
        .body;
    assert_eq!(o["overview"]["total_tasks"], 4);
    assert_eq!(o["overview"]["by_state"]["open"], 3);
    assert_eq!(o["overview"]["by_state"]["cancelled"], 1);
    assert_eq!(
        o["overview"]["by_state"]["review"], 0,
        "configured states appear with zero"
    );
    assert_eq!(o["overview"]["by_priority"]["high"], 2);
    assert_eq!(o["overview"]["by_priority"]["medium"], 0);
    assert_eq!(o["overview"]["by_type"]["bug"], 1);
    assert_eq!(o["overview"]["unassigned"], 1);
    assert_eq!(o["sla"]["total_active"], 3);
    assert_eq!(o["sla"]["breached"], 1);
    assert_eq!(o["sla"]["at_risk"], 1);
    assert_eq!(o["sla"]["healthy"], 1);
    assert_eq!(o["sla"]["breach_rate"], 33.3);

    let perf = app
        .get("/api/v1/dashboard/team-performance/", &org.admin)
        .await
        .expect(200)
        .body;
    let rows = perf["team_performance"].as_array().unwrap();
    let names: Vec<&str> = rows
        .iter()
        .map(|r| r["username"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        vec!["w", "mgr"],
        "managers and workers, busiest first; no admin, no viewer"
    );
    assert_eq!(rows[0]["user_id"], json!(wid));
    assert_eq!(rows[0]["active_tasks"], 2);
    assert_eq!(rows[0]["completed_tasks"], 1);
    assert_eq!(rows[0]["workload_percentage"], 50.0);
    assert_eq!(rows[0]["max_concurrent_tasks"], 4);
    assert!(rows[0]["avg_resolution_hours"].is_number());
    assert_eq!(rows[1]["user_id"], json!(mid));
    assert_eq!(rows[1]["avg_resolution_hours"], Value::Null);

    let act = app
        .get("/api/v1/dashboard/activity/?limit=3", &org.admin)
        .await
        .expect(200)
        .body;
    let items = act["recent_activity"].as_array().unwrap();
    assert_eq!(items.len(), 3);
    assert_eq!(items[0]["action"], "state_changed");
    assert_eq!(items[0]["task_title"], "c");
    assert_eq!(items[0]["performed_by"], "dash_admin");
    app.get("/api/v1/dashboard/activity/?limit=abc", &org.admin)
        .await
        .expect(400);
}
