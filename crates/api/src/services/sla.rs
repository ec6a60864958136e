//! The SLA check: one implementation behind `POST /dashboard/sla-check/`, `switchyard
//! check-sla` and the scheduled sweep in `serve`.

use std::time::Instant;

use chrono::{DateTime, Utc};
use serde_json::json;
use switchyard_domain::sla::{self, SlaStatus};
use switchyard_store::{Db, Tenant, audit, commit, sla::DueTask};

use crate::error::ApiResult;

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
    db: &Db,
    tenant: Tenant,
    now: DateTime<Utc>,
    skip_if_busy: bool,
) -> ApiResult<Option<SlaReport>> {
    let tx = db.begin_write().await?;
    if skip_if_busy && !switchyard_store::sla::try_lock_sweep(&tx, tenant).await? {
        return Ok(None);
    }
    let mut report = SlaReport {
        checked: switchyard_store::sla::active_count(&tx, tenant).await?,
        ..Default::default()
    };
    for task in switchyard_store::sla::active_due(&tx, tenant).await? {
        match sla::status(Some(task.due_date), now) {
            SlaStatus::Breached { hours_overdue } => {
                if switchyard_store::sla::flag(&tx, tenant, task.id, now).await? {
                    report.newly_breached += 1;
                    audit::record(
                        &tx,
                        tenant,
                        audit::Entry {
                            task_id: Some(task.id),
                            task_key: task.task_key.clone(),
                            action: audit::Action::SlaBreached,
                            actor: audit::Actor::System,
                            old_value: Some(json!({"sla_breached": false})),
                            new_value: Some(
                                json!({"sla_breached": true, "due_date": task.due_date}),
                            ),
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
    report.unflagged = switchyard_store::sla::unflag_rescheduled(&tx, tenant, now).await?;
    commit(tx).await?;
    Ok(Some(report))
}

/// Checks every organization (or those `filter` keeps), recording sweep metrics. Returns
/// each organization's slug and report; organizations another instance is sweeping are
/// left out.
pub async fn sweep(
    db: &Db,
    now: DateTime<Utc>,
    filter: impl Fn(&str) -> bool,
) -> ApiResult<Vec<(String, SlaReport)>> {
    let started = Instant::now();
    let mut out = Vec::new();
    for (tenant, slug) in switchyard_store::sla::all_tenants(db.conn()).await? {
        if !filter(&slug) {
            continue;
        }
        if let Some(report) = check(db, tenant, now, true).await? {
            out.push((slug, report));
        }
    }
    let newly: u64 = out.iter().map(|(_, r)| r.newly_breached).sum();
    metrics::counter!("sla_sweep_runs_total").increment(1);
    metrics::counter!("sla_tasks_newly_breached_total").increment(newly);
    metrics::histogram!("sla_sweep_duration_seconds").record(started.elapsed().as_secs_f64());
    Ok(out)
}
