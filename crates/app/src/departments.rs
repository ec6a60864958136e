//! Departments of an organization: admins write, everyone reads. A member is in at most one
//! department; naming them in another's members moves them.

use switchyard_domain::validate;
use switchyard_store::{Page, departments, departments::Department, locks};
use uuid::Uuid;

use crate::{App, AppError, AppResult, Change, Event, Member, UnitOfWork};

/// A department to create, or the fields of one to change (absent: unchanged).
#[derive(Debug, Default)]
pub struct DepartmentInput {
    pub name: Option<String>,
    /// `Some(None)` clears the head.
    pub head: Option<Option<Uuid>>,
    pub members: Option<Vec<Uuid>>,
}

fn check_name(name: &str) -> AppResult<()> {
    validate::name("name", name).map_err(|e| AppError::field("name", e.0))
}

/// The organization's departments.
pub async fn list(state: &App, member: &Member, page: Page) -> AppResult<(Vec<Department>, u64)> {
    Ok(departments::list(state.db.conn(), member.tenant, page).await?)
}

/// One department.
pub async fn get(state: &App, member: &Member, id: Uuid) -> AppResult<Department> {
    departments::get(state.db.conn(), member.tenant, id)
        .await?
        .ok_or(AppError::NotFound)
}

/// Creates a department (admins).
pub async fn create(state: &App, member: &Member, input: DepartmentInput) -> AppResult<Department> {
    member.require_admin()?;
    let name = input.name.unwrap_or_default();
    check_name(&name)?;
    let head = input.head.flatten();
    let members = input.members.unwrap_or_default();
    let mut uow = UnitOfWork::begin(state).await?;
    crate::users::require_members(uow.tx(), member.tenant, "head", head.as_slice()).await?;
    crate::users::require_members(uow.tx(), member.tenant, "members", &members).await?;
    let id = departments::create(uow.tx(), member.tenant, &name, head).await?;
    departments::set_members(uow.tx(), member.tenant, id, &members).await?;
    uow.record(
        member,
        Event::DepartmentChanged {
            department_id: id,
            change: Change::Created,
        },
    )
    .await?;
    let row = departments::get(uow.tx(), member.tenant, id)
        .await?
        .ok_or(AppError::NotFound)?;
    uow.commit().await?;
    Ok(row)
}

/// Changes a department (admins); `members` replaces the member list.
pub async fn update(
    state: &App,
    member: &Member,
    id: Uuid,
    input: DepartmentInput,
    if_match: Option<i64>,
) -> AppResult<Department> {
    member.require_admin()?;
    let mut uow = UnitOfWork::begin(state).await?;
    uow.lock(member.tenant, locks::Row::Department, id).await?;
    let current = AppError::current(
        departments::get(uow.tx(), member.tenant, id).await?,
        if_match,
    )?;
    let name = input.name.unwrap_or(current.name);
    check_name(&name)?;
    let head = input.head.unwrap_or(current.head_id);
    crate::users::require_members(uow.tx(), member.tenant, "head", head.as_slice()).await?;
    departments::update(uow.tx(), member.tenant, id, &name, head).await?;
    if let Some(members) = input.members {
        crate::users::require_members(uow.tx(), member.tenant, "members", &members).await?;
        departments::set_members(uow.tx(), member.tenant, id, &members).await?;
    }
    uow.record(
        member,
        Event::DepartmentChanged {
            department_id: id,
            change: Change::Updated,
        },
    )
    .await?;
    let row = departments::get(uow.tx(), member.tenant, id)
        .await?
        .ok_or(AppError::NotFound)?;
    uow.commit().await?;
    Ok(row)
}

/// Deletes a department (admins); its members stay, in no department.
pub async fn delete(
    state: &App,
    member: &Member,
    id: Uuid,
    if_match: Option<i64>,
) -> AppResult<()> {
    member.require_admin()?;
    let mut uow = UnitOfWork::begin(state).await?;
    uow.lock(member.tenant, locks::Row::Department, id).await?;
    AppError::current(
        departments::get(uow.tx(), member.tenant, id).await?,
        if_match,
    )?;
    departments::delete(uow.tx(), member.tenant, id).await?;
    uow.record(
        member,
        Event::DepartmentChanged {
            department_id: id,
            change: Change::Deleted,
        },
    )
    .await?;
    uow.commit().await?;
    Ok(())
}
