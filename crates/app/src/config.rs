//! Settings of the use cases (sign-in, tokens, who may register), filled by the binary.

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

/// Use-case behaviour that operators may tune.
#[derive(Debug, Clone)]
pub struct Settings {
    /// HMAC key for JWTs (at least 32 bytes).
    pub jwt_secret: Secret,
    pub access_ttl: Duration,
    pub refresh_ttl: Duration,
    /// Whether self-registration is open.
    pub allow_registration: bool,
    /// Whether creating an organization through setup is open.
    pub allow_setup: bool,
    /// Failed logins per account within [`Self::login_failure_window`] before refusing.
    pub login_failures_per_account: u64,
    pub login_failure_window: Duration,
    /// `smtp://user:pass@host:587` (STARTTLS with `?tls=required`) or `smtps://…`; `None`
    /// writes emails to the log instead.
    pub smtp_url: Option<String>,
    /// The sender of every email (`Switchyard <switchyard@example.com>`).
    pub mail_from: String,
    /// Where users reach the dashboard; links in emails start with it.
    pub public_url: String,
    /// How long succeeded jobs are kept before the hourly housekeeping deletes them.
    pub job_retention: Duration,
    /// How long an invitation link works (`SWITCHYARD_INVITATION_TTL`, seconds).
    pub invitation_ttl: Duration,
    /// What the key that seals two-factor secrets at rest derives from
    /// (`SWITCHYARD_ENCRYPTION_KEY`; by default the JWT secret).
    pub encryption_key: Secret,
    /// What the key that signs audit checkpoints derives from (`SWITCHYARD_AUDIT_KEY`; by
    /// default the JWT secret). Keep it outside the database: whoever can rewrite the tables
    /// must not be able to sign.
    pub audit_key: Secret,
    /// Where files go (`SWITCHYARD_FILES_URL`): `file:///dir`, `s3://bucket/prefix`; `None`
    /// keeps them in memory (processes that store none).
    pub files_url: Option<String>,
    /// The largest attachment accepted (`SWITCHYARD_ATTACHMENT_MAX_MB`, default 25 MB).
    pub attachment_max_bytes: u64,
    /// How much each organization's attachments may take in all
    /// (`SWITCHYARD_STORAGE_QUOTA_MB`, default 1 GB).
    pub storage_quota_bytes: u64,
}

impl Settings {
    /// Defaults suitable for tests and development, with the given key.
    pub fn with_secret(secret: Secret) -> Self {
        Settings {
            encryption_key: secret.clone(),
            audit_key: secret.clone(),
            jwt_secret: secret,
            access_ttl: Duration::from_secs(3600),
            refresh_ttl: Duration::from_secs(7 * 24 * 3600),
            allow_registration: true,
            allow_setup: true,
            login_failures_per_account: 10,
            login_failure_window: Duration::from_secs(15 * 60),
            smtp_url: None,
            mail_from: "Switchyard <switchyard@localhost>".into(),
            public_url: "http://127.0.0.1:8000".into(),
            job_retention: Duration::from_secs(7 * 24 * 3600),
            invitation_ttl: Duration::from_secs(7 * 24 * 3600),
            files_url: None,
            attachment_max_bytes: 25 * 1024 * 1024,
            storage_quota_bytes: 1024 * 1024 * 1024,
        }
    }
}
