//! Task counts kept by database triggers: per (workflow, state, priority, type, unassigned,
//! breached, project) — the dimensions listed once in `tally_dimensions.rs`, which also
//! generates the triggers (migrations 7 and 21) — so the overview and unsearched list counts read a few hundred
//! rows whatever the number of tasks. On PostgreSQL writers append deltas (no shared row to
//! lock, so no contention or deadlock between transitions) and [`compact`] folds them in.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, FromQueryResult};
use uuid::Uuid;

use crate::{
    Backend, Db, Result, Tenant, sql,
    sql::Params,
    tally_dimensions::{columns, of_task, summary_columns},
    tasks::TaskFilter,
};

/// The tasks of one combination.
#[derive(Debug, Clone, FromQueryResult)]
pub struct Tally {
    pub workflow_id: Uuid,
    pub current_state: String,
    pub priority: String,
    pub task_type: String,
    pub unassigned: bool,
    pub sla_breached: bool,
    pub n: i64,
}

/// Compacted tallies plus pending deltas, as one subquery over `{wh}`: per project when
/// `per_project` (a condition names the project), otherwise the organization's totals
/// (one row per combination, not one per combination and project).
fn union(wh: &str, per_project: bool) -> String {
    let (cols, table) = if per_project {
        (columns(), "task_tallies")
    } else {
        (summary_columns(), "task_tally_totals")
    };
    format!(
        "SELECT {cols}, n FROM {table} WHERE {wh} \
         UNION ALL \
         SELECT {cols}, delta FROM task_tally_deltas WHERE {wh}"
    )
}

/// Every non-empty combination of the organization, as `scope` may see it (the tallies
/// count per project, so a reader kept out of some projects reads the others' rows).
pub async fn all<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    scope: &crate::projects::TaskScope,
) -> Result<Vec<Tally>> {
    let mut p = Params::default();
    let mut wh = format!("organization_id = {}", p.push(tenant.id()));
    let hidden = crate::projects::hidden_sql(scope, &mut p);
    if let Some(hidden) = &hidden {
        wh.push_str(&format!(" AND project_id NOT IN ({hidden})"));
    }
    sql::all(
        c,
        &format!(
            "SELECT {cols}, CAST(SUM(n) AS BIGINT) AS n FROM ({}) t \
             GROUP BY {cols} HAVING SUM(n) <> 0",
            union(&wh, hidden.is_some()),
            cols = summary_columns(),
        ),
        p.values,
    )
    .await
}

/// The number of tasks matching `f`, when every condition of `f` is a tally dimension
/// (no search, team or specific assignee); `None` otherwise.
pub async fn count_matching<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    f: &TaskFilter,
) -> Result<Option<u64>> {
    let mut p = Params::default();
    let Some(query) = count_sql(tenant, f, &mut p) else {
        return Ok(None);
    };
    Ok(Some(sql::count(c, &query, p.values).await?))
}

/// [`count_matching`] as a scalar query with its values added to `p`, for a caller to embed
/// in a larger statement; `None` when the tallies cannot answer `f`.
pub(crate) fn count_sql(tenant: Tenant, f: &TaskFilter, p: &mut Params) -> Option<String> {
    let searching = f.search.as_deref().is_some_and(|s| !s.is_empty());
    if searching
        || f.team.is_some()
        || f.department.is_some()
        || f.active.is_some()
        || f.overdue_at.is_some()
        || f.created_after.is_some()
        || f.resolved_after.is_some()
        || f.created_before.is_some()
        || f.resolved_before.is_some()
        || f.parent.is_some()
        || f.blocked.is_some()
        || matches!(f.assigned_to, Some(Some(_)))
    {
        return None;
    }
    let mut wh = format!("organization_id = {}", p.push(tenant.id()));
    for (col, v) in f.column_equalities() {
        wh.push_str(&format!(" AND {col} = {}", p.push(v)));
    }
    if let Some(None) = f.assigned_to {
        wh.push_str(&format!(" AND unassigned = {}", p.push(true)));
    }
    let mut per_project = false;
    if let Some(project) = f.project {
        wh.push_str(&format!(" AND project_id = {}", p.push(project)));
        per_project = true;
    }
    // A reader kept out of some projects: their rows are left out (a task in no project
    // counts under the nil id, which no project has).
    if let Some(hidden) = crate::projects::hidden_sql(&f.scope, p) {
        wh.push_str(&format!(" AND project_id NOT IN ({hidden})"));
        per_project = true;
    }
    Some(format!(
        "SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) FROM ({}) tallied",
        union(&wh, per_project)
    ))
}

