//! People and their membership in an organization.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, FromQueryResult, Value};
use uuid::Uuid;

use crate::{Page, Result, StrList, Tenant, now, sql};

/// A user as the API shows them, with their membership in one organization.
#[derive(Debug, Clone, FromQueryResult)]
pub struct UserRow {
    pub id: Uuid,
    pub username: String,
    pub email: String,
    pub skills: StrList,
    pub is_active: bool,
    pub organization_id: Option<Uuid>,
    pub role: Option<String>,
    pub max_concurrent_tasks: Option<i32>,
    /// When the membership was deactivated (`None`: active).
    pub deactivated_at: Option<DateTime<Utc>>,
    pub department_id: Option<Uuid>,
    /// The profile picture's storage key (exposed only as `avatar_url`).
    pub avatar_key: Option<String>,
    pub active_task_count: i64,
    /// Grows with every change to the user or their membership (optimistic concurrency).
    pub version: i64,
    pub created_at: DateTime<Utc>,
}

/// Selects users joined to their membership in organization `$1`.
const SELECT: &str = "SELECT u.id, u.username, u.email, u.skills, u.is_active, u.version, u.created_at, \
    u.avatar_key, \
    m.organization_id, m.role, m.max_concurrent_tasks, m.deactivated_at, m.department_id, \
    (SELECT COUNT(*) FROM tasks t WHERE t.organization_id = m.organization_id \
       AND t.assigned_to = u.id AND t.resolved_at IS NULL) AS active_task_count \
    FROM users u";

/// Members of the organization, by username; with `department`, only that department's.
pub async fn list<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    department: Option<Uuid>,
    page: Page,
) -> Result<(Vec<UserRow>, u64)> {
    // `$2 IS NULL` cannot type an untyped NULL on PostgreSQL; the condition is built instead.
    let (condition, mut values): (&str, Vec<Value>) = match department {
        Some(d) => (
            " AND m.department_id = $2",
            vec![tenant.id().into(), d.into()],
        ),
        None => ("", vec![tenant.id().into()]),
    };
    let total = sql::count(
        c,
        &format!("SELECT COUNT(*) FROM memberships m WHERE m.organization_id = $1{condition}"),
        values.clone(),
    )
    .await?;
    let n = values.len();
    values.push((page.size as i64).into());
    values.push((page.offset() as i64).into());
    let rows = sql::all(
        c,
        &format!(
            "{SELECT} JOIN memberships m ON m.user_id = u.id AND m.organization_id = $1{condition} \
             ORDER BY u.username LIMIT ${} OFFSET ${}",
            n + 1,
            n + 2
        ),
        values,
    )
    .await?;
    Ok((rows, total))
}

/// One member of the organization (another organization's user is not found).
pub async fn get<C: ConnectionTrait>(c: &C, tenant: Tenant, id: Uuid) -> Result<Option<UserRow>> {
    sql::one(
        c,
        &format!("{SELECT} JOIN memberships m ON m.user_id = u.id AND m.organization_id = $1 WHERE u.id = $2"),
        vec![tenant.id().into(), id.into()],
    )
    .await
}

/// Several members at once (unknown or foreign ids are left out).
pub async fn get_many<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    ids: &[Uuid],
) -> Result<Vec<UserRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut p = sql::Params::default();
    let org = p.push(tenant.id());
    let list = p.list(ids);
    sql::all(
        c,
        &format!(
            "{SELECT} JOIN memberships m ON m.user_id = u.id AND m.organization_id = {org} WHERE u.id IN {list}"
        ),
        p.values,
    )
    .await
}

/// A user who belongs to no organization (freshly registered), without membership fields.
pub async fn get_unaffiliated<C: ConnectionTrait>(c: &C, id: Uuid) -> Result<Option<UserRow>> {
    sql::one(
        c,
        &format!("{SELECT} LEFT JOIN memberships m ON 1 = 0 WHERE u.id = $1"),
        vec![id.into()],
    )
    .await
}

/// What a login needs to know.
#[derive(Debug, Clone, FromQueryResult)]
pub struct Credentials {
    pub id: Uuid,
    pub password_hash: String,
    pub is_active: bool,
    /// Read with the hash: tokens issued under it die if the password changes meanwhile.
    pub session_epoch: i64,
}

/// Looks a user up by username for login.
pub async fn credentials<C: ConnectionTrait>(c: &C, username: &str) -> Result<Option<Credentials>> {
    sql::one(
        c,
        "SELECT id, password_hash, is_active, session_epoch FROM users WHERE username = $1",
        vec![username.into()],
    )
    .await
}

