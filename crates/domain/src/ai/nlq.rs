//! Plain-English task queries, parsed against the organization's own vocabulary (its
//! states, priorities, types, people, teams) plus synonyms mapped onto it. Words it does
//! not understand produce no filter, never a wrong one.

use chrono::{DateTime, Datelike, Duration, TimeZone, Utc};
use serde::Serialize;

use super::classify::{TypeClass, type_class};

/// What the organization calls things.
#[derive(Debug, Clone, Default)]
pub struct Vocabulary {
    /// Every state of every workflow, in workflow order, without repeats.
    pub states: Vec<String>,
    /// States that are final in some workflow.
    pub final_states: Vec<String>,
    /// Most urgent first.
    pub priorities: Vec<String>,
    pub task_types: Vec<String>,
    /// (id, username)
    pub users: Vec<(String, String)>,
    /// (id, name)
    pub teams: Vec<(String, String)>,
    /// (id, key, name) of the projects the asker may see.
    pub projects: Vec<(String, String, String)>,
}

/// Who a task is assigned to (or created by).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Person {
    /// The caller.
    Me,
    /// Nobody (assignee only).
    Nobody,
    User {
        id: String,
        username: String,
    },
}

/// A time window; either end may be open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Window {
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

/// Filters understood from a question.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ParsedQuery {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub states: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub exclude_states: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub priorities: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub task_types: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assigned_to: Option<Person>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_by: Option<Person>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub team: Option<(String, String)>,
    /// (id, name)
    #[serde(skip_serializing_if = "Option::is_none")]
    pub project: Option<(String, String)>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub overdue: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub due: Option<Window>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created: Option<Window>,
}

impl ParsedQuery {
    /// Whether nothing was understood.
    pub fn is_empty(&self) -> bool {
        *self == ParsedQuery::default()
    }

    /// A sentence saying what will be searched for.
    pub fn explain(&self) -> String {
        let mut parts: Vec<String> = Vec::new();
        if !self.states.is_empty() {
            parts.push(format!("in state {}", self.states.join(" or ")));
        }
        if !self.exclude_states.is_empty() {
            parts.push(format!("not in state {}", self.exclude_states.join(" or ")));
        }
        if !self.priorities.is_empty() {
            parts.push(format!("with priority {}", self.priorities.join(" or ")));
        }
        if !self.task_types.is_empty() {
            parts.push(format!("of type {}", self.task_types.join(" or ")));
        }
        match &self.assigned_to {
            Some(Person::Me) => parts.push("assigned to you".into()),
            Some(Person::Nobody) => parts.push("not assigned to anyone".into()),
            Some(Person::User { username, .. }) => parts.push(format!("assigned to {username}")),
            None => {}
        }
        match &self.created_by {
            Some(Person::Me) => parts.push("created by you".into()),
            Some(Person::User { username, .. }) => parts.push(format!("created by {username}")),
            _ => {}
        }
        if let Some((_, name)) = &self.team {
            parts.push(format!("of team {name}"));
        }
        if let Some((_, name)) = &self.project {
            parts.push(format!("in project {name}"));
        }
        if !self.tags.is_empty() {
            parts.push(format!("tagged {}", self.tags.join(" and ")));
        }
        if self.overdue {
            parts.push("past their due date".into());
        }
        if let Some(w) = &self.due {
            parts.push(window_words("due", w));
        }
        if let Some(w) = &self.created {
            parts.push(window_words("created", w));
        }
        if parts.is_empty() {
            "No filters recognised; showing the most recent tasks.".into()
        } else {
            format!("Showing tasks {}.", parts.join(", "))
        }
    }
}

fn window_words(what: &str, w: &Window) -> String {
    let f = |t: DateTime<Utc>| t.format("%Y-%m-%d %H:%M UTC").to_string();
    match (w.from, w.to) {
        (Some(a), Some(b)) => format!("{what} between {} and {}", f(a), f(b)),
        (Some(a), None) => format!("{what} after {}", f(a)),
        (None, Some(b)) => format!("{what} before {}", f(b)),
        (None, None) => String::new(),
    }
}

/// The question split into lower-case words, remembering which raw token (text between
/// spaces and punctuation, keeping `_ - . @`) each word came from.
struct Tokens {
    words: Vec<String>,
    raw: Vec<String>,
    raw_of: Vec<usize>,
    used: Vec<bool>,
}

