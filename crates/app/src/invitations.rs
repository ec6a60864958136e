//! Inviting people by email: a single-use link that creates their account (or adds a
//! membership to the account they have) with the role the inviter chose.
//!
//! Admins invite anyone; managers invite for roles below manager. The link's token is 32
//! random bytes minted by the job that sends the email; only its SHA-256 is stored, so no
//! table (jobs included) holds a usable link. Every step is audited.

use switchyard_domain::{AccessLevel, password::check as check_password};
use switchyard_store::{
    Page, invitations,
    invitations::{InvitationFilter, InvitationRow},
    teams, users,
    users::UserRow,
};
use uuid::Uuid;

use serde_json::json;
use switchyard_store::jobs::NewJob;

use crate::{
    App, AppError, AppResult, Caller, ErrorCode, Event, Member, UnitOfWork,
    auth::{self, TokenPair, password},
    jobs::{Handlers, JobFailure, JobResult},
    mail::{self, AccountEmail},
    one_time::{self, OneTimeToken},
    throttle,
};

/// Invitations an organization may send per hour.
const INVITATIONS_PER_HOUR: i64 = 100;
/// Lookups and acceptances per token per hour (guessing is hopeless; this bounds the noise).
const ATTEMPTS_PER_TOKEN: i64 = 20;

/// The one answer to a token that does not open an invitation, whatever the reason.
pub const INVALID: &str = "This invitation is invalid, was already used or has expired.";

fn invalid() -> AppError {
    AppError::field_coded(ErrorCode::InvalidToken, "token", INVALID)
}

/// Who may invite for `role`: admins for any role, managers for roles below manager.
fn may_invite(member: &Member, role: &str) -> AppResult<AccessLevel> {
    member.require_manager()?;
    let level = member
        .level_of(role)
        .ok_or_else(|| crate::users::invalid_role(member, role))?;
    let allowed = member.level == AccessLevel::Admin
        || matches!(level, AccessLevel::Worker | AccessLevel::ReadOnly);
    if !allowed {
        return Err(AppError::Forbidden(
            "Managers can only invite people for roles below manager.".into(),
        ));
    }
    Ok(level)
}

/// An invitation to send.
#[derive(Debug, Clone, Default)]
pub struct NewInvitation {
    pub email: String,
    pub role: Option<String>,
    pub team: Option<Uuid>,
}

/// Invites `email` to the member's organization and emails the link.
pub async fn create(
    state: &App,
    member: &Member,
    input: NewInvitation,
) -> AppResult<InvitationRow> {
    let email = input.email.trim().to_lowercase();
    if email.is_empty() {
        return Err(AppError::field("email", "This field may not be blank."));
    }
    crate::users::check_email(&email)?;
    let role = input
        .role
        .unwrap_or_else(|| crate::users::default_role(member));
    may_invite(member, &role)?;
    throttle::check(
        state,
        &format!("invite:org:{}", member.tenant.id()),
        INVITATIONS_PER_HOUR,
        3600,
    )
    .await?;
    let now = state.clock.now();
    let mut uow = UnitOfWork::begin(state).await?;
    if let Some(team) = input.team
        && teams::get(uow.tx(), member.tenant, team).await?.is_none()
    {
        return Err(AppError::field(
            "team",
            "No such team in this organization.",
        ));
    }
    refuse_members(&uow, member.tenant, &email).await?;
    invitations::expire_stale(uow.tx(), member.tenant, &email, now).await?;
    let id = invitations::create(
        uow.tx(),
        member.tenant,
        invitations::NewInvitation {
            email: email.clone(),
            role: role.clone(),
            team_id: input.team,
            // A stand-in nobody knows: the real token is minted when the email leaves.
            token_hash: OneTimeToken::generate().hash,
            invited_by: member.user_id,
            invited_by_name: member.username.clone(),
            expires_at: now + ttl(state),
        },
    )
    .await?;
    let row = invitations::get(uow.tx(), member.tenant, id)
        .await?
        .ok_or(AppError::NotFound)?;
    send(&mut uow, member, &row, false).await?;
    uow.commit().await?;
    Ok(row)
}

