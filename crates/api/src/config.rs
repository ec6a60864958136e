//! Settings of the HTTP layer, filled by the binary from flags and environment.

pub use switchyard_app::{Secret, Settings};

/// API behaviour that operators may tune; `app` holds the use cases' own settings.
#[derive(Debug, Clone)]
pub struct ApiConfig {
    /// Sign-in, token lifetimes, registration and setup.
    pub app: Settings,
    /// Largest accepted request body in bytes.
    pub body_limit: usize,
    /// Longest a request body may take to arrive (`408` and a closed connection after it).
    pub body_timeout: std::time::Duration,
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
            app: Settings::with_secret(secret),
            body_limit: 1024 * 1024,
            body_timeout: std::time::Duration::from_secs(30),
            demo: false,
            rate_limit_per_address: 60,
            trusted_proxy_hops: 0,
            cors_origins: Vec::new(),
            hsts: false,
        }
    }
}
