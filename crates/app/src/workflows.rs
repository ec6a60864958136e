//! Workflows and transition rules: configuration that admins change through the API.

use switchyard_domain::{AccessLevel, validate, workflow::py_list};
use switchyard_store::{
    Page, locks, tasks,
    workflows::{self, NewWorkflow, RuleRow, WorkflowRow},
};
use uuid::Uuid;

use crate::ErrorCode;
use crate::{App, AppError, AppResult, Change, Event, Member, UnitOfWork};

/// A workflow with its rules.
#[derive(Debug, Clone)]
pub struct WorkflowWithRules {
    pub workflow: WorkflowRow,
    pub rules: Vec<RuleRow>,
}

async fn with_rules<C: switchyard_store::ConnectionTrait>(
    c: &C,
    member: &Member,
    rows: Vec<WorkflowRow>,
) -> AppResult<Vec<WorkflowWithRules>> {
    let ids: Vec<Uuid> = rows.iter().map(|w| w.id).collect();
    let rules = workflows::rules_of(c, member.tenant, &ids).await?;
    Ok(rows
        .into_iter()
        .map(|w| WorkflowWithRules {
            rules: rules
                .iter()
                .filter(|r| r.workflow_id == w.id)
                .cloned()
                .collect(),
            workflow: w,
        })
        .collect())
}

/// Workflows of the organization.
pub async fn list(
    state: &App,
    member: &Member,
    page: Page,
) -> AppResult<(Vec<WorkflowWithRules>, u64)> {
    let (rows, total) = workflows::list(state.db.conn(), member.tenant, page).await?;
    Ok((with_rules(state.db.conn(), member, rows).await?, total))
}

/// One workflow.
pub async fn get(state: &App, member: &Member, id: Uuid) -> AppResult<WorkflowWithRules> {
    load_one(state.db.conn(), member, id).await
}

/// One workflow of the caller's organization with its rules.
async fn load_one<C: switchyard_store::ConnectionTrait>(
    c: &C,
    member: &Member,
    id: Uuid,
) -> AppResult<WorkflowWithRules> {
    let row = workflows::get(c, member.tenant, id)
        .await?
        .ok_or(AppError::NotFound)?;
    with_rules(c, member, vec![row])
        .await?
        .pop()
        .ok_or(AppError::NotFound)
}

/// Requested workflow fields; absent ones keep their value (or default on create).
#[derive(Debug, Default)]
pub struct WorkflowInput {
    pub name: Option<String>,
    pub is_default: Option<bool>,
    pub allowed_states: Option<Vec<String>>,
    pub initial_state: Option<String>,
    pub final_states: Option<Vec<String>>,
    /// `Some(None)` clears it; absent on create: a final state named "cancelled" or
    /// "canceled", if there is one.
    pub cancel_state: Option<Option<String>>,
    pub complete_parent_requires_subtasks_done: Option<bool>,
}

/// The cancel state a workflow gets when none is named: its final state called
/// "cancelled" (or "canceled").
pub fn inferred_cancel_state(finals: &[String]) -> Option<String> {
    ["cancelled", "canceled"]
        .iter()
        .find(|c| finals.iter().any(|f| f == *c))
        .map(|c| c.to_string())
}

/// The cancel state must be one of the final states.
fn check_cancel_state(cancel: Option<&str>, finals: &[String]) -> AppResult<()> {
    match cancel {
        Some(c) if !finals.iter().any(|f| f == c) => Err(AppError::field(
            "cancel_state",
            format!(
                "cancel_state '{c}' must be one of the final states: {}",
                py_list(finals)
            ),
        )),
        _ => Ok(()),
    }
}

fn check_shape(w: &NewWorkflow) -> AppResult<()> {
    validate::name("name", &w.name).map_err(|e| AppError::field("name", e.0))?;
    validate::config_list("allowed_states", &w.states)
        .map_err(|e| AppError::field("allowed_states", e.0))?;
    for s in &w.states {
        validate::name("Each state", s)?;
    }
    validate::bounded_list("final_states", &w.final_states)?;
    let allowed = py_list(&w.states);
    for (field, s) in std::iter::once(("initial_state", &w.initial_state))
        .chain(w.final_states.iter().map(|s| ("final_states", s)))
    {
        if !w.states.contains(s) {
            return Err(AppError::field(
                field,
                format!("{field} '{s}' must be in allowed_states. Allowed states: {allowed}"),
            ));
        }
    }
    if let Some(dup) = w
        .final_states
        .iter()
        .enumerate()
        .find(|(i, s)| w.final_states[..*i].contains(s))
    {
        return Err(AppError::field(
            "final_states",
            format!("final_states contains '{}' more than once.", dup.1),
        ));
    }
    Ok(())
}

