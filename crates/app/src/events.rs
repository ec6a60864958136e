//! Domain events: what a use case changed, recorded in its unit of work. Task events also
//! become audit entries (with the payloads the audit API has always shown); every event
//! becomes one outbox row for the background work that follows a change.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{Map, Value as Json, json};
use switchyard_store::audit::{self, Action};
use uuid::Uuid;

/// What happened to a configuration object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    Created,
    Updated,
    Deleted,
}

/// One fact a use case established. Serialized (tagged by `kind`) into the outbox.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Event {
    TaskCreated {
        task_id: Uuid,
        task_key: String,
        title: String,
        state: String,
        priority: String,
        task_type: String,
    },
    /// Only the fields that changed, old and new.
    TaskUpdated {
        task_id: Uuid,
        task_key: String,
        old: Map<String, Json>,
        new: Map<String, Json>,
    },
    TaskTransitioned {
        task_id: Uuid,
        task_key: String,
        from_state: String,
        to_state: String,
        reason: String,
    },
    TaskAssigned {
        task_id: Uuid,
        task_key: String,
        previous: Option<Uuid>,
        previous_name: Option<String>,
        assignee: Option<Uuid>,
        assignee_name: Option<String>,
        reason: String,
    },
    TaskDeleted {
        task_id: Uuid,
        task_key: String,
        title: String,
        state: String,
    },
    /// `task` is now blocked by `blocked_by`, or no longer (`added: false`).
    DependencyChanged {
        task_id: Uuid,
        task_key: String,
        blocked_by: Uuid,
        blocked_by_key: String,
        added: bool,
    },
    /// `user_id` now collaborates on the task, or no longer (`added: false`).
    CollaboratorChanged {
        task_id: Uuid,
        task_key: String,
        user_id: Uuid,
        username: String,
        added: bool,
    },
    /// A file was attached to the task, or removed from it (`added: false`).
    AttachmentChanged {
        task_id: Uuid,
        task_key: String,
        attachment_id: Uuid,
        file_name: String,
        content_type: String,
        size_bytes: i64,
        added: bool,
    },
    CommentAdded {
        task_id: Uuid,
        task_key: String,
        comment_id: Uuid,
        content: String,
    },
    CommentEdited {
        task_id: Uuid,
        task_key: String,
        comment_id: Uuid,
        old_content: String,
        content: String,
    },
    CommentDeleted {
        task_id: Uuid,
        task_key: String,
        comment_id: Uuid,
        content: String,
    },
    SlaBreached {
        task_id: Uuid,
        task_key: String,
        due_date: DateTime<Utc>,
        reason: String,
    },
    UserChanged {
        user_id: Uuid,
        change: Change,
    },
    TeamChanged {
        team_id: Uuid,
        change: Change,
    },
    DepartmentChanged {
        department_id: Uuid,
        change: Change,
    },
    ProjectChanged {
        project_id: Uuid,
        change: Change,
    },
    /// Someone was added to a project, given another role (`role` is the new one) or
    /// removed from it (`role` is `None`).
    ProjectMemberChanged {
        project_id: Uuid,
        user_id: Uuid,
        role: Option<String>,
        change: Change,
    },
    WorkflowChanged {
        workflow_id: Uuid,
        change: Change,
    },
    TransitionRuleChanged {
        rule_id: Uuid,
        workflow_id: Uuid,
        change: Change,
    },
    OrganizationChanged {
        change: Change,
    },
    /// An invitation was emailed (or emailed again with a new token).
    InvitationSent {
        invitation_id: Uuid,
        email: String,
        role: String,
        resent: bool,
    },
    InvitationRevoked {
        invitation_id: Uuid,
        email: String,
    },
    /// Someone accepted an invitation and became a member.
    MemberJoined {
        user_id: Uuid,
        username: String,
        role: String,
        invitation_id: Uuid,
    },
    /// A person's identifying data was replaced by a pseudonym (no audit entry: erasure
    /// adds nothing to the log it rewrites).
    MemberErased {
        user_id: Uuid,
        pseudonym: String,
        reason: String,
    },
    /// A member was deactivated (`active: false`) or reactivated.
    MemberActivation {
        user_id: Uuid,
        username: String,
        active: bool,
    },
}

