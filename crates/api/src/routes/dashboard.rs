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

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TrendParams {
    /// How many local days, today included (default 30, 1–90).
    #[param(example = 30)]
    pub days: Option<u32>,
    /// IANA time zone whose midnights divide the days (default UTC).
    #[param(example = "Europe/Berlin")]
    pub tz: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DayFlowOut {
    #[schema(example = "2026-11-30")]
    pub date: chrono::NaiveDate,
    /// Local midnight in UTC: `GET /tasks/?created_after=<start>` lists from here on.
    #[schema(example = "2026-11-29T23:00:00Z")]
    pub start: DateTime<Utc>,
    #[schema(example = 4)]
    pub created: i64,
    #[schema(example = 3)]
    pub completed: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CycleTimeOut {
    #[schema(example = "bug")]
    pub task_type: String,
    /// Tasks of this type completed in the period.
    #[schema(example = 12)]
    pub completed: i64,
    /// Median hours from creation to completion (one decimal).
    #[schema(example = 6.5)]
    pub median_hours: Option<f64>,
    /// 85th percentile (nearest rank), hours.
    #[schema(example = 30.2)]
    pub p85_hours: Option<f64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OverdueOut {
    /// `null`: overdue tasks nobody is assigned to.
    pub user_id: Option<Uuid>,
    #[schema(example = "dev_alice")]
    pub username: Option<String>,
    #[schema(example = 2)]
    pub overdue: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TrendsOut {
    #[schema(example = "Europe/Berlin")]
    pub time_zone: String,
    /// Start of the first day (UTC).
    pub since: DateTime<Utc>,
    /// One entry per local day, oldest first.
    pub created_vs_completed: Vec<DayFlowOut>,
    /// Per task type, over the tasks completed since `since`.
    pub cycle_time_by_type: Vec<CycleTimeOut>,
    /// Active tasks past due per assignee, most first (the list's `overdue=true`).
    pub overdue_by_assignee: Vec<OverdueOut>,
}

fn hours(seconds: Option<f64>) -> Option<f64> {
    seconds.map(|s| (s / 3600.0 * 10.0).round() / 10.0)
}

/// Created vs completed per day, cycle time per task type, overdue work per assignee.
#[utoipa::path(get, path = "/api/v1/dashboard/trends", tag = tags::DASHBOARD, params(TrendParams), security(("bearer" = [])),
    responses((status = 200, body = TrendsOut), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn trends(
    State(state): State<AppState>,
    member: Member,
    ApiQuery(q): ApiQuery<TrendParams>,
) -> ApiResult<Json<TrendsOut>> {
    let tz = dashboard::time_zone(q.tz.as_deref())?;
    let t = dashboard::trends(&state.app, &member, q.days.unwrap_or(30), tz).await?;
    Ok(Json(TrendsOut {
        time_zone: t.time_zone.name().to_owned(),
        since: t.since,
        created_vs_completed: t
            .days
            .into_iter()
            .map(|d| DayFlowOut {
                date: d.date,
                start: d.start,
                created: d.created,
                completed: d.completed,
            })
            .collect(),
        cycle_time_by_type: t
            .cycle_times
            .into_iter()
            .map(|c| CycleTimeOut {
                task_type: c.task_type,
                completed: c.completed,
                median_hours: hours(c.median_seconds),
                p85_hours: hours(c.p85_seconds),
            })
            .collect(),
        overdue_by_assignee: t
            .overdue
            .into_iter()
            .map(|o| OverdueOut {
                user_id: o.user_id,
                username: o.username,
                overdue: o.overdue,
            })
            .collect(),
    }))
}
