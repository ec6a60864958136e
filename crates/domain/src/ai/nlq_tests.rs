//! Table-driven tests of the question parser against two vocabularies: the defaults and the
//! NovaSphere configuration.

use chrono::{DateTime, TimeZone, Utc};

use super::nlq::{ParsedQuery, Person, Vocabulary, Window, parse};

fn v(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

fn people(names: &[&str]) -> Vec<(String, String)> {
    names
        .iter()
        .enumerate()
        .map(|(i, n)| (format!("u{i}"), n.to_string()))
        .collect()
}

fn defaults() -> Vocabulary {
    Vocabulary {
        states: v(&[
            "open",
            "in_progress",
            "review",
            "testing",
            "done",
            "cancelled",
        ]),
        final_states: v(&["done", "cancelled"]),
        priorities: v(&["critical", "high", "medium", "low"]),
        task_types: v(&["bug", "feature", "task", "improvement"]),
        users: people(&[
            "admin_user",
            "manager_user",
            "dev_alice",
            "dev_bob",
            "viewer_user",
        ]),
        teams: vec![("t0".into(), "Backend Team".into())],
        projects: Vec::new(),
    }
}

fn nova() -> Vocabulary {
    Vocabulary {
        states: v(&[
            "backlog",
            "todo",
            "in_progress",
            "code_review",
            "qa",
            "staging",
            "deployed",
            "cancelled",
        ]),
        final_states: v(&["deployed", "cancelled"]),
        priorities: v(&["p0_blocker", "p1_critical", "p2_major", "p3_minor"]),
        task_types: v(&[
            "defect",
            "user_story",
            "spike",
            "tech_debt",
            "change_request",
        ]),
        users: people(&["nova_admin", "dev_alice", "dev_alan", "bob_smith"]),
        teams: vec![("t0".into(), "Platform Team".into())],
        projects: vec![
            ("p0".into(), "ROVER".into(), "Mars Rover Arm".into()),
            ("p1".into(), "DOCK".into(), "Docking Station".into()),
        ],
    }
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2030, 6, 5, 15, 30, 0).unwrap()
}

fn win(w: &Window) -> String {
    let f = |t: Option<DateTime<Utc>>| {
        t.map(|t| t.format("%m-%dT%H:%M").to_string())
            .unwrap_or_default()
    };
    format!("{}..{}", f(w.from), f(w.to))
}

fn person(p: &Person) -> String {
    match p {
        Person::Me => "me".into(),
        Person::Nobody => "none".into(),
        Person::User { username, .. } => username.clone(),
    }
}

/// A canonical one-line form of a parse, for table comparison.
fn summary(q: &ParsedQuery) -> String {
    let mut out: Vec<String> = Vec::new();
    let list = |k: &str, l: &[String]| (!l.is_empty()).then(|| format!("{k}=[{}]", l.join(",")));
    out.extend(list("s", &q.states));
    out.extend(list("x", &q.exclude_states));
    out.extend(list("p", &q.priorities));
    out.extend(list("t", &q.task_types));
    out.extend(q.assigned_to.as_ref().map(|p| format!("a={}", person(p))));
    out.extend(q.created_by.as_ref().map(|p| format!("c={}", person(p))));
    out.extend(q.team.as_ref().map(|(_, n)| format!("team={n}")));
    out.extend(list("tags", &q.tags));
    if q.overdue {
        out.push("overdue".into());
    }
    out.extend(q.due.as_ref().map(|w| format!("due={}", win(w))));
    out.extend(q.created.as_ref().map(|w| format!("created={}", win(w))));
    out.join(" ")
}

const ACTIVE_NOVA: &str = "backlog,todo,in_progress,code_review,qa,staging";

