//! Collaborators on a task: people who follow and help with it. They may edit it like its
//! assignee (within the organization's and the project's layers); they are the people the
//! task's notifications will reach besides its assignee and creator.

use switchyard_store::{locks, tasks, tasks::Collaborator, users};
use uuid::Uuid;

use crate::{
    App, AppError, AppResult, Event, Member, UnitOfWork,
    projects::task_right,
    tasks::{collaborates, may_edit, require_can_work_in},
};

/// Adds `user` (a member of the organization, not deactivated; for a project's task, one
/// who may work on it) as a collaborator on `task` — whoever may edit the task. Returns the
/// task's collaborators.
pub async fn add(
    state: &App,
    member: &Member,
    task: Uuid,
    user: Uuid,
) -> AppResult<Vec<Collaborator>> {
    member.require_writer()?;
    let mut uow = UnitOfWork::begin(state).await?;
    let tenant = member.tenant;
    let record = tasks::record_for_update(uow.tx(), tenant, task)
        .await?
        .ok_or(AppError::NotFound)?;
    let right = task_right(uow.tx(), member, record.project_id)
        .await?
        .require_visible()?;
    let collaborator = collaborates(uow.tx(), member, task).await?;
    if !may_edit(
        member,
        right,
        record.created_by,
        record.assigned_to,
        collaborator,
    ) {
        return Err(AppError::Forbidden(format!(
            "Only those who may edit {} can add collaborators to it.",
            record.task_key
        )));
    }
    crate::users::require_members(uow.tx(), tenant, "user", &[user]).await?;
    // The person's row, so they cannot leave the organization meanwhile.
    uow.lock(tenant, locks::Row::User, user).await?;
    let target = users::get(uow.tx(), tenant, user)
        .await?
        .ok_or_else(|| AppError::field("user", "User is not a member of this organization."))?;
    if target.deactivated_at.is_some() {
        return Err(AppError::field(
            "user",
            format!("{} is deactivated.", target.username),
        ));
    }
    if let Some(project) = record.project_id {
        require_can_work_in(uow.tx(), member, &target, project, "user").await?;
    }
    if !tasks::add_collaborator(uow.tx(), tenant, task, user, member.user_id).await? {
        return Err(AppError::field(
            "user",
            format!(
                "{} already collaborates on {}.",
                target.username, record.task_key
            ),
        ));
    }
    uow.record(
        member,
        Event::CollaboratorChanged {
            task_id: task,
            task_key: record.task_key,
            user_id: user,
            username: target.username,
            added: true,
        },
    )
    .await?;
    let out = tasks::collaborators(uow.tx(), tenant, task).await?;
    uow.commit().await?;
    Ok(out)
}

/// Removes a collaborator: the person themself (whatever their role), or whoever may edit
/// the task. 404 when they are not one.
pub async fn remove(state: &App, member: &Member, task: Uuid, user: Uuid) -> AppResult<()> {
    if user != member.user_id {
        member.require_writer()?;
    }
    let mut uow = UnitOfWork::begin(state).await?;
    let tenant = member.tenant;
    let record = tasks::record_for_update(uow.tx(), tenant, task)
        .await?
        .ok_or(AppError::NotFound)?;
    let right = task_right(uow.tx(), member, record.project_id)
        .await?
        .require_visible()?;
    if user != member.user_id {
        let collaborator = collaborates(uow.tx(), member, task).await?;
        if !may_edit(
            member,
            right,
            record.created_by,
            record.assigned_to,
            collaborator,
        ) {
            return Err(AppError::Forbidden(format!(
                "Only those who may edit {} can remove its collaborators.",
                record.task_key
            )));
        }
    }
    let username = tasks::collaborators(uow.tx(), tenant, task)
        .await?
        .into_iter()
        .find(|c| c.user_id == user)
        .map(|c| c.username)
        .ok_or(AppError::NotFound)?;
    tasks::remove_collaborator(uow.tx(), tenant, task, user).await?;
    uow.record(
        member,
        Event::CollaboratorChanged {
            task_id: task,
            task_key: record.task_key,
            user_id: user,
            username,
            added: false,
        },
    )
    .await?;
    uow.commit().await?;
    Ok(())
}
