//! `switchyard check-sla`: the SLA check for all organizations (or one), as a table or JSON.

use serde_json::json;
use switchyard_app::App;
use switchyard_app::sla::{self, SlaReport};

/// Runs the check and prints what it found.
pub async fn run(app: &App, org: Option<&str>, as_json: bool, limit: usize) -> anyhow::Result<()> {
    let now = switchyard_store::now();
    if !as_json {
        eprintln!("Checking SLAs at {}…", now.to_rfc3339());
    }
    let reports = sla::sweep(app, now, |slug| org.is_none_or(|o| o == slug)).await?;
    if let Some(o) = org
        && reports.is_empty()
    {
        anyhow::bail!(
            "no organization with slug '{o}' (or another instance is sweeping it right now)"
        );
    }
    if as_json {
        let out: Vec<_> = reports
            .iter()
            .map(|(slug, r)| report_json(slug, r, limit))
            .collect();
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(());
    }
    for (slug, r) in &reports {
        print_table(slug, r, limit);
    }
    let newly: u64 = reports.iter().map(|(_, r)| r.newly_breached).sum();
    println!(
        "{} organization(s) checked; {newly} task(s) newly flagged as breached.",
        reports.len()
    );
    Ok(())
}

fn report_json(slug: &str, r: &SlaReport, limit: usize) -> serde_json::Value {
    json!({
        "organization": slug,
        "checked": r.checked,
        "newly_breached": r.newly_breached,
        "unflagged": r.unflagged,
        "breached_count": r.breached.len(),
        "at_risk_count": r.at_risk.len(),
        "breached_tasks": r.breached.iter().take(limit).map(|(t, h)| json!({
            "task_key": t.task_key, "title": t.title, "priority": t.priority,
            "assigned_to": t.assigned_to_name, "due_date": t.due_date, "hours_overdue": h})).collect::<Vec<_>>(),
        "at_risk_tasks": r.at_risk.iter().take(limit).map(|(t, h)| json!({
            "task_key": t.task_key, "title": t.title, "priority": t.priority,
            "assigned_to": t.assigned_to_name, "due_date": t.due_date, "hours_remaining": h})).collect::<Vec<_>>(),
    })
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(n - 1).collect::<String>())
    }
}

fn print_table(slug: &str, r: &SlaReport, limit: usize) {
    println!(
        "\n{slug}: {} active task(s), {} breached ({} newly), {} at risk",
        r.checked,
        r.breached.len(),
        r.newly_breached,
        r.at_risk.len()
    );
    if r.breached.is_empty() && r.at_risk.is_empty() {
        return;
    }
    // Usernames in full (up to 150 characters): the column is as wide as the longest.
    let width = r
        .breached
        .iter()
        .chain(&r.at_risk)
        .take(limit.saturating_mul(2))
        .filter_map(|(t, _)| t.assigned_to_name.as_deref())
        .map(|n| n.chars().count())
        .max()
        .unwrap_or(0)
        .max("ASSIGNEE".len());
    println!(
        "  {:<9} {:<12} {:<40} {:<10} {:>10}  {:<width$}",
        "STATUS", "KEY", "TITLE", "PRIORITY", "HOURS", "ASSIGNEE"
    );
    let row = |status: &str, t: &switchyard_store::sla::DueTask, hours: String| {
        println!(
            "  {:<9} {:<12} {:<40} {:<10} {:>10}  {:<width$}",
            status,
            t.task_key,
            truncate(&t.title, 40),
            truncate(&t.priority, 10),
            hours,
            t.assigned_to_name.as_deref().unwrap_or("-"),
        );
    };
    for (t, h) in r.breached.iter().take(limit) {
        row("BREACHED", t, format!("-{h:.1}"));
    }
    for (t, h) in r.at_risk.iter().take(limit) {
        row("AT RISK", t, format!("{h:.1}"));
    }
    let hidden = r.breached.len().saturating_sub(limit) + r.at_risk.len().saturating_sub(limit);
    if hidden > 0 {
        println!("  … and {hidden} more (raise --limit, or use --json)");
    }
}