/// What the tallies cannot hold, because it depends on the time: counted by index ranges.
#[derive(Debug, Clone, Default, FromQueryResult)]
pub struct TimeCounts {
    pub created_7d: i64,
    pub completed_7d: i64,
    /// Active, not yet flagged by a sweep, and past due.
    pub overdue_unflagged: i64,
    /// Active, not flagged, due between now and `at_risk_until`.
    pub at_risk: i64,
}

/// The time-dependent overview figures. "Since `week_ago`" adds the hourly buckets after
/// the hour `week_ago` falls in and counts that first, partial hour exactly by index range;
/// the SLA figures are index ranges over unflagged active tasks.
pub async fn time_counts<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    scope: &crate::projects::TaskScope,
    now: DateTime<Utc>,
    week_ago: DateTime<Utc>,
    at_risk_until: DateTime<Utc>,
) -> Result<TimeCounts> {
    let first_hour = week_ago.timestamp().div_euclid(3600);
    let boundary = DateTime::<Utc>::from_timestamp((first_hour + 1) * 3600, 0).unwrap_or(now);
    let buckets = |col: &str| {
        format!(
            "(SELECT CAST(COALESCE(SUM({col}), 0) AS BIGINT) FROM (\
               SELECT {col} FROM task_hourly WHERE organization_id = $1 AND hour > $5 \
               UNION ALL \
               SELECT {col} FROM task_hourly_deltas WHERE organization_id = $1 AND hour > $5) b)"
        )
    };
    let (mut created, mut completed) = (buckets("created"), buckets("completed"));
    // The literal FALSE (not a parameter) lets PostgreSQL use the partial index.
    let mut unflagged =
        "organization_id = $1 AND resolved_at IS NULL AND sla_breached = FALSE".to_string();
    let mut p = Params::default();
    let fixed: [sea_orm::Value; 6] = [
        tenant.id().into(),
        week_ago.into(),
        now.into(),
        at_risk_until.into(),
        first_hour.into(),
        boundary.into(),
    ];
    for v in fixed {
        p.push(v);
    }
    // A reader kept out of some projects: their tasks since `week_ago` are taken off (the
    // buckets and the first partial hour both counted them), and kept out of the SLA counts.
    if let Some(hidden) = crate::projects::hidden_sql(scope, &mut p) {
        let off = |col: &str| {
            format!(
                " - (SELECT COUNT(*) FROM tasks WHERE organization_id = $1 AND {col} >= $2 \
                 AND project_id IN ({hidden}))"
            )
        };
        created.push_str(&off("created_at"));
        completed.push_str(&off("resolved_at"));
        unflagged.push_str(&format!(
            " AND (project_id IS NULL OR project_id NOT IN ({hidden}))"
        ));
        created = format!("({created})");
        completed = format!("({completed})");
    }
    let row = sql::one(
        c,
        &format!(
            "SELECT \
               {created} + (SELECT COUNT(*) FROM tasks WHERE organization_id = $1 AND created_at >= $2 AND created_at < $6) AS created_7d, \
               {completed} + (SELECT COUNT(*) FROM tasks WHERE organization_id = $1 AND resolved_at >= $2 AND resolved_at < $6) AS completed_7d, \
               (SELECT COUNT(*) FROM tasks WHERE {unflagged} AND due_date < $3) AS overdue_unflagged, \
               (SELECT COUNT(*) FROM tasks WHERE {unflagged} AND due_date >= $3 AND due_date <= $4) AS at_risk"
        ),
        p.values,
    )
    .await?;
    Ok(row.unwrap_or_default())
}

/// Advisory lock key of the compaction ("TALY").
const COMPACT_LOCK: i64 = 0x5441_4C59;

