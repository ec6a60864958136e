//! What an actor may do, as flags for clients. Each flag is computed by the same predicate
//! the use case enforces (`Member::require_*`, [`crate::tasks::may_edit`],
//! [`crate::comments::may_change`], [`crate::users::may_grant`]), so a client that shows a
//! button only when its flag is set and the server that refuses the action cannot drift apart.

use switchyard_domain::AccessLevel;
use switchyard_store::{comments::CommentRow, tasks::TaskRow};

use crate::{Member, comments, projects::TaskRight, tasks, users};

/// What the member's role may do in their organization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Permissions {
    pub level: AccessLevel,
    pub create_tasks: bool,
    pub edit_any_task: bool,
    pub delete_tasks: bool,
    pub assign_tasks: bool,
    pub transition_tasks: bool,
    pub comment: bool,
    pub moderate_comments: bool,
    pub manage_users: bool,
    pub remove_users: bool,
    pub manage_teams: bool,
    /// Create projects (and manage every project).
    pub create_projects: bool,
    pub manage_workflows: bool,
    pub manage_organization: bool,
    pub run_sla_check: bool,
    pub score_tasks: bool,
    pub score_all_tasks: bool,
    pub auto_assign: bool,
    /// Roles this member may give to a new or existing member.
    pub assignable_roles: Vec<String>,
}

impl Permissions {
    /// The member's permissions.
    pub fn of(m: &Member) -> Permissions {
        let writer = m.require_writer().is_ok();
        let manager = m.require_manager().is_ok();
        let admin = m.require_admin().is_ok();
        Permissions {
            level: m.level,
            create_tasks: writer,
            edit_any_task: manager,
            delete_tasks: admin,
            assign_tasks: manager,
            transition_tasks: writer,
            comment: writer,
            moderate_comments: admin,
            manage_users: manager,
            remove_users: admin,
            manage_teams: manager,
            create_projects: manager,
            manage_workflows: admin,
            manage_organization: admin,
            run_sla_check: writer,
            score_tasks: writer,
            score_all_tasks: manager,
            auto_assign: manager,
            assignable_roles: m
                .org_roles
                .iter()
                .filter(|r| users::may_grant(m, r))
                .cloned()
                .collect(),
        }
    }
}

/// What the member may do to one task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TaskCan {
    pub edit: bool,
    pub delete: bool,
    pub assign: bool,
    pub transition: bool,
    pub comment: bool,
}

impl TaskCan {
    /// The member's rights on `task` (`collaborates`: they are one of its collaborators).
    pub fn of(m: &Member, task: &TaskRow, right: TaskRight, collaborates: bool) -> TaskCan {
        let writes = right.writes() && m.require_writer().is_ok();
        TaskCan {
            edit: tasks::may_edit(m, right, task.created_by, task.assigned_to, collaborates),
            delete: m.require_admin().is_ok(),
            assign: m.require_manager().is_ok(),
            transition: writes,
            comment: writes,
        }
    }
}

/// What the member may do to one comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommentCan {
    pub edit: bool,
    pub delete: bool,
}

impl CommentCan {
    /// The member's rights on `comment`.
    pub fn of(m: &Member, comment: &CommentRow) -> CommentCan {
        let ok = comments::may_change(m, comment);
        CommentCan {
            edit: ok,
            delete: ok,
        }
    }
}
