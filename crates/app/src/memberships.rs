//! A person in several organizations: their memberships, switching the organization their
//! tokens act in, and creating another organization of their own.

use switchyard_store::{Page, memberships, memberships::MembershipRow, organizations::OrgRow};
use uuid::Uuid;

use crate::{
    App, AppError, AppResult, Caller, UnitOfWork,
    auth::{self, TokenPair},
    setup::{self, SetupInput},
};

/// The caller's memberships, oldest first.
pub async fn mine(
    state: &App,
    caller: &Caller,
    page: Page,
) -> AppResult<(Vec<MembershipRow>, u64)> {
    Ok(memberships::list_for_user(state.db.conn(), caller.user_id, page).await?)
}

/// A new token pair acting in `organization`, where the caller is an active member; any
/// other organization, existing or not, is [`AppError::NotFound`].
pub async fn switch(state: &App, caller: &Caller, organization: Uuid) -> AppResult<TokenPair> {
    let uow = UnitOfWork::begin(state).await?;
    let tenant = memberships::active_tenant(uow.tx(), caller.user_id, organization)
        .await?
        .ok_or(AppError::NotFound)?;
    let pair = auth::issue_pair_as(state, uow.tx(), caller, Some(tenant.id())).await?;
    uow.commit().await?;
    Ok(pair)
}

/// What `POST /organizations/` takes: the setup call's organization fields, without an admin.
#[derive(Debug, Clone, Default)]
pub struct NewOrganization {
    pub name: String,
    pub slug: String,
    pub roles: Option<Vec<String>>,
    pub priorities: Option<Vec<String>>,
    pub task_types: Option<Vec<String>>,
    pub workflow_name: Option<String>,
    pub workflow_states: Option<Vec<String>>,
    pub initial_state: Option<String>,
    pub final_states: Option<Vec<String>>,
    pub team_name: Option<String>,
}

/// Creates an organization with the caller as its admin (a default workflow and its rules as
/// in setup). The caller's current tokens keep acting where they did; switching to the new
/// organization is `POST /auth/switch-organization/`.
pub async fn create_organization(
    state: &App,
    caller: &Caller,
    input: NewOrganization,
) -> AppResult<OrgRow> {
    let out = setup::run(
        state,
        SetupInput {
            org_name: input.name,
            org_slug: input.slug,
            admin_username: caller.username.clone(),
            roles: input.roles,
            priorities: input.priorities,
            task_types: input.task_types,
            workflow_name: input.workflow_name,
            workflow_states: input.workflow_states,
            initial_state: input.initial_state,
            final_states: input.final_states,
            team_name: input.team_name,
            existing_admin: Some(caller.user_id),
            ..Default::default()
        },
    )
    .await
    .map_err(|e| {
        e.rename_field("org_name", "name")
            .rename_field("org_slug", "slug")
    })?;
    Ok(out.org)
}
