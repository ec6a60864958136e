//! Projects: groups of an organization's tasks with members (owner, editor, viewer), and
//! the SQL that keeps tasks of private projects out of the reach of non-members.

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{ConnectionTrait, FromQueryResult};
use uuid::Uuid;

use crate::{Page, Result, Tenant, now, sql, sql::Params};

/// Which of an organization's tasks a reader may see.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum TaskScope {
    /// Every task (organization admins and managers, the system).
    #[default]
    All,
    /// Every task but those of these projects (the private projects the reader is not a
    /// member of, read with their membership: a short list of ids is planned far faster
    /// than a subquery, and an empty one costs nothing).
    Except(Vec<Uuid>),
}

/// The projects hidden from `scope` as `$a, $b, …` for an `IN (…)`, with their values added
/// to `p`; `None` when nothing is hidden.
pub(crate) fn hidden_sql(scope: &TaskScope, p: &mut Params) -> Option<String> {
    match scope {
        TaskScope::Except(ids) if !ids.is_empty() => {
            let list = p.list(ids);
            Some(list[1..list.len() - 1].to_string())
        }
        _ => None,
    }
}

/// ` AND <scope on t>` for a reader kept out of some projects; empty otherwise.
pub(crate) fn and_task_scope(scope: &TaskScope, p: &mut Params) -> String {
    task_scope_sql(scope, p)
        .map(|s| format!(" AND {s}"))
        .unwrap_or_default()
}

/// A condition on the task alias `t` that holds for the tasks `scope` may see.
pub(crate) fn task_scope_sql(scope: &TaskScope, p: &mut Params) -> Option<String> {
    hidden_sql(scope, p)
        .map(|hidden| format!("(t.project_id IS NULL OR t.project_id NOT IN ({hidden}))"))
}

/// A condition on a task id column (`column`) that holds for the tasks `scope` may see (for
/// comments and audit entries, which name their task).
pub(crate) fn task_id_scope_sql(
    tenant: Tenant,
    scope: &TaskScope,
    column: &str,
    p: &mut Params,
) -> Option<String> {
    let hidden = hidden_sql(scope, p)?;
    let org = p.push(tenant.id());
    Some(format!(
        "({column} IS NULL OR {column} NOT IN (SELECT h.id FROM tasks h \
         WHERE h.organization_id = {org} AND h.project_id IN ({hidden})))"
    ))
}

/// A condition on the audit entry alias `a` that holds for the entries `scope` may see:
/// not about a task of a hidden project, nor about a deleted task whose project is hidden
/// or gone.
pub(crate) fn audit_scope_sql(tenant: Tenant, scope: &TaskScope, p: &mut Params) -> Option<String> {
    let hidden = hidden_sql(scope, p)?;
    let org = p.push(tenant.id());
    Some(format!(
        "(a.task_id IS NULL OR (a.task_id NOT IN (SELECT h.id FROM tasks h \
           WHERE h.organization_id = {org} AND h.project_id IN ({hidden})) \
         AND a.task_id NOT IN (SELECT d.task_id FROM deleted_task_projects d \
           WHERE d.organization_id = {org} AND (d.project_id IN ({hidden}) \
             OR d.project_id NOT IN (SELECT lp.id FROM projects lp WHERE lp.organization_id = {org})))))"
    ))
}

/// The visibility that keeps a project to its members.
pub const PRIVATE: &str = "private";
/// The visibility that lets everyone in the organization read a project.
pub const ORGANIZATION: &str = "organization";

/// A project with its lead's name and the reader's own role in it.
#[derive(Debug, Clone, FromQueryResult)]
pub struct ProjectRow {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub project_key: String,
    pub name: String,
    pub description: String,
    pub status: String,
    pub visibility: String,
    pub lead_id: Option<Uuid>,
    pub lead_name: Option<String>,
    pub start_date: Option<NaiveDate>,
    pub target_date: Option<NaiveDate>,
    pub budget_amount: Option<i64>,
    pub budget_currency: Option<String>,
    pub budget_hours: Option<f64>,
    pub hourly_rate_amount: Option<i64>,
    pub hourly_rate_currency: Option<String>,
    pub created_by: Option<Uuid>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub member_count: i64,
    /// The reader's role (`owner`, `editor`, `viewer`), when they are a member.
    pub my_role: Option<String>,
}

