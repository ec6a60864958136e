//! The load scenarios. Each worker prepares what it needs (its own task for write
//! scenarios, so workers never contend on one row), then sends requests until time is up.

use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use anyhow::{Context as _, bail};
use serde_json::{Value, json};

use crate::{
    client::Context,
    report::{Outcome, rss_kb},
};

/// A named workload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scenario {
    /// List filtered by state, newest first, 20 per page.
    List,
    /// One project's tasks (`?project=`), newest first, 20 per page.
    ListProject,
    /// The `list` request by a worker kept out of most projects (their scope applies).
    ListMember,
    /// List with a `search` term.
    Search,
    /// Task detail.
    Detail,
    /// Create a task.
    Create,
    /// Walk a task through the workflow and reopen it, one transition per request.
    Transition,
    /// Assign and unassign a task.
    Assign,
    /// Dashboard overview.
    Overview,
    /// Dashboard trends: 30 days in Europe/Berlin, cycle times, overdue by assignee.
    Trends,
    /// Natural-language query.
    Nlq,
    /// Login (slow by design: argon2id).
    Login,
}

/// Looks a scenario up by name.
pub fn by_name(name: &str) -> anyhow::Result<Scenario> {
    Ok(match name {
        "list" => Scenario::List,
        "list_project" => Scenario::ListProject,
        "list_member" => Scenario::ListMember,
        "search" => Scenario::Search,
        "detail" => Scenario::Detail,
        "create" => Scenario::Create,
        "transition" => Scenario::Transition,
        "assign" => Scenario::Assign,
        "overview" => Scenario::Overview,
        "trends" => Scenario::Trends,
        "nlq" => Scenario::Nlq,
        "login" => Scenario::Login,
        other => bail!("unknown scenario '{other}'"),
    })
}

const SEARCH_WORDS: [&str; 6] = ["login", "checkout", "cache", "sso", "billing", "payments"];
const QUESTIONS: [&str; 5] = [
    "overdue critical bugs",
    "unassigned high priority tasks",
    "my tasks in review",
    "features created in the last 7 days",
    "tasks tagged python not done",
];

/// One worker's position in its scenario.
struct Worker {
    n: u64,
    rng: u64,
    task: Option<String>,
    /// Transition cycle: the states to move through, in order.
    path: Vec<String>,
}

impl Worker {
    fn rand(&mut self) -> u64 {
        // xorshift64: cheap, good enough to spread ids.
        self.rng ^= self.rng << 13;
        self.rng ^= self.rng >> 7;
        self.rng ^= self.rng << 17;
        self.rng
    }
}

async fn own_task(ctx: &Context, assign: bool) -> anyhow::Result<String> {
    let task: Value = ctx
        .http
        .post(ctx.url("/api/v1/tasks/"))
        .bearer_auth(&ctx.token)
        .json(&json!({"title": "bench worker task"}))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let id = task["id"].as_str().context("task id")?.to_string();
    if assign {
        ctx.http
            .post(ctx.url(&format!("/api/v1/tasks/{id}/assign/")))
            .bearer_auth(&ctx.token)
            .json(&json!({"user_id": ctx.admin_id}))
            .send()
            .await?
            .error_for_status()?;
    }
    Ok(id)
}

async fn prepare(ctx: &Context, s: Scenario, seed: u64) -> anyhow::Result<Worker> {
    let mut w = Worker {
        n: 0,
        rng: seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1,
        task: None,
        path: Vec::new(),
    };
    match s {
        Scenario::Transition => {
            w.task = Some(own_task(ctx, true).await?);
            let active: Vec<String> = ctx
                .states
                .iter()
                .filter(|s| !ctx.final_states.contains(s))
                .cloned()
                .collect();
            // initial → … → last active → first final → (reopen) initial
            w.path = active.iter().skip(1).cloned().collect();
            w.path.extend(ctx.final_states.first().cloned());
            w.path.extend(active.first().cloned());
        }
        Scenario::Assign => w.task = Some(own_task(ctx, false).await?),
        Scenario::ListProject if ctx.projects.is_empty() => {
            bail!("the organization has no projects; seed it again with `switchyard seed-bench`")
        }
        Scenario::ListMember if ctx.member_token.is_none() => {
            bail!("no <org>_user_00001 account to sign in as; seed with `switchyard seed-bench`")
        }
        _ => {}
    }
    Ok(w)
}

