//! Projects: the third access layer. Organization admins and managers create projects and
//! reach all of them; other people reach the projects they are members of and those whose
//! visibility is `organization` (read only unless they are members). Owners manage a
//! project and its members, editors create and edit its tasks, viewers read.

use std::collections::HashMap;

use chrono::NaiveDate;
use switchyard_domain::{AccessLevel, validate};
use switchyard_store::{
    ConnectionTrait, Page, Tenant, locks, projects,
    projects::{ProjectFields, ProjectFilter, ProjectMember, ProjectRow, ProjectStats, TaskScope},
};
use uuid::Uuid;

use crate::{App, AppError, AppResult, Change, ErrorCode, Event, Member, UnitOfWork};

/// A project's lifecycle.
pub const STATUSES: [&str; 5] = ["planned", "active", "on_hold", "completed", "archived"];
/// A person's role in a project.
pub const ROLES: [&str; 3] = ["owner", "editor", "viewer"];
/// The visibilities a project may have.
pub const VISIBILITIES: [&str; 2] = [projects::PRIVATE, projects::ORGANIZATION];

/// What a member may do with the tasks of one project (or of none).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskRight {
    /// A private project the member is not in: its tasks do not exist for them (404).
    Hidden,
    /// A viewer, or a non-member of a project open to the organization.
    Read,
    /// An owner or editor (or an organization manager): edits any of its tasks.
    Edit,
    /// A task in no project: the organization's rules alone decide.
    Organization,
}

impl TaskRight {
    /// May change the tasks at all (within what the organization's layers allow).
    pub fn writes(self) -> bool {
        matches!(self, TaskRight::Edit | TaskRight::Organization)
    }

    fn of(role: Option<&str>) -> TaskRight {
        match role {
            Some("owner" | "editor") => TaskRight::Edit,
            _ => TaskRight::Read,
        }
    }

    /// 404 for hidden tasks, 403 for read-only ones; otherwise the right.
    pub fn require_write(self) -> AppResult<TaskRight> {
        match self {
            TaskRight::Hidden => Err(AppError::NotFound),
            TaskRight::Read => Err(AppError::Forbidden(
                "Only the project's owners and editors can change its tasks.".into(),
            )),
            right => Ok(right),
        }
    }

    /// 404 for hidden tasks; otherwise the right.
    pub fn require_visible(self) -> AppResult<TaskRight> {
        match self {
            TaskRight::Hidden => Err(AppError::NotFound),
            right => Ok(right),
        }
    }
}

/// Which tasks `member` may see at all: every one for organization managers and admins,
/// otherwise all but those of the private projects they are not in (one query).
pub async fn scope<C: ConnectionTrait>(c: &C, member: &Member) -> AppResult<TaskScope> {
    Ok(Reach::load(c, member).await?.scope())
}

/// A member's rights over every project of the organization, loaded once for a list.
#[derive(Debug, Clone)]
pub struct Reach {
    all: bool,
    projects: HashMap<Uuid, TaskRight>,
    hidden: Vec<Uuid>,
}

impl Reach {
    /// Loads `member`'s reach (no query for managers and admins).
    pub async fn load<C: ConnectionTrait>(c: &C, member: &Member) -> AppResult<Reach> {
        if member.level.is_manager_or_above() {
            return Ok(Reach {
                all: true,
                projects: HashMap::new(),
                hidden: Vec::new(),
            });
        }
        let mut reach = Reach {
            all: false,
            projects: HashMap::new(),
            hidden: Vec::new(),
        };
        for r in projects::reach(c, member.tenant, member.user_id).await? {
            if r.role.is_some() || r.visibility == projects::ORGANIZATION {
                reach
                    .projects
                    .insert(r.id, TaskRight::of(r.role.as_deref()));
            } else {
                reach.hidden.push(r.id);
            }
        }
        Ok(reach)
    }

