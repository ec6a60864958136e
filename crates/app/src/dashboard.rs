//! Dashboard figures from SQL aggregates: a fixed number of queries per request.

use std::{collections::BTreeMap, str::FromStr};

use chrono::{DateTime, Days, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use switchyard_domain::{sla, workflow};
use switchyard_store::{
    Page, Tenant, audit, dashboard, organizations, projects::TaskScope, tallies, workflows,
};
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
    let scope = crate::projects::scope(c, member).await?;
    let tallies = tallies::all(c, member.tenant, &scope).await?;
    let times = tallies::time_counts(
        c,
        member.tenant,
        &scope,
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
    let scope = crate::projects::scope(c, member).await?;
    let stats = dashboard::assignee_stats(c, member.tenant, &scope).await?;
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
        &audit::AuditFilter {
            scope: crate::projects::scope(state.db.conn(), member).await?,
            ..Default::default()
        },
        Page {
            number: 1,
            size: limit.clamp(1, 100),
        },
    )
    .await?;
    Ok(rows)
}

/// One local day of the trend: tasks created and completed in it.
#[derive(Debug, Clone)]
pub struct DayFlow {
    pub date: chrono::NaiveDate,
    /// Where the day starts, in UTC (local midnight in the requested zone).
    pub start: DateTime<Utc>,
    pub created: i64,
    pub completed: i64,
}

/// What managers look at over a period: flow per day, cycle time per type, who holds the
/// overdue work.
#[derive(Debug, Clone)]
pub struct Trends {
    pub time_zone: Tz,
    pub since: DateTime<Utc>,
    pub days: Vec<DayFlow>,
    pub cycle_times: Vec<dashboard::CycleTime>,
    pub overdue: Vec<dashboard::OverdueCount>,
}

/// The longest period `trends` covers, in days.
pub const MAX_TREND_DAYS: u32 = 90;

/// Parses an IANA time zone name for `trends` (400 on an unknown one).
pub fn time_zone(name: Option<&str>) -> AppResult<Tz> {
    match name.map(str::trim).filter(|n| !n.is_empty()) {
        None => Ok(Tz::UTC),
        Some(n) => {
            Tz::from_str(n).map_err(|_| AppError::field("tz", format!("Unknown time zone '{n}'.")))
        }
    }
}

/// The last `days` local days (today included) in `tz`: created and completed per day from
/// the hourly buckets (an hour counts for the day holding its middle, exact for zones whose
/// offset is whole hours), cycle times of the tasks completed in the period, and overdue
/// work per assignee now. Three queries whatever the number of tasks.
///
/// Answers are kept for [`TREND_TTL`] per organization, period and zone (in this process):
/// the cycle-time ranking reads every task completed in the period, and a dashboard's figures
/// a minute old are as useful as fresh ones, while 32 people opening it at once should not
/// cost 32 rankings.
pub async fn trends(state: &App, member: &Member, days: u32, tz: Tz) -> AppResult<Trends> {
    if !(1..=MAX_TREND_DAYS).contains(&days) {
        return Err(AppError::field(
            "days",
            format!("Choose between 1 and {MAX_TREND_DAYS} days."),
        ));
    }
    let now = state.clock.now();
    // Readers kept out of some projects see other figures: their answers are their own.
    let scope = crate::projects::scope(state.db.conn(), member).await?;
    let reader = (scope != switchyard_store::projects::TaskScope::All).then_some(member.user_id);
    let key = (
        member.tenant.id(),
        reader,
        days,
        tz,
        now.timestamp().div_euclid(60),
    );
    if let Some(hit) = trend_cache::get(&key) {
        return Ok(hit);
    }
    let out = compute_trends(state, member.tenant, &scope, days, tz, now).await?;
    trend_cache::put(key, out.clone());
    Ok(out)
}

/// Recently computed trends, per (organization, days, zone, clock minute).
mod trend_cache {
    use std::{
        collections::HashMap,
        sync::{LazyLock, Mutex},
        time::Instant,
    };

    use super::{TREND_TTL, Trends, Tz, Uuid};

    pub(super) type Key = (Uuid, Option<Uuid>, u32, Tz, i64);

    static CACHE: LazyLock<Mutex<HashMap<Key, (Instant, Trends)>>> =
        LazyLock::new(|| Mutex::new(HashMap::new()));

    pub(super) fn get(key: &Key) -> Option<Trends> {
        let cache = CACHE.lock().unwrap_or_else(|e| e.into_inner());
        cache
            .get(key)
            .filter(|(at, _)| at.elapsed() < TREND_TTL)
            .map(|(_, t)| t.clone())
    }

    pub(super) fn put(key: Key, trends: Trends) {
        let mut cache = CACHE.lock().unwrap_or_else(|e| e.into_inner());
        // Old entries go whenever a new one comes, so the map holds one minute's keys.
        cache.retain(|_, (at, _)| at.elapsed() < TREND_TTL);
        cache.insert(key, (Instant::now(), trends));
    }
}

/// How long computed trends are reused.
pub const TREND_TTL: std::time::Duration = std::time::Duration::from_secs(60);

async fn compute_trends(
    state: &App,
    tenant: Tenant,
    scope: &TaskScope,
    days: u32,
    tz: Tz,
    now: DateTime<Utc>,
) -> AppResult<Trends> {
    let c = state.db.conn();
    let today = now.with_timezone(&tz).date_naive();
    let dates: Vec<NaiveDate> = (0..days)
        .rev()
        .filter_map(|back| today.checked_sub_days(Days::new(u64::from(back))))
        .collect();
    let starts: Vec<DateTime<Utc>> = dates.iter().map(|d| local_midnight(tz, *d)).collect();
    let since = starts.first().copied().unwrap_or(now);
    let hours =
        dashboard::hourly_flow(c, tenant, scope, since.timestamp().div_euclid(3600)).await?;
    let mut out: Vec<DayFlow> = dates
        .iter()
        .zip(&starts)
        .map(|(date, start)| DayFlow {
            date: *date,
            start: *start,
            created: 0,
            completed: 0,
        })
        .collect();
    for h in hours {
        let middle = h.hour * 3600 + 1800;
        if let Some(day) = starts.iter().rposition(|s| s.timestamp() <= middle) {
            out[day].created += h.created;
            out[day].completed += h.completed;
        }
    }
    Ok(Trends {
        time_zone: tz,
        since,
        days: out,
        cycle_times: dashboard::cycle_times(c, tenant, scope, since).await?,
        overdue: dashboard::overdue_by_assignee(c, tenant, scope, now).await?,
    })
}

/// Midnight of `date` in `tz` as a UTC instant; where midnight does not exist (a daylight
/// saving jump at midnight) the first instant of the day after the gap.
fn local_midnight(tz: Tz, date: NaiveDate) -> DateTime<Utc> {
    let mut t = date.and_time(NaiveTime::MIN);
    loop {
        if let Some(at) = tz.from_local_datetime(&t).earliest() {
            return at.with_timezone(&Utc);
        }
        t += Duration::minutes(15);
    }
}
