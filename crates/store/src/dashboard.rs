//! Dashboard aggregates, each computed by a fixed number of SQL queries whatever the number
//! of tasks or people. (The overview reads the trigger-kept tallies: see `tallies`.)

use sea_orm::{ConnectionTrait, FromQueryResult};
use uuid::Uuid;

use crate::{Result, Tenant, projects::TaskScope, sql, sql::Params};

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
    scope: &TaskScope,
) -> Result<Vec<AssigneeStats>> {
    let secs = sql::seconds_between(c.get_database_backend(), "t.created_at", "t.resolved_at");
    let mut p = Params::default();
    p.push(tenant.id());
    p.push(true);
    let scoped = crate::projects::and_task_scope(scope, &mut p);
    sql::all(
        c,
        &format!(
            "SELECT t.assigned_to, \
               SUM(CASE WHEN t.resolved_at IS NULL THEN 1 ELSE 0 END) AS active_tasks, \
               SUM(CASE WHEN t.resolved_at IS NOT NULL THEN 1 ELSE 0 END) AS completed_tasks, \
               SUM(CASE WHEN t.sla_breached = $2 THEN 1 ELSE 0 END) AS sla_breaches, \
               CAST(AVG(CASE WHEN t.resolved_at IS NOT NULL THEN {secs} END) AS DOUBLE PRECISION) AS avg_resolution_seconds \
             FROM tasks t WHERE t.organization_id = $1 AND t.assigned_to IS NOT NULL{scoped} GROUP BY t.assigned_to"
        ),
        p.values,
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

/// Tasks created and completed in one whole UTC hour (hours since 1970).
#[derive(Debug, Clone, FromQueryResult)]
pub struct HourFlow {
    pub hour: i64,
    pub created: i64,
    pub completed: i64,
}

/// Created and completed counts per hour from `first_hour` on, from the trigger-kept hourly
/// buckets (at most 24 rows a day, whatever the number of tasks); for a reader kept out of
/// some projects, those projects' tasks are taken off hour by hour.
pub async fn hourly_flow<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    scope: &TaskScope,
    first_hour: i64,
) -> Result<Vec<HourFlow>> {
    let mut p = Params::default();
    p.push(tenant.id());
    p.push(first_hour);
    let hidden = match crate::projects::hidden_sql(scope, &mut p) {
        None => String::new(),
        Some(hidden) => {
            let hour = |col: &str| match c.get_database_backend() {
                sea_orm::DbBackend::Postgres => format!("task_hour({col})"),
                _ => format!("CAST(strftime('%s', {col}) AS INTEGER) / 3600"),
            };
            let (created, resolved) = (hour("created_at"), hour("resolved_at"));
            format!(
                " UNION ALL SELECT {created}, -1, 0 FROM tasks WHERE organization_id = $1 \
                   AND project_id IN ({hidden}) AND {created} >= $2 \
                 UNION ALL SELECT {resolved}, 0, -1 FROM tasks WHERE organization_id = $1 \
                   AND project_id IN ({hidden}) AND resolved_at IS NOT NULL AND {resolved} >= $2"
            )
        }
    };
    sql::all(
        c,
        &format!(
            "SELECT hour, CAST(SUM(created) AS BIGINT) AS created, CAST(SUM(completed) AS BIGINT) AS completed FROM (\
               SELECT hour, created, completed FROM task_hourly WHERE organization_id = $1 AND hour >= $2 \
               UNION ALL \
               SELECT hour, created, completed FROM task_hourly_deltas WHERE organization_id = $1 AND hour >= $2{hidden}) b \
             GROUP BY hour ORDER BY hour"
        ),
        p.values,
    )
    .await
}

/// How long the tasks of one type completed in a period took, from creation to completion.
#[derive(Debug, Clone, FromQueryResult)]
pub struct CycleTime {
    pub task_type: String,
    pub completed: i64,
    pub median_seconds: Option<f64>,
    pub p85_seconds: Option<f64>,
}

/// Median and 85th percentile (nearest rank) of creation-to-completion time per task type,
/// over the tasks completed since `since`: one query, ranked in the database.
pub async fn cycle_times<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    scope: &TaskScope,
    since: chrono::DateTime<chrono::Utc>,
) -> Result<Vec<CycleTime>> {
    let secs = sql::seconds_between(c.get_database_backend(), "t.created_at", "t.resolved_at");
    let mut p = Params::default();
    p.push(tenant.id());
    p.push(since);
    let scoped = crate::projects::and_task_scope(scope, &mut p);
    sql::all(
        c,
        &format!(
            "SELECT task_type, CAST(MAX(n) AS BIGINT) AS completed, \
               CAST(MAX(CASE WHEN rn = (50 * n + 99) / 100 THEN secs END) AS DOUBLE PRECISION) AS median_seconds, \
               CAST(MAX(CASE WHEN rn = (85 * n + 99) / 100 THEN secs END) AS DOUBLE PRECISION) AS p85_seconds \
             FROM (SELECT t.task_type, {secs} AS secs, \
                     ROW_NUMBER() OVER (PARTITION BY t.task_type ORDER BY {secs}) AS rn, \
                     COUNT(*) OVER (PARTITION BY t.task_type) AS n \
                   FROM tasks t WHERE t.organization_id = $1 AND t.resolved_at >= $2{scoped}) r \
             GROUP BY task_type ORDER BY task_type"
        ),
        p.values,
    )
    .await
}

/// Overdue tasks held by one person (`user_id` `None`: unassigned).
#[derive(Debug, Clone, FromQueryResult)]
pub struct OverdueCount {
    pub user_id: Option<Uuid>,
    pub username: Option<String>,
    pub overdue: i64,
}

/// Active tasks past due (flagged by a sweep or not yet) per assignee, most first — the
/// same condition as the task list's `overdue=true`.
pub async fn overdue_by_assignee<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    scope: &TaskScope,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Vec<OverdueCount>> {
    let mut p = Params::default();
    p.push(tenant.id());
    p.push(true);
    p.push(now);
    let scoped = crate::projects::and_task_scope(scope, &mut p);
    sql::all(
        c,
        &format!(
            "SELECT t.assigned_to AS user_id, u.username, CAST(COUNT(*) AS BIGINT) AS overdue \
             FROM tasks t LEFT JOIN users u ON u.id = t.assigned_to \
             WHERE t.organization_id = $1 AND t.resolved_at IS NULL AND (t.sla_breached = $2 OR t.due_date < $3){scoped} \
             GROUP BY t.assigned_to, u.username \
             ORDER BY overdue DESC, CASE WHEN u.username IS NULL THEN 1 ELSE 0 END, u.username"
        ),
        p.values,
    )
    .await
}
