//! The audit log's hash chain, on both backends: every change joins one gapless chain per
//! organization (concurrent writers included), the export carries it and verifies offline,
//! and a modified, deleted or inserted entry, a truncated tail and a forged checkpoint are
//! each found at their sequence number. Entries written before the chain existed are chained
//! by the migration; an erasure rewrites names without breaking it.

use std::sync::Arc;

use sea_orm::{ConnectionTrait, Statement, TransactionTrait};
use serde_json::{Value, json};
use switchyard_store::{Backend, audit_chain, audit_verify::Problem};
use switchyard_test_support::{ManualClock, TestApp};

/// A little history: three tasks, an assignment, a comment and a transition.
async fn history(app: &TestApp, token: &str) -> Vec<String> {
    let mut ids = Vec::new();
    for title in ["One", "Two", "Three"] {
        let t = app.create_task(token, title, json!({})).await;
        ids.push(t["id"].as_str().unwrap().to_string());
    }
    let me = app.get("/api/v1/users/me/", token).await.expect(200).body;
    app.post(
        &format!("/api/v1/tasks/{}/assign/", ids[0]),
        token,
        json!({"user_id": me["id"]}),
    )
    .await
    .expect(200);
    app.post(
        "/api/v1/comments/",
        token,
        json!({"task": ids[0], "content": "On it"}),
    )
    .await
    .expect(201);
    app.post(
        &format!("/api/v1/tasks/{}/transition/", ids[0]),
        token,
        json!({"to_state": "in_progress", "reason": "started"}),
    )
    .await
    .expect(200);
    ids
}

/// The export's lines.
async fn export(app: &TestApp, token: &str) -> Vec<Value> {
    let r = app
        .get("/api/v1/audit-logs/export/", token)
        .await
        .expect(200);
    assert_eq!(r.headers["content-type"], "application/x-ndjson");
    let text = match &r.body {
        Value::String(s) => s.clone(),
        // A single line parses as JSON by itself.
        other => other.to_string(),
    };
    text.lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect()
}

/// What `switchyard audit verify` finds for the organization.
async fn problems(app: &TestApp, slug: &str) -> Vec<Problem> {
    let reports = switchyard_app::audit::verify(&app.app, Some(slug))
        .await
        .expect("verify");
    reports[0].1.problems.clone()
}

/// Runs SQL with the append-only triggers out of the way, as someone with write access to
/// the database could.
async fn tamper(app: &TestApp, statements: &[&str]) {
    let tx = app.db.conn().begin().await.unwrap();
    match app.db.backend() {
        Backend::Postgres => {
            tx.execute_unprepared("SET LOCAL session_replication_role = replica")
                .await
                .unwrap();
        }
        Backend::Sqlite => {
            tx.execute_unprepared(
                "DROP TRIGGER IF EXISTS audit_logs_no_update; DROP TRIGGER IF EXISTS audit_logs_no_delete",
            )
            .await
            .unwrap();
        }
    }
    for s in statements {
        tx.execute_unprepared(s).await.expect(s);
    }
    tx.commit().await.unwrap();
}

/// Recomputes a line's hash from the export alone.
fn hash_of(line: &Value) -> String {
    let uuid = |v: &Value| v.as_str().map(|s| s.parse().unwrap());
    let fields = audit_chain::Fields {
        organization_id: uuid(&line["organization"]).unwrap(),
        id: uuid(&line["id"]).unwrap(),
        task_id: uuid(&line["task_id"]),
        task_key: line["task_key"].as_str().unwrap(),
        action: line["action"].as_str().unwrap(),
        performed_by: uuid(&line["performed_by"]),
        performed_by_name: line["performed_by_name"].as_str().unwrap(),
        old_value: Some(&line["old_value"]).filter(|v| !v.is_null()),
        new_value: Some(&line["new_value"]).filter(|v| !v.is_null()),
        reason: line["reason"].as_str().unwrap(),
        timestamp: chrono::DateTime::from_timestamp_micros(line["timestamp_us"].as_i64().unwrap())
            .unwrap(),
    };
    audit_chain::entry_hash(
        &fields,
        line["seq"].as_i64().unwrap(),
        line["prev_hash"].as_str().unwrap(),
    )
}

