//! Dashboard figures from SQL aggregates: a fixed number of queries per request.

use std::collections::BTreeMap;

use chrono::Duration;
use switchyard_domain::{sla, workflow};
use switchyard_store::{Page, audit, dashboard, organizations, tallies, workflows};
use uuid::Uuid;

use crate::{App, AppError, AppResult, Member};

/// The overview's figures.
#[derive(Debug, Clone, Default)]
pub struct Overview {
    pub total_tasks: i64,
    pub by_state: BTreeMap<String, i64>,
    pub by_priority: BTreeMap<String, i64>,
    pub by_type: BTreeMap<String, i64>,
    pub unassigned: i64,
    pub created_7d: i64,
    pub completed_7d: i64,
    /// The start of the seven days counted (so a client can list exactly those tasks).
    pub since: chrono::DateTime<chrono::Utc>,

    pub total_active: i64,
    pub healthy: i64,
    pub at_risk: i64,
    pub breached: i64,
    pub breach_rate: f64,
}

/// Totals, breakdowns and SLA health of the organization: the trigger-kept tallies (a few
/// hundred rows at most) plus four index range counts for what depends on the time, so the
/// cost does not grow with the number of tasks.
pub async fn overview(state: &App, member: &Member) -> AppResult<Overview> {
    let c = state.db.conn();
    let now = state.clock.now();
    let org = organizations::get(c, member.tenant)
        .await?
        .ok_or(AppError::NotFound)?;
    let flows = workflows::states(c, member.tenant).await?;
    let default_states = flows
        .iter()
        .find(|w| w.is_default)
        .map(|w| w.allowed_states.0.clone())
        .unwrap_or_default();
    let tallies = tallies::all(c, member.tenant).await?;
    let times = tallies::time_counts(
        c,
        member.tenant,
        now,
        now - Duration::days(7),
        now + Duration::hours(sla::AT_RISK_WINDOW_HOURS),
    )
    .await?;
    let zeros = |keys: &[String]| {
        keys.iter()
            .map(|k| (k.clone(), 0))
            .collect::<BTreeMap<_, _>>()
    };
    let mut out = Overview {
        by_state: zeros(&default_states),
        by_priority: zeros(&org.allowed_priorities.0),
        by_type: zeros(&org.allowed_task_types.0),
        created_7d: times.created_7d,
        completed_7d: times.completed_7d,
        since: now - Duration::days(7),
        breached: times.overdue_unflagged,
        at_risk: times.at_risk,
        ..Default::default()
    };
    for t in tallies {
        let active = flows
            .iter()
            .find(|w| w.id == t.workflow_id)
            .is_none_or(|w| workflow::is_active(&w.final_states.0, &t.current_state));
        *out.by_state.entry(t.current_state).or_default() += t.n;
        *out.by_priority.entry(t.priority).or_default() += t.n;
        *out.by_type.entry(t.task_type).or_default() += t.n;
        out.total_tasks += t.n;
        if active {
            out.total_active += t.n;
            out.unassigned += if t.unassigned { t.n } else { 0 };
            out.breached += if t.sla_breached { t.n } else { 0 };
        }
    }
    out.healthy = (out.total_active - out.breached - out.at_risk).max(0);
    out.breach_rate = sla::breach_rate(out.breached as u64, out.total_active as u64);
    Ok(out)
}

/// One person's workload and track record.
#[derive(Debug, Clone)]
pub struct Performance {
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

/// Every member at manager or worker level, busiest first (two queries).
pub async fn team_performance(state: &App, member: &Member) -> AppResult<Vec<Performance>> {
    let c = state.db.conn();
    let roles = member.work_roles();
    let people = dashboard::members_with_roles(c, member.tenant, &roles).await?;
    let stats = dashboard::assignee_stats(c, member.tenant).await?;
    let mut out: Vec<Performance> = people
        .into_iter()
        .map(|p| {
            let s = stats.iter().find(|s| s.assigned_to == p.user_id);
            let active = s.map_or(0, |s| s.active_tasks);
            let workload = if p.max_concurrent_tasks > 0 {
                (active as f64 / p.max_concurrent_tasks as f64 * 1000.0).round() / 10.0
            } else if active > 0 {
                100.0
            } else {
                0.0
            };
            Performance {
                user_id: p.user_id,
                username: p.username,
                role: p.role,
                active_tasks: active,
                completed_tasks: s.map_or(0, |s| s.completed_tasks),
                sla_breaches: s.map_or(0, |s| s.sla_breaches),
                avg_resolution_hours: s
                    .and_then(|s| s.avg_resolution_seconds)
                    .map(|secs| (secs / 3600.0 * 10.0).round() / 10.0),
                workload_percentage: workload,
                max_concurrent_tasks: p.max_concurrent_tasks,
            }
        })
        .collect();
    out.sort_by(|a, b| {
        b.active_tasks
            .cmp(&a.active_tasks)
            .then_with(|| a.username.cmp(&b.username))
    });
    Ok(out)
}

/// The most recent audit entries (one query).
pub async fn activity(state: &App, member: &Member, limit: u64) -> AppResult<Vec<audit::AuditRow>> {
    let (rows, _) = audit::list(
        state.db.conn(),
        member.tenant,
        &audit::AuditFilter::default(),
        Page {
            number: 1,
            size: limit.clamp(1, 100),
        },
    )
    .await?;
    Ok(rows)
}
