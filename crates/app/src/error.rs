//! The application's error enum: what a use case can refuse, independent of any transport.
//! The HTTP adapter maps each variant to a status in one place.

use std::collections::BTreeMap;

use switchyard_store::{Conflict, StoreError};

/// Why a use case did not happen.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Validation or a business rule refused the command.
    #[error("{detail}")]
    BadRequest {
        code: &'static str,
        detail: String,
        errors: Option<BTreeMap<String, Vec<String>>>,
    },
    /// Missing or bad credentials.
    #[error("{detail}")]
    Unauthorized { code: &'static str, detail: String },
    /// The actor is known but not allowed.
    #[error("{0}")]
    Forbidden(String),
    /// Missing, or another organization's.
    #[error("not found")]
    NotFound,
    /// Missing, with a specific sentence (pagination).
    #[error("{0}")]
    NotFoundDetail(String),
    /// Conflicts with the current state (a unique value taken, a concurrent move).
    #[error("{detail}")]
    Conflict { code: &'static str, detail: String },
    /// The client's `If-Match` named a version that is no longer current.
    #[error("the resource changed (current version {current_version})")]
    PreconditionFailed { current_version: i64 },
    /// Too many attempts; retry after this many seconds.
    #[error("too many attempts; retry in {retry_after} s")]
    RateLimited { retry_after: u64 },
    /// A dependency is down or overloaded; nothing was changed.
    #[error("unavailable: {0}")]
    Unavailable(String),
    /// A bug or an outage; the cause is for the log only.
    #[error("internal error: {0}")]
    Internal(String),
}

/// Result of a use case.
pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    /// A refusal with a code and sentence.
    pub fn bad_request(code: &'static str, detail: impl Into<String>) -> Self {
        AppError::BadRequest {
            code,
            detail: detail.into(),
            errors: None,
        }
    }

    /// A refusal about one field.
    pub fn field(field: &str, detail: impl Into<String>) -> Self {
        let detail = detail.into();
        let mut errors = BTreeMap::new();
        errors.insert(field.to_string(), vec![detail.clone()]);
        AppError::BadRequest {
            code: "invalid",
            detail,
            errors: Some(errors),
        }
    }

    /// Not allowed, with the default sentence.
    pub fn forbidden() -> Self {
        AppError::Forbidden("You do not have permission to perform this action.".into())
    }

    /// A conflict with a code and sentence.
    pub fn conflict(code: &'static str, detail: impl Into<String>) -> Self {
        AppError::Conflict {
            code,
            detail: detail.into(),
        }
    }

    /// A token that fails verification.
    pub fn bad_token() -> Self {
        AppError::Unauthorized {
            code: "token_not_valid",
            detail: "Given token not valid for any token type".into(),
        }
    }

    /// Compares a client's expected version with the current one (`None`: no precondition).
    pub fn check_version(expected: Option<i64>, current: i64) -> AppResult<()> {
        match expected {
            Some(v) if v != current => Err(AppError::PreconditionFailed {
                current_version: current,
            }),
            _ => Ok(()),
        }
    }
}

/// The one table from a named unique constraint to what the client is told.
pub fn conflict_message(c: Conflict) -> (&'static str, &'static str) {
    match c {
        Conflict::OrganizationSlug => (
            "slug_taken",
            "An organization with this slug already exists.",
        ),
        Conflict::Username => (
            "username_taken",
            "A user with that username already exists.",
        ),
        Conflict::TeamName => ("team_name_taken", "A team with this name already exists."),
        Conflict::WorkflowName => (
            "workflow_name_taken",
            "A workflow with this name already exists.",
        ),
        Conflict::DefaultWorkflow => (
            "default_workflow_conflict",
            "Another default workflow was set at the same time; retry.",
        ),
        Conflict::TransitionRule => (
            "duplicate_rule",
            "A transition rule for these states already exists in this workflow.",
        ),
        Conflict::TaskKey => ("task_key_conflict", "Task key already exists."),
        Conflict::Other => ("conflict", "The request conflicts with existing data."),
    }
}

impl From<StoreError> for AppError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::Conflict(c) => {
                let (code, detail) = conflict_message(c);
                AppError::conflict(code, detail)
            }
            other => AppError::Internal(other.to_string()),
        }
    }
}

impl From<switchyard_domain::validate::Invalid> for AppError {
    fn from(err: switchyard_domain::validate::Invalid) -> Self {
        AppError::bad_request("invalid", err.0)
    }
}
