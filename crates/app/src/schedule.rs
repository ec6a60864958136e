//! Recurring work: schedules (an interval, or a cron expression in a time zone) whose ticks
//! become jobs. Each tick is enqueued once across every instance (a `schedule_ticks` row
//! per tick, in the transaction that enqueues its job), and after downtime only the latest
//! missed tick runs, not one per missed tick.

use std::{str::FromStr, time::Duration};

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use croner::Cron;
use serde_json::json;
use switchyard_store::jobs::{self, NewJob};

use crate::{
    App, AppError, AppResult,
    jobs::{Handlers, JobFailure},
};

/// When a schedule ticks.
#[derive(Debug, Clone)]
pub enum Every {
    /// At every multiple of the interval since the Unix epoch.
    Interval(Duration),
    /// When the cron expression matches, in the time zone.
    Cron(Box<Cron>, Tz),
}

impl Every {
    /// A cron expression (`"0 7 * * MON-FRI"`) in an IANA time zone (`"Europe/Paris"`).
    pub fn cron(expr: &str, zone: &str) -> AppResult<Every> {
        let cron = Cron::from_str(expr)
            .map_err(|e| AppError::field("schedule", format!("Invalid cron expression: {e}")))?;
        let tz = Tz::from_str(zone)
            .map_err(|_| AppError::field("time_zone", format!("Unknown time zone '{zone}'.")))?;
        Ok(Every::Cron(Box::new(cron), tz))
    }

    /// The latest tick at or before `now`.
    pub fn latest(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        match self {
            Every::Interval(d) => {
                let secs = d.as_secs().max(1) as i64;
                DateTime::from_timestamp(now.timestamp().div_euclid(secs) * secs, 0)
            }
            Every::Cron(cron, tz) => cron
                .find_previous_occurrence(&now.with_timezone(tz), true)
                .ok()
                .map(|t| t.with_timezone(&Utc)),
        }
    }
}

/// A recurring job.
#[derive(Debug, Clone)]
pub struct Schedule {
    /// Unique among schedules; part of every tick's key.
    pub name: &'static str,
    pub every: Every,
    /// The job kind each tick enqueues.
    pub job_kind: &'static str,
}

/// Enqueues the due tick of each schedule that no instance has enqueued yet; returns how
/// many jobs this call enqueued.
pub async fn tick(app: &App, schedules: &[Schedule]) -> AppResult<usize> {
    let now = app.clock.now();
    let mut enqueued = 0;
    for s in schedules {
        let Some(at) = s.every.latest(now) else {
            continue;
        };
        let tx = app.db.begin_write().await?;
        if jobs::claim_tick(&tx, s.name, at).await? {
            jobs::enqueue(
                &tx,
                NewJob {
                    kind: s.job_kind.to_string(),
                    payload: json!({"schedule": s.name, "tick": at}),
                    organization_id: None,
                    run_at: at,
                    max_attempts: 3,
                    dedupe_key: Some(format!("schedule:{}@{}", s.name, at.to_rfc3339())),
                },
                now,
            )
            .await?;
            metrics::counter!("jobs_enqueued_total", "kind" => s.job_kind).increment(1);
            enqueued += 1;
        }
        switchyard_store::commit(tx).await?;
    }
    Ok(enqueued)
}

/// The job kind of the SLA sweep.
pub const SLA_SWEEP: &str = "sla_sweep";
/// The job kind of the hourly housekeeping.
pub const HOUSEKEEPING: &str = "housekeeping";

/// The job kind that signs due audit checkpoints.
pub const AUDIT_CHECKPOINT: &str = "audit_checkpoint";

/// The system's own schedules: the SLA sweep every `sla_every` (none when `None`), the
/// hourly housekeeping and, every five minutes, signing the audit checkpoints that are due.
pub fn system_schedules(sla_every: Option<Duration>) -> Vec<Schedule> {
    let mut out = vec![
        Schedule {
            name: "housekeeping",
            every: Every::Interval(Duration::from_secs(3600)),
            job_kind: HOUSEKEEPING,
        },
        Schedule {
            name: "audit_checkpoint",
            every: Every::Interval(Duration::from_secs(300)),
            job_kind: AUDIT_CHECKPOINT,
        },
    ];
    if let Some(d) = sla_every {
        out.push(Schedule {
            name: "sla_sweep",
            every: Every::Interval(d),
            job_kind: SLA_SWEEP,
        });
    }
    out
}

