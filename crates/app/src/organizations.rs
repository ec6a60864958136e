//! Reading and changing the caller's organization and its vocabularies.

use switchyard_domain::{access, validate};
use switchyard_store::{locks, organizations, organizations::OrgRow};
use uuid::Uuid;

use crate::ErrorCode;
use crate::{App, AppError, AppResult, Change, Event, Member, UnitOfWork};

/// Only the caller's own organization exists for them; managing it is for its admins.
fn own(member: &Member, id: Uuid) -> AppResult<()> {
    if member.tenant.id() != id {
        return Err(AppError::NotFound);
    }
    member.require_admin()
}

/// The caller's organization (any member may list it).
pub async fn mine(state: &App, member: &Member) -> AppResult<OrgRow> {
    organizations::get(state.db.conn(), member.tenant)
        .await?
        .ok_or(AppError::NotFound)
}

/// One organization by id: the caller's own, for its admins.
pub async fn get(state: &App, member: &Member, id: Uuid) -> AppResult<OrgRow> {
    own(member, id)?;
    mine(state, member).await
}

/// Requested changes; absent fields stay as they are.
#[derive(Debug, Default)]
pub struct OrgPatch {
    pub name: Option<String>,
    pub allowed_roles: Option<Vec<String>>,
    pub allowed_priorities: Option<Vec<String>>,
    pub allowed_task_types: Option<Vec<String>>,
    pub require_two_factor: Option<bool>,
    pub allow_claims: Option<bool>,
}

fn removed<'a>(old: &'a [String], new: &[String]) -> Vec<&'a String> {
    old.iter().filter(|v| !new.contains(v)).collect()
}

/// Applies a patch, refusing to remove a value still in use.
pub async fn update(
    state: &App,
    member: &Member,
    id: Uuid,
    patch: OrgPatch,
    if_match: Option<i64>,
) -> AppResult<OrgRow> {
    own(member, id)?;
    let mut uow = UnitOfWork::begin(state).await?;
    let current = lock(&uow, member, if_match).await?;
    let name = patch.name.unwrap_or(current.name.clone());
    validate::name("name", &name)?;
    if let Some(roles) = &patch.allowed_roles {
        validate::config_list("allowed_roles", roles)?;
    }
    let roles = patch
        .allowed_roles
        .map(access::normalize_roles)
        .unwrap_or(current.allowed_roles.0.clone());
    let priorities = patch
        .allowed_priorities
        .unwrap_or(current.allowed_priorities.0.clone());
    let types = patch
        .allowed_task_types
        .unwrap_or(current.allowed_task_types.0.clone());
    validate::config_list("allowed_roles", &roles)?;
    validate::config_list("allowed_priorities", &priorities)?;
    validate::config_list("allowed_task_types", &types)?;
    for role in removed(&current.allowed_roles.0, &roles) {
        let users = switchyard_store::users::count_with_role(uow.tx(), member.tenant, role).await?;
        let rules = organizations::rule_role_usage(uow.tx(), member.tenant, role).await?;
        if users + rules > 0 {
            return Err(AppError::conflict(
                ErrorCode::ValueInUse,
                format!(
                    "Cannot remove role '{role}': it is used by {users} user(s) and {rules} transition rule(s)."
                ),
            ));
        }
    }
    for p in removed(&current.allowed_priorities.0, &priorities) {
        let n = organizations::priority_usage(uow.tx(), member.tenant, p).await?;
        if n > 0 {
            return Err(AppError::conflict(
                ErrorCode::ValueInUse,
                format!("Cannot remove priority '{p}': it is used by {n} task(s)."),
            ));
        }
    }
    for t in removed(&current.allowed_task_types.0, &types) {
        let n = organizations::task_type_usage(uow.tx(), member.tenant, t).await?;
        if n > 0 {
            return Err(AppError::conflict(
                ErrorCode::ValueInUse,
                format!("Cannot remove task type '{t}': it is used by {n} task(s)."),
            ));
        }
    }
    let require_two_factor = patch
        .require_two_factor
        .unwrap_or(current.require_two_factor);
    if require_two_factor
        && !current.require_two_factor
        && !crate::two_factor::is_enabled(state, member.user_id).await?
    {
        return Err(AppError::field(
            "require_two_factor",
            "Turn on two-factor sign-in for your own account first.",
        ));
    }
    organizations::update(
        uow.tx(),
        member.tenant,
        organizations::OrgUpdate {
            name,
            allowed_roles: roles,
            allowed_priorities: priorities,
            allowed_task_types: types,
            require_two_factor,
            allow_claims: patch.allow_claims.unwrap_or(current.allow_claims),
        },
    )
    .await?;
    uow.record(
        member,
        Event::OrganizationChanged {
            change: Change::Updated,
        },
    )
    .await?;
    let row = organizations::get(uow.tx(), member.tenant)
        .await?
        .ok_or(AppError::NotFound)?;
    uow.commit().await?;
    Ok(row)
}

/// Locks the member's organization for a read–modify–write and reads it.
async fn lock(uow: &UnitOfWork, member: &Member, if_match: Option<i64>) -> AppResult<OrgRow> {
    uow.lock(member.tenant, locks::Row::Organization, member.tenant.id())
        .await?;
    AppError::current(organizations::get(uow.tx(), member.tenant).await?, if_match)
}

/// Deletes the caller's organization with everything it owns.
pub async fn delete(
    state: &App,
    member: &Member,
    id: Uuid,
    if_match: Option<i64>,
) -> AppResult<()> {
    own(member, id)?;
    let mut uow = UnitOfWork::begin(state).await?;
    lock(&uow, member, if_match).await?;
    let files = crate::attachments::Cleanup::for_organization(&uow, member.tenant).await?;
    organizations::delete(uow.tx(), member.tenant).await?;
    uow.record(
        member,
        Event::OrganizationChanged {
            change: Change::Deleted,
        },
    )
    .await?;
    uow.commit().await?;
    files.run_now(state).await;
    Ok(())
}
