//! Tasks: creation, listing, editing, deletion, transitions and assignment. Every change
//! writes its audit entry in the same transaction.

use chrono::{DateTime, Utc};
use serde_json::{Map, Value as Json, json};
use switchyard_domain::{
    AccessLevel, validate,
    workflow::{Rule, TransitionOutcome, Workflow, py_list},
};
use switchyard_store::{
    ConnectionTrait, Page, Tenant, comments, organizations, tasks,
    tasks::{Collaborator, LinkedTask, Ordering, Relation, TaskFilter, TaskRecord, TaskRow},
    teams, users,
    users::UserRow,
    workflows,
};
use uuid::Uuid;

use crate::ErrorCode;
use crate::{
    App, AppError, AppResult, Event, Member, UnitOfWork,
    comments::Comment,
    mail,
    permissions::TaskCan,
    projects::{Reach, TaskRight, task_right},
    task_structure,
};

/// Longest title and description accepted.
pub const MAX_TITLE: usize = 500;
pub const MAX_DESCRIPTION: usize = 50_000;

/// A task with everything its detail view shows.
#[derive(Debug, Clone)]
pub struct TaskDetail {
    pub task: TaskRow,
    pub assignee: Option<UserRow>,
    pub creator: Option<UserRow>,
    pub comments: Vec<Comment>,
    /// Its parent, sub-tasks, blockers and the tasks it blocks.
    pub links: Links,
    /// People who follow and help with it.
    pub collaborators: Vec<Collaborator>,
    /// What the member who asked may do to it.
    pub can: TaskCan,
}

/// The tasks a task's detail links to, each list by key.
#[derive(Debug, Clone, Default)]
pub struct Links {
    pub parent: Option<LinkedTask>,
    pub subtasks: Vec<LinkedTask>,
    pub blocked_by: Vec<LinkedTask>,
    pub blocking: Vec<LinkedTask>,
}

impl Links {
    /// Groups the linked tasks, leaving out those of projects hidden from the reader.
    fn gather(rows: Vec<(Relation, LinkedTask)>, reach: &Reach) -> Links {
        let mut out = Links::default();
        for (rel, t) in rows {
            if reach.right(t.project_id) == TaskRight::Hidden {
                continue;
            }
            match rel {
                Relation::Parent => out.parent = Some(t),
                Relation::Subtask => out.subtasks.push(t),
                Relation::BlockedBy => out.blocked_by.push(t),
                Relation::Blocking => out.blocking.push(t),
            }
        }
        out
    }
}

/// A task in a list, with what the member who asked may do to it.
#[derive(Debug, Clone)]
pub struct ListedTask {
    pub task: TaskRow,
    pub can: TaskCan,
}

/// Loads a task's detail view as `member` sees it.
pub async fn detail<C: ConnectionTrait>(c: &C, member: &Member, id: Uuid) -> AppResult<TaskDetail> {
    let tenant = member.tenant;
    let task = tasks::get(c, tenant, id).await?.ok_or(AppError::NotFound)?;
    let reach = Reach::load(c, member).await?;
    let right = reach.right(task.project_id).require_visible()?;
    let ids: Vec<Uuid> = task
        .assigned_to
        .iter()
        .chain(task.created_by.iter())
        .copied()
        .collect();
    let people = users::get_many(c, tenant, &ids).await?;
    let find = |id: Option<Uuid>| id.and_then(|id| people.iter().find(|u| u.id == id).cloned());
    let comments = comments::for_task(c, tenant, id)
        .await?
        .into_iter()
        .map(|row| Comment::new(member, row))
        .collect();
    let links = Links::gather(tasks::related(c, tenant, id, task.parent_id).await?, &reach);
    let collaborators = tasks::collaborators(c, tenant, id).await?;
    Ok(TaskDetail {
        assignee: find(task.assigned_to),
        creator: find(task.created_by),
        comments,
        links,
        can: TaskCan::of(
            member,
            &task,
            right,
            collaborators.iter().any(|p| p.user_id == member.user_id),
        ),
        collaborators,
        task,
    })
}

