//! The structure between tasks: a sub-task's parent (one level) and "blocked by"
//! dependencies. Reads for the detail view, the graph walk that finds cycles, and the
//! locked reads the transition's blocking checks take.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbBackend, FromQueryResult};
use uuid::Uuid;

use crate::{Result, Tenant, now, sql};

/// Another task as a link shows it: key, title, state, and whether it is still active.
#[derive(Debug, Clone, FromQueryResult)]
pub struct LinkedTask {
    pub id: Uuid,
    pub task_key: String,
    pub title: String,
    pub current_state: String,
    pub resolved_at: Option<DateTime<Utc>>,
    pub project_id: Option<Uuid>,
    pub assigned_to: Option<Uuid>,
}

impl LinkedTask {
    /// Not in a final state.
    pub fn is_active(&self) -> bool {
        self.resolved_at.is_none()
    }
}

const LINKED: &str = "SELECT t.id, t.task_key, t.title, t.current_state, t.resolved_at, t.project_id, t.assigned_to FROM tasks t";

/// `FOR SHARE OF t` on PostgreSQL: the rows stay as read until the transaction ends (a
/// concurrent reopen waits); SQLite's write transaction already excludes other writers.
fn share_lock(c: &impl ConnectionTrait) -> &'static str {
    match c.get_database_backend() {
        DbBackend::Postgres => " FOR SHARE OF t",
        _ => "",
    }
}

/// The sub-tasks of `parent`, by key.
pub async fn subtasks<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    parent: Uuid,
) -> Result<Vec<LinkedTask>> {
    sql::all(
        c,
        &format!("{LINKED} WHERE t.organization_id = $1 AND t.parent_id = $2 ORDER BY t.task_key"),
        vec![tenant.id().into(), parent.into()],
    )
    .await
}

/// The active sub-tasks of `parent`. All of them are share-locked first (like
/// [`active_blockers_locked`]), so one being reopened at this moment is waited for and then
/// seen as it is.
pub async fn active_subtasks_locked<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    parent: Uuid,
) -> Result<Vec<LinkedTask>> {
    let all: Vec<LinkedTask> = sql::all(
        c,
        &format!(
            "{LINKED} WHERE t.organization_id = $1 AND t.parent_id = $2 ORDER BY t.task_key{}",
            share_lock(c)
        ),
        vec![tenant.id().into(), parent.into()],
    )
    .await?;
    Ok(all.into_iter().filter(LinkedTask::is_active).collect())
}

/// How many sub-tasks `id` has.
pub async fn subtask_count<C: ConnectionTrait>(c: &C, tenant: Tenant, id: Uuid) -> Result<u64> {
    sql::count(
        c,
        "SELECT COUNT(*) FROM tasks WHERE organization_id = $1 AND parent_id = $2",
        vec![tenant.id().into(), id.into()],
    )
    .await
}

/// Sets or clears a task's parent. Leaves the version alone: it runs beside the insert or
/// the field update that counts as the change.
pub async fn set_parent<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    id: Uuid,
    parent: Option<Uuid>,
) -> Result<()> {
    sql::exec(
        c,
        "UPDATE tasks SET parent_id = $3 WHERE organization_id = $1 AND id = $2",
        vec![tenant.id().into(), id.into(), parent.into()],
    )
    .await?;
    Ok(())
}

/// Makes every sub-task of `parent` a task of its own (a new version each), before the
/// parent is deleted.
pub async fn detach_subtasks<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    parent: Uuid,
) -> Result<u64> {
    sql::exec(
        c,
        "UPDATE tasks SET parent_id = NULL, version = version + 1, updated_at = $3 \
         WHERE organization_id = $1 AND parent_id = $2",
        vec![tenant.id().into(), parent.into(), now().into()],
    )
    .await
}

/// Moves every sub-task of `parent` into `project` with it (a new version each).
pub async fn move_subtasks<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    parent: Uuid,
    project: Option<Uuid>,
) -> Result<u64> {
    sql::exec(
        c,
        "UPDATE tasks SET project_id = $3, version = version + 1, updated_at = $4 \
         WHERE organization_id = $1 AND parent_id = $2",
        vec![
            tenant.id().into(),
            parent.into(),
            project.into(),
            now().into(),
        ],
    )
    .await
}

