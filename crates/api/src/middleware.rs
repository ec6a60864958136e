//! Cross-cutting request handling: trailing slashes, request ids, one log line and metrics
//! per request.

use std::time::Instant;

use axum::{
    extract::{MatchedPath, Request},
    http::{HeaderValue, Uri},
    middleware::Next,
    response::{IntoResponse, Response},
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

/// Runs a request that may write (any method but GET, HEAD and OPTIONS) on a task of its
/// own, so a client that disconnects or times out mid-request cannot cancel it halfway: its
/// unit of work commits or rolls back as if the client had stayed, and its connection goes
/// back to the pool outside any transaction. The answer is simply not delivered.
pub async fn run_to_completion(req: Request, next: Next) -> Response {
    if req.method().is_safe() {
        return next.run(req).await;
    }
    match tokio::spawn(next.run(req)).await {
        Ok(response) => response,
        // Logged (with the cause) by the 500's own response.
        Err(e) => {
            crate::error::ApiError::Internal(format!("request task failed: {e}")).into_response()
        }
    }
}

/// Longest URI the API reads (`414` with the JSON error shape above it).
pub const MAX_URI_BYTES: usize = 8 * 1024;
/// Largest header block the API reads (`431` with the JSON error shape above it).
pub const MAX_HEADER_BYTES: usize = 32 * 1024;

/// Refuses over-long URIs and header blocks with the API's JSON error shape (hyper's own
/// limits, set higher, would answer with an empty body).
pub async fn limit_head(req: Request, next: Next) -> Response {
    let uri_bytes = req.uri().path_and_query().map_or(0, |p| p.as_str().len());
    if uri_bytes > MAX_URI_BYTES {
        return closing(crate::error::ApiError::UriTooLong.into_response());
    }
    let header_bytes: usize = req
        .headers()
        .iter()
        .map(|(k, v)| k.as_str().len() + v.len() + 4)
        .sum();
    if header_bytes > MAX_HEADER_BYTES {
        return closing(crate::error::ApiError::HeadersTooLarge.into_response());
    }
    next.run(req).await
}

/// How large a request body may be, and how long it may take to arrive.
#[derive(Debug, Clone, Copy)]
pub struct BodyLimits {
    pub bytes: usize,
    pub timeout: std::time::Duration,
    /// The largest attachment (its multipart body may be a little larger).
    pub attachment_bytes: usize,
}

/// Room for a multipart body's boundaries and part headers around its file.
const MULTIPART_FRAMING: usize = 64 * 1024;

impl BodyLimits {
    /// The limit of a request to `method path`: larger for the routes that take files.
    fn of(&self, method: &axum::http::Method, path: &str) -> usize {
        if path == "/api/v1/users/me/avatar" {
            self.bytes.max(UPLOAD_LIMIT)
        } else if method == axum::http::Method::POST && is_attachment_upload(path) {
            self.bytes.max(self.attachment_bytes + MULTIPART_FRAMING)
        } else {
            self.bytes
        }
    }

    /// How long a body of at most `limit` bytes may take to arrive: file uploads get ten
    /// times the usual time (25 MB at 1 MB/s).
    fn timeout_for(&self, limit: usize) -> std::time::Duration {
        if limit > self.bytes {
            self.timeout * 10
        } else {
            self.timeout
        }
    }

    /// The largest body any route takes.
    pub fn largest(&self) -> usize {
        self.bytes
            .max(UPLOAD_LIMIT)
            .max(self.attachment_bytes + MULTIPART_FRAMING)
    }
}

/// `/api/v1/tasks/<id>/attachments` (trailing slash already trimmed).
fn is_attachment_upload(path: &str) -> bool {
    path.strip_prefix("/api/v1/tasks/")
        .and_then(|rest| rest.strip_suffix("/attachments"))
        .is_some_and(|id| !id.is_empty() && !id.contains('/'))
}

/// Reads the whole request body before anything looks at the request, within
/// [`BodyLimits`]. So a request refused early (401, 403, 415, 429) has still had its body
/// read, and the keep-alive connection stays usable for the client's next request. A body
/// that is too large (`413`) or too slow (`408`) is answered with `Connection: close`, since
/// the rest of it is never read.
/// The body limit of profile pictures (a 2 MB picture and its multipart framing).
pub const UPLOAD_LIMIT: usize = 3 * 1024 * 1024;

pub async fn read_whole_body(
    axum::extract::State(limits): axum::extract::State<BodyLimits>,
    req: Request,
    next: Next,
) -> Response {
    use axum::http::header::CONTENT_LENGTH;
    let declared = req
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let chunked = req
        .headers()
        .contains_key(axum::http::header::TRANSFER_ENCODING);
    if declared.unwrap_or(0) == 0 && !chunked {
        return next.run(req).await;
    }
    let limit = limits.of(req.method(), req.uri().path());
    if declared.is_some_and(|n| n > limit as u64) {
        return closing(crate::error::ApiError::PayloadTooLarge.into_response());
    }
    let (parts, body) = req.into_parts();
    let read = tokio::time::timeout(limits.timeout_for(limit), axum::body::to_bytes(body, limit));
    match read.await {
        Ok(Ok(bytes)) => {
            next.run(Request::from_parts(parts, axum::body::Body::from(bytes)))
                .await
        }
        Ok(Err(e)) if is_length_limit(&e) => {
            closing(crate::error::ApiError::PayloadTooLarge.into_response())
        }
        // The client broke off mid-body; no one reads this answer.
        Ok(Err(_)) => closing(
            crate::error::ApiError::bad_request(
                switchyard_app::ErrorCode::Invalid,
                "The request body could not be read.",
            )
            .into_response(),
        ),
        Err(_) => closing(crate::error::ApiError::RequestTimeout.into_response()),
    }
}

fn is_length_limit(e: &axum::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(s) = source {
        if s.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        source = s.source();
    }
    false
}

/// `response` with `Connection: close`: the rest of the request was not read, so the
/// connection cannot carry another one.
fn closing(mut response: Response) -> Response {
    response.headers_mut().insert(
        axum::http::header::CONNECTION,
        HeaderValue::from_static("close"),
    );
    response
}
