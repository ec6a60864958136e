//! `switchyard jobs`: list, retry and purge background jobs.

use anyhow::bail;
use switchyard_app::App;
use switchyard_store::{
    Page,
    jobs::{JobFilter, JobState},
};

use crate::cli::JobsAction;

/// Runs one `jobs` action.
pub async fn run(app: &App, action: JobsAction) -> anyhow::Result<()> {
    match action {
        JobsAction::List { state, kind, limit } => {
            let state = match state.as_deref() {
                None => None,
                Some(s) => match JobState::parse(s) {
                    Some(st) => Some(st),
                    None => bail!("unknown state '{s}': use pending, running, succeeded or dead"),
                },
            };
            let filter = JobFilter {
                state,
                kind,
                tenant: None,
            };
            let page = Page {
                number: 1,
                size: limit.clamp(1, 1000),
            };
            let (rows, total) = switchyard_app::jobs::list(app, &filter, page).await?;
            println!(
                "{:<36}  {:<20}  {:<9}  {:>8}  {:<25}  last error",
                "id", "kind", "state", "attempts", "run at"
            );
            for j in &rows {
                println!(
                    "{:<36}  {:<20}  {:<9}  {:>4}/{:<3}  {:<25}  {}",
                    j.id,
                    j.kind,
                    j.state,
                    j.attempts,
                    j.max_attempts,
                    j.run_at.to_rfc3339(),
                    j.last_error.as_deref().unwrap_or("")
                );
            }
            println!("{} of {total} job(s) shown.", rows.len());
        }
        JobsAction::Retry { id, all_dead } => {
            if id.is_none() && !all_dead {
                bail!("name a job id, or pass --all-dead");
            }
            let n = switchyard_app::jobs::retry_dead(app, id).await?;
            if id.is_some() && n == 0 {
                bail!("no dead job with that id");
            }
            println!("{n} dead job(s) queued again.");
        }
        JobsAction::Purge { finished_before } => {
            let age = chrono::Duration::from_std(finished_before)?;
            let n = switchyard_app::jobs::purge(app, app.clock.now() - age).await?;
            println!("{n} succeeded job(s) purged.");
        }
    }
    Ok(())
}