/// The domain's view of a stored workflow and its rules.
pub async fn load_workflow<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    id: Uuid,
) -> AppResult<(Workflow, Vec<Rule>)> {
    let wf = workflows::get(c, tenant, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let rules = workflows::rules(c, tenant, id).await?;
    Ok((
        as_domain(wf),
        rules
            .into_iter()
            .map(|r| Rule {
                from_state: r.from_state,
                to_state: r.to_state,
                allowed_roles: r.allowed_roles.0,
            })
            .collect(),
    ))
}

/// The domain's view of a stored workflow (without its rules).
pub fn as_domain(wf: workflows::WorkflowRow) -> Workflow {
    Workflow {
        name: wf.name,
        states: wf.allowed_states.0,
        initial_state: wf.initial_state,
        final_states: wf.final_states.0,
        cancel_state: wf.cancel_state,
        complete_parent_requires_subtasks_done: wf.complete_parent_requires_subtasks_done,
    }
}

/// One page of tasks.
pub async fn list(
    state: &App,
    member: &Member,
    mut filter: TaskFilter,
    mut ordering: Ordering,
    page: Page,
) -> AppResult<(Vec<ListedTask>, u64)> {
    let c = state.db.conn();
    let reach = Reach::load(c, member).await?;
    filter.scope = reach.scope();
    if ordering
        .keys
        .iter()
        .any(|(k, _)| *k == tasks::SortKey::Priority)
    {
        let org = organizations::get(state.db.conn(), member.tenant)
            .await?
            .ok_or(AppError::NotFound)?;
        ordering.priorities = org.allowed_priorities.0;
    }
    let (rows, count) = tasks::list(c, member.tenant, &filter, &ordering, page).await?;
    let mine = if member.level.is_manager_or_above() {
        Default::default()
    } else {
        let ids: Vec<Uuid> = rows.iter().map(|t| t.id).collect();
        tasks::collaborating(c, member.tenant, member.user_id, &ids).await?
    };
    let listed = rows
        .into_iter()
        .map(|task| ListedTask {
            can: TaskCan::of(
                member,
                &task,
                reach.right(task.project_id),
                mine.contains(&task.id),
            ),
            task,
        })
        .collect();
    Ok((listed, count))
}

/// Task `id`'s record if `member` may see it (404 otherwise: another organization's task,
/// or one in a project hidden from them), without loading its detail.
pub(crate) async fn visible_record<C: ConnectionTrait>(
    c: &C,
    member: &Member,
    id: Uuid,
) -> AppResult<TaskRecord> {
    let task = tasks::record(c, member.tenant, id)
        .await?
        .ok_or(AppError::NotFound)?;
    task_right(c, member, task.project_id)
        .await?
        .require_visible()?;
    Ok(task)
}

/// Checks that `member` may see task `id` (404 otherwise) without loading its detail.
pub async fn require_visible(state: &App, member: &Member, id: Uuid) -> AppResult<()> {
    visible_record(state.db.conn(), member, id)
        .await
        .map(|_| ())
}

/// One task.
pub async fn get(state: &App, member: &Member, id: Uuid) -> AppResult<TaskDetail> {
    detail(state.db.conn(), member, id).await
}

/// A new task as the client sent it.
#[derive(Debug, Default)]
pub struct NewTaskInput {
    pub title: Option<String>,
    pub description: Option<String>,
    pub workflow: Option<Uuid>,
    pub priority: Option<String>,
    pub task_type: Option<String>,
    pub tags: Option<Vec<String>>,
    pub team: Option<Uuid>,
    pub due_date: Option<DateTime<Utc>>,
    /// Makes the new task a sub-task of this one (in the parent's project).
    pub parent: Option<Uuid>,
    pub project: Option<Uuid>,
}

fn check_text(title: &str, description: &str) -> AppResult<()> {
    if title.trim().is_empty() {
        return Err(AppError::field("title", "This field may not be blank."));
    }
    if title.chars().count() > MAX_TITLE {
        return Err(AppError::field(
            "title",
            format!("Ensure this field has no more than {MAX_TITLE} characters."),
        ));
    }
    if description.chars().count() > MAX_DESCRIPTION {
        return Err(AppError::field(
            "description",
            format!("Ensure this field has no more than {MAX_DESCRIPTION} characters."),
        ));
    }
    Ok(())
}

fn check_priority(allowed: &[String], p: &str) -> AppResult<()> {
    if allowed.iter().any(|a| a == p) {
        Ok(())
    } else {
        Err(AppError::field(
            "priority",
            format!("Invalid priority '{p}'. Allowed: {}", py_list(allowed)),
        ))
    }
}

fn check_type(allowed: &[String], t: &str) -> AppResult<()> {
    if allowed.iter().any(|a| a == t) {
        Ok(())
    } else {
        Err(AppError::field(
            "task_type",
            format!("Invalid task type '{t}'. Allowed: {}", py_list(allowed)),
        ))
    }
}

async fn check_team<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    team: Option<Uuid>,
) -> AppResult<()> {
    if let Some(team) = team
        && teams::get(c, tenant, team).await?.is_none()
    {
        return Err(AppError::field(
            "team",
            "Team not found in this organization.",
        ));
    }
    Ok(())
}

