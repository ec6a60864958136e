//! Applies the schema migrations, written once, to either backend.
//!
//! Each file in `migrations/` is one step; type tokens are replaced per backend and
//! PostgreSQL-only blocks (triggers) are dropped on SQLite. Applied versions are recorded in
//! `schema_migrations`; on PostgreSQL an advisory lock keeps concurrently starting instances
//! from migrating twice.

use sea_orm::{ConnectionTrait, Value};

use crate::{Backend, Db, Result, sql};

/// One migration step: a file written for both backends, or SQL generated from Rust
/// definitions that other code shares (the tally triggers).
#[derive(Clone, Copy)]
enum Step {
    Sql(&'static str),
    Generated(fn(Backend) -> String),
    /// Data rewritten in Rust (what SQL alone cannot compute, such as hashes).
    Data(DataStep),
}

/// The Rust data migrations.
#[derive(Clone, Copy)]
enum DataStep {
    /// Links the audit entries written before the hash chain existed.
    ChainAuditLog,
}

impl Step {
    fn sql(self, backend: Backend) -> String {
        match self {
            Step::Sql(source) => render(source, backend),
            Step::Generated(make) => make(backend),
            Step::Data(_) => String::new(),
        }
    }
}

const MIGRATIONS: &[(i64, &str, Step)] = &[
    (
        1,
        "init",
        Step::Sql(include_str!("../migrations/0001_init.sql")),
    ),
    (
        2,
        "rate_limits",
        Step::Sql(include_str!("../migrations/0002_rate_limits.sql")),
    ),
    (
        3,
        "search_indexes",
        Step::Sql(include_str!("../migrations/0003_search_indexes.sql")),
    ),
    (
        4,
        "task_tallies",
        Step::Sql(include_str!("../migrations/0004_task_tallies.sql")),
    ),
    (
        5,
        "task_hourly",
        Step::Sql(include_str!("../migrations/0005_task_hourly.sql")),
    ),
    (
        6,
        "outbox_versions",
        Step::Sql(include_str!("../migrations/0006_outbox_versions.sql")),
    ),
    (
        7,
        "tally_triggers_from_dimensions",
        Step::Generated(crate::tally_dimensions::first_trigger_sql),
    ),
    (
        8,
        "jobs",
        Step::Sql(include_str!("../migrations/0008_jobs.sql")),
    ),
    (
        9,
        "accounts",
        Step::Sql(include_str!("../migrations/0009_accounts.sql")),
    ),
    (
        10,
        "two_factor",
        Step::Sql(include_str!("../migrations/0010_two_factor.sql")),
    ),
    (
        11,
        "departments",
        Step::Sql(include_str!("../migrations/0011_departments.sql")),
    ),
    (
        12,
        "personal_data",
        Step::Sql(include_str!("../migrations/0012_personal_data.sql")),
    ),
    (
        13,
        "avatars",
        Step::Sql(include_str!("../migrations/0013_avatars.sql")),
    ),
    (
        14,
        "claims",
        Step::Sql(include_str!("../migrations/0014_claims.sql")),
    ),
    (
        15,
        "audit_chain",
        Step::Sql(include_str!("../migrations/0015_audit_chain.sql")),
    ),
    (
        16,
        "audit_chain_existing",
        Step::Data(DataStep::ChainAuditLog),
    ),
    (
        17,
        "audit_append_only",
        Step::Sql(include_str!("../migrations/0017_audit_append_only.sql")),
    ),
    (
        18,
        "distribution_keys",
        Step::Sql(include_str!("../migrations/0018_distribution_keys.sql")),
    ),
    (
        19,
        "task_structure",
        Step::Sql(include_str!("../migrations/0019_task_structure.sql")),
    ),
    (
        20,
        "projects",
        Step::Sql(include_str!("../migrations/0020_projects.sql")),
    ),
    (
        21,
        "project_tallies",
        Step::Generated(crate::tally_dimensions::project_tallies_sql),
    ),
    (
        22,
        "attachments",
        Step::Sql(include_str!("../migrations/0022_attachments.sql")),
    ),
    (
        23,
        "notifications",
        Step::Sql(include_str!("../migrations/0023_notifications.sql")),
    ),
];

/// Advisory lock key for migrations ("SWYD" in ASCII).
const MIGRATION_LOCK: i64 = 0x5357_5944;

pub(crate) fn render(source: &str, backend: Backend) -> String {
    let mut out = String::with_capacity(source.len());
    // Lines between `-- @postgres` (or `-- @sqlite`) and `-- @end` are for that backend only.
    let mut only: Option<Backend> = None;
    for line in source.lines() {
        match line.trim() {
            "-- @postgres" => only = Some(Backend::Postgres),
            "-- @sqlite" => only = Some(Backend::Sqlite),
            "-- @end" => only = None,
            _ if only.is_some_and(|b| b != backend) => {}
            _ => {
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    let types: [(&str, &str); 6] = match backend {
        Backend::Postgres => [
            ("{date}", "DATE"),
            ("{uuid}", "UUID"),
            ("{ts}", "TIMESTAMPTZ"),
            ("{json}", "JSONB"),
            ("{bool}", "BOOLEAN"),
            ("{float}", "DOUBLE PRECISION"),
        ],
        Backend::Sqlite => [
            ("{date}", "TEXT"),
            ("{uuid}", "BLOB"),
            ("{ts}", "TEXT"),
            ("{json}", "TEXT"),
            ("{bool}", "BOOLEAN"),
            ("{float}", "REAL"),
        ],
    };
    types
        .iter()
        .fold(out, |acc, (token, ty)| acc.replace(token, ty))
}

/// Brings the schema up to date; returns how many migrations were applied.
pub async fn migrate(db: &Db) -> Result<usize> {
    // Up to date: nothing is written, so a server starts on a read-only database (a replica,
    // `default_transaction_read_only`) or a full disk and answers 503 to writes.
    if up_to_date(db).await {
        return Ok(0);
    }
    migrate_up_to(db, i64::MAX).await
}

/// Applies the pending migrations up to `last` (tests of data migrations start from an
/// older schema with it).
pub async fn migrate_up_to(db: &Db, last: i64) -> Result<usize> {
    let tx = db.begin_write().await?;
    if db.backend() == Backend::Postgres {
        sql::exec(
            &tx,
            "SELECT pg_advisory_xact_lock($1)",
            vec![MIGRATION_LOCK.into()],
        )
        .await?;
    }
    tx.execute_unprepared(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL)",
    )
    .await?;
    let mut applied = 0;
    for (version, name, source) in MIGRATIONS.iter().filter(|m| m.0 <= last) {
        let done = sql::count(
            &tx,
            "SELECT COUNT(*) FROM schema_migrations WHERE version = $1",
            vec![Value::from(*version)],
        )
        .await?;
        if done > 0 {
            continue;
        }
        tracing::info!(version, name, "applying migration");
        if let Step::Data(DataStep::ChainAuditLog) = source {
            let linked = crate::audit_backfill::chain_existing(&tx, db.backend()).await?;
            tracing::info!(linked, "chained the existing audit entries");
        }
        let sql = source.sql(db.backend());
        // A step may hold nothing for this engine (PostgreSQL-only indexes on SQLite).
        if sql
            .lines()
            .any(|l| !l.trim().is_empty() && !l.trim_start().starts_with("--"))
        {
            tx.execute_unprepared(&sql).await?;
        }
        sql::exec(
            &tx,
            "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
            vec![(*version).into(), (*name).into()],
        )
        .await?;
        applied += 1;
    }
    tx.commit().await?;
    Ok(applied)
}

/// Whether every migration is recorded (false when the bookkeeping table is missing too).
async fn up_to_date(db: &Db) -> bool {
    let exists = match db.backend() {
        Backend::Postgres => {
            "SELECT COUNT(*) FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_name = 'schema_migrations'"
        }
        Backend::Sqlite => {
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'"
        }
    };
    if sql::count(db.conn(), exists, vec![]).await.unwrap_or(0) == 0 {
        return false;
    }
    let applied = sql::count(db.conn(), "SELECT COUNT(*) FROM schema_migrations", vec![]).await;
    let Ok(applied) = applied else {
        return false;
    };
    let latest = sql::count(
        db.conn(),
        "SELECT COUNT(*) FROM schema_migrations WHERE version = $1",
        vec![Value::from(MIGRATIONS.last().map_or(0, |m| m.0))],
    )
    .await;
    applied as usize == MIGRATIONS.len() && latest.unwrap_or(0) == 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_render_drops_postgres_blocks_and_tokens() {
        let sql = MIGRATIONS[0].2.sql(Backend::Sqlite);
        assert!(!sql.contains("plpgsql"));
        assert!(!sql.contains('{'));
        let pg = MIGRATIONS[0].2.sql(Backend::Postgres);
        assert!(pg.contains("audit_logs_append_only"));
        assert!(pg.contains("JSONB"));
    }

    #[test]
    fn each_backend_keeps_only_its_own_blocks() {
        for (_, name, source) in MIGRATIONS {
            let sqlite = source.sql(Backend::Sqlite);
            let pg = source.sql(Backend::Postgres);
            assert!(!sqlite.contains("plpgsql"), "{name}");
            assert!(!pg.contains("INSERT OR IGNORE"), "{name}");
            assert!(!pg.contains("strftime"), "{name}");
        }
        let tallies = MIGRATIONS[3].2;
        assert!(tallies.sql(Backend::Sqlite).contains("INSERT OR IGNORE"));
        assert!(
            tallies
                .sql(Backend::Postgres)
                .contains("REFERENCING NEW TABLE")
        );
    }
}
