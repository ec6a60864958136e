//! Every machine-readable `code` an error body can carry: one list, published in the OpenAPI
//! document (`ErrorBody.code`), with a test that each is produced somewhere.

macro_rules! error_codes {
    ($($variant:ident => $text:literal, $doc:literal;)*) => {
        /// A stable snake_case error code.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ErrorCode {
            $(#[doc = $doc] $variant,)*
        }

        impl ErrorCode {
            /// Every code, in documentation order.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant,)*];

            /// The wire form.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $text,)*
                }
            }

            /// What the code means, for the API documentation.
            pub fn description(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $doc,)*
                }
            }
        }
    };
}

error_codes! {
    Invalid => "invalid", "400: a field or value is invalid (`errors` names the fields).";
    MissingFields => "missing_fields", "400: required fields are missing.";
    ParseError => "parse_error", "400: the body is not valid JSON.";
    InvalidQuery => "invalid_query", "400: a query parameter is invalid.";
    InvalidIfMatch => "invalid_if_match", "400: If-Match does not name one version.";
    InvalidState => "invalid_state", "400: a state is not one of the workflow's states.";
    SameState => "same_state", "400: the task is already in that state (or a rule would loop).";
    UnknownState => "unknown_state", "400: the target state is not in the task's workflow.";
    TransitionNotAllowed => "transition_not_allowed", "400: no rule leads from the current state to the target.";
    RoleNotAllowed => "role_not_allowed", "400: the caller's role may not take this transition.";
    AssignmentRequired => "assignment_required", "400: the task needs an assignee before entering that state.";
    Blocked => "blocked", "400: the task is blocked by active tasks (its `blocked_by`) and cannot enter a final state other than the workflow's cancel state.";
    SubtasksOpen => "subtasks_open", "400: the workflow completes a parent only once its sub-tasks are done.";
    DependencyCycle => "dependency_cycle", "400: the dependency would close a cycle (the message names every task in it).";
    SubtaskDepth => "subtask_depth", "400: sub-tasks are one level deep: a sub-task cannot have sub-tasks.";
    CapacityExceeded => "capacity_exceeded", "400: the assignee already has their maximum of active tasks.";
    CannotDeleteSelf => "cannot_delete_self", "400: an account cannot delete itself.";
    SlugTaken => "slug_taken", "400: an organization with this slug already exists.";
    UsernameTaken => "username_taken", "400: a user with that username already exists.";
    NotAuthenticated => "not_authenticated", "401: no credentials were sent.";
    TokenNotValid => "token_not_valid", "401 (400 on refresh): the token is invalid, expired or revoked.";
    NoActiveAccount => "no_active_account", "401: the username or password is wrong, or the account is inactive.";
    PermissionDenied => "permission_denied", "403: the caller's role or relation to the object does not allow this.";
    NotFound => "not_found", "404: no such object in the caller's organization.";
    MethodNotAllowed => "method_not_allowed", "405: the route does not accept this method.";
    ConcurrentModification => "concurrent_modification", "409: the object changed while the request ran; reload and retry.";
    TeamNameTaken => "team_name_taken", "409: a team with this name already exists.";
    WorkflowNameTaken => "workflow_name_taken", "409: a workflow with this name already exists.";
    DefaultWorkflowConflict => "default_workflow_conflict", "409: another default workflow was set at the same time.";
    DuplicateRule => "duplicate_rule", "409: a rule between these states already exists in the workflow.";
    DepartmentNameTaken => "department_name_taken", "409: a department with this name already exists.";
    ProjectKeyTaken => "project_key_taken", "409: a project with this key already exists.";
    ProjectNameTaken => "project_name_taken", "409: a project with this name already exists.";
    ProjectInUse => "project_in_use", "409: the project still has tasks (move or delete them, or archive the project).";
    LastProjectOwner => "last_project_owner", "409: a project keeps at least one owner.";
    MemberHasTasks => "member_has_tasks", "409: the person still holds active tasks of the project; reassign them first.";
    TaskKeyConflict => "task_key_conflict", "409: the task key is already used.";
    Conflict => "conflict", "409: the request conflicts with existing data.";
    ValueInUse => "value_in_use", "409: a role, priority or type to remove is still in use.";
    StateInUse => "state_in_use", "409: a state to remove still holds tasks.";
    WorkflowInUse => "workflow_in_use", "409: the workflow still has tasks.";
    LastAdmin => "last_admin", "409: the organization's last admin cannot be removed or demoted.";
    AlreadyAssigned => "already_assigned", "409: the task to claim already has an assignee.";
    AlreadyMember => "already_member", "409: the person invited or added is already a member.";
    InvitationPending => "invitation_pending", "409: an invitation to this address is already pending (resend it).";
    InvitationClosed => "invitation_closed", "409: the invitation was already accepted or revoked.";
    InvalidCode => "invalid_code", "400: a two-factor code is wrong, expired or already used (wrong codes count toward the sign-in limit).";
    InvalidToken => "invalid_token", "400: an emailed link (invitation, password reset) is unknown, used, revoked or expired.";
    PreconditionFailed => "precondition_failed", "412: If-Match named a stale version; `current_version` has the current one.";
    RequestTimeout => "request_timeout", "408: the request body did not arrive in time; the connection is closed.";
    PayloadTooLarge => "payload_too_large", "413: the body is larger than the server accepts.";
    FileTooLarge => "file_too_large", "413: the uploaded file is larger than an attachment may be (`max_file_bytes` of `GET /attachments/usage/`).";
    StorageQuotaExceeded => "storage_quota_exceeded", "413: the organization's attachments would exceed its storage quota; delete files or ask the operator for more.";
    UriTooLong => "uri_too_long", "414: the URI is longer than the server accepts.";
    UnsupportedMediaType => "unsupported_media_type", "415: the body is not JSON.";
    Throttled => "throttled", "429: too many requests; see Retry-After.";
    HeadersTooLarge => "headers_too_large", "431: the request's headers are larger than the server accepts.";
    Unavailable => "unavailable", "503: a dependency (the database) is unavailable; see Retry-After.";
    InternalError => "internal_error", "500: a bug; the cause is logged, never sent.";
}

#[cfg(test)]
mod tests {
    use std::{collections::HashSet, fs, path::Path};

    use super::ErrorCode;

    fn sources(dir: &Path, out: &mut String) {
        for entry in fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                sources(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") && !path.ends_with("codes.rs") {
                out.push_str(&fs::read_to_string(&path).unwrap());
            }
        }
    }

    /// A code that nothing produces is a documentation lie; one produced but not listed
    /// cannot exist (the type forbids it).
    #[test]
    fn every_code_is_produced_somewhere_and_unique() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut code = String::new();
        for krate in ["app/src", "api/src"] {
            sources(&root.join(krate), &mut code);
        }
        let unused: Vec<_> = ErrorCode::ALL
            .iter()
            .filter(|c| !code.contains(&format!("ErrorCode::{c:?}")))
            .collect();
        assert!(unused.is_empty(), "codes nothing produces: {unused:?}");
        let texts: HashSet<_> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
        assert_eq!(texts.len(), ErrorCode::ALL.len(), "a code is listed twice");
    }
}
