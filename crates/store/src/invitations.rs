//! Invitations to join an organization, found by the hash of their emailed token.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, FromQueryResult, Value};
use uuid::Uuid;

use crate::{Page, Result, Tenant, now, sql};

/// An invitation as stored. `status` is `pending`, `accepted`, `revoked` or `expired`; a
/// pending row past `expires_at` is expired too (see [`InvitationRow::status`]).
#[derive(Debug, Clone, FromQueryResult)]
pub struct InvitationRow {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub organization_name: String,
    pub email: String,
    pub role: String,
    pub team_id: Option<Uuid>,
    pub status: String,
    pub invited_by: Option<Uuid>,
    pub invited_by_name: String,
    pub accepted_by: Option<Uuid>,
    pub expires_at: DateTime<Utc>,
    pub sent_count: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl InvitationRow {
    /// The status a reader sees at `at`: a pending invitation past its expiry is `expired`.
    pub fn status(&self, at: DateTime<Utc>) -> &str {
        if self.status == "pending" && self.expires_at <= at {
            "expired"
        } else {
            &self.status
        }
    }
}

const SELECT: &str = "SELECT i.id, i.organization_id, o.name AS organization_name, i.email, i.role, i.team_id, \
    i.status, i.invited_by, i.invited_by_name, i.accepted_by, i.expires_at, i.sent_count, i.created_at, i.updated_at \
    FROM invitations i JOIN organizations o ON o.id = i.organization_id";

/// Which invitations to list.
#[derive(Debug, Clone, Default)]
pub struct InvitationFilter {
    /// `pending`, `accepted`, `revoked` or `expired` (as [`InvitationRow::status`] reads).
    pub status: Option<String>,
}

/// The organization's invitations, newest first.
pub async fn list<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    filter: &InvitationFilter,
    at: DateTime<Utc>,
    page: Page,
) -> Result<(Vec<InvitationRow>, u64)> {
    let mut values: Vec<Value> = vec![tenant.id().into()];
    let condition = match filter.status.as_deref() {
        Some("pending") => {
            values.push(at.into());
            " AND i.status = 'pending' AND i.expires_at > $2"
        }
        Some("expired") => {
            values.push(at.into());
            " AND (i.status = 'expired' OR (i.status = 'pending' AND i.expires_at <= $2))"
        }
        Some("accepted") => " AND i.status = 'accepted'",
        Some("revoked") => " AND i.status = 'revoked'",
        _ => "",
    };
    let total = sql::count(
        c,
        &format!("SELECT COUNT(*) FROM invitations i WHERE i.organization_id = $1{condition}"),
        values.clone(),
    )
    .await?;
    let n = values.len();
    values.push((page.size as i64).into());
    values.push((page.offset() as i64).into());
    let rows = sql::all(
        c,
        &format!(
            "{SELECT} WHERE i.organization_id = $1{condition} ORDER BY i.created_at DESC, i.id DESC LIMIT ${} OFFSET ${}",
            n + 1,
            n + 2
        ),
        values,
    )
    .await?;
    Ok((rows, total))
}

/// One invitation of the organization.
pub async fn get<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    id: Uuid,
) -> Result<Option<InvitationRow>> {
    let lock = match c.get_database_backend() {
        sea_orm::DbBackend::Postgres => " FOR UPDATE OF i",
        _ => "",
    };
    sql::one(
        c,
        &format!("{SELECT} WHERE i.organization_id = $1 AND i.id = $2{lock}"),
        vec![tenant.id().into(), id.into()],
    )
    .await
}

/// The pending, unexpired invitation with this token hash (locked on PostgreSQL).
pub async fn by_token<C: ConnectionTrait>(
    c: &C,
    hash: &str,
    at: DateTime<Utc>,
) -> Result<Option<InvitationRow>> {
    let lock = match c.get_database_backend() {
        sea_orm::DbBackend::Postgres => " FOR UPDATE OF i",
        _ => "",
    };
    sql::one(
        c,
        &format!(
            "{SELECT} WHERE i.token_hash = $1 AND i.status = 'pending' AND i.expires_at > $2{lock}"
        ),
        vec![hash.into(), at.into()],
    )
    .await
}

/// A new invitation (the email lower-cased by the caller).
#[derive(Debug, Clone)]
pub struct NewInvitation {
    pub email: String,
    pub role: String,
    pub team_id: Option<Uuid>,
    pub token_hash: String,
    pub invited_by: Uuid,
    pub invited_by_name: String,
    pub expires_at: DateTime<Utc>,
}

