//! Sub-tasks and "blocked by" dependencies: the rules that keep the structure sound (one
//! level of sub-tasks, no cycles, same organization) and the checks a transition adds —
//! the sixth (blockers) and, where the workflow asks, the seventh (unfinished sub-tasks).

use std::collections::{HashMap, VecDeque};

use switchyard_domain::workflow::{TransitionError, Workflow};
use switchyard_store::{
    ConnectionTrait, Tenant, tasks,
    tasks::{LinkedTask, TaskRecord},
};
use uuid::Uuid;

use crate::{
    App, AppError, AppResult, ErrorCode, Event, Member, UnitOfWork,
    projects::{Reach, TaskRight, task_right},
};

/// Both directions of a task's dependencies.
#[derive(Debug, Clone)]
pub struct Dependencies {
    pub blocked_by: Vec<LinkedTask>,
    pub blocking: Vec<LinkedTask>,
}

/// What a task is blocked by and what it blocks.
pub async fn dependencies<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    task: Uuid,
) -> AppResult<Dependencies> {
    Ok(Dependencies {
        blocked_by: tasks::blockers(c, tenant, task).await?,
        blocking: tasks::blocking(c, tenant, task).await?,
    })
}

/// What a task is blocked by and what it blocks, without the tasks of projects hidden from
/// `member`.
async fn visible_dependencies<C: ConnectionTrait>(
    c: &C,
    member: &Member,
    task: Uuid,
) -> AppResult<Dependencies> {
    let reach = Reach::load(c, member).await?;
    let mut out = dependencies(c, member.tenant, task).await?;
    let visible = |t: &LinkedTask| reach.right(t.project_id) != TaskRight::Hidden;
    out.blocked_by.retain(visible);
    out.blocking.retain(visible);
    Ok(out)
}

/// How a message names a task: by key, unless it is in a project hidden from the reader.
pub const UNSEEN_TASK: &str = "a task you cannot see";

/// The keys of tasks for a message to `member`, hidden ones named [`UNSEEN_TASK`].
async fn shown_keys<C: ConnectionTrait>(
    c: &C,
    member: &Member,
    tasks: Vec<(String, Option<Uuid>)>,
) -> AppResult<Vec<String>> {
    let reach = Reach::load(c, member).await?;
    Ok(tasks
        .into_iter()
        .map(|(key, project)| match reach.right(project) {
            TaskRight::Hidden => UNSEEN_TASK.to_string(),
            _ => key,
        })
        .collect())
}

/// A task's dependencies as `member` may read them (404 for a task of another organization).
pub async fn list(state: &App, member: &Member, task: Uuid) -> AppResult<Dependencies> {
    let c = state.db.conn();
    crate::tasks::visible_record(c, member, task).await?;
    visible_dependencies(c, member, task).await
}

/// Records that `task` is blocked by `blocker` (whoever may edit the task). Both must be
/// tasks of the caller's organization (404 otherwise); a dependency that would close a cycle
/// is refused naming every task in it. The organization's graph is locked first, so two
/// concurrent inserts cannot close a cycle between them.
pub async fn add(
    state: &App,
    member: &Member,
    task: Uuid,
    blocker: Uuid,
) -> AppResult<Dependencies> {
    let (mut uow, record, blocking) = begin_edge_change(state, member, task, blocker).await?;
    let tenant = member.tenant;
    if blocker == task {
        return Err(AppError::field("blocked_by", "A task cannot block itself."));
    }
    if let Some(path) = path_back(uow.tx(), tenant, blocker, task).await? {
        let mut cycle = vec![task];
        cycle.extend(path);
        let keys = shown_keys(
            uow.tx(),
            member,
            tasks::keys(uow.tx(), tenant, &cycle).await?,
        )
        .await?;
        return Err(AppError::bad_request(
            ErrorCode::DependencyCycle,
            format!(
                "This dependency would create a cycle: {}.",
                keys.join(" → ")
            ),
        ));
    }
    if !tasks::add_dependency(uow.tx(), tenant, task, blocker, Some(member.user_id)).await? {
        return Err(AppError::field(
            "blocked_by",
            format!(
                "{} is already blocked by {}.",
                record.task_key, blocking.task_key
            ),
        ));
    }
    uow.record(
        member,
        Event::DependencyChanged {
            task_id: task,
            task_key: record.task_key,
            blocked_by: blocker,
            blocked_by_key: blocking.task_key,
            added: true,
        },
    )
    .await?;
    let out = visible_dependencies(uow.tx(), member, task).await?;
    uow.commit().await?;
    Ok(out)
}

