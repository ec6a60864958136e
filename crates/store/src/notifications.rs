//! In-app notifications: one row per person and event that concerns them, and the people
//! an event about a task concerns.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, FromQueryResult};
use serde_json::Value as Json;
use uuid::Uuid;

use crate::{Page, Result, Tenant, sql, sql::Params};

/// A stored notification.
#[derive(Debug, Clone, FromQueryResult)]
pub struct NotificationRow {
    pub id: Uuid,
    pub user_id: Uuid,
    pub kind: String,
    pub task_id: Option<Uuid>,
    pub task_key: String,
    pub actor_id: Option<Uuid>,
    pub actor_name: String,
    pub message: String,
    pub data: Json,
    pub read_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

/// A notification to write.
#[derive(Debug, Clone)]
pub struct NewNotification {
    pub user_id: Uuid,
    pub kind: &'static str,
    pub task_id: Option<Uuid>,
    pub task_key: String,
    pub actor_id: Option<Uuid>,
    pub actor_name: String,
    pub message: String,
    pub data: Json,
    pub event_id: Uuid,
}

const SELECT: &str = "SELECT id, user_id, kind, task_id, task_key, actor_id, actor_name, message, \
     data, read_at, created_at FROM notifications";

/// Writes notifications (in the transaction of the change they tell about).
pub async fn insert<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    at: DateTime<Utc>,
    rows: Vec<NewNotification>,
) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let values = rows
        .into_iter()
        .map(|n| {
            vec![
                tenant.id().into(),
                Uuid::now_v7().into(),
                n.user_id.into(),
                n.kind.into(),
                n.task_id.into(),
                n.task_key.into(),
                n.actor_id.into(),
                n.actor_name.into(),
                n.message.into(),
                n.data.into(),
                n.event_id.into(),
                at.into(),
            ]
        })
        .collect();
    sql::insert_rows(
        c,
        "INSERT INTO notifications (organization_id, id, user_id, kind, task_id, task_key, \
         actor_id, actor_name, message, data, event_id, created_at)",
        "",
        12,
        values,
    )
    .await
}

/// A person's notifications in the organization, newest first, and how many there are.
pub async fn list<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    user: Uuid,
    unread_only: bool,
    page: Page,
) -> Result<(Vec<NotificationRow>, u64)> {
    let mut p = Params::default();
    let mut wh = format!(
        "organization_id = {} AND user_id = {}",
        p.push(tenant.id()),
        p.push(user)
    );
    if unread_only {
        wh.push_str(" AND read_at IS NULL");
    }
    let total = sql::count(
        c,
        &format!("SELECT COUNT(*) FROM notifications WHERE {wh}"),
        p.values.clone(),
    )
    .await?;
    let limit = p.push(page.size as i64);
    let offset = p.push(page.offset() as i64);
    let rows = sql::all(
        c,
        &format!(
            "{SELECT} WHERE {wh} ORDER BY created_at DESC, id DESC LIMIT {limit} OFFSET {offset}"
        ),
        p.values,
    )
    .await?;
    Ok((rows, total))
}

/// How many of a person's notifications are unread.
pub async fn unread_count<C: ConnectionTrait>(c: &C, tenant: Tenant, user: Uuid) -> Result<u64> {
    sql::count(
        c,
        "SELECT COUNT(*) FROM notifications WHERE organization_id = $1 AND user_id = $2 \
         AND read_at IS NULL",
        vec![tenant.id().into(), user.into()],
    )
    .await
}

/// Marks one of a person's notifications read (kept as it was when it already is); `None`
/// when it is not theirs.
pub async fn mark_read<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    user: Uuid,
    id: Uuid,
    at: DateTime<Utc>,
) -> Result<Option<NotificationRow>> {
    sql::exec(
        c,
        "UPDATE notifications SET read_at = $4 WHERE organization_id = $1 AND user_id = $2 \
         AND id = $3 AND read_at IS NULL",
        vec![tenant.id().into(), user.into(), id.into(), at.into()],
    )
    .await?;
    sql::one(
        c,
        &format!("{SELECT} WHERE organization_id = $1 AND user_id = $2 AND id = $3"),
        vec![tenant.id().into(), user.into(), id.into()],
    )
    .await
}

/// Marks all of a person's notifications read; returns how many were unread.
pub async fn mark_all_read<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    user: Uuid,
    at: DateTime<Utc>,
) -> Result<u64> {
    sql::exec(
        c,
        "UPDATE notifications SET read_at = $3 WHERE organization_id = $1 AND user_id = $2 \
         AND read_at IS NULL",
        vec![tenant.id().into(), user.into(), at.into()],
    )
    .await
}

