//! Data access for the SLA check: active tasks with due dates, conditional flagging, and a
//! PostgreSQL advisory lock so one instance sweeps an organization at a time.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbBackend, FromQueryResult};
use uuid::Uuid;

use crate::{Result, Tenant, sql};

/// An active task with a due date.
#[derive(Debug, Clone, FromQueryResult)]
pub struct DueTask {
    pub id: Uuid,
    pub task_key: String,
    pub title: String,
    pub priority: String,
    pub assigned_to: Option<Uuid>,
    pub assigned_to_name: Option<String>,
    pub due_date: DateTime<Utc>,
    pub sla_breached: bool,
    pub project_id: Option<Uuid>,
}

/// Active tasks (not in a final state) that have a due date, soonest first.
pub async fn active_due<C: ConnectionTrait>(c: &C, tenant: Tenant) -> Result<Vec<DueTask>> {
    sql::all(
        c,
        "SELECT t.id, t.task_key, t.title, t.priority, t.assigned_to, u.username AS assigned_to_name, t.due_date, \
         t.sla_breached, t.project_id FROM tasks t LEFT JOIN users u ON u.id = t.assigned_to \
         WHERE t.organization_id = $1 AND t.resolved_at IS NULL AND t.due_date IS NOT NULL \
         ORDER BY t.due_date, t.id",
        vec![tenant.id().into()],
    )
    .await
}

/// Active tasks of the organization that have a due date (what an SLA check looks at), as
/// `scope` may see them.
pub async fn active_count<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    scope: &crate::projects::TaskScope,
) -> Result<u64> {
    let mut p = crate::sql::Params::default();
    p.push(tenant.id());
    let scoped = crate::projects::and_task_scope(scope, &mut p);
    sql::count(
        c,
        &format!(
            "SELECT COUNT(*) FROM tasks t WHERE t.organization_id = $1 AND t.resolved_at IS NULL \
             AND t.due_date IS NOT NULL{scoped}"
        ),
        p.values,
    )
    .await
}

/// Flags one task as breached unless it already is (or left active work meanwhile).
/// Returns whether this call flagged it: only that caller writes the audit entry.
pub async fn flag<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<bool> {
    Ok(sql::exec(
        c,
        "UPDATE tasks SET sla_breached = $3, version = version + 1, updated_at = $4 WHERE organization_id = $1 AND id = $2 \
         AND sla_breached = $5 AND resolved_at IS NULL AND due_date < $4",
        vec![tenant.id().into(), id.into(), true.into(), now.into(), false.into()],
    )
    .await?
        == 1)
}

/// Clears the flag of active tasks whose due date was removed or moved past `now`.
pub async fn unflag_rescheduled<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    now: DateTime<Utc>,
) -> Result<u64> {
    sql::exec(
        c,
        "UPDATE tasks SET sla_breached = $2, version = version + 1, updated_at = $3 WHERE organization_id = $1 AND sla_breached = $4 \
         AND resolved_at IS NULL AND (due_date IS NULL OR due_date >= $3)",
        vec![tenant.id().into(), false.into(), now.into(), true.into()],
    )
    .await
}

/// Advisory-lock namespace of the SLA sweep ("SLA!").
const SWEEP_LOCK: i32 = 0x534C_4121;

/// Takes the organization's sweep lock for this transaction when it is free (PostgreSQL),
/// so concurrent instances do not sweep one organization at once. SQLite serialises writers
/// already, so there it always succeeds.
pub async fn try_lock_sweep<C: ConnectionTrait>(c: &C, tenant: Tenant) -> Result<bool> {
    if c.get_database_backend() != DbBackend::Postgres {
        return Ok(true);
    }
    #[derive(FromQueryResult)]
    struct R {
        locked: bool,
    }
    let id = tenant.id();
    let b = id.as_bytes();
    let key = i32::from_be_bytes([b[0], b[1], b[2], b[3]]);
    let row: Option<R> = sql::one(
        c,
        "SELECT pg_try_advisory_xact_lock($1, $2) AS locked",
        vec![SWEEP_LOCK.into(), key.into()],
    )
    .await?;
    Ok(row.is_some_and(|r| r.locked))
}

/// Every organization, for system jobs that act on all tenants (the scheduled sweep, the
/// CLI). Not reachable from any request.
pub async fn all_tenants<C: ConnectionTrait>(c: &C) -> Result<Vec<(Tenant, String)>> {
    #[derive(FromQueryResult)]
    struct R {
        id: Uuid,
        slug: String,
    }
    let rows: Vec<R> = sql::all(
        c,
        "SELECT id, slug FROM organizations ORDER BY slug",
        vec![],
    )
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| (Tenant::new(r.id), r.slug))
        .collect())
}
