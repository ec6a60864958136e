//! Protective middleware: per-address rate limits on the unauthenticated entry points,
//! security headers on every response, and CORS for configured origins only.

use std::net::{IpAddr, SocketAddr};

use axum::{
    extract::{ConnectInfo, Request, State},
    http::{HeaderName, HeaderValue, Method, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use tower_http::cors::{AllowOrigin, CorsLayer};

use crate::{config::ApiConfig, error::ApiError, state::AppState};

/// Routes limited per client address (POST): those anyone can call without a token, and
/// those that create organizations or check a secret. `GET /invitations/lookup` too.
const LIMITED: [&str; 9] = [
    "/api/v1/auth/login",
    "/api/v1/auth/login/2fa",
    "/api/v1/auth/register",
    "/api/v1/setup",
    "/api/v1/organizations",
    "/api/v1/auth/password-reset",
    "/api/v1/auth/password-reset/confirm",
    "/api/v1/auth/change-password",
    "/api/v1/invitations/accept",
];
/// Length of a rate-limit window in seconds.
const WINDOW_SECS: i64 = 60;

/// The client's address: the connection's peer, or — behind `hops` trusted proxies — the
/// entry those proxies appended to `X-Forwarded-For`.
pub fn client_ip(req: &Request, hops: usize) -> Option<IpAddr> {
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    if hops == 0 {
        return peer;
    }
    let forwarded: Vec<&str> = req
        .headers()
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    forwarded
        .len()
        .checked_sub(hops)
        .and_then(|i| forwarded.get(i))
        .and_then(|s| s.parse().ok())
        .or(peer)
}

/// Counts requests to login, setup and register per client address in a shared
/// fixed window; past the limit answers 429 with `Retry-After`.
pub async fn rate_limit(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let limit = state.config.rate_limit_per_address;
    let path = req.uri().path();
    let limited = (req.method() == Method::POST && LIMITED.contains(&path))
        || (req.method() == Method::GET && path == "/api/v1/invitations/lookup");
    if limit == 0 || !limited {
        return next.run(req).await;
    }
    let Some(ip) = client_ip(&req, state.config.trusted_proxy_hops) else {
        return next.run(req).await;
    };
    let now = chrono::Utc::now().timestamp();
    let window = now - now.rem_euclid(WINDOW_SECS);
    let bucket = format!("addr:{ip}");
    let hits = async {
        let tx = state.app.db.begin_write().await?;
        let n = switchyard_store::rate_limits::hit(&tx, &bucket, window).await?;
        switchyard_store::commit(tx).await?;
        Ok::<i64, switchyard_store::StoreError>(n)
    }
    .await;
    match hits {
        Ok(n) if n as u64 > limit => {
            metrics::counter!("rate_limited_total").increment(1);
            ApiError::RateLimited {
                retry_after: (window + WINDOW_SECS - now).max(1) as u64,
            }
            .into_response()
        }
        Ok(_) => next.run(req).await,
        // The limiter must not take the service down with it; log and let the request in.
        Err(e) => {
            tracing::warn!(error = %e, "rate limiter unavailable");
            next.run(req).await
        }
    }
}

/// The Content-Security-Policy: everything from this origin, no inline scripts, no framing.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
    img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; object-src 'none'; \
    frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/// Adds the security headers to every response.
pub async fn headers(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    let set = |h: &mut axum::http::HeaderMap, name: HeaderName, value: &'static str| {
        h.insert(name, HeaderValue::from_static(value));
    };
    set(h, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(h, header::X_FRAME_OPTIONS, "DENY");
    set(h, header::REFERRER_POLICY, "no-referrer");
    // A response may bring a stricter policy of its own (downloads: `sandbox`).
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        set(h, header::CONTENT_SECURITY_POLICY, CSP);
    }
    set(
        h,
        HeaderName::from_static("cross-origin-opener-policy"),
        "same-origin",
    );
    set(
        h,
        HeaderName::from_static("permissions-policy"),
        "camera=(), microphone=(), geolocation=()",
    );
    if state.config.hsts {
        set(
            h,
            header::STRICT_TRANSPORT_SECURITY,
            "max-age=31536000; includeSubDomains",
        );
    }
    resp
}

/// CORS for the configured origins only; with none, no cross-origin access at all.
pub fn cors(config: &ApiConfig) -> CorsLayer {
    let origins: Vec<HeaderValue> = config
        .cors_origins
        .iter()
        .filter_map(|o| HeaderValue::from_str(o.trim()).ok())
        .collect();
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(origins))
        .allow_methods([
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
            Method::OPTIONS,
        ])
        .allow_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            HeaderName::from_static("x-request-id"),
        ])
        .expose_headers([HeaderName::from_static("x-request-id"), header::RETRY_AFTER])
        .max_age(std::time::Duration::from_secs(600))
}
