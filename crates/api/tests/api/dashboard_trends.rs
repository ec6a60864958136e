//! `GET /dashboard/trends/`: days divided at local midnight (a 25-hour day when daylight
//! saving time ends), cycle time percentiles per type, overdue work per assignee, and
//! nothing from another organization.

use chrono::{DateTime, TimeZone, Utc};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};

use crate::helpers::{ManualClock, TestApp};

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

/// Moves a task in time (the hourly buckets follow through their triggers).
async fn set_times(
    app: &TestApp,
    task: &Value,
    created: &str,
    resolved: Option<&str>,
    due: Option<&str>,
) {
    let c = app.db.conn();
    c.execute_raw(Statement::from_sql_and_values(
        c.get_database_backend(),
        "UPDATE tasks SET created_at = $1, resolved_at = $2, due_date = $3 WHERE id = $4",
        [
            at(created).into(),
            resolved.map(at).into(),
            due.map(at).into(),
            uuid::Uuid::parse_str(task["id"].as_str().unwrap())
                .unwrap()
                .into(),
        ],
    ))
    .await
    .unwrap();
}

async fn assign(app: &TestApp, task: &Value, user: &str) {
    let c = app.db.conn();
    c.execute_raw(Statement::from_sql_and_values(
        c.get_database_backend(),
        "UPDATE tasks SET assigned_to = $1 WHERE id = $2",
        [
            uuid::Uuid::parse_str(user).unwrap().into(),
            uuid::Uuid::parse_str(task["id"].as_str().unwrap())
                .unwrap()
                .into(),
        ],
    ))
    .await
    .unwrap();
}

#[tokio::test]
async fn days_follow_local_midnight_through_the_end_of_daylight_saving_time() {
    // Berlin leaves summer time on Sunday 2026-10-25 at 03:00 CEST: that day has 25 hours.
    let clock = ManualClock::new(Utc.with_ymd_and_hms(2026, 10, 26, 10, 0, 0).unwrap());
    let app = TestApp::spawn_with_clock(clock).await;
    let org = app.setup_org("trend").await;
    let (worker, _) = app.add_user(&org.admin, "trend_worker", "engineer").await;
    let task = |title: &'static str, ty: &'static str| {
        let (app, admin) = (&app, org.admin.clone());
        async move {
            app.create_task(&admin, title, json!({"task_type": ty}))
                .await
        }
    };
    // 23:30 CET on the 25th: the day's 25th hour (a 24-hour day would put it on the 26th).
    let a = task("late on the long day", "bug").await;
    set_times(
        &app,
        &a,
        "2026-10-25T22:30:00Z",
        Some("2026-10-26T01:00:00Z"),
        None,
    )
    .await;
    // 23:30 CEST on the 24th, done half past midnight on the 25th: one hour.
    let b = task("around midnight", "bug").await;
    set_times(
        &app,
        &b,
        "2026-10-24T21:30:00Z",
        Some("2026-10-24T22:30:00Z"),
        None,
    )
    .await;
    // Before the period (23:00 CEST on the 23rd), still open, overdue, assigned.
    let c = task("old and late", "feature").await;
    set_times(
        &app,
        &c,
        "2026-10-23T21:00:00Z",
        None,
        Some("2026-10-26T09:00:00Z"),
    )
    .await;
    assign(&app, &c, &worker).await;
    // Today, overdue, nobody's.
    let d = task("new and late", "feature").await;
    set_times(
        &app,
        &d,
        "2026-10-26T08:00:00Z",
        None,
        Some("2026-10-26T09:30:00Z"),
    )
    .await;
    // Today, due tomorrow.
    let e = task("on time", "feature").await;
    set_times(
        &app,
        &e,
        "2026-10-26T09:00:00Z",
        None,
        Some("2026-10-27T09:00:00Z"),
    )
    .await;
    // Another organization's work in the same hours is never counted.
    let other = app.setup_org("trend-other").await;
    let x = app
        .create_task(&other.admin, "elsewhere", json!({"task_type": "bug"}))
        .await;
    set_times(
        &app,
        &x,
        "2026-10-25T22:30:00Z",
        Some("2026-10-26T02:00:00Z"),
        Some("2026-10-26T01:00:00Z"),
    )
    .await;

    let body = app
        .get(
            "/api/v1/dashboard/trends/?days=3&tz=Europe/Berlin",
            &org.admin,
        )
        .await
        .expect(200)
        .body;
    assert_eq!(body["time_zone"], "Europe/Berlin");
    assert_eq!(body["since"], "2026-10-23T22:00:00Z");
    let days: Vec<(String, String, i64, i64)> = body["created_vs_completed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["date"].as_str().unwrap().to_string(),
                d["start"].as_str().unwrap().to_string(),
                d["created"].as_i64().unwrap(),
                d["completed"].as_i64().unwrap(),
            )
        })
        .collect();
    let day = |date: &str, start: &str, created, completed| {
        (date.to_string(), start.to_string(), created, completed)
    };
    assert_eq!(
        days,
        vec![
            day("2026-10-24", "2026-10-23T22:00:00Z", 1, 0),
            day("2026-10-25", "2026-10-24T22:00:00Z", 1, 1),
            day("2026-10-26", "2026-10-25T23:00:00Z", 2, 1),
        ]
    );
    // Each day's bars open exactly their tasks: from its start to the next day's.
    let count = |q: String| {
        let (app, admin) = (&app, org.admin.clone());
        async move {
            let r = app
                .get(&format!("/api/v1/tasks/?{q}"), &admin)
                .await
                .expect(200);
            r.body["count"].as_i64().unwrap()
        }
    };
    let day = |what: &str| {
        format!("{what}_after=2026-10-24T22%3A00%3A00Z&{what}_before=2026-10-25T23%3A00%3A00Z")
    };
    assert_eq!(count(day("created")).await, 1);
    assert_eq!(count(day("resolved")).await, 1);
    app.get("/api/v1/tasks/?created_before=soon", &org.admin)
        .await
        .expect(400);
    // Two bugs done in the period, 1 h and 2.5 h: nearest-rank median 1 h, p85 2.5 h.
    assert_eq!(
        body["cycle_time_by_type"],
        json!([{"task_type": "bug", "completed": 2, "median_hours": 1.0, "p85_hours": 2.5}])
    );
    assert_eq!(
        body["overdue_by_assignee"],
        json!([
            {"user_id": worker, "username": "trend_worker", "overdue": 1},
            {"user_id": null, "username": null, "overdue": 1},
        ])
    );

    // In UTC the late task of the 25th belongs to the 25th as well; the 26th starts at 00:00Z.
    let utc = app
        .get("/api/v1/dashboard/trends/?days=2", &org.admin)
        .await
        .expect(200)
        .body;
    assert_eq!(utc["time_zone"], "UTC");
    assert_eq!(
        utc["created_vs_completed"][1]["start"],
        "2026-10-26T00:00:00Z"
    );
    assert_eq!(utc["created_vs_completed"][0]["created"], 1);
    assert_eq!(utc["created_vs_completed"][1]["created"], 2);
    // Default: thirty days.
    let month = app
        .get("/api/v1/dashboard/trends/", &org.admin)
        .await
        .expect(200)
        .body;
    assert_eq!(month["created_vs_completed"].as_array().unwrap().len(), 30);
}

