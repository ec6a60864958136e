//! Command-line interface: subcommands, flags and their environment fallbacks.

use clap::{Args, Parser, Subcommand};

/// Default database: a SQLite file in the working directory, created on first run.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://switchyard.db?mode=rwc";

#[derive(Debug, Parser)]
#[command(
    name = "switchyard",
    version,
    about = "Multi-tenant work orchestration engine"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the API (migrations are applied first).
    Serve(ServeArgs),
    /// Apply database migrations and exit.
    Migrate(DbArgs),
    /// Seed the demo organization "Sunshine Corporation" into an empty database.
    SeedDemo(DbArgs),
    /// Create a superuser account, optionally as admin of an organization.
    CreateSuperuser(SuperuserArgs),
    /// Run the SLA check now: flag breached tasks and list breached and at-risk ones.
    CheckSla(CheckSlaArgs),
    /// Seed a large, realistic organization for benchmarks.
    SeedBench(SeedBenchArgs),
    /// Inspect and operate the background job queue.
    Jobs(JobsArgs),
    /// Write a consistent copy of a SQLite database to PATH, safe while the server runs
    /// (PostgreSQL: use pg_dump, see the README).
    Backup(BackupArgs),
    /// Verify the audit log's hash chain, or sign its checkpoints now.
    Audit(AuditArgs),
}

#[derive(Debug, Args)]
pub struct AuditArgs {
    #[command(flatten)]
    pub db: DbArgs,
    #[command(subcommand)]
    pub action: AuditAction,
}

#[derive(Debug, Subcommand)]
pub enum AuditAction {
    /// Walk each organization's chain and its signed checkpoints; report the first bad
    /// sequence number (modified, deleted or inserted entries, a truncated tail) and exit
    /// with status 1 if any organization fails.
    Verify {
        /// Only this organization (by slug).
        #[arg(long)]
        org: Option<String>,
    },
    /// Sign a checkpoint now at every organization whose log grew since its last one (the
    /// server signs every 1,000 entries or hour; do this before a backup).
    Checkpoint,
}

#[derive(Debug, Args)]
pub struct BackupArgs {
    #[command(flatten)]
    pub db: DbArgs,
    /// Where to write the copy (must not exist yet).
    pub path: std::path::PathBuf,
}

#[derive(Debug, Args)]
pub struct JobsArgs {
    #[command(flatten)]
    pub db: DbArgs,
    #[command(subcommand)]
    pub action: JobsAction,
}

#[derive(Debug, Subcommand)]
pub enum JobsAction {
    /// List jobs, newest first.
    List {
        /// pending, running, succeeded or dead.
        #[arg(long)]
        state: Option<String>,
        /// Only this job kind.
        #[arg(long)]
        kind: Option<String>,
        /// At most this many rows.
        #[arg(long, default_value_t = 50)]
        limit: u64,
    },
    /// Put a dead job (or every dead job) back in the queue.
    Retry {
        /// The job's id.
        id: Option<uuid::Uuid>,
        /// Every dead job.
        #[arg(long, conflicts_with = "id")]
        all_dead: bool,
    },
    /// Delete succeeded jobs that finished longer ago than DURATION (e.g. 7d, 24h, 30m).
    Purge {
        #[arg(long, value_parser = humantime::parse_duration)]
        finished_before: std::time::Duration,
    },
}

#[derive(Debug, Args)]
pub struct SeedBenchArgs {
    #[command(flatten)]
    pub db: DbArgs,
    /// Organization slug (created when missing; tasks are added when it exists).
    #[arg(long, default_value = "bench")]
    pub org: String,
    /// How many tasks to add.
    #[arg(long, default_value_t = 100_000)]
    pub tasks: usize,
    /// How many people to add.
    #[arg(long, default_value_t = 50)]
    pub users: usize,
}

#[derive(Debug, Args)]
pub struct CheckSlaArgs {
    #[command(flatten)]
    pub db: DbArgs,
    /// Only this organization (by slug); default all.
    #[arg(long)]
    pub org: Option<String>,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
    /// List at most this many breached and this many at-risk tasks per organization (the
    /// counts stay complete; 0 lists none).
    #[arg(long, default_value_t = 50)]
    pub limit: usize,
}

#[derive(Debug, Args, Clone)]
pub struct DbArgs {
    /// Database URL: postgres://… or sqlite://path?mode=rwc.
    #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE_URL, global = true)]
    pub database_url: String,
    /// Most database connections this process opens (default: 10 for PostgreSQL, 8 for
    /// SQLite). Instances side by side share the server's `max_connections`.
    #[arg(long, env = "SWITCHYARD_DB_POOL_SIZE", value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub db_pool_size: Option<u32>,
    /// Longest wait for a database connection; past it a request answers 503 with
    /// Retry-After instead of hanging while the database is away ("3s", "500ms").
    #[arg(long, env = "SWITCHYARD_DB_ACQUIRE_TIMEOUT", default_value = "3s", value_parser = humantime::parse_duration)]
    pub db_acquire_timeout: std::time::Duration,
    /// SQLite only: the largest the database may grow ("500MB", "2GB", or bytes). Beyond it
    /// writes answer 503 as on a full disk, and reads go on.
    #[arg(long, env = "SWITCHYARD_SQLITE_MAX_SIZE", value_parser = parse_size)]
    pub sqlite_max_size: Option<u64>,
}

/// Bytes, optionally with a KB, MB or GB suffix (powers of 1024).
fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim().to_ascii_uppercase();
    let (digits, unit) = match t.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => t.split_at(i),
        None => (t.as_str(), ""),
    };
    let unit = match unit.trim() {
        "" | "B" => 1,
        "KB" | "K" | "KIB" => 1 << 10,
        "MB" | "M" | "MIB" => 1 << 20,
        "GB" | "G" | "GIB" => 1 << 30,
        other => return Err(format!("unknown size unit '{other}' (use KB, MB or GB)")),
    };
    digits
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(unit))
        .filter(|n| *n > 0)
        .ok_or_else(|| format!("'{s}' is not a size such as 500MB"))
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "SWITCHYARD_ADDR", default_value = "127.0.0.1:8000")]
    pub addr: String,
    #[command(flatten)]
    pub db: DbArgs,
    /// Seed the demo organization when the database is empty and print its logins.
    #[arg(long, env = "SWITCHYARD_DEMO")]
    pub demo: bool,
    /// Seconds between background SLA sweeps (0 turns them off).
    #[arg(long, env = "SWITCHYARD_SLA_INTERVAL", default_value_t = 60)]
    pub sla_interval: u64,
    /// How long a claimed job belongs to this instance's worker; a worker that dies mid-job
    /// leaves a lease that others take over once it expires ("60s", "5m").
    #[arg(long, env = "SWITCHYARD_JOB_LEASE", default_value = "60s", value_parser = humantime::parse_duration)]
    pub job_lease: std::time::Duration,
}

#[derive(Debug, Args)]
pub struct SuperuserArgs {
    #[command(flatten)]
    pub db: DbArgs,
    #[arg(long)]
    pub username: String,
    #[arg(long, default_value = "")]
    pub email: String,
    /// The password (or set SWITCHYARD_SUPERUSER_PASSWORD).
    #[arg(long, env = "SWITCHYARD_SUPERUSER_PASSWORD", hide_env_values = true)]
    pub password: String,
    /// Make the account an admin of the organization with this slug.
    #[arg(long)]
    pub org: Option<String>,
}