/// The organization a user's tokens act in by default: their oldest membership.
pub async fn default_organization<C: ConnectionTrait>(
    c: &C,
    user_id: Uuid,
) -> Result<Option<Uuid>> {
    #[derive(FromQueryResult)]
    struct R {
        organization_id: Uuid,
    }
    let row: Option<R> = sql::one(
        c,
        "SELECT organization_id FROM memberships WHERE user_id = $1 AND deactivated_at IS NULL \
         ORDER BY created_at, organization_id LIMIT 1",
        vec![user_id.into()],
    )
    .await?;
    Ok(row.map(|r| r.organization_id))
}

/// The account's session epoch (0 when the account is gone).
pub async fn session_epoch<C: ConnectionTrait>(c: &C, user_id: Uuid) -> Result<i64> {
    #[derive(FromQueryResult)]
    struct R {
        session_epoch: i64,
    }
    let row: Option<R> = sql::one(
        c,
        "SELECT session_epoch FROM users WHERE id = $1",
        vec![user_id.into()],
    )
    .await?;
    Ok(row.map_or(0, |r| r.session_epoch))
}

/// Ends every session of the account: tokens issued before stop working.
pub async fn end_sessions<C: ConnectionTrait>(c: &C, user_id: Uuid) -> Result<()> {
    sql::exec(
        c,
        "UPDATE users SET session_epoch = session_epoch + 1, version = version + 1, updated_at = $2 WHERE id = $1",
        vec![user_id.into(), now().into()],
    )
    .await?;
    Ok(())
}

/// An account reachable by email, for password reset.
#[derive(Debug, Clone, FromQueryResult)]
pub struct EmailAccount {
    pub id: Uuid,
    pub username: String,
    pub email: String,
}

/// Active accounts with this email (compared without case); several accounts may share one.
pub async fn active_by_email<C: ConnectionTrait>(c: &C, email: &str) -> Result<Vec<EmailAccount>> {
    sql::all(
        c,
        "SELECT id, username, email FROM users WHERE LOWER(email) = LOWER($1) AND email <> '' AND is_active \
         ORDER BY username LIMIT 10",
        vec![email.into()],
    )
    .await
}

/// The account's username and password hash (for checks against its current password).
pub async fn credentials_by_id<C: ConnectionTrait>(
    c: &C,
    id: Uuid,
) -> Result<Option<(String, String)>> {
    #[derive(FromQueryResult)]
    struct R {
        username: String,
        password_hash: String,
    }
    let row: Option<R> = sql::one(
        c,
        "SELECT username, password_hash FROM users WHERE id = $1",
        vec![id.into()],
    )
    .await?;
    Ok(row.map(|r| (r.username, r.password_hash)))
}

/// Replaces the account's password hash.
pub async fn set_password<C: ConnectionTrait>(c: &C, id: Uuid, password_hash: &str) -> Result<()> {
    sql::exec(
        c,
        "UPDATE users SET password_hash = $2, version = version + 1, updated_at = $3 WHERE id = $1",
        vec![id.into(), password_hash.into(), now().into()],
    )
    .await?;
    Ok(())
}

/// The key of the account's profile picture, if it has one.
pub async fn avatar_key<C: ConnectionTrait>(c: &C, user_id: Uuid) -> Result<Option<String>> {
    #[derive(FromQueryResult)]
    struct R {
        avatar_key: Option<String>,
    }
    let row: Option<R> = sql::one(
        c,
        "SELECT avatar_key FROM users WHERE id = $1",
        vec![user_id.into()],
    )
    .await?;
    Ok(row.and_then(|r| r.avatar_key))
}

/// Sets (or clears) the account's profile picture; returns the key it replaced.
pub async fn set_avatar_key<C: ConnectionTrait>(
    c: &C,
    user_id: Uuid,
    key: Option<&str>,
) -> Result<Option<String>> {
    let old = avatar_key(c, user_id).await?;
    sql::exec(
        c,
        "UPDATE users SET avatar_key = $2, version = version + 1, updated_at = $3 WHERE id = $1",
        vec![user_id.into(), key.map(str::to_string).into(), now().into()],
    )
    .await?;
    Ok(old)
}

/// Whether a username is taken (anywhere: usernames are global login names).
pub async fn username_exists<C: ConnectionTrait>(c: &C, username: &str) -> Result<bool> {
    Ok(sql::count(
        c,
        "SELECT COUNT(*) FROM users WHERE username = $1",
        vec![username.into()],
    )
    .await?
        > 0)
}

/// A new account.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub email: String,
    pub password_hash: String,
    pub skills: Vec<String>,
    pub is_superuser: bool,
}

/// Creates an account (no membership); returns its id.
pub async fn create<C: ConnectionTrait>(c: &C, u: NewUser) -> Result<Uuid> {
    let id = Uuid::now_v7();
    let ts = now();
    sql::exec(
        c,
        "INSERT INTO users (id, username, email, password_hash, is_active, is_superuser, skills, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
        vec![
            id.into(),
            u.username.into(),
            u.email.into(),
            u.password_hash.into(),
            true.into(),
            u.is_superuser.into(),
            StrList(u.skills).into(),
            ts.into(),
        ],
    )
    .await?;
    Ok(id)
}