/// Creates a workflow (admin).
pub async fn create(
    state: &App,
    member: &Member,
    input: WorkflowInput,
) -> AppResult<WorkflowWithRules> {
    member.require_admin()?;
    let states = input.allowed_states.unwrap_or_default();
    let w = NewWorkflow {
        name: input.name.unwrap_or_default(),
        is_default: input.is_default.unwrap_or(false),
        initial_state: input
            .initial_state
            .or_else(|| states.first().cloned())
            .unwrap_or_default(),
        final_states: input.final_states.unwrap_or_default(),
        states,
    };
    check_shape(&w)?;
    let cancel = match input.cancel_state {
        Some(c) => c,
        None => inferred_cancel_state(&w.final_states),
    };
    check_cancel_state(cancel.as_deref(), &w.final_states)?;
    let parent_rule = input
        .complete_parent_requires_subtasks_done
        .unwrap_or(false);
    let mut uow = UnitOfWork::begin(state).await?;
    let make_default = w.is_default;
    let id = workflows::create(
        uow.tx(),
        member.tenant,
        NewWorkflow {
            is_default: false,
            ..w
        },
    )
    .await?;
    workflows::set_structure_options(uow.tx(), member.tenant, id, cancel.as_deref(), parent_rule)
        .await?;
    if make_default {
        workflows::unset_default_except(uow.tx(), member.tenant, id).await?;
        set_default(uow.tx(), member, id).await?;
    }
    uow.record(
        member,
        Event::WorkflowChanged {
            workflow_id: id,
            change: Change::Created,
        },
    )
    .await?;
    let out = load_one(uow.tx(), member, id).await?;
    uow.commit().await?;
    Ok(out)
}

async fn set_default<C: switchyard_store::ConnectionTrait>(
    c: &C,
    member: &Member,
    id: Uuid,
) -> AppResult<()> {
    let row = workflows::get(c, member.tenant, id)
        .await?
        .ok_or(AppError::NotFound)?;
    workflows::update(
        c,
        member.tenant,
        id,
        NewWorkflow {
            name: row.name,
            is_default: true,
            states: row.allowed_states.0,
            initial_state: row.initial_state,
            final_states: row.final_states.0,
        },
    )
    .await?;
    Ok(())
}

/// Changes a workflow (admin). Removing a state that tasks are in is a conflict; rules that
/// mention removed states go; tasks' resolution follows changed final states.
pub async fn update(
    state: &App,
    member: &Member,
    id: Uuid,
    input: WorkflowInput,
    if_match: Option<i64>,
) -> AppResult<WorkflowWithRules> {
    member.require_admin()?;
    let mut uow = UnitOfWork::begin(state).await?;
    uow.lock(member.tenant, locks::Row::Workflow, id).await?;
    let current = AppError::current(workflows::get(uow.tx(), member.tenant, id).await?, if_match)?;
    let w = NewWorkflow {
        name: input.name.unwrap_or(current.name.clone()),
        is_default: input.is_default.unwrap_or(current.is_default),
        states: input
            .allowed_states
            .unwrap_or(current.allowed_states.0.clone()),
        initial_state: input.initial_state.unwrap_or(current.initial_state.clone()),
        final_states: input.final_states.unwrap_or(current.final_states.0.clone()),
    };
    check_shape(&w)?;
    let removed: Vec<String> = current
        .allowed_states
        .0
        .iter()
        .filter(|s| !w.states.contains(s))
        .cloned()
        .collect();
    for s in &removed {
        let n =
            tasks::count_in_states(uow.tx(), member.tenant, id, std::slice::from_ref(s)).await?;
        if n > 0 {
            return Err(AppError::conflict(
                ErrorCode::StateInUse,
                format!(
                    "Cannot remove state '{s}' from workflow '{}': {n} task(s) are in it.",
                    current.name
                ),
            ));
        }
    }
    if !removed.is_empty() {
        workflows::delete_rules_outside(uow.tx(), member.tenant, id, &w.states).await?;
    }
    if w.is_default && !current.is_default {
        workflows::unset_default_except(uow.tx(), member.tenant, id).await?;
    }
    // A cancel state that stops being final is dropped unless one is named.
    let cancel = match input.cancel_state {
        Some(c) => c,
        None => current
            .cancel_state
            .clone()
            .filter(|c| w.final_states.contains(c)),
    };
    check_cancel_state(cancel.as_deref(), &w.final_states)?;
    let parent_rule = input
        .complete_parent_requires_subtasks_done
        .unwrap_or(current.complete_parent_requires_subtasks_done);
    let finals_changed = w.final_states != current.final_states.0;
    let finals = w.final_states.clone();
    workflows::update(uow.tx(), member.tenant, id, w).await?;
    workflows::set_structure_options(uow.tx(), member.tenant, id, cancel.as_deref(), parent_rule)
        .await?;
    if finals_changed {
        tasks::resync_resolved(uow.tx(), member.tenant, id, &finals).await?;
    }
    uow.record(
        member,
        Event::WorkflowChanged {
            workflow_id: id,
            change: Change::Updated,
        },
    )
    .await?;
    let out = load_one(uow.tx(), member, id).await?;
    uow.commit().await?;
    Ok(out)
}