    /// The tasks the member may see, for the store's queries.
    pub fn scope(&self) -> TaskScope {
        if self.hidden.is_empty() {
            TaskScope::All
        } else {
            TaskScope::Except(self.hidden.clone())
        }
    }

    /// The right over the tasks of `project`.
    pub fn right(&self, project: Option<Uuid>) -> TaskRight {
        match project {
            None => TaskRight::Organization,
            Some(_) if self.all => TaskRight::Edit,
            Some(p) => self.projects.get(&p).copied().unwrap_or(TaskRight::Hidden),
        }
    }
}

/// `member`'s right over the tasks of one project (one query, none for managers or for no
/// project): the single check every one-task use case runs.
pub async fn task_right<C: ConnectionTrait>(
    c: &C,
    member: &Member,
    project: Option<Uuid>,
) -> AppResult<TaskRight> {
    match project {
        None => Ok(TaskRight::Organization),
        Some(project) => {
            user_right(
                c,
                member.tenant,
                member.user_id,
                Some(member.level),
                project,
            )
            .await
        }
    }
}

/// The right of any person of the organization (at `level`) over the tasks of `project`:
/// for checks about someone other than the caller, such as a new assignee.
pub async fn user_right<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    user: Uuid,
    level: Option<AccessLevel>,
    project: Uuid,
) -> AppResult<TaskRight> {
    if level.is_some_and(AccessLevel::is_manager_or_above) {
        return Ok(TaskRight::Edit);
    }
    Ok(match projects::access(c, tenant, user, project).await? {
        None => TaskRight::Hidden,
        Some(a) if a.role.is_some() => TaskRight::of(a.role.as_deref()),
        Some(a) if a.visibility == projects::ORGANIZATION => TaskRight::Read,
        Some(_) => TaskRight::Hidden,
    })
}

/// Whether `member` manages `project` (organization manager or admin, or project owner).
fn manages(member: &Member, project: &ProjectRow) -> bool {
    member.level.is_manager_or_above() || project.my_role.as_deref() == Some("owner")
}

/// What a member may do with a project, as flags for clients (the predicates the use
/// cases enforce).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProjectCan {
    /// Edit it, delete it, manage its members.
    pub manage: bool,
    /// Create tasks in it (its owners and editors, not once archived).
    pub create_tasks: bool,
}

/// `member`'s rights on `project` (read with their role in it).
pub fn can(member: &Member, project: &ProjectRow) -> ProjectCan {
    ProjectCan {
        manage: manages(member, project),
        create_tasks: member.level.can_write()
            && project.status != "archived"
            && (member.level.is_manager_or_above()
                || TaskRight::of(project.my_role.as_deref()) == TaskRight::Edit),
    }
}

