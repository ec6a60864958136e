//! `/api/v1/notifications/`: the caller's in-app notifications in their organization.

use axum::{Json, extract::State};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value as Json_;
use switchyard_app::notifications;
use switchyard_store::notifications::NotificationRow;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::{
    auth::Member,
    error::{ApiResult, ErrorBody},
    extract::{ApiJson, ApiQuery, IdPath, PageQuery, Paginated, filters, pagination::PageParams},
    routes::tags,
    state::AppState,
};

/// Something that happened which concerns the caller.
#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationOut {
    pub id: Uuid,
    /// One of `assigned`, `unassigned`, `comment`, `mention`, `transitioned`,
    /// `sla_breached`, `collaborator_added`, `project_member_added`, `invitation_accepted`.
    #[schema(example = "assigned")]
    pub kind: String,
    /// The task it is about (null for project and invitation notifications, and once the
    /// task is deleted the link answers 404).
    pub task: Option<Uuid>,
    #[schema(example = "NOVA-0042")]
    pub task_key: String,
    /// Who caused it (null for the system, e.g. the SLA sweep).
    pub actor: Option<Uuid>,
    #[schema(example = "manager_user")]
    pub actor_name: String,
    #[schema(example = "manager_user assigned NOVA-0042 to you.")]
    pub message: String,
    /// Kind-specific details (`from_state`/`to_state`, `comment`, `project`, `due_date` …).
    #[schema(value_type = Object)]
    pub data: Json_,
    pub is_read: bool,
    pub read_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl From<NotificationRow> for NotificationOut {
    fn from(n: NotificationRow) -> Self {
        NotificationOut {
            id: n.id,
            kind: n.kind,
            task: n.task_id,
            task_key: n.task_key,
            actor: n.actor_id,
            actor_name: n.actor_name,
            message: n.message,
            data: n.data,
            is_read: n.read_at.is_some(),
            read_at: n.read_at,
            created_at: n.created_at,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NotificationListParams {
    /// `true`: only the unread ones.
    pub unread: Option<String>,
}

/// The caller's notifications, newest first (`?unread=true` for the unread ones).
#[utoipa::path(get, path = "/api/v1/notifications", tag = tags::NOTIFICATIONS, params(PageParams, NotificationListParams), security(("bearer" = [])),
    responses((status = 200, body = Paginated<NotificationOut>), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    member: Member,
    page: PageQuery,
    ApiQuery(q): ApiQuery<NotificationListParams>,
) -> ApiResult<Json<Paginated<NotificationOut>>> {
    let unread = filters::bool_param("unread", q.unread.as_deref())?.unwrap_or(false);
    let (rows, count) = notifications::list(&state.app, &member, unread, page.page).await?;
    Ok(Json(
        page.wrap(rows.into_iter().map(Into::into).collect(), count)?,
    ))
}

/// How many notifications the caller has not read.
#[derive(Debug, Serialize, ToSchema)]
pub struct UnreadOut {
    #[schema(example = 3)]
    pub unread: u64,
}

/// The caller's unread count (for a badge).
#[utoipa::path(get, path = "/api/v1/notifications/unread-count", tag = tags::NOTIFICATIONS, security(("bearer" = [])),
    responses((status = 200, body = UnreadOut), (status = 401, body = ErrorBody)))]
pub async fn unread_count(
    State(state): State<AppState>,
    member: Member,
) -> ApiResult<Json<UnreadOut>> {
    Ok(Json(UnreadOut {
        unread: notifications::unread(&state.app, &member).await?,
    }))
}

/// Marks one of the caller's notifications read (already read: unchanged); another
/// person's is a 404.
#[utoipa::path(post, path = "/api/v1/notifications/{id}/read", tag = tags::NOTIFICATIONS, params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses((status = 200, body = NotificationOut), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn read(
    State(state): State<AppState>,
    member: Member,
    IdPath(id): IdPath,
) -> ApiResult<Json<NotificationOut>> {
    Ok(Json(
        notifications::mark_read(&state.app, &member, id)
            .await?
            .into(),
    ))
}

/// How many notifications `read-all` marked.
#[derive(Debug, Serialize, ToSchema)]
pub struct MarkedOut {
    #[schema(example = 3)]
    pub marked: u64,
}

/// Marks all of the caller's notifications read.
#[utoipa::path(post, path = "/api/v1/notifications/read-all", tag = tags::NOTIFICATIONS, security(("bearer" = [])),
    responses((status = 200, body = MarkedOut), (status = 401, body = ErrorBody)))]
pub async fn read_all(State(state): State<AppState>, member: Member) -> ApiResult<Json<MarkedOut>> {
    Ok(Json(MarkedOut {
        marked: notifications::mark_all_read(&state.app, &member).await?,
    }))
}

/// How the caller hears about one kind of notification.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PreferenceOut {
    /// A notification kind (see `NotificationOut.kind`).
    #[schema(example = "comment")]
    pub kind: String,
    /// Shown in the dashboard and `GET /notifications/` (default: true).
    #[schema(example = true)]
    pub in_app: bool,
    /// Sent by email (default: `assigned` and `mention` only). Emails go out for
    /// `assigned`, `comment` (tasks assigned to you) and `mention`; the other kinds are
    /// in-app only for now (their choice is kept).
    #[schema(example = false)]
    pub email: bool,
}

/// The caller's channels for every kind of notification.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PreferencesOut {
    /// One entry per kind (a `PUT` may list only the kinds to change).
    #[schema(example = json!([
        {"kind": "comment", "in_app": true, "email": true},
        {"kind": "transitioned", "in_app": false, "email": false}
    ]))]
    pub preferences: Vec<PreferenceOut>,
}

fn preferences_out(list: Vec<(&'static str, notifications::Channels)>) -> PreferencesOut {
    PreferencesOut {
        preferences: list
            .into_iter()
            .map(|(kind, c)| PreferenceOut {
                kind: kind.to_string(),
                in_app: c.in_app,
                email: c.email,
            })
            .collect(),
    }
}

/// The caller's notification channels, one entry per kind (their choices or the defaults).
#[utoipa::path(get, path = "/api/v1/notifications/preferences", tag = tags::NOTIFICATIONS, security(("bearer" = [])),
    responses((status = 200, body = PreferencesOut), (status = 401, body = ErrorBody)))]
pub async fn preferences(
    State(state): State<AppState>,
    member: Member,
) -> ApiResult<Json<PreferencesOut>> {
    Ok(Json(preferences_out(
        notifications::preferences(&state.app, &member).await?,
    )))
}

/// Sets the caller's channels for the kinds listed (the others keep theirs); answers every
/// kind. An unknown kind is a 400 and nothing changes.
#[utoipa::path(put, path = "/api/v1/notifications/preferences", tag = tags::NOTIFICATIONS, request_body = PreferencesOut, security(("bearer" = [])),
    responses((status = 200, body = PreferencesOut), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn set_preferences(
    State(state): State<AppState>,
    member: Member,
    ApiJson(req): ApiJson<PreferencesOut>,
) -> ApiResult<Json<PreferencesOut>> {
    let choices = req
        .preferences
        .into_iter()
        .map(|p| {
            (
                p.kind,
                notifications::Channels {
                    in_app: p.in_app,
                    email: p.email,
                },
            )
        })
        .collect();
    Ok(Json(preferences_out(
        notifications::set_preferences(&state.app, &member, choices).await?,
    )))
}
