//! Workflows (state machines) and their transition rules.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, FromQueryResult};
use uuid::Uuid;

use crate::{Result, StrList, Tenant, now, sql};

/// A stored workflow.
#[derive(Debug, Clone, FromQueryResult)]
pub struct WorkflowRow {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub name: String,
    pub is_default: bool,
    pub allowed_states: StrList,
    pub initial_state: String,
    pub final_states: StrList,
    /// The final state that means "abandoned": never held back by blockers or sub-tasks.
    pub cancel_state: Option<String>,
    /// Whether a parent may enter another final state only once its sub-tasks are done.
    pub complete_parent_requires_subtasks_done: bool,
    /// Grows with every change (optimistic concurrency).
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A stored transition rule.
#[derive(Debug, Clone, FromQueryResult)]
pub struct RuleRow {
    pub id: Uuid,
    pub workflow_id: Uuid,
    pub from_state: String,
    pub to_state: String,
    pub allowed_roles: StrList,
    /// Grows with every change (optimistic concurrency).
    pub version: i64,
}

/// A workflow to create.
#[derive(Debug, Clone)]
pub struct NewWorkflow {
    pub name: String,
    pub is_default: bool,
    pub states: Vec<String>,
    pub initial_state: String,
    pub final_states: Vec<String>,
}

/// Creates a workflow; returns its id.
pub async fn create<C: ConnectionTrait>(c: &C, tenant: Tenant, w: NewWorkflow) -> Result<Uuid> {
    let id = Uuid::now_v7();
    let ts = now();
    sql::exec(
        c,
        "INSERT INTO workflows (id, organization_id, name, is_default, allowed_states, initial_state, final_states, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
        vec![
            id.into(),
            tenant.id().into(),
            w.name.into(),
            w.is_default.into(),
            StrList(w.states).into(),
            w.initial_state.into(),
            StrList(w.final_states).into(),
            ts.into(),
        ],
    )
    .await?;
    Ok(id)
}

/// Creates a transition rule; returns its id.
pub async fn create_rule<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    workflow_id: Uuid,
    from_state: &str,
    to_state: &str,
    allowed_roles: Vec<String>,
) -> Result<Uuid> {
    let id = Uuid::now_v7();
    sql::exec(
        c,
        "INSERT INTO transition_rules (id, organization_id, workflow_id, from_state, to_state, allowed_roles, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        vec![
            id.into(),
            tenant.id().into(),
            workflow_id.into(),
            from_state.into(),
            to_state.into(),
            StrList(allowed_roles).into(),
            now().into(),
        ],
    )
    .await?;
    Ok(id)
}

/// One workflow of the organization.
pub async fn get<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    id: Uuid,
) -> Result<Option<WorkflowRow>> {
    sql::one(
        c,
        &format!("{SELECT} WHERE organization_id = $1 AND id = $2"),
        vec![tenant.id().into(), id.into()],
    )
    .await
}

/// The rules of one workflow.
pub async fn rules<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    workflow_id: Uuid,
) -> Result<Vec<RuleRow>> {
    sql::all(
        c,
        "SELECT id, workflow_id, from_state, to_state, allowed_roles, version FROM transition_rules \
         WHERE organization_id = $1 AND workflow_id = $2 ORDER BY created_at, id",
        vec![tenant.id().into(), workflow_id.into()],
    )
    .await
}

const SELECT: &str = "SELECT id, organization_id, name, is_default, allowed_states, initial_state, final_states, \
    cancel_state, complete_parent_requires_subtasks_done, version, created_at, updated_at FROM workflows";

/// Writes the workflow's options for sub-tasks and dependencies.
pub async fn set_structure_options<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    id: Uuid,
    cancel_state: Option<&str>,
    complete_parent_requires_subtasks_done: bool,
) -> Result<()> {
    sql::exec(
        c,
        "UPDATE workflows SET cancel_state = $3, complete_parent_requires_subtasks_done = $4 \
         WHERE organization_id = $1 AND id = $2",
        vec![
            tenant.id().into(),
            id.into(),
            cancel_state.map(str::to_string).into(),
            complete_parent_requires_subtasks_done.into(),
        ],
    )
    .await?;
    Ok(())
}

/// The organization's workflows, by name.
pub async fn list<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    page: crate::Page,
) -> Result<(Vec<WorkflowRow>, u64)> {
    let total = sql::count(
        c,
        "SELECT COUNT(*) FROM workflows WHERE organization_id = $1",
        vec![tenant.id().into()],
    )
    .await?;
    let rows = sql::all(
        c,
        &format!("{SELECT} WHERE organization_id = $1 ORDER BY name, id LIMIT $2 OFFSET $3"),
        vec![
            tenant.id().into(),
            (page.size as i64).into(),
            (page.offset() as i64).into(),
        ],
    )
    .await?;
    Ok((rows, total))
}

/// The organization's default workflow.
pub async fn default_workflow<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
) -> Result<Option<WorkflowRow>> {
    sql::one(
        c,
        &format!("{SELECT} WHERE organization_id = $1 AND is_default = $2"),
        vec![tenant.id().into(), true.into()],
    )
    .await
}

/// Clears the default flag on every workflow of the organization but `keep`.
pub async fn unset_default_except<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    keep: Uuid,
) -> Result<()> {
    sql::exec(
        c,
        "UPDATE workflows SET is_default = $3, version = version + 1 \
         WHERE organization_id = $1 AND id <> $2 AND is_default = $4",
        vec![tenant.id().into(), keep.into(), false.into(), true.into()],
    )
    .await?;
    Ok(())
}