/// The tasks `task` is blocked by, by key.
pub async fn blockers<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    task: Uuid,
) -> Result<Vec<LinkedTask>> {
    sql::all(
        c,
        &format!(
            "{LINKED} JOIN task_dependencies d ON d.organization_id = t.organization_id AND d.blocked_by_id = t.id \
             WHERE d.organization_id = $1 AND d.task_id = $2 ORDER BY t.task_key"
        ),
        vec![tenant.id().into(), task.into()],
    )
    .await
}

/// The tasks `task` blocks, by key.
pub async fn blocking<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    task: Uuid,
) -> Result<Vec<LinkedTask>> {
    sql::all(
        c,
        &format!(
            "{LINKED} JOIN task_dependencies d ON d.organization_id = t.organization_id AND d.task_id = t.id \
             WHERE d.organization_id = $1 AND d.blocked_by_id = $2 ORDER BY t.task_key"
        ),
        vec![tenant.id().into(), task.into()],
    )
    .await
}

/// The active blockers of `task`, share-locked so none can be reopened (or, for one being
/// completed, rolled back) before the transaction that relies on them ends.
pub async fn active_blockers_locked<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    task: Uuid,
) -> Result<Vec<LinkedTask>> {
    // Lock every blocker (active or not): a finished one being reopened concurrently must
    // wait for this transaction, and is then seen as it is.
    let all: Vec<LinkedTask> = sql::all(
        c,
        &format!(
            "{LINKED} WHERE t.organization_id = $1 AND t.id IN \
             (SELECT d.blocked_by_id FROM task_dependencies d WHERE d.organization_id = $1 AND d.task_id = $2) \
             ORDER BY t.task_key{}",
            share_lock(c)
        ),
        vec![tenant.id().into(), task.into()],
    )
    .await?;
    Ok(all.into_iter().filter(LinkedTask::is_active).collect())
}

/// Records that `task` is blocked by `blocker`; `false` when it already was.
pub async fn add_dependency<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    task: Uuid,
    blocker: Uuid,
    by: Option<Uuid>,
) -> Result<bool> {
    Ok(sql::exec(
        c,
        "INSERT INTO task_dependencies (organization_id, task_id, blocked_by_id, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
        vec![
            tenant.id().into(),
            task.into(),
            blocker.into(),
            by.into(),
            now().into(),
        ],
    )
    .await?
        == 1)
}

/// Removes the dependency; `false` when there was none.
pub async fn remove_dependency<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    task: Uuid,
    blocker: Uuid,
) -> Result<bool> {
    Ok(sql::exec(
        c,
        "DELETE FROM task_dependencies WHERE organization_id = $1 AND task_id = $2 AND blocked_by_id = $3",
        vec![tenant.id().into(), task.into(), blocker.into()],
    )
    .await?
        == 1)
}

/// One "blocked by" edge.
#[derive(Debug, Clone, FromQueryResult)]
pub struct Edge {
    pub task_id: Uuid,
    pub blocked_by_id: Uuid,
}

/// Every edge reachable from `start` by following "blocked by" (one recursive query), so
/// the caller can look for a path back to the task that would close a cycle.
pub async fn edges_from<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    start: Uuid,
) -> Result<Vec<Edge>> {
    sql::all(
        c,
        "WITH RECURSIVE reach(id) AS ( \
           SELECT CAST($2 AS {uuid}) \
           UNION \
           SELECT d.blocked_by_id FROM task_dependencies d JOIN reach r ON d.task_id = r.id WHERE d.organization_id = $1) \
         SELECT d.task_id, d.blocked_by_id FROM task_dependencies d \
         WHERE d.organization_id = $1 AND d.task_id IN (SELECT id FROM reach)"
            .replace(
                "{uuid}",
                match c.get_database_backend() {
                    DbBackend::Postgres => "UUID",
                    _ => "BLOB",
                },
            )
            .as_str(),
        vec![tenant.id().into(), start.into()],
    )
    .await
}

