//! Access levels derived from the position of a role in an organization's `allowed_roles`.
//!
//! Roles are configured per organization, so the level of a role is never hard-coded by
//! name (except `admin`, which is always first): it follows from where the role stands.

use serde::Serialize;

/// What a role may do at the endpoint layer (layer 1 of access control).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AccessLevel {
    /// Reads only.
    ReadOnly,
    /// Creates tasks and comments, updates its own tasks, transitions per rules.
    Worker,
    /// Creates users (not admins) and teams, assigns, updates any task.
    Manager,
    /// Everything within the organization.
    Admin,
}

impl AccessLevel {
    /// The wire name (`admin`, `manager`, `worker`, `read_only`).
    pub fn as_str(self) -> &'static str {
        match self {
            AccessLevel::ReadOnly => "read_only",
            AccessLevel::Worker => "worker",
            AccessLevel::Manager => "manager",
            AccessLevel::Admin => "admin",
        }
    }

    /// Admin or manager level ("manager+" in the API contract).
    pub fn is_manager_or_above(self) -> bool {
        self >= AccessLevel::Manager
    }

    /// May create or change anything at all.
    pub fn can_write(self) -> bool {
        self >= AccessLevel::Worker
    }
}

/// Name fragments that make a role read-only when an organization has two roles or fewer.
const READ_ONLY_MARKERS: [&str; 6] = [
    "viewer",
    "readonly",
    "read_only",
    "auditor",
    "guest",
    "observer",
];

/// The access level of `role` within `roles`, or `None` when the role is not configured.
pub fn level_of(roles: &[String], role: &str) -> Option<AccessLevel> {
    let position = roles.iter().position(|r| r == role)?;
    let n = roles.len();
    Some(if position == 0 {
        AccessLevel::Admin
    } else if (n >= 3 && position == n - 1)
        || (n <= 2 && READ_ONLY_MARKERS.iter().any(|m| role.contains(m)))
    {
        AccessLevel::ReadOnly
    } else if position == 1 {
        AccessLevel::Manager
    } else {
        AccessLevel::Worker
    })
}

/// The name of the role that is always the organization's first.
pub const ADMIN_ROLE: &str = "admin";

/// Puts `admin` first: inserted when missing, moved to the front when present elsewhere.
pub fn normalize_roles(roles: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(roles.len() + 1);
    out.push(ADMIN_ROLE.to_string());
    out.extend(roles.into_iter().filter(|r| r != ADMIN_ROLE));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn levels_follow_positions() {
        let roles = v(&["admin", "manager", "engineer", "viewer"]);
        assert_eq!(level_of(&roles, "admin"), Some(AccessLevel::Admin));
        assert_eq!(level_of(&roles, "manager"), Some(AccessLevel::Manager));
        assert_eq!(level_of(&roles, "engineer"), Some(AccessLevel::Worker));
        assert_eq!(level_of(&roles, "viewer"), Some(AccessLevel::ReadOnly));
        assert_eq!(level_of(&roles, "ghost"), None);
    }

    #[test]
    fn custom_names_get_levels_by_position() {
        let roles = v(&["admin", "tech_lead", "senior", "junior", "stakeholder"]);
        assert_eq!(level_of(&roles, "tech_lead"), Some(AccessLevel::Manager));
        assert_eq!(level_of(&roles, "junior"), Some(AccessLevel::Worker));
        assert_eq!(level_of(&roles, "stakeholder"), Some(AccessLevel::ReadOnly));
    }

    #[test]
    fn two_roles_use_name_markers() {
        assert_eq!(
            level_of(&v(&["admin", "auditor"]), "auditor"),
            Some(AccessLevel::ReadOnly)
        );
        assert_eq!(
            level_of(&v(&["admin", "lead"]), "lead"),
            Some(AccessLevel::Manager)
        );
    }

    #[test]
    fn admin_is_always_first() {
        assert_eq!(
            normalize_roles(v(&["dev", "admin", "ops"])),
            v(&["admin", "dev", "ops"])
        );
        assert_eq!(normalize_roles(v(&["dev"])), v(&["admin", "dev"]));
    }
}