impl Tokens {
    fn new(q: &str) -> Tokens {
        let lower = q.to_lowercase();
        let raw: Vec<String> = lower
            .split(|c: char| !(c.is_alphanumeric() || "_-.@".contains(c)))
            .map(|t| t.trim_matches(|c: char| ".-".contains(c)).to_string())
            .filter(|t| !t.is_empty())
            .collect();
        let mut words = Vec::new();
        let mut raw_of = Vec::new();
        for (i, r) in raw.iter().enumerate() {
            for w in r
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| !w.is_empty())
            {
                words.push(w.to_string());
                raw_of.push(i);
            }
        }
        let used = vec![false; words.len()];
        Tokens {
            words,
            raw,
            raw_of,
            used,
        }
    }

    /// Finds `phrase` (already split into words) at unused positions; returns its start.
    fn find(&self, phrase: &[&str]) -> Option<usize> {
        if phrase.is_empty() || phrase.len() > self.words.len() {
            return None;
        }
        (0..=self.words.len() - phrase.len()).find(|&i| {
            phrase
                .iter()
                .enumerate()
                .all(|(k, p)| self.words[i + k] == *p && !self.used[i + k])
        })
    }

    fn take(&mut self, start: usize, len: usize) {
        for u in &mut self.used[start..start + len] {
            *u = true;
        }
    }

    /// Finds and consumes a phrase; returns its start.
    fn take_phrase(&mut self, phrase: &str) -> Option<usize> {
        let parts: Vec<&str> = phrase.split(' ').collect();
        let at = self.find(&parts)?;
        self.take(at, parts.len());
        Some(at)
    }

    /// The raw token that starts at word `i`, consuming all its words.
    fn take_raw_at(&mut self, i: usize) -> Option<String> {
        if i >= self.words.len() || self.used[i] {
            return None;
        }
        let r = self.raw_of[i];
        for (k, ro) in self.raw_of.iter().enumerate() {
            if *ro == r {
                self.used[k] = true;
            }
        }
        Some(self.raw[r].clone())
    }

    fn negated(&self, at: usize) -> bool {
        let before = |k: usize| at.checked_sub(k).map(|i| self.words[i].as_str());
        matches!(
            before(1),
            Some("not" | "except" | "excluding" | "without" | "exclude" | "but")
        ) || (before(2) == Some("other") && before(1) == Some("than"))
            || (matches!(before(2), Some("not" | "except" | "excluding"))
                && matches!(before(1), Some("in" | "yet")))
    }
}

