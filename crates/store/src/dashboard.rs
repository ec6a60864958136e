//! Dashboard aggregates, each computed by a fixed number of SQL queries whatever the number
//! of tasks or people. (The overview reads the trigger-kept tallies: see `tallies`.)

use sea_orm::{ConnectionTrait, FromQueryResult};
use uuid::Uuid;

use crate::{Result, Tenant, sql};

/// Per-assignee figures.
#[derive(Debug, Clone, FromQueryResult)]
pub struct AssigneeStats {
    pub assigned_to: Uuid,
    pub active_tasks: i64,
    pub completed_tasks: i64,
    pub sla_breaches: i64,
    pub avg_resolution_seconds: Option<f64>,
}

/// Workload and track record of every assignee in one grouped query.
pub async fn assignee_stats<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
) -> Result<Vec<AssigneeStats>> {
    let secs = sql::seconds_between(c.get_database_backend(), "created_at", "resolved_at");
    sql::all(
        c,
        &format!(
            "SELECT assigned_to, \
               SUM(CASE WHEN resolved_at IS NULL THEN 1 ELSE 0 END) AS active_tasks, \
               SUM(CASE WHEN resolved_at IS NOT NULL THEN 1 ELSE 0 END) AS completed_tasks, \
               SUM(CASE WHEN sla_breached = $2 THEN 1 ELSE 0 END) AS sla_breaches, \
               CAST(AVG(CASE WHEN resolved_at IS NOT NULL THEN {secs} END) AS DOUBLE PRECISION) AS avg_resolution_seconds \
             FROM tasks WHERE organization_id = $1 AND assigned_to IS NOT NULL GROUP BY assigned_to"
        ),
        vec![tenant.id().into(), true.into()],
    )
    .await
}

/// A member of the organization with their role and capacity.
#[derive(Debug, Clone, FromQueryResult)]
pub struct MemberRow {
    pub user_id: Uuid,
    pub username: String,
    pub role: String,
    pub max_concurrent_tasks: i32,
}

/// Members holding one of `roles`.
pub async fn members_with_roles<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    roles: &[String],
) -> Result<Vec<MemberRow>> {
    if roles.is_empty() {
        return Ok(Vec::new());
    }
    let mut p = sql::Params::default();
    let org = p.push(tenant.id());
    let list = p.list(roles);
    sql::all(
        c,
        &format!(
            "SELECT m.user_id, u.username, m.role, m.max_concurrent_tasks FROM memberships m \
             JOIN users u ON u.id = m.user_id WHERE m.organization_id = {org} AND m.role IN {list} ORDER BY u.username"
        ),
        p.values,
    )
    .await
}
