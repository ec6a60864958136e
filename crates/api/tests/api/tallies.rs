//! The trigger-kept task tallies (overview and list counts) stay exact through every kind
//! of task change, concurrent ones included, and go away with their organization.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use futures::future::join_all;
use sea_orm::{ConnectionTrait, QueryResult, Statement};
use serde_json::{Value, json};
use uuid::Uuid;

use switchyard_store::Backend;

use crate::helpers::{ManualClock, Org, TestApp, expected_backend};

type Key = (Uuid, String, String, String, bool, bool);

fn key(r: &QueryResult) -> Key {
    (
        r.try_get_by_index(0).unwrap(),
        r.try_get_by_index(1).unwrap(),
        r.try_get_by_index(2).unwrap(),
        r.try_get_by_index(3).unwrap(),
        r.try_get_by_index(4).unwrap(),
        r.try_get_by_index(5).unwrap(),
    )
}

async fn rows(app: &TestApp, sql: &str, org: Uuid) -> Vec<QueryResult> {
    let c = app.db.conn();
    c.query_all_raw(Statement::from_sql_and_values(
        c.get_database_backend(),
        sql,
        [org.into()],
    ))
    .await
    .unwrap()
}

/// Counts straight from the tasks, and what the tallies plus pending deltas say.
async fn truth_and_tallies(app: &TestApp, org: Uuid) -> (BTreeMap<Key, i64>, BTreeMap<Key, i64>) {
    let mut truth = BTreeMap::new();
    for r in rows(
        app,
        "SELECT workflow_id, current_state, priority, task_type, assigned_to IS NULL, sla_breached, COUNT(*) \
         FROM tasks WHERE organization_id = $1 GROUP BY 1, 2, 3, 4, 5, 6",
        org,
    )
    .await
    {
        truth.insert(key(&r), r.try_get_by_index::<i64>(6).unwrap());
    }
    let mut tallies: BTreeMap<Key, i64> = BTreeMap::new();
    for r in rows(
        app,
        "SELECT workflow_id, current_state, priority, task_type, unassigned, sla_breached, n FROM task_tallies WHERE organization_id = $1 \
         UNION ALL SELECT workflow_id, current_state, priority, task_type, unassigned, sla_breached, delta FROM task_tally_deltas WHERE organization_id = $1",
        org,
    )
    .await
    {
        *tallies.entry(key(&r)).or_default() += r.try_get_by_index::<i64>(6).unwrap();
    }
    tallies.retain(|_, n| *n != 0);
    // The totals without the project hold the same counts.
    let mut totals: BTreeMap<Key, i64> = BTreeMap::new();
    for r in rows(
        app,
        "SELECT workflow_id, current_state, priority, task_type, unassigned, sla_breached, n FROM task_tally_totals WHERE organization_id = $1 \
         UNION ALL SELECT workflow_id, current_state, priority, task_type, unassigned, sla_breached, delta FROM task_tally_deltas WHERE organization_id = $1",
        org,
    )
    .await
    {
        *totals.entry(key(&r)).or_default() += r.try_get_by_index::<i64>(6).unwrap();
    }
    totals.retain(|_, n| *n != 0);
    assert_eq!(
        totals, tallies,
        "the totals drifted from the per-project tallies"
    );
    (truth, tallies)
}

