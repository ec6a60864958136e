//! The AI endpoints' services: load what the domain's pure functions need (in bulk, with a
//! fixed number of queries), ask them, store or return the result.

use std::collections::HashMap;

use switchyard_domain::ai::{
    estimate::{self, Estimate, History, Resolved},
    nlq::{self, ParsedQuery, Person, Vocabulary},
    priority::{self, PriorityAnalysis, ScoreInput},
    routing::{self, Candidate, Ranked},
};
use switchyard_store::{
    ConnectionTrait, Page, ai, organizations, tasks,
    tasks::{TaskQuery, TaskRow},
    workflows,
};
use uuid::Uuid;

use crate::{App, AppError, AppResult, Member, UnitOfWork, tasks::assign_in};

/// How many resolved tasks estimates look back over.
const HISTORY_LIMIT: u64 = 2000;
/// Most results a question returns.
pub const QUERY_LIMIT: u64 = 50;
/// Lowest total score auto-assign accepts.
pub const AUTO_ASSIGN_THRESHOLD: f64 = 0.3;

fn history(rows: Vec<ai::HistoryRow>) -> History {
    let resolved: Vec<Resolved> = rows
        .into_iter()
        .map(|r| Resolved {
            task_type: r.task_type,
            text: format!("{} {}", r.title, r.description),
            hours: (r.resolution_seconds / 3600.0).max(0.0),
        })
        .collect();
    History::new(&resolved)
}

fn analyse(
    row: &ai::ScoringRow,
    priorities: &[String],
    history: &History,
    now: chrono::DateTime<chrono::Utc>,
) -> (PriorityAnalysis, Estimate) {
    let analysis = priority::score(
        &ScoreInput {
            title: &row.title,
            description: &row.description,
            task_type: &row.task_type,
            priority: &row.priority,
            due_date: row.due_date,
            created_at: row.created_at,
        },
        priorities,
        now,
    );
    let est = estimate::estimate(
        &row.task_type,
        &format!("{} {}", row.title, row.description),
        &row.priority,
        priorities,
        history,
    );
    (analysis, est)
}

/// A scored task.
#[derive(Debug, Clone)]
pub struct Scored {
    pub task_key: String,
    pub title: String,
    pub analysis: PriorityAnalysis,
    pub estimate: Estimate,
}

/// Scores one task and stores the score and estimate on it (every level but read-only).
pub async fn score_one(state: &App, member: &Member, task_id: Uuid) -> AppResult<Scored> {
    member.require_writer()?;
    let uow = UnitOfWork::begin(state).await?;
    let task = tasks::get(uow.tx(), member.tenant, task_id)
        .await?
        .ok_or(AppError::NotFound)?;
    crate::projects::task_right(uow.tx(), member, task.project_id)
        .await?
        .require_write()?;
    let org = organizations::get(uow.tx(), member.tenant)
        .await?
        .ok_or(AppError::NotFound)?;
    let past = history(ai::resolved_history(uow.tx(), member.tenant, HISTORY_LIMIT).await?);
    let row = ai::ScoringRow {
        id: task.id,
        task_key: task.task_key.clone(),
        title: task.title.clone(),
        description: task.description.clone(),
        task_type: task.task_type.clone(),
        priority: task.priority.clone(),
        due_date: task.due_date,
        created_at: task.created_at,
    };
    let (analysis, est) = analyse(&row, &org.allowed_priorities.0, &past, state.clock.now());
    ai::write_scores(
        uow.tx(),
        member.tenant,
        &[(task.id, analysis.score, est.hours)],
    )
    .await?;
    uow.commit().await?;
    Ok(Scored {
        task_key: task.task_key,
        title: task.title,
        analysis,
        estimate: est,
    })
}

/// Scores every active task in memory and writes all scores in one transaction (manager+).
pub async fn score_all(state: &App, member: &Member) -> AppResult<Vec<Scored>> {
    member.require_manager()?;
    let started = std::time::Instant::now();
    let uow = UnitOfWork::begin(state).await?;
    let org = organizations::get(uow.tx(), member.tenant)
        .await?
        .ok_or(AppError::NotFound)?;
    let rows = ai::active_for_scoring(uow.tx(), member.tenant).await?;
    let past = history(ai::resolved_history(uow.tx(), member.tenant, HISTORY_LIMIT).await?);
    let now = state.clock.now();
    let mut scored: Vec<(Uuid, Scored)> = rows
        .iter()
        .map(|r| {
            let (analysis, estimate) = analyse(r, &org.allowed_priorities.0, &past, now);
            (
                r.id,
                Scored {
                    task_key: r.task_key.clone(),
                    title: r.title.clone(),
                    analysis,
                    estimate,
                },
            )
        })
        .collect();
    let computed = started.elapsed();
    let writes: Vec<(Uuid, f64, f64)> = scored
        .iter()
        .map(|(id, s)| (*id, s.analysis.score, s.estimate.hours))
        .collect();
    ai::write_scores(uow.tx(), member.tenant, &writes).await?;
    uow.commit().await?;
    tracing::info!(
        tasks = scored.len(),
        load_and_score_ms = computed.as_millis() as u64,
        total_ms = started.elapsed().as_millis() as u64,
        "score-all"
    );
    scored.sort_by(|a, b| {
        b.1.analysis
            .score
            .total_cmp(&a.1.analysis.score)
            .then_with(|| a.1.task_key.cmp(&b.1.task_key))
    });
    Ok(scored.into_iter().map(|(_, s)| s).collect())
}