/// Marks pending invitations to `email` that expired by `at` as expired, so a new one can be
/// pending (one pending invitation per address).
pub async fn expire_stale<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    email: &str,
    at: DateTime<Utc>,
) -> Result<()> {
    sql::exec(
        c,
        "UPDATE invitations SET status = 'expired', updated_at = $4 \
         WHERE organization_id = $1 AND email = $2 AND status = 'pending' AND expires_at <= $3",
        vec![tenant.id().into(), email.into(), at.into(), now().into()],
    )
    .await?;
    Ok(())
}

/// Records an invitation; returns its id.
pub async fn create<C: ConnectionTrait>(c: &C, tenant: Tenant, i: NewInvitation) -> Result<Uuid> {
    let id = Uuid::now_v7();
    let ts = now();
    sql::exec(
        c,
        "INSERT INTO invitations (id, organization_id, email, role, team_id, token_hash, status, invited_by, \
         invited_by_name, expires_at, sent_count, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7, $8, $9, 1, $10, $10)",
        vec![
            id.into(),
            tenant.id().into(),
            i.email.into(),
            i.role.into(),
            i.team_id.into(),
            i.token_hash.into(),
            i.invited_by.into(),
            i.invited_by_name.into(),
            i.expires_at.into(),
            ts.into(),
        ],
    )
    .await?;
    Ok(id)
}

/// Gives a pending or expired invitation a new token and expiry (the old token dies).
pub async fn renew<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    id: Uuid,
    token_hash: &str,
    expires_at: DateTime<Utc>,
) -> Result<bool> {
    Ok(sql::exec(
        c,
        "UPDATE invitations SET token_hash = $3, expires_at = $4, status = 'pending', \
         sent_count = sent_count + 1, updated_at = $5 \
         WHERE organization_id = $1 AND id = $2 AND status IN ('pending', 'expired')",
        vec![
            tenant.id().into(),
            id.into(),
            token_hash.into(),
            expires_at.into(),
            now().into(),
        ],
    )
    .await?
        == 1)
}

/// Gives the invitation the token about to be emailed, when it is still pending, unexpired
/// at `at` and at `sent_count` (not resent since the email was queued); returns it then.
pub async fn mint<C: ConnectionTrait>(
    c: &C,
    organization_id: Uuid,
    id: Uuid,
    sent_count: i32,
    token_hash: &str,
    at: DateTime<Utc>,
) -> Result<Option<InvitationRow>> {
    let n = sql::exec(
        c,
        "UPDATE invitations SET token_hash = $3, updated_at = $5 \
         WHERE organization_id = $6 AND id = $1 AND sent_count = $2 AND status = 'pending' \
         AND expires_at > $4",
        vec![
            id.into(),
            sent_count.into(),
            token_hash.into(),
            at.into(),
            now().into(),
            organization_id.into(),
        ],
    )
    .await?;
    if n == 0 {
        return Ok(None);
    }
    sql::one(
        c,
        &format!("{SELECT} WHERE i.organization_id = $2 AND i.id = $1"),
        vec![id.into(), organization_id.into()],
    )
    .await
}

/// Moves a pending invitation to `accepted` (by `user_id`) or `revoked`; `false` when it was
/// no longer pending.
pub async fn close<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    id: Uuid,
    status: &str,
    accepted_by: Option<Uuid>,
) -> Result<bool> {
    Ok(sql::exec(
        c,
        "UPDATE invitations SET status = $3, accepted_by = $4, updated_at = $5 \
         WHERE organization_id = $1 AND id = $2 AND status = 'pending'",
        vec![
            tenant.id().into(),
            id.into(),
            status.into(),
            accepted_by.into(),
            now().into(),
        ],
    )
    .await?
        == 1)
}

/// Whether someone with this email (without case) is a member of the organization.
pub async fn email_is_member<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    email: &str,
) -> Result<bool> {
    Ok(sql::count(
        c,
        "SELECT COUNT(*) FROM memberships m JOIN users u ON u.id = m.user_id \
         WHERE m.organization_id = $1 AND LOWER(u.email) = LOWER($2)",
        vec![tenant.id().into(), email.into()],
    )
    .await?
        > 0)
}

/// The tenant an invitation belongs to (an accepted invitation is the proof of membership).
pub fn tenant_of(row: &InvitationRow) -> Tenant {
    Tenant::new(row.organization_id)
}