/// The writable fields of a project (the caller validates and merges a patch).
#[derive(Debug, Clone, Default)]
pub struct ProjectFields {
    pub project_key: String,
    pub name: String,
    pub description: String,
    pub status: String,
    pub visibility: String,
    pub lead_id: Option<Uuid>,
    pub start_date: Option<NaiveDate>,
    pub target_date: Option<NaiveDate>,
    pub budget_amount: Option<i64>,
    pub budget_currency: Option<String>,
    pub budget_hours: Option<f64>,
    pub hourly_rate_amount: Option<i64>,
    pub hourly_rate_currency: Option<String>,
}

fn select(viewer: &str) -> String {
    format!(
        "SELECT p.id, p.organization_id, p.project_key, p.name, p.description, p.status, p.visibility, \
         p.lead_id, (SELECT u.username FROM users u WHERE u.id = p.lead_id) AS lead_name, \
         p.start_date, p.target_date, p.budget_amount, p.budget_currency, p.budget_hours, \
         p.hourly_rate_amount, p.hourly_rate_currency, p.created_by, p.version, p.created_at, p.updated_at, \
         (SELECT COUNT(*) FROM project_members pc WHERE pc.project_id = p.id) AS member_count, \
         (SELECT pm.role FROM project_members pm WHERE pm.project_id = p.id AND pm.user_id = {viewer}) AS my_role \
         FROM projects p"
    )
}

/// Which projects to list.
#[derive(Debug, Clone, Default)]
pub struct ProjectFilter {
    pub status: Option<String>,
    /// Case-insensitive substring of the name or key.
    pub search: Option<String>,
}

/// A page of the projects `viewer` may see (all of them when `sees_all`), by name.
pub async fn list<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    viewer: Uuid,
    sees_all: bool,
    f: &ProjectFilter,
    page: Page,
) -> Result<(Vec<ProjectRow>, u64)> {
    let mut p = Params::default();
    let me = p.push(viewer);
    let mut wh = format!("p.organization_id = {}", p.push(tenant.id()));
    if !sees_all {
        let open = p.push(ORGANIZATION.to_string());
        wh.push_str(&format!(
            " AND (p.visibility = {open} OR EXISTS (SELECT 1 FROM project_members vm \
             WHERE vm.project_id = p.id AND vm.user_id = {me}))"
        ));
    }
    if let Some(status) = &f.status {
        wh.push_str(&format!(" AND p.status = {}", p.push(status.clone())));
    }
    if let Some(s) = f.search.as_deref().filter(|s| !s.is_empty()) {
        let like = p.push(format!("%{}%", sql::like_escape(&s.to_lowercase())));
        wh.push_str(&format!(
            " AND (LOWER(p.name) LIKE {like} ESCAPE '\\' OR LOWER(p.project_key) LIKE {like} ESCAPE '\\')"
        ));
    }
    let total = sql::count(
        c,
        &format!("SELECT COUNT(*) FROM projects p WHERE {wh}"),
        p.values.clone(),
    )
    .await?;
    let limit = p.push(page.size as i64);
    let offset = p.push(page.offset() as i64);
    let rows = sql::all(
        c,
        &format!(
            "{} WHERE {wh} ORDER BY p.name, p.id LIMIT {limit} OFFSET {offset}",
            select(&me)
        ),
        p.values,
    )
    .await?;
    Ok((rows, total))
}

/// One project of the organization (whoever may see it), with `viewer`'s role in it.
pub async fn get<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    viewer: Uuid,
    id: Uuid,
) -> Result<Option<ProjectRow>> {
    sql::one(
        c,
        &format!(
            "{} WHERE p.organization_id = $2 AND p.id = $3",
            select("$1")
        ),
        vec![viewer.into(), tenant.id().into(), id.into()],
    )
    .await
}

