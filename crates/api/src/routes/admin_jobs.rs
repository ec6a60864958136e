//! `/api/v1/admin/jobs/`: an organization admin's view of its background jobs.

use axum::{Json, extract::State};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use switchyard_store::jobs::{JobFilter, JobRow, JobState};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::{
    auth::Member,
    error::{ApiError, ApiResult, ErrorBody},
    extract::{ApiQuery, PageQuery, Paginated, pagination::PageParams},
    routes::tags,
    state::AppState,
};

/// A background job.
#[derive(Debug, Serialize, ToSchema)]
pub struct JobOut {
    pub id: Uuid,
    #[schema(example = "email")]
    pub kind: String,
    /// pending, running, succeeded or dead.
    #[schema(example = "dead")]
    pub state: String,
    #[schema(value_type = Object)]
    pub payload: Value,
    pub attempts: i32,
    pub max_attempts: i32,
    /// When it runs next (pending) or last became due.
    pub run_at: DateTime<Utc>,
    /// The last failure's message.
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

impl From<JobRow> for JobOut {
    fn from(j: JobRow) -> Self {
        JobOut {
            id: j.id,
            kind: j.kind,
            state: j.state,
            payload: j.payload,
            attempts: j.attempts,
            max_attempts: j.max_attempts,
            run_at: j.run_at,
            last_error: j.last_error,
            created_at: j.created_at,
            finished_at: j.finished_at,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct JobListParams {
    /// pending, running, succeeded or dead.
    pub state: Option<String>,
    pub kind: Option<String>,
}

/// The organization's background jobs, newest first (admin).
#[utoipa::path(get, path = "/api/v1/admin/jobs", tag = tags::OPERATIONS, params(PageParams, JobListParams), security(("bearer" = [])),
    responses((status = 200, body = Paginated<JobOut>), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    member: Member,
    page: PageQuery,
    ApiQuery(q): ApiQuery<JobListParams>,
) -> ApiResult<Json<Paginated<JobOut>>> {
    let job_state = match q.state.filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(JobState::parse(&s).ok_or_else(|| {
            ApiError::field(
                "state",
                format!("Unknown state '{s}'. Allowed: pending, running, succeeded, dead."),
            )
        })?),
    };
    let filter = JobFilter {
        state: job_state,
        kind: q.kind.filter(|k| !k.is_empty()),
        tenant: None,
    };
    let (rows, count) =
        switchyard_app::jobs::list_for(&state.app, &member, filter, page.page).await?;
    Ok(Json(
        page.wrap(rows.into_iter().map(Into::into).collect(), count)?,
    ))
}