/// Checks that `member` may put tasks into `project`: a project of the organization they
/// can see (400 naming the field otherwise, as for a team), not archived, where they are
/// an owner or editor (or an organization manager).
async fn check_project<C: ConnectionTrait>(
    c: &C,
    member: &Member,
    project: Option<Uuid>,
) -> AppResult<()> {
    let Some(id) = project else {
        return Ok(());
    };
    let not_found = || AppError::field("project", "Project not found in this organization.");
    let found = switchyard_store::projects::access_for_share(c, member.tenant, member.user_id, id)
        .await?
        .ok_or_else(not_found)?;
    match task_right(c, member, project).await? {
        TaskRight::Hidden => return Err(not_found()),
        TaskRight::Read => {
            return Err(AppError::Forbidden(format!(
                "Only the owners and editors of project {} can put tasks in it.",
                found.project_key
            )));
        }
        _ => {}
    }
    if found.status == "archived" {
        return Err(AppError::field(
            "project",
            format!(
                "Project {} is archived; reopen it to add tasks.",
                found.project_key
            ),
        ));
    }
    Ok(())
}

/// The key prefix: the slug's first four characters, upper-cased.
pub fn key_prefix(slug: &str) -> String {
    slug.chars().take(4).collect::<String>().to_uppercase()
}

/// Creates a task in its workflow's initial state (every level but read-only).
pub async fn create(state: &App, member: &Member, input: NewTaskInput) -> AppResult<TaskDetail> {
    member.require_writer()?;
    let title = input.title.unwrap_or_default();
    let description = input.description.unwrap_or_default();
    check_text(&title, &description)?;
    let tags = input.tags.unwrap_or_default();
    validate::bounded_list("tags", &tags).map_err(|e| AppError::field("tags", e.0))?;
    let mut uow = UnitOfWork::begin(state).await?;
    let tx = uow.tx();
    let org = organizations::get(tx, member.tenant)
        .await?
        .ok_or(AppError::NotFound)?;
    let priorities = &org.allowed_priorities.0;
    let types = &org.allowed_task_types.0;
    let priority = input.priority.unwrap_or_else(|| {
        priorities
            .get(priorities.len() / 2)
            .cloned()
            .unwrap_or_default()
    });
    check_priority(priorities, &priority)?;
    let task_type = input.task_type.unwrap_or_else(|| {
        types
            .iter()
            .find(|t| *t == "task")
            .or(types.first())
            .cloned()
            .unwrap_or_default()
    });
    check_type(types, &task_type)?;
    let wf = match input.workflow {
        Some(id) => workflows::get(tx, member.tenant, id)
            .await?
            .ok_or_else(|| {
                AppError::field("workflow", "Workflow not found in this organization.")
            })?,
        None => workflows::default_workflow(tx, member.tenant)
            .await?
            .ok_or_else(|| {
                AppError::field(
                    "workflow",
                    "This organization has no default workflow; name one in `workflow`.",
                )
            })?,
    };
    check_team(tx, member.tenant, input.team).await?;
    let seq = tasks::next_sequence(tx, member.tenant).await?;
    // After the organization's counter, the lock order of every other path.
    let mut project = input.project;
    if let Some(parent) = input.parent {
        let parent = task_structure::check_parent(tx, member, None, parent).await?;
        match project {
            None => project = parent.project_id,
            Some(p) if Some(p) != parent.project_id => return Err(same_project_as(&parent)),
            Some(_) => {}
        }
    }
    check_project(tx, member, project).await?;
    let task_key = format!("{}-{seq:04}", key_prefix(&org.slug));
    let workflow_id = wf.id;
    let wf = as_domain(wf);
    let initial = wf.initial_state.clone();
    let resolved_at = wf.resolved_at(&initial, None, switchyard_store::now());
    let id = tasks::create(
        tx,
        member.tenant,
        tasks::NewTask {
            task_key: task_key.clone(),
            title: title.clone(),
            description,
            workflow_id,
            current_state: initial.clone(),
            priority: priority.clone(),
            task_type: task_type.clone(),
            tags,
            team_id: input.team,
            created_by: Some(member.user_id),
            due_date: input.due_date,
            resolved_at,
            project_id: project,
        },
    )
    .await?;
    if input.parent.is_some() {
        tasks::set_parent(tx, member.tenant, id, input.parent).await?;
    }
    uow.record(
        member,
        Event::TaskCreated {
            task_id: id,
            task_key,
            title,
            state: initial,
            priority,
            task_type,
        },
    )
    .await?;
    let out = detail(uow.tx(), member, id).await?;
    uow.commit().await?;
    Ok(out)
}

