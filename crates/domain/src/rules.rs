//! The transition rules that `POST /setup/` generates for a new organization's workflow.

/// One generated rule: from, to, and the roles allowed to take it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedRule {
    pub from_state: String,
    pub to_state: String,
    pub allowed_roles: Vec<String>,
}

/// Generates the default rule set of the API contract (Setup section).
///
/// `active` = states that are not final; `mgmt` = the first two roles; `workers` = all
/// roles but the last (all when there is only one). Forward moves for workers, reverts,
/// completion and cancel for management, reopen for admin.
pub fn default_rules(
    states: &[String],
    final_states: &[String],
    roles: &[String],
) -> Vec<GeneratedRule> {
    let active: Vec<&String> = states
        .iter()
        .filter(|s| !final_states.contains(s))
        .collect();
    let mgmt: Vec<String> = roles.iter().take(2).cloned().collect();
    let workers: Vec<String> = if roles.len() <= 1 {
        roles.to_vec()
    } else {
        roles[..roles.len() - 1].to_vec()
    };
    let mut out: Vec<GeneratedRule> = Vec::new();
    let mut push = |from: &str, to: &str, allowed: &[String]| {
        if from != to && !out.iter().any(|r| r.from_state == from && r.to_state == to) {
            out.push(GeneratedRule {
                from_state: from.to_string(),
                to_state: to.to_string(),
                allowed_roles: allowed.to_vec(),
            });
        }
    };
    for pair in active.windows(2) {
        push(pair[0], pair[1], &workers);
    }
    if active.len() >= 2 {
        for i in 1..active.len() - 1 {
            push(active[i], active[i - 1], &mgmt);
        }
    }
    if let (Some(last), Some(first_final)) = (active.last(), final_states.first()) {
        push(last, first_final, &mgmt);
    }
    if final_states.len() >= 2 {
        let cancel = &final_states[final_states.len() - 1];
        for state in &active {
            push(state, cancel, &mgmt);
        }
    }
    if let (Some(first_final), Some(first_active)) = (final_states.first(), active.first()) {
        push(first_final, first_active, &["admin".to_string()]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn default_workflow_gives_eleven_rules() {
        let states = v(&[
            "open",
            "in_progress",
            "review",
            "testing",
            "done",
            "cancelled",
        ]);
        let rules = default_rules(
            &states,
            &v(&["done", "cancelled"]),
            &v(&["admin", "manager", "engineer", "viewer"]),
        );
        assert_eq!(rules.len(), 11);
        let reopen = rules.last().unwrap();
        assert_eq!(
            (reopen.from_state.as_str(), reopen.to_state.as_str()),
            ("done", "open")
        );
        assert_eq!(reopen.allowed_roles, v(&["admin"]));
        let forward = &rules[0];
        assert_eq!(forward.allowed_roles, v(&["admin", "manager", "engineer"]));
    }

    #[test]
    fn eight_states_with_two_finals_give_seventeen() {
        let states = v(&[
            "backlog",
            "todo",
            "in_progress",
            "code_review",
            "qa",
            "staging",
            "deployed",
            "cancelled",
        ]);
        let rules = default_rules(
            &states,
            &v(&["deployed", "cancelled"]),
            &v(&["admin", "lead", "dev", "viewer"]),
        );
        assert_eq!(rules.len(), 17);
    }

    #[test]
    fn five_states_with_two_finals_give_eight() {
        let states = v(&["a", "b", "c", "d", "e"]);
        let rules = default_rules(&states, &v(&["d", "e"]), &v(&["admin", "m", "w"]));
        assert_eq!(rules.len(), 8);
    }

    #[test]
    fn single_role_workers_are_everyone() {
        let rules = default_rules(&v(&["a", "b", "c"]), &v(&["c"]), &v(&["admin"]));
        assert_eq!(rules[0].allowed_roles, v(&["admin"]));
    }
}
