//! Teams of an organization.

use switchyard_domain::validate;
use switchyard_store::{
    ConnectionTrait, Page, Tenant, locks, teams, teams::Team, users, users::UserRow,
};
use uuid::Uuid;

use crate::{App, AppError, AppResult, Change, Event, Member, UnitOfWork};

/// A team to create or the new state of one.
#[derive(Debug, Default)]
pub struct TeamInput {
    pub name: Option<String>,
    /// `Some(None)` clears the lead.
    pub lead: Option<Option<Uuid>>,
    pub members: Option<Vec<Uuid>>,
}

/// A team with its lead's account, as clients show it.
#[derive(Debug, Clone)]
pub struct TeamView {
    pub team: Team,
    pub lead: Option<UserRow>,
}

/// Loads the leads of `teams` in one query.
async fn views<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    teams: Vec<Team>,
) -> AppResult<Vec<TeamView>> {
    let lead_ids: Vec<Uuid> = teams.iter().filter_map(|t| t.lead_id).collect();
    let leads = users::get_many(c, tenant, &lead_ids).await?;
    Ok(teams
        .into_iter()
        .map(|team| TeamView {
            lead: team
                .lead_id
                .and_then(|id| leads.iter().find(|u| u.id == id).cloned()),
            team,
        })
        .collect())
}

/// One team with its lead.
async fn view<C: ConnectionTrait>(c: &C, tenant: Tenant, id: Uuid) -> AppResult<TeamView> {
    let team = teams::get(c, tenant, id).await?.ok_or(AppError::NotFound)?;
    views(c, tenant, vec![team])
        .await?
        .pop()
        .ok_or(AppError::NotFound)
}

/// Teams of the caller's organization.
pub async fn list(state: &App, member: &Member, page: Page) -> AppResult<(Vec<TeamView>, u64)> {
    let c = state.db.conn();
    let (rows, count) = teams::list(c, member.tenant, page).await?;
    Ok((views(c, member.tenant, rows).await?, count))
}

/// One team.
pub async fn get(state: &App, member: &Member, id: Uuid) -> AppResult<TeamView> {
    view(state.db.conn(), member.tenant, id).await
}

/// Creates a team (manager+).
pub async fn create(state: &App, member: &Member, input: TeamInput) -> AppResult<TeamView> {
    member.require_manager()?;
    let name = input.name.unwrap_or_default();
    validate::name("name", &name).map_err(|e| AppError::field("name", e.0))?;
    let lead = input.lead.flatten();
    let members = input.members.unwrap_or_default();
    if members.len() > validate::MAX_LIST_LEN {
        return Err(AppError::field(
            "members",
            "A team has at most 100 members.",
        ));
    }
    let mut uow = UnitOfWork::begin(state).await?;
    crate::users::require_members(uow.tx(), member.tenant, "lead", lead.as_slice()).await?;
    crate::users::require_members(uow.tx(), member.tenant, "members", &members).await?;
    let id = teams::create(uow.tx(), member.tenant, &name, lead, &members).await?;
    uow.record(
        member,
        Event::TeamChanged {
            team_id: id,
            change: Change::Created,
        },
    )
    .await?;
    let team = view(uow.tx(), member.tenant, id).await?;
    uow.commit().await?;
    Ok(team)
}

/// Changes a team (manager+).
pub async fn update(
    state: &App,
    member: &Member,
    id: Uuid,
    input: TeamInput,
    if_match: Option<i64>,
) -> AppResult<TeamView> {
    member.require_manager()?;
    let mut uow = UnitOfWork::begin(state).await?;
    uow.lock(member.tenant, locks::Row::Team, id).await?;
    let current = AppError::current(teams::get(uow.tx(), member.tenant, id).await?, if_match)?;
    let name = input.name.unwrap_or(current.name);
    validate::name("name", &name).map_err(|e| AppError::field("name", e.0))?;
    let lead = input.lead.unwrap_or(current.lead_id);
    crate::users::require_members(uow.tx(), member.tenant, "lead", lead.as_slice()).await?;
    teams::update(uow.tx(), member.tenant, id, &name, lead).await?;
    if let Some(members) = input.members {
        if members.len() > validate::MAX_LIST_LEN {
            return Err(AppError::field(
                "members",
                "A team has at most 100 members.",
            ));
        }
        crate::users::require_members(uow.tx(), member.tenant, "members", &members).await?;
        teams::set_members(uow.tx(), member.tenant, id, &members).await?;
    }
    uow.record(
        member,
        Event::TeamChanged {
            team_id: id,
            change: Change::Updated,
        },
    )
    .await?;
    let team = view(uow.tx(), member.tenant, id).await?;
    uow.commit().await?;
    Ok(team)
}

/// Deletes a team (manager+).
pub async fn delete(
    state: &App,
    member: &Member,
    id: Uuid,
    if_match: Option<i64>,
) -> AppResult<()> {
    member.require_manager()?;
    let mut uow = UnitOfWork::begin(state).await?;
    uow.lock(member.tenant, locks::Row::Team, id).await?;
    AppError::current(teams::get(uow.tx(), member.tenant, id).await?, if_match)?;
    teams::delete(uow.tx(), member.tenant, id).await?;
    uow.record(
        member,
        Event::TeamChanged {
            team_id: id,
            change: Change::Deleted,
        },
    )
    .await?;
    uow.commit().await?;
    Ok(())
}
