//! Members of an organization: creation, profile and role changes, removal.

use switchyard_domain::{AccessLevel, password::check as check_password, validate};
use switchyard_store::{Page, Tenant, locks, memberships, users, users::UserRow};
use uuid::Uuid;

use crate::ErrorCode;
use crate::{
    App, AppError, AppResult, Caller, Change, Event, Member, UnitOfWork, auth::password,
    permissions::Permissions,
};

/// Usernames as Django allows them: 1–150 of letters, digits and `@.+-_`.
pub fn check_username(username: &str) -> AppResult<()> {
    let ok = !username.is_empty()
        && username.chars().count() <= 150
        && username
            .chars()
            .all(|c| c.is_alphanumeric() || "@.+-_".contains(c));
    if ok {
        Ok(())
    } else {
        Err(AppError::field(
            "username",
            "Enter a valid username of at most 150 letters, digits and @/./+/-/_ characters.",
        ))
    }
}

/// A light e-mail check: empty, or one `@` with text on both sides, at most 254 characters.
pub fn check_email(email: &str) -> AppResult<()> {
    if email.is_empty() {
        return Ok(());
    }
    let ok = email.len() <= 254
        && email.split_once('@').is_some_and(|(a, b)| {
            !a.is_empty()
                && b.contains('.')
                && !b.contains('@')
                && !email.contains(char::is_whitespace)
        });
    if ok {
        Ok(())
    } else {
        Err(AppError::field("email", "Enter a valid email address."))
    }
}

fn check_capacity(n: i64) -> AppResult<i32> {
    if (0..=1000).contains(&n) {
        Ok(n as i32)
    } else {
        Err(AppError::field(
            "max_concurrent_tasks",
            "max_concurrent_tasks must be between 0 and 1000.",
        ))
    }
}

/// Body references must name members of the caller's organization: 400 on `field` naming
/// the first id that is not one (teams' leads and members, departments' heads and members).
pub(crate) async fn require_members<C: switchyard_store::ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    field: &str,
    ids: &[Uuid],
) -> AppResult<()> {
    let found = users::get_many(c, tenant, ids).await?;
    if let Some(missing) = ids.iter().find(|id| !found.iter().any(|u| u.id == **id)) {
        return Err(AppError::field(
            field,
            format!("User '{missing}' is not a member of this organization."),
        ));
    }
    Ok(())
}

/// The 400 for a role the organization does not have.
pub(crate) fn invalid_role(member: &Member, role: &str) -> AppError {
    AppError::field(
        "role",
        format!(
            "Invalid role '{role}'. Allowed roles for this organization: {}",
            switchyard_domain::workflow::py_list(&member.org_roles)
        ),
    )
}

/// The caller's own account.
pub async fn me(state: &App, caller: &Caller) -> AppResult<Me> {
    let row = match &caller.member {
        Some(m) => users::get(state.db.conn(), m.tenant, caller.user_id).await?,
        None => users::get_unaffiliated(state.db.conn(), caller.user_id).await?,
    };
    Ok(Me {
        user: row.ok_or(AppError::NotFound)?,
        permissions: caller.member.as_ref().map(Permissions::of),
        two_factor_enabled: crate::two_factor::is_enabled(state, caller.user_id).await?,
    })
}

/// The caller's account and, when they act in an organization, what their role may do there.
#[derive(Debug, Clone)]
pub struct Me {
    pub user: UserRow,
    pub permissions: Option<Permissions>,
    pub two_factor_enabled: bool,
}

/// Members of the caller's organization, optionally of one department.
pub async fn list(
    state: &App,
    member: &Member,
    department: Option<Uuid>,
    page: Page,
) -> AppResult<(Vec<UserRow>, u64)> {
    Ok(users::list(state.db.conn(), member.tenant, department, page).await?)
}

/// One member.
pub async fn get(state: &App, member: &Member, id: Uuid) -> AppResult<UserRow> {
    users::get(state.db.conn(), member.tenant, id)
        .await?
        .ok_or(AppError::NotFound)
}

/// A member to create.
#[derive(Debug, Default)]
pub struct NewMember {
    pub username: String,
    pub password: String,
    pub email: String,
    pub role: Option<String>,
    pub skills: Vec<String>,
    pub max_concurrent_tasks: Option<i64>,
}

/// The role given when none is named: the first worker-level role, else the last role.
pub fn default_role(member: &Member) -> String {
    member
        .org_roles
        .iter()
        .find(|r| member.level_of(r) == Some(AccessLevel::Worker))
        .or(member.org_roles.last())
        .cloned()
        .unwrap_or_default()
}

/// Whether `member` may give `role` to someone: managers and admins may, but only admins
/// grant the admin level. The rule behind creation, role changes and `assignable_roles`.
pub fn may_grant(member: &Member, role: &str) -> bool {
    member.require_manager().is_ok()
        && (member.level == AccessLevel::Admin
            || member
                .level_of(role)
                .is_some_and(|l| l != AccessLevel::Admin))
}