/// 409 when someone with `email` already belongs to the organization.
async fn refuse_members(
    uow: &UnitOfWork,
    tenant: switchyard_store::Tenant,
    email: &str,
) -> AppResult<()> {
    if invitations::email_is_member(uow.tx(), tenant, email).await? {
        return Err(AppError::conflict(
            ErrorCode::AlreadyMember,
            format!("{email} is already a member of this organization."),
        ));
    }
    Ok(())
}

fn ttl(state: &App) -> chrono::Duration {
    chrono::Duration::from_std(state.settings.invitation_ttl).unwrap_or(chrono::Duration::days(7))
}

/// The job that mints an invitation's token and mails the link.
pub const INVITATION_JOB: &str = "invitation_email";

/// Queues the invitation email (for the invitation's current `sent_count`) and records the
/// event, in the caller's unit of work.
async fn send(
    uow: &mut UnitOfWork,
    member: &Member,
    row: &InvitationRow,
    resent: bool,
) -> AppResult<()> {
    uow.enqueue(NewJob {
        kind: INVITATION_JOB.into(),
        payload: json!({"invitation": row.id, "sent_count": row.sent_count}),
        organization_id: Some(row.organization_id),
        run_at: uow.app().clock.now(),
        max_attempts: 8,
        dedupe_key: Some(format!("invitation:{}:{}", row.id, row.sent_count)),
    })
    .await?;
    uow.record(
        member,
        Event::InvitationSent {
            invitation_id: row.id,
            email: row.email.clone(),
            role: row.role.clone(),
            resent,
        },
    )
    .await?;
    Ok(())
}

/// The `invitation_email` job: gives the invitation a fresh token (only its hash stored;
/// a retry mints another and the unsent one dies) and mails the link — unless it was
/// resent, revoked, accepted or expired meanwhile.
pub fn handlers(handlers: Handlers) -> Handlers {
    handlers.on(INVITATION_JOB, |app: App, job| async move {
        let id = job.payload["invitation"]
            .as_str()
            .and_then(|s| s.parse::<Uuid>().ok())
            .ok_or_else(|| JobFailure::Permanent("invitation job without an id".into()))?;
        let sent_count = job.payload["sent_count"].as_i64().unwrap_or(1) as i32;
        let org = job.organization_id.ok_or_else(|| {
            JobFailure::Permanent("invitation job without an organization".into())
        })?;
        mail_invitation(&app, org, id, sent_count)
            .await
            .map_err(|e| JobFailure::Transient(e.to_string()))?
    })
}

async fn mail_invitation(app: &App, org: Uuid, id: Uuid, sent_count: i32) -> AppResult<JobResult> {
    let token = OneTimeToken::generate();
    let tx = app.db.begin_write().await?;
    let row = invitations::mint(&tx, org, id, sent_count, &token.hash, app.clock.now()).await?;
    switchyard_store::commit(tx).await?;
    let Some(row) = row else {
        return Ok(Ok(()));
    };
    let inviter = row.invited_by_name.as_str();
    let message = mail::account_message(
        app,
        &AccountEmail {
            purpose: "invitation",
            to_email: &row.email,
            to_name: &row.email,
            subject: format!(
                "{inviter} invited you to {} on Switchyard",
                row.organization_name
            ),
            message: format!(
                "{inviter} invited you to join {} as {}. The link below works once and expires on {}.",
                row.organization_name,
                row.role,
                row.expires_at.format("%Y-%m-%d %H:%M UTC")
            ),
            action: "Accept the invitation",
            path: format!("/accept-invitation#token={}", token.token),
            footer: "If you did not expect this invitation, ignore this email.",
            unique: token.hash[..32].to_string(),
        },
    );
    Ok(app.mailer.send(&message).await)
}