/// The handlers of the system's own jobs.
pub fn system_handlers() -> Handlers {
    Handlers::default()
        .on(SLA_SWEEP, |app: App, _job| async move {
            let reports = crate::sla::sweep(&app, app.clock.now(), |_| true)
                .await
                .map_err(|e| JobFailure::Transient(e.to_string()))?;
            let newly: u64 = reports.iter().map(|(_, r)| r.newly_breached).sum();
            tracing::info!(
                organizations = reports.len(),
                newly_breached = newly,
                "SLA sweep done"
            );
            Ok(())
        })
        .on(AUDIT_CHECKPOINT, |app: App, _job| async move {
            crate::audit::sign_checkpoints(&app, false)
                .await
                .map(|_| ())
                .map_err(|e| JobFailure::Transient(e.to_string()))
        })
        .on(HOUSEKEEPING, |app: App, _job| async move {
            housekeeping(&app)
                .await
                .map(|_| ())
                .map_err(|e| JobFailure::Transient(e.to_string()))
        })
}

/// Forgets expired token bookkeeping and emailed tokens, rate-limit windows older than an hour, and succeeded
/// jobs older than the configured retention (dead jobs stay until someone looks at them).
pub async fn housekeeping(app: &App) -> AppResult<u64> {
    let now = app.clock.now();
    let retention =
        chrono::Duration::from_std(app.settings.job_retention).unwrap_or(chrono::Duration::days(7));
    let tx = app.db.begin_write().await?;
    let tokens = switchyard_store::tokens::purge_expired(&tx).await?
        + switchyard_store::account_tokens::purge(&tx, now).await?
        + switchyard_store::personal_data::purge_exports(&tx, now).await?;
    let windows = switchyard_store::rate_limits::purge(&tx, now.timestamp() - 3600).await?;
    let finished = jobs::purge(&tx, now - retention).await?;
    switchyard_store::commit(tx).await?;
    if tokens + windows + finished > 0 {
        tracing::info!(
            tokens,
            windows,
            finished_jobs = finished,
            "housekeeping purged old records"
        );
    }
    Ok(tokens + windows + finished)
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap()
    }

    #[test]
    fn an_interval_ticks_at_its_multiples() {
        let every = Every::Interval(Duration::from_secs(300));
        assert_eq!(
            every.latest(utc(2026, 11, 30, 12, 7)),
            Some(utc(2026, 11, 30, 12, 5))
        );
        assert_eq!(
            every.latest(utc(2026, 11, 30, 12, 5)),
            Some(utc(2026, 11, 30, 12, 5))
        );
    }

    #[test]
    fn a_cron_schedule_follows_its_time_zone_across_daylight_saving_changes() {
        let nine = Every::cron("0 9 * * *", "Europe/Paris").unwrap();
        // The day before summer time: 09:00 CET is 08:00 UTC.
        assert_eq!(
            nine.latest(utc(2026, 3, 28, 12, 0)),
            Some(utc(2026, 3, 28, 8, 0))
        );
        // The day clocks go forward (29 March 2026): 09:00 CEST is 07:00 UTC.
        assert_eq!(
            nine.latest(utc(2026, 3, 29, 12, 0)),
            Some(utc(2026, 3, 29, 7, 0))
        );
        // Before 09:00 local on that day, the latest tick is the day before's.
        assert_eq!(
            nine.latest(utc(2026, 3, 29, 6, 59)),
            Some(utc(2026, 3, 28, 8, 0))
        );
        // The day clocks go back (25 October 2026): 09:00 CET is 08:00 UTC again.
        assert_eq!(
            nine.latest(utc(2026, 10, 25, 12, 0)),
            Some(utc(2026, 10, 25, 8, 0))
        );
    }

    #[test]
    fn bad_expressions_and_zones_are_refused() {
        assert!(Every::cron("not cron", "UTC").is_err());
        assert!(Every::cron("0 9 * * *", "Mars/Olympus").is_err());
    }
}
