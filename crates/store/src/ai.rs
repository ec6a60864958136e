//! Data the AI engine reads in bulk and the scores it writes back, with a fixed number of
//! queries whatever the number of tasks or people.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, FromQueryResult};
use uuid::Uuid;

use crate::{Result, StrList, Tenant, now, sql};

/// What scoring needs of a task.
#[derive(Debug, Clone, FromQueryResult)]
pub struct ScoringRow {
    pub id: Uuid,
    pub task_key: String,
    pub title: String,
    pub description: String,
    pub task_type: String,
    pub priority: String,
    pub due_date: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

/// Every active task of the organization, in one query.
pub async fn active_for_scoring<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
) -> Result<Vec<ScoringRow>> {
    sql::all(
        c,
        "SELECT id, task_key, title, description, task_type, priority, due_date, created_at FROM tasks \
         WHERE organization_id = $1 AND resolved_at IS NULL",
        vec![tenant.id().into()],
    )
    .await
}

/// A resolved task with how long it took.
#[derive(Debug, Clone, FromQueryResult)]
pub struct HistoryRow {
    pub task_type: String,
    pub title: String,
    pub description: String,
    pub resolution_seconds: f64,
}

/// The most recently resolved tasks (at most `limit`), for estimates.
pub async fn resolved_history<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    limit: u64,
) -> Result<Vec<HistoryRow>> {
    let secs = sql::seconds_between(c.get_database_backend(), "created_at", "resolved_at");
    sql::all(
        c,
        &format!(
            "SELECT task_type, title, description, CAST({secs} AS DOUBLE PRECISION) AS resolution_seconds FROM tasks \
             WHERE organization_id = $1 AND resolved_at IS NOT NULL ORDER BY resolved_at DESC LIMIT $2"
        ),
        vec![tenant.id().into(), (limit as i64).into()],
    )
    .await
}

/// Stores (task, score, estimated hours) for many tasks with batched upserts into the
/// narrow scores table.
pub async fn write_scores<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    scores: &[(Uuid, f64, f64)],
) -> Result<()> {
    let ts = now();
    let rows = scores
        .iter()
        .map(|(id, score, hours)| {
            vec![
                tenant.id().into(),
                (*id).into(),
                (*score).into(),
                (*hours).into(),
                ts.into(),
            ]
        })
        .collect();
    sql::insert_rows(
        c,
        "INSERT INTO task_ai_scores (organization_id, task_id, priority_score, estimated_hours, scored_at)",
        "ON CONFLICT (organization_id, task_id) DO UPDATE SET priority_score = excluded.priority_score, \
         estimated_hours = excluded.estimated_hours, scored_at = excluded.scored_at",
        5,
        rows,
    )
    .await
}

/// A person who may be given work.
#[derive(Debug, Clone, FromQueryResult)]
pub struct CandidateRow {
    pub user_id: Uuid,
    pub username: String,
    pub skills: StrList,
    pub max_concurrent_tasks: i32,
    pub active_tasks: i64,
}

/// Members holding one of `roles`, with their skills, capacity and active work (one query).
pub async fn candidates<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    roles: &[String],
) -> Result<Vec<CandidateRow>> {
    if roles.is_empty() {
        return Ok(Vec::new());
    }
    let mut p = sql::Params::default();
    let org = p.push(tenant.id());
    let list = p.list(roles);
    sql::all(
        c,
        &format!(
            "SELECT m.user_id, u.username, u.skills, m.max_concurrent_tasks, \
               (SELECT COUNT(*) FROM tasks t WHERE t.organization_id = m.organization_id AND t.assigned_to = m.user_id \
                  AND t.resolved_at IS NULL) AS active_tasks \
             FROM memberships m JOIN users u ON u.id = m.user_id \
             WHERE m.organization_id = {org} AND u.is_active = TRUE AND m.deactivated_at IS NULL \
               AND m.role IN {list} ORDER BY u.username"
        ),
        p.values,
    )
    .await
}

/// Per-assignee record on one task type.
#[derive(Debug, Clone, FromQueryResult)]
pub struct TypeRecord {
    pub assigned_to: Uuid,
    pub resolved: i64,
    pub breached: i64,
    pub avg_seconds: Option<f64>,
}

/// Every assignee's resolved count, breaches and average resolution time on `task_type`.
pub async fn type_records<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    task_type: &str,
) -> Result<Vec<TypeRecord>> {
    let secs = sql::seconds_between(c.get_database_backend(), "created_at", "resolved_at");
    sql::all(
        c,
        &format!(
            "SELECT assigned_to, COUNT(*) AS resolved, SUM(CASE WHEN sla_breached = $3 THEN 1 ELSE 0 END) AS breached, \
               CAST(AVG({secs}) AS DOUBLE PRECISION) AS avg_seconds \
             FROM tasks WHERE organization_id = $1 AND task_type = $2 AND resolved_at IS NOT NULL \
               AND assigned_to IS NOT NULL GROUP BY assigned_to"
        ),
        vec![tenant.id().into(), task_type.into(), true.into()],
    )
    .await
}

/// (id, name) pairs for the query parser's vocabulary.
#[derive(Debug, Clone, FromQueryResult)]
pub struct Named {
    pub id: Uuid,
    pub name: String,
}

/// Usernames of the organization's members.
pub async fn member_names<C: ConnectionTrait>(c: &C, tenant: Tenant) -> Result<Vec<Named>> {
    sql::all(
        c,
        "SELECT u.id, u.username AS name FROM memberships m JOIN users u ON u.id = m.user_id \
         WHERE m.organization_id = $1 ORDER BY u.username",
        vec![tenant.id().into()],
    )
    .await
}

/// Names of the organization's teams.
pub async fn team_names<C: ConnectionTrait>(c: &C, tenant: Tenant) -> Result<Vec<Named>> {
    sql::all(
        c,
        "SELECT id, name FROM teams WHERE organization_id = $1 ORDER BY name",
        vec![tenant.id().into()],
    )
    .await
}
