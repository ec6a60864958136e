//! Settings of the HTTP layer, filled by the binary from flags and environment.

use std::time::Duration;

/// A secret that never prints itself.
#[derive(Clone)]
pub struct Secret(Vec<u8>);

impl Secret {
    /// Wraps key material.
    pub fn new(bytes: impl Into<Vec<u8>>) -> Self {
        Secret(bytes.into())
    }

    /// The raw bytes, for the signer only.
    pub fn expose(&self) -> &[u8] {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// API behaviour that operators may tune.
#[derive(Debug, Clone)]
pub struct ApiConfig {
    /// HMAC key for JWTs (at least 32 bytes).
    pub jwt_secret: Secret,
    pub access_ttl: Duration,
    pub refresh_ttl: Duration,
    /// Whether `POST /auth/register/` is open.
    pub allow_registration: bool,
    /// Whether `POST /setup/` is open.
    pub allow_setup: bool,
    /// Failed logins per account within [`Self::login_failure_window`] before 429.
    pub login_failures_per_account: u64,
    pub login_failure_window: Duration,
    /// Largest accepted request body in bytes.
    pub body_limit: usize,
    /// Whether the server runs with the demo organization (the dashboard hints its logins).
    pub demo: bool,
    /// Requests to login, setup and register per client address per minute (0 = off).
    pub rate_limit_per_address: u64,
    /// How many reverse proxies in front append to `X-Forwarded-For` (0 = ignore the header
    /// and use the connection's address).
    pub trusted_proxy_hops: usize,
    /// Origins allowed for cross-origin browser clients (empty = same origin only).
    pub cors_origins: Vec<String>,
    /// Send `Strict-Transport-Security` (when served over TLS).
    pub hsts: bool,
}

impl ApiConfig {
    /// Defaults suitable for tests and development, with the given key.
    pub fn with_secret(secret: Secret) -> Self {
        ApiConfig {
            jwt_secret: secret,
            access_ttl: Duration::from_secs(3600),
            refresh_ttl: Duration::from_secs(7 * 24 * 3600),
            allow_registration: true,
            allow_setup: true,
            login_failures_per_account: 10,
            login_failure_window: Duration::from_secs(15 * 60),
            body_limit: 1024 * 1024,
            demo: false,
            rate_limit_per_address: 60,
            trusted_proxy_hops: 0,
            cors_origins: Vec::new(),
            hsts: false,
        }
    }
}
