//! Store errors, with unique-constraint violations turned into named conflicts.

use sea_orm::{DbErr, SqlErr};
use thiserror::Error;

use crate::Fault;

/// A unique value that is already taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Conflict {
    OrganizationSlug,
    Username,
    TeamName,
    WorkflowName,
    TransitionRule,
    DefaultWorkflow,
    TaskKey,
    PendingInvitation,
    DepartmentName,
    ProjectKey,
    ProjectName,
    ProjectMember,
    Other,
}

/// (PostgreSQL constraint name, SQLite "table.column" text, conflict).
const CONSTRAINTS: &[(&str, &str, Conflict)] = &[
    (
        "organizations_slug_key",
        "organizations.slug",
        Conflict::OrganizationSlug,
    ),
    ("users_username_key", "users.username", Conflict::Username),
    (
        "teams_org_name_key",
        "teams.organization_id, teams.name",
        Conflict::TeamName,
    ),
    (
        "workflows_org_name_key",
        "workflows.organization_id, workflows.name",
        Conflict::WorkflowName,
    ),
    (
        "workflows_one_default_idx",
        "workflows.organization_id",
        Conflict::DefaultWorkflow,
    ),
    (
        "transition_rules_unique_key",
        "transition_rules.organization_id",
        Conflict::TransitionRule,
    ),
    (
        "tasks_org_key_key",
        "tasks.organization_id, tasks.task_key",
        Conflict::TaskKey,
    ),
    (
        "invitations_one_pending_idx",
        "invitations.organization_id, invitations.email",
        Conflict::PendingInvitation,
    ),
    (
        "departments_org_name_key",
        "departments.organization_id, departments.name",
        Conflict::DepartmentName,
    ),
    (
        "projects_org_key_key",
        "projects.organization_id, projects.project_key",
        Conflict::ProjectKey,
    ),
    (
        "projects_org_name_key",
        "projects.organization_id, projects.name",
        Conflict::ProjectName,
    ),
    (
        "project_members_pkey",
        "project_members.project_id, project_members.user_id",
        Conflict::ProjectMember,
    ),
];

/// What can go wrong in the store.
#[derive(Debug, Error)]
pub enum StoreError {
    /// A unique value is taken.
    #[error("conflict: {0:?}")]
    Conflict(Conflict),
    /// Bad configuration (unsupported URL …).
    #[error("{0}")]
    Config(String),
    /// Stored data that cannot be decoded (a bug or manual tampering).
    #[error("corrupt data: {0}")]
    Corrupt(String),
    /// The database could not take the request now (away, full, read-only, locked);
    /// nothing was changed.
    #[error("database unavailable ({0:?}): {1}")]
    Unavailable(Fault, DbErr),
    /// Any other database failure.
    #[error("database error: {0}")]
    Db(DbErr),
}

impl From<DbErr> for StoreError {
    fn from(err: DbErr) -> Self {
        if let Some(SqlErr::UniqueConstraintViolation(msg)) = err.sql_err() {
            let found = CONSTRAINTS
                .iter()
                .find(|(pg, lite, _)| msg.contains(pg) || msg.contains(lite))
                .map(|(_, _, c)| *c)
                .unwrap_or(Conflict::Other);
            return StoreError::Conflict(found);
        }
        match Fault::of(&err) {
            Some(fault) => StoreError::Unavailable(fault, err),
            None => StoreError::Db(err),
        }
    }
}

impl From<sea_orm::sqlx::Error> for StoreError {
    /// For the few paths that drive sqlx directly (`COPY`): classified like SeaORM's errors.
    fn from(err: sea_orm::sqlx::Error) -> Self {
        DbErr::Exec(sea_orm::RuntimeErr::SqlxError(std::sync::Arc::new(err))).into()
    }
}