/// A patch; `Some(None)` clears a nullable field.
#[derive(Debug, Default)]
pub struct TaskPatch {
    pub title: Option<String>,
    pub description: Option<String>,
    pub priority: Option<String>,
    pub task_type: Option<String>,
    pub tags: Option<Vec<String>>,
    pub team: Option<Option<Uuid>>,
    pub due_date: Option<Option<DateTime<Utc>>>,
    pub workflow: Option<Uuid>,
    pub assigned_to: Option<Option<Uuid>>,
    /// `Some(None)` makes a sub-task a task of its own again.
    pub parent: Option<Option<Uuid>>,
    /// `Some(None)` takes the task out of its project (its sub-tasks move with it).
    pub project: Option<Option<Uuid>>,
}

/// The refusal of a sub-task outside its parent's project.
fn same_project_as(parent: &TaskRecord) -> AppError {
    AppError::field(
        "project",
        format!(
            "A sub-task belongs to its parent's project; {} is {}.",
            parent.task_key,
            if parent.project_id.is_some() {
                "in another project"
            } else {
                "in no project"
            }
        ),
    )
}

/// Whether `member`, with `right` over the task's project, may edit a task created by
/// `created_by` and assigned to `assigned_to` (`collaborates`: the member is one of its
/// collaborators). In no project: its creator, assignee or a collaborator (at a writing
/// level), or any manager or admin. In a project: its owners and editors (at a writing
/// level), never its viewers. The one definition behind the check and the `can.edit` flag.
pub fn may_edit(
    member: &Member,
    right: TaskRight,
    created_by: Option<Uuid>,
    assigned_to: Option<Uuid>,
    collaborates: bool,
) -> bool {
    match right {
        TaskRight::Hidden | TaskRight::Read => false,
        TaskRight::Edit => member.level.can_write(),
        TaskRight::Organization => {
            member.level.is_manager_or_above()
                || (member.level.can_write()
                    && (collaborates
                        || created_by == Some(member.user_id)
                        || assigned_to == Some(member.user_id)))
        }
    }
}

/// Whether `member` collaborates on `task` (no query for managers, who edit every task).
pub(crate) async fn collaborates<C: ConnectionTrait>(
    c: &C,
    member: &Member,
    task: Uuid,
) -> AppResult<bool> {
    if member.level.is_manager_or_above() {
        return Ok(false);
    }
    Ok(
        tasks::collaborating(c, member.tenant, member.user_id, &[task])
            .await?
            .contains(&task),
    )
}

/// Locks a task for a read–modify–write and reads its slim record, checking the client's
/// precondition.
async fn lock_task(
    uow: &UnitOfWork,
    tenant: Tenant,
    id: Uuid,
    if_match: Option<i64>,
) -> AppResult<TaskRecord> {
    AppError::current(
        tasks::record_for_update(uow.tx(), tenant, id).await?,
        if_match,
    )
}

