//! The priority score: 0.35 keywords + 0.15 type + 0.15 manual priority + 0.20 deadline
//! + 0.15 age, in [0, 1], with an explanation naming the level and the main driver.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::{classify, text::Normalized};

/// Words and phrases that signal urgency, with their weight. Matched as whole words.
const KEYWORDS: &[(&str, f64)] = &[
    ("outage", 1.0),
    ("down", 0.9),
    ("data loss", 1.0),
    ("security", 0.9),
    ("vulnerability", 1.0),
    ("breach", 1.0),
    ("production", 0.8),
    ("prod", 0.8),
    ("critical", 1.0),
    ("urgent", 1.0),
    ("emergency", 1.0),
    ("asap", 0.9),
    ("blocker", 1.0),
    ("blocking", 0.9),
    ("crash", 0.9),
    ("crashes", 0.9),
    ("broken", 0.7),
    ("fails", 0.6),
    ("failing", 0.6),
    ("failure", 0.6),
    ("error", 0.5),
    ("errors", 0.5),
    ("500", 0.6),
    ("regression", 0.7),
    ("leak", 0.7),
    ("timeout", 0.5),
    ("slow", 0.4),
    ("customers", 0.4),
    ("customer", 0.4),
    ("deadline", 0.5),
    ("important", 0.5),
];

/// The five factors, each in [0, 1].
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Factors {
    pub keyword_score: f64,
    pub type_score: f64,
    pub priority_score: f64,
    pub deadline_score: f64,
    pub age_score: f64,
}

/// A score with its explanation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PriorityAnalysis {
    pub score: f64,
    pub factors: Factors,
    pub explanation: String,
}

/// What the scorer needs to know about a task.
#[derive(Debug, Clone)]
pub struct ScoreInput<'a> {
    pub title: &'a str,
    pub description: &'a str,
    pub task_type: &'a str,
    pub priority: &'a str,
    pub due_date: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// Keyword factor: the strongest signal, plus a little for each further one, capped at 1.
pub fn keyword_score(text: &str) -> (f64, Vec<&'static str>) {
    // Normalise once; the keywords are written normalised already.
    let text = Normalized::new(text);
    let hits: Vec<(&str, f64)> = KEYWORDS
        .iter()
        .copied()
        .filter(|(k, _)| text.contains(k))
        .collect();
    let max = hits.iter().map(|(_, w)| *w).fold(0.0, f64::max);
    let score = if hits.is_empty() {
        0.0
    } else {
        (max + 0.05 * (hits.len() - 1) as f64).min(1.0)
    };
    (score, hits.into_iter().map(|(k, _)| k).collect())
}

/// Deadline factor, the reference implementation's step table: overdue 1.0; due within 8 h
/// 0.95, 24 h 0.8, 72 h 0.5, a week 0.3; later 0.1; no due date 0.3.
pub fn deadline_score(due: Option<DateTime<Utc>>, now: DateTime<Utc>) -> f64 {
    let Some(due) = due else { return 0.3 };
    let hours = (due - now).num_seconds() as f64 / 3600.0;
    match hours {
        h if h < 0.0 => 1.0,
        h if h < 8.0 => 0.95,
        h if h < 24.0 => 0.8,
        h if h < 72.0 => 0.5,
        h if h < 168.0 => 0.3,
        _ => 0.1,
    }
}

/// Age factor, the reference's step table: older than a week 0.9, 72 h 0.6, 24 h 0.3,
/// otherwise 0.1.
pub fn age_score(created: DateTime<Utc>, now: DateTime<Utc>) -> f64 {
    let hours = (now - created).num_seconds() as f64 / 3600.0;
    match hours {
        h if h > 168.0 => 0.9,
        h if h > 72.0 => 0.6,
        h if h > 24.0 => 0.3,
        _ => 0.1,
    }
}

/// The level word for a score.
pub fn level(score: f64) -> &'static str {
    if score >= 0.8 {
        "CRITICAL"
    } else if score >= 0.6 {
        "HIGH"
    } else if score >= 0.4 {
        "MEDIUM"
    } else {
        "LOW"
    }
}

