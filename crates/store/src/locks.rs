//! Row locks for read–modify–write: a use case locks the row it will change before reading
//! it, so a concurrent change to another field waits instead of being overwritten.
//!
//! PostgreSQL takes `FOR UPDATE`; SQLite needs nothing more because every write transaction
//! already holds the database's single write lock (`BEGIN IMMEDIATE`).

use sea_orm::{ConnectionTrait, DbBackend};
use uuid::Uuid;

use crate::{Result, Tenant, sql};

/// A kind of row that use cases read, modify and write back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Row {
    Team,
    Workflow,
    TransitionRule,
    Comment,
    /// The organization itself (`id` is ignored: the tenant names it).
    Organization,
    /// A member of the organization (their user row).
    User,
    Department,
    Project,
}

impl Row {
    fn select(self) -> &'static str {
        match self {
            Row::Team => "SELECT 1 FROM teams WHERE organization_id = $1 AND id = $2",
            Row::Workflow => "SELECT 1 FROM workflows WHERE organization_id = $1 AND id = $2",
            Row::TransitionRule => {
                "SELECT 1 FROM transition_rules WHERE organization_id = $1 AND id = $2"
            }
            Row::Comment => "SELECT 1 FROM comments WHERE organization_id = $1 AND id = $2",
            Row::Department => "SELECT 1 FROM departments WHERE organization_id = $1 AND id = $2",
            Row::Project => "SELECT 1 FROM projects WHERE organization_id = $1 AND id = $2",
            Row::Organization => "SELECT 1 FROM organizations WHERE id = $1 AND $2 = $2",
            Row::User => {
                "SELECT 1 FROM users u WHERE u.id = $2 AND EXISTS \
                 (SELECT 1 FROM memberships m WHERE m.organization_id = $1 AND m.user_id = u.id)"
            }
        }
    }
}

/// Locks one row of the tenant until the transaction ends; `false` when there is no such row.
/// Call it inside a write transaction, before reading the row to change.
pub async fn lock<C: ConnectionTrait>(c: &C, tenant: Tenant, row: Row, id: Uuid) -> Result<bool> {
    let sql = match c.get_database_backend() {
        DbBackend::Postgres => format!("{} FOR UPDATE", row.select()),
        _ => row.select().to_string(),
    };
    Ok(sql::count(
        c,
        &format!("SELECT COUNT(*) FROM ({sql}) locked"),
        vec![tenant.id().into(), id.into()],
    )
    .await?
        > 0)
}
