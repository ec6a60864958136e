//! Organizations: the tenant itself and its configured vocabularies.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, FromQueryResult};
use uuid::Uuid;

use crate::{Result, StrList, Tenant, now, sql};

/// An organization with its member and team counts.
#[derive(Debug, Clone, FromQueryResult)]
pub struct OrgRow {
    pub id: Uuid,
    pub name: String,
    pub slug: String,
    pub allowed_roles: StrList,
    pub allowed_priorities: StrList,
    pub allowed_task_types: StrList,
    /// Members must sign in with a second factor to act here.
    pub require_two_factor: bool,
    /// Members may claim unassigned tasks themselves.
    pub allow_claims: bool,
    pub member_count: i64,
    pub team_count: i64,
    /// Grows with every change (optimistic concurrency).
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

const SELECT: &str = "SELECT o.id, o.name, o.slug, o.allowed_roles, o.allowed_priorities, \
    o.allowed_task_types, o.require_two_factor, o.allow_claims, o.version, o.created_at, o.updated_at, \
    (SELECT COUNT(*) FROM memberships m WHERE m.organization_id = o.id) AS member_count, \
    (SELECT COUNT(*) FROM teams t WHERE t.organization_id = o.id) AS team_count \
    FROM organizations o";

/// The caller's organization.
pub async fn get<C: ConnectionTrait>(c: &C, tenant: Tenant) -> Result<Option<OrgRow>> {
    sql::one(
        c,
        &format!("{SELECT} WHERE o.id = $1"),
        vec![tenant.id().into()],
    )
    .await
}

/// Whether a slug is taken.
pub async fn slug_exists<C: ConnectionTrait>(c: &C, slug: &str) -> Result<bool> {
    Ok(sql::count(
        c,
        "SELECT COUNT(*) FROM organizations WHERE slug = $1",
        vec![slug.into()],
    )
    .await?
        > 0)
}

/// New values for the editable fields.
#[derive(Debug, Clone)]
pub struct OrgUpdate {
    pub name: String,
    pub allowed_roles: Vec<String>,
    pub allowed_priorities: Vec<String>,
    pub allowed_task_types: Vec<String>,
    pub require_two_factor: bool,
    pub allow_claims: bool,
}

/// Writes the editable fields of the caller's organization.
pub async fn update<C: ConnectionTrait>(c: &C, tenant: Tenant, u: OrgUpdate) -> Result<()> {
    sql::exec(
        c,
        "UPDATE organizations SET name = $2, allowed_roles = $3, allowed_priorities = $4, \
         allowed_task_types = $5, require_two_factor = $7, allow_claims = $8, version = version + 1, \
         updated_at = $6 WHERE id = $1",
        vec![
            tenant.id().into(),
            u.name.into(),
            StrList(u.allowed_roles).into(),
            StrList(u.allowed_priorities).into(),
            StrList(u.allowed_task_types).into(),
            now().into(),
            u.require_two_factor.into(),
            u.allow_claims.into(),
        ],
    )
    .await?;
    Ok(())
}

/// Deletes the caller's organization and everything it owns, including the accounts that
/// belong to no other organization.
pub async fn delete<C: ConnectionTrait>(c: &C, tenant: Tenant) -> Result<()> {
    sql::exec(
        c,
        "DELETE FROM users WHERE id IN (SELECT user_id FROM memberships WHERE organization_id = $1) \
         AND NOT EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = users.id AND m.organization_id <> $1)",
        vec![tenant.id().into()],
    )
    .await?;
    sql::exec(
        c,
        "DELETE FROM organizations WHERE id = $1",
        vec![tenant.id().into()],
    )
    .await?;
    crate::tallies::forget(c, tenant.id()).await
}

/// How many tasks use `priority`.
pub async fn priority_usage<C: ConnectionTrait>(c: &C, tenant: Tenant, value: &str) -> Result<u64> {
    sql::count(
        c,
        "SELECT COUNT(*) FROM tasks WHERE organization_id = $1 AND priority = $2",
        vec![tenant.id().into(), value.into()],
    )
    .await
}

/// How many tasks use `task_type`.
pub async fn task_type_usage<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    value: &str,
) -> Result<u64> {
    sql::count(
        c,
        "SELECT COUNT(*) FROM tasks WHERE organization_id = $1 AND task_type = $2",
        vec![tenant.id().into(), value.into()],
    )
    .await
}

/// How many transition rules name `role`; rules store roles as JSON, so this loads them.
pub async fn rule_role_usage<C: ConnectionTrait>(c: &C, tenant: Tenant, role: &str) -> Result<u64> {
    #[derive(FromQueryResult)]
    struct R {
        allowed_roles: StrList,
    }
    let rows: Vec<R> = sql::all(
        c,
        "SELECT allowed_roles FROM transition_rules WHERE organization_id = $1",
        vec![tenant.id().into()],
    )
    .await?;
    Ok(rows
        .iter()
        .filter(|r| r.allowed_roles.0.iter().any(|x| x == role))
        .count() as u64)
}

/// How many of `usernames` are members of the organization with `slug` (is the demo
/// organization really there?).
pub async fn members_named<C: ConnectionTrait>(
    c: &C,
    slug: &str,
    usernames: &[&str],
) -> Result<u64> {
    if usernames.is_empty() {
        return Ok(0);
    }
    let mut p = sql::Params::default();
    let slug = p.push(slug.to_string());
    let names: Vec<String> = usernames.iter().map(|u| u.to_string()).collect();
    let list = p.list(&names);
    sql::count(
        c,
        &format!(
            "SELECT COUNT(*) FROM memberships m JOIN organizations o ON o.id = m.organization_id \
             JOIN users u ON u.id = m.user_id WHERE o.slug = {slug} AND u.username IN {list} \
             AND u.is_active AND m.deactivated_at IS NULL"
        ),
        p.values,
    )
    .await
}
