//! What a task list asks for: the filter and the ordering, and the SQL they become.

use sea_orm::Value;
use uuid::Uuid;

use crate::{Tenant, projects::TaskScope, sql, sql::Params};

/// Which tasks to list.
#[derive(Debug, Clone, Default)]
pub struct TaskFilter {
    pub current_state: Option<String>,
    pub priority: Option<String>,
    pub task_type: Option<String>,
    /// `Some(None)` lists unassigned tasks.
    pub assigned_to: Option<Option<Uuid>>,
    pub team: Option<Uuid>,
    /// Tasks assigned to members of this department.
    pub department: Option<Uuid>,
    /// `Some(true)`: not in a final state; `Some(false)`: in one.
    pub active: Option<bool>,
    /// Active and past due (flagged by a sweep or not yet): what the dashboard counts as
    /// breached, at this time.
    pub overdue_at: Option<chrono::DateTime<chrono::Utc>>,
    pub created_after: Option<chrono::DateTime<chrono::Utc>>,
    /// Created before this time (exclusive: `created_after` … `created_before` is one day).
    pub created_before: Option<chrono::DateTime<chrono::Utc>>,
    /// Resolved (entered a final state) at or after this time.
    pub resolved_after: Option<chrono::DateTime<chrono::Utc>>,
    /// Resolved before this time (exclusive).
    pub resolved_before: Option<chrono::DateTime<chrono::Utc>>,
    pub sla_breached: Option<bool>,
    pub workflow: Option<Uuid>,
    /// Sub-tasks of this task.
    pub parent: Option<Uuid>,
    /// `Some(true)`: blocked by at least one active task; `Some(false)`: by none.
    pub blocked: Option<bool>,
    /// Case-insensitive substring of title, description or key.
    pub search: Option<String>,
    /// Tasks of this project.
    pub project: Option<Uuid>,
    /// Which tasks the reader may see at all (set by the use case from the member).
    pub scope: TaskScope,
}

impl TaskFilter {
    /// The conditions that are equalities on a task column the tallies also carry, as
    /// (column, value): one list, so the list's `WHERE` and the tallies' count stay in step.
    pub(crate) fn column_equalities(&self) -> Vec<(&'static str, Value)> {
        let mut out: Vec<(&'static str, Value)> = Vec::new();
        if let Some(v) = &self.current_state {
            out.push(("current_state", v.clone().into()));
        }
        if let Some(v) = &self.priority {
            out.push(("priority", v.clone().into()));
        }
        if let Some(v) = &self.task_type {
            out.push(("task_type", v.clone().into()));
        }
        if let Some(v) = self.sla_breached {
            out.push(("sla_breached", v.into()));
        }
        if let Some(v) = self.workflow {
            out.push(("workflow_id", v.into()));
        }
        out
    }
}

/// A sortable column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    CreatedAt,
    UpdatedAt,
    /// By position in the organization's priorities (most urgent first when ascending).
    Priority,
    DueDate,
    AiPriorityScore,
    Title,
    TaskKey,
    CurrentState,
}

impl SortKey {
    /// Parses an API field name.
    pub fn parse(s: &str) -> Option<SortKey> {
        Some(match s {
            "created_at" => SortKey::CreatedAt,
            "updated_at" => SortKey::UpdatedAt,
            "priority" => SortKey::Priority,
            "due_date" => SortKey::DueDate,
            "ai_priority_score" => SortKey::AiPriorityScore,
            "title" => SortKey::Title,
            "task_key" => SortKey::TaskKey,
            "current_state" => SortKey::CurrentState,
            _ => return None,
        })
    }
}

/// Orders of a listing: keys with `descending` flags, plus the priorities' order.
#[derive(Debug, Clone, Default)]
pub struct Ordering {
    pub keys: Vec<(SortKey, bool)>,
    pub priorities: Vec<String>,
}