/// Runs the repository's offline verifier (Python, standard library only) on an export.
fn offline_verify(lines: &[Value]) -> Option<(bool, String)> {
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tools/verify-audit-export.py"
    );
    let path = std::env::temp_dir().join(format!("audit-{}.jsonl", uuid::Uuid::new_v4()));
    let body: String = lines.iter().map(|l| format!("{l}\n")).collect();
    std::fs::write(&path, body).unwrap();
    let out = std::process::Command::new("python3")
        .arg(script)
        .arg(&path)
        .output();
    std::fs::remove_file(&path).ok();
    match out {
        Ok(o) => Some((
            o.status.success(),
            String::from_utf8_lossy(&o.stdout).into_owned(),
        )),
        // CI has Python; a developer machine without it skips this one check.
        Err(_) if std::env::var("CI").is_err() => None,
        Err(e) => panic!("python3 is needed to check the offline verifier: {e}"),
    }
}

#[tokio::test]
async fn the_export_carries_a_chain_that_verifies_here_and_offline_and_only_admins_get_it() {
    let app = TestApp::spawn().await;
    let org = app.setup_org("acme").await;
    let (_, engineer) = app.add_user(&org.admin, "eve", "engineer").await;
    let (_, manager) = app.add_user(&org.admin, "max", "manager").await;
    history(&app, &org.admin).await;

    let lines = export(&app, &org.admin).await;
    let listed = app
        .get("/api/v1/audit-logs/", &org.admin)
        .await
        .expect(200)
        .body;
    assert_eq!(lines.len() as u64, listed["count"].as_u64().unwrap());
    assert!(lines.len() >= 6, "{lines:?}");
    let mut prev = audit_chain::GENESIS.to_string();
    for (i, line) in lines.iter().enumerate() {
        assert_eq!(line["seq"], i as i64 + 1, "gapless, in order");
        assert_eq!(line["prev_hash"], prev.as_str());
        assert_eq!(line["hash"], hash_of(line).as_str(), "line {i}");
        prev = line["hash"].as_str().unwrap().to_string();
    }
    assert_eq!(lines[0]["action"], "created");
    assert!(problems(&app, "acme").await.is_empty());

    if let Some((ok, out)) = offline_verify(&lines) {
        assert!(ok, "{out}");
        assert_eq!(
            out.trim(),
            format!("OK: {} entries, chain intact", lines.len())
        );
        let mut forged = lines.clone();
        forged[2]["reason"] = json!("nothing happened");
        let (ok, out) = offline_verify(&forged).unwrap();
        assert!(!ok);
        assert_eq!(out.trim(), "FAILED: entry #3 was modified");
    }

    for token in [&engineer, &manager] {
        app.get("/api/v1/audit-logs/export/", token)
            .await
            .expect(403);
    }
}

#[tokio::test]
async fn concurrent_writers_in_one_organization_make_one_gapless_chain() {
    let app = Arc::new(TestApp::spawn().await);
    let a = app.setup_org("acme").await;
    let b = app.setup_org("beta").await;
    let mut writers = Vec::new();
    for i in 0..24 {
        let (app, token) = (
            app.clone(),
            if i % 4 == 0 {
                b.admin.clone()
            } else {
                a.admin.clone()
            },
        );
        writers.push(tokio::spawn(async move {
            app.create_task(&token, &format!("Task {i}"), json!({}))
                .await;
        }));
    }
    for w in writers {
        w.await.unwrap();
    }
    for (org, created) in [(&a, 18), (&b, 6)] {
        let lines = export(&app, &org.admin).await;
        assert_eq!(lines.len(), created);
        let seqs: Vec<i64> = lines.iter().map(|l| l["seq"].as_i64().unwrap()).collect();
        assert_eq!(seqs, (1..=created as i64).collect::<Vec<_>>());
        assert!(problems(&app, &org.slug).await.is_empty());
    }
}