/// Inserts a project; `owner` becomes its first owner.
pub async fn create<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    f: ProjectFields,
    created_by: Uuid,
    owner: Option<Uuid>,
) -> Result<Uuid> {
    let id = Uuid::now_v7();
    let ts = now();
    sql::exec(
        c,
        "INSERT INTO projects (id, organization_id, project_key, name, description, status, visibility, lead_id, \
         start_date, target_date, budget_amount, budget_currency, budget_hours, hourly_rate_amount, \
         hourly_rate_currency, created_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $17)",
        vec![
            id.into(),
            tenant.id().into(),
            f.project_key.into(),
            f.name.into(),
            f.description.into(),
            f.status.into(),
            f.visibility.into(),
            f.lead_id.into(),
            f.start_date.into(),
            f.target_date.into(),
            f.budget_amount.into(),
            f.budget_currency.into(),
            f.budget_hours.into(),
            f.hourly_rate_amount.into(),
            f.hourly_rate_currency.into(),
            created_by.into(),
            ts.into(),
        ],
    )
    .await?;
    if let Some(owner) = owner {
        add_member(c, tenant, id, owner, "owner").await?;
    }
    Ok(id)
}

/// Writes every field of a project.
pub async fn update<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    id: Uuid,
    f: ProjectFields,
) -> Result<()> {
    sql::exec(
        c,
        "UPDATE projects SET project_key = $3, name = $4, description = $5, status = $6, visibility = $7, \
         lead_id = $8, start_date = $9, target_date = $10, budget_amount = $11, budget_currency = $12, \
         budget_hours = $13, hourly_rate_amount = $14, hourly_rate_currency = $15, version = version + 1, \
         updated_at = $16 WHERE organization_id = $1 AND id = $2",
        vec![
            tenant.id().into(),
            id.into(),
            f.project_key.into(),
            f.name.into(),
            f.description.into(),
            f.status.into(),
            f.visibility.into(),
            f.lead_id.into(),
            f.start_date.into(),
            f.target_date.into(),
            f.budget_amount.into(),
            f.budget_currency.into(),
            f.budget_hours.into(),
            f.hourly_rate_amount.into(),
            f.hourly_rate_currency.into(),
            now().into(),
        ],
    )
    .await?;
    Ok(())
}

/// Deletes a project without tasks (its memberships go with it).
pub async fn delete<C: ConnectionTrait>(c: &C, tenant: Tenant, id: Uuid) -> Result<bool> {
    Ok(sql::exec(
        c,
        "DELETE FROM projects WHERE organization_id = $1 AND id = $2",
        vec![tenant.id().into(), id.into()],
    )
    .await?
        > 0)
}

/// How many tasks a project holds.
pub async fn task_count<C: ConnectionTrait>(c: &C, tenant: Tenant, id: Uuid) -> Result<u64> {
    sql::count(
        c,
        "SELECT COUNT(*) FROM tasks WHERE organization_id = $1 AND project_id = $2",
        vec![tenant.id().into(), id.into()],
    )
    .await
}

/// A person's place in a project.
#[derive(Debug, Clone, FromQueryResult)]
pub struct ProjectMember {
    pub user_id: Uuid,
    pub username: String,
    pub role: String,
    pub created_at: DateTime<Utc>,
}

/// A page of a project's members, by username.
pub async fn members<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    project: Uuid,
    page: Page,
) -> Result<(Vec<ProjectMember>, u64)> {
    let total = sql::count(
        c,
        "SELECT COUNT(*) FROM project_members WHERE organization_id = $1 AND project_id = $2",
        vec![tenant.id().into(), project.into()],
    )
    .await?;
    let rows = sql::all(
        c,
        "SELECT pm.user_id, u.username, pm.role, pm.created_at FROM project_members pm \
         JOIN users u ON u.id = pm.user_id WHERE pm.organization_id = $1 AND pm.project_id = $2 \
         ORDER BY u.username, pm.user_id LIMIT $3 OFFSET $4",
        vec![
            tenant.id().into(),
            project.into(),
            (page.size as i64).into(),
            (page.offset() as i64).into(),
        ],
    )
    .await?;
    Ok((rows, total))
}

/// One member of a project.
pub async fn member<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    project: Uuid,
    user: Uuid,
) -> Result<Option<ProjectMember>> {
    sql::one(
        c,
        "SELECT pm.user_id, u.username, pm.role, pm.created_at FROM project_members pm \
         JOIN users u ON u.id = pm.user_id \
         WHERE pm.organization_id = $1 AND pm.project_id = $2 AND pm.user_id = $3",
        vec![tenant.id().into(), project.into(), user.into()],
    )
    .await
}

