//! The slim row writes read: a task's own columns (no team or creator names, comment count
//! or scores), optionally locked for a read–modify–write.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbBackend, FromQueryResult};
use uuid::Uuid;

use crate::{Result, StrList, Tenant, sql};

/// A task as a write needs it.
#[derive(Debug, Clone, FromQueryResult)]
pub struct TaskRecord {
    pub id: Uuid,
    pub task_key: String,
    pub title: String,
    pub description: String,
    pub workflow_id: Uuid,
    pub current_state: String,
    pub priority: String,
    pub task_type: String,
    pub tags: StrList,
    pub team_id: Option<Uuid>,
    pub assigned_to: Option<Uuid>,
    /// For the assignment event's "previous assignee".
    pub assigned_to_name: Option<String>,
    pub created_by: Option<Uuid>,
    pub due_date: Option<DateTime<Utc>>,
    pub version: i64,
    pub resolved_at: Option<DateTime<Utc>>,
    pub parent_id: Option<Uuid>,
    pub project_id: Option<Uuid>,
}

const SELECT: &str = "SELECT t.id, t.task_key, t.title, t.description, t.workflow_id, t.current_state, \
    t.priority, t.task_type, t.tags, t.team_id, t.assigned_to, \
    (SELECT ua.username FROM users ua WHERE ua.id = t.assigned_to) AS assigned_to_name, \
    t.created_by, t.due_date, t.version, t.resolved_at, t.parent_id, t.project_id \
    FROM tasks t WHERE t.organization_id = $1 AND t.id = $2";

/// One task's record, unlocked (for a compare-and-set write such as a transition).
pub async fn record<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    id: Uuid,
) -> Result<Option<TaskRecord>> {
    sql::one(c, SELECT, vec![tenant.id().into(), id.into()]).await
}

/// One task's record, locked until the transaction ends (`FOR UPDATE` on PostgreSQL;
/// SQLite's write transaction already excludes other writers).
pub async fn record_for_update<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    id: Uuid,
) -> Result<Option<TaskRecord>> {
    let sql = match c.get_database_backend() {
        DbBackend::Postgres => format!("{SELECT} FOR UPDATE OF t"),
        _ => SELECT.to_string(),
    };
    sql::one(c, &sql, vec![tenant.id().into(), id.into()]).await
}

/// One task's record, share-locked until the transaction ends (`FOR SHARE` on PostgreSQL):
/// it cannot change or be deleted meanwhile, while other readers that only share-lock it go
/// on. For the task a write points at (a parent, a blocker) rather than the one it changes.
pub async fn record_for_share<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    id: Uuid,
) -> Result<Option<TaskRecord>> {
    let sql = match c.get_database_backend() {
        DbBackend::Postgres => format!("{SELECT} FOR SHARE OF t"),
        _ => SELECT.to_string(),
    };
    sql::one(c, &sql, vec![tenant.id().into(), id.into()]).await
}
