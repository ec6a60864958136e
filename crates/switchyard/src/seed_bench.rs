//! `switchyard seed-bench`: a realistic organization at scale for benchmarks — mixed states,
//! priorities, types, assignees, due dates, tags, comments and audit history — generated on
//! its own thread and written with `COPY` in one transaction on PostgreSQL
//! ([`bulk::PgLoader`]) or multi-row inserts on SQLite, with a progress bar and each phase
//! timed. Deterministic (seeded RNG), so runs repeat.

use std::time::Instant;

use anyhow::Context;
use chrono::{DateTime, Duration, Utc};
use indicatif::{ProgressBar, ProgressStyle};
use rand::{Rng, SeedableRng, rngs::StdRng, seq::IndexedRandom};
use serde_json::json;
use switchyard_api::AppState;
use switchyard_app::setup;
use switchyard_store::TransactionTrait;
use switchyard_store::audit_chain::Head;
use switchyard_store::{
    Tenant, bulk,
    bulk::{SeedAudit, SeedComment, SeedTask},
    commit, projects, teams, users, workflows,
};
use uuid::Uuid;

/// Password of every seeded account.
pub const BENCH_PASSWORD: &str = "bench-password-42";
/// Tasks generated, and written, at a time (one transaction each on SQLite; one `COPY` per
/// table on PostgreSQL, where the whole load is one transaction).
const CHUNK: usize = 5_000;

const VERBS: &[&str] = &[
    "Fix",
    "Add",
    "Refactor",
    "Investigate",
    "Document",
    "Optimise",
    "Migrate",
    "Remove",
    "Test",
    "Design",
];
const OBJECTS: &[&str] = &[
    "login flow",
    "checkout API",
    "search index",
    "invoice PDF",
    "user settings",
    "webhook retries",
    "audit export",
    "dashboard charts",
    "rate limiter",
    "email templates",
    "mobile layout",
    "cache layer",
    "billing job",
    "SSO handshake",
];
const AREAS: &[&str] = &[
    "payments",
    "auth",
    "reporting",
    "frontend",
    "infra",
    "notifications",
    "search",
    "admin",
];
const TAGS: &[&str] = &[
    "python",
    "rust",
    "react",
    "aws",
    "postgres",
    "security",
    "performance",
    "ux",
    "api",
    "devops",
];
const COMMENTS: &[&str] = &[
    "Reproduced on staging.",
    "Needs a design review first.",
    "Blocked by the infra migration.",
    "Fix is ready for review.",
    "Customer confirmed the workaround.",
    "Added tests for the edge case.",
];