/// A ranked person with their profile.
#[derive(Debug, Clone)]
pub struct Recommendation {
    pub user_id: Uuid,
    pub username: String,
    pub skills: Vec<String>,
    pub active_tasks: i64,
    pub capacity: i64,
    pub ranked: Ranked,
}

/// Ranks the organization's managers and workers for a task (four queries in all).
pub async fn recommend_in<C: ConnectionTrait>(
    c: &C,
    member: &Member,
    task: &TaskRow,
) -> AppResult<Vec<Recommendation>> {
    let roles = member.work_roles();
    let mut people = ai::candidates(c, member.tenant, &roles).await?;
    // A project's tasks go to those who may work on them.
    if let Some(project) = task.project_id {
        let managers: Vec<String> = member
            .org_roles
            .iter()
            .filter(|r| member.level_of(r).is_some_and(|l| l.is_manager_or_above()))
            .cloned()
            .collect();
        let workers =
            switchyard_store::projects::workers(c, member.tenant, project, &managers).await?;
        people.retain(|p| workers.contains(&p.user_id));
    }
    let records: HashMap<Uuid, ai::TypeRecord> =
        ai::type_records(c, member.tenant, &task.task_type)
            .await?
            .into_iter()
            .map(|r| (r.assigned_to, r))
            .collect();
    let (total_secs, total_n) = records
        .values()
        .filter_map(|r| r.avg_seconds.map(|s| (s * r.resolved as f64, r.resolved)))
        .fold((0.0, 0i64), |(a, n), (s, k)| (a + s, n + k));
    let org_avg_hours = (total_n > 0).then(|| total_secs / total_n as f64 / 3600.0);
    let candidates: Vec<Candidate> = people
        .iter()
        .map(|p| {
            let rec = records.get(&p.user_id);
            Candidate {
                username: p.username.clone(),
                skills: p.skills.0.clone(),
                active_tasks: p.active_tasks,
                capacity: p.max_concurrent_tasks as i64,
                resolved_same_type: rec.map_or(0, |r| r.resolved),
                breached_same_type: rec.map_or(0, |r| r.breached),
                avg_hours_same_type: rec.and_then(|r| r.avg_seconds).map(|s| s / 3600.0),
            }
        })
        .collect();
    let ranked = routing::rank(&task.tags.0, &task.task_type, &candidates, org_avg_hours);
    Ok(ranked
        .into_iter()
        .map(|r| {
            let p = &people[r.index];
            Recommendation {
                user_id: p.user_id,
                username: p.username.clone(),
                skills: p.skills.0.clone(),
                active_tasks: p.active_tasks,
                capacity: p.max_concurrent_tasks as i64,
                ranked: r,
            }
        })
        .collect())
}

/// Ranks people for a task (any member may ask).
pub async fn recommend(
    state: &App,
    member: &Member,
    task_id: Uuid,
) -> AppResult<(TaskRow, Vec<Recommendation>)> {
    let c = state.db.conn();
    let task = tasks::get(c, member.tenant, task_id)
        .await?
        .ok_or(AppError::NotFound)?;
    crate::projects::task_right(c, member, task.project_id)
        .await?
        .require_visible()?;
    let recs = recommend_in(c, member, &task).await?;
    Ok((task, recs))
}