/// Adds a member (a conflict when they are one already).
pub async fn add_member<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    project: Uuid,
    user: Uuid,
    role: &str,
) -> Result<()> {
    sql::exec(
        c,
        "INSERT INTO project_members (organization_id, project_id, user_id, role, created_at) \
         VALUES ($1, $2, $3, $4, $5)",
        vec![
            tenant.id().into(),
            project.into(),
            user.into(),
            role.into(),
            now().into(),
        ],
    )
    .await?;
    Ok(())
}

/// Changes a member's role; `false` when they are not a member.
pub async fn set_role<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    project: Uuid,
    user: Uuid,
    role: &str,
) -> Result<bool> {
    Ok(sql::exec(
        c,
        "UPDATE project_members SET role = $4 WHERE organization_id = $1 AND project_id = $2 AND user_id = $3",
        vec![
            tenant.id().into(),
            project.into(),
            user.into(),
            role.into(),
        ],
    )
    .await?
        > 0)
}

/// Removes a member; `false` when they were not one.
pub async fn remove_member<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    project: Uuid,
    user: Uuid,
) -> Result<bool> {
    Ok(sql::exec(
        c,
        "DELETE FROM project_members WHERE organization_id = $1 AND project_id = $2 AND user_id = $3",
        vec![tenant.id().into(), project.into(), user.into()],
    )
    .await?
        > 0)
}

/// How many active tasks of a project `user` holds.
pub async fn active_assignments<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    project: Uuid,
    user: Uuid,
) -> Result<u64> {
    sql::count(
        c,
        "SELECT COUNT(*) FROM tasks WHERE organization_id = $1 AND project_id = $2 \
         AND assigned_to = $3 AND resolved_at IS NULL",
        vec![tenant.id().into(), project.into(), user.into()],
    )
    .await
}

/// Who may work on a project's tasks: its owners and editors, and the organization's
/// members holding one of `manager_roles`.
pub async fn workers<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    project: Uuid,
    manager_roles: &[String],
) -> Result<Vec<Uuid>> {
    #[derive(FromQueryResult)]
    struct U {
        user_id: Uuid,
    }
    let mut p = Params::default();
    let org = p.push(tenant.id());
    let id = p.push(project);
    let managers = if manager_roles.is_empty() {
        String::new()
    } else {
        format!(
            " UNION SELECT m.user_id FROM memberships m WHERE m.organization_id = {org} AND m.role IN {}",
            p.list(manager_roles)
        )
    };
    let rows: Vec<U> = sql::all(
        c,
        &format!(
            "SELECT pm.user_id FROM project_members pm WHERE pm.organization_id = {org} \
             AND pm.project_id = {id} AND pm.role IN ('owner', 'editor'){managers}"
        ),
        p.values,
    )
    .await?;
    Ok(rows.into_iter().map(|r| r.user_id).collect())
}

/// How many owners a project has (the last one cannot leave or be demoted).
pub async fn owner_count<C: ConnectionTrait>(c: &C, tenant: Tenant, project: Uuid) -> Result<u64> {
    sql::count(
        c,
        "SELECT COUNT(*) FROM project_members WHERE organization_id = $1 AND project_id = $2 AND role = 'owner'",
        vec![tenant.id().into(), project.into()],
    )
    .await
}

/// A project as an access check needs it: its visibility and the person's role in it.
#[derive(Debug, Clone, FromQueryResult)]
pub struct ProjectAccess {
    pub id: Uuid,
    pub project_key: String,
    pub visibility: String,
    pub status: String,
    pub role: Option<String>,
}

/// Every project of the organization with its visibility and `user`'s role in it: what a
/// restricted reader reaches and what is hidden from them, in one query.
pub async fn reach<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    user: Uuid,
) -> Result<Vec<ProjectAccess>> {
    sql::all(
        c,
        "SELECT p.id, p.project_key, p.visibility, p.status, pm.role FROM projects p \
         LEFT JOIN project_members pm ON pm.project_id = p.id AND pm.user_id = $2 \
         WHERE p.organization_id = $1",
        vec![tenant.id().into(), user.into()],
    )
    .await
}

