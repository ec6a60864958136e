//! Resolving an authenticated caller: the user, their membership, and the [`Tenant`].

use sea_orm::{ConnectionTrait, FromQueryResult};
use uuid::Uuid;

use crate::{Result, StrList, Tenant, sql};

/// The caller behind a verified access token.
#[derive(Debug, Clone)]
pub struct PrincipalRecord {
    pub user_id: Uuid,
    pub username: String,
    /// The organization the token acts in, when the user is (still) a member of it.
    pub membership: Option<Membership>,
}

/// The caller's place in the organization their token acts in.
#[derive(Debug, Clone)]
pub struct Membership {
    pub tenant: Tenant,
    pub role: String,
    pub org_roles: Vec<String>,
    /// The organization requires two-factor sign-in and the token does not come from a
    /// sign-in that passed one.
    pub lacks_required_two_factor: bool,
}

#[derive(FromQueryResult)]
struct Row {
    id: Uuid,
    username: String,
    is_active: bool,
    session_epoch: i64,
    revoked: i64,
    role: Option<String>,
    deactivated_at: Option<chrono::DateTime<chrono::Utc>>,
    allowed_roles: Option<StrList>,
    require_two_factor: Option<bool>,
    two_factor_on: i64,
}

/// What an access or refresh token says about whom it acts for.
#[derive(Debug, Clone, Copy)]
pub struct TokenSubject {
    pub user_id: Uuid,
    pub organization_id: Option<Uuid>,
    pub jti: Uuid,
    /// The account's session epoch when the token was issued.
    pub epoch: i64,
    /// The sign-in behind the token passed a second factor.
    pub mfa: bool,
}

/// Loads the caller in one query. `None` when the user is gone or deactivated, the token id
/// is revoked, every session of the account was ended after the token was issued, or the
/// membership the token acts in is deactivated.
pub async fn load<C: ConnectionTrait>(
    c: &C,
    token: TokenSubject,
) -> Result<Option<PrincipalRecord>> {
    let TokenSubject {
        user_id,
        organization_id,
        jti,
        epoch,
        mfa,
    } = token;
    let row: Option<Row> = sql::one(
        c,
        "SELECT u.id, u.username, u.is_active, u.session_epoch, m.role, m.deactivated_at, o.allowed_roles, \
           o.require_two_factor, \
           (SELECT COUNT(*) FROM user_two_factor f WHERE f.user_id = u.id AND f.enabled_at IS NOT NULL) AS two_factor_on, \
           (SELECT COUNT(*) FROM revoked_tokens r WHERE r.jti = $3) AS revoked \
         FROM users u \
         LEFT JOIN memberships m ON m.user_id = u.id AND m.organization_id = $2 \
         LEFT JOIN organizations o ON o.id = m.organization_id \
         WHERE u.id = $1",
        vec![user_id.into(), organization_id.into(), jti.into()],
    )
    .await?;
    let Some(row) = row else { return Ok(None) };
    if !row.is_active
        || row.revoked > 0
        || row.session_epoch != epoch
        || row.deactivated_at.is_some()
    {
        return Ok(None);
    }
    let membership = match (organization_id, row.role, row.allowed_roles) {
        (Some(org), Some(role), Some(roles)) => Some(Membership {
            tenant: Tenant::new(org),
            role,
            org_roles: roles.0,
            lacks_required_two_factor: row.require_two_factor == Some(true)
                && !(row.two_factor_on > 0 && mfa),
        }),
        _ => None,
    };
    Ok(Some(PrincipalRecord {
        user_id: row.id,
        username: row.username,
        membership,
    }))
}