/// The organization's invitations (managers and admins).
pub async fn list(
    state: &App,
    member: &Member,
    filter: &InvitationFilter,
    page: Page,
) -> AppResult<(Vec<InvitationRow>, u64)> {
    member.require_manager()?;
    Ok(invitations::list(
        state.db.conn(),
        member.tenant,
        filter,
        state.clock.now(),
        page,
    )
    .await?)
}

/// Locks an invitation for a change by someone who may invite for its role.
async fn lock(uow: &UnitOfWork, member: &Member, id: Uuid) -> AppResult<InvitationRow> {
    member.require_manager()?;
    let row = invitations::get(uow.tx(), member.tenant, id)
        .await?
        .ok_or(AppError::NotFound)?;
    may_invite(member, &row.role)?;
    Ok(row)
}

fn closed(row: &InvitationRow) -> AppError {
    AppError::conflict(
        ErrorCode::InvitationClosed,
        format!("This invitation was already {}.", row.status),
    )
}

/// Sends the invitation again with a new token (the old link dies) and a fresh expiry.
pub async fn resend(state: &App, member: &Member, id: Uuid) -> AppResult<InvitationRow> {
    // Checked before counting, so people who may not invite cannot use up the quota.
    member.require_manager()?;
    throttle::check(
        state,
        &format!("invite:org:{}", member.tenant.id()),
        INVITATIONS_PER_HOUR,
        3600,
    )
    .await?;
    let mut uow = UnitOfWork::begin(state).await?;
    let row = lock(&uow, member, id).await?;
    if !matches!(row.status.as_str(), "pending" | "expired") {
        return Err(closed(&row));
    }
    refuse_members(&uow, member.tenant, &row.email).await?;
    let expires = state.clock.now() + ttl(state);
    // The old link dies here; the new token is minted when the email leaves.
    let stand_in = OneTimeToken::generate();
    invitations::renew(uow.tx(), member.tenant, id, &stand_in.hash, expires).await?;
    let row = invitations::get(uow.tx(), member.tenant, id)
        .await?
        .ok_or(AppError::NotFound)?;
    send(&mut uow, member, &row, true).await?;
    uow.commit().await?;
    Ok(row)
}

/// Revokes a pending invitation: its link stops working.
pub async fn revoke(state: &App, member: &Member, id: Uuid) -> AppResult<()> {
    let mut uow = UnitOfWork::begin(state).await?;
    let row = lock(&uow, member, id).await?;
    if !invitations::close(uow.tx(), member.tenant, id, "revoked", None).await? {
        return Err(closed(&row));
    }
    uow.record(
        member,
        Event::InvitationRevoked {
            invitation_id: id,
            email: row.email,
        },
    )
    .await?;
    uow.commit().await?;
    Ok(())
}

/// What the public lookup shows about an invitation: enough to decide, nothing else.
#[derive(Debug, Clone)]
pub struct Preview {
    pub organization: String,
    pub role: String,
    pub email: String,
}

fn throttle_token(state: &App, token: &str) -> impl Future<Output = AppResult<()>> {
    let bucket = format!("invite:token:{}", one_time::hash(token));
    async move { throttle::check(state, &bucket, ATTEMPTS_PER_TOKEN, 3600).await }
}

/// The invitation a token opens, for the accept page.
pub async fn lookup(state: &App, token: &str) -> AppResult<Preview> {
    throttle_token(state, token).await?;
    let row = invitations::by_token(state.db.conn(), &one_time::hash(token), state.clock.now())
        .await?
        .ok_or_else(invalid)?;
    Ok(Preview {
        organization: row.organization_name,
        role: row.role,
        email: row.email,
    })
}

/// How the invitee accepts: a new account, or the signed-in account whose email matches.
#[derive(Debug, Clone)]
pub enum Acceptor {
    NewAccount { username: String, password: String },
    Existing(Caller),
}

/// The account that joined and tokens acting in the organization it joined.
#[derive(Debug, Clone)]
pub struct Accepted {
    pub user: UserRow,
    pub tokens: TokenPair,
}

