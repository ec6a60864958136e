//! Creating a working organization in one transaction (`POST /setup/`, the demo seed).

use sea_orm::ConnectionTrait;
use uuid::Uuid;

use crate::{Result, StrList, Tenant, now, sql, teams, users, workflows};

/// Everything a new organization starts with; validated by the caller.
#[derive(Debug, Clone)]
pub struct NewOrganization {
    pub name: String,
    pub slug: String,
    pub roles: Vec<String>,
    pub priorities: Vec<String>,
    pub task_types: Vec<String>,
    pub admin: Admin,
    pub workflow: workflows::NewWorkflow,
    pub rules: Vec<(String, String, Vec<String>)>,
    /// The workflow's final state that means "abandoned".
    pub cancel_state: Option<String>,
    pub team_name: Option<String>,
}

/// Who becomes the organization's first admin.
#[derive(Debug, Clone)]
pub enum Admin {
    /// A new account (`POST /setup/`).
    New(users::NewUser),
    /// An existing account (`POST /organizations/` by a signed-in person).
    Existing(Uuid),
}

/// Ids of what was created.
#[derive(Debug, Clone)]
pub struct Created {
    pub tenant: Tenant,
    pub admin_id: Uuid,
    pub workflow_id: Uuid,
    pub team_id: Option<Uuid>,
}

/// Creates the organization, its admin, default workflow, rules and optional team. Run it
/// inside a transaction: a failure leaves nothing behind.
pub async fn create_organization<C: ConnectionTrait>(c: &C, o: NewOrganization) -> Result<Created> {
    let id = Uuid::now_v7();
    let ts = now();
    sql::exec(
        c,
        "INSERT INTO organizations (id, name, slug, allowed_roles, allowed_priorities, allowed_task_types, task_seq, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 0, $7, $7)",
        vec![
            id.into(),
            o.name.into(),
            o.slug.into(),
            StrList(o.roles.clone()).into(),
            StrList(o.priorities).into(),
            StrList(o.task_types).into(),
            ts.into(),
        ],
    )
    .await?;
    let tenant = Tenant::new(id);
    let admin_id = match o.admin {
        Admin::New(user) => users::create(c, user).await?,
        Admin::Existing(id) => id,
    };
    let admin_role = o.roles.first().cloned().unwrap_or_else(|| "admin".into());
    users::add_membership(c, tenant, admin_id, &admin_role, 5).await?;
    let workflow_id = workflows::create(c, tenant, o.workflow).await?;
    workflows::set_structure_options(c, tenant, workflow_id, o.cancel_state.as_deref(), false)
        .await?;
    for (from, to, roles) in o.rules {
        workflows::create_rule(c, tenant, workflow_id, &from, &to, roles).await?;
    }
    let team_id = match o.team_name {
        Some(name) => Some(teams::create(c, tenant, &name, Some(admin_id), &[admin_id]).await?),
        None => None,
    };
    Ok(Created {
        tenant,
        admin_id,
        workflow_id,
        team_id,
    })
}