/// Creates an account in the caller's organization (manager+; only admins create admins).
pub async fn create(state: &App, member: &Member, input: NewMember) -> AppResult<UserRow> {
    member.require_manager()?;
    check_username(&input.username)?;
    check_email(&input.email)?;
    validate::bounded_list("skills", &input.skills)?;
    let role = input.role.unwrap_or_else(|| default_role(member));
    let level = member
        .level_of(&role)
        .ok_or_else(|| invalid_role(member, &role))?;
    if level == AccessLevel::Admin && !may_grant(member, &role) {
        return Err(AppError::Forbidden(
            "Only admins can create admin users.".into(),
        ));
    }
    let capacity = check_capacity(input.max_concurrent_tasks.unwrap_or(5))?;
    if let Err(e) = check_password(&input.password, &input.username) {
        return Err(AppError::field("password", e.to_string()));
    }
    let hash = password::hash(input.password).await?;
    let mut uow = UnitOfWork::begin(state).await?;
    if users::username_exists(uow.tx(), &input.username).await? {
        return Err(AppError::username_taken("username"));
    }
    let id = users::create(
        uow.tx(),
        users::NewUser {
            username: input.username,
            email: input.email,
            password_hash: hash,
            skills: input.skills,
            is_superuser: false,
        },
    )
    .await?;
    users::add_membership(uow.tx(), member.tenant, id, &role, capacity).await?;
    uow.record(
        member,
        Event::UserChanged {
            user_id: id,
            change: Change::Created,
        },
    )
    .await?;
    let row = users::get(uow.tx(), member.tenant, id)
        .await?
        .ok_or(AppError::NotFound)?;
    uow.commit().await?;
    Ok(row)
}

/// Requested changes to a member.
#[derive(Debug, Default)]
pub struct MemberPatch {
    pub email: Option<String>,
    pub skills: Option<Vec<String>>,
    pub max_concurrent_tasks: Option<i64>,
    pub role: Option<String>,
}

/// Updates a member. Anyone may edit their own profile; managers edit others (not admins);
/// nobody changes their own role; only admins grant or remove admin; the last admin stays.
pub async fn update(
    state: &App,
    member: &Member,
    id: Uuid,
    patch: MemberPatch,
    if_match: Option<i64>,
) -> AppResult<UserRow> {
    let mut uow = UnitOfWork::begin(state).await?;
    uow.lock(member.tenant, locks::Row::User, id).await?;
    // Who may change whom comes first: a caller who may not edit gets 403, not 412.
    let target = AppError::current(users::get(uow.tx(), member.tenant, id).await?, None)?;
    let target_role = target.role.clone().unwrap_or_default();
    let target_level = member
        .level_of(&target_role)
        .unwrap_or(AccessLevel::ReadOnly);
    let is_self = id == member.user_id;
    if !is_self {
        member.require_manager()?;
        if target_level == AccessLevel::Admin && member.level != AccessLevel::Admin {
            return Err(AppError::Forbidden(
                "Only admins can change an admin's account.".into(),
            ));
        }
    }
    AppError::check_version(if_match, target.version)?;
    if let Some(email) = &patch.email {
        check_email(email)?;
        // The address receives password-reset links: whoever sets it could take the
        // account over (in every organization it belongs to).
        if !is_self && !email.eq_ignore_ascii_case(&target.email) {
            return Err(AppError::Forbidden(
                "Only the account holder can change their email address.".into(),
            ));
        }
    }
    if let Some(skills) = &patch.skills {
        validate::bounded_list("skills", skills)?;
    }
    let capacity = patch.max_concurrent_tasks.map(check_capacity).transpose()?;
    let mut new_role = None;
    if let Some(role) = patch.role.filter(|r| *r != target_role) {
        if is_self {
            return Err(AppError::Forbidden(
                "You cannot change your own role.".into(),
            ));
        }
        member.require_manager()?;
        let level = member
            .level_of(&role)
            .ok_or_else(|| invalid_role(member, &role))?;
        let touches_admin = level == AccessLevel::Admin || target_level == AccessLevel::Admin;
        if touches_admin && member.level != AccessLevel::Admin {
            return Err(AppError::Forbidden(
                "Only admins can grant or remove the admin role.".into(),
            ));
        }
        if target_level == AccessLevel::Admin
            && admins_left(&uow, member.tenant, &target_role).await? <= 1
        {
            return Err(AppError::conflict(
                ErrorCode::LastAdmin,
                "Cannot demote the organization's last admin.",
            ));
        }
        new_role = Some(role);
    }
    users::update(
        uow.tx(),
        member.tenant,
        id,
        users::ProfileUpdate {
            email: patch.email,
            skills: patch.skills,
            max_concurrent_tasks: capacity,
            role: new_role,
        },
    )
    .await?;
    uow.record(
        member,
        Event::UserChanged {
            user_id: id,
            change: Change::Updated,
        },
    )
    .await?;
    let row = users::get(uow.tx(), member.tenant, id)
        .await?
        .ok_or(AppError::NotFound)?;
    uow.commit().await?;
    Ok(row)
}

