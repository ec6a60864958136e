//! The application's error enum: what a use case can refuse, independent of any transport.
//! The HTTP adapter maps each variant to a status in one place.

use std::collections::BTreeMap;

use switchyard_store::{Conflict, StoreError, Versioned};

use crate::ErrorCode;

/// Why a use case did not happen.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Validation or a business rule refused the command.
    #[error("{detail}")]
    BadRequest {
        code: ErrorCode,
        detail: String,
        errors: Option<BTreeMap<String, Vec<String>>>,
    },
    /// Missing or bad credentials.
    #[error("{detail}")]
    Unauthorized { code: ErrorCode, detail: String },
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
    Conflict { code: ErrorCode, detail: String },
    /// The upload is larger than a file may be, or than what is left of a quota (413).
    #[error("{detail}")]
    TooLarge { code: ErrorCode, detail: String },
    /// The client's `If-Match` named a version that is no longer current.
    #[error("the resource changed (current version {current_version})")]
    PreconditionFailed { current_version: i64 },
    /// Too many attempts; retry after this many seconds.
    #[error("too many attempts; retry in {retry_after} s")]
    RateLimited { retry_after: u64 },
    /// A dependency is down, full or overloaded; nothing was changed. Retry after this many
    /// seconds.
    #[error("unavailable: {detail}")]
    Unavailable { detail: String, retry_after: u64 },
    /// A bug or an outage; the cause is for the log only.
    #[error("internal error: {0}")]
    Internal(String),
}

