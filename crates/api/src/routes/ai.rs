//! `/api/v1/ai/`: priority scoring, assignee routing, auto-assign, plain-English queries.

use axum::{Json, extract::State};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use switchyard_domain::ai::{estimate::Basis, nlq::Person};
use utoipa::ToSchema;
use uuid::Uuid;

use switchyard_app::ai::{self, Recommendation};

use crate::{
    auth::Member,
    error::{ApiResult, ErrorBody},
    extract::ApiJson,
    routes::tags,
    state::AppState,
};

#[derive(Debug, Deserialize, ToSchema)]
pub struct TaskRef {
    #[schema(example = "0f3e5d7c-9a1b-4c2d-8e4f-6a7b8c9d0e1f")]
    pub task_id: Uuid,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FactorsOut {
    pub keyword_score: f64,
    pub type_score: f64,
    pub priority_score: f64,
    pub deadline_score: f64,
    pub age_score: f64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PriorityAnalysisOut {
    /// 0.35 keywords + 0.15 type + 0.15 manual priority + 0.20 deadline + 0.15 age.
    pub score: f64,
    pub factors: FactorsOut,
    /// Level (CRITICAL ≥ 0.8, HIGH ≥ 0.6, MEDIUM ≥ 0.4, else LOW) and the primary driver.
    pub explanation: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ScoreOut {
    pub task_key: String,
    pub title: String,
    pub priority_analysis: PriorityAnalysisOut,
    pub estimated_hours: f64,
    /// `history` (median of similar resolved tasks of the type) or `heuristic`.
    pub estimate_basis: String,
    /// How many past tasks the estimate rests on.
    pub estimate_sample_size: usize,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ScoreAllItem {
    pub task_key: String,
    pub score: f64,
    pub estimated_hours: f64,
    pub explanation: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ScoreAllOut {
    pub scored_count: usize,
    pub results: Vec<ScoreAllItem>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RouteFactorsOut {
    pub skill_match: f64,
    pub availability: f64,
    pub past_performance: f64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RecommendationOut {
    pub user_id: Uuid,
    pub username: String,
    pub skills: Vec<String>,
    pub active_tasks: i64,
    pub max_concurrent_tasks: i64,
    pub factors: RouteFactorsOut,
    /// 0.40 skill match + 0.30 availability + 0.30 past performance.
    pub total_score: f64,
    pub reasoning: String,
}

impl From<Recommendation> for RecommendationOut {
    fn from(r: Recommendation) -> Self {
        RecommendationOut {
            user_id: r.user_id,
            username: r.username,
            skills: r.skills,
            active_tasks: r.active_tasks,
            max_concurrent_tasks: r.capacity,
            factors: RouteFactorsOut {
                skill_match: r.ranked.factors.skill_match,
                availability: r.ranked.factors.availability,
                past_performance: r.ranked.factors.past_performance,
            },
            total_score: r.ranked.total_score,
            reasoning: r.ranked.reasoning,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RecommendOut {
    pub task_key: String,
    pub task_title: String,
    /// The task's tags, matched against people's skills.
    pub required_skills: Vec<String>,
    pub recommendations: Vec<RecommendationOut>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AutoAssignOut {
    pub message: String,
    pub task_key: String,
    /// The username assigned, or null when nobody qualified.
    pub assigned_to: Option<String>,
    pub recommendation_details: Option<RecommendationOut>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct QueryRequest {
    #[schema(
        min_length = 1,
        max_length = 500,
        example = "overdue high priority bugs assigned to dev_alice"
    )]
    pub question: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct QueryResultItem {
    pub id: Uuid,
    pub task_key: String,
    pub title: String,
    pub state: String,
    pub priority: String,
    #[serde(rename = "type")]
    pub task_type: String,
    pub assigned_to: Option<String>,
    pub sla_breached: bool,
    pub due_date: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct QueryOut {
    pub query: String,
    /// The filters understood, in the organization's own terms.
    #[schema(value_type = Object)]
    pub parsed_filters: Value,
    pub explanation: String,
    /// How many tasks match (results hold at most 50).
    pub count: u64,
    pub results: Vec<QueryResultItem>,
}

fn basis(b: Basis) -> String {
    match b {
        Basis::History => "history".into(),
        Basis::Heuristic => "heuristic".into(),
    }
}

/// Scores a task's priority and estimates its effort; both are stored on the task.
#[utoipa::path(post, path = "/api/v1/ai/score-priority", tag = tags::AI, request_body = TaskRef, security(("bearer" = [])),
    responses((status = 200, body = ScoreOut), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn score_priority(
    State(state): State<AppState>,
    member: Member,
    ApiJson(req): ApiJson<TaskRef>,
) -> ApiResult<Json<ScoreOut>> {
    let s = ai::score_one(&state.app, &member, req.task_id).await?;
    let f = s.analysis.factors;
    Ok(Json(ScoreOut {
        task_key: s.task_key,
        title: s.title,
        priority_analysis: PriorityAnalysisOut {
            score: s.analysis.score,
            factors: FactorsOut {
                keyword_score: f.keyword_score,
                type_score: f.type_score,
                priority_score: f.priority_score,
                deadline_score: f.deadline_score,
                age_score: f.age_score,
            },
            explanation: s.analysis.explanation,
        },
        estimated_hours: s.estimate.hours,
        estimate_basis: basis(s.estimate.basis),
        estimate_sample_size: s.estimate.sample_size,
    }))
}

/// Scores every active task of the organization (manager+), best first.
#[utoipa::path(post, path = "/api/v1/ai/score-all", tag = tags::AI, security(("bearer" = [])),
    responses((status = 200, body = ScoreAllOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn score_all(
    State(state): State<AppState>,
    member: Member,
) -> ApiResult<Json<ScoreAllOut>> {
    let scored = ai::score_all(&state.app, &member).await?;
    Ok(Json(ScoreAllOut {
        scored_count: scored.len(),
        results: scored
            .into_iter()
            .map(|s| ScoreAllItem {
                task_key: s.task_key,
                score: s.analysis.score,
                estimated_hours: s.estimate.hours,
                explanation: s.analysis.explanation,
            })
            .collect(),
    }))
}

/// Ranks the organization's managers and workers for a task, with reasons.
#[utoipa::path(post, path = "/api/v1/ai/recommend-assignee", tag = tags::AI, request_body = TaskRef, security(("bearer" = [])),
    responses((status = 200, body = RecommendOut), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn recommend_assignee(
    State(state): State<AppState>,
    member: Member,
    ApiJson(req): ApiJson<TaskRef>,
) -> ApiResult<Json<RecommendOut>> {
    let (task, recs) = ai::recommend(&state.app, &member, req.task_id).await?;
    Ok(Json(RecommendOut {
        task_key: task.task_key,
        task_title: task.title,
        required_skills: task.tags.0,
        recommendations: recs.into_iter().map(Into::into).collect(),
    }))
}

/// Assigns the best candidate with a free slot and a score above 0.3 (manager+), through
/// the same checks and audit as `POST /tasks/{id}/assign/`.
#[utoipa::path(post, path = "/api/v1/ai/auto-assign", tag = tags::AI, request_body = TaskRef, security(("bearer" = [])),
    responses((status = 200, body = AutoAssignOut), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn auto_assign(
    State(state): State<AppState>,
    member: Member,
    ApiJson(req): ApiJson<TaskRef>,
) -> ApiResult<Json<AutoAssignOut>> {
    let (task, best) = ai::auto_assign(&state.app, &member, req.task_id).await?;
    Ok(Json(match best {
        Some(b) => AutoAssignOut {
            message: format!("Task {} assigned to {}.", task.task_key, b.username),
            task_key: task.task_key,
            assigned_to: Some(b.username.clone()),
            recommendation_details: Some(b.into()),
        },
        None => AutoAssignOut {
            message: format!(
                "Nobody was assigned: no candidate with a free slot scored above {}.",
                ai::AUTO_ASSIGN_THRESHOLD
            ),
            task_key: task.task_key,
            assigned_to: None,
            recommendation_details: None,
        },
    }))
}

fn person_json(p: &Person) -> Value {
    match p {
        Person::Me => json!("me"),
        Person::Nobody => json!("unassigned"),
        Person::User { username, .. } => json!(username),
    }
}

/// Answers a plain-English question about tasks with up to 50 results.
#[utoipa::path(post, path = "/api/v1/ai/query", tag = tags::AI, request_body = QueryRequest, security(("bearer" = [])),
    responses((status = 200, body = QueryOut), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn query(
    State(state): State<AppState>,
    member: Member,
    ApiJson(req): ApiJson<QueryRequest>,
) -> ApiResult<Json<QueryOut>> {
    let answer = ai::query(&state.app, &member, &req.question).await?;
    let p = &answer.parsed;
    let mut filters = Map::new();
    let mut put = |k: &str, v: Value| {
        filters.insert(k.to_string(), v);
    };
    if !p.states.is_empty() {
        put("current_state", json!(p.states));
    }
    if !p.exclude_states.is_empty() {
        put("exclude_states", json!(p.exclude_states));
    }
    if !p.priorities.is_empty() {
        put("priority", json!(p.priorities));
    }
    if !p.task_types.is_empty() {
        put("task_type", json!(p.task_types));
    }
    if let Some(a) = &p.assigned_to {
        put("assigned_to", person_json(a));
    }
    if let Some(c) = &p.created_by {
        put("created_by", person_json(c));
    }
    if let Some((_, name)) = &p.team {
        put("team", json!(name));
    }
    if let Some((id, name)) = &p.project {
        put("project", json!({"id": id, "name": name}));
    }
    if !p.tags.is_empty() {
        put("tags", json!(p.tags));
    }
    if p.overdue {
        put("overdue", json!(true));
    }
    for (name, w) in [("due", p.due), ("created", p.created)] {
        if let Some(w) = w {
            if let Some(from) = w.from {
                put(&format!("{name}_after"), json!(from));
            }
            if let Some(to) = w.to {
                put(&format!("{name}_before"), json!(to));
            }
        }
    }
    Ok(Json(QueryOut {
        query: req.question.trim().to_string(),
        parsed_filters: Value::Object(filters),
        explanation: p.explain(),
        count: answer.count,
        results: answer
            .results
            .into_iter()
            .map(|t| QueryResultItem {
                id: t.id,
                task_key: t.task_key,
                title: t.title,
                state: t.current_state,
                priority: t.priority,
                task_type: t.task_type,
                assigned_to: t.assigned_to_name,
                sla_breached: t.sla_breached,
                due_date: t.due_date,
                created_at: t.created_at,
            })
            .collect(),
    }))
}
