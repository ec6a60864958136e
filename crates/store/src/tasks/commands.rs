//! Task writes: key sequences, insert, field updates, the compare-and-set transition,
//! assignment, deletion and re-deriving resolution after a workflow change.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, FromQueryResult};
use uuid::Uuid;

use crate::{Result, StrList, Tenant, now, sql, sql::Params};

/// Allocates the next task number of the organization. The row update serialises
/// concurrent creators, and rolls back with the transaction, so numbers have no gaps.
pub async fn next_sequence<C: ConnectionTrait>(c: &C, tenant: Tenant) -> Result<i64> {
    reserve_sequences(c, tenant, 1).await
}

/// Reserves `n` consecutive task numbers at once (bulk loads) and returns the first. Like
/// [`next_sequence`] it serialises with concurrent creators, so no number is handed out twice.
pub async fn reserve_sequences<C: ConnectionTrait>(c: &C, tenant: Tenant, n: i64) -> Result<i64> {
    #[derive(FromQueryResult)]
    struct R {
        first: i64,
    }
    let row: Option<R> = sql::one(
        c,
        "UPDATE organizations SET task_seq = task_seq + $2 WHERE id = $1 RETURNING task_seq - $2 + 1 AS first",
        vec![tenant.id().into(), n.into()],
    )
    .await?;
    row.map(|r| r.first).ok_or_else(|| {
        crate::StoreError::Corrupt("organization missing while numbering a task".into())
    })
}

/// A task to insert (validated by the caller).
#[derive(Debug, Clone)]
pub struct NewTask {
    pub task_key: String,
    pub title: String,
    pub description: String,
    pub workflow_id: Uuid,
    pub current_state: String,
    pub priority: String,
    pub task_type: String,
    pub tags: Vec<String>,
    pub team_id: Option<Uuid>,
    pub created_by: Option<Uuid>,
    pub due_date: Option<DateTime<Utc>>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub project_id: Option<Uuid>,
}

/// Inserts a task; returns its id.
pub async fn create<C: ConnectionTrait>(c: &C, tenant: Tenant, t: NewTask) -> Result<Uuid> {
    create_at(c, tenant, t, now()).await
}

/// Inserts a task with an explicit creation time (seeding history).
pub async fn create_at<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    t: NewTask,
    created_at: DateTime<Utc>,
) -> Result<Uuid> {
    let id = Uuid::now_v7();
    // One insert path for tasks: the bulk writer with a single row.
    crate::bulk::insert_tasks(
        c,
        tenant,
        vec![crate::bulk::SeedTask {
            id,
            task_key: t.task_key,
            title: t.title,
            description: t.description,
            workflow_id: t.workflow_id,
            current_state: t.current_state,
            priority: t.priority,
            task_type: t.task_type,
            tags: t.tags,
            team_id: t.team_id,
            assigned_to: None,
            created_by: t.created_by,
            due_date: t.due_date,
            sla_breached: false,
            resolved_at: t.resolved_at,
            created_at,
            project_id: t.project_id,
        }],
    )
    .await?;
    Ok(id)
}

/// Editable fields, all written (the caller merges the patch over the current row).
#[derive(Debug, Clone)]
pub struct TaskFields {
    pub title: String,
    pub description: String,
    pub priority: String,
    pub task_type: String,
    pub tags: Vec<String>,
    pub team_id: Option<Uuid>,
    pub due_date: Option<DateTime<Utc>>,
    pub project_id: Option<Uuid>,
}

/// Writes the editable fields.
pub async fn update_fields<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    id: Uuid,
    f: TaskFields,
) -> Result<()> {
    sql::exec(
        c,
        "UPDATE tasks SET title = $3, description = $4, priority = $5, task_type = $6, tags = $7, team_id = $8, \
         due_date = $9, version = version + 1, updated_at = $10, project_id = $11 WHERE organization_id = $1 AND id = $2",
        vec![
            tenant.id().into(),
            id.into(),
            f.title.into(),
            f.description.into(),
            f.priority.into(),
            f.task_type.into(),
            StrList(f.tags).into(),
            f.team_id.into(),
            f.due_date.into(),
            now().into(),
            f.project_id.into(),
        ],
    )
    .await?;
    Ok(())
}