fn split_name(name: &str) -> String {
    name.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn number(word: &str) -> Option<i64> {
    const WORDS: [&str; 11] = [
        "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    ];
    word.parse::<i64>()
        .ok()
        .filter(|n| (0..=3650).contains(n))
        .or_else(|| WORDS.iter().position(|w| *w == word).map(|n| n as i64))
}

fn push_unique(list: &mut Vec<String>, items: impl IntoIterator<Item = String>) {
    for i in items {
        if !list.contains(&i) {
            list.push(i);
        }
    }
}

fn start_of_day(t: DateTime<Utc>) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(t.year(), t.month(), t.day(), 0, 0, 0)
        .single()
        .unwrap_or(t)
}

fn start_of_week(t: DateTime<Utc>) -> DateTime<Utc> {
    start_of_day(t) - Duration::days(t.weekday().num_days_from_monday() as i64)
}

/// Matches a person's name: exact username, else a unique prefix, else a unique substring.
fn match_user(vocab: &Vocabulary, name: &str) -> Option<(String, String)> {
    let name = name.trim_start_matches('@').to_lowercase();
    if name.is_empty() {
        return None;
    }
    let by = |f: &dyn Fn(&str) -> bool| -> Vec<&(String, String)> {
        vocab
            .users
            .iter()
            .filter(|(_, u)| f(&u.to_lowercase()))
            .collect()
    };
    for found in [
        by(&|u| u == name),
        by(&|u| u.starts_with(&name)),
        by(&|u| u.contains(&name)),
    ] {
        if found.len() == 1 {
            return Some(found[0].clone());
        }
        if found.len() > 1 {
            return None;
        }
    }
    None
}

fn is_cancel_like(s: &str) -> bool {
    let n = s.to_lowercase();
    [
        "cancel",
        "reject",
        "abandon",
        "wont",
        "won_t",
        "discard",
        "invalid",
        "duplicate",
    ]
    .iter()
    .any(|k| n.contains(k))
}

/// Parses `question` for `vocab` at `now`.
pub fn parse(question: &str, vocab: &Vocabulary, now: DateTime<Utc>) -> ParsedQuery {
    let mut t = Tokens::new(question);
    let mut q = ParsedQuery::default();
    project(&mut t, &mut q, vocab);
    people_and_groups(&mut t, &mut q, vocab);
    dates(&mut t, &mut q, now);
    flags(&mut t, &mut q);
    states(&mut t, &mut q, vocab);
    priorities(&mut t, &mut q, vocab);
    types(&mut t, &mut q, vocab);
    q
}

/// "in project <name or key>" (or "project <…>", or "<name> project"): the full name or the
/// key of one of the projects the asker may see.
fn project(t: &mut Tokens, q: &mut ParsedQuery, vocab: &Vocabulary) {
    if t.find(&["project"]).is_none() {
        return;
    }
    for (id, key, name) in &vocab.projects {
        for label in [split_name(name), key.to_lowercase()] {
            let found = t
                .take_phrase(&format!("project {label}"))
                .or_else(|| t.take_phrase(&format!("{label} project")));
            if let Some(at) = found {
                if at > 0 && t.words[at - 1] == "in" && !t.used[at - 1] {
                    t.take(at - 1, 1);
                }
                q.project = Some((id.clone(), name.clone()));
                return;
            }
        }
    }
}

fn people_and_groups(t: &mut Tokens, q: &mut ParsedQuery, vocab: &Vocabulary) {
    for phrase in [
        "assigned to me",
        "my tasks",
        "my work",
        "my issues",
        "my bugs",
        "mine",
    ] {
        if t.take_phrase(phrase).is_some() {
            q.assigned_to = Some(Person::Me);
        }
    }
    if let Some(at) = t.find(&["my"]) {
        t.take(at, 1);
        q.assigned_to = Some(Person::Me);
    }
    for phrase in ["assigned to", "assignee", "owned by"] {
        if let Some(at) = t.take_phrase(phrase) {
            let next = at + phrase.split(' ').count();
            if let Some(name) = t.take_raw_at(next)
                && let Some((id, username)) = match_user(vocab, &name)
            {
                q.assigned_to = Some(Person::User { id, username });
            }
        }
    }
    for phrase in [
        "created by",
        "reported by",
        "opened by",
        "filed by",
        "raised by",
    ] {
        if let Some(at) = t.take_phrase(phrase) {
            let next = at + phrase.split(' ').count();
            if let Some(name) = t.take_raw_at(next) {
                if name == "me" {
                    q.created_by = Some(Person::Me);
                } else if let Some((id, username)) = match_user(vocab, &name) {
                    q.created_by = Some(Person::User { id, username });
                }
            }
        }
    }
    for phrase in [
        "unassigned",
        "not assigned",
        "no assignee",
        "nobody",
        "no one",
        "without assignee",
    ] {
        if t.take_phrase(phrase).is_some() {
            q.assigned_to = Some(Person::Nobody);
        }
    }
    // Teams: the full team name, or "team X" / "X team" with X a word of one team's name.
    for (id, name) in &vocab.teams {
        let full = split_name(name);
        if t.take_phrase(&full).is_some() {
            q.team = Some((id.clone(), name.clone()));
            t.take_phrase("team");
            return tags(t, q);
        }
    }
    if let Some(at) = t.find(&["team"]) {
        let candidates = [at + 1, at.wrapping_sub(1)];
        for c in candidates {
            if c < t.words.len() && !t.used[c] {
                let word = t.words[c].clone();
                let found: Vec<&(String, String)> = vocab
                    .teams
                    .iter()
                    .filter(|(_, n)| split_name(n).split(' ').any(|w| w == word && w != "team"))
                    .collect();
                if found.len() == 1 {
                    q.team = Some(found[0].clone());
                    t.take(at, 1);
                    t.take(c, 1);
                    break;
                }
            }
        }
    }
    tags(t, q);
}

fn tags(t: &mut Tokens, q: &mut ParsedQuery) {
    for phrase in [
        "tagged with",
        "tagged",
        "with tag",
        "tag",
        "labelled",
        "labeled",
        "label",
    ] {
        while let Some(at) = t.take_phrase(phrase) {
            let mut next = at + phrase.split(' ').count();
            while let Some(tag) = t.take_raw_at(next) {
                push_unique(&mut q.tags, [tag]);
                // "tagged python and aws"
                next += 1;
                while next < t.words.len() && t.raw_of[next] == t.raw_of[next - 1] {
                    next += 1;
                }
                if next < t.words.len()
                    && (t.words[next] == "and" || t.words[next] == "or")
                    && !t.used[next]
                {
                    t.take(next, 1);
                    next += 1;
                } else {
                    break;
                }
            }
        }
    }
}

fn dates(t: &mut Tokens, q: &mut ParsedQuery, now: DateTime<Utc>) {
    let today = start_of_day(now);
    let week = start_of_week(now);
    let day = Duration::days(1);
    let fixed: [(&str, bool, Window); 9] = [
        (
            "due today",
            true,
            Window {
                from: Some(today),
                to: Some(today + day),
            },
        ),
        (
            "due tomorrow",
            true,
            Window {
                from: Some(today + day),
                to: Some(today + day * 2),
            },
        ),
        (
            "due this week",
            true,
            Window {
                from: Some(week),
                to: Some(week + Duration::days(7)),
            },
        ),
        (
            "due next week",
            true,
            Window {
                from: Some(week + Duration::days(7)),
                to: Some(week + Duration::days(14)),
            },
        ),
        (
            "created today",
            false,
            Window {
                from: Some(today),
                to: None,
            },
        ),
        (
            "created yesterday",
            false,
            Window {
                from: Some(today - day),
                to: Some(today),
            },
        ),
        (
            "created this week",
            false,
            Window {
                from: Some(week),
                to: None,
            },
        ),
        (
            "created last week",
            false,
            Window {
                from: Some(week - Duration::days(7)),
                to: Some(week),
            },
        ),
        (
            "created this month",
            false,
            Window {
                from: Some(now - Duration::days(30)),
                to: None,
            },
        ),
    ];
    for (phrase, due, w) in fixed {
        if t.take_phrase(phrase).is_some() {
            if due {
                q.due = Some(w);
            } else {
                q.created = Some(w);
            }
        }
    }
    // "due in the next 3 days", "due within 3 days", "due in 3 days"
    for phrase in [
        "due in the next",
        "due within the next",
        "due within",
        "due in",
        "due in the coming",
    ] {
        if let Some(at) = t.find(&phrase.split(' ').collect::<Vec<_>>()) {
            let n_at = at + phrase.split(' ').count();
            if let Some(n) = t.words.get(n_at).and_then(|w| number(w)) {
                let unit = t.words.get(n_at + 1).map(String::as_str);
                let span = match unit {
                    Some("hour" | "hours") => Some(Duration::hours(n)),
                    Some("day" | "days") => Some(Duration::days(n)),
                    Some("week" | "weeks") => Some(Duration::weeks(n)),
                    _ => None,
                };
                if let Some(span) = span {
                    t.take(at, phrase.split(' ').count() + 2);
                    q.due = Some(Window {
                        from: Some(now),
                        to: Some(now + span),
                    });
                }
            }
        }
    }
    // "created in the last 7 days", "in the past 2 weeks", "older than 30 days"
    for (phrase, older) in [
        ("created in the last", false),
        ("created in the past", false),
        ("created within the last", false),
        ("in the last", false),
        ("in the past", false),
        ("older than", true),
        ("created more than", true),
    ] {
        if let Some(at) = t.find(&phrase.split(' ').collect::<Vec<_>>()) {
            let n_at = at + phrase.split(' ').count();
            if let Some(n) = t.words.get(n_at).and_then(|w| number(w)) {
                let span = match t.words.get(n_at + 1).map(String::as_str) {
                    Some("day" | "days") => Some(Duration::days(n)),
                    Some("week" | "weeks") => Some(Duration::weeks(n)),
                    Some("month" | "months") => Some(Duration::days(30 * n)),
                    _ => None,
                };
                if let Some(span) = span {
                    let mut len = phrase.split(' ').count() + 2;
                    if t.words.get(at + len).is_some_and(|w| w == "ago") {
                        len += 1;
                    }
                    t.take(at, len);
                    q.created = Some(if older {
                        Window {
                            from: None,
                            to: Some(now - span),
                        }
                    } else {
                        Window {
                            from: Some(now - span),
                            to: None,
                        }
                    });
                }
            }
        }
    }
}

fn flags(t: &mut Tokens, q: &mut ParsedQuery) {
    for phrase in [
        "overdue",
        "past due",
        "breached",
        "sla breach",
        "sla breached",
        "late",
        "missed deadline",
    ] {
        if t.take_phrase(phrase).is_some() {
            q.overdue = true;
        }
    }
}

/// Synonyms of state words, resolved against the vocabulary.
fn state_synonym(word: &str, vocab: &Vocabulary) -> Option<Vec<String>> {
    let finals_done: Vec<String> = vocab
        .final_states
        .iter()
        .filter(|s| !is_cancel_like(s))
        .cloned()
        .collect();
    let active: Vec<String> = vocab
        .states
        .iter()
        .filter(|s| !vocab.final_states.contains(s))
        .cloned()
        .collect();
    let containing = |k: &str| -> Vec<String> {
        vocab
            .states
            .iter()
            .filter(|s| split_name(s).split(' ').any(|w| w == k))
            .cloned()
            .collect()
    };
    let non_empty = |v: Vec<String>| (!v.is_empty()).then_some(v);
    match word {
        "done" | "closed" | "finished" | "completed" | "complete" | "resolved" | "shipped" => {
            non_empty(finals_done).or_else(|| non_empty(vocab.final_states.clone()))
        }
        "cancelled" | "canceled" | "rejected" | "abandoned" => non_empty(
            vocab
                .states
                .iter()
                .filter(|s| is_cancel_like(s))
                .cloned()
                .collect(),
        ),
        "open" | "active" | "unresolved" | "pending" | "outstanding" | "remaining" => {
            non_empty(active)
        }
        "wip" | "ongoing" | "started" | "progress" => non_empty(containing("progress")),
        "reviewing" | "reviews" => non_empty(containing("review")),
        "testing" | "tested" | "qa" => {
            non_empty(containing("qa")).or_else(|| non_empty(containing("testing")))
        }
        _ => None,
    }
}

fn states(t: &mut Tokens, q: &mut ParsedQuery, vocab: &Vocabulary) {
    let apply = |t: &mut Tokens, q: &mut ParsedQuery, at: usize, found: Vec<String>| {
        if t.negated(at) {
            push_unique(&mut q.exclude_states, found);
        } else {
            push_unique(&mut q.states, found);
        }
    };
    // Full state names first, longest first ("in progress" before "progress").
    let mut names: Vec<&String> = vocab.states.iter().collect();
    names.sort_by_key(|s| std::cmp::Reverse(split_name(s).len()));
    for s in names {
        let full = split_name(s);
        for form in [full.clone(), format!("{full}s")] {
            if let Some(at) = t.take_phrase(&form) {
                apply(t, q, at, vec![s.clone()]);
            }
        }
    }
    for phrase in [
        "in progress",
        "in review",
        "to do",
        "under review",
        "being worked on",
        "work in progress",
    ] {
        let key = match phrase {
            "in progress" | "being worked on" | "work in progress" => "progress",
            "in review" | "under review" => "reviewing",
            _ => "todo",
        };
        let found = if key == "todo" {
            Some(
                vocab
                    .states
                    .iter()
                    .filter(|s| split_name(s).replace(' ', "") == "todo")
                    .cloned()
                    .collect::<Vec<_>>(),
            )
            .filter(|v| !v.is_empty())
        } else {
            state_synonym(key, vocab)
        };
        if let Some(found) = found
            && let Some(at) = t.take_phrase(phrase)
        {
            apply(t, q, at, found);
        }
    }
    for i in 0..t.words.len() {
        if t.used[i] {
            continue;
        }
        let w = t.words[i].clone();
        if let Some(found) = state_synonym(&w, vocab) {
            t.take(i, 1);
            apply(t, q, i, found);
            continue;
        }
        // The head word of a multi-word state ("review" → code_review).
        if w.len() >= 3 && !STOP.contains(&w.as_str()) {
            let heads: Vec<String> = vocab
                .states
                .iter()
                .filter(|s| {
                    let parts = split_name(s);
                    let parts: Vec<&str> = parts.split(' ').collect();
                    parts.len() > 1
                        && parts
                            .last()
                            .is_some_and(|h| *h == w || format!("{h}s") == w)
                })
                .cloned()
                .collect();
            if !heads.is_empty() {
                t.take(i, 1);
                apply(t, q, i, heads);
            }
        }
    }
}

/// Words never taken as part of a configured name on their own.
const STOP: [&str; 24] = [
    "the", "and", "for", "with", "all", "show", "list", "find", "get", "tasks", "task", "items",
    "that", "are", "which", "what", "have", "has", "from", "this", "code", "ready", "please",
    "any",
];

fn priorities(t: &mut Tokens, q: &mut ParsedQuery, vocab: &Vocabulary) {
    let n = vocab.priorities.len();
    if n == 0 {
        return;
    }
    for p in &vocab.priorities {
        let full = split_name(p);
        if t.take_phrase(&full).is_some() || t.take_phrase(&format!("{full} priority")).is_some() {
            push_unique(&mut q.priorities, [p.clone()]);
        }
    }
    for i in 0..t.words.len() {
        if t.used[i] {
            continue;
        }
        let w = t.words[i].as_str();
        let index = match w {
            "critical" | "urgent" | "p0" | "blocker" | "blockers" | "blocking" | "highest"
            | "emergency" | "sev1" => Some(0),
            "high" | "p1" | "important" => Some(1.min(n - 1)),
            "medium" | "normal" | "p2" | "moderate" => Some((n / 2).min(n - 1)),
            "low" | "minor" | "trivial" | "p3" | "lowest" | "p4" => Some(n - 1),
            _ => None,
        };
        // A configured name's first word ("p0" of "p0_blocker") wins over the synonym table.
        let by_prefix: Vec<String> = vocab
            .priorities
            .iter()
            .filter(|p| split_name(p).split(' ').next() == Some(w))
            .cloned()
            .collect();
        let found = if by_prefix.len() == 1 {
            Some(by_prefix)
        } else {
            index.map(|k| vec![vocab.priorities[k].clone()])
        };
        if let Some(found) = found {
            t.take(i, 1);
            if t.words.get(i + 1).is_some_and(|w| w == "priority") && !t.used[i + 1] {
                t.take(i + 1, 1);
            }
            push_unique(&mut q.priorities, found);
        }
    }
}

/// Nouns that mean "work item" in ordinary speech; a type with such a name is only
/// matched when the question says "type X".
const GENERIC_NOUNS: [&str; 8] = [
    "task", "tasks", "item", "items", "ticket", "tickets", "work", "todo",
];

fn types(t: &mut Tokens, q: &mut ParsedQuery, vocab: &Vocabulary) {
    for ty in &vocab.task_types {
        let full = split_name(ty);
        if GENERIC_NOUNS.contains(&full.as_str()) {
            if t.take_phrase(&format!("type {full}")).is_some() {
                push_unique(&mut q.task_types, [ty.clone()]);
            }
            continue;
        }
        for form in [
            format!("{full}s"),
            full.clone(),
            full.replace("story", "stories"),
        ] {
            if t.take_phrase(&form).is_some() {
                push_unique(&mut q.task_types, [ty.clone()]);
            }
        }
    }
    let of_class = |c: TypeClass| -> Vec<String> {
        vocab
            .task_types
            .iter()
            .filter(|ty| type_class(ty) == c)
            .take(1)
            .cloned()
            .collect()
    };
    for i in 0..t.words.len() {
        if t.used[i] {
            continue;
        }
        let class = match t.words[i].as_str() {
            "bug" | "bugs" | "defect" | "defects" | "issue" | "issues" | "incident"
            | "incidents" => Some(TypeClass::Defect),
            "feature" | "features" | "story" | "stories" | "enhancement" | "enhancements" => {
                Some(TypeClass::Feature)
            }
            "improvement" | "improvements" | "refactor" | "refactoring" | "debt" => {
                Some(TypeClass::Improvement)
            }
            _ => None,
        };
        if let Some(c) = class {
            let found = of_class(c);
            if !found.is_empty() {
                t.take(i, 1);
                push_unique(&mut q.task_types, found);
            }
        }
    }
}