/// Serialises changes to the organization's dependency graph, so two concurrent inserts
/// cannot each miss the other and close a cycle together (PostgreSQL: a transaction-scoped
/// advisory lock per organization; SQLite's write transactions are serial already).
pub async fn lock_graph<C: ConnectionTrait>(c: &C, tenant: Tenant) -> Result<()> {
    if c.get_database_backend() == DbBackend::Postgres {
        // Key space "DEPS" (0x44455053), then the organization.
        sql::count(
            c,
            "SELECT COUNT(*) FROM (SELECT pg_advisory_xact_lock(1145393235, hashtext(CAST($1 AS TEXT)))) l",
            vec![tenant.id().into()],
        )
        .await?;
    }
    Ok(())
}

/// The keys of `ids` (for messages) with their projects, in the order given.
pub async fn keys<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    ids: &[Uuid],
) -> Result<Vec<(String, Option<Uuid>)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    #[derive(FromQueryResult)]
    struct K {
        id: Uuid,
        task_key: String,
        project_id: Option<Uuid>,
    }
    let mut p = sql::Params::default();
    let org = p.push(tenant.id());
    let list = p.list(ids);
    let rows: Vec<K> = sql::all(
        c,
        &format!(
            "SELECT id, task_key, project_id FROM tasks WHERE organization_id = {org} AND id IN {list}"
        ),
        p.values,
    )
    .await?;
    Ok(ids
        .iter()
        .filter_map(|id| {
            rows.iter()
                .find(|r| r.id == *id)
                .map(|r| (r.task_key.clone(), r.project_id))
        })
        .collect())
}

/// How a linked task relates to the one shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relation {
    Parent,
    Subtask,
    BlockedBy,
    Blocking,
}

#[derive(Debug, FromQueryResult)]
struct RelatedRow {
    rel: i32,
    id: Uuid,
    task_key: String,
    title: String,
    current_state: String,
    resolved_at: Option<DateTime<Utc>>,
    project_id: Option<Uuid>,
    assigned_to: Option<Uuid>,
}

/// Everything a task's detail links to — its parent, sub-tasks, blockers and the tasks it
/// blocks — in one round trip, each group by key.
pub async fn related<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    id: Uuid,
    parent: Option<Uuid>,
) -> Result<Vec<(Relation, LinkedTask)>> {
    let cols =
        "t.id, t.task_key, t.title, t.current_state, t.resolved_at, t.project_id, t.assigned_to";
    let rows: Vec<RelatedRow> = sql::all(
        c,
        &format!(
            "SELECT 0 AS rel, {cols} FROM tasks t WHERE t.organization_id = $1 AND t.id = $3 \
             UNION ALL SELECT 1, {cols} FROM tasks t WHERE t.organization_id = $1 AND t.parent_id = $2 \
             UNION ALL SELECT 2, {cols} FROM tasks t JOIN task_dependencies d \
               ON d.organization_id = t.organization_id AND d.blocked_by_id = t.id \
               WHERE d.organization_id = $1 AND d.task_id = $2 \
             UNION ALL SELECT 3, {cols} FROM tasks t JOIN task_dependencies d \
               ON d.organization_id = t.organization_id AND d.task_id = t.id \
               WHERE d.organization_id = $1 AND d.blocked_by_id = $2 \
             ORDER BY 1, 3"
        ),
        vec![tenant.id().into(), id.into(), parent.into()],
    )
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let rel = match r.rel {
                0 => Relation::Parent,
                1 => Relation::Subtask,
                2 => Relation::BlockedBy,
                _ => Relation::Blocking,
            };
            (
                rel,
                LinkedTask {
                    id: r.id,
                    task_key: r.task_key,
                    title: r.title,
                    current_state: r.current_state,
                    resolved_at: r.resolved_at,
                    project_id: r.project_id,
                    assigned_to: r.assigned_to,
                },
            )
        })
        .collect())
}