/// Moves a task from `from` to `to` only if it is still in `from` (compare-and-set).
/// Returns whether this call made the change.
pub async fn transition<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    id: Uuid,
    from: &str,
    to: &str,
    resolved_at: Option<DateTime<Utc>>,
    version: Option<i64>,
) -> Result<bool> {
    let mut values = vec![
        tenant.id().into(),
        id.into(),
        from.into(),
        to.into(),
        resolved_at.into(),
        now().into(),
    ];
    let mut sql = "UPDATE tasks SET current_state = $4, resolved_at = $5, version = version + 1, updated_at = $6 \
         WHERE organization_id = $1 AND id = $2 AND current_state = $3"
        .to_string();
    if let Some(v) = version {
        values.push(v.into());
        sql.push_str(" AND version = $7");
    }
    Ok(sql::exec(c, &sql, values).await? == 1)
}

/// Sets or clears the assignee.
pub async fn set_assignee<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    id: Uuid,
    user: Option<Uuid>,
) -> Result<()> {
    sql::exec(
        c,
        "UPDATE tasks SET assigned_to = $3, version = version + 1, updated_at = $4 WHERE organization_id = $1 AND id = $2",
        vec![tenant.id().into(), id.into(), user.into(), now().into()],
    )
    .await?;
    Ok(())
}

/// Deletes a task (its comments go with it; audit entries stay).
pub async fn delete<C: ConnectionTrait>(c: &C, tenant: Tenant, id: Uuid) -> Result<bool> {
    // Its audit history outlives it: remember its project, so the history stays as private
    // as the task was.
    sql::exec(
        c,
        "INSERT INTO deleted_task_projects (organization_id, task_id, project_id, deleted_at) \
         SELECT organization_id, id, project_id, $3 FROM tasks \
         WHERE organization_id = $1 AND id = $2 AND project_id IS NOT NULL",
        vec![tenant.id().into(), id.into(), now().into()],
    )
    .await?;
    Ok(sql::exec(
        c,
        "DELETE FROM tasks WHERE organization_id = $1 AND id = $2",
        vec![tenant.id().into(), id.into()],
    )
    .await?
        > 0)
}

/// Re-derives `resolved_at` for a workflow's tasks after its final states changed.
pub async fn resync_resolved<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    workflow: Uuid,
    finals: &[String],
) -> Result<()> {
    let ts = now();
    if finals.is_empty() {
        sql::exec(
            c,
            "UPDATE tasks SET resolved_at = NULL, version = version + 1 WHERE organization_id = $1 AND workflow_id = $2 AND resolved_at IS NOT NULL",
            vec![tenant.id().into(), workflow.into()],
        )
        .await?;
        return Ok(());
    }
    let mut p = Params::default();
    let org = p.push(tenant.id());
    let wf = p.push(workflow);
    let t = p.push(ts);
    let list = p.list(finals);
    sql::exec(
        c,
        &format!(
            "UPDATE tasks SET resolved_at = {t}, version = version + 1 WHERE organization_id = {org} AND workflow_id = {wf} \
             AND resolved_at IS NULL AND current_state IN {list}"
        ),
        p.values,
    )
    .await?;
    let mut p = Params::default();
    let org = p.push(tenant.id());
    let wf = p.push(workflow);
    let list = p.list(finals);
    sql::exec(
        c,
        &format!(
            "UPDATE tasks SET resolved_at = NULL, version = version + 1 WHERE organization_id = {org} AND workflow_id = {wf} \
             AND resolved_at IS NOT NULL AND current_state NOT IN {list}"
        ),
        p.values,
    )
    .await?;
    Ok(())
}
