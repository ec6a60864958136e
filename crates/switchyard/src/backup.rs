//! `switchyard backup PATH`: a consistent copy of a SQLite database, taken while the server
//! runs. SQLite's `VACUUM INTO` reads one snapshot (a read transaction, so writers go on)
//! and writes a compact, self-contained database file.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use switchyard_store::{Backend, ConnectionTrait};

use crate::cli::BackupArgs;

/// Runs the backup and reports its size.
pub async fn run(args: BackupArgs) -> anyhow::Result<()> {
    if !args.db.database_url.starts_with("sqlite:") {
        bail!(
            "`switchyard backup` copies SQLite databases; for PostgreSQL use \
             `pg_dump --format=custom --file=PATH \"$DATABASE_URL\"` (see the README)"
        );
    }
    if let Some(source) = sqlite_path(&args.db.database_url)
        && !source.exists()
    {
        bail!("no database at {} (check DATABASE_URL)", source.display());
    }
    if args.path.exists() {
        bail!("{} exists already; choose a new file", args.path.display());
    }
    let target = args
        .path
        .to_str()
        .context("the backup path must be valid UTF-8")?;
    let db = crate::commands::open(&args.db).await?;
    debug_assert_eq!(db.backend(), Backend::Sqlite);
    eprintln!("Copying a snapshot of the database to {target} …");
    db.conn()
        .execute_unprepared(&format!("VACUUM INTO '{}'", target.replace('\'', "''")))
        .await
        .context("writing the backup")?;
    let bytes = std::fs::metadata(&args.path).map(|m| m.len()).unwrap_or(0);
    println!(
        "Backup written to {} ({:.1} MB). To restore, stop the server and put this file in \
         place of the database.",
        args.path.display(),
        bytes as f64 / 1_048_576.0
    );
    Ok(())
}

/// The file a `sqlite:` URL names (`sqlite://path?mode=rwc`, `sqlite:path`).
pub(crate) fn sqlite_path(url: &str) -> Option<PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or(url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next()?;
    (!path.is_empty() && path != ":memory:").then(|| Path::new(path).to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_urls_name_their_file() {
        assert_eq!(
            sqlite_path("sqlite://switchyard.db?mode=rwc"),
            Some(PathBuf::from("switchyard.db"))
        );
        assert_eq!(
            sqlite_path("sqlite:///tmp/x.db"),
            Some(PathBuf::from("/tmp/x.db"))
        );
        assert_eq!(sqlite_path("sqlite::memory:"), None);
    }
}