/// (question, expected with the defaults, expected with NovaSphere's configuration)
fn cases() -> Vec<(&'static str, String, String)> {
    let s = |x: &str| x.to_string();
    vec![
        (
            "show me critical bugs",
            s("p=[critical] t=[bug]"),
            s("p=[p0_blocker] t=[defect]"),
        ),
        ("my tasks", s("a=me"), s("a=me")),
        ("unassigned tasks", s("a=none"), s("a=none")),
        ("tasks assigned to dev_al", s("a=dev_alice"), s("")),
        (
            "overdue p0 defects in code review",
            s("s=[review] p=[critical] t=[bug] overdue"),
            s("s=[code_review] p=[p0_blocker] t=[defect] overdue"),
        ),
        ("open tasks", s("s=[open]"), format!("s=[{ACTIVE_NOVA}]")),
        ("tasks not done", s("x=[done]"), s("x=[deployed]")),
        (
            "everything except cancelled",
            s("x=[cancelled]"),
            s("x=[cancelled]"),
        ),
        (
            "high priority features",
            s("p=[high] t=[feature]"),
            s("p=[p1_critical] t=[user_story]"),
        ),
        (
            "low priority improvements",
            s("p=[low] t=[improvement]"),
            s("p=[p3_minor] t=[tech_debt]"),
        ),
        (
            "tasks in progress",
            s("s=[in_progress]"),
            s("s=[in_progress]"),
        ),
        ("done tasks", s("s=[done]"), s("s=[deployed]")),
        (
            "closed bugs",
            s("s=[done] t=[bug]"),
            s("s=[deployed] t=[defect]"),
        ),
        ("tasks created by manager_user", s("c=manager_user"), s("")),
        ("tasks created by me", s("c=me"), s("c=me")),
        ("team backend tasks", s("team=Backend Team"), s("")),
        (
            "platform team bugs",
            s("t=[bug]"),
            s("t=[defect] team=Platform Team"),
        ),
        ("tagged python", s("tags=[python]"), s("tags=[python]")),
        (
            "tasks tagged python and aws",
            s("tags=[python,aws]"),
            s("tags=[python,aws]"),
        ),
        (
            "due today",
            s("due=06-05T00:00..06-06T00:00"),
            s("due=06-05T00:00..06-06T00:00"),
        ),
        (
            "tasks due this week",
            s("due=06-03T00:00..06-10T00:00"),
            s("due=06-03T00:00..06-10T00:00"),
        ),
        (
            "due in the next 3 days",
            s("due=06-05T15:30..06-08T15:30"),
            s("due=06-05T15:30..06-08T15:30"),
        ),
        (
            "created last week",
            s("created=05-27T00:00..06-03T00:00"),
            s("created=05-27T00:00..06-03T00:00"),
        ),
        (
            "tasks older than 30 days",
            s("created=..05-06T15:30"),
            s("created=..05-06T15:30"),
        ),
        ("breached tasks", s("overdue"), s("overdue")),
        (
            "late critical tasks",
            s("p=[critical] overdue"),
            s("p=[p0_blocker] overdue"),
        ),
        (
            "urgent issues assigned to me",
            s("p=[critical] t=[bug] a=me"),
            s("p=[p0_blocker] t=[defect] a=me"),
        ),
        ("blockers", s("p=[critical]"), s("p=[p0_blocker]")),
        (
            "minor bugs",
            s("p=[low] t=[bug]"),
            s("p=[p3_minor] t=[defect]"),
        ),
        ("p2 tasks", s("p=[medium]"), s("p=[p2_major]")),
        ("spikes", s(""), s("t=[spike]")),
        (
            "tech debt in backlog",
            s("t=[improvement]"),
            s("s=[backlog] t=[tech_debt]"),
        ),
        (
            "user stories in qa",
            s("s=[testing] t=[feature]"),
            s("s=[qa] t=[user_story]"),
        ),
        ("what is the weather like", s(""), s("")),
        ("tasks in staging", s(""), s("s=[staging]")),
        (
            "deployed change requests",
            s(""),
            s("s=[deployed] t=[change_request]"),
        ),
        (
            "unassigned critical bugs due tomorrow",
            s("p=[critical] t=[bug] a=none due=06-06T00:00..06-07T00:00"),
            s("p=[p0_blocker] t=[defect] a=none due=06-06T00:00..06-07T00:00"),
        ),
        ("not in review", s("x=[review]"), s("x=[code_review]")),
        ("cancelled tasks", s("s=[cancelled]"), s("s=[cancelled]")),
        (
            "finished features created in the last 7 days",
            s("s=[done] t=[feature] created=05-29T15:30.."),
            s("s=[deployed] t=[user_story] created=05-29T15:30.."),
        ),
        ("tasks assigned to bob", s("a=dev_bob"), s("a=bob_smith")),
        ("the unbroken build", s(""), s("")),
        ("wip", s("s=[in_progress]"), s("s=[in_progress]")),
        (
            "active defects",
            s("s=[open,in_progress,review,testing] t=[bug]"),
            format!("s=[{ACTIVE_NOVA}] t=[defect]"),
        ),
        (
            "MY OPEN BUGS!!!",
            s("s=[open] t=[bug] a=me"),
            format!("s=[{ACTIVE_NOVA}] t=[defect] a=me"),
        ),
        ("todo items", s(""), s("s=[todo]")),
        ("tasks assigned to nobody_known", s(""), s("")),
        (
            "tasks labelled frontend owned by dev_alice",
            s("a=dev_alice tags=[frontend]"),
            s("a=dev_alice tags=[frontend]"),
        ),
    ]
}

#[test]
fn questions_parse_against_both_vocabularies() {
    let (d, n) = (defaults(), nova());
    let mut failures = Vec::new();
    let all = cases();
    assert!(all.len() >= 40, "at least 40 questions");
    for (question, want_default, want_nova) in all {
        for (name, vocab, want) in [
            ("defaults", &d, want_default),
            ("novasphere", &n, want_nova),
        ] {
            let got = summary(&parse(question, vocab, now()));
            if got != want {
                failures.push(format!(
                    "{name}: {question:?}\n    want {want:?}\n    got  {got:?}"
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn explanations_read_naturally() {
    let q = parse("overdue p0 defects in code review", &nova(), now());
    assert_eq!(
        q.explain(),
        "Showing tasks in state code_review, with priority p0_blocker, of type defect, past their due date."
    );
    assert_eq!(
        parse("hello", &nova(), now()).explain(),
        "No filters recognised; showing the most recent tasks."
    );
}

#[test]
fn projects_are_named_by_key_or_full_name() {
    let n = nova();
    let by_name = parse("open defects in project mars rover arm", &n, now());
    assert_eq!(
        by_name.project,
        Some(("p0".into(), "Mars Rover Arm".into()))
    );
    assert_eq!(by_name.task_types, vec!["defect".to_string()]);
    let by_key = parse("my tasks in project DOCK", &n, now());
    assert_eq!(
        by_key.project,
        Some(("p1".into(), "Docking Station".into()))
    );
    assert_eq!(by_key.assigned_to, Some(Person::Me));
    let after = parse("overdue docking station project", &n, now());
    assert_eq!(after.project, Some(("p1".into(), "Docking Station".into())));
    assert!(after.overdue);
    assert_eq!(
        by_key.explain(),
        "Showing tasks assigned to you, in project Docking Station."
    );
    // A project the asker may not see is not in their vocabulary: nothing is matched.
    assert_eq!(parse("tasks in project apollo", &n, now()).project, None);
}
