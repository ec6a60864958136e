//! Reading the audit log (there is no way to write it but through the changes it records).

use switchyard_store::{Page, audit, audit::AuditRow};
use uuid::Uuid;

use crate::{
    auth::Member,
    error::{ApiError, ApiResult},
    state::AppState,
};

/// Entries of the organization, newest first.
pub async fn list(
    state: &AppState,
    member: &Member,
    filter: audit::AuditFilter,
    page: Page,
) -> ApiResult<(Vec<AuditRow>, u64)> {
    Ok(audit::list(state.db.conn(), member.tenant, &filter, page).await?)
}

/// One entry.
pub async fn get(state: &AppState, member: &Member, id: Uuid) -> ApiResult<AuditRow> {
    audit::get(state.db.conn(), member.tenant, id)
        .await?
        .ok_or(ApiError::NotFound)
}
