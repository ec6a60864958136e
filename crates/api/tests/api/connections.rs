//! The HTTP connection itself, driven with raw TCP as a pooled client uses it: a refused
//! request leaves its keep-alive connection usable (or says `Connection: close`), over-long
//! URIs and headers get the JSON error shape, and slow or silent clients are cut off.

use std::time::Duration;

use serde_json::Value;
use switchyard_api::ServeOptions;
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};

use crate::helpers::TestApp;

/// One HTTP/1.1 response read off a raw connection.
#[derive(Debug)]
struct Raw {
    status: u16,
    head: String,
    body: Value,
}

impl Raw {
    fn closes(&self) -> bool {
        self.head.to_ascii_lowercase().contains("connection: close")
    }
}

/// Reads one response (head and `Content-Length` body); `None` if the server closed first.
async fn read_response(stream: &mut TcpStream) -> Option<Raw> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let n = tokio::time::timeout(Duration::from_secs(10), stream.read(&mut chunk))
            .await
            .expect("response in time")
            .ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
    let status = head[9..12].parse().unwrap();
    let length: usize = head
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse().unwrap())
        })
        .unwrap_or(0);
    while buf.len() < head_end + length {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let body = serde_json::from_slice(&buf[head_end..]).unwrap_or(Value::Null);
    Some(Raw { status, head, body })
}

async fn send(stream: &mut TcpStream, request: &[u8]) {
    stream.write_all(request).await.unwrap();
}

fn post(path: &str, headers: &str, body: &str) -> Vec<u8> {
    format!(
        "POST {path} HTTP/1.1\r\nHost: test\r\n{headers}Content-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

const NEXT: &[u8] = b"GET /health/live HTTP/1.1\r\nHost: test\r\n\r\n";

/// After `refused`, the same connection serves a GET, or the refusal said it would close.
async fn next_request_works_or_close_was_announced(app: &TestApp, refused: Vec<u8>, status: u16) {
    let mut stream = TcpStream::connect(app.addr).await.unwrap();
    send(&mut stream, &refused).await;
    let first = read_response(&mut stream).await.expect("an answer");
    assert_eq!(first.status, status, "{first:?}");
    assert!(first.body["code"].is_string(), "JSON error body: {first:?}");
    if first.closes() {
        return;
    }
    send(&mut stream, NEXT).await;
    let next = read_response(&mut stream)
        .await
        .expect("the connection was closed without Connection: close");
    assert_eq!(next.status, 200);
}

#[tokio::test]
async fn a_keep_alive_connection_survives_refused_requests() {
    let app = TestApp::builder()
        .config(|c| c.body_limit = 64 * 1024)
        .spawn()
        .await;
    let org = app.setup_org("keepalive").await;
    let json = "Content-Type: application/json\r\n";
    let body = r#"{"title": "a task that is refused"}"#;
    // 401: no token.
    next_request_works_or_close_was_announced(&app, post("/api/v1/tasks/", json, body), 401).await;
    // 415: not JSON.
    let auth = format!(
        "Authorization: Bearer {}\r\nContent-Type: text/plain\r\n",
        org.admin
    );
    next_request_works_or_close_was_announced(&app, post("/api/v1/tasks/", &auth, body), 415).await;
    // 413: the rest of the body is never read, so the answer must close.
    let big = "x".repeat(100 * 1024);
    let mut stream = TcpStream::connect(app.addr).await.unwrap();
    send(&mut stream, &post("/api/v1/tasks/", json, &big)).await;
    let refused = read_response(&mut stream).await.expect("an answer");
    assert_eq!(refused.status, 413);
    assert!(refused.closes(), "{refused:?}");
    // 401 after a body the server did read: still usable.
    let mut stream = TcpStream::connect(app.addr).await.unwrap();
    send(&mut stream, &post("/api/v1/tasks/", json, body)).await;
    assert_eq!(read_response(&mut stream).await.unwrap().status, 401);
    send(&mut stream, NEXT).await;
    assert_eq!(read_response(&mut stream).await.unwrap().status, 200);
}

#[tokio::test]
async fn over_long_uris_and_headers_get_the_json_error_shape() {
    let app = TestApp::spawn().await;
    let mut stream = TcpStream::connect(app.addr).await.unwrap();
    let uri = format!("/api/v1/tasks/?search={}", "a".repeat(10 * 1024));
    send(
        &mut stream,
        format!("GET {uri} HTTP/1.1\r\nHost: t\r\n\r\n").as_bytes(),
    )
    .await;
    let r = read_response(&mut stream).await.unwrap();
    assert_eq!(r.status, 414);
    assert_eq!(r.body["code"], "uri_too_long");

    let mut stream = TcpStream::connect(app.addr).await.unwrap();
    let headers: String = (0..40)
        .map(|i| format!("X-Filler-{i}: {}\r\n", "b".repeat(1000)))
        .collect();
    send(
        &mut stream,
        format!("GET /health/live HTTP/1.1\r\nHost: t\r\n{headers}\r\n").as_bytes(),
    )
    .await;
    let r = read_response(&mut stream).await.unwrap();
    assert_eq!(r.status, 431);
    assert_eq!(r.body["code"], "headers_too_large");
}

#[tokio::test]
async fn a_half_sent_head_and_a_trickling_body_are_cut_off() {
    let app = TestApp::builder()
        .config(|c| c.body_timeout = Duration::from_secs(1))
        .serve_options(ServeOptions {
            header_timeout: Duration::from_secs(1),
            ..ServeOptions::default()
        })
        .spawn()
        .await;
    // A head that never ends: the connection is closed after the header timeout.
    let started = std::time::Instant::now();
    let mut head = TcpStream::connect(app.addr).await.unwrap();
    send(
        &mut head,
        b"GET /health/live HTTP/1.1\r\nHost: t\r\nX-Slow: ",
    )
    .await;
    let mut sink = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(5), head.read_to_end(&mut sink)).await;
    assert!(read.is_ok(), "a half-sent head held its connection for 5 s");
    assert!(started.elapsed() >= Duration::from_millis(900));

    // An idle keep-alive connection is closed after the same timeout.
    let mut idle = TcpStream::connect(app.addr).await.unwrap();
    send(&mut idle, NEXT).await;
    assert_eq!(read_response(&mut idle).await.unwrap().status, 200);
    let read = tokio::time::timeout(Duration::from_secs(5), idle.read_to_end(&mut sink)).await;
    assert!(read.is_ok(), "an idle connection was kept for 5 s");

    // A body that trickles in: 408 with Connection: close after the body timeout.
    let mut slow = TcpStream::connect(app.addr).await.unwrap();
    send(
        &mut slow,
        b"POST /api/v1/auth/login/ HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"user",
    )
    .await;
    let r = read_response(&mut slow).await.expect("an answer");
    assert_eq!(r.status, 408);
    assert_eq!(r.body["code"], "request_timeout");
    assert!(r.closes());
}