/// Seeds `tasks` tasks and `people` users into organization `slug` (created when missing).
pub async fn run(state: &AppState, slug: &str, tasks: usize, people: usize) -> anyhow::Result<()> {
    let started = Instant::now();
    anyhow::ensure!(people >= 1, "--users must be at least 1");
    let db = &state.app.db;
    let tenant = match switchyard_store::sla::all_tenants(db.conn())
        .await?
        .into_iter()
        .find(|(_, s)| s == slug)
    {
        Some((t, _)) => t,
        None => {
            let out = setup::run(
                &state.app,
                setup::SetupInput {
                    org_name: format!("Bench {slug}"),
                    org_slug: slug.to_string(),
                    admin_username: format!("{slug}_admin"),
                    admin_password: BENCH_PASSWORD.into(),
                    ..Default::default()
                },
            )
            .await
            .map_err(|e| anyhow::anyhow!("setup failed: {e:?}"))?;
            eprintln!("Created organization '{slug}' (admin: {slug}_admin / {BENCH_PASSWORD})");
            out.created.tenant
        }
    };
    let wf = workflows::default_workflow(db.conn(), tenant)
        .await?
        .context("organization has no default workflow")?;
    let org = switchyard_store::organizations::get(db.conn(), tenant)
        .await?
        .context("organization vanished")?;
    let mut rng = StdRng::seed_from_u64(42);
    let (mut workers, mut all_people) = seed_people(state, tenant, slug, people, &mut rng).await?;
    if all_people.is_empty() {
        // Adding tasks to an organization seeded before: its members do the work.
        all_people = switchyard_store::ai::member_names(db.conn(), tenant)
            .await?
            .into_iter()
            .map(|n| (n.id, n.name))
            .collect();
        workers = all_people.iter().map(|p| p.0).collect();
    }
    let team_ids = seed_teams(state, tenant, &workers, &mut rng).await?;
    let project_ids = seed_projects(state, tenant, &workers).await?;

    let first_seq =
        switchyard_store::tasks::reserve_sequences(db.conn(), tenant, tasks as i64).await?;
    let vocabulary = Vocabulary {
        workflow_id: wf.id,
        initial_state: wf.initial_state.clone(),
        states: wf.allowed_states.0.clone(),
        finals: wf.final_states.0.clone(),
        priorities: org.allowed_priorities.0.clone(),
        types: org.allowed_task_types.0.clone(),
        prefix: slug.chars().take(4).collect::<String>().to_uppercase(),
        now: switchyard_store::now(),
        workers,
        people: all_people.clone(),
        team_ids,
        project_ids,
    };

    let bar = ProgressBar::new(tasks as u64);
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] [{wide_bar}] {pos}/{len} tasks ({per_sec}, ETA {eta})",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    // Generation (and, for PostgreSQL, encoding) runs on its own thread, a couple of batches
    // ahead of the writer.
    let backend = db.backend();
    let (batches_tx, mut batches) = tokio::sync::mpsc::channel::<Batch>(2);
    // The audit entries join the organization's hash chain where it stands now; the writer
    // moves the head (compare and set) in the transaction that writes them.
    let chain_start = switchyard_store::audit_chain::head(db.conn(), tenant).await?;
    let mut chain = chain_start.clone();
    let generator = tokio::task::spawn_blocking(move || {
        let mut written = 0usize;
        while written < tasks {
            let n = CHUNK.min(tasks - written);
            let mut c = vocabulary.generate(&mut rng, first_seq + written as i64, n);
            let from = chain.clone();
            bulk::chain(&mut chain, tenant, &mut c.audit);
            let heads = (from, chain.clone());
            let batch = match backend {
                switchyard_store::Backend::Postgres => Batch::Copy(
                    bulk::CopyBatch::new(tenant, &c.tasks, &c.audit, &c.comments),
                    n,
                    heads.1,
                ),
                switchyard_store::Backend::Sqlite => Batch::Rows(c, heads),
            };
            if batches_tx.blocking_send(batch).is_err() {
                break; // the writer failed; its error is reported
            }
            written += n;
        }
    });
    match backend {
        switchyard_store::Backend::Postgres => {
            let mut loader = bulk::PgLoader::begin(db, tasks as u64).await?;
            let mut chain_end = chain_start.clone();
            while let Some(batch) = batches.recv().await {
                let Batch::Copy(rows, n, end) = batch else {
                    continue;
                };
                loader.write(&rows).await?;
                chain_end = end;
                bar.inc(n as u64);
            }
            loader
                .move_audit_head(tenant, &chain_start, &chain_end)
                .await?;
            bar.finish();
            eprintln!(
                "Copied the rows in {:.1}s.",
                started.elapsed().as_secs_f64()
            );
            let steps = loader.steps_to_finish();
            let phase = Instant::now();
            loader
                .finish(|step| match step {
                    bulk::RestoreStep::Started { number, of, what } => {
                        eprint!("Restoring {number}/{of}: {what}… ")
                    }
                    bulk::RestoreStep::Done(took) => eprintln!("{:.1}s", took.as_secs_f64()),
                })
                .await?;
            if steps > 0 {
                eprintln!(
                    "Restored indexes, keys and triggers in {:.1}s.",
                    phase.elapsed().as_secs_f64()
                );
            }
        }
        switchyard_store::Backend::Sqlite => {
            while let Some(batch) = batches.recv().await {
                let Batch::Rows(c, (from, to)) = batch else {
                    continue;
                };
                let n = c.tasks.len() as u64;
                let tx = db.begin_write().await?;
                bulk::insert_tasks(&tx, tenant, c.tasks).await?;
                bulk::insert_audit(&tx, tenant, c.audit).await?;
                switchyard_store::audit_chain::move_head(&tx, tenant, &from, &to).await?;
                bulk::insert_comments(&tx, tenant, c.comments).await?;
                commit(tx).await?;
                bar.inc(n);
            }
            bar.finish();
        }
    }
    generator.await.context("task generator")?;
    let phase = Instant::now();
    eprint!("Counting tallies… ");
    switchyard_store::tallies::rebuild(db, tenant).await?;
    eprintln!("{:.1}s", phase.elapsed().as_secs_f64());
    let phase = Instant::now();
    eprint!("Refreshing planner statistics… ");
    bulk::analyze(db.conn()).await?;
    eprintln!("{:.1}s", phase.elapsed().as_secs_f64());
    eprintln!(
        "Seeded {tasks} tasks and {} people into '{slug}' in {:.1}s.",
        all_people.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// What the generator hands the writer: rows for `INSERT`, or rows encoded for `COPY`.
/// Each carries where the audit chain stands after it (rows: and before it).
enum Batch {
    Rows(Chunk, (Head, Head)),
    Copy(bulk::CopyBatch, usize, Head),
}

/// One batch of generated rows.
struct Chunk {
    tasks: Vec<SeedTask>,
    audit: Vec<SeedAudit>,
    comments: Vec<SeedComment>,
}

/// What generated tasks draw from: the organization's configuration and its people.
struct Vocabulary {
    workflow_id: Uuid,
    initial_state: String,
    states: Vec<String>,
    finals: Vec<String>,
    priorities: Vec<String>,
    types: Vec<String>,
    prefix: String,
    now: DateTime<Utc>,
    /// People who can be assigned work.
    workers: Vec<Uuid>,
    /// Everyone, as (id, username): creators and commenters.
    people: Vec<(Uuid, String)>,
    team_ids: Vec<Uuid>,
    project_ids: Vec<Uuid>,
}

impl Vocabulary {
    /// `n` tasks numbered from `first_seq`, with their audit history and some comments.
    fn generate(&self, rng: &mut StdRng, first_seq: i64, n: usize) -> Chunk {
        let mut chunk = Chunk {
            tasks: Vec::with_capacity(n),
            audit: Vec::with_capacity(n * 2),
            comments: Vec::new(),
        };
        for k in 0..n {
            let seq = first_seq + k as i64;
            let id = Uuid::now_v7();
            let key = format!("{}-{seq:04}", self.prefix);
            let state_name = pick_state(&self.states, &self.finals, rng);
            let created = self.now - Duration::minutes(rng.random_range(0..525_600));
            let assignee = (rng.random_bool(0.8) && !self.workers.is_empty())
                .then(|| self.workers.choose(rng).copied())
                .flatten();
            let creator = self.people[rng.random_range(0..self.people.len())].clone();
            let due = rng
                .random_bool(0.7)
                .then(|| created + Duration::hours(rng.random_range(4..24 * 45)));
            let is_final = self.finals.contains(&state_name);
            let resolved =
                is_final.then(|| created + Duration::hours(rng.random_range(1..24 * 20)));
            let breached = due.is_some_and(|d| d < resolved.unwrap_or(self.now));
            let title = format!(
                "{} {} in {}",
                VERBS.choose(rng).unwrap_or(&"Fix"),
                OBJECTS.choose(rng).unwrap_or(&"login flow"),
                AREAS.choose(rng).unwrap_or(&"auth")
            );
            let tag_count = rng.random_range(0..=3);
            let tags: Vec<String> = TAGS
                .choose_multiple(rng, tag_count)
                .map(|t| t.to_string())
                .collect();
            chunk.audit.push(SeedAudit {
                id: Uuid::now_v7(),
                task_id: id,
                task_key: key.clone(),
                action: "created",
                performed_by: Some(creator.0),
                performed_by_name: creator.1.clone(),
                old_value: None,
                new_value: Some(json!({"title": title, "state": self.initial_state})),
                reason: String::new(),
                timestamp: created,
                link: Default::default(),
            });
            if state_name != self.initial_state {
                chunk.audit.push(SeedAudit {
                    id: Uuid::now_v7(),
                    task_id: id,
                    task_key: key.clone(),
                    action: "state_changed",
                    performed_by: Some(creator.0),
                    performed_by_name: creator.1.clone(),
                    old_value: Some(json!({"state": self.initial_state})),
                    new_value: Some(json!({"state": state_name})),
                    reason: "Progress update".into(),
                    timestamp: resolved.unwrap_or(created + Duration::hours(2)),
                    link: Default::default(),
                });
            }
            if rng.random_bool(0.2) {
                chunk.comments.push(SeedComment {
                    task_id: id,
                    author_id: creator.0,
                    author_name: creator.1.clone(),
                    content: COMMENTS.choose(rng).unwrap_or(&"Looks good.").to_string(),
                    created_at: created + Duration::hours(1),
                });
            }
            chunk.tasks.push(SeedTask {
                id,
                task_key: key,
                description: format!(
                    "Seeded benchmark task {seq} for the {} area.",
                    AREAS[seq as usize % AREAS.len()]
                ),
                title,
                workflow_id: self.workflow_id,
                current_state: state_name,
                priority: self.priorities.choose(rng).cloned().unwrap_or_default(),
                task_type: self.types.choose(rng).cloned().unwrap_or_default(),
                tags,
                team_id: (!self.team_ids.is_empty() && rng.random_bool(0.6))
                    .then(|| self.team_ids[rng.random_range(0..self.team_ids.len())]),
                assigned_to: assignee,
                created_by: Some(creator.0),
                due_date: due,
                sla_breached: breached && !is_final,
                resolved_at: resolved,
                created_at: created,
                // Three tasks in four belong to one of the projects.
                project_id: (!self.project_ids.is_empty() && rng.random_bool(0.75))
                    .then(|| self.project_ids[rng.random_range(0..self.project_ids.len())]),
            });
        }
        chunk
    }
}

fn pick_state(states: &[String], finals: &[String], rng: &mut StdRng) -> String {
    // About a third of the work is finished; the rest spreads over the active states.
    if !finals.is_empty() && rng.random_bool(0.35) {
        let done = &finals[0];
        return if finals.len() > 1 && rng.random_bool(0.15) {
            finals[finals.len() - 1].clone()
        } else {
            done.clone()
        };
    }
    let active: Vec<&String> = states.iter().filter(|s| !finals.contains(s)).collect();
    active
        .choose(rng)
        .map(|s| (*s).clone())
        .unwrap_or_else(|| states[0].clone())
}

async fn seed_people(
    state: &AppState,
    tenant: Tenant,
    slug: &str,
    people: usize,
    rng: &mut StdRng,
) -> anyhow::Result<(Vec<Uuid>, Vec<(Uuid, String)>)> {
    let roles = switchyard_store::organizations::get(state.app.db.conn(), tenant)
        .await?
        .context("org")?
        .allowed_roles
        .0;
    let hash = switchyard_api::auth::password::hash(BENCH_PASSWORD.into())
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let tx = state.app.db.begin_write().await?;
    let mut workers = Vec::new();
    let mut all = Vec::new();
    for i in 0..people {
        let username = format!("{slug}_user_{i:05}");
        if users::username_exists(&tx, &username).await? {
            continue;
        }
        let role = match i % 10 {
            0 => roles.get(1),
            9 if roles.len() >= 3 => roles.last(),
            _ => roles.get(2).or(roles.last()),
        }
        .cloned()
        .unwrap_or_else(|| "admin".into());
        let n_skills = rng.random_range(1..=4);
        let skills: Vec<String> = TAGS
            .choose_multiple(rng, n_skills)
            .map(|t| t.to_string())
            .collect();
        let id = users::create(
            &tx,
            users::NewUser {
                username: username.clone(),
                email: format!("{username}@bench.example"),
                password_hash: hash.clone(),
                skills,
                is_superuser: false,
            },
        )
        .await?;
        users::add_membership(&tx, tenant, id, &role, rng.random_range(5..=25)).await?;
        if i % 10 != 9 {
            workers.push(id);
        }
        all.push((id, username));
    }
    commit(tx).await?;
    Ok((workers, all))
}

/// Groups the new workers into squads of ten and returns every team of the organization
/// (squads from an earlier seed included), for tasks to be spread over.
async fn seed_teams(
    state: &AppState,
    tenant: Tenant,
    workers: &[Uuid],
    rng: &mut StdRng,
) -> anyhow::Result<Vec<Uuid>> {
    let tx = state.app.db.begin_write().await?;
    for (i, chunk) in workers.chunks(10).enumerate() {
        let name = format!("Squad {:03} {}", i + 1, AREAS[i % AREAS.len()]);
        let lead = chunk.choose(rng).copied();
        // A savepoint per team: on PostgreSQL a failed statement would otherwise abort the
        // whole transaction, and a name taken by an earlier seed is expected.
        let savepoint = tx.begin().await?;
        match teams::create(&savepoint, tenant, &name, lead, chunk).await {
            Ok(_) => savepoint.commit().await?,
            Err(switchyard_store::StoreError::Conflict(_)) => savepoint.rollback().await?,
            Err(e) => return Err(e.into()),
        }
    }
    commit(tx).await?;
    let (all, _) = teams::list(
        state.app.db.conn(),
        tenant,
        switchyard_store::Page {
            number: 1,
            size: 10_000,
        },
    )
    .await?;
    Ok(all.into_iter().map(|t| t.id).collect())
}

/// Projects seeded for benchmarks: one per area, private, each with a tenth of the workers
/// as editors (the rest of the organization does not see them unless it manages).
const PROJECTS: usize = 20;

/// Creates the benchmark projects (once) and returns every project id of the organization.
async fn seed_projects(
    state: &AppState,
    tenant: Tenant,
    workers: &[Uuid],
) -> anyhow::Result<Vec<Uuid>> {
    let tx = state.app.db.begin_write().await?;
    let creator = workers.first().copied();
    for i in 0..PROJECTS {
        let key: String = [b'P', b'A' + (i / 26) as u8, b'A' + (i % 26) as u8]
            .iter()
            .map(|b| *b as char)
            .collect();
        let fields = projects::ProjectFields {
            project_key: key,
            name: format!("Project {:02} {}", i + 1, AREAS[i % AREAS.len()]),
            status: "active".into(),
            visibility: projects::PRIVATE.into(),
            ..Default::default()
        };
        let savepoint = tx.begin().await?;
        let Some(creator) = creator else { break };
        match projects::create(&savepoint, tenant, fields, creator, Some(creator)).await {
            Ok(id) => {
                for w in workers.iter().skip(i).step_by(10) {
                    if *w != creator {
                        projects::add_member(&savepoint, tenant, id, *w, "editor").await?;
                    }
                }
                savepoint.commit().await?
            }
            Err(switchyard_store::StoreError::Conflict(_)) => savepoint.rollback().await?,
            Err(e) => return Err(e.into()),
        }
    }
    commit(tx).await?;
    let (all, _) = projects::list(
        state.app.db.conn(),
        tenant,
        Uuid::nil(),
        true,
        &Default::default(),
        switchyard_store::Page {
            number: 1,
            size: 10_000,
        },
    )
    .await?;
    Ok(all.into_iter().map(|p| p.id).collect())
}
