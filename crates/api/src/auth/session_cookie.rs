//! The dashboard's session cookie, so that a page opened in a new tab is signed in too: the
//! refresh token kept where scripts cannot read it (`HttpOnly`), sent only to the auth routes
//! (`Path`), never with a request from another site (`SameSite=Strict`), over TLS only when
//! the dashboard is served over TLS (`Secure`), and honoured only together with the
//! `X-Switchyard-Session: 1` header — which a cross-site form cannot send and a cross-site
//! script cannot send without a CORS preflight this server does not grant.
//!
//! API clients are unaffected: they send `refresh` in the body as before.

use axum::http::{HeaderMap, HeaderValue, header};

/// The cookie's name.
pub const NAME: &str = "switchyard_refresh";
/// The header that must come with every use of the cookie.
pub const HEADER: &str = "x-switchyard-session";

/// Whether the request says it acts on the cookie session.
pub fn requested(headers: &HeaderMap) -> bool {
    headers
        .get(HEADER)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim() == "1")
}

/// The refresh token in the request's cookie, if any.
pub fn token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == NAME)
        .map(|(_, value)| value.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// `Set-Cookie` that keeps `token` for `max_age` seconds.
pub fn set(token: &str, max_age: u64, secure: bool) -> HeaderValue {
    cookie(token, max_age, secure)
}

/// `Set-Cookie` that ends the session cookie.
pub fn clear(secure: bool) -> HeaderValue {
    cookie("", 0, secure)
}

fn cookie(value: &str, max_age: u64, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    // A JWT is base64url with dots: nothing in it needs quoting.
    HeaderValue::from_str(&format!(
        "{NAME}={value}; Path=/api/v1/auth/; Max-Age={max_age}; HttpOnly; SameSite=Strict{secure}"
    ))
    .unwrap_or_else(|_| {
        HeaderValue::from_static("switchyard_refresh=; Path=/api/v1/auth/; Max-Age=0")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cookie_is_found_among_others_and_carries_its_attributes() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; switchyard_refresh=abc.def; b=2"),
        );
        assert_eq!(token(&h).as_deref(), Some("abc.def"));
        assert!(!requested(&h));
        h.insert(HEADER, HeaderValue::from_static("1"));
        assert!(requested(&h));
        let set = set("abc.def", 60, true);
        assert_eq!(
            set.to_str().unwrap(),
            "switchyard_refresh=abc.def; Path=/api/v1/auth/; Max-Age=60; HttpOnly; SameSite=Strict; Secure"
        );
        assert!(
            clear(false)
                .to_str()
                .unwrap()
                .contains("Max-Age=0; HttpOnly")
        );
    }
}