/// Tasks created and completed per hour, from the tasks and from the hourly buckets.
async fn hourly_truth_and_buckets(
    app: &TestApp,
    org: Uuid,
) -> (BTreeMap<(i64, bool), i64>, BTreeMap<(i64, bool), i64>) {
    let hour = |col: &str| match expected_backend() {
        Backend::Postgres => format!("CAST(floor(extract(epoch FROM {col}) / 3600) AS BIGINT)"),
        Backend::Sqlite => format!("CAST(strftime('%s', {col}) AS INTEGER) / 3600"),
    };
    let mut truth: BTreeMap<(i64, bool), i64> = BTreeMap::new();
    for (col, completed) in [("created_at", false), ("resolved_at", true)] {
        let sql = format!(
            "SELECT {h}, COUNT(*) FROM tasks WHERE organization_id = $1 AND {col} IS NOT NULL GROUP BY {h}",
            h = hour(col)
        );
        for r in rows(app, &sql, org).await {
            truth.insert(
                (r.try_get_by_index(0).unwrap(), completed),
                r.try_get_by_index::<i64>(1).unwrap(),
            );
        }
    }
    let mut buckets: BTreeMap<(i64, bool), i64> = BTreeMap::new();
    for r in rows(
        app,
        "SELECT hour, created, completed FROM task_hourly WHERE organization_id = $1 \
         UNION ALL SELECT hour, created, completed FROM task_hourly_deltas WHERE organization_id = $1",
        org,
    )
    .await
    {
        let h: i64 = r.try_get_by_index(0).unwrap();
        *buckets.entry((h, false)).or_default() += r.try_get_by_index::<i64>(1).unwrap();
        *buckets.entry((h, true)).or_default() += r.try_get_by_index::<i64>(2).unwrap();
    }
    buckets.retain(|_, n| *n != 0);
    (truth, buckets)
}

#[track_caller]
fn assert_exact(step: &str, (truth, tallies): (BTreeMap<Key, i64>, BTreeMap<Key, i64>)) {
    assert_eq!(tallies, truth, "tallies drifted after: {step}");
}

