//! A task's collaborators: people who follow and help with it (they may edit it like its
//! assignee, and hear about it).

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, FromQueryResult};
use uuid::Uuid;

use crate::{Result, Tenant, now, sql};

/// A collaborator as a task's detail shows them.
#[derive(Debug, Clone, FromQueryResult)]
pub struct Collaborator {
    pub user_id: Uuid,
    pub username: String,
    pub created_at: DateTime<Utc>,
}

/// A task's collaborators, by username.
pub async fn collaborators<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    task: Uuid,
) -> Result<Vec<Collaborator>> {
    sql::all(
        c,
        "SELECT tc.user_id, u.username, tc.created_at FROM task_collaborators tc \
         JOIN users u ON u.id = tc.user_id \
         WHERE tc.organization_id = $1 AND tc.task_id = $2 ORDER BY u.username, tc.user_id",
        vec![tenant.id().into(), task.into()],
    )
    .await
}

/// Of `tasks`, those `user` collaborates on (one query for a list page).
pub async fn collaborating<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    user: Uuid,
    tasks: &[Uuid],
) -> Result<HashSet<Uuid>> {
    if tasks.is_empty() {
        return Ok(HashSet::new());
    }
    #[derive(FromQueryResult)]
    struct T {
        task_id: Uuid,
    }
    let mut p = sql::Params::default();
    let org = p.push(tenant.id());
    let me = p.push(user);
    let list = p.list(tasks);
    let rows: Vec<T> = sql::all(
        c,
        &format!(
            "SELECT task_id FROM task_collaborators WHERE organization_id = {org} \
             AND user_id = {me} AND task_id IN {list}"
        ),
        p.values,
    )
    .await?;
    Ok(rows.into_iter().map(|r| r.task_id).collect())
}

/// Adds a collaborator; `false` when they already are one.
pub async fn add_collaborator<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    task: Uuid,
    user: Uuid,
    added_by: Uuid,
) -> Result<bool> {
    Ok(sql::exec(
        c,
        "INSERT INTO task_collaborators (organization_id, task_id, user_id, added_by, created_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (organization_id, task_id, user_id) DO NOTHING",
        vec![
            tenant.id().into(),
            task.into(),
            user.into(),
            added_by.into(),
            now().into(),
        ],
    )
    .await?
        > 0)
}

/// Removes a collaborator; `false` when they were not one.
pub async fn remove_collaborator<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    task: Uuid,
    user: Uuid,
) -> Result<bool> {
    Ok(sql::exec(
        c,
        "DELETE FROM task_collaborators WHERE organization_id = $1 AND task_id = $2 AND user_id = $3",
        vec![tenant.id().into(), task.into(), user.into()],
    )
    .await?
        > 0)
}

/// A task `user` collaborates on, by key.
#[derive(Debug, Clone, FromQueryResult)]
pub struct Collaboration {
    pub task_id: Uuid,
    pub task_key: String,
}

/// Ends every collaboration of `user` on the tasks of `project`; returns the tasks.
pub async fn end_collaborations_in_project<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    project: Uuid,
    user: Uuid,
) -> Result<Vec<Collaboration>> {
    let ended: Vec<Collaboration> = sql::all(
        c,
        "SELECT tc.task_id, t.task_key FROM task_collaborators tc \
         JOIN tasks t ON t.organization_id = tc.organization_id AND t.id = tc.task_id \
         WHERE tc.organization_id = $1 AND t.project_id = $2 AND tc.user_id = $3 ORDER BY t.task_key",
        vec![tenant.id().into(), project.into(), user.into()],
    )
    .await?;
    for t in &ended {
        remove_collaborator(c, tenant, t.task_id, user).await?;
    }
    Ok(ended)
}