/// Accepts an invitation; a token that is unknown, used, revoked or expired is one and the
/// same 400. Of two concurrent acceptances one wins.
pub async fn accept(state: &App, token: &str, acceptor: Acceptor) -> AppResult<Accepted> {
    throttle_token(state, token).await?;
    let hash = one_time::hash(token);
    // Checked (and the password hashed) before the write transaction: argon2 is slow.
    let preview = invitations::by_token(state.db.conn(), &hash, state.clock.now())
        .await?
        .ok_or_else(invalid)?;
    let new_account = match &acceptor {
        Acceptor::NewAccount {
            username,
            password: p,
        } => {
            crate::users::check_username(username)?;
            check_password(p, username).map_err(|e| AppError::field("password", e.to_string()))?;
            Some((username.clone(), password::hash(p.clone()).await?))
        }
        Acceptor::Existing(caller) => {
            let me = users::get_unaffiliated(state.db.conn(), caller.user_id)
                .await?
                .ok_or(AppError::NotFound)?;
            if !me.email.eq_ignore_ascii_case(&preview.email) {
                return Err(AppError::Forbidden(
                    "This invitation was sent to another email address.".into(),
                ));
            }
            None
        }
    };
    let mut uow = UnitOfWork::begin(state).await?;
    let row = invitations::by_token(uow.tx(), &hash, state.clock.now())
        .await?
        .ok_or_else(invalid)?;
    let tenant = invitations::tenant_of(&row);
    // The organization may have changed since the invitation was sent.
    let org = switchyard_store::organizations::get(uow.tx(), tenant)
        .await?
        .ok_or_else(invalid)?;
    if !org.allowed_roles.0.contains(&row.role) {
        return Err(invalid());
    }
    let user_id = match (&acceptor, new_account) {
        (_, Some((username, password_hash))) => {
            refuse_members(&uow, tenant, &row.email).await?;
            if users::username_exists(uow.tx(), &username).await? {
                return Err(AppError::username_taken("username"));
            }
            users::create(
                uow.tx(),
                users::NewUser {
                    username,
                    email: row.email.clone(),
                    password_hash,
                    skills: Vec::new(),
                    is_superuser: false,
                },
            )
            .await?
        }
        (Acceptor::Existing(caller), None) => {
            if users::get(uow.tx(), tenant, caller.user_id)
                .await?
                .is_some()
            {
                return Err(AppError::conflict(
                    ErrorCode::AlreadyMember,
                    "You are already a member of this organization.",
                ));
            }
            caller.user_id
        }
        (Acceptor::NewAccount { .. }, None) => return Err(invalid()),
    };
    users::add_membership(uow.tx(), tenant, user_id, &row.role, 5).await?;
    if let Some(team) = row.team_id {
        teams::add_member(uow.tx(), tenant, team, user_id).await?;
    }
    if !invitations::close(uow.tx(), tenant, row.id, "accepted", Some(user_id)).await? {
        return Err(invalid());
    }
    let user = users::get(uow.tx(), tenant, user_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let org_roles = org.allowed_roles.0;
    let joined = Member {
        user_id,
        username: user.username.clone(),
        tenant,
        role: row.role.clone(),
        level: switchyard_domain::access::level_of(&org_roles, &row.role)
            .unwrap_or(AccessLevel::ReadOnly),
        org_roles,
    };
    uow.record(
        &joined,
        Event::MemberJoined {
            user_id,
            username: user.username.clone(),
            role: row.role.clone(),
            invitation_id: row.id,
        },
    )
    .await?;
    let tokens = match &acceptor {
        Acceptor::Existing(caller) => {
            auth::issue_pair_as(state, uow.tx(), caller, Some(tenant.id())).await?
        }
        Acceptor::NewAccount { .. } => {
            auth::issue_pair(state, uow.tx(), user_id, Some(tenant.id())).await?
        }
    };
    uow.commit().await?;
    Ok(Accepted { user, tokens })
}
