//! Switchyard persistence for PostgreSQL and SQLite from one code base.
//!
//! Every statement is written once in portable SQL (`$N` parameters, standard DDL with a few
//! type tokens) and executed through SeaORM's connection, which dispatches to sqlx's
//! PostgreSQL or SQLite driver. Functions touching tenant data take a [`Tenant`], which only
//! this crate can create after confirming a membership, so a query cannot forget its
//! organization.

mod db;
mod error;
mod fault;
mod migrate;
mod sql;
mod tally_dimensions;
mod tenant;

pub mod account_tokens;
pub mod ai;
pub mod attachments;
pub mod audit;
mod audit_backfill;
pub mod audit_chain;
pub mod audit_verify;
pub mod bulk;
pub mod comments;
pub mod dashboard;
pub mod departments;
pub mod invitations;
pub mod jobs;
pub mod locks;
pub mod memberships;
pub mod notifications;
pub mod organizations;
pub mod outbox;
pub mod personal_data;
pub mod principal;
pub mod projects;
pub mod rate_limits;
pub mod setup;
pub mod sla;
pub mod superuser;
pub mod tallies;
pub mod tasks;
pub mod teams;
pub mod tokens;
pub mod two_factor;
pub mod users;
pub mod workflows;

pub use db::{Backend, Db, DbOptions};
pub use error::{Conflict, StoreError};
pub use fault::Fault;
pub use migrate::{migrate, migrate_up_to};
pub use sea_orm::{ConnectionTrait, DatabaseTransaction, TransactionTrait};
pub use sql::{Page, StrList};
pub use tenant::Tenant;

/// A row that carries an optimistic-concurrency version (grows with each change).
pub trait Versioned {
    fn version(&self) -> i64;
}

macro_rules! versioned {
    ($($row:ty),*) => {
        $(impl Versioned for $row {
            fn version(&self) -> i64 {
                self.version
            }
        })*
    };
}

versioned!(
    tasks::TaskRow,
    tasks::TaskRecord,
    users::UserRow,
    teams::Team,
    workflows::WorkflowRow,
    workflows::RuleRow,
    comments::CommentRow,
    organizations::OrgRow,
    departments::Department,
    projects::ProjectRow
);

/// Result of store operations.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// The current time at the precision both backends store (microseconds).
pub fn now() -> chrono::DateTime<chrono::Utc> {
    use chrono::{DurationRound, TimeDelta, Utc};
    let now = Utc::now();
    now.duration_trunc(TimeDelta::microseconds(1))
        .unwrap_or(now)
}

/// Commits a write transaction.
pub async fn commit(tx: DatabaseTransaction) -> Result<()> {
    tx.commit().await?;
    Ok(())
}

/// How many organizations exist (the demo seed only goes into an empty database).
pub async fn organizations_count<C: ConnectionTrait>(c: &C) -> Result<u64> {
    sql::count(c, "SELECT COUNT(*) FROM organizations", vec![]).await
}
