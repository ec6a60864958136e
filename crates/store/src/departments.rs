//! Departments: units of an organization with a head; each member is in at most one.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, FromQueryResult};
use uuid::Uuid;

use crate::{Page, Result, Tenant, now, sql};

/// A department with its members' ids (by username).
#[derive(Debug, Clone)]
pub struct Department {
    pub id: Uuid,
    pub name: String,
    pub head_id: Option<Uuid>,
    pub members: Vec<Uuid>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(FromQueryResult)]
struct Row {
    id: Uuid,
    name: String,
    head_id: Option<Uuid>,
    version: i64,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

#[derive(FromQueryResult)]
struct MemberRow {
    department_id: Uuid,
    user_id: Uuid,
}

async fn with_members<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    rows: Vec<Row>,
) -> Result<Vec<Department>> {
    let mut members: Vec<MemberRow> = Vec::new();
    if !rows.is_empty() {
        let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
        let mut p = sql::Params::default();
        let org = p.push(tenant.id());
        let list = p.list(&ids);
        members = sql::all(
            c,
            &format!(
                "SELECT m.department_id, m.user_id FROM memberships m JOIN users u ON u.id = m.user_id \
                 WHERE m.organization_id = {org} AND m.department_id IN {list} ORDER BY u.username"
            ),
            p.values,
        )
        .await?;
    }
    Ok(rows
        .into_iter()
        .map(|r| Department {
            members: members
                .iter()
                .filter(|m| m.department_id == r.id)
                .map(|m| m.user_id)
                .collect(),
            id: r.id,
            name: r.name,
            head_id: r.head_id,
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
        .collect())
}

const SELECT: &str = "SELECT id, name, head_id, version, created_at, updated_at FROM departments";

/// The organization's departments by name.
pub async fn list<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    page: Page,
) -> Result<(Vec<Department>, u64)> {
    let total = sql::count(
        c,
        "SELECT COUNT(*) FROM departments WHERE organization_id = $1",
        vec![tenant.id().into()],
    )
    .await?;
    let rows = sql::all(
        c,
        &format!("{SELECT} WHERE organization_id = $1 ORDER BY name, id LIMIT $2 OFFSET $3"),
        vec![
            tenant.id().into(),
            (page.size as i64).into(),
            (page.offset() as i64).into(),
        ],
    )
    .await?;
    Ok((with_members(c, tenant, rows).await?, total))
}

/// One department of the organization.
pub async fn get<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    id: Uuid,
) -> Result<Option<Department>> {
    let rows = sql::all(
        c,
        &format!("{SELECT} WHERE organization_id = $1 AND id = $2"),
        vec![tenant.id().into(), id.into()],
    )
    .await?;
    Ok(with_members(c, tenant, rows).await?.into_iter().next())
}

/// Creates a department; returns its id.
pub async fn create<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    name: &str,
    head: Option<Uuid>,
) -> Result<Uuid> {
    let id = Uuid::now_v7();
    sql::exec(
        c,
        "INSERT INTO departments (id, organization_id, name, head_id, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5)",
        vec![id.into(), tenant.id().into(), name.into(), head.into(), now().into()],
    )
    .await?;
    Ok(id)
}

/// Renames a department or changes its head.
pub async fn update<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    id: Uuid,
    name: &str,
    head: Option<Uuid>,
) -> Result<()> {
    sql::exec(
        c,
        "UPDATE departments SET name = $3, head_id = $4, version = version + 1, updated_at = $5 \
         WHERE organization_id = $1 AND id = $2",
        vec![
            tenant.id().into(),
            id.into(),
            name.into(),
            head.into(),
            now().into(),
        ],
    )
    .await?;
    Ok(())
}

/// Makes exactly `members` the department's members: others leave it, and the listed ones
/// move in from wherever they were.
pub async fn set_members<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    id: Uuid,
    members: &[Uuid],
) -> Result<()> {
    sql::exec(
        c,
        "UPDATE memberships SET department_id = NULL WHERE organization_id = $1 AND department_id = $2",
        vec![tenant.id().into(), id.into()],
    )
    .await?;
    if !members.is_empty() {
        // Departments that lose people to this one change too (their If-Match goes stale).
        let mut p = sql::Params::default();
        let org = p.push(tenant.id());
        let dept = p.push(id);
        let ts = p.push(now());
        let list = p.list(members);
        sql::exec(
            c,
            &format!(
                "UPDATE departments SET version = version + 1, updated_at = {ts} WHERE organization_id = {org} \
                 AND id <> {dept} AND id IN (SELECT department_id FROM memberships \
                 WHERE organization_id = {org} AND user_id IN {list} AND department_id IS NOT NULL)"
            ),
            p.values,
        )
        .await?;
        let mut p = sql::Params::default();
        let org = p.push(tenant.id());
        let dept = p.push(id);
        let list = p.list(members);
        sql::exec(
            c,
            &format!(
                "UPDATE memberships SET department_id = {dept} WHERE organization_id = {org} AND user_id IN {list}"
            ),
            p.values,
        )
        .await?;
    }
    Ok(())
}

/// Deletes a department; its members stay, in no department.
pub async fn delete<C: ConnectionTrait>(c: &C, tenant: Tenant, id: Uuid) -> Result<bool> {
    set_members(c, tenant, id, &[]).await?;
    Ok(sql::exec(
        c,
        "DELETE FROM departments WHERE organization_id = $1 AND id = $2",
        vec![tenant.id().into(), id.into()],
    )
    .await?
        == 1)
}
