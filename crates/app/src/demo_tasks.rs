//! The demo organization's sample work: ~30 tasks across states, priorities, types,
//! assignees and due dates, with comments and a back-dated audit history that follows the
//! default workflow's rules.

use std::collections::HashMap;

use chrono::Duration;
use serde_json::json;
use switchyard_store::{Tenant, audit, comments, projects, tasks};
use uuid::Uuid;

use crate::AppResult;

/// One sample task: title, description, type, priority, state, assignee, created days
/// ago, due in hours from now (negative = overdue), tags, comments (author, text).
struct Sample {
    title: &'static str,
    description: &'static str,
    task_type: &'static str,
    priority: &'static str,
    state: &'static str,
    assignee: Option<&'static str>,
    age_days: i64,
    due_hours: Option<i64>,
    tags: &'static [&'static str],
    comments: &'static [(&'static str, &'static str)],
}

#[allow(clippy::too_many_arguments)]
const fn s(
    title: &'static str,
    description: &'static str,
    task_type: &'static str,
    priority: &'static str,
    state: &'static str,
    assignee: Option<&'static str>,
    age_days: i64,
    due_hours: Option<i64>,
    tags: &'static [&'static str],
    comments: &'static [(&'static str, &'static str)],
) -> Sample {
    Sample {
        title,
        description,
        task_type,
        priority,
        state,
        assignee,
        age_days,
        due_hours,
        tags,
        comments,
    }
}

const ALICE: Option<&str> = Some("dev_alice");
const BOB: Option<&str> = Some("dev_bob");
const MGR: Option<&str> = Some("manager_user");

