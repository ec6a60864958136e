//! Effort estimation: from the organization's own history when it has enough of it, else a
//! transparent heuristic.

use serde::Serialize;

use std::collections::HashMap;

use super::{
    classify::{TypeClass, priority_position_score, type_class},
    text::{word_set, words},
};

/// A resolved task of the organization.
#[derive(Debug, Clone)]
pub struct Resolved {
    pub task_type: String,
    pub text: String,
    pub hours: f64,
}

/// Resolved tasks grouped by type, their words turned into sorted integer ids once, so
/// estimating many tasks (score-all) intersects small sorted vectors instead of re-reading
/// texts or hashing strings.
#[derive(Debug, Default)]
pub struct History {
    vocabulary: HashMap<String, u32>,
    by_type: HashMap<String, Vec<(Vec<u32>, f64)>>,
}

/// Most past tasks of one type compared against (the most recent ones).
const PER_TYPE: usize = 200;

impl History {
    /// Indexes resolved tasks, most recent first.
    pub fn new(resolved: &[Resolved]) -> Self {
        let mut h = History::default();
        for r in resolved {
            if h.by_type
                .get(&r.task_type)
                .is_some_and(|l| l.len() >= PER_TYPE)
            {
                continue;
            }
            let mut ids: Vec<u32> = word_set(&r.text)
                .into_iter()
                .map(|w| {
                    let next = h.vocabulary.len() as u32;
                    *h.vocabulary.entry(w).or_insert(next)
                })
                .collect();
            ids.sort_unstable();
            h.by_type
                .entry(r.task_type.clone())
                .or_default()
                .push((ids, r.hours));
        }
        h
    }

    /// A text's known word ids (sorted) and its total distinct word count.
    fn ids_of(&self, text: &str) -> (Vec<u32>, usize) {
        let words = word_set(text);
        let mut ids: Vec<u32> = words
            .iter()
            .filter_map(|w| self.vocabulary.get(w).copied())
            .collect();
        ids.sort_unstable();
        (ids, words.len())
    }
}

/// Jaccard overlap of a text (known ids plus its total word count) and a past task's ids.
fn jaccard(ids: &[u32], total: usize, other: &[u32]) -> f64 {
    if total == 0 || other.is_empty() {
        return 0.0;
    }
    let (mut i, mut j, mut inter) = (0, 0, 0usize);
    while i < ids.len() && j < other.len() {
        match ids[i].cmp(&other[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                inter += 1;
                i += 1;
                j += 1;
            }
        }
    }
    inter as f64 / (total + other.len() - inter) as f64
}

/// How an estimate was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// Median of the most similar resolved tasks of the same type.
    History,
    /// Type class, text length and priority.
    Heuristic,
}

/// An estimate in hours and how it was made.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Estimate {
    pub hours: f64,
    pub basis: Basis,
    /// How many past tasks it rests on (0 for the heuristic).
    pub sample_size: usize,
}

/// Minimum resolved tasks of a type before history is trusted.
pub const MIN_HISTORY: usize = 5;
/// How many of the most similar tasks the median is taken over.
const NEIGHBOURS: usize = 5;

fn round_half(h: f64) -> f64 {
    ((h * 2.0).round() / 2.0).max(0.5)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// Estimates hours for a task of `task_type` described by `text`.
pub fn estimate(
    task_type: &str,
    text: &str,
    priority: &str,
    priorities: &[String],
    history: &History,
) -> Estimate {
    let same = history
        .by_type
        .get(task_type)
        .map(Vec::as_slice)
        .unwrap_or_default();
    if same.len() >= MIN_HISTORY {
        let (ids, total) = history.ids_of(text);
        let mut ranked: Vec<(f64, f64)> = same
            .iter()
            .map(|(other, hours)| (jaccard(&ids, total, other), *hours))
            .collect();
        ranked.sort_by(|a, b| b.0.total_cmp(&a.0));
        let nearest: Vec<f64> = ranked.iter().take(NEIGHBOURS).map(|(_, h)| *h).collect();
        return Estimate {
            sample_size: nearest.len(),
            hours: round_half(median(nearest)),
            basis: Basis::History,
        };
    }
    let base = match type_class(task_type) {
        TypeClass::Defect => 4.0,
        TypeClass::Feature => 16.0,
        TypeClass::Improvement => 8.0,
        TypeClass::Other => 6.0,
    };
    let length = 1.0 + (words(text).len() as f64 / 100.0).min(1.0);
    // Urgent work is usually cut small; low-priority work tends to sprawl.
    let urgency = 1.25 - 0.5 * priority_position_score(priorities, priority);
    Estimate {
        hours: round_half(base * length * urgency),
        basis: Basis::Heuristic,
        sample_size: 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prios() -> Vec<String> {
        ["critical", "high", "medium", "low"]
            .iter()
            .map(|s| s.to_string())
            .collect()
    }

    #[test]
    fn heuristic_without_enough_history() {
        let e = estimate(
            "bug",
            "login fails",
            "critical",
            &prios(),
            &History::default(),
        );
        assert_eq!(e.basis, Basis::Heuristic);
        assert_eq!(e.hours, 3.0);
        let f = estimate(
            "feature",
            "new reporting page",
            "low",
            &prios(),
            &History::default(),
        );
        assert!(f.hours > e.hours);
    }

    #[test]
    fn history_uses_the_most_similar_same_type_tasks() {
        let mut history: Vec<Resolved> = (0..5)
            .map(|i| Resolved {
                task_type: "bug".into(),
                text: format!("login page error {i}"),
                hours: 2.0,
            })
            .collect();
        history.extend((0..5).map(|i| Resolved {
            task_type: "bug".into(),
            text: format!("database migration {i}"),
            hours: 40.0,
        }));
        history.push(Resolved {
            task_type: "feature".into(),
            text: "login page".into(),
            hours: 100.0,
        });
        let history = History::new(&history);
        let e = estimate("bug", "login page error again", "high", &prios(), &history);
        assert_eq!(e.basis, Basis::History);
        assert_eq!(e.hours, 2.0);
        assert_eq!(e.sample_size, 5);
        let e = estimate(
            "bug",
            "database migration stuck",
            "high",
            &prios(),
            &history,
        );
        assert_eq!(e.hours, 40.0);
    }
}