/// The project if `member` may see it (404 otherwise: a private project is not shown to
/// those outside it).
async fn visible<C: ConnectionTrait>(c: &C, member: &Member, id: Uuid) -> AppResult<ProjectRow> {
    let row = projects::get(c, member.tenant, member.user_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let sees = member.level.is_manager_or_above()
        || row.visibility == projects::ORGANIZATION
        || row.my_role.is_some();
    if sees {
        Ok(row)
    } else {
        Err(AppError::NotFound)
    }
}

/// The project locked for a change by someone who manages it.
async fn managed(uow: &UnitOfWork, member: &Member, id: Uuid) -> AppResult<ProjectRow> {
    uow.lock(member.tenant, locks::Row::Project, id).await?;
    let row = visible(uow.tx(), member, id).await?;
    if !manages(member, &row) {
        return Err(AppError::Forbidden(
            "Only the project's owners, managers and admins can manage it.".into(),
        ));
    }
    Ok(row)
}

/// Projects `member` may see, by name.
pub async fn list(
    state: &App,
    member: &Member,
    filter: ProjectFilter,
    page: Page,
) -> AppResult<(Vec<ProjectRow>, u64)> {
    if let Some(s) = &filter.status {
        check_one_of("status", s, &STATUSES)?;
    }
    Ok(projects::list(
        state.db.conn(),
        member.tenant,
        member.user_id,
        member.level.is_manager_or_above(),
        &filter,
        page,
    )
    .await?)
}

/// One project.
pub async fn get(state: &App, member: &Member, id: Uuid) -> AppResult<ProjectRow> {
    visible(state.db.conn(), member, id).await
}

/// An amount of money in minor units (cents) with its ISO 4217 code.
#[derive(Debug, Clone, PartialEq)]
pub struct Money {
    pub amount: i64,
    pub currency: String,
}

/// A budget: money or hours.
#[derive(Debug, Clone, PartialEq)]
pub enum Budget {
    Money(Money),
    Hours(f64),
}

/// A project to create, or a patch (`Some(None)` clears a nullable field).
#[derive(Debug, Default)]
pub struct ProjectInput {
    pub key: Option<String>,
    pub name: Option<String>,
    pub description: Option<String>,
    pub status: Option<String>,
    pub visibility: Option<String>,
    pub lead: Option<Option<Uuid>>,
    pub start_date: Option<Option<NaiveDate>>,
    pub target_date: Option<Option<NaiveDate>>,
    pub budget: Option<Option<Budget>>,
    pub hourly_rate: Option<Option<Money>>,
}

fn check_one_of(field: &str, value: &str, allowed: &[&str]) -> AppResult<()> {
    if allowed.contains(&value) {
        Ok(())
    } else {
        Err(AppError::field(
            field,
            format!(
                "'{value}' is not a valid choice. Allowed: {}.",
                allowed.join(", ")
            ),
        ))
    }
}

fn check_money(field: &str, m: &Money) -> AppResult<()> {
    if m.amount < 0 {
        return Err(AppError::field(
            field,
            "The amount (in minor units, e.g. cents) cannot be negative.",
        ));
    }
    if m.currency.len() != 3 || !m.currency.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(AppError::field(
            field,
            "The currency is a three-letter ISO 4217 code such as EUR or USD.",
        ));
    }
    Ok(())
}

/// Merges `input` over `current` (all defaults when creating) and validates the result.
fn merge(input: ProjectInput, current: Option<&ProjectRow>) -> AppResult<ProjectFields> {
    let cur = |f: fn(&ProjectRow) -> ProjectFields| current.map(f).unwrap_or_default();
    let base = cur(fields_of);
    let key = input
        .key
        .map(|k| k.trim().to_uppercase())
        .unwrap_or(base.project_key);
    if !(2..=10).contains(&key.len()) || !key.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(AppError::field(
            "key",
            "A project key is 2 to 10 letters (A–Z), such as NOVA.",
        ));
    }
    let name = input.name.unwrap_or(base.name);
    validate::name("name", &name).map_err(|e| AppError::field("name", e.0))?;
    let description = input.description.unwrap_or(base.description);
    if description.chars().count() > crate::tasks::MAX_DESCRIPTION {
        return Err(AppError::field(
            "description",
            format!(
                "Ensure this field has no more than {} characters.",
                crate::tasks::MAX_DESCRIPTION
            ),
        ));
    }
    let status = input.status.unwrap_or(if current.is_some() {
        base.status
    } else {
        "active".into()
    });
    check_one_of("status", &status, &STATUSES)?;
    let visibility = input.visibility.unwrap_or(if current.is_some() {
        base.visibility
    } else {
        projects::PRIVATE.into()
    });
    check_one_of("visibility", &visibility, &VISIBILITIES)?;
    let start_date = input.start_date.unwrap_or(base.start_date);
    let target_date = input.target_date.unwrap_or(base.target_date);
    if let (Some(s), Some(t)) = (start_date, target_date)
        && t < s
    {
        return Err(AppError::field(
            "target_date",
            "The target date cannot be before the start date.",
        ));
    }
    let budget = match input.budget {
        Some(b) => b,
        None => current.and_then(budget_of),
    };
    let rate = match input.hourly_rate {
        Some(r) => r,
        None => current.and_then(rate_of),
    };
    match &budget {
        Some(Budget::Money(m)) => check_money("budget", m)?,
        Some(Budget::Hours(h)) if !(h.is_finite() && *h >= 0.0) => {
            return Err(AppError::field(
                "budget",
                "Budget hours must be a number of hours, zero or more.",
            ));
        }
        _ => {}
    }
    if let Some(r) = &rate {
        check_money("hourly_rate", r)?;
        if let Some(Budget::Money(b)) = &budget
            && b.currency != r.currency
        {
            return Err(AppError::field(
                "hourly_rate",
                format!(
                    "The hourly rate is in {} but the budget in {}; use one currency.",
                    r.currency, b.currency
                ),
            ));
        }
    }
    let (budget_amount, budget_currency, budget_hours) = match budget {
        Some(Budget::Money(m)) => (Some(m.amount), Some(m.currency), None),
        Some(Budget::Hours(h)) => (None, None, Some(h)),
        None => (None, None, None),
    };
    Ok(ProjectFields {
        project_key: key,
        name,
        description,
        status,
        visibility,
        lead_id: input.lead.unwrap_or(base.lead_id),
        start_date,
        target_date,
        budget_amount,
        budget_currency,
        budget_hours,
        hourly_rate_amount: rate.as_ref().map(|r| r.amount),
        hourly_rate_currency: rate.map(|r| r.currency),
    })
}

