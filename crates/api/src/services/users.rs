//! Members of an organization: creation, profile and role changes, removal.

use switchyard_domain::{AccessLevel, password::check as check_password, validate};
use switchyard_store::{Page, commit, users, users::UserRow};
use uuid::Uuid;

use crate::{
    auth::{Caller, Member, password},
    error::{ApiError, ApiResult},
    state::AppState,
};

/// Usernames as Django allows them: 1–150 of letters, digits and `@.+-_`.
pub fn check_username(username: &str) -> ApiResult<()> {
    let ok = !username.is_empty()
        && username.chars().count() <= 150
        && username
            .chars()
            .all(|c| c.is_alphanumeric() || "@.+-_".contains(c));
    if ok {
        Ok(())
    } else {
        Err(ApiError::field(
            "username",
            "Enter a valid username of at most 150 letters, digits and @/./+/-/_ characters.",
        ))
    }
}

/// A light e-mail check: empty, or one `@` with text on both sides, at most 254 characters.
pub fn check_email(email: &str) -> ApiResult<()> {
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
        Err(ApiError::field("email", "Enter a valid email address."))
    }
}

fn check_capacity(n: i64) -> ApiResult<i32> {
    if (0..=1000).contains(&n) {
        Ok(n as i32)
    } else {
        Err(ApiError::field(
            "max_concurrent_tasks",
            "max_concurrent_tasks must be between 0 and 1000.",
        ))
    }
}

fn invalid_role(member: &Member, role: &str) -> ApiError {
    ApiError::field(
        "role",
        format!(
            "Invalid role '{role}'. Allowed roles for this organization: {}",
            switchyard_domain::workflow::py_list(&member.org_roles)
        ),
    )
}

/// The caller's own account.
pub async fn me(state: &AppState, caller: &Caller) -> ApiResult<UserRow> {
    let row = match &caller.member {
        Some(m) => users::get(state.db.conn(), m.tenant, caller.user_id).await?,
        None => users::get_unaffiliated(state.db.conn(), caller.user_id).await?,
    };
    row.ok_or(ApiError::NotFound)
}

/// Members of the caller's organization.
pub async fn list(state: &AppState, member: &Member, page: Page) -> ApiResult<(Vec<UserRow>, u64)> {
    Ok(users::list(state.db.conn(), member.tenant, page).await?)
}

/// One member.
pub async fn get(state: &AppState, member: &Member, id: Uuid) -> ApiResult<UserRow> {
    users::get(state.db.conn(), member.tenant, id)
        .await?
        .ok_or(ApiError::NotFound)
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
fn default_role(member: &Member) -> String {
    member
        .org_roles
        .iter()
        .find(|r| member.level_of(r) == Some(AccessLevel::Worker))
        .or(member.org_roles.last())
        .cloned()
        .unwrap_or_default()
}

/// Creates an account in the caller's organization (manager+; only admins create admins).
pub async fn create(state: &AppState, member: &Member, input: NewMember) -> ApiResult<UserRow> {
    member.require_manager()?;
    check_username(&input.username)?;
    check_email(&input.email)?;
    validate::bounded_list("skills", &input.skills)?;
    let role = input.role.unwrap_or_else(|| default_role(member));
    let level = member
        .level_of(&role)
        .ok_or_else(|| invalid_role(member, &role))?;
    if level == AccessLevel::Admin && member.level != AccessLevel::Admin {
        return Err(ApiError::Forbidden(
            "Only admins can create admin users.".into(),
        ));
    }
    let capacity = check_capacity(input.max_concurrent_tasks.unwrap_or(5))?;
    if let Err(e) = check_password(&input.password, &input.username) {
        return Err(ApiError::field("password", e.to_string()));
    }
    let hash = password::hash(input.password).await?;
    let tx = state.db.begin_write().await?;
    if users::username_exists(&tx, &input.username).await? {
        return Err(ApiError::conflict(
            "username_taken",
            "A user with that username already exists.",
        ));
    }
    let id = users::create(
        &tx,
        users::NewUser {
            username: input.username,
            email: input.email,
            password_hash: hash,
            skills: input.skills,
            is_superuser: false,
        },
    )
    .await?;
    users::add_membership(&tx, member.tenant, id, &role, capacity).await?;
    let row = users::get(&tx, member.tenant, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    commit(tx).await?;
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
    state: &AppState,
    member: &Member,
    id: Uuid,
    patch: MemberPatch,
) -> ApiResult<UserRow> {
    let tx = state.db.begin_write().await?;
    let target = users::get(&tx, member.tenant, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let target_role = target.role.clone().unwrap_or_default();
    let target_level = member
        .level_of(&target_role)
        .unwrap_or(AccessLevel::ReadOnly);
    let is_self = id == member.user_id;
    if !is_self {
        member.require_manager()?;
        if target_level == AccessLevel::Admin && member.level != AccessLevel::Admin {
            return Err(ApiError::Forbidden(
                "Only admins can change an admin's account.".into(),
            ));
        }
    }
    if let Some(email) = &patch.email {
        check_email(email)?;
    }
    if let Some(skills) = &patch.skills {
        validate::bounded_list("skills", skills)?;
    }
    let capacity = patch.max_concurrent_tasks.map(check_capacity).transpose()?;
    let mut new_role = None;
    if let Some(role) = patch.role.filter(|r| *r != target_role) {
        if is_self {
            return Err(ApiError::Forbidden(
                "You cannot change your own role.".into(),
            ));
        }
        member.require_manager()?;
        let level = member
            .level_of(&role)
            .ok_or_else(|| invalid_role(member, &role))?;
        let touches_admin = level == AccessLevel::Admin || target_level == AccessLevel::Admin;
        if touches_admin && member.level != AccessLevel::Admin {
            return Err(ApiError::Forbidden(
                "Only admins can grant or remove the admin role.".into(),
            ));
        }
        if target_level == AccessLevel::Admin
            && users::count_with_role(&tx, member.tenant, &target_role).await? <= 1
        {
            return Err(ApiError::conflict(
                "last_admin",
                "Cannot demote the organization's last admin.",
            ));
        }
        new_role = Some(role);
    }
    users::update(
        &tx,
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
    let row = users::get(&tx, member.tenant, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    commit(tx).await?;
    Ok(row)
}

/// Removes a member (admin only); their tasks become unassigned.
pub async fn delete(state: &AppState, member: &Member, id: Uuid) -> ApiResult<()> {
    member.require_admin()?;
    let tx = state.db.begin_write().await?;
    let target = users::get(&tx, member.tenant, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    if id == member.user_id {
        return Err(ApiError::bad_request(
            "cannot_delete_self",
            "You cannot delete your own account.",
        ));
    }
    let role = target.role.unwrap_or_default();
    if member.level_of(&role) == Some(AccessLevel::Admin)
        && users::count_with_role(&tx, member.tenant, &role).await? <= 1
    {
        return Err(ApiError::conflict(
            "last_admin",
            "Cannot delete the organization's last admin.",
        ));
    }
    users::remove(&tx, member.tenant, id).await?;
    commit(tx).await?;
    Ok(())
}