const SAMPLES: &[Sample] = &[
    s(
        "Checkout API returns 500 on expired carts",
        "Customers with carts older than 24h get a server error at payment.",
        "bug",
        "critical",
        "in_progress",
        ALICE,
        2,
        Some(-5),
        &["python", "django", "payments"],
        &[
            (
                "dev_alice",
                "Reproduced locally: the cart TTL check dereferences a deleted row.",
            ),
            (
                "manager_user",
                "Please prioritise, support has 40 tickets on this.",
            ),
        ],
    ),
    s(
        "Password reset emails not delivered to Outlook users",
        "SPF record misses the new mail relay.",
        "bug",
        "critical",
        "review",
        BOB,
        4,
        Some(-20),
        &["email", "aws"],
        &[("dev_bob", "DNS change is ready, waiting for review.")],
    ),
    s(
        "Add rate limiting to the public search endpoint",
        "Scrapers are hammering /search; add per-IP limits.",
        "improvement",
        "high",
        "open",
        None,
        1,
        Some(10),
        &["python", "security"],
        &[],
    ),
    s(
        "Migrate image uploads to S3 presigned URLs",
        "Uploads currently stream through the app servers.",
        "feature",
        "high",
        "in_progress",
        ALICE,
        9,
        Some(30),
        &["aws", "python"],
        &[(
            "dev_alice",
            "Presigned PUT works; multipart for >100MB files next.",
        )],
    ),
    s(
        "Dashboard charts flicker on window resize",
        "The React chart component re-mounts on every resize event.",
        "bug",
        "medium",
        "testing",
        BOB,
        6,
        Some(48),
        &["react", "javascript"],
        &[],
    ),
    s(
        "Dark mode for the settings page",
        "Design delivered the palette in Figma.",
        "feature",
        "low",
        "open",
        None,
        12,
        None,
        &["react", "css"],
        &[],
    ),
    s(
        "Upgrade Django to the current LTS",
        "Security support for our version ends this quarter.",
        "task",
        "high",
        "open",
        ALICE,
        3,
        Some(20),
        &["python", "django"],
        &[("manager_user", "Let's do this before the feature freeze.")],
    ),
    s(
        "Nightly export job times out",
        "The CSV export of orders exceeds the 30 minute limit.",
        "bug",
        "high",
        "in_progress",
        ALICE,
        5,
        Some(-2),
        &["python", "performance"],
        &[],
    ),
    s(
        "Onboarding tour for new workspace admins",
        "A five-step guided tour after the first login.",
        "feature",
        "medium",
        "review",
        BOB,
        15,
        Some(96),
        &["react", "ux"],
        &[
            ("dev_bob", "Copy reviewed with the docs team."),
            ("manager_user", "Looks great in the staging demo."),
        ],
    ),
    s(
        "Flaky test: test_invoice_rounding",
        "Fails about 1 in 20 runs on CI.",
        "bug",
        "low",
        "done",
        ALICE,
        20,
        None,
        &["python", "ci"],
        &[(
            "dev_alice",
            "Was a timezone assumption; fixed with a frozen clock.",
        )],
    ),
    s(
        "Node 20 upgrade for the frontend build",
        "Node 18 reaches end of life.",
        "task",
        "medium",
        "done",
        BOB,
        25,
        None,
        &["node", "javascript"],
        &[],
    ),
    s(
        "Cache product catalogue in Redis",
        "Catalogue queries account for 35% of DB load.",
        "improvement",
        "high",
        "testing",
        ALICE,
        8,
        Some(12),
        &["python", "redis", "performance"],
        &[],
    ),
    s(
        "Accessibility audit fixes on the signup form",
        "Labels and focus order flagged by the audit.",
        "improvement",
        "medium",
        "in_progress",
        BOB,
        7,
        Some(72),
        &["react", "a11y"],
        &[],
    ),
    s(
        "Webhook retries with exponential backoff",
        "Partners lose events when their endpoint blips.",
        "feature",
        "high",
        "open",
        None,
        2,
        Some(-1),
        &["python", "integrations"],
        &[],
    ),
    s(
        "Remove the legacy v1 reports endpoint",
        "No traffic for 90 days according to the access logs.",
        "task",
        "low",
        "cancelled",
        None,
        30,
        None,
        &["cleanup"],
        &[(
            "manager_user",
            "Cancelled: one enterprise customer still uses it monthly.",
        )],
    ),
    s(
        "Inconsistent currency formatting in invoices",
        "EUR invoices show a dollar sign in the PDF footer.",
        "bug",
        "medium",
        "open",
        BOB,
        3,
        Some(18),
        &["javascript", "i18n"],
        &[],
    ),
    s(
        "Set up staging database snapshots",
        "Daily anonymised snapshots for QA.",
        "task",
        "medium",
        "review",
        ALICE,
        10,
        Some(-30),
        &["aws", "devops"],
        &[],
    ),
    s(
        "Search results ignore accents",
        "Searching 'cafe' does not find 'café'.",
        "bug",
        "medium",
        "open",
        None,
        6,
        None,
        &["python", "search"],
        &[],
    ),
    s(
        "Team workload report for managers",
        "Weekly email summarising open work per engineer.",
        "feature",
        "low",
        "open",
        MGR,
        14,
        Some(200),
        &["reporting"],
        &[],
    ),
    s(
        "Mobile layout breaks on the pricing page",
        "Cards overlap below 400px.",
        "bug",
        "high",
        "done",
        BOB,
        11,
        None,
        &["react", "css"],
        &[("dev_bob", "Fixed with a CSS grid fallback.")],
    ),
    s(
        "Audit log export for compliance",
        "Auditors need a CSV of all changes per quarter.",
        "feature",
        "medium",
        "in_progress",
        ALICE,
        4,
        Some(6),
        &["python", "compliance"],
        &[],
    ),
    s(
        "Reduce Docker image size",
        "The API image is 1.8GB; target under 400MB.",
        "improvement",
        "low",
        "open",
        None,
        18,
        None,
        &["devops"],
        &[],
    ),
    s(
        "SSO login with Okta",
        "Enterprise plan requirement for two prospects.",
        "feature",
        "critical",
        "in_progress",
        BOB,
        6,
        Some(-8),
        &["node", "security", "auth"],
        &[
            ("manager_user", "Sales needs a date for the Acme deal."),
            (
                "dev_bob",
                "SAML handshake working; role mapping in progress.",
            ),
        ],
    ),
    s(
        "Typo on the billing settings page",
        "'Recieve invoices' should read 'Receive invoices'.",
        "bug",
        "low",
        "done",
        ALICE,
        2,
        None,
        &["copy"],
        &[],
    ),
    s(
        "Document the public API error codes",
        "Partners keep asking what each code means.",
        "task",
        "medium",
        "testing",
        MGR,
        9,
        Some(40),
        &["docs"],
        &[],
    ),
    s(
        "Memory leak in the notification worker",
        "RSS grows ~50MB per hour until the OOM killer steps in.",
        "bug",
        "critical",
        "review",
        ALICE,
        3,
        Some(3),
        &["python", "performance"],
        &[(
            "dev_alice",
            "Leaking the HTTP client per message; now pooled.",
        )],
    ),
    s(
        "Keyboard shortcuts for the task board",
        "j/k navigation and c to create.",
        "feature",
        "low",
        "open",
        BOB,
        5,
        None,
        &["react", "ux"],
        &[],
    ),
    s(
        "Rotate the AWS access keys",
        "Quarterly rotation is due.",
        "task",
        "high",
        "done",
        ALICE,
        8,
        None,
        &["aws", "security"],
        &[],
    ),
    s(
        "Improve empty states across the app",
        "Blank tables give no hint what to do next.",
        "improvement",
        "low",
        "open",
        None,
        7,
        Some(150),
        &["ux", "react"],
        &[],
    ),
    s(
        "Investigate slow login for EU users",
        "p95 login latency is 3s from Frankfurt.",
        "bug",
        "high",
        "open",
        None,
        1,
        Some(22),
        &["performance", "aws"],
        &[],
    ),
];