#[tokio::test]
async fn a_modified_a_deleted_and_an_inserted_entry_are_found_at_their_sequence_number() {
    // The forged entry of the third case: a copy of #2 with a new id, linked after #2 with
    // the published algorithm, the entries after it renumbered.
    let insert = |app: &TestApp, line: &Value| {
        let mut forged = line.clone();
        forged["id"] = json!(uuid::Uuid::now_v7().to_string());
        forged["seq"] = json!(3);
        forged["prev_hash"] = line["hash"].clone();
        forged["reason"] = json!("approved by the board");
        let hash = hash_of(&forged);
        let uuid = |v: &Value| -> sea_orm::Value {
            v.as_str().map(|s| s.parse::<uuid::Uuid>().unwrap()).into()
        };
        let json_of = |v: &Value| sea_orm::Value::Json((!v.is_null()).then(|| Box::new(v.clone())));
        Statement::from_sql_and_values(
            app.db.conn().get_database_backend(),
            "INSERT INTO audit_logs (id, organization_id, task_id, task_key, action, performed_by, \
             performed_by_name, old_value, new_value, reason, timestamp, seq, prev_hash, hash) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
            vec![
                uuid(&forged["id"]),
                uuid(&forged["organization"]),
                uuid(&forged["task_id"]),
                forged["task_key"].as_str().unwrap().into(),
                forged["action"].as_str().unwrap().into(),
                uuid(&forged["performed_by"]),
                forged["performed_by_name"].as_str().unwrap().into(),
                json_of(&forged["old_value"]),
                json_of(&forged["new_value"]),
                "approved by the board".into(),
                chrono::DateTime::from_timestamp_micros(forged["timestamp_us"].as_i64().unwrap())
                    .unwrap()
                    .into(),
                3i64.into(),
                forged["prev_hash"].as_str().unwrap().into(),
                hash.into(),
            ],
        )
    };
    for case in ["modified", "deleted", "inserted", "outside"] {
        let app = TestApp::spawn().await;
        let org = app.setup_org("acme").await;
        history(&app, &org.admin).await;
        let lines = export(&app, &org.admin).await;
        match case {
            "modified" => {
                tamper(
                    &app,
                    &["UPDATE audit_logs SET reason = 'tampered' WHERE seq = 3"],
                )
                .await
            }
            "deleted" => tamper(&app, &["DELETE FROM audit_logs WHERE seq = 3"]).await,
            "inserted" => {
                tamper(
                    &app,
                    &[
                        "UPDATE audit_logs SET seq = -seq WHERE seq >= 3",
                        "UPDATE audit_logs SET seq = 1 - seq WHERE seq < 0",
                    ],
                )
                .await;
                let tx = app.db.conn().begin().await.unwrap();
                if app.db.backend() == Backend::Postgres {
                    tx.execute_unprepared("SET LOCAL session_replication_role = replica")
                        .await
                        .unwrap();
                }
                tx.execute_raw(insert(&app, &lines[1])).await.unwrap();
                tx.commit().await.unwrap();
            }
            _ => {
                // An entry slipped in without a place in the chain.
                let new_id = match app.db.backend() {
                    Backend::Postgres => "gen_random_uuid()",
                    Backend::Sqlite => "randomblob(16)",
                };
                tamper(
                    &app,
                    &[&format!(
                        "INSERT INTO audit_logs (id, organization_id, task_id, task_key, action, \
                         performed_by, performed_by_name, old_value, new_value, reason, timestamp) \
                         SELECT {new_id}, organization_id, task_id, task_key, action, performed_by, \
                         performed_by_name, old_value, new_value, 'backdated', timestamp \
                         FROM audit_logs WHERE seq = 2"
                    )],
                )
                .await;
            }
        }
        let found = problems(&app, "acme").await;
        let first = found
            .first()
            .unwrap_or_else(|| panic!("{case}: nothing found"));
        let (seq, what) = match case {
            "modified" => (3, "entry #3 was modified".to_string()),
            "deleted" => (3, "entry #3 is missing (deleted)".to_string()),
            "inserted" => (
                4,
                "entry #4 does not follow entry #3: an entry was inserted or removed before it"
                    .to_string(),
            ),
            _ => (lines.len() as i64 + 1, String::new()),
        };
        assert_eq!(first.seq, seq, "{case}: {found:?}");
        if what.is_empty() {
            assert!(first.what.contains("is outside the chain"), "{found:?}");
        } else {
            assert_eq!(first.what, what, "{case}");
        }
    }
}

