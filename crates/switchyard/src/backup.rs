//! `switchyard backup PATH`: a consistent copy of a SQLite database, taken while the server
//! runs. SQLite's `VACUUM INTO` reads one snapshot (a read transaction, so writers go on)
//! and writes a compact, self-contained database file.

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
    crate::commands::require_existing(&args.db)?;
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