/// Makes `user_id` a member of the organization with `role`.
pub async fn add_membership<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    user_id: Uuid,
    role: &str,
    max_concurrent_tasks: i32,
) -> Result<()> {
    sql::exec(
        c,
        "INSERT INTO memberships (organization_id, user_id, role, max_concurrent_tasks, created_at) \
         VALUES ($1, $2, $3, $4, $5)",
        vec![tenant.id().into(), user_id.into(), role.into(), max_concurrent_tasks.into(), now().into()],
    )
    .await?;
    Ok(())
}

/// Fields a user may change about themselves.
#[derive(Debug, Clone, Default)]
pub struct ProfileUpdate {
    pub email: Option<String>,
    pub skills: Option<Vec<String>>,
    pub max_concurrent_tasks: Option<i32>,
    pub role: Option<String>,
}

/// Applies a profile update to a member of the organization.
pub async fn update<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    id: Uuid,
    u: ProfileUpdate,
) -> Result<()> {
    let ts = now();
    {
        sql::exec(
            c,
            "UPDATE users SET email = COALESCE($2, email), skills = COALESCE($3, skills), \
             version = version + 1, updated_at = $4 WHERE id = $1",
            vec![
                id.into(),
                u.email.into(),
                u.skills
                    .map(StrList)
                    .map(Value::from)
                    .unwrap_or(Value::Json(None)),
                ts.into(),
            ],
        )
        .await?;
    }
    if u.max_concurrent_tasks.is_some() || u.role.is_some() {
        sql::exec(
            c,
            "UPDATE memberships SET max_concurrent_tasks = COALESCE($3, max_concurrent_tasks), \
             role = COALESCE($4, role) WHERE organization_id = $1 AND user_id = $2",
            vec![
                tenant.id().into(),
                id.into(),
                u.max_concurrent_tasks.into(),
                u.role.into(),
            ],
        )
        .await?;
    }
    Ok(())
}

/// How many members hold `role` (used to protect the last admin).
pub async fn count_with_role<C: ConnectionTrait>(c: &C, tenant: Tenant, role: &str) -> Result<u64> {
    sql::count(
        c,
        "SELECT COUNT(*) FROM memberships WHERE organization_id = $1 AND role = $2",
        vec![tenant.id().into(), role.into()],
    )
    .await
}

/// Members holding `role` who are not deactivated (the admins an organization still has).
pub async fn count_active_with_role<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    role: &str,
) -> Result<u64> {
    sql::count(
        c,
        "SELECT COUNT(*) FROM memberships WHERE organization_id = $1 AND role = $2 AND deactivated_at IS NULL",
        vec![tenant.id().into(), role.into()],
    )
    .await
}

/// Removes a member from the organization: their tasks there are unassigned, team places
/// and leads cleared, and the account itself deleted when it belongs nowhere else.
pub async fn remove<C: ConnectionTrait>(c: &C, tenant: Tenant, id: Uuid) -> Result<()> {
    let org: Value = tenant.id().into();
    let ts = now();
    sql::exec(
        c,
        "UPDATE tasks SET assigned_to = NULL, version = version + 1, updated_at = $3 WHERE organization_id = $1 AND assigned_to = $2",
        vec![org.clone(), id.into(), ts.into()],
    )
    .await?;
    sql::exec(
        c,
        "UPDATE teams SET lead_id = NULL WHERE organization_id = $1 AND lead_id = $2",
        vec![org.clone(), id.into()],
    )
    .await?;
    sql::exec(
        c,
        "UPDATE departments SET head_id = NULL, version = version + 1 WHERE organization_id = $1 AND head_id = $2",
        vec![org.clone(), id.into()],
    )
    .await?;
    sql::exec(
        c,
        "DELETE FROM team_members WHERE organization_id = $1 AND user_id = $2",
        vec![org.clone(), id.into()],
    )
    .await?;
    sql::exec(
        c,
        "UPDATE projects SET lead_id = NULL, version = version + 1 WHERE organization_id = $1 AND lead_id = $2",
        vec![org.clone(), id.into()],
    )
    .await?;
    sql::exec(
        c,
        "DELETE FROM project_members WHERE organization_id = $1 AND user_id = $2",
        vec![org.clone(), id.into()],
    )
    .await?;
    sql::exec(
        c,
        "DELETE FROM task_collaborators WHERE organization_id = $1 AND user_id = $2",
        vec![org.clone(), id.into()],
    )
    .await?;
    sql::exec(
        c,
        "DELETE FROM memberships WHERE organization_id = $1 AND user_id = $2",
        vec![org, id.into()],
    )
    .await?;
    sql::exec(
        c,
        "DELETE FROM users WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM memberships WHERE user_id = $1)",
        vec![id.into()],
    )
    .await?;
    Ok(())
}