fn fields_of(p: &ProjectRow) -> ProjectFields {
    ProjectFields {
        project_key: p.project_key.clone(),
        name: p.name.clone(),
        description: p.description.clone(),
        status: p.status.clone(),
        visibility: p.visibility.clone(),
        lead_id: p.lead_id,
        start_date: p.start_date,
        target_date: p.target_date,
        budget_amount: p.budget_amount,
        budget_currency: p.budget_currency.clone(),
        budget_hours: p.budget_hours,
        hourly_rate_amount: p.hourly_rate_amount,
        hourly_rate_currency: p.hourly_rate_currency.clone(),
    }
}

/// A project's budget as the API shows it.
pub fn budget_of(p: &ProjectRow) -> Option<Budget> {
    match (p.budget_amount, &p.budget_currency, p.budget_hours) {
        (Some(amount), Some(currency), _) => Some(Budget::Money(Money {
            amount,
            currency: currency.clone(),
        })),
        (_, _, Some(h)) => Some(Budget::Hours(h)),
        _ => None,
    }
}

/// A project's hourly rate as the API shows it.
pub fn rate_of(p: &ProjectRow) -> Option<Money> {
    match (p.hourly_rate_amount, &p.hourly_rate_currency) {
        (Some(amount), Some(currency)) => Some(Money {
            amount,
            currency: currency.clone(),
        }),
        _ => None,
    }
}

/// Creates a project (organization managers and admins); its creator becomes its owner.
pub async fn create(state: &App, member: &Member, input: ProjectInput) -> AppResult<ProjectRow> {
    member.require_manager()?;
    for (field, given) in [("key", input.key.is_some()), ("name", input.name.is_some())] {
        if !given {
            return Err(AppError::field(field, "This field is required."));
        }
    }
    let fields = merge(input, None)?;
    let mut uow = UnitOfWork::begin(state).await?;
    crate::users::require_members(uow.tx(), member.tenant, "lead", fields.lead_id.as_slice())
        .await?;
    let id = projects::create(
        uow.tx(),
        member.tenant,
        fields,
        member.user_id,
        Some(member.user_id),
    )
    .await?;
    uow.record(
        member,
        Event::ProjectChanged {
            project_id: id,
            change: Change::Created,
        },
    )
    .await?;
    let row = visible(uow.tx(), member, id).await?;
    uow.commit().await?;
    Ok(row)
}