/// Edits a task (creator, assignee or manager+), recording each changed field old → new.
/// `if_match` is the version the client last read (`None`: no precondition).
pub async fn update(
    state: &App,
    member: &Member,
    id: Uuid,
    patch: TaskPatch,
    if_match: Option<i64>,
) -> AppResult<TaskDetail> {
    let mut uow = UnitOfWork::begin(state).await?;
    let task = lock_task(&uow, member.tenant, id, None).await?;
    let right = task_right(uow.tx(), member, task.project_id)
        .await?
        .require_visible()?;
    let collaborator = collaborates(uow.tx(), member, id).await?;
    if !may_edit(
        member,
        right,
        task.created_by,
        task.assigned_to,
        collaborator,
    ) {
        return Err(AppError::Forbidden(if right == TaskRight::Read {
            "Only the project's owners and editors can change its tasks.".into()
        } else {
            "Only the task's creator, its assignee or a manager can edit it.".into()
        }));
    }
    AppError::check_version(if_match, task.version)?;
    if patch.workflow.is_some_and(|w| w != task.workflow_id) {
        return Err(AppError::field(
            "workflow",
            "A task's workflow cannot be changed.",
        ));
    }
    let org = organizations::get(uow.tx(), member.tenant)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut fields = tasks::TaskFields {
        title: patch.title.unwrap_or(task.title.clone()),
        description: patch.description.unwrap_or(task.description.clone()),
        priority: patch.priority.unwrap_or(task.priority.clone()),
        task_type: patch.task_type.unwrap_or(task.task_type.clone()),
        tags: patch.tags.unwrap_or(task.tags.0.clone()),
        team_id: patch.team.unwrap_or(task.team_id),
        due_date: patch.due_date.unwrap_or(task.due_date),
        project_id: patch.project.unwrap_or(task.project_id),
    };
    check_text(&fields.title, &fields.description)?;
    validate::bounded_list("tags", &fields.tags).map_err(|e| AppError::field("tags", e.0))?;
    if fields.priority != task.priority {
        check_priority(&org.allowed_priorities.0, &fields.priority)?;
    }
    if fields.task_type != task.task_type {
        check_type(&org.allowed_task_types.0, &fields.task_type)?;
    }
    if fields.team_id != task.team_id {
        check_team(uow.tx(), member.tenant, fields.team_id).await?;
    }
    let parent = patch.parent.unwrap_or(task.parent_id);
    if parent != task.parent_id
        && let Some(p) = parent
    {
        let parent = task_structure::check_parent(uow.tx(), member, Some(id), p).await?;
        match patch.project {
            // A task given a parent follows it into its project.
            None => fields.project_id = parent.project_id,
            Some(p) if p != parent.project_id => return Err(same_project_as(&parent)),
            Some(_) => {}
        }
    } else if parent.is_some() && fields.project_id != task.project_id {
        return Err(AppError::field(
            "project",
            "A sub-task stays in its parent's project; move the parent (its sub-tasks move with it).",
        ));
    }
    if fields.project_id != task.project_id {
        check_project(uow.tx(), member, fields.project_id).await?;
    }
    let mut old = Map::new();
    let mut new = Map::new();
    let mut diff = |name: &str, a: Json, b: Json| {
        if a != b {
            old.insert(name.to_string(), a);
            new.insert(name.to_string(), b);
        }
    };
    diff("title", json!(task.title), json!(fields.title));
    diff(
        "description",
        json!(task.description),
        json!(fields.description),
    );
    diff("priority", json!(task.priority), json!(fields.priority));
    diff("task_type", json!(task.task_type), json!(fields.task_type));
    diff("tags", json!(task.tags.0), json!(fields.tags));
    diff("team", json!(task.team_id), json!(fields.team_id));
    diff("due_date", json!(task.due_date), json!(fields.due_date));
    diff("parent", json!(task.parent_id), json!(parent));
    diff("project", json!(task.project_id), json!(fields.project_id));
    if !new.is_empty() {
        let project = fields.project_id;
        tasks::update_fields(uow.tx(), member.tenant, id, fields).await?;
        if parent != task.parent_id {
            tasks::set_parent(uow.tx(), member.tenant, id, parent).await?;
        }
        if project != task.project_id {
            let reassigned = patch.assigned_to.is_some_and(|a| a != task.assigned_to);
            follow_into_project(&mut uow, member, &task, project, reassigned).await?;
        }
        uow.record(
            member,
            Event::TaskUpdated {
                task_id: id,
                task_key: task.task_key.clone(),
                old,
                new,
            },
        )
        .await?;
    }
    if let Some(assignee) = patch.assigned_to
        && assignee != task.assigned_to
    {
        member.require_manager()?;
        // As it is now (its project may have changed above).
        let task = lock_task(&uow, member.tenant, id, None).await?;
        assign_in(&mut uow, member, &task, assignee, String::new()).await?;
    }
    let out = detail(uow.tx(), member, id).await?;
    uow.commit().await?;
    Ok(out)
}