/// Scores a task against the organization's priorities.
pub fn score(task: &ScoreInput<'_>, priorities: &[String], now: DateTime<Utc>) -> PriorityAnalysis {
    let text = format!("{} {}", task.title, task.description);
    let (kw, hits) = keyword_score(&text);
    let factors = Factors {
        keyword_score: round3(kw),
        type_score: classify::type_score(task.task_type),
        priority_score: round3(classify::priority_position_score(priorities, task.priority)),
        deadline_score: deadline_score(task.due_date, now),
        age_score: round3(age_score(task.created_at, now)),
    };
    let weighted = [
        ("urgent keywords", 0.35 * factors.keyword_score),
        ("task type", 0.15 * factors.type_score),
        ("manual priority", 0.15 * factors.priority_score),
        ("deadline", 0.20 * factors.deadline_score),
        ("age", 0.15 * factors.age_score),
    ];
    let total = round3(weighted.iter().map(|(_, v)| v).sum::<f64>().clamp(0.0, 1.0));
    let (driver, _) =
        weighted.iter().copied().fold(
            ("", f64::MIN),
            |best, cur| if cur.1 > best.1 { cur } else { best },
        );
    let detail = match driver {
        "urgent keywords" => format!(" ({})", hits.join(", ")),
        "deadline" => match task.due_date {
            Some(d) if d < now => " (overdue)".to_string(),
            Some(_) => " (due soon)".to_string(),
            None => String::new(),
        },
        "manual priority" => format!(" ('{}')", task.priority),
        "task type" => format!(" ('{}')", task.task_type),
        _ => String::new(),
    };
    PriorityAnalysis {
        score: total,
        factors,
        // The reference's opening, which clients parse, then the detail.
        explanation: format!(
            "AI Priority: {} — Primary driver: {driver}{detail}. Score {total:.2}.",
            level(total)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn prios() -> Vec<String> {
        ["critical", "high", "medium", "low"]
            .iter()
            .map(|s| s.to_string())
            .collect()
    }

    #[test]
    fn urgent_overdue_bug_is_critical() {
        let now = Utc::now();
        let a = score(
            &ScoreInput {
                title: "Production outage: checkout crashes",
                description: "customers cannot pay",
                task_type: "bug",
                priority: "critical",
                due_date: Some(now - Duration::hours(1)),
                created_at: now - Duration::days(40),
            },
            &prios(),
            now,
        );
        assert_eq!(a.factors.keyword_score, 1.0);
        assert_eq!(a.factors.deadline_score, 1.0);
        assert_eq!(a.factors.age_score, 0.9);
        assert!(a.score >= 0.8, "{a:?}");
        assert!(
            a.explanation
                .starts_with("AI Priority: CRITICAL — Primary driver: urgent keywords"),
            "{}",
            a.explanation
        );
        assert!(a.explanation.contains("urgent keywords"));
    }

    #[test]
    fn calm_new_improvement_is_low_and_weights_add_up() {
        let now = Utc::now();
        let a = score(
            &ScoreInput {
                title: "Tidy the settings page",
                description: "",
                task_type: "improvement",
                priority: "low",
                due_date: None,
                created_at: now,
            },
            &prios(),
            now,
        );
        let f = a.factors;
        let expected = 0.35 * f.keyword_score
            + 0.15 * f.type_score
            + 0.15 * f.priority_score
            + 0.20 * f.deadline_score
            + 0.15 * f.age_score;
        assert!((a.score - expected).abs() < 0.001);
        assert_eq!(level(a.score), "LOW");
        assert_eq!(f.type_score, 0.4);
        assert_eq!(f.priority_score, 0.25);
    }

    #[test]
    fn keywords_are_whole_words() {
        assert_eq!(keyword_score("an unbroken streak").0, 0.0);
        assert_eq!(keyword_score("the build is broken").0, 0.7);
        assert!(
            keyword_score("possible DATA-LOSS in prod")
                .1
                .contains(&"data loss")
        );
    }

    #[test]
    fn deadline_and_age_follow_the_reference_step_tables() {
        let now = Utc::now();
        let due = |h: i64| deadline_score(Some(now + Duration::hours(h)), now);
        assert_eq!(deadline_score(None, now), 0.3);
        assert_eq!(due(-1), 1.0);
        assert_eq!(due(7), 0.95);
        assert_eq!(due(8), 0.8);
        assert_eq!(due(23), 0.8);
        assert_eq!(due(24), 0.5);
        assert_eq!(due(71), 0.5);
        assert_eq!(due(72), 0.3);
        assert_eq!(due(167), 0.3);
        assert_eq!(due(168), 0.1);
        let aged = |h: i64| age_score(now - Duration::hours(h), now);
        assert_eq!(aged(0), 0.1);
        assert_eq!(aged(24), 0.1);
        assert_eq!(aged(25), 0.3);
        assert_eq!(aged(73), 0.6);
        assert_eq!(aged(169), 0.9);
    }
}
