//! `/api/v1/audit-logs/`: read-only; every write method answers 405.

use axum::{Json, extract::State};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use switchyard_store::audit::{Action, AuditFilter, AuditRow};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use switchyard_app::audit;

use crate::{
    auth::Member,
    error::{ApiError, ApiResult, ErrorBody},
    extract::{ApiQuery, IdPath, PageQuery, Paginated, filters, pagination::PageParams},
    routes::tags,
    state::AppState,
};

/// One recorded change.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditOut {
    pub id: Uuid,
    /// The task's id (kept after the task is deleted).
    pub task: Option<Uuid>,
    pub task_key: String,
    /// created, updated, state_changed, assigned, commented, sla_breached or deleted for tasks;
    /// invited, invitation_revoked, joined, deactivated or reactivated for memberships.
    pub action: String,
    /// Null for the system.
    pub performed_by: Option<Uuid>,
    pub performed_by_name: String,
    #[schema(value_type = Option<Object>)]
    pub old_value: Option<Value>,
    #[schema(value_type = Option<Object>)]
    pub new_value: Option<Value>,
    pub reason: String,
    pub timestamp: DateTime<Utc>,
}

impl From<AuditRow> for AuditOut {
    fn from(a: AuditRow) -> Self {
        AuditOut {
            performed_by_name: a.actor_name(),
            id: a.id,
            task: a.task_id,
            task_key: a.task_key,
            action: a.action,
            performed_by: a.performed_by,
            old_value: a.old_value,
            new_value: a.new_value,
            reason: a.reason,
            timestamp: a.timestamp,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditListParams {
    pub task: Option<String>,
    pub action: Option<String>,
    pub performed_by: Option<String>,
}

/// The audit log, newest first, filterable by task, action and performer.
#[utoipa::path(get, path = "/api/v1/audit-logs", tag = tags::AUDIT, params(PageParams, AuditListParams), security(("bearer" = [])),
    responses((status = 200, body = Paginated<AuditOut>), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    member: Member,
    page: PageQuery,
    ApiQuery(q): ApiQuery<AuditListParams>,
) -> ApiResult<Json<Paginated<AuditOut>>> {
    let action = match q.action.filter(|a| !a.is_empty()) {
        Some(a) if Action::parse(&a).is_some() => Some(a),
        Some(a) => {
            return Err(ApiError::field(
                "action",
                format!(
                    "Unknown action '{a}'. Allowed: {}.",
                    Action::ALL.map(Action::as_str).join(", ")
                ),
            ));
        }
        None => None,
    };
    let filter = AuditFilter {
        task: filters::uuid_param("task", q.task.as_deref())?,
        action,
        performed_by: filters::uuid_param("performed_by", q.performed_by.as_deref())?,
        // Set from the caller by the use case.
        scope: Default::default(),
    };
    let (rows, count) = audit::list(&state.app, &member, filter, page.page).await?;
    Ok(Json(
        page.wrap(rows.into_iter().map(Into::into).collect(), count)?,
    ))
}

/// One entry.
#[utoipa::path(get, path = "/api/v1/audit-logs/{id}", tag = tags::AUDIT, params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses((status = 200, body = AuditOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    member: Member,
    IdPath(id): IdPath,
) -> ApiResult<Json<AuditOut>> {
    Ok(Json(audit::get(&state.app, &member, id).await?.into()))
}

/// The organization's whole audit log in chain order, as JSON lines with each entry's chain
/// fields (`seq`, `prev_hash`, `hash`), to keep or to verify offline (admins). Streamed page
/// by page: a large log never sits in memory.
#[utoipa::path(get, path = "/api/v1/audit-logs/export", tag = tags::AUDIT, security(("bearer" = [])),
    responses(
        (status = 200, content_type = "application/x-ndjson", body = String,
         description = "One JSON object per line, oldest first",
         example = json!("{\"organization\":\"0193…\",\"seq\":1,\"id\":\"0193…\",\"task_id\":\"0193…\",\"task_key\":\"ACME-0001\",\"action\":\"created\",\"performed_by\":\"0193…\",\"performed_by_name\":\"admin\",\"old_value\":null,\"new_value\":{\"state\":\"open\",\"title\":\"T\"},\"reason\":\"\",\"timestamp\":\"2026-11-30T12:00:00.123456Z\",\"timestamp_us\":1764504000123456,\"prev_hash\":\"0000…\",\"hash\":\"5f1c…\"}\n")),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn export(
    State(state): State<AppState>,
    member: Member,
) -> ApiResult<axum::response::Response> {
    // The first page is read before answering, so refusals and faults get their status.
    let first = audit::export_page(&state.app, &member, 0).await?;
    let pages = futures_util::stream::unfold(Some((first, state, member)), |next| async move {
        let (page, state, member) = next?;
        let after = page.last().and_then(|e| e.seq)?;
        let mut lines = Vec::with_capacity(page.len() * 512);
        for e in &page {
            serde_json::to_writer(&mut lines, &e.to_json()).ok();
            lines.push(b'\n');
        }
        let more = page.len() as u64 == audit::EXPORT_PAGE;
        let next = if more {
            match audit::export_page(&state.app, &member, after).await {
                Ok(p) => Some((p, state, member)),
                // Cutting the stream short tells the client the export is incomplete.
                Err(e) => return Some((Err(std::io::Error::other(e.to_string())), None)),
            }
        } else {
            None
        };
        Some((Ok(axum::body::Bytes::from(lines)), next))
    });
    axum::response::Response::builder()
        .header(axum::http::header::CONTENT_TYPE, "application/x-ndjson")
        .header(
            axum::http::header::CONTENT_DISPOSITION,
            "attachment; filename=\"audit-log.jsonl\"",
        )
        .body(axum::body::Body::from_stream(pages))
        .map_err(|e| ApiError::Internal(e.to_string()))
}