/// Takes a task's sub-tasks into its new `project` with it (each move recorded), after
/// checking that whoever holds the moved tasks may work there (the task's own assignee
/// only when the patch keeps them).
async fn follow_into_project(
    uow: &mut UnitOfWork,
    member: &Member,
    task: &TaskRecord,
    project: Option<Uuid>,
    reassigned: bool,
) -> AppResult<()> {
    let subtasks = tasks::subtasks(uow.tx(), member.tenant, task.id).await?;
    if let Some(p) = project {
        let mut holders: Vec<Uuid> = subtasks.iter().filter_map(|s| s.assigned_to).collect();
        if !reassigned {
            holders.extend(task.assigned_to);
        }
        // Collaborators edit like the assignee: they too must be able to work there.
        for id in std::iter::once(task.id).chain(subtasks.iter().map(|s| s.id)) {
            holders.extend(
                tasks::collaborators(uow.tx(), member.tenant, id)
                    .await?
                    .into_iter()
                    .map(|c| c.user_id),
            );
        }
        holders.sort();
        holders.dedup();
        for user in holders {
            if let Some(target) = users::get(uow.tx(), member.tenant, user).await? {
                require_can_work_in(uow.tx(), member, &target, p, "project").await?;
            }
        }
    }
    if subtasks.is_empty() {
        return Ok(());
    }
    tasks::move_subtasks(uow.tx(), member.tenant, task.id, project).await?;
    for s in subtasks {
        let (mut old, mut new) = (Map::new(), Map::new());
        old.insert("project".into(), json!(s.project_id));
        new.insert("project".into(), json!(project));
        uow.record(
            member,
            Event::TaskUpdated {
                task_id: s.id,
                task_key: s.task_key,
                old,
                new,
            },
        )
        .await?;
    }
    Ok(())
}

/// Refuses (400 on `field`) a person who could not work on the tasks of `project`: neither
/// an owner or editor of it nor a manager of the organization.
pub(crate) async fn require_can_work_in<C: ConnectionTrait>(
    c: &C,
    member: &Member,
    target: &UserRow,
    project: Uuid,
    field: &str,
) -> AppResult<()> {
    let level = target.role.as_deref().and_then(|r| member.level_of(r));
    let right = crate::projects::user_right(c, member.tenant, target.id, level, project).await?;
    if right == TaskRight::Edit {
        return Ok(());
    }
    Err(AppError::field(
        field,
        format!(
            "{} is not an owner or editor of this task's project, so cannot hold or edit its tasks.",
            target.username
        ),
    ))
}

/// Deletes a task (admin), recording it.
pub async fn delete(
    state: &App,
    member: &Member,
    id: Uuid,
    if_match: Option<i64>,
) -> AppResult<()> {
    member.require_admin()?;
    let mut uow = UnitOfWork::begin(state).await?;
    // The graph first, then the row: the lock order of dependency changes.
    tasks::lock_graph(uow.tx(), member.tenant).await?;
    let task = lock_task(&uow, member.tenant, id, if_match).await?;
    uow.record(
        member,
        Event::TaskDeleted {
            task_id: id,
            task_key: task.task_key.clone(),
            title: task.title.clone(),
            state: task.current_state.clone(),
        },
    )
    .await?;
    task_structure::unlink_before_delete(&mut uow, member, id, &task.task_key).await?;
    let files = crate::attachments::Cleanup::for_task(&uow, member.tenant, id).await?;
    tasks::delete(uow.tx(), member.tenant, id).await?;
    uow.commit().await?;
    files.run_now(state).await;
    Ok(())
}

