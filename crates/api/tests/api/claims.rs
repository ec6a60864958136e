//! Claiming work: an engineer takes an unassigned task (capacity checked as for an
//! assignment, audited as one), one of two claimants wins, read-only people and
//! organizations that turned claims off are refused, and transitions that need an assignee
//! are not offered until someone has the task.

use serde_json::json;

use crate::helpers::TestApp;

fn claim_path(task: &serde_json::Value) -> String {
    format!("/api/v1/tasks/{}/claim/", task["id"].as_str().unwrap())
}

#[tokio::test]
async fn an_engineer_claims_unassigned_work_and_is_offered_the_moves_it_unlocks() {
    let app = TestApp::spawn().await;
    let org = app.setup_org("clm").await;
    let (eve, eve_token) = app.add_user(&org.admin, "eve", "engineer").await;
    let (_, viewer) = app.add_user(&org.admin, "val", "viewer").await;
    let task = app.create_task(&org.admin, "Up for grabs", json!({})).await;
    let id = task["id"].as_str().unwrap();
    let offered = |body: &serde_json::Value| -> Vec<String> {
        body["available_transitions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["to_state"].as_str().unwrap().to_string())
            .collect()
    };
    let before = app
        .get(
            &format!("/api/v1/tasks/{id}/available-transitions/"),
            &eve_token,
        )
        .await
        .expect(200)
        .body;
    assert!(
        !offered(&before).contains(&"in_progress".to_string()),
        "{before}"
    );

    app.post(&claim_path(&task), &viewer, json!({}))
        .await
        .expect(403);
    let claimed = app
        .post(&claim_path(&task), &eve_token, json!({}))
        .await
        .expect(200)
        .body;
    assert_eq!(claimed["assigned_to"], eve.as_str());
    let audit = app.audit_of(&org.admin, id).await;
    assert_eq!(audit[0]["action"], "assigned");
    assert_eq!(audit[0]["reason"], "Claimed");
    assert_eq!(audit[0]["performed_by_name"], "eve");
    let after = app
        .get(
            &format!("/api/v1/tasks/{id}/available-transitions/"),
            &eve_token,
        )
        .await
        .expect(200)
        .body;
    assert!(
        offered(&after).contains(&"in_progress".to_string()),
        "{after}"
    );
    app.post(
        &format!("/api/v1/tasks/{id}/transition/"),
        &eve_token,
        json!({"to_state": "in_progress"}),
    )
    .await
    .expect(200);

    // Taken: another engineer's claim is a 409 naming who has it.
    let (_, fay) = app.add_user(&org.admin, "fay", "engineer").await;
    let taken = app
        .post(&claim_path(&task), &fay, json!({}))
        .await
        .expect(409);
    assert_eq!(taken.body["code"], "already_assigned");
    assert!(taken.detail().contains("eve"));

    // Another organization's task is not there.
    let elsewhere = app.setup_org("clm2").await;
    let foreign = app.create_task(&elsewhere.admin, "Theirs", json!({})).await;
    app.post(&claim_path(&foreign), &eve_token, json!({}))
        .await
        .expect(404);
    // The organization can turn claims off.
    let other = app
        .create_task(&org.admin, "Assigned by managers only", json!({}))
        .await;
    let org_path = format!("/api/v1/organizations/{}/", org.id);
    let off = app
        .patch(&org_path, &org.admin, json!({"allow_claims": false}))
        .await
        .expect(200)
        .body;
    assert_eq!(off["allow_claims"], false);
    app.post(&claim_path(&other), &fay, json!({}))
        .await
        .expect(403);
}

#[tokio::test]
async fn of_two_claims_one_wins_and_capacity_holds_under_concurrent_claims() {
    let app = TestApp::spawn().await;
    let org = app.setup_org("race").await;
    let (_, ann) = app.add_user(&org.admin, "ann", "engineer").await;
    let (_, ben) = app.add_user(&org.admin, "ben", "engineer").await;
    for round in 0..5 {
        let task = app
            .create_task(&org.admin, &format!("Contested {round}"), json!({}))
            .await;
        let path = claim_path(&task);
        let (a, b) = tokio::join!(
            app.post(&path, &ann, json!({})),
            app.post(&path, &ben, json!({}))
        );
        let mut statuses = [a.status, b.status];
        statuses.sort();
        assert_eq!(
            statuses,
            [200, 409],
            "round {round}: {} / {}",
            a.body,
            b.body
        );
        let audit = app.audit_of(&org.admin, task["id"].as_str().unwrap()).await;
        assert_eq!(
            audit.iter().filter(|e| e["action"] == "assigned").count(),
            1,
            "one assignment recorded"
        );
    }

    // Cal can take one more task; two claims at once give him exactly one.
    let (cal_id, cal) = app
        .add_user_with(
            &org.admin,
            json!({"username": "cal", "role": "engineer", "max_concurrent_tasks": 1}),
        )
        .await;
    let one = app.create_task(&org.admin, "First", json!({})).await;
    let two = app.create_task(&org.admin, "Second", json!({})).await;
    let (first, second) = (claim_path(&one), claim_path(&two));
    let (a, b) = tokio::join!(
        app.post(&first, &cal, json!({})),
        app.post(&second, &cal, json!({}))
    );
    let mut statuses = [a.status, b.status];
    statuses.sort();
    assert_eq!(statuses, [200, 400], "{} / {}", a.body, b.body);
    let refused = if a.status == 400 { a } else { b };
    assert_eq!(refused.body["code"], "capacity_exceeded");
    let me = app
        .get(&format!("/api/v1/users/{cal_id}/"), &org.admin)
        .await
        .expect(200)
        .body;
    assert_eq!(me["active_task_count"], 1);
}