/// Assigns the best available candidate through the shared assignment path (manager+).
/// Returns the task and the chosen recommendation, or none when nobody scores above the
/// threshold with a free slot.
pub async fn auto_assign(
    state: &App,
    member: &Member,
    task_id: Uuid,
) -> AppResult<(TaskRow, Option<Recommendation>)> {
    if !member.level.is_manager_or_above() {
        return Err(AppError::Forbidden(
            "Only admins and managers can auto-assign tasks.".into(),
        ));
    }
    let mut uow = UnitOfWork::begin(state).await?;
    let record = tasks::record_for_update(uow.tx(), member.tenant, task_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let task = tasks::get(uow.tx(), member.tenant, task_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let recs = recommend_in(uow.tx(), member, &task).await?;
    let best = recs.into_iter().find(|r| {
        r.ranked.total_score > AUTO_ASSIGN_THRESHOLD && r.ranked.factors.availability > 0.0
    });
    if let Some(best) = &best {
        let reason = format!(
            "AI auto-assigned (score {:.2}): {}",
            best.ranked.total_score, best.ranked.reasoning
        );
        assign_in(&mut uow, member, &record, Some(best.user_id), reason).await?;
    }
    let task = tasks::get(uow.tx(), member.tenant, task_id)
        .await?
        .ok_or(AppError::NotFound)?;
    uow.commit().await?;
    Ok((task, best))
}

/// The organization's vocabulary for the question parser, with the projects `member` may
/// see (five small queries).
async fn vocabulary<C: ConnectionTrait>(c: &C, member: &Member) -> AppResult<Vocabulary> {
    let tenant = member.tenant;
    let org = organizations::get(c, tenant)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut vocab = Vocabulary {
        priorities: org.allowed_priorities.0,
        task_types: org.allowed_task_types.0,
        ..Default::default()
    };
    for w in workflows::states(c, tenant).await? {
        for s in w.allowed_states.0 {
            if !vocab.states.contains(&s) {
                vocab.states.push(s);
            }
        }
        for s in w.final_states.0 {
            if !vocab.final_states.contains(&s) {
                vocab.final_states.push(s);
            }
        }
    }
    vocab.users = ai::member_names(c, tenant)
        .await?
        .into_iter()
        .map(|n| (n.id.to_string(), n.name))
        .collect();
    vocab.teams = ai::team_names(c, tenant)
        .await?
        .into_iter()
        .map(|n| (n.id.to_string(), n.name))
        .collect();
    let (projects, _) = switchyard_store::projects::list(
        c,
        tenant,
        member.user_id,
        member.level.is_manager_or_above(),
        &Default::default(),
        Page {
            number: 1,
            size: 500,
        },
    )
    .await?;
    vocab.projects = projects
        .into_iter()
        .map(|p| (p.id.to_string(), p.project_key, p.name))
        .collect();
    Ok(vocab)
}

/// A question's parse and its results.
#[derive(Debug, Clone)]
pub struct Answer {
    pub parsed: ParsedQuery,
    pub count: u64,
    pub results: Vec<TaskRow>,
}

fn person_id(p: &Person, me: Uuid) -> Option<Uuid> {
    match p {
        Person::Me => Some(me),
        Person::User { id, .. } => Uuid::parse_str(id).ok(),
        Person::Nobody => None,
    }
}

/// Answers a plain-English question with up to 50 tasks (any member).
pub async fn query(state: &App, member: &Member, question: &str) -> AppResult<Answer> {
    let question = question.trim();
    if question.is_empty() {
        return Err(AppError::field("question", "Please provide a question."));
    }
    if question.chars().count() > 500 {
        return Err(AppError::field(
            "question",
            "Questions are at most 500 characters.",
        ));
    }
    let c = state.db.conn();
    let vocab = vocabulary(c, member).await?;
    let now = state.clock.now();
    let parsed = nlq::parse(question, &vocab, now);
    let q = TaskQuery {
        states: parsed.states.clone(),
        exclude_states: parsed.exclude_states.clone(),
        priorities: parsed.priorities.clone(),
        task_types: parsed.task_types.clone(),
        assigned_to: parsed
            .assigned_to
            .as_ref()
            .map(|p| person_id(p, member.user_id)),
        created_by: parsed
            .created_by
            .as_ref()
            .and_then(|p| person_id(p, member.user_id)),
        team: parsed
            .team
            .as_ref()
            .and_then(|(id, _)| Uuid::parse_str(id).ok()),
        tags: parsed.tags.clone(),
        overdue_at: parsed.overdue.then_some(now),
        due_from: parsed.due.and_then(|w| w.from),
        due_to: parsed.due.and_then(|w| w.to),
        created_from: parsed.created.and_then(|w| w.from),
        created_to: parsed.created.and_then(|w| w.to),
        project: parsed
            .project
            .as_ref()
            .and_then(|(id, _)| Uuid::parse_str(id).ok()),
        scope: crate::projects::scope(c, member).await?,
    };
    let (results, count) = tasks::search(c, member.tenant, &q, QUERY_LIMIT).await?;
    Ok(Answer {
        parsed,
        count,
        results,
    })
}
