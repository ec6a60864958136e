//! Attachments through the real HTTP stack into object storage (a local directory): the
//! bytes on disk, the metadata and the quota agree after every upload, refusal and
//! deletion; downloads never render; other organizations and hidden projects see nothing.

use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};

use crate::helpers::TestApp;

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_string()
}

/// Uploads `bytes` as `name`; the status and the JSON answer.
async fn upload(
    app: &TestApp,
    token: &str,
    task: &str,
    name: &str,
    bytes: Vec<u8>,
) -> (u16, Value) {
    let part = reqwest::multipart::Part::bytes(bytes)
        .file_name(name.to_string())
        // A lie the server must not believe.
        .mime_str("image/png")
        .unwrap();
    let form = reqwest::multipart::Form::new().part("file", part);
    let resp = app
        .client
        .post(app.url(&format!("/api/v1/tasks/{task}/attachments/")))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

/// Attachment rows in the database (all organizations).
async fn rows(app: &TestApp) -> i64 {
    let c = app.db.conn();
    let row = c
        .query_one_raw(Statement::from_string(
            c.get_database_backend(),
            "SELECT COUNT(*) AS n FROM task_attachments",
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get::<i64>("", "n").unwrap()
}

async fn usage(app: &TestApp, token: &str) -> (i64, i64) {
    let u = app
        .get("/api/v1/attachments/usage/", token)
        .await
        .expect(200)
        .body;
    (
        u["used_bytes"].as_i64().unwrap(),
        u["file_count"].as_i64().unwrap(),
    )
}

#[tokio::test]
async fn a_file_is_stored_listed_downloaded_and_deleted_by_its_uploader_or_an_admin() {
    let app = TestApp::spawn().await;
    let org = app.setup_org("nova").await;
    let (_, alice) = app.add_user(&org.admin, "alice", "engineer").await;
    let (_, bob) = app.add_user(&org.admin, "bob", "engineer").await;
    let (_, vera) = app.add_user(&org.admin, "vera", "viewer").await;
    let tid = id(&app
        .create_task(&alice, "Calibrate the arm", json!({}))
        .await);
    let log = "time,temp\n0,41.5\n1,42.0\n".repeat(100).into_bytes();

    let (status, a) = upload(&app, &alice, &tid, "../thermal log.csv", log.clone()).await;
    assert_eq!(status, 201, "{a}");
    assert_eq!(a["file_name"], "thermal log.csv");
    assert_eq!(a["content_type"], "text/plain");
    assert_eq!(a["size"], log.len() as i64);
    assert_eq!(a["uploaded_by_name"], "alice");
    assert_eq!(a["can"]["delete"], true);
    assert_eq!(app.stored_files().len(), 1);
    assert_eq!(usage(&app, &alice).await, (log.len() as i64, 1));

    // A viewer reads but does not upload; bob sees it but may not delete it.
    let (status, body) = upload(&app, &vera, &tid, "x.txt", b"hello".to_vec()).await;
    assert_eq!(status, 403, "{body}");
    let list = app
        .get(&format!("/api/v1/tasks/{tid}/attachments/"), &bob)
        .await
        .expect(200)
        .body;
    assert_eq!(list["count"], 1);
    assert_eq!(list["results"][0]["can"]["delete"], false);
    let url = a["download_url"].as_str().unwrap();
    let (status, headers, bytes) = app.get_bytes(url, &vera).await;
    assert_eq!(status, 200);
    assert_eq!(bytes, log);
    assert_eq!(headers["content-type"], "text/plain");
    assert_eq!(
        headers["content-disposition"],
        "attachment; filename=\"thermal log.csv\"; filename*=UTF-8''thermal%20log.csv"
    );
    assert_eq!(headers["x-content-type-options"], "nosniff");
    let path = format!("/api/v1/tasks/{tid}/attachments/{}/", id(&a));
    app.delete(&path, &bob).await.expect(403);

    // The uploader deletes it: gone from the database, the disk and the quota; audited.
    app.delete(&path, &alice).await.expect(204);
    app.get(&path, &alice).await.expect(404);
    assert_eq!(app.stored_files().len(), 0);
    assert_eq!(rows(&app).await, 0);
    assert_eq!(usage(&app, &alice).await, (0, 0));
    let actions: Vec<String> = app
        .audit_of(&alice, &tid)
        .await
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(actions[..2], ["attachment_removed", "attachment_added"]);

    // An admin deletes anyone's file.
    let (_, b) = upload(&app, &bob, &tid, "b.bin", vec![0, 1, 2, 3, 255]).await;
    assert_eq!(b["content_type"], "application/octet-stream");
    app.delete(
        &format!("/api/v1/tasks/{tid}/attachments/{}/", id(&b)),
        &org.admin,
    )
    .await
    .expect(204);
    assert_eq!(app.stored_files().len(), 0);
}

#[tokio::test]
async fn an_html_file_is_downloaded_as_an_attachment_never_rendered() {
    let app = TestApp::spawn().await;
    let org = app.setup_org("nova").await;
    let tid = id(&app
        .create_task(&org.admin, "Phishing report", json!({}))
        .await);
    let page = b"<!DOCTYPE html><html><body><script>fetch('/api/v1/users/')</script></body></html>";
    let (status, a) = upload(&app, &org.admin, &tid, "invoice.html", page.to_vec()).await;
    assert_eq!(status, 201, "{a}");
    let (status, headers, bytes) = app
        .get_bytes(a["download_url"].as_str().unwrap(), &org.admin)
        .await;
    assert_eq!(status, 200);
    assert_eq!(bytes, page);
    let served = headers["content-type"].to_str().unwrap();
    assert!(!served.contains("html"), "served as {served}");
    assert!(
        headers["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment;")
    );
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert!(
        headers["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("sandbox")
    );
}

#[tokio::test]
async fn a_file_over_the_limit_is_refused_with_413_and_nothing_is_stored() {
    let app = TestApp::spawn().await;
    let org = app.setup_org("nova").await;
    let tid = id(&app.create_task(&org.admin, "Big upload", json!({})).await);
    // 26 MB against the default 25 MB: refused before the body is read.
    let (status, body) = upload(
        &app,
        &org.admin,
        &tid,
        "dump.bin",
        vec![7u8; 26 * 1024 * 1024],
    )
    .await;
    assert_eq!(status, 413, "{body}");
    // Just over 25 MB: the body fits the multipart framing, the file does not.
    let (status, body) = upload(
        &app,
        &org.admin,
        &tid,
        "dump.bin",
        vec![7u8; 25 * 1024 * 1024 + 1],
    )
    .await;
    assert_eq!(status, 413, "{body}");
    assert_eq!(body["code"], "file_too_large");
    assert_eq!(body["detail"], "The file is larger than 25 MB.");
    assert_eq!(app.stored_files().len(), 0);
    assert_eq!(rows(&app).await, 0);
    assert_eq!(usage(&app, &org.admin).await, (0, 0));
    // Exactly 25 MB is accepted.
    let (status, body) = upload(
        &app,
        &org.admin,
        &tid,
        "dump.bin",
        vec![7u8; 25 * 1024 * 1024],
    )
    .await;
    assert_eq!(status, 201, "{body}");
    // An empty file or a form without `file` is a 400.
    let (status, body) = upload(&app, &org.admin, &tid, "empty.txt", Vec::new()).await;
    assert_eq!(status, 400, "{body}");
    let resp = app
        .client
        .post(app.url(&format!("/api/v1/tasks/{tid}/attachments/")))
        .bearer_auth(&org.admin)
        .multipart(reqwest::multipart::Form::new().text("other", "x"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 400);
}

#[tokio::test]
async fn concurrent_uploads_cannot_overshoot_an_organizations_quota() {
    let app = TestApp::builder()
        .config(|c| c.app.storage_quota_bytes = 100_000)
        .spawn()
        .await;
    let org = app.setup_org("nova").await;
    let other = app.setup_org("orbit").await;
    let tid = id(&app.create_task(&org.admin, "Many files", json!({})).await);
    let uploads = (0..8).map(|i| {
        let (app, token, tid) = (&app, org.admin.clone(), tid.clone());
        async move {
            upload(
                app,
                &token,
                &tid,
                &format!("f{i}.bin"),
                vec![i as u8 + 1; 30_000],
            )
            .await
        }
    });
    let results = futures::future::join_all(uploads).await;
    let created = results.iter().filter(|(s, _)| *s == 201).count();
    assert_eq!(created, 3, "{results:?}");
    for (status, body) in results.iter().filter(|(s, _)| *s != 201) {
        assert_eq!(*status, 413, "{body}");
        assert_eq!(body["code"], "storage_quota_exceeded");
    }
    assert_eq!(usage(&app, &org.admin).await, (90_000, 3));
    assert_eq!(app.stored_files().len(), 3);
    assert_eq!(rows(&app).await, 3);
    // The quota is each organization's own.
    let otid = id(&app.create_task(&other.admin, "Elsewhere", json!({})).await);
    let (status, body) = upload(&app, &other.admin, &otid, "o.bin", vec![9; 30_000]).await;
    assert_eq!(status, 201, "{body}");
}

#[tokio::test]
async fn deleting_a_task_removes_its_files_from_storage() {
    let app = TestApp::spawn().await;
    let org = app.setup_org("nova").await;
    let doomed = id(&app.create_task(&org.admin, "Doomed", json!({})).await);
    let kept = id(&app.create_task(&org.admin, "Kept", json!({})).await);
    upload(&app, &org.admin, &doomed, "a.txt", b"first file".to_vec()).await;
    upload(&app, &org.admin, &doomed, "b.txt", b"second file".to_vec()).await;
    let (_, k) = upload(&app, &org.admin, &kept, "c.txt", b"kept file".to_vec()).await;
    assert_eq!(app.stored_files().len(), 3);
    app.delete(&format!("/api/v1/tasks/{doomed}/"), &org.admin)
        .await
        .expect(204);
    let left = app.stored_files();
    assert_eq!(left.len(), 1, "{left:?}");
    assert!(left[0].ends_with(k["id"].as_str().unwrap().replace('-', "")));
    assert_eq!(rows(&app).await, 1);
    assert_eq!(usage(&app, &org.admin).await, (9, 1));
    // No empty folder of the deleted task is left behind either.
    let folders: Vec<_> = walkdir(&left[0]);
    assert!(
        !folders.iter().any(|f| f.contains(&doomed.replace('-', ""))),
        "{folders:?}"
    );
    // And the organization's deletion takes the rest.
    app.delete(&format!("/api/v1/organizations/{}/", org.id), &org.admin)
        .await
        .expect(204);
    assert_eq!(app.stored_files().len(), 0);
}

/// The folders beside and above a stored file, up to the storage root.
fn walkdir(file: &std::path::Path) -> Vec<String> {
    let org_dir = file.parent().and_then(|p| p.parent()).unwrap();
    std::fs::read_dir(org_dir)
        .unwrap()
        .flatten()
        .map(|e| e.path().display().to_string())
        .collect()
}

#[tokio::test]
async fn other_organizations_and_hidden_projects_do_not_reach_attachments() {
    let app = TestApp::spawn().await;
    let org = app.setup_org("nova").await;
    let other = app.setup_org("orbit").await;
    let (mia, mia_t) = app.add_user(&org.admin, "mia", "engineer").await;
    let (_, out_t) = app.add_user(&org.admin, "outsider", "engineer").await;
    let (vic, vic_t) = app.add_user(&org.admin, "vic", "engineer").await;
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
    for (user, role) in [(&mia, "editor"), (&vic, "viewer")] {
        app.post(
            &format!("/api/v1/projects/{pid}/members/"),
            &org.admin,
            json!({"user": user, "role": role}),
        )
        .await
        .expect(201);
    }
    let tid = id(&app
        .create_task(&mia_t, "Rotate keys", json!({"project": pid}))
        .await);
    let (status, a) = upload(&app, &mia_t, &tid, "keys.txt", b"rotation plan".to_vec()).await;
    assert_eq!(status, 201, "{a}");
    let path = format!("/api/v1/tasks/{tid}/attachments/{}/", id(&a));
    let download_url = a["download_url"].as_str().unwrap().to_string();

    // Another organization's admin: every route is a 404, with their own task id too.
    let otid = id(&app.create_task(&other.admin, "Theirs", json!({})).await);
    let crossed = format!("/api/v1/tasks/{otid}/attachments/{}/", id(&a));
    for token in [&other.admin, &out_t] {
        app.get(&format!("/api/v1/tasks/{tid}/attachments/"), token)
            .await
            .expect(404);
        app.get(&path, token).await.expect(404);
        assert_eq!(app.get_bytes(&download_url, token).await.0, 404);
        app.delete(&path, token).await.expect(404);
        let (status, _) = upload(&app, token, &tid, "x.txt", b"x".to_vec()).await;
        assert_eq!(status, 404);
    }
    app.get(&crossed, &other.admin).await.expect(404);
    app.delete(&crossed, &other.admin).await.expect(404);
    assert_eq!(
        app.get_bytes(&format!("{crossed}download/"), &other.admin)
            .await
            .0,
        404
    );

    // The project's viewer reads and downloads, but does not upload.
    app.get(&path, &vic_t).await.expect(200);
    assert_eq!(app.get_bytes(&download_url, &vic_t).await.0, 200);
    let (status, _) = upload(&app, &vic_t, &tid, "x.txt", b"x".to_vec()).await;
    assert_eq!(status, 403);
    assert_eq!(app.stored_files().len(), 1);
    assert_eq!(rows(&app).await, 1);
}