/// Changes a project (its owners, organization managers and admins).
pub async fn update(
    state: &App,
    member: &Member,
    id: Uuid,
    input: ProjectInput,
    if_match: Option<i64>,
) -> AppResult<ProjectRow> {
    let mut uow = UnitOfWork::begin(state).await?;
    let current = managed(&uow, member, id).await?;
    AppError::check_version(if_match, current.version)?;
    let fields = merge(input, Some(&current))?;
    if fields.lead_id != current.lead_id {
        crate::users::require_members(uow.tx(), member.tenant, "lead", fields.lead_id.as_slice())
            .await?;
    }
    projects::update(uow.tx(), member.tenant, id, fields).await?;
    uow.record(
        member,
        Event::ProjectChanged {
            project_id: id,
            change: Change::Updated,
        },
    )
    .await?;
    let row = visible(uow.tx(), member, id).await?;
    uow.commit().await?;
    Ok(row)
}

/// Deletes a project without tasks (its owners, organization managers and admins); one
/// with tasks is refused (409): archive it, or move or delete its tasks first.
pub async fn delete(
    state: &App,
    member: &Member,
    id: Uuid,
    if_match: Option<i64>,
) -> AppResult<()> {
    let mut uow = UnitOfWork::begin(state).await?;
    let current = managed(&uow, member, id).await?;
    AppError::check_version(if_match, current.version)?;
    let n = projects::task_count(uow.tx(), member.tenant, id).await?;
    if n > 0 {
        return Err(AppError::conflict(
            ErrorCode::ProjectInUse,
            format!(
                "Project {} has {n} task(s); move or delete them first, or archive the project.",
                current.project_key
            ),
        ));
    }
    projects::delete(uow.tx(), member.tenant, id).await?;
    uow.record(
        member,
        Event::ProjectChanged {
            project_id: id,
            change: Change::Deleted,
        },
    )
    .await?;
    uow.commit().await?;
    Ok(())
}

/// A project's figures at the app's clock.
#[derive(Debug, Clone)]
pub struct Stats {
    pub stats: ProjectStats,
    /// Done out of everything not cancelled, 0–100 (0 for an empty project).
    pub progress_percent: u8,
}

/// A project's figures (whoever may see it).
pub async fn stats(state: &App, member: &Member, id: Uuid) -> AppResult<Stats> {
    let c = state.db.conn();
    visible(c, member, id).await?;
    let stats = projects::stats(c, member.tenant, id, state.clock.now()).await?;
    let counted = stats.total - stats.cancelled;
    let progress_percent = if counted > 0 {
        (stats.done * 100 / counted).clamp(0, 100) as u8
    } else {
        0
    };
    Ok(Stats {
        stats,
        progress_percent,
    })
}

/// A project's members (whoever may see it).
pub async fn members(
    state: &App,
    member: &Member,
    id: Uuid,
    page: Page,
) -> AppResult<(Vec<ProjectMember>, u64)> {
    let c = state.db.conn();
    visible(c, member, id).await?;
    Ok(projects::members(c, member.tenant, id, page).await?)
}

/// Adds a person of the organization to a project with a role (those who manage it).
pub async fn add_member(
    state: &App,
    member: &Member,
    id: Uuid,
    user: Uuid,
    role: &str,
) -> AppResult<ProjectMember> {
    check_one_of("role", role, &ROLES)?;
    let uow = UnitOfWork::begin(state).await?;
    managed(&uow, member, id).await?;
    crate::users::require_members(uow.tx(), member.tenant, "user", &[user]).await?;
    // The person's row, so they cannot leave the organization meanwhile.
    uow.lock(member.tenant, locks::Row::User, user).await?;
    projects::add_member(uow.tx(), member.tenant, id, user, role).await?;
    member_changed(uow, member, id, user, role, Change::Created).await
}

