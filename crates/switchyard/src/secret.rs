//! The JWT signing secret: from the environment, or generated once beside the SQLite file.

use std::path::PathBuf;

use anyhow::{Context, bail};
use rand::RngCore;
use switchyard_api::Secret;

/// Minimum secret length in bytes.
const MIN_LEN: usize = 32;

/// The SQLite file behind a `sqlite:` URL, if it names a file.
pub fn sqlite_file(url: &str) -> Option<PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or(rest);
    (!path.is_empty() && !path.contains(":memory:")).then(|| PathBuf::from(path))
}

/// Resolves the signing secret for `database_url`.
pub fn resolve(database_url: &str) -> anyhow::Result<Secret> {
    if let Ok(value) = std::env::var("SWITCHYARD_JWT_SECRET") {
        if value.len() < MIN_LEN {
            bail!("SWITCHYARD_JWT_SECRET must be at least {MIN_LEN} bytes long");
        }
        return Ok(Secret::new(value.into_bytes()));
    }
    if !database_url.starts_with("sqlite:") {
        bail!(
            "SWITCHYARD_JWT_SECRET is required when DATABASE_URL is PostgreSQL (at least {MIN_LEN} bytes; every instance needs the same one)"
        );
    }
    let Some(db_file) = sqlite_file(database_url) else {
        let mut bytes = vec![0u8; 48];
        rand::rng().fill_bytes(&mut bytes);
        return Ok(Secret::new(bytes));
    };
    let mut path = db_file.into_os_string();
    path.push(".secret");
    let path = PathBuf::from(path);
    if let Ok(existing) = std::fs::read_to_string(&path) {
        let existing = existing.trim().to_string();
        if existing.len() >= MIN_LEN {
            return Ok(Secret::new(existing.into_bytes()));
        }
    }
    let mut bytes = [0u8; 48];
    rand::rng().fill_bytes(&mut bytes);
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    write_private(&path, &hex).with_context(|| format!("writing {}", path.display()))?;
    tracing::info!(path = %path.display(), "generated a JWT secret");
    Ok(Secret::new(hex.into_bytes()))
}

fn write_private(path: &PathBuf, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(contents.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_paths() {
        assert_eq!(
            sqlite_file("sqlite://switchyard.db?mode=rwc"),
            Some(PathBuf::from("switchyard.db"))
        );
        assert_eq!(
            sqlite_file("sqlite:/tmp/x.db"),
            Some(PathBuf::from("/tmp/x.db"))
        );
        assert_eq!(sqlite_file("sqlite::memory:"), None);
    }
}
