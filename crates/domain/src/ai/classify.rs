//! Classes of task types, recognised from each organization's own type names.

use super::text::normalize;

/// What kind of work a task type stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TypeClass {
    /// bug, defect, incident, problem, outage, sev…
    Defect,
    /// feature, story, user_story, enhancement, change…
    Feature,
    /// improvement, refactor, tech_debt, optimisation…
    Improvement,
    Other,
}

const DEFECT: &[&str] = &[
    "bug", "defect", "incident", "problem", "outage", "sev", "hotfix", "fault", "error", "crash",
];
const FEATURE: &[&str] = &[
    "feature",
    "story",
    "enhancement",
    "change",
    "epic",
    "request",
    "requirement",
];
const IMPROVEMENT: &[&str] = &[
    "improvement",
    "improve",
    "refactor",
    "debt",
    "optimization",
    "optimisation",
    "cleanup",
    "chore",
];

fn has(words: &[&str], name: &str) -> bool {
    let n = normalize(name);
    n.split(' ').any(|w| {
        words
            .iter()
            .any(|k| w == *k || (k.len() >= 3 && w.starts_with(k)))
    })
}

/// Classifies a type name (`user_story` → Feature, `tech_debt` → Improvement, `sev1` →
/// Defect).
pub fn type_class(name: &str) -> TypeClass {
    if has(DEFECT, name) {
        TypeClass::Defect
    } else if has(IMPROVEMENT, name) {
        TypeClass::Improvement
    } else if has(FEATURE, name) {
        TypeClass::Feature
    } else {
        TypeClass::Other
    }
}

/// The type factor of the priority score.
pub fn type_score(name: &str) -> f64 {
    match type_class(name) {
        TypeClass::Defect => 0.8,
        TypeClass::Feature => 0.5,
        TypeClass::Improvement => 0.4,
        TypeClass::Other => 0.3,
    }
}

/// A priority's weight from its position: first = 1.0 down to last = 0.25, evenly spaced.
/// Unknown priorities get the middle, 0.625.
pub fn priority_position_score(priorities: &[String], priority: &str) -> f64 {
    match priorities.iter().position(|p| p == priority) {
        None => 0.625,
        Some(_) if priorities.len() == 1 => 1.0,
        Some(i) => 1.0 - 0.75 * i as f64 / (priorities.len() - 1) as f64,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_from_names() {
        for (name, class) in [
            ("bug", TypeClass::Defect),
            ("defect", TypeClass::Defect),
            ("Incident", TypeClass::Defect),
            ("sev1", TypeClass::Defect),
            ("feature", TypeClass::Feature),
            ("user_story", TypeClass::Feature),
            ("change_request", TypeClass::Feature),
            ("improvement", TypeClass::Improvement),
            ("tech_debt", TypeClass::Improvement),
            ("spike", TypeClass::Other),
            ("task", TypeClass::Other),
        ] {
            assert_eq!(type_class(name), class, "{name}");
        }
    }

    #[test]
    fn positions() {
        let p: Vec<String> = ["p0", "p1", "p2", "p3"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(priority_position_score(&p, "p0"), 1.0);
        assert_eq!(priority_position_score(&p, "p3"), 0.25);
        assert_eq!(priority_position_score(&p, "p1"), 0.75);
        assert_eq!(priority_position_score(&p[..1], "p0"), 1.0);
    }
}