#[tokio::test]
async fn a_truncated_tail_is_found_by_a_signed_checkpoint_and_a_forged_checkpoint_by_its_signature()
{
    let clock = ManualClock::new(chrono::Utc::now());
    let app = TestApp::builder().clock(clock.clone()).spawn().await;
    let org = app.setup_org("acme").await;
    history(&app, &org.admin).await;
    let lines = export(&app, &org.admin).await;
    let n = lines.len() as i64;
    assert_eq!(
        switchyard_app::audit::sign_checkpoints(&app.app, false)
            .await
            .unwrap(),
        1
    );
    // Nothing new: nothing to sign, however much later.
    clock.advance(chrono::Duration::hours(2));
    assert_eq!(
        switchyard_app::audit::sign_checkpoints(&app.app, false)
            .await
            .unwrap(),
        0
    );
    assert!(problems(&app, "acme").await.is_empty());

    // The last two entries go, and the head is moved back to match: the chain alone still
    // looks whole, the checkpoint does not.
    let keep = &lines[n as usize - 3];
    tamper(
        &app,
        &[
            &format!("DELETE FROM audit_logs WHERE seq > {}", n - 2),
            &format!(
                "UPDATE audit_chain_heads SET seq = {}, hash = '{}'",
                n - 2,
                keep["hash"].as_str().unwrap()
            ),
        ],
    )
    .await;
    let found = problems(&app, "acme").await;
    assert_eq!(
        found,
        vec![Problem {
            seq: n - 1,
            what: format!(
                "entries #{} to #{n} are missing: the log was truncated after #{}",
                n - 1,
                n - 2
            ),
        }]
    );

    // A checkpoint rewritten to vouch for the shorter chain has no valid signature.
    tamper(
        &app,
        &[&format!(
            "UPDATE audit_checkpoints SET seq = {}, hash = '{}'",
            n - 2,
            keep["hash"].as_str().unwrap()
        )],
    )
    .await;
    let found = problems(&app, "acme").await;
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].seq, n - 2);
    assert!(found[0].what.contains("invalid signature"), "{found:?}");
}

#[tokio::test]
async fn an_erasure_rewrites_names_and_the_chain_still_verifies() {
    let app = TestApp::spawn().await;
    let org = app.setup_org("acme").await;
    let (quin, quin_token) = app.add_user(&org.admin, "quentin", "engineer").await;
    let task = app.create_task(&quin_token, "Theirs", json!({})).await;
    app.post(
        &format!("/api/v1/tasks/{}/assign/", task["id"].as_str().unwrap()),
        &org.admin,
        json!({"user_id": quin}),
    )
    .await
    .expect(200);
    app.post(
        &format!("/api/v1/users/{quin}/deactivate/"),
        &org.admin,
        json!({}),
    )
    .await
    .expect(200);
    app.post(
        &format!("/api/v1/users/{quin}/erase/"),
        &org.admin,
        json!({"reason": "GDPR request 7"}),
    )
    .await
    .expect(200);
    let lines = export(&app, &org.admin).await;
    let text = serde_json::to_string(&lines).unwrap();
    assert!(!text.contains("quentin"), "{text}");
    assert!(text.contains("deleted-user-"));
    assert!(problems(&app, "acme").await.is_empty());
}

#[tokio::test]
async fn entries_written_before_the_chain_existed_are_chained_by_the_migration() {
    let app = TestApp::spawn().await;
    let org = app.setup_org("acme").await;
    history(&app, &org.admin).await;
    let before = export(&app, &org.admin).await.len();
    // Back to the schema of migration 14 for the audit log: no chain columns, heads,
    // checkpoints or triggers (migration 18, the keys, stays applied).
    let mut down = vec![
        "DROP TABLE audit_checkpoints",
        "DROP TABLE audit_chain_heads",
        "DROP INDEX audit_logs_org_seq_idx",
        "ALTER TABLE audit_logs DROP COLUMN seq",
        "ALTER TABLE audit_logs DROP COLUMN prev_hash",
        "ALTER TABLE audit_logs DROP COLUMN hash",
        "DELETE FROM schema_migrations WHERE version BETWEEN 15 AND 17",
    ];
    if app.db.backend() == Backend::Sqlite {
        down.insert(0, "DROP TABLE audit_erasures");
    }
    tamper(&app, &down).await;

    assert_eq!(switchyard_store::migrate(&app.db).await.unwrap(), 3);
    let lines = export(&app, &org.admin).await;
    assert_eq!(lines.len(), before);
    assert!(problems(&app, "acme").await.is_empty());
    // New changes continue the chain.
    app.create_task(&org.admin, "After", json!({})).await;
    let lines = export(&app, &org.admin).await;
    assert_eq!(lines.last().unwrap()["seq"], before as i64 + 1);
    assert!(problems(&app, "acme").await.is_empty());
    // And the append-only triggers are back.
    assert!(
        app.db
            .conn()
            .execute_unprepared("UPDATE audit_logs SET reason = 'x'")
            .await
            .is_err()
    );
}