/// Where the caller may move a task from its current state.
pub async fn available(state: &App, member: &Member, id: Uuid) -> AppResult<(String, Vec<Rule>)> {
    let c = state.db.conn();
    let task = tasks::get(c, member.tenant, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let right = task_right(c, member, task.project_id)
        .await?
        .require_visible()?;
    if member.level == AccessLevel::ReadOnly || !right.writes() {
        return Ok((task.current_state, Vec::new()));
    }
    let (wf, rules) = load_workflow(c, member.tenant, task.workflow_id).await?;
    // Moves the API would refuse for an unassigned task are not offered.
    let out = wf
        .available(&rules, &member.role, &task.current_state)
        .into_iter()
        .filter(|r| task.assigned_to.is_some() || !wf.requires_assignee(&r.to_state))
        .cloned()
        .collect();
    Ok((task.current_state, out))
}

/// Moves a task to `to_state` after the contract's five checks; atomic against concurrent
/// moves without a row lock: the write is a compare-and-set on the state read (and on the
/// version, when the client sent `If-Match`), in the transaction of the event.
pub async fn transition(
    state: &App,
    member: &Member,
    id: Uuid,
    to_state: String,
    reason: String,
    if_match: Option<i64>,
) -> AppResult<TaskDetail> {
    member.require_writer()?;
    check_reason(&reason)?;
    let mut uow = UnitOfWork::begin(state).await?;
    let task = AppError::current(tasks::record(uow.tx(), member.tenant, id).await?, if_match)?;
    task_right(uow.tx(), member, task.project_id)
        .await?
        .require_write()?;
    let (wf, rules) = load_workflow(uow.tx(), member.tenant, task.workflow_id).await?;
    let outcome = wf.decide_transition(
        &rules,
        &member.role,
        &task.current_state,
        &to_state,
        task.assigned_to.is_some(),
        task.resolved_at,
        switchyard_store::now(),
    )?;
    match outcome {
        TransitionOutcome::Moved { resolved_at } => {
            if !tasks::transition(
                uow.tx(),
                member.tenant,
                id,
                &task.current_state,
                &to_state,
                resolved_at,
                if_match,
            )
            .await?
            {
                if let Some(now) = tasks::record(uow.tx(), member.tenant, id).await? {
                    AppError::check_version(if_match, now.version)?;
                }
                return Err(AppError::conflict(
                    ErrorCode::ConcurrentModification,
                    "The task changed state while this request was processed; reload it and retry.",
                ));
            }
        }
    }
    // Checks six and seven, under the row the compare-and-set now holds.
    task_structure::check_completion(uow.tx(), member, &wf, id, &to_state).await?;
    uow.record(
        member,
        Event::TaskTransitioned {
            task_id: id,
            task_key: task.task_key.clone(),
            from_state: task.current_state.clone(),
            to_state,
            reason,
        },
    )
    .await?;
    let out = detail(uow.tx(), member, id).await?;
    uow.commit().await?;
    Ok(out)
}

fn check_reason(reason: &str) -> AppResult<()> {
    if reason.chars().count() > 2000 {
        return Err(AppError::field(
            "reason",
            "Ensure this field has no more than 2000 characters.",
        ));
    }
    Ok(())
}

/// Assigns (or with `None` unassigns) a task (manager+).
pub async fn assign(
    state: &App,
    member: &Member,
    id: Uuid,
    user: Option<Uuid>,
    reason: String,
    if_match: Option<i64>,
) -> AppResult<TaskDetail> {
    member.require_manager()?;
    let mut uow = UnitOfWork::begin(state).await?;
    let task = lock_task(&uow, member.tenant, id, if_match).await?;
    assign_in(&mut uow, member, &task, user, reason).await?;
    let out = detail(uow.tx(), member, id).await?;
    uow.commit().await?;
    Ok(out)
}

/// Takes an unassigned task (worker level and above, where the organization allows it):
/// the same path as an assignment to oneself — capacity checked under the assignee's lock,
/// audited as `assigned` — and of two people claiming one task, one gets it.
pub async fn claim(
    state: &App,
    member: &Member,
    id: Uuid,
    if_match: Option<i64>,
) -> AppResult<TaskDetail> {
    member.require_writer()?;
    let org = switchyard_store::organizations::get(state.db.conn(), member.tenant)
        .await?
        .ok_or(AppError::NotFound)?;
    if !org.allow_claims {
        return Err(AppError::Forbidden(
            "This organization does not let people claim tasks; ask a manager to assign it.".into(),
        ));
    }
    let mut uow = UnitOfWork::begin(state).await?;
    let task = lock_task(&uow, member.tenant, id, if_match).await?;
    task_right(uow.tx(), member, task.project_id)
        .await?
        .require_write()?;
    if task.assigned_to.is_some() {
        let name = task.assigned_to_name.as_deref().unwrap_or("someone");
        return Err(AppError::conflict(
            ErrorCode::AlreadyAssigned,
            format!("{} is already assigned to {name}.", task.task_key),
        ));
    }
    assign_in(
        &mut uow,
        member,
        &task,
        Some(member.user_id),
        "Claimed".into(),
    )
    .await?;
    let out = detail(uow.tx(), member, id).await?;
    uow.commit().await?;
    Ok(out)
}

/// The assignment path every caller shares (assign, PATCH, AI auto-assign): same
/// organization, capacity checked under a lock on the assignee, recorded.
pub async fn assign_in(
    uow: &mut UnitOfWork,
    member: &Member,
    task: &TaskRecord,
    user: Option<Uuid>,
    reason: String,
) -> AppResult<Option<UserRow>> {
    check_reason(&reason)?;
    let c = uow.tx();
    let target = match user {
        None => None,
        Some(uid) => {
            if !tasks::lock_assignee(c, member.tenant, uid).await? {
                return Err(AppError::field(
                    "user_id",
                    "Cannot assign task to user from different organization.",
                ));
            }
            let target = users::get(c, member.tenant, uid).await?.ok_or_else(|| {
                AppError::field(
                    "user_id",
                    "Cannot assign task to user from different organization.",
                )
            })?;
            if target.deactivated_at.is_some() {
                return Err(AppError::field(
                    "user_id",
                    format!(
                        "{} is deactivated and cannot be assigned tasks.",
                        target.username
                    ),
                ));
            }
            if let Some(role) = target.role.as_deref()
                && member.level_of(role) == Some(AccessLevel::ReadOnly)
            {
                return Err(AppError::field(
                    "user_id",
                    format!(
                        "{} has the read-only role '{role}' and cannot be assigned tasks.",
                        target.username
                    ),
                ));
            }
            if task.assigned_to == Some(uid) {
                return Ok(Some(target));
            }
            if let Some(project) = task.project_id {
                require_can_work_in(c, member, &target, project, "user_id").await?;
            }
            if task.resolved_at.is_none() {
                let active = tasks::active_count(c, member.tenant, uid).await?;
                let max = target.max_concurrent_tasks.unwrap_or(5).max(0) as u64;
                if active >= max {
                    return Err(AppError::bad_request(
                        ErrorCode::CapacityExceeded,
                        format!(
                            "{} already has {active} active tasks (max: {max}).",
                            target.username
                        ),
                    ));
                }
            }
            Some(target)
        }
    };
    if task.assigned_to.is_none() && target.is_none() {
        return Ok(None);
    }
    tasks::set_assignee(c, member.tenant, task.id, target.as_ref().map(|t| t.id)).await?;
    let event_id = uow
        .record(
            member,
            Event::TaskAssigned {
                task_id: task.id,
                task_key: task.task_key.clone(),
                previous: task.assigned_to,
                previous_name: task.assigned_to_name.clone(),
                assignee: target.as_ref().map(|t| t.id),
                assignee_name: target.as_ref().map(|t| t.username.clone()),
                reason,
            },
        )
        .await?;
    let emailed = match target.as_ref() {
        Some(t) if t.id != member.user_id && !t.email.is_empty() => {
            crate::notifications::wants_email(uow.tx(), member.tenant, t.id, "assigned").await?
        }
        _ => false,
    };
    if let Some(t) = target.as_ref().filter(|_| emailed) {
        let job = mail::task_email(
            uow.app(),
            &mail::TaskNotice {
                notice: mail::Notice::Assigned,
                to_email: &t.email,
                to_name: &t.username,
                actor: &member.username,
                task_key: &task.task_key,
                title: &task.title,
                comment: "",
                event_id,
                organization_id: member.tenant.id(),
            },
        );
        uow.enqueue(job).await?;
    }
    Ok(target)
}
