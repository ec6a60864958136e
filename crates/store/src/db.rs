//! The database handle: one pool, either backend, and write transactions that serialise
//! correctly on both.

use std::time::Duration;

use sea_orm::{
    ConnectOptions, Database, DatabaseConnection, DatabaseTransaction, SqliteTransactionMode,
    TransactionOptions, TransactionTrait,
};

use crate::{Fault, Result, StoreError};

/// Which database engine a [`Db`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Postgres,
    Sqlite,
}

/// How long a request waits for a pooled connection by default.
pub const DEFAULT_ACQUIRE_TIMEOUT: Duration = Duration::from_secs(3);

/// How long a SQLite writer waits for another (another process's) write lock before its
/// request answers `503` ([`Fault::Busy`]).
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Whether a connection coming back to the pool may serve the next request: only when it is
/// outside any transaction. A transaction that the database ended by itself (SQLite rolls
/// back on `SQLITE_FULL`; a failed `COMMIT`) leaves sqlx believing it is still open, and
/// the `ROLLBACK` sent on drop then fails; such a connection would turn the next request's
/// `BEGIN` into a savepoint whose "commit" commits nothing. It is closed instead, and the
/// pool opens a fresh one.
fn settled<C: sea_orm::sqlx::Connection>(conn: &C) -> bool {
    let clean = !conn.is_in_transaction();
    if !clean {
        tracing::warn!("discarding a pooled connection left inside a transaction");
    }
    clean
}

/// [`settled`] for SQLite, whose connection worker applies a dropped transaction's
/// rollback asynchronously: the ping queues behind it, so the count is final when read.
async fn sqlite_settled(
    conn: &mut sea_orm::sqlx::SqliteConnection,
) -> std::result::Result<bool, sea_orm::sqlx::Error> {
    use sea_orm::sqlx::Connection;
    conn.ping().await?;
    Ok(settled(conn))
}

/// How to open a [`Db`].
#[derive(Debug, Clone, Copy)]
pub struct DbOptions {
    /// Most connections in the pool.
    pub max_connections: u32,
    /// Longest wait for a pooled connection: past it a request fails fast
    /// ([`Fault::Unreachable`], a `503`) instead of hanging while the database is away. The
    /// pool's reconnect backoff is capped at a fifth of it, so service resumes soon after the
    /// database does.
    pub acquire_timeout: Duration,
    /// SQLite: the largest the database file may grow, in bytes (`PRAGMA max_page_count`).
    /// Beyond it writes fail as on a full disk (`503`) and reads go on: a quota for small
    /// machines, and how the tests fill a disk.
    pub sqlite_max_size: Option<u64>,
}

impl Default for DbOptions {
    fn default() -> DbOptions {
        DbOptions {
            max_connections: 10,
            acquire_timeout: DEFAULT_ACQUIRE_TIMEOUT,
            sqlite_max_size: None,
        }
    }
}

/// A pooled connection to PostgreSQL or SQLite. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Db {
    conn: DatabaseConnection,
    backend: Backend,
}

impl Db {
    /// Connects to `url` (`postgres://…` or `sqlite://path?mode=rwc`).
    ///
    /// SQLite runs in WAL mode with a busy timeout so readers never block the single writer
    /// and writers queue instead of failing.
    pub async fn connect(url: &str, max_connections: u32) -> Result<Db> {
        Db::open(
            url,
            &DbOptions {
                max_connections,
                ..DbOptions::default()
            },
        )
        .await
    }