/// The demo's projects: "Customer Portal" (PORTAL, open to the organization: everyone reads,
/// the developers edit) and "Security Hardening" (SEC, private: manager_user and dev_alice).
async fn seed_projects(
    c: &switchyard_store::DatabaseTransaction,
    tenant: Tenant,
    people: &HashMap<&str, Uuid>,
) -> AppResult<(Uuid, Uuid)> {
    let owner = people["manager_user"];
    let portal = projects::create(
        c,
        tenant,
        projects::ProjectFields {
            project_key: "PORTAL".into(),
            name: "Customer Portal".into(),
            description: "The self-service portal: sign-in, settings and the mobile layout.".into(),
            status: "active".into(),
            visibility: projects::ORGANIZATION.into(),
            lead_id: Some(people["dev_alice"]),
            budget_hours: Some(400.0),
            ..Default::default()
        },
        owner,
        Some(owner),
    )
    .await?;
    for (who, role) in [
        ("dev_alice", "editor"),
        ("dev_bob", "editor"),
        ("viewer_user", "viewer"),
    ] {
        projects::add_member(c, tenant, portal, people[who], role).await?;
    }
    let security = projects::create(
        c,
        tenant,
        projects::ProjectFields {
            project_key: "SEC".into(),
            name: "Security Hardening".into(),
            description: "Findings of the autumn penetration test. Private until fixed.".into(),
            status: "active".into(),
            visibility: projects::PRIVATE.into(),
            lead_id: Some(owner),
            ..Default::default()
        },
        owner,
        Some(owner),
    )
    .await?;
    projects::add_member(c, tenant, security, people["dev_alice"], "editor").await?;
    Ok((portal, security))
}

/// The default workflow's forward path; a task reaches a state by walking it.
const PATH: [&str; 5] = ["open", "in_progress", "review", "testing", "done"];

