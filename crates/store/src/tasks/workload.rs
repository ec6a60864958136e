//! Counts behind business rules: an assignee's active work (under a lock on them), and the
//! tasks that keep a workflow or one of its states in use.

use sea_orm::ConnectionTrait;
use uuid::Uuid;

use crate::{Result, Tenant, sql, sql::Params};

/// Locks the assignee's membership row until the transaction ends, so concurrent
/// assignments to one person check capacity one after another. A no-op update takes the
/// row lock on PostgreSQL; SQLite's write transactions are already exclusive.
pub async fn lock_assignee<C: ConnectionTrait>(c: &C, tenant: Tenant, user: Uuid) -> Result<bool> {
    Ok(sql::exec(
        c,
        "UPDATE memberships SET max_concurrent_tasks = max_concurrent_tasks WHERE organization_id = $1 AND user_id = $2",
        vec![tenant.id().into(), user.into()],
    )
    .await?
        == 1)
}

/// Active (not final) tasks assigned to `user`.
pub async fn active_count<C: ConnectionTrait>(c: &C, tenant: Tenant, user: Uuid) -> Result<u64> {
    sql::count(
        c,
        "SELECT COUNT(*) FROM tasks WHERE organization_id = $1 AND assigned_to = $2 AND resolved_at IS NULL",
        vec![tenant.id().into(), user.into()],
    )
    .await
}

/// How many tasks of a workflow are in one of `states` (to refuse removing them).
pub async fn count_in_states<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    workflow: Uuid,
    states: &[String],
) -> Result<u64> {
    if states.is_empty() {
        return Ok(0);
    }
    let mut p = Params::default();
    let org = p.push(tenant.id());
    let wf = p.push(workflow);
    let list = p.list(states);
    sql::count(
        c,
        &format!("SELECT COUNT(*) FROM tasks WHERE organization_id = {org} AND workflow_id = {wf} AND current_state IN {list}"),
        p.values,
    )
    .await
}

/// How many tasks use a workflow.
pub async fn count_in_workflow<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    workflow: Uuid,
) -> Result<u64> {
    sql::count(
        c,
        "SELECT COUNT(*) FROM tasks WHERE organization_id = $1 AND workflow_id = $2",
        vec![tenant.id().into(), workflow.into()],
    )
    .await
}