const ACCESS: &str = "SELECT p.id, p.project_key, p.visibility, p.status, pm.role FROM projects p \
     LEFT JOIN project_members pm ON pm.project_id = p.id AND pm.user_id = $2 \
     WHERE p.organization_id = $1 AND p.id = $3";

/// One project's visibility and `user`'s role in it.
pub async fn access<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    user: Uuid,
    project: Uuid,
) -> Result<Option<ProjectAccess>> {
    sql::one(
        c,
        ACCESS,
        vec![tenant.id().into(), user.into(), project.into()],
    )
    .await
}

/// [`access`], with the project's row share-locked until the transaction ends (PostgreSQL;
/// SQLite's write transaction excludes other writers): a task being put into the project
/// and the project's deletion or archiving wait for each other.
pub async fn access_for_share<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    user: Uuid,
    project: Uuid,
) -> Result<Option<ProjectAccess>> {
    let sql = match c.get_database_backend() {
        sea_orm::DbBackend::Postgres => format!("{ACCESS} FOR SHARE OF p"),
        _ => ACCESS.to_string(),
    };
    sql::one(
        c,
        &sql,
        vec![tenant.id().into(), user.into(), project.into()],
    )
    .await
}

/// A project's figures.
#[derive(Debug, Clone, Default)]
pub struct ProjectStats {
    /// Tasks per state, by state name.
    pub by_state: Vec<(String, i64)>,
    pub open: i64,
    pub overdue: i64,
    pub completed_last_7_days: i64,
    /// Resolved in a final state other than the workflow's cancel state.
    pub done: i64,
    /// Resolved in the workflow's cancel state.
    pub cancelled: i64,
    pub total: i64,
}

/// Counts a project's tasks at `at` in one grouped query.
pub async fn stats<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    project: Uuid,
    at: DateTime<Utc>,
) -> Result<ProjectStats> {
    #[derive(FromQueryResult)]
    struct Row {
        current_state: String,
        n: i64,
        open: i64,
        overdue: i64,
        completed_7d: i64,
        done: i64,
        cancelled: i64,
    }
    let week_ago = at - chrono::Duration::days(7);
    let rows: Vec<Row> = sql::all(
        c,
        "SELECT t.current_state, COUNT(*) AS n, \
         CAST(COALESCE(SUM(CASE WHEN t.resolved_at IS NULL THEN 1 ELSE 0 END), 0) AS BIGINT) AS open, \
         CAST(COALESCE(SUM(CASE WHEN t.resolved_at IS NULL AND (t.sla_breached = $4 OR t.due_date < $3) THEN 1 ELSE 0 END), 0) AS BIGINT) AS overdue, \
         CAST(COALESCE(SUM(CASE WHEN t.resolved_at >= $5 AND t.current_state <> COALESCE(w.cancel_state, '') THEN 1 ELSE 0 END), 0) AS BIGINT) AS completed_7d, \
         CAST(COALESCE(SUM(CASE WHEN t.resolved_at IS NOT NULL AND t.current_state <> COALESCE(w.cancel_state, '') THEN 1 ELSE 0 END), 0) AS BIGINT) AS done, \
         CAST(COALESCE(SUM(CASE WHEN t.resolved_at IS NOT NULL AND t.current_state = w.cancel_state THEN 1 ELSE 0 END), 0) AS BIGINT) AS cancelled \
         FROM tasks t JOIN workflows w ON w.organization_id = t.organization_id AND w.id = t.workflow_id \
         WHERE t.organization_id = $1 AND t.project_id = $2 GROUP BY t.current_state ORDER BY t.current_state",
        vec![
            tenant.id().into(),
            project.into(),
            at.into(),
            true.into(),
            week_ago.into(),
        ],
    )
    .await?;
    let mut out = ProjectStats::default();
    for r in rows {
        out.total += r.n;
        out.open += r.open;
        out.overdue += r.overdue;
        out.completed_last_7_days += r.completed_7d;
        out.done += r.done;
        out.cancelled += r.cancelled;
        out.by_state.push((r.current_state, r.n));
    }
    Ok(out)
}
