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
    let id = Uuid::new_v4();
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
    let id = Uuid::new_v4();
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
        "SELECT * FROM workflows WHERE organization_id = $1 AND id = $2",
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
        "SELECT id, workflow_id, from_state, to_state, allowed_roles FROM transition_rules \
         WHERE organization_id = $1 AND workflow_id = $2 ORDER BY created_at, id",
        vec![tenant.id().into(), workflow_id.into()],
    )
    .await
}