/// Deletes a workflow no task uses (admin).
pub async fn delete(
    state: &App,
    member: &Member,
    id: Uuid,
    if_match: Option<i64>,
) -> AppResult<()> {
    member.require_admin()?;
    let mut uow = UnitOfWork::begin(state).await?;
    uow.lock(member.tenant, locks::Row::Workflow, id).await?;
    let current = AppError::current(workflows::get(uow.tx(), member.tenant, id).await?, if_match)?;
    let n = tasks::count_in_workflow(uow.tx(), member.tenant, id).await?;
    if n > 0 {
        return Err(AppError::conflict(
            ErrorCode::WorkflowInUse,
            format!(
                "Cannot delete workflow '{}': {n} task(s) use it.",
                current.name
            ),
        ));
    }
    workflows::delete(uow.tx(), member.tenant, id).await?;
    uow.record(
        member,
        Event::WorkflowChanged {
            workflow_id: id,
            change: Change::Deleted,
        },
    )
    .await?;
    uow.commit().await?;
    Ok(())
}

/// Transition rules of the organization (of one workflow when given).
pub async fn list_rules(
    state: &App,
    member: &Member,
    workflow: Option<Uuid>,
    page: Page,
) -> AppResult<(Vec<RuleRow>, u64)> {
    Ok(workflows::list_rules(state.db.conn(), member.tenant, workflow, page).await?)
}

/// One rule.
pub async fn get_rule(state: &App, member: &Member, id: Uuid) -> AppResult<RuleRow> {
    workflows::get_rule(state.db.conn(), member.tenant, id)
        .await?
        .ok_or(AppError::NotFound)
}

/// Requested rule fields.
#[derive(Debug, Default)]
pub struct RuleInput {
    pub workflow: Option<Uuid>,
    pub from_state: Option<String>,
    pub to_state: Option<String>,
    pub allowed_roles: Option<Vec<String>>,
}

fn check_rule(
    member: &Member,
    wf: &WorkflowRow,
    from: &str,
    to: &str,
    roles: &[String],
) -> AppResult<()> {
    for (field, s) in [("from_state", from), ("to_state", to)] {
        if !wf.allowed_states.0.iter().any(|x| x == s) {
            return Err(AppError::field(
                field,
                format!(
                    "State '{s}' does not exist in workflow '{}'. Allowed states: {}",
                    wf.name,
                    py_list(&wf.allowed_states.0)
                ),
            ));
        }
    }
    if from == to {
        return Err(AppError::bad_request(
            ErrorCode::SameState,
            "from_state and to_state cannot be the same.",
        ));
    }
    validate::config_list("allowed_roles", roles)
        .map_err(|e| AppError::field("allowed_roles", e.0))?;
    if let Some(bad) = roles.iter().find(|r| !member.org_roles.contains(r)) {
        return Err(AppError::field(
            "allowed_roles",
            format!(
                "Invalid role '{bad}'. Allowed roles for this organization: {}",
                py_list(&member.org_roles)
            ),
        ));
    }
    // Read-only people cannot write, so a rule only they may take could never be used.
    if !roles.is_empty()
        && roles
            .iter()
            .all(|r| member.level_of(r) == Some(AccessLevel::ReadOnly))
    {
        return Err(AppError::field(
            "allowed_roles",
            format!(
                "{} only names read-only roles; a transition needs at least one role that can write.",
                py_list(roles)
            ),
        ));
    }
    Ok(())
}

