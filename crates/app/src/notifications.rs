//! In-app notifications. The unit of work turns every recorded event into the
//! notifications it causes ([`for_event`]), in the same transaction: each person concerned
//! gets exactly one per event (a mention wins over a plain comment), the person who caused
//! it none, and nobody one about a task they cannot see.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use serde_json::json;
use switchyard_domain::access;
use switchyard_store::DatabaseTransaction;
use switchyard_store::{
    Page, Tenant, invitations,
    notifications::{self, Concerned, NewNotification, NotificationRow},
    organizations, projects, tasks, users,
};
use uuid::Uuid;

use crate::{Actor, App, AppError, AppResult, Change, Event, Member, UnitOfWork, mail};

/// Every kind of notification, in documentation order.
pub const KINDS: [&str; 9] = [
    "assigned",
    "unassigned",
    "comment",
    "mention",
    "transitioned",
    "sla_breached",
    "collaborator_added",
    "project_member_added",
    "invitation_accepted",
];

/// How a person hears about one kind of notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Channels {
    /// In the dashboard and `GET /notifications/`.
    pub in_app: bool,
    /// By email (assignments, comments on one's tasks and mentions today).
    pub email: bool,
}

impl Channels {
    /// The defaults: everything in-app; email for assignments and mentions only, so a busy
    /// task does not flood inboxes.
    pub fn default_for(kind: &str) -> Channels {
        Channels {
            in_app: true,
            email: matches!(kind, "assigned" | "mention"),
        }
    }
}

/// Each person's channel for a kind: their choice or the default.
fn channel_of(rows: &[notifications::PreferenceRow], user: Uuid, kind: &str) -> Channels {
    rows.iter()
        .find(|r| r.user_id == user && r.kind == kind)
        .map(|r| Channels {
            in_app: r.in_app,
            email: r.email,
        })
        .unwrap_or_else(|| Channels::default_for(kind))
}

/// The caller's channels for every kind of notification.
pub async fn preferences(state: &App, member: &Member) -> AppResult<Vec<(&'static str, Channels)>> {
    let rows =
        notifications::preferences(state.db.conn(), member.tenant, &[member.user_id]).await?;
    Ok(KINDS
        .iter()
        .map(|k| (*k, channel_of(&rows, member.user_id, k)))
        .collect())
}

/// Changes the caller's channels for the kinds given (the others keep theirs).
pub async fn set_preferences(
    state: &App,
    member: &Member,
    choices: Vec<(String, Channels)>,
) -> AppResult<Vec<(&'static str, Channels)>> {
    for (kind, _) in &choices {
        if !KINDS.contains(&kind.as_str()) {
            return Err(AppError::field(
                "preferences",
                format!(
                    "'{kind}' is not a kind of notification; use one of: {}.",
                    KINDS.join(", ")
                ),
            ));
        }
    }
    let rows: Vec<(String, bool, bool)> = choices
        .into_iter()
        .map(|(k, c)| (k, c.in_app, c.email))
        .collect();
    let tx = state.db.begin_write().await?;
    notifications::set_preferences(&tx, member.tenant, member.user_id, &rows).await?;
    switchyard_store::commit(tx).await?;
    preferences(state, member).await
}

/// Whether `user` wants notifications of `kind` by email (read in the change's
/// transaction).
pub(crate) async fn wants_email(
    tx: &DatabaseTransaction,
    tenant: Tenant,
    user: Uuid,
    kind: &str,
) -> AppResult<bool> {
    let rows = notifications::preferences(tx, tenant, &[user]).await?;
    Ok(channel_of(&rows, user, kind).email)
}

/// The `@username`s in `text` (letters, digits and `_ . + -`; a trailing dot is
/// punctuation), each once.
pub fn mentions(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    for (i, c) in chars.iter().enumerate() {
        if *c != '@' || (i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '_')) {
            continue;
        }
        let name: String = chars[i + 1..]
            .iter()
            .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '+' | '-'))
            .collect();
        let name = name.trim_end_matches('.').to_string();
        if !name.is_empty() && !out.contains(&name) {
            out.push(name);
        }
    }
    out
}