    /// [`Db::connect`] with every option.
    pub async fn open(url: &str, options: &DbOptions) -> Result<Db> {
        let DbOptions {
            max_connections,
            acquire_timeout,
            sqlite_max_size,
        } = *options;
        let backend = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else {
            return Err(StoreError::Config(
                "DATABASE_URL must start with postgres:// or sqlite:".into(),
            ));
        };
        let mut opts = ConnectOptions::new(url.to_string());
        opts.max_connections(max_connections)
            .min_connections(1)
            .connect_timeout(acquire_timeout)
            .acquire_timeout(acquire_timeout)
            .sqlx_logging(false)
            .map_sqlx_sqlite_opts(move |o| {
                o.create_if_missing(true)
                    .journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                    .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Normal)
                    .foreign_keys(true)
                    .busy_timeout(SQLITE_BUSY_TIMEOUT)
                    .pragma(
                        "max_page_count",
                        // SQLite's own ceiling when unset (pages of 4 KiB).
                        sqlite_max_size
                            .map_or(0xFFFF_FFFE, |b| (b / 4096).max(1))
                            .to_string(),
                    )
            })
            .map_sqlx_sqlite_pool_opts(|o| o.after_release(|c, _| Box::pin(sqlite_settled(c))))
            // PostgreSQL counts a dropped transaction's queued rollback at once.
            .map_sqlx_postgres_pool_opts(|o| {
                o.after_release(|c, _| Box::pin(std::future::ready(Ok(settled(c)))))
            });
        let conn = Database::connect(opts).await?;
        Ok(Db { conn, backend })
    }

    /// The engine behind this handle.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The underlying connection, for reads outside a transaction.
    pub fn conn(&self) -> &DatabaseConnection {
        &self.conn
    }

    /// Starts a transaction that will write. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`), so two writers never deadlock upgrading a read lock.
    pub async fn begin_write(&self) -> Result<DatabaseTransaction> {
        let options = TransactionOptions {
            sqlite_transaction_mode: (self.backend == Backend::Sqlite)
                .then_some(SqliteTransactionMode::Immediate),
            ..Default::default()
        };
        Ok(self.conn.begin_with_options(options).await?)
    }

    /// Checks the database answers (readiness probe).
    pub async fn ping(&self) -> Result<()> {
        self.conn.ping().await?;
        Ok(())
    }

    /// Whether the database can serve writes now, within `within`: it answers, and (on
    /// PostgreSQL) it is not read-only. The readiness probe's question.
    pub async fn writable(&self, within: Duration) -> std::result::Result<(), Fault> {
        let check = async {
            match self.backend {
                Backend::Postgres => {
                    let read_only = crate::sql::count(
                        &self.conn,
                        "SELECT CAST(CASE WHEN current_setting('transaction_read_only') = 'on' THEN 1 ELSE 0 END AS BIGINT)",
                        vec![],
                    )
                    .await?;
                    Ok::<bool, StoreError>(read_only == 1)
                }
                Backend::Sqlite => self.ping().await.map(|_| false),
            }
        };
        match tokio::time::timeout(within, check).await {
            Err(_) => Err(Fault::Unreachable),
            Ok(Ok(false)) => Ok(()),
            Ok(Ok(true)) => Err(Fault::ReadOnly),
            Ok(Err(StoreError::Unavailable(fault, _))) => Err(fault),
            Ok(Err(_)) => Err(Fault::Unreachable),
        }
    }

    /// Closes the pool, waiting for connections in use.
    pub async fn close(self) -> Result<()> {
        self.conn.close().await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use sea_orm::ConnectionTrait;

    use super::*;

    async fn count(db: &Db) -> u64 {
        crate::sql::count(db.conn(), "SELECT COUNT(*) FROM t", vec![])
            .await
            .unwrap()
    }

    /// SQLite can end a transaction by itself (on a full disk it may roll back the whole
    /// transaction); the driver still counts it open and its rollback on drop fails. Reused,
    /// that connection runs the next transaction as a savepoint, and one rolled back leaves
    /// SQLite inside a transaction that nothing ends: every later "commit" on it is
    /// acknowledged and never reaches the disk (the lost writes on a full disk).
    #[tokio::test]
    async fn a_connection_left_inside_a_transaction_is_not_reused() {
        let dir = std::env::temp_dir().join(format!("sy-settled-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let url = format!("sqlite://{}?mode=rwc", dir.join("t.db").display());
        let db = Db::connect(&url, 1).await.unwrap();
        db.conn()
            .execute_unprepared("CREATE TABLE t (v INTEGER)")
            .await
            .unwrap();
        // The database ends the transaction under the driver.
        let tx = db.begin_write().await.unwrap();
        tx.execute_unprepared("ROLLBACK").await.unwrap();
        drop(tx);
        // A change that fails and is rolled back.
        let tx = db.begin_write().await.unwrap();
        tx.execute_unprepared("INSERT INTO t VALUES (1)")
            .await
            .unwrap();
        drop(tx);
        let tx = db.begin_write().await.unwrap();
        tx.execute_unprepared("INSERT INTO t VALUES (2)")
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let other = Db::connect(&url, 1).await.unwrap();
        assert_eq!(count(&other).await, 1, "the acknowledged commit is on disk");
        std::fs::remove_dir_all(dir).ok();
    }
}
