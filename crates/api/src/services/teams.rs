//! Teams of an organization.

use switchyard_domain::validate;
use switchyard_store::{Page, Tenant, commit, teams, teams::Team, users};
use uuid::Uuid;

use crate::{
    auth::Member,
    error::{ApiError, ApiResult},
    state::AppState,
};

/// A team to create or the new state of one.
#[derive(Debug, Default)]
pub struct TeamInput {
    pub name: Option<String>,
    /// `Some(None)` clears the lead.
    pub lead: Option<Option<Uuid>>,
    pub members: Option<Vec<Uuid>>,
}

/// Body references must name members of the caller's organization (400 otherwise).
async fn check_members<C: switchyard_store::ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    field: &str,
    ids: &[Uuid],
) -> ApiResult<()> {
    let found = users::get_many(c, tenant, ids).await?;
    if let Some(missing) = ids.iter().find(|id| !found.iter().any(|u| u.id == **id)) {
        return Err(ApiError::field(
            field,
            format!("User '{missing}' is not a member of this organization."),
        ));
    }
    Ok(())
}

/// Teams of the caller's organization.
pub async fn list(state: &AppState, member: &Member, page: Page) -> ApiResult<(Vec<Team>, u64)> {
    Ok(teams::list(state.db.conn(), member.tenant, page).await?)
}

/// One team.
pub async fn get(state: &AppState, member: &Member, id: Uuid) -> ApiResult<Team> {
    teams::get(state.db.conn(), member.tenant, id)
        .await?
        .ok_or(ApiError::NotFound)
}

/// Creates a team (manager+).
pub async fn create(state: &AppState, member: &Member, input: TeamInput) -> ApiResult<Team> {
    member.require_manager()?;
    let name = input.name.unwrap_or_default();
    validate::name("name", &name).map_err(|e| ApiError::field("name", e.0))?;
    let lead = input.lead.flatten();
    let members = input.members.unwrap_or_default();
    if members.len() > validate::MAX_LIST_LEN {
        return Err(ApiError::field(
            "members",
            "A team has at most 100 members.",
        ));
    }
    let tx = state.db.begin_write().await?;
    check_members(&tx, member.tenant, "lead", lead.as_slice()).await?;
    check_members(&tx, member.tenant, "members", &members).await?;
    let id = teams::create(&tx, member.tenant, &name, lead, &members).await?;
    let team = teams::get(&tx, member.tenant, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    commit(tx).await?;
    Ok(team)
}

/// Changes a team (manager+).
pub async fn update(
    state: &AppState,
    member: &Member,
    id: Uuid,
    input: TeamInput,
) -> ApiResult<Team> {
    member.require_manager()?;
    let tx = state.db.begin_write().await?;
    let current = teams::get(&tx, member.tenant, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let name = input.name.unwrap_or(current.name);
    validate::name("name", &name).map_err(|e| ApiError::field("name", e.0))?;
    let lead = input.lead.unwrap_or(current.lead_id);
    check_members(&tx, member.tenant, "lead", lead.as_slice()).await?;
    teams::update(&tx, member.tenant, id, &name, lead).await?;
    if let Some(members) = input.members {
        if members.len() > validate::MAX_LIST_LEN {
            return Err(ApiError::field(
                "members",
                "A team has at most 100 members.",
            ));
        }
        check_members(&tx, member.tenant, "members", &members).await?;
        teams::set_members(&tx, member.tenant, id, &members).await?;
    }
    let team = teams::get(&tx, member.tenant, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    commit(tx).await?;
    Ok(team)
}

/// Deletes a team (manager+).
pub async fn delete(state: &AppState, member: &Member, id: Uuid) -> ApiResult<()> {
    member.require_manager()?;
    let tx = state.db.begin_write().await?;
    if !teams::delete(&tx, member.tenant, id).await? {
        return Err(ApiError::NotFound);
    }
    commit(tx).await?;
    Ok(())
}
