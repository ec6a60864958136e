//! `switchyard audit verify|checkpoint`: checking the audit log's hash chain from the
//! command line (exit status 1 when any organization's log fails).

use switchyard_app::App;

use crate::cli::AuditAction;

/// Runs the audit subcommand.
pub async fn run(app: &App, action: AuditAction) -> anyhow::Result<()> {
    match action {
        AuditAction::Checkpoint => {
            let n = switchyard_app::audit::sign_checkpoints(app, true)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("{n} checkpoint(s) signed.");
            Ok(())
        }
        AuditAction::Verify { org } => {
            eprintln!("Walking the audit chain…");
            let reports = switchyard_app::audit::verify(app, org.as_deref())
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            let mut failed = 0;
            for (slug, r) in &reports {
                match r.problems.first() {
                    None => println!(
                        "{slug}: OK ({} entries, {} signed checkpoint(s))",
                        r.entries, r.checkpoints
                    ),
                    Some(first) => {
                        failed += 1;
                        println!(
                            "{slug}: FAILED at #{}: {} ({} problem(s) in {} entries)",
                            first.seq,
                            first.what,
                            r.problems.len(),
                            r.entries
                        );
                        for p in r.problems.iter().skip(1).take(9) {
                            println!("    #{}: {}", p.seq, p.what);
                        }
                    }
                }
            }
            if failed > 0 {
                anyhow::bail!(
                    "the audit log of {failed} of {} organization(s) does not verify",
                    reports.len()
                );
            }
            println!("{} organization(s) verified.", reports.len());
            Ok(())
        }
    }
}
