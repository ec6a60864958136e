//! Reading the audit log (there is no way to write it but through the changes it records).

use switchyard_store::{Page, audit, audit::AuditRow};
use uuid::Uuid;

use crate::{App, AppError, AppResult, Member};

/// Entries of the organization, newest first.
pub async fn list(
    state: &App,
    member: &Member,
    filter: audit::AuditFilter,
    page: Page,
) -> AppResult<(Vec<AuditRow>, u64)> {
    Ok(audit::list(state.db.conn(), member.tenant, &filter, page).await?)
}

/// One entry.
pub async fn get(state: &App, member: &Member, id: Uuid) -> AppResult<AuditRow> {
    audit::get(state.db.conn(), member.tenant, id)
        .await?
        .ok_or(AppError::NotFound)
}