#[tokio::test]
async fn a_day_that_begins_in_a_daylight_saving_gap_starts_after_it() {
    // America/Havana springs forward at midnight: 2026-03-08 00:00 does not exist there.
    let clock = ManualClock::new(Utc.with_ymd_and_hms(2026, 3, 8, 15, 0, 0).unwrap());
    let app = TestApp::spawn_with_clock(clock).await;
    let org = app.setup_org("gap").await;
    let body = app
        .get(
            "/api/v1/dashboard/trends/?days=2&tz=America/Havana",
            &org.admin,
        )
        .await
        .expect(200)
        .body;
    // 01:00 CDT (UTC−4) is the first instant of the 8th.
    assert_eq!(body["created_vs_completed"][1]["date"], "2026-03-08");
    assert_eq!(
        body["created_vs_completed"][1]["start"],
        "2026-03-08T05:00:00Z"
    );
}

#[tokio::test]
async fn bad_periods_and_zones_are_refused_with_the_field_named() {
    let app = TestApp::spawn().await;
    let org = app.setup_org("trend-bad").await;
    for (query, field, message) in [
        ("days=0", "days", "Choose between 1 and 90 days."),
        ("days=91", "days", "Choose between 1 and 90 days."),
        ("tz=Mars/Olympus", "tz", "Unknown time zone 'Mars/Olympus'."),
    ] {
        let r = app
            .get(&format!("/api/v1/dashboard/trends/?{query}"), &org.admin)
            .await
            .expect(400);
        assert_eq!(r.body["errors"][field][0], message, "{query}: {}", r.body);
        assert_eq!(r.body["detail"], message);
    }
    let r = app
        .get("/api/v1/dashboard/trends/?days=many", &org.admin)
        .await
        .expect(400);
    assert!(r.body.to_string().contains("days"), "{}", r.body);
    app.get("/api/v1/dashboard/trends/", "not-a-token")
        .await
        .expect(401);
}
