//! Who runs a use case: a member acting in one organization, or the system (a scheduled
//! sweep, later an automation) under a display name.

use chrono::{DateTime, Utc};
use switchyard_domain::{AccessLevel, access};
use switchyard_store::{Tenant, audit};
use uuid::Uuid;

use crate::{AppError, AppResult};

/// An authenticated user, with their membership when they have one.
#[derive(Debug, Clone)]
pub struct Caller {
    pub user_id: Uuid,
    pub username: String,
    /// Id and expiry of the access token used, so logout can revoke it.
    pub jti: Uuid,
    pub token_expires_at: DateTime<Utc>,
    /// The sign-in behind the token passed a second factor.
    pub second_factor: bool,
    pub member: Option<Member>,
}

/// A person acting in an organization they belong to.
#[derive(Debug, Clone)]
pub struct Member {
    pub user_id: Uuid,
    pub username: String,
    pub tenant: Tenant,
    pub role: String,
    pub level: AccessLevel,
    /// The organization's roles, in order (position gives the level).
    pub org_roles: Vec<String>,
}

impl Member {
    /// Requires manager level or above.
    pub fn require_manager(&self) -> AppResult<()> {
        self.require(self.level.is_manager_or_above())
    }

    /// Requires admin level.
    pub fn require_admin(&self) -> AppResult<()> {
        self.require(self.level == AccessLevel::Admin)
    }

    /// Requires a level that may write (every level but read-only).
    pub fn require_writer(&self) -> AppResult<()> {
        self.require(self.level.can_write())
    }

    fn require(&self, allowed: bool) -> AppResult<()> {
        if allowed {
            Ok(())
        } else {
            Err(AppError::forbidden())
        }
    }

    /// The organization's roles at manager or worker level: the people who take on work
    /// (routing candidates, team performance).
    pub fn work_roles(&self) -> Vec<String> {
        self.org_roles
            .iter()
            .filter(|r| {
                matches!(
                    self.level_of(r),
                    Some(AccessLevel::Manager | AccessLevel::Worker)
                )
            })
            .cloned()
            .collect()
    }

    /// The level of another role in this organization.
    pub fn level_of(&self, role: &str) -> Option<AccessLevel> {
        access::level_of(&self.org_roles, role)
    }
}

/// The author of a change, as the unit of work records it.
#[derive(Debug, Clone)]
pub enum Actor {
    /// A person acting through their membership.
    Member(Member),
    /// The system itself (the SLA sweep, a job, an automation), with a display name.
    System { tenant: Tenant, name: String },
}

impl Actor {
    /// The system acting in `tenant` as `name`.
    pub fn system(tenant: Tenant, name: impl Into<String>) -> Self {
        Actor::System {
            tenant,
            name: name.into(),
        }
    }

    /// The organization the change happens in.
    pub fn tenant(&self) -> Tenant {
        match self {
            Actor::Member(m) => m.tenant,
            Actor::System { tenant, .. } => *tenant,
        }
    }

    /// The user behind the change, if a person made it.
    pub fn user_id(&self) -> Option<Uuid> {
        match self {
            Actor::Member(m) => Some(m.user_id),
            Actor::System { .. } => None,
        }
    }

    /// How the audit log names the author.
    pub fn audit(&self) -> audit::Actor {
        match self {
            Actor::Member(m) => audit::Actor::User {
                id: m.user_id,
                name: m.username.clone(),
            },
            Actor::System { .. } => audit::Actor::System,
        }
    }

    /// A display name for events and messages.
    pub fn name(&self) -> &str {
        match self {
            Actor::Member(m) => &m.username,
            Actor::System { name, .. } => name,
        }
    }
}

impl From<&Member> for Actor {
    fn from(m: &Member) -> Self {
        Actor::Member(m.clone())
    }
}
