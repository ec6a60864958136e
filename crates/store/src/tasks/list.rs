//! Task lists: a filtered, ordered page with its count, and the natural-language search.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, FromQueryResult};
use uuid::Uuid;

use super::{
    filter::{Ordering, TaskFilter, order_sql, where_sql},
    read::{FROM, SELECT, TaskRow},
};
use crate::{Page, Result, Tenant, sql, sql::Params};

/// A page of the organization's tasks.
pub async fn list<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    f: &TaskFilter,
    o: &Ordering,
    page: Page,
) -> Result<(Vec<TaskRow>, u64)> {
    let mut p = Params::default();
    let wh = where_sql(tenant, f, &mut p);
    let where_params = p.values.len();
    // The exact count costs a scan of every match; the tallies answer it from a few rows
    // whenever the filter is made of their dimensions. Then it rides along with the page in
    // one statement (PostgreSQL evaluates the uncorrelated subquery once).
    let tally_count = crate::tallies::count_sql(tenant, f, &mut p);
    let total_sql = tally_count.as_deref().unwrap_or("NULL");
    let order = order_sql(o, &mut p);
    let limit = p.push(page.size as i64);
    let offset = p.push(page.offset() as i64);
    let page_rows: Vec<PageRow> = sql::all(
        c,
        &format!(
            "{SELECT}, ({total_sql}) AS total {FROM} WHERE {wh} ORDER BY {order} LIMIT {limit} OFFSET {offset}"
        ),
        p.values.clone(),
    )
    .await?;
    let total = match page_rows.first().and_then(|r| r.total) {
        Some(n) => n.max(0) as u64,
        // No tally answer (search, team, one assignee), or a page past the end.
        None => match crate::tallies::count_matching(c, tenant, f).await? {
            Some(n) => n,
            None => {
                let mut values = p.values;
                values.truncate(where_params);
                sql::count(
                    c,
                    &format!("SELECT COUNT(*) FROM tasks t WHERE {wh}"),
                    values,
                )
                .await?
            }
        },
    };
    Ok((page_rows.into_iter().map(|r| r.row).collect(), total))
}

/// A row of a list page, with the total the statement carried.
struct PageRow {
    row: TaskRow,
    total: Option<i64>,
}

impl FromQueryResult for PageRow {
    fn from_query_result(
        res: &sea_orm::QueryResult,
        pre: &str,
    ) -> std::result::Result<Self, sea_orm::DbErr> {
        Ok(PageRow {
            row: TaskRow::from_query_result(res, pre)?,
            total: res.try_get(pre, "total")?,
        })
    }
}

/// Filters a natural-language question was turned into.
#[derive(Debug, Clone, Default)]
pub struct TaskQuery {
    pub states: Vec<String>,
    pub exclude_states: Vec<String>,
    pub priorities: Vec<String>,
    pub task_types: Vec<String>,
    /// `Some(None)`: unassigned.
    pub assigned_to: Option<Option<Uuid>>,
    pub created_by: Option<Uuid>,
    pub team: Option<Uuid>,
    /// Every tag must be present (case-insensitive).
    pub tags: Vec<String>,
    /// Active and flagged or past due at `now`.
    pub overdue_at: Option<DateTime<Utc>>,
    pub due_from: Option<DateTime<Utc>>,
    pub due_to: Option<DateTime<Utc>>,
    pub created_from: Option<DateTime<Utc>>,
    pub created_to: Option<DateTime<Utc>>,
    pub project: Option<Uuid>,
    /// Which tasks the reader may see at all (set by the use case from the member).
    pub scope: crate::projects::TaskScope,
}

/// Tasks matching a parsed question, newest first, at most `limit`; and how many match.
pub async fn search<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    q: &TaskQuery,
    limit: u64,
) -> Result<(Vec<TaskRow>, u64)> {
    let mut p = Params::default();
    let mut wh = format!("t.organization_id = {}", p.push(tenant.id()));
    let any_of = |col: &str, items: &[String], negate: bool, p: &mut Params, wh: &mut String| {
        if !items.is_empty() {
            let list = p.list(items);
            wh.push_str(&format!(
                " AND {col} {}IN {list}",
                if negate { "NOT " } else { "" }
            ));
        }
    };
    any_of("t.current_state", &q.states, false, &mut p, &mut wh);
    any_of("t.current_state", &q.exclude_states, true, &mut p, &mut wh);
    any_of("t.priority", &q.priorities, false, &mut p, &mut wh);
    any_of("t.task_type", &q.task_types, false, &mut p, &mut wh);
    match q.assigned_to {
        Some(Some(u)) => wh.push_str(&format!(" AND t.assigned_to = {}", p.push(u))),
        Some(None) => wh.push_str(" AND t.assigned_to IS NULL"),
        None => {}
    }
    if let Some(u) = q.created_by {
        wh.push_str(&format!(" AND t.created_by = {}", p.push(u)));
    }
    if let Some(team) = q.team {
        wh.push_str(&format!(" AND t.team_id = {}", p.push(team)));
    }
    if let Some(project) = q.project {
        wh.push_str(&format!(" AND t.project_id = {}", p.push(project)));
    }
    if let Some(scope) = crate::projects::task_scope_sql(&q.scope, &mut p) {
        wh.push_str(&format!(" AND {scope}"));
    }
    for tag in &q.tags {
        let pattern = format!(
            "%\"{}\"%",
            sql::like_escape(&tag.to_lowercase().replace('"', ""))
        );
        wh.push_str(&format!(
            " AND LOWER(CAST(t.tags AS TEXT)) LIKE {} ESCAPE '\\'",
            p.push(pattern)
        ));
    }
    if let Some(at) = q.overdue_at {
        let at = p.push(at);
        let yes = p.push(true);
        wh.push_str(&format!(
            " AND t.resolved_at IS NULL AND (t.sla_breached = {yes} OR t.due_date < {at})"
        ));
    }
    for (col, op, v) in [
        ("t.due_date", ">=", q.due_from),
        ("t.due_date", "<", q.due_to),
        ("t.created_at", ">=", q.created_from),
        ("t.created_at", "<", q.created_to),
    ] {
        if let Some(v) = v {
            wh.push_str(&format!(" AND {col} {op} {}", p.push(v)));
        }
    }
    let total = sql::count(
        c,
        &format!("SELECT COUNT(*) FROM tasks t WHERE {wh}"),
        p.values.clone(),
    )
    .await?;
    let limit = p.push(limit as i64);
    let rows = sql::all(
        c,
        &format!("{SELECT} {FROM} WHERE {wh} ORDER BY t.created_at DESC, t.id DESC LIMIT {limit}"),
        p.values,
    )
    .await?;
    Ok((rows, total))
}
