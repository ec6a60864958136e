//! A person's memberships across organizations: listing them, switching between them, and
//! deactivating one without deleting the person's history.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, FromQueryResult};
use uuid::Uuid;

use crate::{Page, Result, Tenant, now, sql};

/// One organization the person belongs to, with their place in it.
#[derive(Debug, Clone, FromQueryResult)]
pub struct MembershipRow {
    pub organization_id: Uuid,
    pub name: String,
    pub slug: String,
    pub role: String,
    pub max_concurrent_tasks: i32,
    pub deactivated_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

/// The person's memberships, oldest first (the first is where a login lands).
pub async fn list_for_user<C: ConnectionTrait>(
    c: &C,
    user_id: Uuid,
    page: Page,
) -> Result<(Vec<MembershipRow>, u64)> {
    let total = sql::count(
        c,
        "SELECT COUNT(*) FROM memberships WHERE user_id = $1",
        vec![user_id.into()],
    )
    .await?;
    let rows = sql::all(
        c,
        "SELECT m.organization_id, o.name, o.slug, m.role, m.max_concurrent_tasks, m.deactivated_at, m.created_at \
         FROM memberships m JOIN organizations o ON o.id = m.organization_id \
         WHERE m.user_id = $1 ORDER BY m.created_at, m.organization_id LIMIT $2 OFFSET $3",
        vec![
            user_id.into(),
            (page.size as i64).into(),
            (page.offset() as i64).into(),
        ],
    )
    .await?;
    Ok((rows, total))
}

/// The tenant of `organization_id` when `user_id` is an active member of it.
pub async fn active_tenant<C: ConnectionTrait>(
    c: &C,
    user_id: Uuid,
    organization_id: Uuid,
) -> Result<Option<Tenant>> {
    let n = sql::count(
        c,
        "SELECT COUNT(*) FROM memberships WHERE user_id = $1 AND organization_id = $2 AND deactivated_at IS NULL",
        vec![user_id.into(), organization_id.into()],
    )
    .await?;
    Ok((n > 0).then(|| Tenant::new(organization_id)))
}

/// Whether the account may sign in: it is active, and it either belongs to no organization
/// or has at least one membership that is not deactivated.
pub async fn may_sign_in<C: ConnectionTrait>(c: &C, user_id: Uuid) -> Result<bool> {
    Ok(sql::count(
        c,
        "SELECT COUNT(*) FROM users u WHERE u.id = $1 AND u.is_active AND \
         (NOT EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = u.id) \
          OR EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = u.id AND m.deactivated_at IS NULL))",
        vec![user_id.into()],
    )
    .await?
        > 0)
}

/// Deactivates (`true`) or reactivates (`false`) a membership; `false` when it already was.
pub async fn set_deactivated<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    user_id: Uuid,
    deactivated: bool,
) -> Result<bool> {
    let (value, guard) = if deactivated {
        (Some(now()), "deactivated_at IS NULL")
    } else {
        (None, "deactivated_at IS NOT NULL")
    };
    let n = sql::exec(
        c,
        &format!(
            "UPDATE memberships SET deactivated_at = $3 WHERE organization_id = $1 AND user_id = $2 AND {guard}"
        ),
        vec![tenant.id().into(), user_id.into(), value.into()],
    )
    .await?;
    if n > 0 {
        sql::exec(
            c,
            "UPDATE users SET version = version + 1, updated_at = $2 WHERE id = $1",
            vec![user_id.into(), now().into()],
        )
        .await?;
    }
    Ok(n > 0)
}

/// Unassigns every active task of the member; returns the tasks released (id, key).
pub async fn release_open_assignments<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    user_id: Uuid,
) -> Result<Vec<(Uuid, String)>> {
    #[derive(FromQueryResult)]
    struct R {
        id: Uuid,
        task_key: String,
    }
    let rows: Vec<R> = sql::all(
        c,
        "SELECT id, task_key FROM tasks WHERE organization_id = $1 AND assigned_to = $2 AND resolved_at IS NULL ORDER BY created_at",
        vec![tenant.id().into(), user_id.into()],
    )
    .await?;
    sql::exec(
        c,
        "UPDATE tasks SET assigned_to = NULL, version = version + 1, updated_at = $3 \
         WHERE organization_id = $1 AND assigned_to = $2 AND resolved_at IS NULL",
        vec![tenant.id().into(), user_id.into(), now().into()],
    )
    .await?;
    Ok(rows.into_iter().map(|r| (r.id, r.task_key)).collect())
}