/// Who gets what: people in priority order (the first kind a person gets wins).
struct Fanout<'a> {
    tx: &'a DatabaseTransaction,
    tenant: Tenant,
    actor: &'a Actor,
    event_id: Uuid,
    /// The organization's roles, loaded when a project's privacy makes them matter.
    roles: Option<Vec<String>>,
    seen: HashSet<Uuid>,
    out: Vec<NewNotification>,
    /// The text that mentions people (a comment, a description), quoted in their email.
    mention_text: String,
}

impl Fanout<'_> {
    async fn sees(&mut self, person: &Concerned) -> AppResult<bool> {
        if person.project_allows {
            return Ok(true);
        }
        if self.roles.is_none() {
            let org = organizations::get(self.tx, self.tenant).await?;
            self.roles = Some(org.map(|o| o.allowed_roles.0).unwrap_or_default());
        }
        let roles = self.roles.as_deref().unwrap_or_default();
        Ok(access::level_of(roles, &person.role).is_some_and(|l| l.is_manager_or_above()))
    }

    /// Adds one notification for each of `people` who has none yet for this event, did not
    /// cause it, and may see its task.
    async fn add(
        &mut self,
        people: Vec<Concerned>,
        kind: &'static str,
        task: Option<(Uuid, &str)>,
        message: impl Fn(&Concerned) -> String,
        data: serde_json::Value,
    ) -> AppResult<()> {
        for person in people {
            if Some(person.user_id) == self.actor.user_id()
                || self.seen.contains(&person.user_id)
                || !self.sees(&person).await?
            {
                continue;
            }
            self.seen.insert(person.user_id);
            self.out.push(NewNotification {
                user_id: person.user_id,
                kind,
                task_id: task.map(|t| t.0),
                task_key: task.map(|t| t.1.to_string()).unwrap_or_default(),
                actor_id: self.actor.user_id(),
                actor_name: self.actor.name().to_string(),
                message: message(&person),
                data: data.clone(),
                event_id: self.event_id,
            });
        }
        Ok(())
    }

    /// Mentions of the active members among `names` in `text` on a task (those who may see
    /// it); the text is what their email quotes.
    async fn mention(
        &mut self,
        task_id: Uuid,
        task_key: &str,
        names: &[String],
        text: &str,
        message: String,
        data: serde_json::Value,
    ) -> AppResult<()> {
        let named = notifications::mentioned(self.tx, self.tenant, task_id, names).await?;
        if named.is_empty() {
            return Ok(());
        }
        self.mention_text = text.to_string();
        self.add(
            named,
            "mention",
            Some((task_id, task_key)),
            |_| message.clone(),
            data,
        )
        .await
    }
}

/// A person to notify who is not related to a task (project members, inviters).
fn person(user_id: Uuid) -> Concerned {
    Concerned {
        user_id,
        role: String::new(),
        project_allows: true,
        relation: String::new(),
    }
}