/// Creates a rule (admin).
pub async fn create_rule(state: &App, member: &Member, input: RuleInput) -> AppResult<RuleRow> {
    member.require_admin()?;
    let wf_id = input
        .workflow
        .ok_or_else(|| AppError::field("workflow", "This field is required."))?;
    let from = input
        .from_state
        .ok_or_else(|| AppError::field("from_state", "This field is required."))?;
    let to = input
        .to_state
        .ok_or_else(|| AppError::field("to_state", "This field is required."))?;
    let roles = input.allowed_roles.unwrap_or_default();
    let mut uow = UnitOfWork::begin(state).await?;
    let wf = workflows::get(uow.tx(), member.tenant, wf_id)
        .await?
        .ok_or_else(|| AppError::field("workflow", "Workflow not found in this organization."))?;
    check_rule(member, &wf, &from, &to, &roles)?;
    let id = workflows::create_rule(uow.tx(), member.tenant, wf_id, &from, &to, roles).await?;
    uow.record(
        member,
        Event::TransitionRuleChanged {
            rule_id: id,
            workflow_id: wf_id,
            change: Change::Created,
        },
    )
    .await?;
    let row = workflows::get_rule(uow.tx(), member.tenant, id)
        .await?
        .ok_or(AppError::NotFound)?;
    uow.commit().await?;
    Ok(row)
}

/// Changes a rule (admin); its workflow stays.
pub async fn update_rule(
    state: &App,
    member: &Member,
    id: Uuid,
    input: RuleInput,
    if_match: Option<i64>,
) -> AppResult<RuleRow> {
    member.require_admin()?;
    let mut uow = UnitOfWork::begin(state).await?;
    uow.lock(member.tenant, locks::Row::TransitionRule, id)
        .await?;
    let current = AppError::current(
        workflows::get_rule(uow.tx(), member.tenant, id).await?,
        if_match,
    )?;
    if input.workflow.is_some_and(|w| w != current.workflow_id) {
        return Err(AppError::field(
            "workflow",
            "A rule cannot move to another workflow; create a new rule instead.",
        ));
    }
    let wf = workflows::get(uow.tx(), member.tenant, current.workflow_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let from = input.from_state.unwrap_or(current.from_state);
    let to = input.to_state.unwrap_or(current.to_state);
    let roles = input.allowed_roles.unwrap_or(current.allowed_roles.0);
    check_rule(member, &wf, &from, &to, &roles)?;
    workflows::update_rule(uow.tx(), member.tenant, id, &from, &to, roles).await?;
    uow.record(
        member,
        Event::TransitionRuleChanged {
            rule_id: id,
            workflow_id: current.workflow_id,
            change: Change::Updated,
        },
    )
    .await?;
    let row = workflows::get_rule(uow.tx(), member.tenant, id)
        .await?
        .ok_or(AppError::NotFound)?;
    uow.commit().await?;
    Ok(row)
}

/// Deletes a rule (admin).
pub async fn delete_rule(
    state: &App,
    member: &Member,
    id: Uuid,
    if_match: Option<i64>,
) -> AppResult<()> {
    member.require_admin()?;
    let mut uow = UnitOfWork::begin(state).await?;
    uow.lock(member.tenant, locks::Row::TransitionRule, id)
        .await?;
    let current = AppError::current(
        workflows::get_rule(uow.tx(), member.tenant, id).await?,
        if_match,
    )?;
    workflows::delete_rule(uow.tx(), member.tenant, id).await?;
    uow.record(
        member,
        Event::TransitionRuleChanged {
            rule_id: id,
            workflow_id: current.workflow_id,
            change: Change::Deleted,
        },
    )
    .await?;
    uow.commit().await?;
    Ok(())
}