/// How many members hold the admin role `role`, counted under the organization's lock so two
/// concurrent demotions cannot both see a second admin and leave none.
async fn admins_left(uow: &UnitOfWork, tenant: Tenant, role: &str) -> AppResult<u64> {
    uow.lock(tenant, locks::Row::Organization, tenant.id())
        .await?;
    Ok(users::count_active_with_role(uow.tx(), tenant, role).await?)
}

/// Removes a member (admin only); their tasks become unassigned.
pub async fn delete(
    state: &App,
    member: &Member,
    id: Uuid,
    if_match: Option<i64>,
) -> AppResult<()> {
    member.require_admin()?;
    let mut uow = UnitOfWork::begin(state).await?;
    uow.lock(member.tenant, locks::Row::User, id).await?;
    let target = AppError::current(users::get(uow.tx(), member.tenant, id).await?, if_match)?;
    if id == member.user_id {
        return Err(AppError::bad_request(
            ErrorCode::CannotDeleteSelf,
            "You cannot delete your own account.",
        ));
    }
    let role = target.role.unwrap_or_default();
    if member.level_of(&role) == Some(AccessLevel::Admin)
        && admins_left(&uow, member.tenant, &role).await? <= 1
    {
        return Err(AppError::conflict(
            ErrorCode::LastAdmin,
            "Cannot delete the organization's last admin.",
        ));
    }
    users::remove(uow.tx(), member.tenant, id).await?;
    uow.record(
        member,
        Event::UserChanged {
            user_id: id,
            change: Change::Deleted,
        },
    )
    .await?;
    uow.commit().await?;
    Ok(())
}

/// Deactivates (`active: false`) or reactivates a member (admin only). A deactivated member
/// cannot sign in to the organization and their tokens for it stop working at once; their
/// open assignments are released, each audited; their history stays.
pub async fn set_active(
    state: &App,
    member: &Member,
    id: Uuid,
    active: bool,
) -> AppResult<UserRow> {
    member.require_admin()?;
    let mut uow = UnitOfWork::begin(state).await?;
    uow.lock(member.tenant, locks::Row::User, id).await?;
    let target = AppError::current(users::get(uow.tx(), member.tenant, id).await?, None)?;
    if !active {
        if id == member.user_id {
            return Err(AppError::bad_request(
                ErrorCode::CannotDeleteSelf,
                "You cannot deactivate your own account.",
            ));
        }
        let role = target.role.clone().unwrap_or_default();
        if member.level_of(&role) == Some(AccessLevel::Admin)
            && admins_left(&uow, member.tenant, &role).await? <= 1
        {
            return Err(AppError::conflict(
                ErrorCode::LastAdmin,
                "Cannot deactivate the organization's last admin.",
            ));
        }
    }
    if memberships::set_deactivated(uow.tx(), member.tenant, id, !active).await? {
        if !active {
            // Tokens issued before stay dead after a reactivation too.
            users::end_sessions(uow.tx(), id).await?;
            let released =
                memberships::release_open_assignments(uow.tx(), member.tenant, id).await?;
            for (task_id, task_key) in released {
                uow.record(
                    member,
                    Event::TaskAssigned {
                        task_id,
                        task_key,
                        previous: Some(id),
                        previous_name: Some(target.username.clone()),
                        assignee: None,
                        assignee_name: None,
                        reason: "Released: the assignee was deactivated".into(),
                    },
                )
                .await?;
            }
        }
        uow.record(
            member,
            Event::MemberActivation {
                user_id: id,
                username: target.username.clone(),
                active,
            },
        )
        .await?;
    }
    let row = users::get(uow.tx(), member.tenant, id)
        .await?
        .ok_or(AppError::NotFound)?;
    uow.commit().await?;
    Ok(row)
}

/// An operator's account with every right (`switchyard create-superuser`), optionally the
/// admin of an existing organization.
#[derive(Debug, Clone)]
pub struct NewSuperuser {
    pub username: String,
    pub email: String,
    pub password: String,
    /// Slug of an organization to join as its admin.
    pub org: Option<String>,
}

/// Creates a superuser after the same username and password checks as any account.
pub async fn create_superuser(state: &App, input: NewSuperuser) -> AppResult<Uuid> {
    check_username(&input.username)?;
    check_email(&input.email)?;
    if let Err(e) = check_password(&input.password, &input.username) {
        return Err(AppError::field("password", e.to_string()));
    }
    let taken = || {
        AppError::field(
            "username",
            format!("username '{}' is taken", input.username),
        )
    };
    if users::username_exists(state.db.conn(), &input.username).await? {
        return Err(taken());
    }
    let hash = password::hash(input.password.clone()).await?;
    switchyard_store::superuser::create(
        &state.db,
        &input.username,
        &input.email,
        &hash,
        input.org.as_deref(),
    )
    .await
    .map_err(|e| match e {
        switchyard_store::StoreError::Conflict(switchyard_store::Conflict::Username) => taken(),
        other => other.into(),
    })
}
