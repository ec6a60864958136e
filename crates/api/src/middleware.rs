//! Cross-cutting request handling: trailing slashes, request ids, one log line and metrics
//! per request.

use std::time::Instant;

use axum::{
    extract::{MatchedPath, Request},
    http::{HeaderValue, Uri},
    middleware::Next,
    response::Response,
};

/// Header carrying the request id in and out.
pub const REQUEST_ID: &str = "x-request-id";

/// Trims one trailing slash from API paths so `/users/` and `/users` are the same route.
/// The docs UI keeps its own slashes.
pub fn trim_trailing_slash(mut req: Request) -> Request {
    let path = req.uri().path();
    if path.len() > 1 && path.ends_with('/') && !path.starts_with("/api/docs") {
        let trimmed = path.trim_end_matches('/');
        let trimmed = if trimmed.is_empty() { "/" } else { trimmed };
        let new = match req.uri().query() {
            Some(q) => format!("{trimmed}?{q}"),
            None => trimmed.to_string(),
        };
        if let Ok(uri) = new.parse::<Uri>() {
            *req.uri_mut() = uri;
        }
    }
    req
}

/// Logs one structured line per request and records Prometheus metrics.
pub async fn log_and_measure(req: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = req.method().clone();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "unmatched".to_string());
    let request_id = req
        .headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-")
        .to_string();
    let response = next.run(req).await;
    let status = response.status().as_u16();
    let elapsed = start.elapsed();
    tracing::info!(
        target: "switchyard::http",
        method = %method,
        route = %route,
        status,
        latency_ms = elapsed.as_secs_f64() * 1000.0,
        request_id = %request_id,
        "request"
    );
    let labels = [
        ("method", method.to_string()),
        ("route", route),
        ("status", status.to_string()),
    ];
    metrics::counter!("http_requests_total", &labels).increment(1);
    metrics::histogram!("http_request_duration_seconds", &labels).record(elapsed.as_secs_f64());
    response
}

/// Makes sure a request id header is present (kept from the client when it sent a sane one).
pub fn ensure_request_id(mut req: Request) -> Request {
    let ok = req
        .headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            !v.is_empty() && v.len() <= 128 && v.chars().all(|c| c.is_ascii_graphic())
        });
    if !ok && let Ok(v) = HeaderValue::from_str(&uuid::Uuid::new_v4().to_string()) {
        req.headers_mut().insert(REQUEST_ID, v);
    }
    req
}