/// A person an event may concern: an active member, their role, and whether the task's
/// project lets them see it whatever their role (no project, open to the organization, or
/// they are its member).
#[derive(Debug, Clone, FromQueryResult)]
pub struct Concerned {
    pub user_id: Uuid,
    pub role: String,
    pub project_allows: bool,
    /// Why: `assignee`, `creator`, `collaborator`, `team_lead`, `mentioned`.
    pub relation: String,
}

/// The active members among `people` (a `(user_id, relation)` query) with their role and
/// whether task `task`'s project lets them see it; `org` and `task` are placeholders.
fn concerned_sql(people: &str, org: &str, task: &str) -> String {
    format!(
        "WITH people (user_id, relation) AS ({people}) \
         SELECT p.user_id, m.role, p.relation, \
           (t.project_id IS NULL OR pr.visibility = 'organization' OR pm.user_id IS NOT NULL) AS project_allows \
         FROM people p \
         JOIN memberships m ON m.organization_id = {org} AND m.user_id = p.user_id AND m.deactivated_at IS NULL \
         JOIN tasks t ON t.organization_id = {org} AND t.id = {task} \
         LEFT JOIN projects pr ON pr.organization_id = {org} AND pr.id = t.project_id \
         LEFT JOIN project_members pm ON pm.organization_id = {org} AND pm.project_id = t.project_id \
           AND pm.user_id = p.user_id \
         WHERE p.user_id IS NOT NULL"
    )
}

/// The active members among a task's assignee, creator and collaborators (and its team's
/// lead, with `with_team_lead`), with how each is related to it.
pub async fn concerned<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    task: Uuid,
    with_team_lead: bool,
) -> Result<Vec<Concerned>> {
    let lead = if with_team_lead {
        " UNION ALL SELECT tm.lead_id, 'team_lead' FROM tasks t JOIN teams tm \
          ON tm.organization_id = t.organization_id AND tm.id = t.team_id \
          WHERE t.organization_id = $1 AND t.id = $2"
    } else {
        ""
    };
    let people = format!(
        "SELECT assigned_to, 'assignee' FROM tasks WHERE organization_id = $1 AND id = $2 \
         UNION ALL SELECT created_by, 'creator' FROM tasks WHERE organization_id = $1 AND id = $2 \
         UNION ALL SELECT user_id, 'collaborator' FROM task_collaborators \
           WHERE organization_id = $1 AND task_id = $2{lead}"
    );
    sql::all(
        c,
        &concerned_sql(&people, "$1", "$2"),
        vec![tenant.id().into(), task.into()],
    )
    .await
}

/// Active members named by `usernames` (mentions), as [`Concerned`] for `task`.
pub async fn mentioned<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    task: Uuid,
    usernames: &[String],
) -> Result<Vec<Concerned>> {
    if usernames.is_empty() {
        return Ok(Vec::new());
    }
    let mut p = Params::default();
    let org = p.push(tenant.id());
    let task = p.push(task);
    let names = p.list(usernames);
    let people = format!("SELECT id, 'mentioned' FROM users WHERE username IN {names}");
    sql::all(c, &concerned_sql(&people, &org, &task), p.values).await
}

/// A person's choice for one kind of notification.
#[derive(Debug, Clone, FromQueryResult)]
pub struct PreferenceRow {
    pub user_id: Uuid,
    pub kind: String,
    pub in_app: bool,
    pub email: bool,
}

/// The choices `users` made (for any kind); people without rows keep the defaults.
pub async fn preferences<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    users: &[Uuid],
) -> Result<Vec<PreferenceRow>> {
    if users.is_empty() {
        return Ok(Vec::new());
    }
    let mut p = Params::default();
    let org = p.push(tenant.id());
    let list = p.list(users);
    sql::all(
        c,
        &format!(
            "SELECT user_id, kind, in_app, email FROM notification_preferences \
             WHERE organization_id = {org} AND user_id IN {list}"
        ),
        p.values,
    )
    .await
}

/// Replaces a person's choices for the kinds given.
pub async fn set_preferences<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    user: Uuid,
    choices: &[(String, bool, bool)],
) -> Result<()> {
    for (kind, in_app, email) in choices {
        sql::exec(
            c,
            "DELETE FROM notification_preferences WHERE organization_id = $1 AND user_id = $2 \
             AND kind = $3",
            vec![tenant.id().into(), user.into(), kind.clone().into()],
        )
        .await?;
        sql::exec(
            c,
            "INSERT INTO notification_preferences (organization_id, user_id, kind, in_app, email) \
             VALUES ($1, $2, $3, $4, $5)",
            vec![
                tenant.id().into(),
                user.into(),
                kind.clone().into(),
                (*in_app).into(),
                (*email).into(),
            ],
        )
        .await?;
    }
    Ok(())
}