/// Result of a use case.
pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    /// A refusal with a code and sentence.
    pub fn bad_request(code: ErrorCode, detail: impl Into<String>) -> Self {
        AppError::BadRequest {
            code,
            detail: detail.into(),
            errors: None,
        }
    }

    /// A refusal about one field.
    pub fn field(field: &str, detail: impl Into<String>) -> Self {
        AppError::field_coded(ErrorCode::Invalid, field, detail)
    }

    /// Not allowed, with the default sentence.
    pub fn forbidden() -> Self {
        AppError::Forbidden("You do not have permission to perform this action.".into())
    }

    /// A conflict with a code and sentence.
    pub fn conflict(code: ErrorCode, detail: impl Into<String>) -> Self {
        AppError::Conflict {
            code,
            detail: detail.into(),
        }
    }

    /// A token that fails verification.
    pub fn bad_token() -> Self {
        AppError::Unauthorized {
            code: ErrorCode::TokenNotValid,
            detail: "Given token not valid for any token type".into(),
        }
    }

    /// A username that exists already: 400 on the request's `field` (the contract's status
    /// for setup, registration and member creation alike).
    pub fn username_taken(field: &str) -> Self {
        AppError::field_coded(
            ErrorCode::UsernameTaken,
            field,
            "A user with that username already exists.",
        )
    }

    /// An organization slug that exists already (400 on `org_slug`), naming it when known.
    pub fn slug_taken(slug: Option<&str>) -> Self {
        let detail = match slug {
            Some(s) => format!("Organization with slug '{s}' already exists."),
            None => "An organization with this slug already exists.".to_string(),
        };
        AppError::field_coded(ErrorCode::SlugTaken, "org_slug", detail)
    }

    /// The same refusal with field `from`'s errors reported under `to` (a use case reused
    /// behind another request shape).
    pub fn rename_field(mut self, from: &str, to: &str) -> Self {
        if let AppError::BadRequest {
            errors: Some(errors),
            ..
        } = &mut self
            && let Some(messages) = errors.remove(from)
        {
            errors.insert(to.to_string(), messages);
        }
        self
    }

    /// A refusal about one field with a specific code.
    pub fn field_coded(code: ErrorCode, field: &str, detail: impl Into<String>) -> Self {
        let detail = detail.into();
        let mut errors = BTreeMap::new();
        errors.insert(field.to_string(), vec![detail.clone()]);
        AppError::BadRequest {
            code,
            detail,
            errors: Some(errors),
        }
    }

    /// A row read for a read–modify–write: absent is [`AppError::NotFound`], and a client's
    /// `If-Match` naming another version is [`AppError::PreconditionFailed`].
    pub fn current<T: Versioned>(found: Option<T>, if_match: Option<i64>) -> AppResult<T> {
        let row = found.ok_or(AppError::NotFound)?;
        AppError::check_version(if_match, row.version())?;
        Ok(row)
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

/// The one table from a named unique constraint to what the client is told. Pre-checks
/// use the same constructors, so a value taken is reported identically whether the check or
/// the constraint caught it.
pub fn conflict_error(c: Conflict) -> AppError {
    match c {
        Conflict::OrganizationSlug => AppError::slug_taken(None),
        Conflict::Username => AppError::username_taken("username"),
        Conflict::TeamName => AppError::conflict(
            ErrorCode::TeamNameTaken,
            "A team with this name already exists.",
        ),
        Conflict::WorkflowName => AppError::conflict(
            ErrorCode::WorkflowNameTaken,
            "A workflow with this name already exists.",
        ),
        Conflict::DefaultWorkflow => AppError::conflict(
            ErrorCode::DefaultWorkflowConflict,
            "Another default workflow was set at the same time; retry.",
        ),
        Conflict::TransitionRule => AppError::conflict(
            ErrorCode::DuplicateRule,
            "A transition rule from this state to that state already exists in this workflow.",
        ),
        Conflict::DepartmentName => AppError::conflict(
            ErrorCode::DepartmentNameTaken,
            "A department with this name already exists.",
        ),
        Conflict::ProjectKey => AppError::conflict(
            ErrorCode::ProjectKeyTaken,
            "A project with this key already exists.",
        ),
        Conflict::ProjectName => AppError::conflict(
            ErrorCode::ProjectNameTaken,
            "A project with this name already exists.",
        ),
        Conflict::ProjectMember => AppError::conflict(
            ErrorCode::AlreadyMember,
            "This person is already a member of the project; change their role instead.",
        ),
        Conflict::PendingInvitation => AppError::conflict(
            ErrorCode::InvitationPending,
            "An invitation to this address is already pending; resend it instead.",
        ),
        Conflict::TaskKey => {
            AppError::conflict(ErrorCode::TaskKeyConflict, "Task key already exists.")
        }
        Conflict::Other => AppError::conflict(
            ErrorCode::Conflict,
            "The request conflicts with existing data.",
        ),
    }
}

impl From<StoreError> for AppError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::Conflict(c) => conflict_error(c),
            StoreError::Unavailable(fault, cause) => {
                tracing::warn!(?fault, %cause, "database fault");
                AppError::Unavailable {
                    detail: fault.message().to_string(),
                    retry_after: fault.retry_after(),
                }
            }
            other => AppError::Internal(other.to_string()),
        }
    }
}

impl From<switchyard_domain::validate::Invalid> for AppError {
    fn from(err: switchyard_domain::validate::Invalid) -> Self {
        AppError::bad_request(ErrorCode::Invalid, err.0)
    }
}

impl From<switchyard_domain::workflow::TransitionError> for AppError {
    /// A refused transition: 400 with the contract's sentence and the check's own code.
    fn from(e: switchyard_domain::workflow::TransitionError) -> Self {
        use switchyard_domain::workflow::TransitionError as E;
        let code = match &e {
            E::SameState(_) => ErrorCode::SameState,
            E::UnknownState { .. } => ErrorCode::UnknownState,
            E::NoRule { .. } => ErrorCode::TransitionNotAllowed,
            E::RoleNotAllowed { .. } => ErrorCode::RoleNotAllowed,
            E::Unassigned(_) => ErrorCode::AssignmentRequired,
            E::Blocked(_) => ErrorCode::Blocked,
            E::SubtasksOpen(_) => ErrorCode::SubtasksOpen,
        };
        AppError::bad_request(code, e.to_string())
    }
}
