//! Dashboard aggregates, each computed by a fixed number of SQL queries whatever the number
//! of tasks or people.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, FromQueryResult, Value};
use uuid::Uuid;

use crate::{Result, Tenant, sql};

/// One (state, priority, type) group.
#[derive(Debug, Clone, FromQueryResult)]
pub struct Breakdown {
    pub current_state: String,
    pub priority: String,
    pub task_type: String,
    pub n: i64,
}

/// Task counts grouped by state, priority and type in one query.
pub async fn breakdown<C: ConnectionTrait>(c: &C, tenant: Tenant) -> Result<Vec<Breakdown>> {
    sql::all(
        c,
        "SELECT current_state, priority, task_type, COUNT(*) AS n FROM tasks WHERE organization_id = $1 \
         GROUP BY current_state, priority, task_type",
        vec![tenant.id().into()],
    )
    .await
}

/// Scalar figures of the overview.
#[derive(Debug, Clone, Default, FromQueryResult)]
pub struct Totals {
    pub total: i64,
    pub active: i64,
    pub unassigned_active: i64,
    pub created_7d: i64,
    pub completed_7d: i64,
    pub breached: i64,
    pub at_risk: i64,
}

/// The overview's scalar figures in one query. Breached: active and flagged or past due;
/// at risk: active, not breached, due within `at_risk_until`.
pub async fn totals<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    now: DateTime<Utc>,
    week_ago: DateTime<Utc>,
    at_risk_until: DateTime<Utc>,
) -> Result<Totals> {
    let row: Option<Totals> = sql::one(
        c,
        "SELECT COUNT(*) AS total, \
           COALESCE(SUM(CASE WHEN resolved_at IS NULL THEN 1 ELSE 0 END), 0) AS active, \
           COALESCE(SUM(CASE WHEN resolved_at IS NULL AND assigned_to IS NULL THEN 1 ELSE 0 END), 0) AS unassigned_active, \
           COALESCE(SUM(CASE WHEN created_at >= $3 THEN 1 ELSE 0 END), 0) AS created_7d, \
           COALESCE(SUM(CASE WHEN resolved_at >= $3 THEN 1 ELSE 0 END), 0) AS completed_7d, \
           COALESCE(SUM(CASE WHEN resolved_at IS NULL AND (sla_breached = $5 OR due_date < $2) THEN 1 ELSE 0 END), 0) AS breached, \
           COALESCE(SUM(CASE WHEN resolved_at IS NULL AND sla_breached = $6 AND due_date >= $2 AND due_date <= $4 THEN 1 ELSE 0 END), 0) AS at_risk \
         FROM tasks WHERE organization_id = $1",
        vec![
            tenant.id().into(),
            now.into(),
            week_ago.into(),
            at_risk_until.into(),
            true.into(),
            false.into(),
        ],
    )
    .await?;
    Ok(row.unwrap_or_default())
}

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
    let mut values: Vec<Value> = vec![tenant.id().into()];
    values.extend(roles.iter().map(|r| Value::from(r.clone())));
    sql::all(
        c,
        &format!(
            "SELECT m.user_id, u.username, m.role, m.max_concurrent_tasks FROM memberships m \
             JOIN users u ON u.id = m.user_id WHERE m.organization_id = $1 AND m.role IN {} ORDER BY u.username",
            sql::in_list(2, roles.len())
        ),
        values,
    )
    .await
}
