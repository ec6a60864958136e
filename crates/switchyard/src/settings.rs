//! API settings read from the environment, with their defaults.

use std::time::Duration;

use anyhow::Context;
use switchyard_api::{ApiConfig, Secret};

fn env_parse<T: std::str::FromStr>(name: &str, default: T) -> anyhow::Result<T>
where
    T::Err: std::fmt::Display,
{
    match std::env::var(name) {
        Ok(v) if !v.trim().is_empty() => v
            .trim()
            .parse::<T>()
            .map_err(|e| anyhow::anyhow!("{e}"))
            .with_context(|| format!("invalid value for {name}")),
        _ => Ok(default),
    }
}

/// A duration such as "30s" or "2m" from `name`, or `default`.
pub fn env_duration(name: &str, default: Duration) -> anyhow::Result<Duration> {
    match std::env::var(name) {
        Ok(v) if !v.trim().is_empty() => humantime::parse_duration(v.trim())
            .with_context(|| format!("invalid value for {name}: '{v}' (e.g. 30s, 2m)")),
        _ => Ok(default),
    }
}

/// How `serve` treats slow clients and how long it drains at shutdown.
pub fn serve_options() -> anyhow::Result<switchyard_api::ServeOptions> {
    let defaults = switchyard_api::ServeOptions::default();
    Ok(switchyard_api::ServeOptions {
        header_timeout: env_duration("SWITCHYARD_HEADER_TIMEOUT", defaults.header_timeout)?,
        shutdown_grace: env_duration("SWITCHYARD_SHUTDOWN_TIMEOUT", defaults.shutdown_grace)?,
    })
}

/// Builds the API configuration from `SWITCHYARD_*` variables.
pub fn api_config(secret: Secret, demo: bool) -> anyhow::Result<ApiConfig> {
    let mut cfg = ApiConfig::with_secret(secret);
    cfg.app.access_ttl = Duration::from_secs(env_parse("SWITCHYARD_ACCESS_TOKEN_TTL", 3600u64)?);
    cfg.app.refresh_ttl =
        Duration::from_secs(env_parse("SWITCHYARD_REFRESH_TOKEN_TTL", 7 * 24 * 3600u64)?);
    cfg.app.allow_registration = env_parse("SWITCHYARD_ALLOW_REGISTRATION", true)?;
    cfg.app.allow_setup = env_parse("SWITCHYARD_ALLOW_SETUP", true)?;
    cfg.app.login_failures_per_account = env_parse("SWITCHYARD_LOGIN_FAILURES_PER_ACCOUNT", 10u64)?;
    cfg.app.smtp_url = std::env::var("SWITCHYARD_SMTP_URL")
        .ok()
        .filter(|u| !u.trim().is_empty());
    if let Ok(from) = std::env::var("SWITCHYARD_MAIL_FROM") {
        cfg.app.mail_from = from;
    }
    if let Ok(url) = std::env::var("SWITCHYARD_PUBLIC_URL") {
        cfg.app.public_url = url;
    }
    let attachment_mb = env_parse("SWITCHYARD_ATTACHMENT_MAX_MB", 25u64)?;
    if !(1..=1024).contains(&attachment_mb) {
        anyhow::bail!("SWITCHYARD_ATTACHMENT_MAX_MB must be between 1 and 1024");
    }
    cfg.app.attachment_max_bytes = attachment_mb * 1024 * 1024;
    cfg.app.storage_quota_bytes =
        env_parse("SWITCHYARD_STORAGE_QUOTA_MB", 1024u64)?.saturating_mul(1024 * 1024);
    cfg.app.job_retention = env_duration("SWITCHYARD_JOB_RETENTION", cfg.app.job_retention)?;
    if let Ok(key) = std::env::var("SWITCHYARD_ENCRYPTION_KEY")
        && !key.trim().is_empty()
    {
        anyhow::ensure!(
            key.trim().len() >= 32,
            "SWITCHYARD_ENCRYPTION_KEY must be at least 32 characters"
        );
        cfg.app.encryption_key = Secret::new(key.trim().as_bytes().to_vec());
    }
    if let Ok(key) = std::env::var("SWITCHYARD_AUDIT_KEY")
        && !key.trim().is_empty()
    {
        anyhow::ensure!(
            key.trim().len() >= 32,
            "SWITCHYARD_AUDIT_KEY must be at least 32 characters"
        );
        cfg.app.audit_key = Secret::new(key.trim().as_bytes().to_vec());
    }
    cfg.app.invitation_ttl = Duration::from_secs(env_parse(
        "SWITCHYARD_INVITATION_TTL",
        cfg.app.invitation_ttl.as_secs(),
    )?);
    // A bad SMTP URL or sender is a startup error, not a silent fallback.
    switchyard_app::mail::Mailer::new(cfg.app.smtp_url.as_deref(), &cfg.app.mail_from)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    cfg.body_limit = env_parse("SWITCHYARD_BODY_LIMIT", 1024 * 1024usize)?;
    cfg.body_timeout = env_duration("SWITCHYARD_BODY_TIMEOUT", cfg.body_timeout)?;
    cfg.rate_limit_per_address = env_parse("SWITCHYARD_RATE_LIMIT_PER_ADDRESS", 60u64)?;
    cfg.trusted_proxy_hops = env_parse("SWITCHYARD_TRUSTED_PROXY_HOPS", 0usize)?;
    cfg.hsts = env_parse("SWITCHYARD_HSTS", false)?;
    cfg.cors_origins = std::env::var("SWITCHYARD_CORS_ORIGINS")
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|o| !o.is_empty())
        .map(str::to_string)
        .collect();
    if cfg.cors_origins.iter().any(|o| o == "*") {
        anyhow::bail!("SWITCHYARD_CORS_ORIGINS lists origins; a wildcard is not accepted");
    }
    cfg.demo = demo;
    Ok(cfg)
}

/// Where files go: `SWITCHYARD_FILES_URL`, else a `files` directory beside the SQLite
/// database (or in the working directory with PostgreSQL, where several instances need a
/// shared store such as `s3://bucket/prefix`).
pub fn files_url(database_url: &str) -> anyhow::Result<String> {
    if let Ok(url) = std::env::var("SWITCHYARD_FILES_URL")
        && !url.trim().is_empty()
    {
        return Ok(url.trim().to_string());
    }
    let base = crate::secret::sqlite_file(database_url)
        .and_then(|f| f.parent().map(|p| p.to_path_buf()))
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or_else(|| std::path::PathBuf::from("."));
    let dir = std::path::absolute(base.join("switchyard-files"))
        .context("resolving the files directory")?;
    Ok(format!("file://{}", dir.display()))
}
