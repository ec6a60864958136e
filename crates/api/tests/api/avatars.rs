//! Profile pictures through the real HTTP stack into object storage (a local directory):
//! re-encoded to 256×256, served to the same organization only, refused when not a picture.

use std::io::Cursor;

use crate::helpers::TestApp;

fn png(width: u32, height: u32) -> Vec<u8> {
    let img = image::RgbImage::from_pixel(width, height, image::Rgb([20, 120, 200]));
    let mut out = Vec::new();
    image::DynamicImage::ImageRgb8(img)
        .write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png)
        .unwrap();
    out
}

async fn upload(app: &TestApp, token: &str, name: &str, bytes: Vec<u8>) -> u16 {
    let part = reqwest::multipart::Part::bytes(bytes).file_name(name.to_string());
    let form = reqwest::multipart::Form::new().part("file", part);
    app.client
        .put(app.url("/api/v1/users/me/avatar/"))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn a_picture_is_squared_stored_served_to_colleagues_and_replaced() {
    let app = TestApp::spawn().await;
    let org = app.setup_org("ava").await;
    let (pia, pia_token) = app.add_user(&org.admin, "pia", "engineer").await;
    assert_eq!(upload(&app, &pia_token, "me.png", png(800, 600)).await, 204);
    let me = app
        .get("/api/v1/users/me/", &pia_token)
        .await
        .expect(200)
        .body;
    let url = me["avatar_url"].as_str().unwrap().to_string();
    assert!(url.starts_with(&format!("/api/v1/users/{pia}/avatar/?v=")));

    let (status, headers, body) = app.get_bytes(&url, &org.admin).await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "image/png");
    assert!(
        headers["cache-control"]
            .to_str()
            .unwrap()
            .contains("private")
    );
    let picture = image::load_from_memory(&body).unwrap();
    assert_eq!((picture.width(), picture.height()), (256, 256));
    // Revalidation by ETag.
    let etag = headers["etag"].to_str().unwrap().to_string();
    let resp = app
        .client
        .get(app.url(&url))
        .bearer_auth(&org.admin)
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 304);

    // Another organization sees nothing.
    let other = app.setup_org("avb").await;
    assert_eq!(app.get_bytes(&url, &other.admin).await.0, 404);

    // A new picture replaces the old one (one file stored), deleting removes it.
    assert_eq!(app.stored_files().len(), 1);
    assert_eq!(
        upload(&app, &pia_token, "new.jpg", png(300, 300)).await,
        204
    );
    assert_eq!(app.stored_files().len(), 1);
    let me = app
        .get("/api/v1/users/me/", &pia_token)
        .await
        .expect(200)
        .body;
    assert_ne!(me["avatar_url"].as_str().unwrap(), url);
    app.delete("/api/v1/users/me/avatar/", &pia_token)
        .await
        .expect(204);
    assert_eq!(app.stored_files().len(), 0);
    let me = app
        .get("/api/v1/users/me/", &pia_token)
        .await
        .expect(200)
        .body;
    assert!(me["avatar_url"].is_null());
    assert_eq!(app.get_bytes(&url, &org.admin).await.0, 404);
}

#[tokio::test]
async fn anything_but_a_picture_is_refused_and_nothing_is_stored() {
    let app = TestApp::spawn().await;
    let org = app.setup_org("avc").await;
    let php = b"<?php system($_GET['c']); ?>".to_vec();
    let svg =
        br#"<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>"#.to_vec();
    // A PNG whose header claims 50,000 x 50,000 pixels: refused before any decoding.
    let mut bomb = png(1, 1);
    bomb[16..20].copy_from_slice(&50_000u32.to_be_bytes());
    bomb[20..24].copy_from_slice(&50_000u32.to_be_bytes());
    for (name, bytes) in [
        ("shell.png", php),
        ("logo.svg", svg),
        ("bomb.png", bomb),
        ("empty.png", Vec::new()),
    ] {
        assert_eq!(upload(&app, &org.admin, name, bytes).await, 400, "{name}");
    }
    // Over 2 MB (but under the upload body limit): refused.
    let big = vec![0x89u8; 2 * 1024 * 1024 + 10];
    assert_eq!(upload(&app, &org.admin, "big.png", big).await, 400);
    // Over the body limit altogether: 413.
    let huge = vec![0u8; 4 * 1024 * 1024];
    assert_eq!(upload(&app, &org.admin, "huge.png", huge).await, 413);
    assert_eq!(app.stored_files().len(), 0);
    let me = app
        .get("/api/v1/users/me/", &org.admin)
        .await
        .expect(200)
        .body;
    assert!(me["avatar_url"].is_null());
}