/// Opens the unit of work of a dependency change: the organization's graph locked first,
/// then the task (which the caller must be allowed to edit) and the blocker, share-locked so
/// it cannot be deleted before the row that points at it is written. Both must be tasks of
/// the caller's organization (404 otherwise).
async fn begin_edge_change(
    state: &App,
    member: &Member,
    task: Uuid,
    blocker: Uuid,
) -> AppResult<(UnitOfWork, TaskRecord, TaskRecord)> {
    member.require_writer()?;
    let uow = UnitOfWork::begin(state).await?;
    let tenant = member.tenant;
    tasks::lock_graph(uow.tx(), tenant).await?;
    let record = tasks::record_for_update(uow.tx(), tenant, task)
        .await?
        .ok_or(AppError::NotFound)?;
    let right = task_right(uow.tx(), member, record.project_id)
        .await?
        .require_visible()?;
    let collaborator = crate::tasks::collaborates(uow.tx(), member, task).await?;
    if !crate::tasks::may_edit(
        member,
        right,
        record.created_by,
        record.assigned_to,
        collaborator,
    ) {
        return Err(AppError::forbidden());
    }
    let blocking = tasks::record_for_share(uow.tx(), tenant, blocker)
        .await?
        .ok_or(AppError::NotFound)?;
    task_right(uow.tx(), member, blocking.project_id)
        .await?
        .require_visible()?;
    Ok((uow, record, blocking))
}

/// Removes a dependency (whoever may edit the task); 404 when there is none.
pub async fn remove(state: &App, member: &Member, task: Uuid, blocker: Uuid) -> AppResult<()> {
    let (mut uow, record, blocking) = begin_edge_change(state, member, task, blocker).await?;
    let tenant = member.tenant;
    if !tasks::remove_dependency(uow.tx(), tenant, task, blocker).await? {
        return Err(AppError::NotFound);
    }
    uow.record(
        member,
        Event::DependencyChanged {
            task_id: task,
            task_key: record.task_key,
            blocked_by: blocker,
            blocked_by_key: blocking.task_key,
            added: false,
        },
    )
    .await?;
    uow.commit().await?;
    Ok(())
}

/// What deleting a task does to the tasks linked to it, done and recorded before the
/// delete so nothing changes without a trace: its sub-tasks are detached (an `updated`
/// entry each, parent → none) and the tasks it blocked are unblocked (a
/// `dependency_removed` entry each). The tasks it was blocked by lose nothing worth noting.
/// The caller holds the dependency graph's lock (taken before the task's row, the order
/// [`add`] and [`remove`] use).
pub async fn unlink_before_delete(
    uow: &mut UnitOfWork,
    member: &Member,
    id: Uuid,
    key: &str,
) -> AppResult<()> {
    let tenant = member.tenant;
    let subtasks = tasks::subtasks(uow.tx(), tenant, id).await?;
    let blocked = tasks::blocking(uow.tx(), tenant, id).await?;
    if !subtasks.is_empty() {
        tasks::detach_subtasks(uow.tx(), tenant, id).await?;
    }
    for s in subtasks {
        let (mut old, mut new) = (serde_json::Map::new(), serde_json::Map::new());
        old.insert("parent".into(), serde_json::json!(id));
        new.insert("parent".into(), serde_json::Value::Null);
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
    for t in blocked {
        uow.record(
            member,
            Event::DependencyChanged {
                task_id: t.id,
                task_key: t.task_key,
                blocked_by: id,
                blocked_by_key: key.to_string(),
                added: false,
            },
        )
        .await?;
    }
    Ok(())
}

/// The chain of "blocked by" links from `from` to `to` (both ends included), if any.
async fn path_back<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    from: Uuid,
    to: Uuid,
) -> AppResult<Option<Vec<Uuid>>> {
    let mut next: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    for e in tasks::edges_from(c, tenant, from).await? {
        next.entry(e.task_id).or_default().push(e.blocked_by_id);
    }
    let mut came_from: HashMap<Uuid, Uuid> = HashMap::new();
    let mut queue = VecDeque::from([from]);
    while let Some(at) = queue.pop_front() {
        if at == to {
            let mut path = vec![to];
            let mut cur = to;
            while let Some(prev) = came_from.get(&cur) {
                path.push(*prev);
                cur = *prev;
            }
            path.reverse();
            return Ok(Some(path));
        }
        for n in next.get(&at).into_iter().flatten() {
            if *n != from && !came_from.contains_key(n) {
                came_from.insert(*n, at);
                queue.push_back(*n);
            }
        }
    }
    Ok(None)
}