/// Writes every editable field of a workflow.
pub async fn update<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    id: Uuid,
    w: NewWorkflow,
) -> Result<()> {
    sql::exec(
        c,
        "UPDATE workflows SET name = $3, is_default = $4, allowed_states = $5, initial_state = $6, final_states = $7, \
         version = version + 1, updated_at = $8 WHERE organization_id = $1 AND id = $2",
        vec![
            tenant.id().into(),
            id.into(),
            w.name.into(),
            w.is_default.into(),
            StrList(w.states).into(),
            w.initial_state.into(),
            StrList(w.final_states).into(),
            now().into(),
        ],
    )
    .await?;
    Ok(())
}

/// Deletes a workflow (its rules go with it).
pub async fn delete<C: ConnectionTrait>(c: &C, tenant: Tenant, id: Uuid) -> Result<()> {
    sql::exec(
        c,
        "DELETE FROM workflows WHERE organization_id = $1 AND id = $2",
        vec![tenant.id().into(), id.into()],
    )
    .await?;
    Ok(())
}

/// Rules of several workflows at once.
pub async fn rules_of<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    workflows: &[Uuid],
) -> Result<Vec<RuleRow>> {
    if workflows.is_empty() {
        return Ok(Vec::new());
    }
    let mut p = sql::Params::default();
    let org = p.push(tenant.id());
    let list = p.list(workflows);
    sql::all(
        c,
        &format!(
            "SELECT id, workflow_id, from_state, to_state, allowed_roles, version FROM transition_rules \
             WHERE organization_id = {org} AND workflow_id IN {list} ORDER BY created_at, id"
        ),
        p.values,
    )
    .await
}

/// The organization's rules (of one workflow when given).
pub async fn list_rules<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    workflow: Option<Uuid>,
    page: crate::Page,
) -> Result<(Vec<RuleRow>, u64)> {
    let mut p = sql::Params::default();
    let mut wh = format!("organization_id = {}", p.push(tenant.id()));
    if let Some(w) = workflow {
        wh.push_str(&format!(" AND workflow_id = {}", p.push(w)));
    }
    let total = sql::count(
        c,
        &format!("SELECT COUNT(*) FROM transition_rules WHERE {wh}"),
        p.values.clone(),
    )
    .await?;
    let limit = p.push(page.size as i64);
    let offset = p.push(page.offset() as i64);
    let rows = sql::all(
        c,
        &format!(
            "SELECT id, workflow_id, from_state, to_state, allowed_roles, version FROM transition_rules WHERE {wh} \
             ORDER BY created_at, id LIMIT {limit} OFFSET {offset}"
        ),
        p.values,
    )
    .await?;
    Ok((rows, total))
}

/// One rule.
pub async fn get_rule<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    id: Uuid,
) -> Result<Option<RuleRow>> {
    sql::one(
        c,
        "SELECT id, workflow_id, from_state, to_state, allowed_roles, version FROM transition_rules \
         WHERE organization_id = $1 AND id = $2",
        vec![tenant.id().into(), id.into()],
    )
    .await
}

/// Rewrites a rule.
pub async fn update_rule<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    id: Uuid,
    from_state: &str,
    to_state: &str,
    allowed_roles: Vec<String>,
) -> Result<()> {
    sql::exec(
        c,
        "UPDATE transition_rules SET from_state = $3, to_state = $4, allowed_roles = $5, version = version + 1 \
         WHERE organization_id = $1 AND id = $2",
        vec![
            tenant.id().into(),
            id.into(),
            from_state.into(),
            to_state.into(),
            StrList(allowed_roles).into(),
        ],
    )
    .await?;
    Ok(())
}

/// Deletes a rule.
pub async fn delete_rule<C: ConnectionTrait>(c: &C, tenant: Tenant, id: Uuid) -> Result<bool> {
    Ok(sql::exec(
        c,
        "DELETE FROM transition_rules WHERE organization_id = $1 AND id = $2",
        vec![tenant.id().into(), id.into()],
    )
    .await?
        > 0)
}

/// Deletes a workflow's rules that mention a state no longer in it.
pub async fn delete_rules_outside<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    workflow: Uuid,
    states: &[String],
) -> Result<u64> {
    let mut p = sql::Params::default();
    let org = p.push(tenant.id());
    let wf = p.push(workflow);
    let list = p.list(states);
    sql::exec(
        c,
        &format!(
            "DELETE FROM transition_rules WHERE organization_id = {org} AND workflow_id = {wf} \
             AND (from_state NOT IN {list} OR to_state NOT IN {list})"
        ),
        p.values,
    )
    .await
}

/// A workflow's states: which are final (what makes a task active), and the default
/// workflow's order for breakdowns and the question parser's vocabulary.
#[derive(Debug, Clone, FromQueryResult)]
pub struct WorkflowStates {
    pub id: Uuid,
    pub is_default: bool,
    pub allowed_states: StrList,
    pub final_states: StrList,
}

/// The states of every workflow of the organization, default first (one query).
pub async fn states<C: ConnectionTrait>(c: &C, tenant: Tenant) -> Result<Vec<WorkflowStates>> {
    sql::all(
        c,
        "SELECT id, is_default, allowed_states, final_states FROM workflows WHERE organization_id = $1 \
         ORDER BY CASE WHEN is_default THEN 0 ELSE 1 END, name",
        vec![tenant.id().into()],
    )
    .await
}