pub(super) fn order_sql(o: &Ordering, p: &mut Params) -> String {
    let mut parts: Vec<String> = Vec::new();
    let keys = if o.keys.is_empty() {
        vec![(SortKey::CreatedAt, true)]
    } else {
        o.keys.clone()
    };
    for (key, desc) in &keys {
        let dir = if *desc { "DESC" } else { "ASC" };
        match key {
            SortKey::CreatedAt => parts.push(format!("t.created_at {dir}")),
            SortKey::UpdatedAt => parts.push(format!("t.updated_at {dir}")),
            SortKey::Title => parts.push(format!("t.title {dir}")),
            SortKey::TaskKey => parts.push(format!("t.task_key {dir}")),
            SortKey::CurrentState => parts.push(format!("t.current_state {dir}")),
            // Nulls last in both directions, on both engines.
            SortKey::DueDate => parts.push(format!("(t.due_date IS NULL) ASC, t.due_date {dir}")),
            SortKey::AiPriorityScore => parts.push(format!(
                "(ai.priority_score IS NULL) ASC, ai.priority_score {dir}"
            )),
            SortKey::Priority => {
                let mut case = String::from("CASE t.priority");
                for (i, pr) in o.priorities.iter().enumerate() {
                    case.push_str(&format!(" WHEN {} THEN {i}", p.push(pr.clone())));
                }
                case.push_str(&format!(" ELSE {} END {dir}", o.priorities.len()));
                parts.push(case);
            }
        }
    }
    let tie = if keys.first().is_some_and(|(_, d)| *d) {
        "DESC"
    } else {
        "ASC"
    };
    parts.push(format!("t.id {tie}"));
    parts.join(", ")
}

pub(super) fn where_sql(tenant: Tenant, f: &TaskFilter, p: &mut Params) -> String {
    let mut wh = format!("t.organization_id = {}", p.push(tenant.id()));
    let mut eq =
        |col: &str, v: Value, p: &mut Params| wh.push_str(&format!(" AND {col} = {}", p.push(v)));
    for (col, v) in f.column_equalities() {
        eq(&format!("t.{col}"), v, p);
    }
    if let Some(Some(v)) = f.assigned_to {
        eq("t.assigned_to", v.into(), p);
    }
    if let Some(v) = f.team {
        eq("t.team_id", v.into(), p);
    }
    if let Some(v) = f.department {
        let org = p.push(tenant.id());
        let dept = p.push(v);
        wh.push_str(&format!(
            " AND t.assigned_to IN (SELECT m.user_id FROM memberships m \
             WHERE m.organization_id = {org} AND m.department_id = {dept})"
        ));
    }
    if let Some(active) = f.active {
        wh.push_str(if active {
            " AND t.resolved_at IS NULL"
        } else {
            " AND t.resolved_at IS NOT NULL"
        });
    }
    if let Some(at) = f.overdue_at {
        let at = p.push(at);
        let yes = p.push(true);
        wh.push_str(&format!(
            " AND t.resolved_at IS NULL AND (t.sla_breached = {yes} OR t.due_date < {at})"
        ));
    }
    if let Some(after) = f.created_after {
        wh.push_str(&format!(" AND t.created_at >= {}", p.push(after)));
    }
    if let Some(after) = f.resolved_after {
        wh.push_str(&format!(" AND t.resolved_at >= {}", p.push(after)));
    }
    if let Some(before) = f.created_before {
        wh.push_str(&format!(" AND t.created_at < {}", p.push(before)));
    }
    if let Some(before) = f.resolved_before {
        wh.push_str(&format!(" AND t.resolved_at < {}", p.push(before)));
    }
    if let Some(None) = f.assigned_to {
        wh.push_str(" AND t.assigned_to IS NULL");
    }
    if let Some(parent) = f.parent {
        wh.push_str(&format!(" AND t.parent_id = {}", p.push(parent)));
    }
    if let Some(project) = f.project {
        wh.push_str(&format!(" AND t.project_id = {}", p.push(project)));
    }
    if let Some(scope) = crate::projects::task_scope_sql(&f.scope, p) {
        wh.push_str(&format!(" AND {scope}"));
    }
    if let Some(blocked) = f.blocked {
        wh.push_str(&format!(
            " AND {}EXISTS (SELECT 1 FROM task_dependencies d JOIN tasks b \
               ON b.organization_id = d.organization_id AND b.id = d.blocked_by_id \
               WHERE d.organization_id = t.organization_id AND d.task_id = t.id AND b.resolved_at IS NULL)",
            if blocked { "" } else { "NOT " }
        ));
    }
    if let Some(s) = f.search.as_deref().filter(|s| !s.is_empty()) {
        let ph = p.push(format!("%{}%", sql::like_escape(&s.to_lowercase())));
        wh.push_str(&format!(
            " AND (LOWER(t.title) LIKE {ph} ESCAPE '\\' OR LOWER(t.description) LIKE {ph} ESCAPE '\\' \
             OR LOWER(t.task_key) LIKE {ph} ESCAPE '\\')"
        ));
    }
    wh
}