/// Gives a project member another role (those who manage it); the last owner stays one.
pub async fn set_role(
    state: &App,
    member: &Member,
    id: Uuid,
    user: Uuid,
    role: &str,
) -> AppResult<ProjectMember> {
    check_one_of("role", role, &ROLES)?;
    let mut uow = UnitOfWork::begin(state).await?;
    let project = managed(&uow, member, id).await?;
    let current = projects::member(uow.tx(), member.tenant, id, user)
        .await?
        .ok_or(AppError::NotFound)?;
    if current.role == "owner" && role != "owner" {
        keep_an_owner(&uow, member, id).await?;
    }
    if role == "viewer" {
        keep_their_tasks_held(&uow, member, &project, &current).await?;
        end_collaborations(&mut uow, member, &project, &current).await?;
    }
    projects::set_role(uow.tx(), member.tenant, id, user, role).await?;
    member_changed(uow, member, id, user, role, Change::Updated).await
}

/// Removes someone from a project (those who manage it); the last owner stays.
pub async fn remove_member(state: &App, member: &Member, id: Uuid, user: Uuid) -> AppResult<()> {
    let mut uow = UnitOfWork::begin(state).await?;
    let project = managed(&uow, member, id).await?;
    let current = projects::member(uow.tx(), member.tenant, id, user)
        .await?
        .ok_or(AppError::NotFound)?;
    if current.role == "owner" {
        keep_an_owner(&uow, member, id).await?;
    }
    keep_their_tasks_held(&uow, member, &project, &current).await?;
    end_collaborations(&mut uow, member, &project, &current).await?;
    projects::remove_member(uow.tx(), member.tenant, id, user).await?;
    uow.record(
        member,
        Event::ProjectMemberChanged {
            project_id: id,
            user_id: user,
            role: None,
            change: Change::Deleted,
        },
    )
    .await?;
    uow.commit().await?;
    Ok(())
}

/// Refuses to take the right to work on a project's tasks from someone who still holds
/// some of them (they would hold tasks they may not change, or not even see).
async fn keep_their_tasks_held(
    uow: &UnitOfWork,
    member: &Member,
    project: &ProjectRow,
    who: &ProjectMember,
) -> AppResult<()> {
    let n = projects::active_assignments(uow.tx(), member.tenant, project.id, who.user_id).await?;
    if n > 0 {
        return Err(AppError::conflict(
            ErrorCode::MemberHasTasks,
            format!(
                "{} holds {n} active task(s) of {}; reassign them first.",
                who.username, project.project_key
            ),
        ));
    }
    Ok(())
}

/// Ends, each audited, the collaborations of someone who may no longer work on a
/// project's tasks (removed from it, or made a viewer).
async fn end_collaborations(
    uow: &mut UnitOfWork,
    member: &Member,
    project: &ProjectRow,
    who: &ProjectMember,
) -> AppResult<()> {
    let ended = switchyard_store::tasks::end_collaborations_in_project(
        uow.tx(),
        member.tenant,
        project.id,
        who.user_id,
    )
    .await?;
    for t in ended {
        uow.record(
            member,
            Event::CollaboratorChanged {
                task_id: t.task_id,
                task_key: t.task_key,
                user_id: who.user_id,
                username: who.username.clone(),
                added: false,
            },
        )
        .await?;
    }
    Ok(())
}

async fn keep_an_owner(uow: &UnitOfWork, member: &Member, id: Uuid) -> AppResult<()> {
    if projects::owner_count(uow.tx(), member.tenant, id).await? <= 1 {
        return Err(AppError::conflict(
            ErrorCode::LastProjectOwner,
            "A project keeps at least one owner; make someone else owner first.",
        ));
    }
    Ok(())
}

/// Records a member added or given a role, commits, and returns their membership.
async fn member_changed(
    mut uow: UnitOfWork,
    member: &Member,
    id: Uuid,
    user: Uuid,
    role: &str,
    change: Change,
) -> AppResult<ProjectMember> {
    uow.record(
        member,
        Event::ProjectMemberChanged {
            project_id: id,
            user_id: user,
            role: Some(role.to_string()),
            change,
        },
    )
    .await?;
    let out = projects::member(uow.tx(), member.tenant, id, user)
        .await?
        .ok_or(AppError::NotFound)?;
    uow.commit().await?;
    Ok(out)
}