/// Seeds the sample tasks into the demo organization.
pub async fn seed(
    c: &switchyard_store::DatabaseTransaction,
    tenant: Tenant,
    workflow_id: Uuid,
    people: &HashMap<&str, Uuid>,
) -> AppResult<()> {
    let now = switchyard_store::now();
    let (portal, security) = seed_projects(c, tenant, people).await?;
    // Front-end work goes to the portal (open to everyone); security work that only
    // dev_alice (or nobody) holds goes to the private security project.
    let project_of = |s: &Sample| {
        if s.tags.contains(&"security") && matches!(s.assignee, None | Some("dev_alice")) {
            Some(security)
        } else if s
            .tags
            .iter()
            .any(|t| ["ux", "react", "frontend"].contains(t))
        {
            Some(portal)
        } else {
            None
        }
    };
    let who = |name: &str| audit::Actor::User {
        id: people[name],
        name: name.to_string(),
    };
    for (i, sample) in SAMPLES.iter().enumerate() {
        let created = now - Duration::days(sample.age_days) - Duration::hours((i % 7) as i64);
        let creator = if i % 3 == 0 {
            "manager_user"
        } else if i % 3 == 1 {
            "dev_alice"
        } else {
            "dev_bob"
        };
        let final_state = matches!(sample.state, "done" | "cancelled");
        let resolved_at = final_state.then(|| created + Duration::hours(20 + i as i64 * 3));
        let seq = tasks::next_sequence(c, tenant).await?;
        let key = format!("SUNS-{seq:04}");
        let id = tasks::create_at(
            c,
            tenant,
            tasks::NewTask {
                task_key: key.clone(),
                title: sample.title.into(),
                description: sample.description.into(),
                workflow_id,
                current_state: sample.state.into(),
                priority: sample.priority.into(),
                task_type: sample.task_type.into(),
                tags: sample.tags.iter().map(|t| t.to_string()).collect(),
                team_id: None,
                created_by: Some(people[creator]),
                due_date: sample.due_hours.map(|h| now + Duration::hours(h)),
                resolved_at,
                project_id: project_of(sample),
            },
            created,
        )
        .await?;
        let entry = |action, actor, old, new, reason: &str| audit::Entry {
            task_id: Some(id),
            task_key: key.clone(),
            action,
            actor,
            old_value: old,
            new_value: new,
            reason: reason.to_string(),
        };
        audit::record_at(
            c,
            tenant,
            entry(
                audit::Action::Created,
                who(creator),
                None,
                Some(json!({"title": sample.title, "state": "open", "priority": sample.priority, "task_type": sample.task_type})),
                "",
            ),
            created,
        )
        .await?;
        let mut t = created + Duration::minutes(30);
        if let Some(assignee) = sample.assignee {
            tasks::set_assignee(c, tenant, id, Some(people[assignee])).await?;
            audit::record_at(
                c,
                tenant,
                entry(
                    audit::Action::Assigned,
                    who("manager_user"),
                    Some(json!({"assigned_to": null, "username": null})),
                    Some(json!({"assigned_to": people[assignee], "username": assignee})),
                    "Matches their skills",
                ),
                t,
            )
            .await?;
        }
        let steps: Vec<(&str, &str)> = if sample.state == "cancelled" {
            vec![("open", "cancelled")]
        } else {
            let end = PATH.iter().position(|p| *p == sample.state).unwrap_or(0);
            PATH[..=end].windows(2).map(|w| (w[0], w[1])).collect()
        };
        for (from, to) in steps {
            t += Duration::hours(3);
            let (actor, reason) = match (to, sample.assignee) {
                ("done" | "cancelled", _) | (_, None) => (
                    "manager_user",
                    if to == "done" {
                        "Verified and released"
                    } else {
                        "Triage"
                    },
                ),
                (_, Some(a)) => (a, "Progress update"),
            };
            audit::record_at(
                c,
                tenant,
                entry(
                    audit::Action::StateChanged,
                    who(actor),
                    Some(json!({"state": from})),
                    Some(json!({"state": to})),
                    reason,
                ),
                t,
            )
            .await?;
        }
        for (author, text) in sample.comments {
            t += Duration::minutes(45);
            comments::create_at(c, tenant, id, people[author], author, text, t).await?;
            audit::record_at(
                c,
                tenant,
                entry(
                    audit::Action::Commented,
                    who(author),
                    None,
                    Some(json!({"comment": text})),
                    "",
                ),
                t,
            )
            .await?;
        }
    }
    Ok(())
}