fn request(ctx: &Context, s: Scenario, w: &mut Worker) -> reqwest::RequestBuilder {
    let n = w.n;
    w.n += 1;
    let auth = |r: reqwest::RequestBuilder| r.bearer_auth(&ctx.token);
    match s {
        Scenario::List => {
            let state = &ctx.states[(n as usize) % ctx.states.len()];
            auth(ctx.http.get(ctx.url(&format!(
                "/api/v1/tasks/?current_state={state}&ordering=-created_at&page_size=20"
            ))))
        }
        Scenario::ListProject => {
            let project = &ctx.projects[(n as usize) % ctx.projects.len().max(1)];
            auth(ctx.http.get(ctx.url(&format!(
                "/api/v1/tasks/?project={project}&ordering=-created_at&page_size=20"
            ))))
        }
        Scenario::ListMember => {
            let state = &ctx.states[(n as usize) % ctx.states.len()];
            ctx.http
                .get(ctx.url(&format!(
                    "/api/v1/tasks/?current_state={state}&ordering=-created_at&page_size=20"
                )))
                .bearer_auth(ctx.member_token.as_deref().unwrap_or_default())
        }
        Scenario::Search => {
            let word = SEARCH_WORDS[(n as usize) % SEARCH_WORDS.len()];
            auth(
                ctx.http
                    .get(ctx.url(&format!("/api/v1/tasks/?search={word}&page_size=20"))),
            )
        }
        Scenario::Detail => {
            let i = (w.rand() as usize) % ctx.task_ids.len();
            auth(
                ctx.http
                    .get(ctx.url(&format!("/api/v1/tasks/{}/", ctx.task_ids[i]))),
            )
        }
        Scenario::Create => auth(
            ctx.http
                .post(ctx.url("/api/v1/tasks/"))
                .json(&json!({"title": format!("bench task {n}")})),
        ),
        Scenario::Transition => {
            let to = &w.path[(n as usize) % w.path.len()];
            let id = w.task.as_deref().unwrap_or_default();
            auth(
                ctx.http
                    .post(ctx.url(&format!("/api/v1/tasks/{id}/transition/")))
                    .json(&json!({"to_state": to})),
            )
        }
        Scenario::Assign => {
            let id = w.task.as_deref().unwrap_or_default();
            let user = if n.is_multiple_of(2) {
                json!(ctx.admin_id)
            } else {
                Value::Null
            };
            auth(
                ctx.http
                    .post(ctx.url(&format!("/api/v1/tasks/{id}/assign/")))
                    .json(&json!({"user_id": user})),
            )
        }
        Scenario::Overview => auth(ctx.http.get(ctx.url("/api/v1/dashboard/overview/"))),
        Scenario::Trends => auth(
            ctx.http
                .get(ctx.url("/api/v1/dashboard/trends/?days=30&tz=Europe%2FBerlin")),
        ),
        Scenario::Nlq => {
            let q = QUESTIONS[(n as usize) % QUESTIONS.len()];
            auth(
                ctx.http
                    .post(ctx.url("/api/v1/ai/query/"))
                    .json(&json!({"question": q})),
            )
        }
        Scenario::Login => ctx
            .http
            .post(ctx.url("/api/v1/auth/login/"))
            .json(&json!({"username": ctx.username, "password": ctx.password})),
    }
}

/// Runs one scenario with `concurrency` workers for `duration`.
pub async fn run(
    ctx: &Arc<Context>,
    s: Scenario,
    concurrency: usize,
    duration: Duration,
    server_pid: Option<u32>,
) -> anyhow::Result<Outcome> {
    let mut workers = Vec::with_capacity(concurrency);
    for i in 0..concurrency {
        workers.push(prepare(ctx, s, i as u64 + 1).await?);
    }
    let errors = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let peak = Arc::new(AtomicU64::new(0));
    let sampler = server_pid.map(|pid| {
        let (stop, peak) = (stop.clone(), peak.clone());
        tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                if let Some(kb) = rss_kb(pid) {
                    peak.fetch_max(kb, Ordering::Relaxed);
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        })
    });
    let started = Instant::now();
    let deadline = started + duration;
    let mut set = tokio::task::JoinSet::new();
    for mut w in workers {
        let errors = errors.clone();
        let ctx = ctx.clone();
        set.spawn(async move {
            let mut lat = Vec::new();
            while Instant::now() < deadline {
                let t0 = Instant::now();
                match request(&ctx, s, &mut w).send().await {
                    Ok(resp) if resp.status().is_success() => {
                        let _ = resp.bytes().await;
                        lat.push(t0.elapsed().as_micros() as u64);
                    }
                    Ok(resp) => {
                        let _ = resp.bytes().await;
                        errors.fetch_add(1, Ordering::Relaxed);
                    }
                    Err(_) => {
                        errors.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
            lat
        });
    }
    let mut results = Vec::new();
    while let Some(r) = set.join_next().await {
        results.push(r.context("worker")?);
    }
    let elapsed = started.elapsed();
    stop.store(true, Ordering::Relaxed);
    if let Some(h) = sampler {
        let _ = h.await;
    }
    Ok(Outcome {
        latencies_us: results.into_iter().flatten().collect(),
        errors: errors.load(Ordering::Relaxed),
        elapsed,
        peak_rss_kb: server_pid.map(|_| peak.load(Ordering::Relaxed)),
    })
}