/// Folds pending deltas into the tallies and hourly buckets (PostgreSQL; SQLite's triggers write tallies
/// directly). One instance at a time: others skip while the lock is held. Returns how many
/// delta rows were folded.
pub async fn compact(db: &Db) -> Result<u64> {
    if db.backend() != Backend::Postgres {
        return Ok(0);
    }
    let tx = db.begin_write().await?;
    let locked = sql::count(
        &tx,
        "SELECT CAST(CAST(pg_try_advisory_xact_lock($1) AS INTEGER) AS BIGINT)",
        vec![COMPACT_LOCK.into()],
    )
    .await?;
    if locked == 0 {
        return Ok(0);
    }
    let keys = format!("organization_id, {}", columns());
    let totals = format!("organization_id, {}", summary_columns());
    #[derive(FromQueryResult)]
    struct R {
        folded: i64,
    }
    let folded: Option<R> = sql::one(
        &tx,
        &format!(
            "WITH moved AS (DELETE FROM task_tally_deltas RETURNING *), \
             summed AS (SELECT {keys}, SUM(delta) AS n, COUNT(*) AS rows FROM moved GROUP BY {keys}), \
             upserted AS (INSERT INTO task_tallies ({keys}, n) SELECT {keys}, n FROM summed ORDER BY {keys} \
               ON CONFLICT ({keys}) DO UPDATE SET n = task_tallies.n + EXCLUDED.n RETURNING 1), \
             totalled AS (INSERT INTO task_tally_totals ({totals}, n) SELECT {totals}, SUM(n) FROM summed \
               GROUP BY {totals} ORDER BY {totals} \
               ON CONFLICT ({totals}) DO UPDATE SET n = task_tally_totals.n + EXCLUDED.n RETURNING 1) \
             SELECT CAST(COALESCE(SUM(rows), 0) AS BIGINT) AS folded FROM summed"
        ),
        vec![],
    )
    .await?;
    sql::exec(&tx, "DELETE FROM task_tallies WHERE n = 0", vec![]).await?;
    sql::exec(&tx, "DELETE FROM task_tally_totals WHERE n = 0", vec![]).await?;
    sql::exec(
        &tx,
        "WITH moved AS (DELETE FROM task_hourly_deltas RETURNING *) \
         INSERT INTO task_hourly (organization_id, hour, created, completed) \
         SELECT organization_id, hour, SUM(created), SUM(completed) FROM moved \
         GROUP BY organization_id, hour ORDER BY organization_id, hour \
         ON CONFLICT (organization_id, hour) DO UPDATE SET \
           created = task_hourly.created + EXCLUDED.created, \
           completed = task_hourly.completed + EXCLUDED.completed",
        vec![],
    )
    .await?;
    crate::commit(tx).await?;
    let folded = folded.map_or(0, |r| r.folded.max(0) as u64);
    if folded > 0 {
        // Each fold leaves the delta tables' rows dead; until autovacuum's next round
        // (a minute or more) readers would step over them in the index on every overview.
        db.conn()
            .execute_unprepared("VACUUM (SKIP_LOCKED) task_tally_deltas, task_hourly_deltas")
            .await?;
    }
    Ok(folded)
}

/// Removes an organization's tallies (after deleting it: its cascaded task deletions leave
/// deltas behind, and the tables have no foreign keys to cascade along).
pub async fn forget<C: ConnectionTrait>(c: &C, organization_id: Uuid) -> Result<()> {
    for table in [
        "task_tallies",
        "task_tally_totals",
        "task_tally_deltas",
        "task_hourly",
        "task_hourly_deltas",
    ] {
        sql::exec(
            c,
            &format!("DELETE FROM {table} WHERE organization_id = $1"),
            vec![organization_id.into()],
        )
        .await?;
    }
    Ok(())
}

/// Recomputes an organization's tallies and hourly buckets from its tasks, after a bulk load
/// that skipped the triggers. Run it while nothing else writes that organization's tasks:
/// it drops the organization's pending deltas along with the old counts.
pub async fn rebuild(db: &Db, tenant: Tenant) -> Result<()> {
    let tx = db.begin_write().await?;
    forget(&tx, tenant.id()).await?;
    sql::exec(
        &tx,
        &format!(
            "INSERT INTO task_tallies (organization_id, {cols}, n) \
             SELECT organization_id, {values}, COUNT(*) FROM tasks WHERE organization_id = $1 \
             GROUP BY organization_id, {values}",
            cols = columns(),
            values = of_task("", db.backend()),
        ),
        vec![tenant.id().into()],
    )
    .await?;
    sql::exec(
        &tx,
        &format!(
            "INSERT INTO task_tally_totals (organization_id, {cols}, n) \
             SELECT organization_id, {cols}, SUM(n) FROM task_tallies WHERE organization_id = $1 \
             GROUP BY organization_id, {cols}",
            cols = summary_columns(),
        ),
        vec![tenant.id().into()],
    )
    .await?;
    let hour = |col: &str| match db.backend() {
        Backend::Postgres => format!("task_hour({col})"),
        Backend::Sqlite => format!("CAST(strftime('%s', {col}) AS INTEGER) / 3600"),
    };
    sql::exec(
        &tx,
        &format!(
            "INSERT INTO task_hourly (organization_id, hour, created, completed) \
             SELECT organization_id, hour, SUM(created), SUM(completed) FROM ( \
               SELECT organization_id, {} AS hour, 1 AS created, 0 AS completed FROM tasks WHERE organization_id = $1 \
               UNION ALL \
               SELECT organization_id, {}, 0, 1 FROM tasks WHERE organization_id = $1 AND resolved_at IS NOT NULL \
             ) x GROUP BY organization_id, hour",
            hour("created_at"),
            hour("resolved_at")
        ),
        vec![tenant.id().into()],
    )
    .await?;
    crate::commit(tx).await
}