/// Writes the notifications `event` causes, in its transaction.
pub(crate) async fn for_event(
    uow: &UnitOfWork,
    actor: &Actor,
    event_id: Uuid,
    event: &Event,
    at: DateTime<Utc>,
) -> AppResult<()> {
    let tx = uow.tx();
    let tenant = actor.tenant();
    let who = actor.name().to_string();
    let mut f = Fanout {
        tx,
        tenant,
        actor,
        event_id,
        roles: None,
        seen: HashSet::new(),
        out: Vec::new(),
        mention_text: String::new(),
    };
    match event {
        Event::TaskCreated {
            task_id, task_key, ..
        } => {
            let Some(task) = tasks::record(tx, tenant, *task_id).await? else {
                return Ok(());
            };
            let names = mentions(&task.description);
            let message = format!("{who} mentioned you in {task_key}.");
            f.mention(
                *task_id,
                task_key,
                &names,
                &task.description,
                message,
                json!({}),
            )
            .await?;
        }
        Event::TaskUpdated {
            task_id,
            task_key,
            old,
            new,
        } => {
            if let Some(text) = new.get("description").and_then(|d| d.as_str()) {
                let before = old
                    .get("description")
                    .and_then(|d| d.as_str())
                    .map(mentions)
                    .unwrap_or_default();
                let fresh: Vec<String> = mentions(text)
                    .into_iter()
                    .filter(|m| !before.contains(m))
                    .collect();
                let message = format!("{who} mentioned you in {task_key}.");
                f.mention(*task_id, task_key, &fresh, text, message, json!({}))
                    .await?;
            }
        }
        Event::TaskAssigned {
            task_id,
            task_key,
            previous,
            assignee,
            ..
        } => {
            if let Some(a) = assignee {
                f.add(
                    vec![person(*a)],
                    "assigned",
                    Some((*task_id, task_key)),
                    |_| format!("{who} assigned {task_key} to you."),
                    json!({}),
                )
                .await?;
            }
            if let Some(p) = previous.filter(|p| Some(*p) != *assignee) {
                f.add(
                    vec![person(p)],
                    "unassigned",
                    Some((*task_id, task_key)),
                    |_| format!("{who} unassigned you from {task_key}."),
                    json!({}),
                )
                .await?;
            }
        }
        Event::TaskTransitioned {
            task_id,
            task_key,
            from_state,
            to_state,
            ..
        } => {
            let people = notifications::concerned(tx, tenant, *task_id, false).await?;
            f.add(
                people,
                "transitioned",
                Some((*task_id, task_key)),
                |_| format!("{who} moved {task_key} from {from_state} to {to_state}."),
                json!({"from_state": from_state, "to_state": to_state}),
            )
            .await?;
        }
        Event::CommentAdded {
            task_id,
            task_key,
            comment_id,
            content,
        } => {
            let data = json!({"comment": comment_id});
            let message = format!("{who} mentioned you on {task_key}.");
            f.mention(
                *task_id,
                task_key,
                &mentions(content),
                content,
                message,
                data.clone(),
            )
            .await?;
            let people = notifications::concerned(tx, tenant, *task_id, false).await?;
            f.add(
                people,
                "comment",
                Some((*task_id, task_key)),
                |_| format!("{who} commented on {task_key}."),
                data,
            )
            .await?;
        }
        Event::SlaBreached {
            task_id,
            task_key,
            due_date,
            ..
        } => {
            let people: Vec<Concerned> = notifications::concerned(tx, tenant, *task_id, true)
                .await?
                .into_iter()
                .filter(|p| matches!(p.relation.as_str(), "assignee" | "team_lead"))
                .collect();
            f.add(
                people,
                "sla_breached",
                Some((*task_id, task_key)),
                |p| {
                    if p.relation == "team_lead" {
                        format!("{task_key}, a task of your team, is past its due date.")
                    } else {
                        format!("{task_key}, assigned to you, is past its due date.")
                    }
                },
                json!({"due_date": due_date}),
            )
            .await?;
        }
        Event::CollaboratorChanged {
            task_id,
            task_key,
            user_id,
            added: true,
            ..
        } => {
            f.add(
                vec![person(*user_id)],
                "collaborator_added",
                Some((*task_id, task_key)),
                |_| format!("{who} added you as a collaborator on {task_key}."),
                json!({}),
            )
            .await?;
        }
        Event::ProjectMemberChanged {
            project_id,
            user_id,
            role: Some(role),
            change: Change::Created,
        } => {
            let name = projects::get(tx, tenant, *user_id, *project_id)
                .await?
                .map(|p| p.name)
                .unwrap_or_default();
            f.add(
                vec![person(*user_id)],
                "project_member_added",
                None,
                |_| format!("{who} added you to the project {name} as {role}."),
                json!({"project": project_id, "role": role}),
            )
            .await?;
        }
        Event::MemberJoined {
            user_id,
            username,
            role,
            invitation_id,
        } => {
            if let Some(inviter) = invitations::get(tx, tenant, *invitation_id)
                .await?
                .and_then(|i| i.invited_by)
            {
                f.add(
                    vec![person(inviter)],
                    "invitation_accepted",
                    None,
                    |_| format!("{username} accepted your invitation and joined as {role}."),
                    json!({"user": user_id, "invitation": invitation_id}),
                )
                .await?;
            }
        }
        _ => {}
    }
    if f.out.is_empty() {
        return Ok(());
    }
    // Those who turned a kind off in-app do not get it.
    let users: Vec<Uuid> = f.out.iter().map(|n| n.user_id).collect();
    let choices = notifications::preferences(tx, tenant, &users).await?;
    email_mentions(uow, actor, &f, &choices).await?;
    let wanted = f
        .out
        .into_iter()
        .filter(|n| channel_of(&choices, n.user_id, n.kind).in_app)
        .collect();
    notifications::insert(tx, tenant, at, wanted).await?;
    Ok(())
}

