//! Teams: named groups of an organization's members with an optional lead.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, FromQueryResult};
use uuid::Uuid;

use crate::{Page, Result, Tenant, now, sql};

/// A team with its member ids.
#[derive(Debug, Clone)]
pub struct Team {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub name: String,
    pub lead_id: Option<Uuid>,
    pub members: Vec<Uuid>,
    /// Grows with every change, members included (optimistic concurrency).
    pub version: i64,
    pub created_at: DateTime<Utc>,
}

#[derive(FromQueryResult)]
struct TeamRow {
    id: Uuid,
    organization_id: Uuid,
    name: String,
    lead_id: Option<Uuid>,
    version: i64,
    created_at: DateTime<Utc>,
}

#[derive(FromQueryResult)]
struct MemberRow {
    team_id: Uuid,
    user_id: Uuid,
}

async fn with_members<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    rows: Vec<TeamRow>,
) -> Result<Vec<Team>> {
    let mut members: Vec<MemberRow> = Vec::new();
    if !rows.is_empty() {
        let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
        let mut p = sql::Params::default();
        let org = p.push(tenant.id());
        let list = p.list(&ids);
        members = sql::all(
            c,
            &format!(
                "SELECT tm.team_id, tm.user_id FROM team_members tm JOIN users u ON u.id = tm.user_id \
                 WHERE tm.organization_id = {org} AND tm.team_id IN {list} ORDER BY u.username"
            ),
            p.values,
        )
        .await?;
    }
    Ok(rows
        .into_iter()
        .map(|r| Team {
            members: members
                .iter()
                .filter(|m| m.team_id == r.id)
                .map(|m| m.user_id)
                .collect(),
            id: r.id,
            organization_id: r.organization_id,
            name: r.name,
            lead_id: r.lead_id,
            version: r.version,
            created_at: r.created_at,
        })
        .collect())
}

const SELECT: &str = "SELECT id, organization_id, name, lead_id, version, created_at FROM teams";

/// The organization's teams by name.
pub async fn list<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    page: Page,
) -> Result<(Vec<Team>, u64)> {
    let total = sql::count(
        c,
        "SELECT COUNT(*) FROM teams WHERE organization_id = $1",
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

/// One team of the organization.
pub async fn get<C: ConnectionTrait>(c: &C, tenant: Tenant, id: Uuid) -> Result<Option<Team>> {
    let rows = sql::all(
        c,
        &format!("{SELECT} WHERE organization_id = $1 AND id = $2"),
        vec![tenant.id().into(), id.into()],
    )
    .await?;
    Ok(with_members(c, tenant, rows).await?.into_iter().next())
}

/// Creates a team; `lead` and `members` must already be checked to be members.
pub async fn create<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    name: &str,
    lead: Option<Uuid>,
    members: &[Uuid],
) -> Result<Uuid> {
    let id = Uuid::now_v7();
    let ts = now();
    sql::exec(
        c,
        "INSERT INTO teams (id, organization_id, name, lead_id, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5)",
        vec![id.into(), tenant.id().into(), name.into(), lead.into(), ts.into()],
    )
    .await?;
    set_members(c, tenant, id, members).await?;
    Ok(id)
}

/// Updates a team's name and lead.
pub async fn update<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    id: Uuid,
    name: &str,
    lead: Option<Uuid>,
) -> Result<()> {
    sql::exec(
        c,
        "UPDATE teams SET name = $3, lead_id = $4, version = version + 1, updated_at = $5 \
         WHERE organization_id = $1 AND id = $2",
        vec![
            tenant.id().into(),
            id.into(),
            name.into(),
            lead.into(),
            now().into(),
        ],
    )
    .await?;
    Ok(())
}

/// Replaces a team's members.
pub async fn set_members<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    id: Uuid,
    members: &[Uuid],
) -> Result<()> {
    sql::exec(
        c,
        "DELETE FROM team_members WHERE organization_id = $1 AND team_id = $2",
        vec![tenant.id().into(), id.into()],
    )
    .await?;
    let mut unique: Vec<Uuid> = members.to_vec();
    unique.sort();
    unique.dedup();
    for user in unique {
        sql::exec(
            c,
            "INSERT INTO team_members (organization_id, team_id, user_id) VALUES ($1, $2, $3)",
            vec![tenant.id().into(), id.into(), user.into()],
        )
        .await?;
    }
    Ok(())
}

/// Adds one member to a team (nothing when they are in it already).
pub async fn add_member<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    id: Uuid,
    user: Uuid,
) -> Result<()> {
    sql::exec(
        c,
        "INSERT INTO team_members (organization_id, team_id, user_id) VALUES ($1, $2, $3) \
         ON CONFLICT (organization_id, team_id, user_id) DO NOTHING",
        vec![tenant.id().into(), id.into(), user.into()],
    )
    .await?;
    Ok(())
}

/// Deletes a team; its tasks keep existing without a team.
pub async fn delete<C: ConnectionTrait>(c: &C, tenant: Tenant, id: Uuid) -> Result<bool> {
    Ok(sql::exec(
        c,
        "DELETE FROM teams WHERE organization_id = $1 AND id = $2",
        vec![tenant.id().into(), id.into()],
    )
    .await?
        > 0)
}
