//! Ranking people for a task: 0.40 skill match + 0.30 availability + 0.30 past performance.

use serde::Serialize;

/// What is known about one candidate.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub username: String,
    pub skills: Vec<String>,
    pub active_tasks: i64,
    pub capacity: i64,
    /// Resolved tasks of the task's type, how many of them breached their SLA, and their
    /// average resolution hours.
    pub resolved_same_type: i64,
    pub breached_same_type: i64,
    pub avg_hours_same_type: Option<f64>,
}

/// The three factors, each in [0, 1].
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RouteFactors {
    pub skill_match: f64,
    pub availability: f64,
    pub past_performance: f64,
}

/// One ranked candidate; `index` points into the candidates given.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ranked {
    pub index: usize,
    pub factors: RouteFactors,
    pub total_score: f64,
    pub reasoning: String,
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// Skill match: the share of the task's tags among the person's skills (case-insensitive);
/// 0.5 when the task names no skills.
pub fn skill_match(tags: &[String], skills: &[String]) -> (f64, Vec<String>) {
    if tags.is_empty() {
        return (0.5, Vec::new());
    }
    let lower: Vec<String> = skills.iter().map(|s| s.to_lowercase()).collect();
    let matched: Vec<String> = tags
        .iter()
        .filter(|t| lower.contains(&t.to_lowercase()))
        .cloned()
        .collect();
    (matched.len() as f64 / tags.len() as f64, matched)
}

/// Availability: free share of capacity; 0 at or over capacity.
pub fn availability(active: i64, capacity: i64) -> f64 {
    if capacity <= 0 {
        return 0.0;
    }
    (1.0 - active as f64 / capacity as f64).clamp(0.0, 1.0)
}

/// Past performance on the same task type: 0.6 × on-time share + 0.4 × speed relative to
/// the organization's average for the type; 0.5 without history.
pub fn past_performance(c: &Candidate, org_avg_hours: Option<f64>) -> f64 {
    if c.resolved_same_type == 0 {
        return 0.5;
    }
    let on_time = 1.0 - c.breached_same_type as f64 / c.resolved_same_type as f64;
    let speed = match (c.avg_hours_same_type, org_avg_hours) {
        (Some(mine), Some(org)) if mine > 0.0 => (org / mine).min(1.0),
        _ => 0.5,
    };
    (0.6 * on_time + 0.4 * speed).clamp(0.0, 1.0)
}

/// Ranks candidates for a task with `tags` of `task_type`, best first.
pub fn rank(
    tags: &[String],
    task_type: &str,
    candidates: &[Candidate],
    org_avg_hours: Option<f64>,
) -> Vec<Ranked> {
    let mut out: Vec<Ranked> = candidates
        .iter()
        .enumerate()
        .map(|(index, c)| {
            let (skill, matched) = skill_match(tags, &c.skills);
            let avail = availability(c.active_tasks, c.capacity);
            let perf = past_performance(c, org_avg_hours);
            let total = round3(0.40 * skill + 0.30 * avail + 0.30 * perf);
            let skills_part = if tags.is_empty() {
                "the task names no skills".to_string()
            } else if matched.is_empty() {
                format!("has none of the required skills ({})", tags.join(", "))
            } else {
                format!(
                    "matches {} of {} required skills ({})",
                    matched.len(),
                    tags.len(),
                    matched.join(", ")
                )
            };
            let free = (c.capacity - c.active_tasks).max(0);
            let perf_part = if c.resolved_same_type == 0 {
                format!("no resolved '{task_type}' tasks yet")
            } else {
                format!(
                    "{:.0}% on time over {} resolved '{task_type}' task(s)",
                    100.0 * (1.0 - c.breached_same_type as f64 / c.resolved_same_type as f64),
                    c.resolved_same_type
                )
            };
            Ranked {
                index,
                factors: RouteFactors {
                    skill_match: round3(skill),
                    availability: round3(avail),
                    past_performance: round3(perf),
                },
                total_score: total,
                reasoning: format!(
                    "{} {skills_part}; {free} of {} slots free; {perf_part}.",
                    c.username, c.capacity
                ),
            }
        })
        .collect();
    out.sort_by(|a, b| {
        b.total_score.total_cmp(&a.total_score).then_with(|| {
            candidates[a.index]
                .username
                .cmp(&candidates[b.index].username)
        })
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cand(name: &str, skills: &[&str], active: i64, cap: i64) -> Candidate {
        Candidate {
            username: name.into(),
            skills: skills.iter().map(|s| s.to_string()).collect(),
            active_tasks: active,
            capacity: cap,
            resolved_same_type: 0,
            breached_same_type: 0,
            avg_hours_same_type: None,
        }
    }

    #[test]
    fn skills_decide_between_equally_free_people() {
        let tags = vec!["Python".to_string()];
        let cands = [
            cand("bob", &["react"], 0, 5),
            cand("alice", &["python", "aws"], 0, 5),
        ];
        let ranked = rank(&tags, "bug", &cands, None);
        assert_eq!(cands[ranked[0].index].username, "alice");
        assert_eq!(ranked[0].factors.skill_match, 1.0);
        assert_eq!(ranked[1].factors.skill_match, 0.0);
        assert!(ranked[0].reasoning.contains("matches 1 of 1"));
    }

    #[test]
    fn full_people_have_no_availability() {
        assert_eq!(availability(5, 5), 0.0);
        assert_eq!(availability(7, 5), 0.0);
        assert_eq!(availability(1, 4), 0.75);
        assert_eq!(availability(0, 0), 0.0);
    }

    #[test]
    fn track_record_counts() {
        let mut good = cand("good", &[], 0, 5);
        good.resolved_same_type = 10;
        good.avg_hours_same_type = Some(5.0);
        let mut late = good.clone();
        late.breached_same_type = 10;
        late.avg_hours_same_type = Some(20.0);
        assert_eq!(past_performance(&good, Some(10.0)), 1.0);
        assert!(past_performance(&late, Some(10.0)) < 0.3);
    }
}