/// Queues the emails of the people mentioned who want them (whether or not they see
/// mentions in the app), one per person and event.
async fn email_mentions(
    uow: &UnitOfWork,
    actor: &Actor,
    f: &Fanout<'_>,
    choices: &[notifications::PreferenceRow],
) -> AppResult<()> {
    let mentioned: Vec<&NewNotification> = f
        .out
        .iter()
        .filter(|n| n.kind == "mention" && channel_of(choices, n.user_id, n.kind).email)
        .collect();
    let Some(task_id) = mentioned.first().and_then(|n| n.task_id) else {
        return Ok(());
    };
    let tx = uow.tx();
    let Some(task) = tasks::record(tx, f.tenant, task_id).await? else {
        return Ok(());
    };
    for n in mentioned {
        let Some(user) = users::get(tx, f.tenant, n.user_id).await? else {
            continue;
        };
        if user.email.is_empty() {
            continue;
        }
        let job = mail::task_email(
            uow.app(),
            &mail::TaskNotice {
                notice: mail::Notice::Mentioned,
                to_email: &user.email,
                to_name: &user.username,
                actor: actor.name(),
                task_key: &task.task_key,
                title: &task.title,
                comment: &f.mention_text,
                event_id: f.event_id,
                organization_id: f.tenant.id(),
            },
        );
        uow.enqueue(job).await?;
    }
    Ok(())
}

/// The caller's notifications in their organization, newest first.
pub async fn list(
    state: &App,
    member: &Member,
    unread_only: bool,
    page: Page,
) -> AppResult<(Vec<NotificationRow>, u64)> {
    Ok(notifications::list(
        state.db.conn(),
        member.tenant,
        member.user_id,
        unread_only,
        page,
    )
    .await?)
}

/// How many of the caller's notifications are unread.
pub async fn unread(state: &App, member: &Member) -> AppResult<u64> {
    Ok(notifications::unread_count(state.db.conn(), member.tenant, member.user_id).await?)
}

/// Marks one of the caller's notifications read (another person's: 404).
pub async fn mark_read(state: &App, member: &Member, id: Uuid) -> AppResult<NotificationRow> {
    let tx = state.db.begin_write().await?;
    let row = notifications::mark_read(&tx, member.tenant, member.user_id, id, state.clock.now())
        .await?
        .ok_or(AppError::NotFound)?;
    switchyard_store::commit(tx).await?;
    Ok(row)
}

/// Marks all of the caller's notifications read; returns how many were unread.
pub async fn mark_all_read(state: &App, member: &Member) -> AppResult<u64> {
    let tx = state.db.begin_write().await?;
    let n =
        notifications::mark_all_read(&tx, member.tenant, member.user_id, state.clock.now()).await?;
    switchyard_store::commit(tx).await?;
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::mentions;

    #[test]
    fn mentions_are_names_after_an_at_sign_each_once() {
        assert_eq!(
            mentions("@alice and @bob.smith, see @alice. mail me@example.com (@carol)"),
            ["alice", "bob.smith", "carol"]
        );
        assert!(mentions("no one @ all").is_empty());
    }
}
