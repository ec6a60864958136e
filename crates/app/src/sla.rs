//! The SLA check: one implementation behind `POST /dashboard/sla-check/`, `switchyard
//! check-sla` and the scheduled sweep in `serve`.

use std::time::Instant;

use chrono::{DateTime, Utc};
use switchyard_domain::sla::{self, SlaStatus};
use switchyard_store::{Tenant, sla::DueTask};

use crate::{Actor, App, AppResult, Event, Member, UnitOfWork};

/// The name the audit log and events give the sweep.
pub const SWEEP_ACTOR: &str = "SLA sweep";

/// Reason written on every breach entry.
pub const BREACH_REASON: &str = "Task exceeded SLA deadline";

/// What one check found and did.
#[derive(Debug, Clone, Default)]
pub struct SlaReport {
    /// Active tasks examined.
    pub checked: u64,
    /// Tasks flagged by this run (each got one audit entry).
    pub newly_breached: u64,
    /// Tasks un-flagged because their due date moved or went away.
    pub unflagged: u64,
    /// Every active task past due, with hours overdue.
    pub breached: Vec<(DueTask, f64)>,
    /// Active tasks due within 24 hours, with hours remaining.
    pub at_risk: Vec<(DueTask, f64)>,
}

/// Checks one organization at `now`. With `skip_if_busy`, returns `None` when another
/// instance holds the organization's sweep lock (PostgreSQL).
pub async fn check(
    app: &App,
    tenant: Tenant,
    now: DateTime<Utc>,
    skip_if_busy: bool,
) -> AppResult<Option<SlaReport>> {
    let mut uow = UnitOfWork::begin(app).await?;
    if skip_if_busy && !switchyard_store::sla::try_lock_sweep(uow.tx(), tenant).await? {
        return Ok(None);
    }
    let system = Actor::system(tenant, SWEEP_ACTOR);
    let mut report = SlaReport {
        checked: switchyard_store::sla::active_count(uow.tx(), tenant, &Default::default()).await?,
        ..Default::default()
    };
    for task in switchyard_store::sla::active_due(uow.tx(), tenant).await? {
        match sla::status(Some(task.due_date), now) {
            SlaStatus::Breached { hours_overdue } => {
                if switchyard_store::sla::flag(uow.tx(), tenant, task.id, now).await? {
                    report.newly_breached += 1;
                    uow.record(
                        &system,
                        Event::SlaBreached {
                            task_id: task.id,
                            task_key: task.task_key.clone(),
                            due_date: task.due_date,
                            reason: BREACH_REASON.into(),
                        },
                    )
                    .await?;
                }
                report.breached.push((task, hours_overdue));
            }
            SlaStatus::AtRisk { hours_remaining } => report.at_risk.push((task, hours_remaining)),
            SlaStatus::Healthy => {}
        }
    }
    report.unflagged = switchyard_store::sla::unflag_rescheduled(uow.tx(), tenant, now).await?;
    uow.commit().await?;
    Ok(Some(report))
}

/// Checks the member's organization now (every level but read-only). The check covers
/// every task; the report shows the member only the tasks they may see.
pub async fn check_for(app: &App, member: &Member) -> AppResult<SlaReport> {
    member.require_writer()?;
    let mut report = check(app, member.tenant, app.clock.now(), false)
        .await?
        .unwrap_or_default();
    let c = app.db.conn();
    let reach = crate::projects::Reach::load(c, member).await?;
    let scope = reach.scope();
    if scope != switchyard_store::projects::TaskScope::All {
        let visible = |(t, _): &(DueTask, f64)| {
            reach.right(t.project_id) != crate::projects::TaskRight::Hidden
        };
        report.breached.retain(visible);
        report.at_risk.retain(visible);
        // Flagged by this run: those it found unflagged.
        report.newly_breached = report
            .breached
            .iter()
            .filter(|(t, _)| !t.sla_breached)
            .count() as u64;
        report.checked = switchyard_store::sla::active_count(c, member.tenant, &scope).await?;
    }
    Ok(report)
}

/// Checks every organization (or those `filter` keeps), recording sweep metrics. Returns
/// each organization's slug and report; organizations another instance is sweeping are
/// left out.
pub async fn sweep(
    app: &App,
    now: DateTime<Utc>,
    filter: impl Fn(&str) -> bool,
) -> AppResult<Vec<(String, SlaReport)>> {
    let started = Instant::now();
    let mut out = Vec::new();
    for (tenant, slug) in switchyard_store::sla::all_tenants(app.db.conn()).await? {
        if !filter(&slug) {
            continue;
        }
        if let Some(report) = check(app, tenant, now, true).await? {
            out.push((slug, report));
        }
    }
    let newly: u64 = out.iter().map(|(_, r)| r.newly_breached).sum();
    metrics::counter!("sla_sweep_runs_total").increment(1);
    metrics::counter!("sla_tasks_newly_breached_total").increment(newly);
    metrics::histogram!("sla_sweep_duration_seconds").record(started.elapsed().as_secs_f64());
    Ok(out)
}
