//! Reading the audit log (there is no way to write it but through the changes it records),
//! exporting it with its hash chain, verifying the chain and signing its checkpoints.

use switchyard_store::{Page, audit, audit::AuditRow, audit_verify};
use uuid::Uuid;

use crate::{App, AppError, AppResult, Member};

/// Entries of the organization, newest first.
pub async fn list(
    state: &App,
    member: &Member,
    mut filter: audit::AuditFilter,
    page: Page,
) -> AppResult<(Vec<AuditRow>, u64)> {
    filter.scope = crate::projects::scope(state.db.conn(), member).await?;
    Ok(audit::list(state.db.conn(), member.tenant, &filter, page).await?)
}

/// One entry (404 for an entry about a task of a project hidden from the member).
pub async fn get(state: &App, member: &Member, id: Uuid) -> AppResult<AuditRow> {
    let c = state.db.conn();
    let scope = crate::projects::scope(c, member).await?;
    audit::get(c, member.tenant, &scope, id)
        .await?
        .ok_or(AppError::NotFound)
}

/// Entries per page of the export (each a query; the response streams page by page).
pub const EXPORT_PAGE: u64 = 1000;

/// The organization's entries after `after_seq` in chain order, at most [`EXPORT_PAGE`]
/// (admins: the export carries every entry's chain fields).
pub async fn export_page(
    state: &App,
    member: &Member,
    after_seq: i64,
) -> AppResult<Vec<audit_verify::ChainedEntry>> {
    member.require_admin()?;
    Ok(audit_verify::entries_after(state.db.conn(), member.tenant, after_seq, EXPORT_PAGE).await?)
}

/// Walks the hash chain of every organization, or only the one with slug `only`.
pub async fn verify(
    state: &App,
    only: Option<&str>,
) -> AppResult<Vec<(String, audit_verify::Report)>> {
    let key = audit_verify::checkpoint_key(state.settings.audit_key.expose());
    let mut out = Vec::new();
    for (tenant, slug) in switchyard_store::sla::all_tenants(state.db.conn()).await? {
        if only.is_some_and(|o| o != slug) {
            continue;
        }
        let report = audit_verify::verify(state.db.conn(), tenant, &key).await?;
        out.push((slug, report));
    }
    if let Some(o) = only
        && out.is_empty()
    {
        return Err(AppError::field(
            "org",
            format!("No organization with slug '{o}'."),
        ));
    }
    Ok(out)
}

/// A checkpoint is signed once an organization's chain grew by this many entries…
pub const CHECKPOINT_EVERY: i64 = 1000;
/// …or grew at all and its last checkpoint is older than this.
pub const CHECKPOINT_MAX_AGE: chrono::Duration = chrono::Duration::hours(1);

/// Signs the checkpoints that are due (the scheduled `audit_checkpoint` job), or with `now`
/// one at every chain that grew since its last checkpoint (`switchyard audit checkpoint`,
/// before a backup). Each is logged too, so a copy lives outside the database.
pub async fn sign_checkpoints(state: &App, now_for_all: bool) -> AppResult<usize> {
    let key = audit_verify::checkpoint_key(state.settings.audit_key.expose());
    let now = state.clock.now();
    let (every, stale_before) = if now_for_all {
        (1, now)
    } else {
        (CHECKPOINT_EVERY, now - CHECKPOINT_MAX_AGE)
    };
    let tx = state.db.begin_write().await?;
    let signed = audit_verify::sign_due(&tx, &key, every, stale_before, now).await?;
    switchyard_store::commit(tx).await?;
    for c in &signed {
        tracing::info!(
            organization = %c.organization_id,
            seq = c.seq,
            hash = %c.hash,
            signature = %c.signature,
            "audit checkpoint signed"
        );
    }
    Ok(signed.len())
}
