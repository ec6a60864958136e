//! The database handle: one pool, either backend, and write transactions that serialise
//! correctly on both.

use std::time::Duration;

use sea_orm::{
    ConnectOptions, Database, DatabaseConnection, DatabaseTransaction, SqliteTransactionMode,
    TransactionOptions, TransactionTrait,
};

use crate::{Result, StoreError};

/// Which database engine a [`Db`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Postgres,
    Sqlite,
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
            .connect_timeout(Duration::from_secs(10))
            .acquire_timeout(Duration::from_secs(30))
            .sqlx_logging(false)
            .map_sqlx_sqlite_opts(|o| {
                o.create_if_missing(true)
                    .journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                    .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Normal)
                    .foreign_keys(true)
                    .busy_timeout(Duration::from_secs(30))
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

    /// Closes the pool, waiting for connections in use.
    pub async fn close(self) -> Result<()> {
        self.conn.close().await?;
        Ok(())
    }
}
