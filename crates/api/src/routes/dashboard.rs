//! `/api/v1/dashboard/`: overview, team performance, activity, SLA check.

use std::collections::BTreeMap;

use axum::{Json, extract::State};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use switchyard_store::sla::DueTask;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use switchyard_app::{dashboard, sla};

use crate::{
    auth::Member,
    error::{ApiResult, ErrorBody},
    extract::ApiQuery,
    routes::tags,
    state::AppState,
};

#[derive(Debug, Serialize, ToSchema)]
pub struct LastSevenDays {
    pub created: i64,
    pub completed: i64,
    /// Where the seven days start: `GET /tasks/?created_after=<since>` (or
    /// `resolved_after=`) lists exactly the tasks counted.
    pub since: chrono::DateTime<chrono::Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OverviewFigures {
    pub total_tasks: i64,
    pub by_state: BTreeMap<String, i64>,
    pub by_priority: BTreeMap<String, i64>,
    pub by_type: BTreeMap<String, i64>,
    /// Active tasks without an assignee.
    pub unassigned: i64,
    pub last_7_days: LastSevenDays,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SlaHealth {
    pub total_active: i64,
    pub healthy: i64,
    pub at_risk: i64,
    pub breached: i64,
    /// Breached / active × 100, one decimal.
    pub breach_rate: f64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OverviewOut {
    pub overview: OverviewFigures,
    pub sla: SlaHealth,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PerformanceOut {
    pub user_id: Uuid,
    pub username: String,
    pub role: String,
    pub active_tasks: i64,
    pub completed_tasks: i64,
    pub sla_breaches: i64,
    pub avg_resolution_hours: Option<f64>,
    pub workload_percentage: f64,
    pub max_concurrent_tasks: i32,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TeamPerformanceOut {
    pub team_performance: Vec<PerformanceOut>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ActivityItem {
    pub task_key: String,
    pub task_title: Option<String>,
    pub action: String,
    /// Username, or "System".
    pub performed_by: String,
    #[schema(value_type = Option<Object>)]
    pub old_value: Option<Value>,
    #[schema(value_type = Option<Object>)]
    pub new_value: Option<Value>,
    pub reason: String,
    pub timestamp: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ActivityOut {
    pub recent_activity: Vec<ActivityItem>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ActivityParams {
    /// How many entries (default 20, at most 100).
    pub limit: Option<u64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SlaTaskOut {
    pub id: Uuid,
    pub task_key: String,
    pub title: String,
    pub priority: String,
    pub assigned_to: Option<String>,
    pub due_date: DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hours_overdue: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hours_remaining: Option<f64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SlaResults {
    pub checked: u64,
    /// Tasks past due (all of them, flagged now or earlier).
    pub breached: usize,
    /// Tasks flagged by this run.
    pub newly_breached: u64,
    pub at_risk: usize,
    pub breached_tasks: Vec<SlaTaskOut>,
    pub at_risk_tasks: Vec<SlaTaskOut>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SlaCheckOut {
    pub message: String,
    pub results: SlaResults,
}

fn sla_task(t: DueTask, overdue: Option<f64>, remaining: Option<f64>) -> SlaTaskOut {
    SlaTaskOut {
        id: t.id,
        task_key: t.task_key,
        title: t.title,
        priority: t.priority,
        assigned_to: t.assigned_to_name,
        due_date: t.due_date,
        hours_overdue: overdue,
        hours_remaining: remaining,
    }
}

/// Task totals by state, priority and type; unassigned work; the last week; SLA health.
#[utoipa::path(get, path = "/api/v1/dashboard/overview", tag = tags::DASHBOARD, security(("bearer" = [])),
    responses((status = 200, body = OverviewOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn overview(
    State(state): State<AppState>,
    member: Member,
) -> ApiResult<Json<OverviewOut>> {
    let o = dashboard::overview(&state.app, &member).await?;
    Ok(Json(OverviewOut {
        overview: OverviewFigures {
            total_tasks: o.total_tasks,
            by_state: o.by_state,
            by_priority: o.by_priority,
            by_type: o.by_type,
            unassigned: o.unassigned,
            last_7_days: LastSevenDays {
                created: o.created_7d,
                completed: o.completed_7d,
                since: o.since,
            },
        },
        sla: SlaHealth {
            total_active: o.total_active,
            healthy: o.healthy,
            at_risk: o.at_risk,
            breached: o.breached,
            breach_rate: o.breach_rate,
        },
    }))
}

/// Workload and track record of everyone at manager or worker level, busiest first.
#[utoipa::path(get, path = "/api/v1/dashboard/team-performance", tag = tags::DASHBOARD, security(("bearer" = [])),
    responses((status = 200, body = TeamPerformanceOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn team_performance(
    State(state): State<AppState>,
    member: Member,
) -> ApiResult<Json<TeamPerformanceOut>> {
    let rows = dashboard::team_performance(&state.app, &member).await?;
    Ok(Json(TeamPerformanceOut {
        team_performance: rows
            .into_iter()
            .map(|p| PerformanceOut {
                user_id: p.user_id,
                username: p.username,
                role: p.role,
                active_tasks: p.active_tasks,
                completed_tasks: p.completed_tasks,
                sla_breaches: p.sla_breaches,
                avg_resolution_hours: p.avg_resolution_hours,
                workload_percentage: p.workload_percentage,
                max_concurrent_tasks: p.max_concurrent_tasks,
            })
            .collect(),
    }))
}

/// The latest changes across the organization.
#[utoipa::path(get, path = "/api/v1/dashboard/activity", tag = tags::DASHBOARD, params(ActivityParams), security(("bearer" = [])),
    responses((status = 200, body = ActivityOut), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn activity(
    State(state): State<AppState>,
    member: Member,
    ApiQuery(q): ApiQuery<ActivityParams>,
) -> ApiResult<Json<ActivityOut>> {
    let rows = dashboard::activity(&state.app, &member, q.limit.unwrap_or(20)).await?;
    Ok(Json(ActivityOut {
        recent_activity: rows
            .into_iter()
            .map(|a| ActivityItem {
                performed_by: a.actor_name(),
                task_key: a.task_key,
                task_title: a.task_title,
                action: a.action,
                old_value: a.old_value,
                new_value: a.new_value,
                reason: a.reason,
                timestamp: a.timestamp,
            })
            .collect(),
    }))
}

/// Runs the SLA check for the caller's organization now (every level but read-only).
#[utoipa::path(post, path = "/api/v1/dashboard/sla-check", tag = tags::DASHBOARD, security(("bearer" = [])),
    responses((status = 200, body = SlaCheckOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn sla_check(
    State(state): State<AppState>,
    member: Member,
) -> ApiResult<Json<SlaCheckOut>> {
    let report = sla::check_for(&state.app, &member).await?;
    Ok(Json(SlaCheckOut {
        message: "SLA check completed".into(),
        results: SlaResults {
            checked: report.checked,
            breached: report.breached.len(),
            newly_breached: report.newly_breached,
            at_risk: report.at_risk.len(),
            breached_tasks: report
                .breached
                .into_iter()
                .map(|(t, h)| sla_task(t, Some(h), None))
                .collect(),
            at_risk_tasks: report
                .at_risk
                .into_iter()
                .map(|(t, h)| sla_task(t, None, Some(h)))
                .collect(),
        },
    }))
}
