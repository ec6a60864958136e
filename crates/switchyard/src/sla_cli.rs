//! `switchyard check-sla`: the SLA check for all organizations (or one), as a table or JSON.

use serde_json::json;
use switchyard_app::App;
use switchyard_app::sla::{self, SlaReport};

/// Runs the check and prints what it found.
pub async fn run(app: &App, org: Option<&str>, as_json: bool) -> anyhow::Result<()> {
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
            .map(|(slug, r)| report_json(slug, r))
            .collect();
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(());
    }
    for (slug, r) in &reports {
        print_table(slug, r);
    }
    let newly: u64 = reports.iter().map(|(_, r)| r.newly_breached).sum();
    println!(
        "{} organization(s) checked; {newly} task(s) newly flagged as breached.",
        reports.len()
    );
    Ok(())
}

fn report_json(slug: &str, r: &SlaReport) -> serde_json::Value {
    json!({
        "organization": slug,
        "checked": r.checked,
        "newly_breached": r.newly_breached,
        "unflagged": r.unflagged,
        "breached_tasks": r.breached.iter().map(|(t, h)| json!({
            "task_key": t.task_key, "title": t.title, "priority": t.priority,
            "assigned_to": t.assigned_to_name, "due_date": t.due_date, "hours_overdue": h})).collect::<Vec<_>>(),
        "at_risk_tasks": r.at_risk.iter().map(|(t, h)| json!({
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

fn print_table(slug: &str, r: &SlaReport) {
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
    println!(
        "  {:<9} {:<12} {:<40} {:<10} {:<14} {:>10}",
        "STATUS", "KEY", "TITLE", "PRIORITY", "ASSIGNEE", "HOURS"
    );
    for (t, h) in &r.breached {
        println!(
            "  {:<9} {:<12} {:<40} {:<10} {:<14} {:>10}",
            "BREACHED",
            t.task_key,
            truncate(&t.title, 40),
            truncate(&t.priority, 10),
            truncate(t.assigned_to_name.as_deref().unwrap_or("-"), 14),
            format!("-{h:.1}")
        );
    }
    for (t, h) in &r.at_risk {
        println!(
            "  {:<9} {:<12} {:<40} {:<10} {:<14} {:>10}",
            "AT RISK",
            t.task_key,
            truncate(&t.title, 40),
            truncate(&t.priority, 10),
            truncate(t.assigned_to_name.as_deref().unwrap_or("-"), 14),
            format!("{h:.1}")
        );
    }
}