/// Checks a would-be parent for a task (`task` is `None` while creating it): a task of the
/// same organization (404 otherwise) that `member` may edit (a sub-task holds its parent
/// back where the workflow asks, so attaching one is an edit of the parent), not a sub-task
/// itself, not the task, and the task must not have sub-tasks of its own. The parent is
/// share-locked, so it cannot become a sub-task or change state meanwhile. Returns the
/// parent (the caller keeps the sub-task in its project).
pub async fn check_parent<C: ConnectionTrait>(
    c: &C,
    member: &Member,
    task: Option<Uuid>,
    parent: Uuid,
) -> AppResult<TaskRecord> {
    if task == Some(parent) {
        return Err(AppError::field(
            "parent",
            "A task cannot be its own parent.",
        ));
    }
    let row = tasks::record_for_share(c, member.tenant, parent)
        .await?
        .ok_or(AppError::NotFound)?;
    let right = task_right(c, member, row.project_id)
        .await?
        .require_visible()?;
    let collaborator = crate::tasks::collaborates(c, member, parent).await?;
    if !crate::tasks::may_edit(member, right, row.created_by, row.assigned_to, collaborator) {
        return Err(AppError::Forbidden(format!(
            "Only those who may edit {} can give it sub-tasks.",
            row.task_key
        )));
    }
    let depth = || {
        AppError::bad_request(
            ErrorCode::SubtaskDepth,
            "Sub-tasks are one level deep: a sub-task cannot have sub-tasks.",
        )
    };
    if row.parent_id.is_some() {
        return Err(depth());
    }
    if let Some(task) = task
        && tasks::subtask_count(c, member.tenant, task).await? > 0
    {
        return Err(depth());
    }
    Ok(row)
}

/// The sixth and seventh checks of a transition into `to_state`, run after the state
/// compare-and-set (which holds the task's row): entering a final state other than the
/// workflow's cancel state needs every blocker finished and, where the workflow asks for
/// it, every sub-task. Blockers and sub-tasks are share-locked, so one reopened at the
/// same moment waits for this transaction instead of slipping through.
pub async fn check_completion<C: ConnectionTrait>(
    c: &C,
    member: &Member,
    wf: &Workflow,
    task: Uuid,
    to_state: &str,
) -> AppResult<()> {
    if !wf.completes_in(to_state) {
        return Ok(());
    }
    let tenant = member.tenant;
    let pairs = |rows: Vec<LinkedTask>| {
        rows.into_iter()
            .map(|t| (t.task_key, t.project_id))
            .collect::<Vec<_>>()
    };
    let blockers = tasks::active_blockers_locked(c, tenant, task).await?;
    if !blockers.is_empty() {
        let keys = shown_keys(c, member, pairs(blockers)).await?;
        return Err(TransitionError::Blocked(keys).into());
    }
    if wf.complete_parent_requires_subtasks_done {
        let open = tasks::active_subtasks_locked(c, tenant, task).await?;
        if !open.is_empty() {
            let keys = shown_keys(c, member, pairs(open)).await?;
            return Err(TransitionError::SubtasksOpen(keys).into());
        }
    }
    Ok(())
}
