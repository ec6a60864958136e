//! The browser dashboard: a single-page application whose files are embedded in the binary
//! at compile time (no CDN, no Node at build time), served at `/` and `/assets/…`.
//!
//! The page talks only to the public `/api/v1` API, so it doubles as proof that the API is
//! enough to build a real client.

use axum::{
    Router,
    extract::{Path, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
    routing::get,
};
use rust_embed::RustEmbed;

use switchyard_app::demo;

use crate::{error::ApiError, state::AppState};

/// The dashboard's files (`crates/api/web`).
#[derive(RustEmbed)]
#[folder = "web/"]
struct Assets;

/// Routes of the dashboard, merged beside the API.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(index))
        .route("/assets/{*path}", get(asset))
        .route("/tasks/{key}", get(task_link))
        // Pages that emails link to; the token rides in the fragment, never in a URL the
        // server or a proxy logs.
        .route("/accept-invitation", get(index))
        .route("/reset-password", get(index))
}

/// `/tasks/<task key>`, the link emails carry: the dashboard's page for that key (which
/// signs the reader in first when needed).
async fn task_link(Path(key): Path<String>) -> Response {
    let safe: String = key
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    axum::response::Redirect::to(&format!("/#/tasks/key/{safe}")).into_response()
}

/// The application shell. With `--demo` it carries the demo logins for the login page.
async fn index(State(state): State<AppState>) -> Response {
    let Some(file) = Assets::get("index.html") else {
        return ApiError::NotFound.into_response();
    };
    let html = String::from_utf8_lossy(&file.data);
    let demo_attrs = if state.config.demo {
        let users: Vec<&str> = demo::DEMO_USERS.iter().map(|(name, ..)| *name).collect();
        format!(
            " data-demo-users=\"{}\" data-demo-password=\"{}\"",
            escape_attr(&users.join(",")),
            escape_attr(demo::DEMO_PASSWORD)
        )
    } else {
        String::new()
    };
    let html = html.replacen("<body>", &format!("<body{demo_attrs}>"), 1);
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        html,
    )
        .into_response()
}

/// A static file, revalidated by its content hash so a new binary never serves stale code.
async fn asset(Path(path): Path<String>, headers: HeaderMap) -> Response {
    let Some(file) = Assets::get(&path).filter(|_| path != "index.html") else {
        return ApiError::NotFound.into_response();
    };
    let etag = format!(
        "\"{}\"",
        file.metadata
            .sha256_hash()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    );
    let etag_value = HeaderValue::from_str(&etag).expect("hex is a valid header value");
    let mime = HeaderValue::from_str(file.metadata.mimetype())
        .unwrap_or(HeaderValue::from_static("application/octet-stream"));
    let cache = (header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    if headers
        .get(header::IF_NONE_MATCH)
        .is_some_and(|v| v.as_bytes() == etag.as_bytes())
    {
        return (
            StatusCode::NOT_MODIFIED,
            [(header::ETAG, etag_value), cache],
        )
            .into_response();
    }
    (
        [
            (header::CONTENT_TYPE, mime),
            (header::ETAG, etag_value),
            cache,
        ],
        file.data.into_owned(),
    )
        .into_response()
}

/// Escapes a value for a double-quoted HTML attribute.
fn escape_attr(value: &str) -> String {
    value
        .replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_script_the_shell_loads_is_embedded() {
        let shell = Assets::get("index.html").expect("index.html embedded");
        let html = String::from_utf8_lossy(&shell.data).to_string();
        for part in html.split("src=\"/assets/").skip(1) {
            let path = part.split('"').next().unwrap();
            assert!(Assets::get(path).is_some(), "{path} is not embedded");
        }
        assert!(
            html.contains("<body>"),
            "the demo attributes need a bare <body>"
        );
    }

    #[test]
    fn attributes_are_escaped() {
        assert_eq!(escape_attr("a\"<b>&"), "a&quot;&lt;b&gt;&amp;");
    }
}
