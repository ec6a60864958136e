//! The workflow state machine: which moves a role may make, checked in the contract's order.

use chrono::{DateTime, Utc};
use thiserror::Error;

/// A workflow as the checker needs it.
#[derive(Debug, Clone)]
pub struct Workflow {
    pub name: String,
    pub states: Vec<String>,
    pub initial_state: String,
    pub final_states: Vec<String>,
    /// The final state that means "abandoned": never held back by blockers or sub-tasks.
    pub cancel_state: Option<String>,
    /// Whether a task enters another final state only once its sub-tasks are done.
    pub complete_parent_requires_subtasks_done: bool,
}

impl Workflow {
    /// Whether entering `target` completes the work: a final state other than the cancel
    /// state (what blockers and, where asked, unfinished sub-tasks hold back).
    pub fn completes_in(&self, target: &str) -> bool {
        self.is_final(target) && self.cancel_state.as_deref() != Some(target)
    }
}

/// One transition rule of a workflow.
#[derive(Debug, Clone)]
pub struct Rule {
    pub from_state: String,
    pub to_state: String,
    pub allowed_roles: Vec<String>,
}

/// Why a transition was refused; messages are part of the API contract.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum TransitionError {
    #[error("Task is already in '{0}' state.")]
    SameState(String),
    #[error("State '{state}' is not valid for workflow '{workflow}'. Allowed states: {allowed}")]
    UnknownState {
        state: String,
        workflow: String,
        allowed: String,
    },
    #[error("Transition from '{from}' to '{to}' is not allowed in workflow '{workflow}'.")]
    NoRule {
        from: String,
        to: String,
        workflow: String,
    },
    #[error(
        "Your role '{role}' cannot transition from '{from}' to '{to}'. Allowed roles: {allowed}"
    )]
    RoleNotAllowed {
        role: String,
        from: String,
        to: String,
        allowed: String,
    },
    #[error("Task must be assigned to someone before moving to '{0}'.")]
    Unassigned(String),
    /// Sixth check: an active blocker holds back every final state but the cancel state.
    #[error("Task is blocked by {}.", .0.join(", "))]
    Blocked(Vec<String>),
    /// Seventh check, where the workflow asks for it: active sub-tasks hold back the parent.
    #[error("Task has unfinished sub-tasks: {}.", .0.join(", "))]
    SubtasksOpen(Vec<String>),
}

impl TransitionError {
    /// Stable machine code for the API error body.
    pub fn code(&self) -> &'static str {
        match self {
            TransitionError::SameState(_) => "same_state",
            TransitionError::UnknownState { .. } => "unknown_state",
            TransitionError::NoRule { .. } => "transition_not_allowed",
            TransitionError::RoleNotAllowed { .. } => "role_not_allowed",
            TransitionError::Unassigned(_) => "assignment_required",
            TransitionError::Blocked(_) => "blocked",
            TransitionError::SubtasksOpen(_) => "subtasks_open",
        }
    }
}

/// What a permitted transition does to the task. Approvals and dependencies will add
/// outcomes (pending approval, blocked); callers match on it exhaustively, so a new outcome
/// cannot be ignored by accident.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransitionOutcome {
    /// The task moves now; `resolved_at` is what its resolution time becomes.
    Moved { resolved_at: Option<DateTime<Utc>> },
}

/// Whether a task in `state` is active, i.e. not in one of its workflow's `final_states`. The
/// one definition: a task's `resolved_at` is set exactly while it is not active (see
/// [`Workflow::resolved_at`]), which is what capacity, the SLA sweep and the dashboard's
/// database queries filter on (`resolved_at IS NULL`).
pub fn is_active(final_states: &[String], state: &str) -> bool {
    !final_states.iter().any(|s| s == state)
}

/// Formats a list the way the reference API does: `['a', 'b']`.
pub fn py_list(items: &[String]) -> String {
    let inner: Vec<String> = items.iter().map(|s| format!("'{s}'")).collect();
    format!("[{}]", inner.join(", "))
}

impl Workflow {
    /// States that are not final, in workflow order.
    pub fn active_states(&self) -> Vec<&String> {
        self.states
            .iter()
            .filter(|s| !self.final_states.contains(s))
            .collect()
    }