fn at(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

async fn transition(app: &TestApp, token: &str, id: &str, to: &str) -> u16 {
    app.post(
        &format!("/api/v1/tasks/{id}/transition/"),
        token,
        json!({"to_state": to}),
    )
    .await
    .status
}

#[tokio::test]
async fn tallies_follow_every_change_and_the_overview_reads_them() {
    let start = DateTime::parse_from_rfc3339("2031-03-01T09:00:00Z")
        .unwrap()
        .with_timezone(&Utc);
    let clock = ManualClock::new(start);
    let app = TestApp::spawn_with_clock(clock.clone()).await;
    let org: Org = app.setup_org("tally").await;
    let org_id: Uuid = org.id.parse().unwrap();
    let (mgr_id, _) = app
        .add_user_with(
            &org.admin,
            json!({"username": "mona", "role": "manager", "max_concurrent_tasks": 100}),
        )
        .await;
    let (dev_id, _) = app.add_user(&org.admin, "dev", "engineer").await;
    assert_exact("setup", truth_and_tallies(&app, org_id).await);

    // Creation with every priority and type, some overdue, some due soon.
    let priorities = ["critical", "high", "medium", "low"];
    let types = ["bug", "feature", "task", "improvement"];
    let mut ids = Vec::new();
    for i in 0..16 {
        let due = match i % 4 {
            0 => json!(at(start - Duration::hours(2))),
            1 => json!(at(start + Duration::hours(5))),
            2 => json!(at(start + Duration::days(9))),
            _ => Value::Null,
        };
        let t = app
            .create_task(
                &org.admin,
                &format!("task {i}"),
                json!({"priority": priorities[i % 4], "task_type": types[(i / 4) % 4], "due_date": due}),
            )
            .await;
        ids.push(t["id"].as_str().unwrap().to_string());
    }
    assert_exact("creates", truth_and_tallies(&app, org_id).await);

    // Assignment, transitions (into a final state too), edits, unassignment.
    for id in &ids[0..10] {
        app.post(
            &format!("/api/v1/tasks/{id}/assign/"),
            &org.admin,
            json!({"user_id": mgr_id}),
        )
        .await
        .expect(200);
    }
    for id in &ids[10..13] {
        app.post(
            &format!("/api/v1/tasks/{id}/assign/"),
            &org.admin,
            json!({"user_id": dev_id}),
        )
        .await
        .expect(200);
    }
    for id in &ids[0..8] {
        assert_eq!(transition(&app, &org.admin, id, "in_progress").await, 200);
    }
    assert_eq!(
        transition(&app, &org.admin, &ids[13], "cancelled").await,
        200
    );
    app.patch(
        &format!("/api/v1/tasks/{}/", ids[14]),
        &org.admin,
        json!({"priority": "critical", "task_type": "bug"}),
    )
    .await
    .expect(200);
    app.patch(
        &format!("/api/v1/tasks/{}/", ids[9]),
        &org.admin,
        json!({"assigned_to": null}),
    )
    .await
    .expect(200);
    assert_exact(
        "assign, transition, edit",
        truth_and_tallies(&app, org_id).await,
    );

    // The SLA sweep flags the overdue ones; a deleted task and a deleted assignee count too.
    app.post("/api/v1/dashboard/sla-check/", &org.admin, json!({}))
        .await
        .expect(200);
    assert_exact("sla sweep", truth_and_tallies(&app, org_id).await);
    app.delete(&format!("/api/v1/tasks/{}/", ids[15]), &org.admin)
        .await
        .expect(204);
    app.delete(&format!("/api/v1/users/{dev_id}/"), &org.admin)
        .await
        .expect(204);
    assert_exact(
        "task and user deletion",
        truth_and_tallies(&app, org_id).await,
    );

    // Concurrent transitions in opposite directions over the same tallies.
    for id in &ids[4..8] {
        assert_eq!(transition(&app, &org.admin, id, "review").await, 200);
    }
    let moves = ids[0..4]
        .iter()
        .map(|id| (id.clone(), "review"))
        .chain(ids[4..8].iter().map(|id| (id.clone(), "in_progress")));
    let statuses = join_all(moves.map(|(id, to)| {
        let app = &app;
        let token = org.admin.clone();
        async move { transition(app, &token, &id, to).await }
    }))
    .await;
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    assert_exact(
        "concurrent transitions",
        truth_and_tallies(&app, org_id).await,
    );
    let (truth, buckets) = hourly_truth_and_buckets(&app, org_id).await;
    assert_eq!(buckets, truth, "hourly buckets drifted");

    // What users see is computed from them.
    let overview = app
        .get("/api/v1/dashboard/overview/", &org.admin)
        .await
        .expect(200)
        .body;
    assert_eq!(overview["overview"]["total_tasks"], 15);
    assert_eq!(overview["overview"]["by_state"]["in_progress"], 4);
    assert_eq!(overview["overview"]["by_state"]["review"], 4);
    assert_eq!(overview["overview"]["by_state"]["cancelled"], 1);
    assert_eq!(overview["overview"]["by_priority"]["critical"], 5);
    assert_eq!(overview["sla"]["total_active"], 14);
    // Unassigned and active: 13–15 were never (or no longer) assigned to mona; 15 is gone,
    // 13 is cancelled; 10–12 lost dev; 9 was unassigned.
    assert_eq!(overview["overview"]["unassigned"], 5);
    // Overdue: 0, 4, 8, 12 (flagged by the sweep); due within 24 h: 1, 5, 9, 13 minus the
    // cancelled 13.
    assert_eq!(overview["sla"]["breached"], 4);
    assert_eq!(overview["sla"]["at_risk"], 3);
    let open = app
        .get("/api/v1/tasks/?current_state=open&page_size=1", &org.admin)
        .await
        .expect(200)
        .body;
    assert_eq!(open["count"], 6, "8–12 and 14");
    let unassigned = app
        .get("/api/v1/tasks/?assigned_to=null&page_size=1", &org.admin)
        .await
        .expect(200)
        .body;
    assert_eq!(
        unassigned["count"], 6,
        "the cancelled one is unassigned too"
    );

    // Time passing moves tasks from at risk to breached before any sweep flags them.
    clock.advance(Duration::hours(6));
    let later = app
        .get("/api/v1/dashboard/overview/", &org.admin)
        .await
        .expect(200)
        .body;
    assert_eq!(later["sla"]["breached"], 7);
    assert_eq!(later["sla"]["at_risk"], 0);

    // Compaction (PostgreSQL) folds the deltas without changing a count.
    switchyard_store::tallies::compact(&app.db).await.unwrap();
    let pending = rows(
        &app,
        "SELECT COUNT(*) FROM task_tally_deltas WHERE organization_id = $1",
        org_id,
    )
    .await;
    assert_eq!(pending[0].try_get_by_index::<i64>(0).unwrap(), 0);
    assert_exact("compaction", truth_and_tallies(&app, org_id).await);
    let (truth, buckets) = hourly_truth_and_buckets(&app, org_id).await;
    assert_eq!(buckets, truth, "hourly buckets drifted in compaction");

    // A bulk loader's rebuild recounts from the tasks.
    rows(
        &app,
        "DELETE FROM task_tallies WHERE organization_id = $1",
        org_id,
    )
    .await;
    rows(
        &app,
        "DELETE FROM task_hourly WHERE organization_id = $1",
        org_id,
    )
    .await;
    let tenant = switchyard_store::sla::all_tenants(app.db.conn())
        .await
        .unwrap()
        .into_iter()
        .find(|(_, slug)| slug == "tally")
        .unwrap()
        .0;
    switchyard_store::tallies::rebuild(&app.db, tenant)
        .await
        .unwrap();
    assert_exact("rebuild", truth_and_tallies(&app, org_id).await);
    let (truth, buckets) = hourly_truth_and_buckets(&app, org_id).await;
    assert_eq!(buckets, truth, "hourly buckets after rebuild");

    // Deleting the organization leaves nothing behind.
    app.delete(&format!("/api/v1/organizations/{}/", org.id), &org.admin)
        .await
        .expect(204);
    let left = rows(
        &app,
        "SELECT (SELECT COUNT(*) FROM task_tallies WHERE organization_id = $1) \
              + (SELECT COUNT(*) FROM task_tally_deltas WHERE organization_id = $1) \
              + (SELECT COUNT(*) FROM task_hourly WHERE organization_id = $1) \
              + (SELECT COUNT(*) FROM task_hourly_deltas WHERE organization_id = $1)",
        org_id,
    )
    .await;
    assert_eq!(left[0].try_get_by_index::<i64>(0).unwrap(), 0);
}

/// "Created / completed in the last 7 days" from hourly buckets is exact at the window's
/// edge: tasks count until exactly seven days after they were created or completed.
#[tokio::test]
async fn last_seven_days_is_exact_at_the_edge() {
    let clock = ManualClock::new(Utc::now());
    let app = TestApp::spawn_with_clock(clock.clone()).await;
    let org = app.setup_org("week").await;
    let mut ids = Vec::new();
    for i in 0..3 {
        let t = app
            .create_task(&org.admin, &format!("t{i}"), json!({}))
            .await;
        ids.push(t["id"].as_str().unwrap().to_string());
    }
    assert_eq!(
        transition(&app, &org.admin, &ids[0], "cancelled").await,
        200
    );
    let figures = |body: Value| {
        (
            body["overview"]["last_7_days"]["created"].as_i64().unwrap(),
            body["overview"]["last_7_days"]["completed"]
                .as_i64()
                .unwrap(),
        )
    };
    let overview = || async {
        app.get("/api/v1/dashboard/overview/", &org.admin)
            .await
            .expect(200)
            .body
    };
    assert_eq!(figures(overview().await), (3, 1));
    // Seven days less a minute later the window's first, partial hour still holds them.
    clock.advance(Duration::days(7) - Duration::minutes(1));
    assert_eq!(figures(overview().await), (3, 1));
    clock.advance(Duration::minutes(2));
    assert_eq!(figures(overview().await), (0, 0));
}
