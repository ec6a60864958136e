//! Personal-data requests: a person exports everything held about them (built as a job,
//! downloadable for 24 hours), and an admin erases a person (identifying fields replaced by
//! a pseudonym; every audit entry and comment kept, attributed to it).

use serde_json::{Map, Value as Json, json};
use switchyard_store::{
    audit_chain::PERSONAL_KEYS,
    jobs::NewJob,
    locks, memberships,
    personal_data::{self, ExportRow},
    users,
    users::UserRow,
};
use uuid::Uuid;

use crate::{
    App, AppError, AppResult, Caller, ErrorCode, Event, Member, UnitOfWork,
    jobs::{Handlers, JobFailure},
    throttle,
};

/// The job that builds an export.
pub const EXPORT_JOB: &str = "personal_data_export";
/// How long a built export can be downloaded.
pub const EXPORT_TTL_HOURS: i64 = 24;

/// Asks for an export of the caller's data (3 per hour); it is built in the background.
pub async fn request_export(state: &App, caller: &Caller) -> AppResult<ExportRow> {
    throttle::check(state, &format!("export:{}", caller.user_id), 3, 3600).await?;
    let uow = UnitOfWork::begin(state).await?;
    let id = personal_data::create_export(uow.tx(), caller.user_id).await?;
    uow.enqueue(NewJob {
        kind: EXPORT_JOB.into(),
        // Organizations that require two-factor sign-in are exported only to a sign-in that
        // passed it.
        payload: json!({ "export": id, "second_factor": caller.second_factor }),
        organization_id: None,
        run_at: state.clock.now(),
        max_attempts: 5,
        dedupe_key: Some(format!("export:{id}")),
    })
    .await?;
    let row = personal_data::get_export(uow.tx(), caller.user_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    uow.commit().await?;
    Ok(row)
}

/// One of the caller's exports (another person's is not found).
pub async fn export(state: &App, caller: &Caller, id: Uuid) -> AppResult<ExportRow> {
    personal_data::get_export(state.db.conn(), caller.user_id, id)
        .await?
        .ok_or(AppError::NotFound)
}

/// Whether a ready export is past its 24 hours.
pub fn expired(state: &App, row: &ExportRow) -> bool {
    row.expires_at.is_some_and(|at| at <= state.clock.now())
}

/// The archive of a ready, unexpired export of the caller.
pub async fn download(state: &App, caller: &Caller, id: Uuid) -> AppResult<String> {
    let row = export(state, caller, id).await?;
    if row.status != "ready" {
        return Err(AppError::conflict(
            ErrorCode::Conflict,
            "The export is not ready yet; poll its status.",
        ));
    }
    if expired(state, &row) {
        return Err(AppError::NotFoundDetail(
            "This export has expired; ask for a new one.".into(),
        ));
    }
    personal_data::archive(state.db.conn(), caller.user_id, id)
        .await?
        .ok_or(AppError::NotFound)
}

/// The `personal_data_export` job: collects the person's data into one JSON document.
pub fn handlers(handlers: Handlers) -> Handlers {
    handlers.on(EXPORT_JOB, |app: App, job| async move {
        let id = job.payload["export"]
            .as_str()
            .and_then(|s| s.parse::<Uuid>().ok())
            .ok_or_else(|| JobFailure::Permanent("export job without an id".into()))?;
        let second_factor = job.payload["second_factor"].as_bool().unwrap_or(false);
        match build(&app, id, second_factor).await {
            Ok(()) => Ok(()),
            Err(e) if job.attempts >= job.max_attempts => {
                // The last attempt: say so, rather than leave the export pending for good.
                if let Ok(tx) = app.db.begin_write().await {
                    let _ = personal_data::fail_export(&tx, id, &e.to_string()).await;
                    let _ = switchyard_store::commit(tx).await;
                }
                Err(JobFailure::Permanent(e.to_string()))
            }
            Err(e) => Err(JobFailure::Transient(e.to_string())),
        }
    })
}

async fn build(app: &App, id: Uuid, second_factor: bool) -> AppResult<()> {
    let Some(user_id) = personal_data::pending_owner(app.db.conn(), id).await? else {
        return Ok(());
    };
    let mut doc = Map::new();
    doc.insert("format".into(), json!("switchyard-personal-data/1"));
    doc.insert("generated_at".into(), json!(app.clock.now()));
    for (name, items) in personal_data::collect(app.db.conn(), user_id, second_factor).await? {
        let value = if name == "profile" {
            items.into_iter().next().unwrap_or(Json::Null)
        } else {
            Json::Array(items)
        };
        doc.insert(name.into(), value);
    }
    let archive = serde_json::to_string_pretty(&Json::Object(doc))
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let expires = app.clock.now() + chrono::Duration::hours(EXPORT_TTL_HOURS);
    let tx = app.db.begin_write().await?;
    personal_data::finish_export(&tx, id, &archive, expires).await?;
    switchyard_store::commit(tx).await?;
    Ok(())
}

/// The pseudonym an erased person is shown as.
fn pseudonym(id: Uuid) -> String {
    format!("deleted-user-{}", &id.simple().to_string()[20..])
}

/// Inside every JSON object that names the person by id (`"assigned_to": "<id>"`,
/// `"user": "<id>"`), replaces the names (values of the audit chain's personal keys,
/// `username` and `email`) equal to one of `from` (their old username or email) by `to`.
/// Nothing else changes — not a role called like the person, not another person's name —
/// which is also what keeps the audit log's hash chain intact: it leaves those keys out.
fn scrub(value: &mut Json, id: &str, from: &[&str], to: &str) {
    match value {
        Json::Array(items) => items.iter_mut().for_each(|v| scrub(v, id, from, to)),
        Json::Object(map) => {
            let names_them = map.values().any(|v| v.as_str() == Some(id));
            for (key, v) in map.iter_mut() {
                match v {
                    Json::String(s)
                        if names_them
                            && PERSONAL_KEYS.contains(&key.as_str())
                            && from.contains(&s.as_str()) =>
                    {
                        *s = to.to_string()
                    }
                    Json::Array(_) | Json::Object(_) => scrub(v, id, from, to),
                    _ => {}
                }
            }
        }
        _ => {}
    }
}

/// Erases a deactivated member who belongs to no other organization (admins): username,
/// email, skills and password are gone, the name in every audit entry and comment becomes
/// the pseudonym, and no entry is added or removed.
pub async fn erase(state: &App, member: &Member, id: Uuid, reason: String) -> AppResult<UserRow> {
    member.require_admin()?;
    let reason = reason.trim().to_string();
    if reason.is_empty() {
        return Err(AppError::field(
            "reason",
            "Say why (the erasure request it fulfils).",
        ));
    }
    let mut uow = UnitOfWork::begin(state).await?;
    uow.lock(member.tenant, locks::Row::User, id).await?;
    let target = users::get(uow.tx(), member.tenant, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if id == member.user_id {
        return Err(AppError::bad_request(
            ErrorCode::CannotDeleteSelf,
            "You cannot erase your own account.",
        ));
    }
    if target.deactivated_at.is_none() {
        return Err(AppError::conflict(
            ErrorCode::Conflict,
            format!(
                "Deactivate {} first: that releases their work; erasure then changes only names.",
                target.username
            ),
        ));
    }
    let (orgs, _) =
        memberships::list_for_user(uow.tx(), id, switchyard_store::Page { number: 1, size: 2 })
            .await?;
    if orgs.len() > 1 {
        return Err(AppError::conflict(
            ErrorCode::Conflict,
            "This person also belongs to other organizations; remove them from this one instead (DELETE /users/{id}/).",
        ));
    }
    let alias = pseudonym(id);
    let old = personal_data::identity(uow.tx(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    personal_data::allow_erasure(uow.tx(), id).await?;
    let from: Vec<&str> = [old.username.as_str(), old.email.as_str()]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect();
    let id_text = id.to_string();
    for mut entry in personal_data::entries_naming(uow.tx(), member.tenant, id).await? {
        if entry.performed_by_name == old.username {
            entry.performed_by_name = alias.clone();
        }
        for value in [&mut entry.old_value, &mut entry.new_value]
            .into_iter()
            .flatten()
        {
            scrub(value, &id_text, &from, &alias);
        }
        personal_data::rewrite_entry(uow.tx(), member.tenant, &entry).await?;
    }
    personal_data::close_erasure(uow.tx(), id).await?;
    personal_data::erase_invitations(uow.tx(), member.tenant, id, &old.email, &alias).await?;
    let picture = users::avatar_key(uow.tx(), id).await?;
    personal_data::erase_account(uow.tx(), id, &alias, "!").await?;
    uow.record(
        member,
        Event::MemberErased {
            user_id: id,
            pseudonym: alias.clone(),
            reason,
        },
    )
    .await?;
    let row = users::get(uow.tx(), member.tenant, id)
        .await?
        .ok_or(AppError::NotFound)?;
    uow.commit().await?;
    if let Some(key) = picture {
        state.files.delete(&key).await.ok();
    }
    tracing::info!(user = %id, pseudonym = %alias, "erased a person's identifying data");
    Ok(row)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_names_beside_the_persons_id_are_replaced() {
        let mut v = json!({
            "user": "id-1", "username": "admin", "role": "admin",
            "other": {"assigned_to": "id-2", "username": "admin"}
        });
        scrub(&mut v, "id-1", &["admin"], "deleted-user-1");
        assert_eq!(
            v,
            json!({
                "user": "id-1", "username": "deleted-user-1", "role": "admin",
                "other": {"assigned_to": "id-2", "username": "admin"}
            })
        );
        assert!(pseudonym(Uuid::now_v7()).starts_with("deleted-user-"));
    }
}
