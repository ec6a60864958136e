//! HTTP handlers, one module per resource. Each handler parses, calls one service
//! function and maps the result.

pub mod account;
pub mod admin_jobs;
pub mod ai;
pub mod attachments;
pub mod audit_logs;
pub mod auth;
pub mod avatars;
pub mod comments;
pub mod dashboard;
pub mod departments;
pub mod health;
pub mod invitations;
pub mod notifications;
pub mod organizations;
pub mod personal_data;
pub mod projects;
pub mod setup;
pub mod task_links;
pub mod tasks;
pub mod teams;
pub mod two_factor;
pub mod users;
pub mod workflows;

use serde::{Deserialize, Deserializer};

/// Distinguishes an absent field (`None`) from an explicit `null` (`Some(None)`).
pub(crate) fn double_option<'de, D, T>(de: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(de).map(Some)
}

/// The tag names of the OpenAPI document.
pub mod tags {
    pub const SETUP: &str = "setup";
    pub const AUTH: &str = "auth";
    pub const ORGANIZATIONS: &str = "organizations";
    pub const USERS: &str = "users";
    pub const TEAMS: &str = "teams";
    pub const PROJECTS: &str = "projects";
    pub const WORKFLOWS: &str = "workflows";
    pub const TASKS: &str = "tasks";
    pub const COMMENTS: &str = "comments";
    pub const NOTIFICATIONS: &str = "notifications";
    pub const AUDIT: &str = "audit";
    pub const DASHBOARD: &str = "dashboard";
    pub const AI: &str = "ai";
    pub const OPERATIONS: &str = "operations";
}