    /// Whether `state` is one of this workflow's final states.
    pub fn is_final(&self, state: &str) -> bool {
        !is_active(&self.final_states, state)
    }

    /// A task's resolution time once it is in `state`: kept (or set to `now`) in a final
    /// state, cleared otherwise. The one statement of "final means resolved"; a task is
    /// active exactly while this is `None`.
    pub fn resolved_at(
        &self,
        state: &str,
        previous: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Option<DateTime<Utc>> {
        self.is_final(state).then(|| previous.unwrap_or(now))
    }

    /// Decides a transition: the contract's checks, then what the move does.
    #[allow(clippy::too_many_arguments)]
    pub fn decide_transition(
        &self,
        rules: &[Rule],
        role: &str,
        current: &str,
        target: &str,
        assigned: bool,
        resolved_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Result<TransitionOutcome, TransitionError> {
        self.check_transition(rules, role, current, target, assigned)?;
        Ok(TransitionOutcome::Moved {
            resolved_at: self.resolved_at(target, resolved_at, now),
        })
    }

    /// Runs the five checks of the contract, in order, for `role` moving a task from
    /// `current` to `target`. `assigned` tells whether the task has an assignee.
    pub fn check_transition(
        &self,
        rules: &[Rule],
        role: &str,
        current: &str,
        target: &str,
        assigned: bool,
    ) -> Result<(), TransitionError> {
        if current == target {
            return Err(TransitionError::SameState(target.to_string()));
        }
        if !self.states.iter().any(|s| s == target) {
            return Err(TransitionError::UnknownState {
                state: target.to_string(),
                workflow: self.name.clone(),
                allowed: py_list(&self.states),
            });
        }
        let rule = rules
            .iter()
            .find(|r| r.from_state == current && r.to_state == target)
            .ok_or_else(|| TransitionError::NoRule {
                from: current.to_string(),
                to: target.to_string(),
                workflow: self.name.clone(),
            })?;
        if !rule.allowed_roles.iter().any(|r| r == role) {
            return Err(TransitionError::RoleNotAllowed {
                role: role.to_string(),
                from: current.to_string(),
                to: target.to_string(),
                allowed: py_list(&rule.allowed_roles),
            });
        }
        if !assigned && self.requires_assignee(target) {
            return Err(TransitionError::Unassigned(target.to_string()));
        }
        Ok(())
    }

    /// Whether entering `target` needs an assignee: it is not final, the workflow has at
    /// least two active states, and it is not the first active state.
    pub fn requires_assignee(&self, target: &str) -> bool {
        let active = self.active_states();
        !self.is_final(target) && active.len() >= 2 && active.first().is_none_or(|f| *f != target)
    }

    /// The rules leaving `current` that `role` may take.
    pub fn available<'r>(&self, rules: &'r [Rule], role: &str, current: &str) -> Vec<&'r Rule> {
        rules
            .iter()
            .filter(|r| r.from_state == current && r.allowed_roles.iter().any(|a| a == role))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn v(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    fn default_workflow() -> (Workflow, Vec<Rule>) {
        let wf = Workflow {
            name: "Default".into(),
            states: v(&["open", "in_progress", "review", "done", "cancelled"]),
            initial_state: "open".into(),
            final_states: v(&["done", "cancelled"]),
            cancel_state: Some("cancelled".into()),
            complete_parent_requires_subtasks_done: false,
        };
        let rules = crate::rules::default_rules(
            &wf.states,
            &wf.final_states,
            &v(&["admin", "manager", "engineer", "viewer"]),
        )
        .into_iter()
        .map(|r| Rule {
            from_state: r.from_state,
            to_state: r.to_state,
            allowed_roles: r.allowed_roles,
        })
        .collect();
        (wf, rules)
    }

    #[test]
    fn messages_match_the_contract() {
        let (wf, rules) = default_workflow();
        let err = wf
            .check_transition(&rules, "engineer", "open", "open", true)
            .unwrap_err();
        assert_eq!(err.to_string(), "Task is already in 'open' state.");
        let err = wf
            .check_transition(&rules, "engineer", "open", "nowhere", true)
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "State 'nowhere' is not valid for workflow 'Default'. Allowed states: ['open', 'in_progress', 'review', 'done', 'cancelled']"
        );
        let err = wf
            .check_transition(&rules, "engineer", "open", "review", true)
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "Transition from 'open' to 'review' is not allowed in workflow 'Default'."
        );
        let err = wf
            .check_transition(&rules, "engineer", "review", "done", true)
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "Your role 'engineer' cannot transition from 'review' to 'done'. Allowed roles: ['admin', 'manager']"
        );
        let err = wf
            .check_transition(&rules, "engineer", "open", "in_progress", false)
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "Task must be assigned to someone before moving to 'in_progress'."
        );
        assert!(
            wf.check_transition(&rules, "manager", "open", "cancelled", false)
                .is_ok()
        );
    }

    fn arb_case() -> impl Strategy<Value = (Workflow, Vec<Rule>, String, String, String, bool)> {
        let roles = vec!["admin", "manager", "worker", "viewer"];
        (2usize..7, 1usize..3)
            .prop_flat_map(move |(n_states, n_final)| {
                let n_final = n_final.min(n_states - 1);
                let states: Vec<String> = (0..n_states).map(|i| format!("s{i}")).collect();
                let pairs = proptest::collection::vec(
                    (
                        0..n_states,
                        0..n_states,
                        proptest::sample::subsequence(roles.clone(), 0..=4),
                    ),
                    0..12,
                );
                (
                    Just(states),
                    Just(n_final),
                    pairs,
                    0..n_states,
                    0..n_states + 1,
                    proptest::sample::select(roles.clone()),
                    any::<bool>(),
                )
            })
            .prop_map(|(states, n_final, pairs, cur, tgt, role, assigned)| {
                let final_states = states[states.len() - n_final..].to_vec();
                let mut rules: Vec<Rule> = Vec::new();
                for (a, b, roles) in pairs {
                    if a != b
                        && !rules
                            .iter()
                            .any(|r| r.from_state == states[a] && r.to_state == states[b])
                    {
                        rules.push(Rule {
                            from_state: states[a].clone(),
                            to_state: states[b].clone(),
                            allowed_roles: roles.iter().map(|s| s.to_string()).collect(),
                        });
                    }
                }
                let target = states
                    .get(tgt)
                    .cloned()
                    .unwrap_or_else(|| "unknown".to_string());
                let wf = Workflow {
                    name: "W".into(),
                    initial_state: states[0].clone(),
                    states: states.clone(),
                    final_states,
                    cancel_state: None,
                    complete_parent_requires_subtasks_done: false,
                };
                (
                    wf,
                    rules,
                    role.to_string(),
                    states[cur].clone(),
                    target,
                    assigned,
                )
            })
    }

    proptest! {
        /// The checker accepts exactly the moves a rule allows for the role (with an assignee
        /// where one is required), and reports the first failing check in contract order.
        #[test]
        fn checker_matches_an_independent_model((wf, rules, role, cur, tgt, assigned) in arb_case()) {
            let result = wf.check_transition(&rules, &role, &cur, &tgt, assigned);
            let rule = rules.iter().find(|r| r.from_state == cur && r.to_state == tgt);
            let expected_code = if cur == tgt {
                Some("same_state")
            } else if !wf.states.contains(&tgt) {
                Some("unknown_state")
            } else if rule.is_none() {
                Some("transition_not_allowed")
            } else if !rule.unwrap().allowed_roles.contains(&role) {
                Some("role_not_allowed")
            } else {
                let active: Vec<&String> = wf.states.iter().filter(|s| !wf.final_states.contains(s)).collect();
                let needs = !wf.final_states.contains(&tgt) && active.len() >= 2 && *active[0] != tgt;
                if needs && !assigned { Some("assignment_required") } else { None }
            };
            prop_assert_eq!(result.as_ref().err().map(|e| e.code()), expected_code);
            let available = wf.available(&rules, &role, &cur);
            if result.is_ok() {
                prop_assert!(available.iter().any(|r| r.to_state == tgt));
            }
        }
    }
}