impl Event {
    /// The outbox `kind` (the serialized tag).
    pub fn kind(&self) -> &'static str {
        match self {
            Event::TaskCreated { .. } => "task_created",
            Event::TaskUpdated { .. } => "task_updated",
            Event::TaskTransitioned { .. } => "task_transitioned",
            Event::TaskAssigned { .. } => "task_assigned",
            Event::TaskDeleted { .. } => "task_deleted",
            Event::DependencyChanged { added: true, .. } => "dependency_added",
            Event::DependencyChanged { added: false, .. } => "dependency_removed",
            Event::CollaboratorChanged { added: true, .. } => "collaborator_added",
            Event::CollaboratorChanged { added: false, .. } => "collaborator_removed",
            Event::AttachmentChanged { added: true, .. } => "attachment_added",
            Event::AttachmentChanged { added: false, .. } => "attachment_removed",
            Event::CommentAdded { .. } => "comment_added",
            Event::CommentEdited { .. } => "comment_edited",
            Event::CommentDeleted { .. } => "comment_deleted",
            Event::SlaBreached { .. } => "sla_breached",
            Event::UserChanged { .. } => "user_changed",
            Event::TeamChanged { .. } => "team_changed",
            Event::DepartmentChanged { .. } => "department_changed",
            Event::ProjectChanged { .. } => "project_changed",
            Event::ProjectMemberChanged { .. } => "project_member_changed",
            Event::WorkflowChanged { .. } => "workflow_changed",
            Event::TransitionRuleChanged { .. } => "transition_rule_changed",
            Event::OrganizationChanged { .. } => "organization_changed",
            Event::InvitationSent { .. } => "invitation_sent",
            Event::InvitationRevoked { .. } => "invitation_revoked",
            Event::MemberJoined { .. } => "member_joined",
            Event::MemberActivation { .. } => "member_activation",
            Event::MemberErased { .. } => "member_erased",
        }
    }

    /// The JSON written to the outbox.
    pub fn payload(&self) -> Json {
        serde_json::to_value(self).unwrap_or(Json::Null)
    }

    /// The audit entry an event leaves: task events and membership events (invitations,
    /// joining, deactivation) have one; configuration events have none.
    pub fn audit_entry(&self, actor: audit::Actor) -> Option<audit::Entry> {
        let entry = |task_id: Uuid, task_key: &str, action, old, new, reason: &str| {
            Some(audit::Entry {
                task_id: Some(task_id),
                task_key: task_key.to_string(),
                action,
                actor: actor.clone(),
                old_value: old,
                new_value: new,
                reason: reason.to_string(),
            })
        };
        match self {
            Event::TaskCreated {
                task_id,
                task_key,
                title,
                state,
                priority,
                task_type,
            } => entry(
                *task_id,
                task_key,
                Action::Created,
                None,
                Some(
                    json!({"title": title, "state": state, "priority": priority, "task_type": task_type}),
                ),
                "",
            ),
            Event::TaskUpdated {
                task_id,
                task_key,
                old,
                new,
            } => entry(
                *task_id,
                task_key,
                Action::Updated,
                Some(Json::Object(old.clone())),
                Some(Json::Object(new.clone())),
                "",
            ),
            Event::TaskTransitioned {
                task_id,
                task_key,
                from_state,
                to_state,
                reason,
            } => entry(
                *task_id,
                task_key,
                Action::StateChanged,
                Some(json!({"state": from_state})),
                Some(json!({"state": to_state})),
                reason,
            ),
            Event::TaskAssigned {
                task_id,
                task_key,
                previous,
                previous_name,
                assignee,
                assignee_name,
                reason,
            } => entry(
                *task_id,
                task_key,
                Action::Assigned,
                Some(json!({"assigned_to": previous, "username": previous_name})),
                Some(json!({"assigned_to": assignee, "username": assignee_name})),
                reason,
            ),
            Event::DependencyChanged {
                task_id,
                task_key,
                blocked_by,
                blocked_by_key,
                added,
            } => {
                let link = Some(json!({"blocked_by": blocked_by_key, "blocked_by_id": blocked_by}));
                let (action, old, new) = if *added {
                    (Action::DependencyAdded, None, link)
                } else {
                    (Action::DependencyRemoved, link, None)
                };
                entry(*task_id, task_key, action, old, new, "")
            }
            Event::CollaboratorChanged {
                task_id,
                task_key,
                user_id,
                username,
                added,
            } => {
                let who = Some(json!({"user": user_id, "username": username}));
                let (action, old, new) = if *added {
                    (Action::CollaboratorAdded, None, who)
                } else {
                    (Action::CollaboratorRemoved, who, None)
                };
                entry(*task_id, task_key, action, old, new, "")
            }
            Event::AttachmentChanged {
                task_id,
                task_key,
                attachment_id,
                file_name,
                content_type,
                size_bytes,
                added,
            } => {
                let file = Some(json!({
                    "attachment": attachment_id,
                    "file_name": file_name,
                    "content_type": content_type,
                    "size": size_bytes,
                }));
                let (action, old, new) = if *added {
                    (Action::AttachmentAdded, None, file)
                } else {
                    (Action::AttachmentRemoved, file, None)
                };
                entry(*task_id, task_key, action, old, new, "")
            }
            Event::TaskDeleted {
                task_id,
                task_key,
                title,
                state,
            } => entry(
                *task_id,
                task_key,
                Action::Deleted,
                Some(json!({"title": title, "state": state})),
                None,
                "",
            ),
            Event::CommentAdded {
                task_id,
                task_key,
                content,
                ..
            } => entry(
                *task_id,
                task_key,
                Action::Commented,
                None,
                Some(json!({"comment": content})),
                "",
            ),
            Event::CommentEdited {
                task_id,
                task_key,
                comment_id,
                old_content,
                content,
            } => entry(
                *task_id,
                task_key,
                Action::Updated,
                Some(json!({"comment_id": comment_id, "comment": old_content})),
                Some(json!({"comment_id": comment_id, "comment": content})),
                "Comment edited",
            ),
            Event::CommentDeleted {
                task_id,
                task_key,
                comment_id,
                content,
            } => entry(
                *task_id,
                task_key,
                Action::Deleted,
                Some(json!({"comment_id": comment_id, "comment": content})),
                None,
                "Comment deleted",
            ),
            Event::SlaBreached {
                task_id,
                task_key,
                due_date,
                reason,
            } => entry(
                *task_id,
                task_key,
                Action::SlaBreached,
                Some(json!({"sla_breached": false})),
                Some(json!({"sla_breached": true, "due_date": due_date})),
                reason,
            ),
            Event::InvitationSent {
                invitation_id,
                role,
                resent,
                ..
            } => account(
                actor,
                Action::Invited,
                // The address stays on the invitation (which erasure can reach), not here.
                json!({"invitation": invitation_id, "role": role, "resent": resent}),
            ),
            Event::InvitationRevoked { invitation_id, .. } => account(
                actor,
                Action::InvitationRevoked,
                json!({"invitation": invitation_id}),
            ),
            Event::MemberJoined {
                user_id,
                username,
                role,
                invitation_id,
            } => account(
                actor,
                Action::Joined,
                json!({"user": user_id, "username": username, "role": role, "invitation": invitation_id}),
            ),
            Event::MemberActivation {
                user_id,
                username,
                active,
            } => account(
                actor,
                if *active {
                    Action::Reactivated
                } else {
                    Action::Deactivated
                },
                json!({"user": user_id, "username": username}),
            ),
            Event::UserChanged { .. }
            | Event::MemberErased { .. }
            | Event::TeamChanged { .. }
            | Event::DepartmentChanged { .. }
            | Event::ProjectChanged { .. }
            | Event::ProjectMemberChanged { .. }
            | Event::WorkflowChanged { .. }
            | Event::TransitionRuleChanged { .. }
            | Event::OrganizationChanged { .. } => None,
        }
    }
}

/// The audit entry of a membership event: no task, the facts in `new_value`.
fn account(actor: audit::Actor, action: Action, new: Json) -> Option<audit::Entry> {
    Some(audit::Entry {
        task_id: None,
        task_key: String::new(),
        action,
        actor,
        old_value: None,
        new_value: Some(new),
        reason: String::new(),
    })
}
