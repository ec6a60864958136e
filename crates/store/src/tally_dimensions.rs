//! The dimensions of the task tallies, defined once: each is a column of `task_tallies` and
//! `task_tally_deltas` and an expression over a task row. The Rust queries of
//! [`crate::tallies`] and the triggers that keep the tallies (both backends) are generated
//! from this list, so a new dimension is an entry here plus a migration that adds its
//! column and regenerates the triggers ([`trigger_sql`]).

use crate::Backend;

/// How a tally column follows from the task.
#[derive(Debug, Clone, Copy)]
enum Source {
    /// The task column itself.
    Column(&'static str),
    /// Whether the task column is NULL.
    IsNull(&'static str),
    /// The task's id column, with NULL kept as the nil UUID (key columns cannot be NULL).
    OrNil(&'static str),
}

/// One dimension: the tally column, its SQL type (migration tokens) and where its value
/// comes from.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Dimension {
    pub(crate) column: &'static str,
    sql_type: &'static str,
    source: Source,
}

/// Every dimension, in key order.
pub(crate) const DIMENSIONS: [Dimension; 7] = [
    Dimension {
        column: "workflow_id",
        sql_type: "{uuid}",
        source: Source::Column("workflow_id"),
    },
    Dimension {
        column: "current_state",
        sql_type: "VARCHAR(255)",
        source: Source::Column("current_state"),
    },
    Dimension {
        column: "priority",
        sql_type: "VARCHAR(255)",
        source: Source::Column("priority"),
    },
    Dimension {
        column: "task_type",
        sql_type: "VARCHAR(255)",
        source: Source::Column("task_type"),
    },
    Dimension {
        column: "unassigned",
        sql_type: "{bool}",
        source: Source::IsNull("assigned_to"),
    },
    Dimension {
        column: "sla_breached",
        sql_type: "{bool}",
        source: Source::Column("sla_breached"),
    },
    // Migration 21: counts per project answer `?project=` and the counts of readers kept out
    // of some projects.
    Dimension {
        column: "project_id",
        sql_type: "{uuid}",
        source: Source::OrNil("project_id"),
    },
];

/// The dimensions migration 7 generated its triggers for (before projects).
const FIRST_DIMENSIONS: &[Dimension] = DIMENSIONS.split_at(6).0;

/// The nil UUID as a literal of `backend` (what a task in no project counts under).
pub(crate) fn nil_uuid(backend: Backend) -> &'static str {
    match backend {
        Backend::Postgres => "'00000000-0000-0000-0000-000000000000'::uuid",
        Backend::Sqlite => "X'00000000000000000000000000000000'",
    }
}

impl Dimension {
    /// The value over a task row; `row` prefixes the task column (`NEW.`, `OLD.`, or empty).
    fn of(&self, row: &str, backend: Backend) -> String {
        match self.source {
            Source::Column(c) => format!("{row}{c}"),
            Source::IsNull(c) => format!("({row}{c} IS NULL)"),
            Source::OrNil(c) => format!("COALESCE({row}{c}, {})", nil_uuid(backend)),
        }
    }

    fn task_column(&self) -> &'static str {
        match self.source {
            Source::Column(c) | Source::IsNull(c) | Source::OrNil(c) => c,
        }
    }
}

fn join(items: impl Iterator<Item = String>, sep: &str) -> String {
    items.collect::<Vec<_>>().join(sep)
}

fn columns_of(dims: &[Dimension]) -> String {
    join(dims.iter().map(|d| d.column.to_string()), ", ")
}

/// `workflow_id, current_state, …`: the tally key columns after the organization.
pub(crate) fn columns() -> String {
    columns_of(&DIMENSIONS)
}

/// The key columns without the project: those of `task_tally_totals`, and what
/// [`crate::tallies::Tally`] reports.
pub(crate) fn summary_columns() -> String {
    columns_of(FIRST_DIMENSIONS)
}

fn values_of(dims: &[Dimension], row: &str, backend: Backend) -> String {
    join(dims.iter().map(|d| d.of(row, backend)), ", ")
}

/// The dimension values of a task row (`row` as in [`Dimension::of`]).
pub(crate) fn of_task(row: &str, backend: Backend) -> String {
    values_of(&DIMENSIONS, row, backend)
}

/// `col = <value of row>` for every dimension, joined by AND.
fn matches(dims: &[Dimension], row: &str, backend: Backend) -> String {
    join(
        dims.iter()
            .map(|d| format!("{} = {}", d.column, d.of(row, backend))),
        " AND ",
    )
}

/// Migration 7: the first triggers (six dimensions).
pub(crate) fn first_trigger_sql(backend: Backend) -> String {
    triggers(FIRST_DIMENSIONS, backend)
}

/// Migration 21: the tally tables again with every dimension (a project column in the key),
/// plus `task_tally_totals` without the project (what organization-wide figures read: one
/// row per combination, not one per combination and project), both counted afresh from
/// the tasks, and their triggers.
pub(crate) fn project_tallies_sql(backend: Backend) -> String {
    let table = |name: &str, dims: &[Dimension], n: &str, keyed: bool| {
        let cols = join(
            dims.iter()
                .map(|d| format!("    {} {} NOT NULL,\n", d.column, d.sql_type)),
            "",
        );
        let key = if keyed {
            format!(",\n    PRIMARY KEY (organization_id, {})", columns_of(dims))
        } else {
            String::new()
        };
        format!(
            "DROP TABLE IF EXISTS {name};\nCREATE TABLE {name} (\n    organization_id {{uuid}} NOT NULL,\n{cols}    {n} BIGINT NOT NULL{key}\n);\n"
        )
    };
    let count = |name: &str, dims: &[Dimension]| {
        let values = values_of(dims, "", backend);
        format!(
            "INSERT INTO {name} (organization_id, {}, n) \
             SELECT organization_id, {values}, COUNT(*) FROM tasks GROUP BY organization_id, {values};\n",
            columns_of(dims)
        )
    };
    let mut sql = format!(
        "{}{}{}CREATE INDEX task_tally_deltas_org_idx ON task_tally_deltas (organization_id);\n{}{}{}",
        table("task_tallies", &DIMENSIONS, "n", true),
        table("task_tally_deltas", &DIMENSIONS, "delta", false),
        table("task_tally_totals", FIRST_DIMENSIONS, "n", true),
        count("task_tallies", &DIMENSIONS),
        count("task_tally_totals", FIRST_DIMENSIONS),
        triggers(&DIMENSIONS, backend),
    );
    if backend == Backend::Sqlite {
        // SQLite keeps the totals with row triggers too; PostgreSQL folds them from the
        // deltas (`tallies::compact`), so its writers do no more than before.
        sql.push_str(&sqlite_triggers(
            FIRST_DIMENSIONS,
            "task_tally_totals",
            "tasks_total",
            backend,
        ));
    }
    crate::migrate::render(&sql, backend)
}

/// The triggers that keep the tallies, for `backend` (replacing any earlier version).
///
/// PostgreSQL: statement-level triggers with transition tables append one grouped delta row
/// per combination to `task_tally_deltas` (no shared row to lock); `tallies::compact` folds
/// them in. A bulk loader may set `switchyard.bulk_load = on` to skip them and rebuild.
/// SQLite: one writer at a time, so row triggers update `task_tallies` directly.
fn triggers(dims: &[Dimension], backend: Backend) -> String {
    let cols = columns_of(dims);
    let n = dims.len();
    match backend {
        Backend::Postgres => {
            let group = join((1..=n + 1).map(|i| i.to_string()), ", ");
            let aliased = |row: &str| {
                join(
                    dims.iter()
                        .map(|d| format!("{} AS {}", d.of(row, backend), d.column)),
                    ", ",
                )
            };
            let one_side = |name: &str, rows: &str, sign: &str| {
                format!(
                    "CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$\n\
                     BEGIN\n\
                     \x20   IF current_setting('switchyard.bulk_load', true) = 'on' THEN RETURN NULL; END IF;\n\
                     \x20   INSERT INTO task_tally_deltas (organization_id, {cols}, delta)\n\
                     \x20   SELECT organization_id, {values}, {sign}COUNT(*) FROM {rows} GROUP BY {group};\n\
                     \x20   RETURN NULL;\n\
                     END $$;\n",
                    values = values_of(dims, "", backend),
                )
            };
            format!(
                "{insert}{delete}\
                 CREATE OR REPLACE FUNCTION task_tallies_update() RETURNS trigger LANGUAGE plpgsql AS $$\n\
                 BEGIN\n\
                 \x20   IF current_setting('switchyard.bulk_load', true) = 'on' THEN RETURN NULL; END IF;\n\
                 \x20   INSERT INTO task_tally_deltas (organization_id, {cols}, delta)\n\
                 \x20   SELECT organization_id, {cols}, SUM(delta) FROM (\n\
                 \x20       SELECT organization_id, {old}, -1 AS delta FROM old_rows\n\
                 \x20       UNION ALL\n\
                 \x20       SELECT organization_id, {new}, 1 AS delta FROM new_rows\n\
                 \x20   ) AS changes\n\
                 \x20   GROUP BY organization_id, {cols} HAVING SUM(delta) <> 0;\n\
                 \x20   RETURN NULL;\n\
                 END $$;\n",
                insert = one_side("task_tallies_insert", "new_rows", ""),
                delete = one_side("task_tallies_delete", "old_rows", "-"),
                old = aliased(""),
                new = aliased(""),
            )
        }
        Backend::Sqlite => sqlite_triggers(dims, "task_tallies", "tasks_tally", backend),
    }
}

/// SQLite's row triggers keeping `table` (keyed by `dims`) in step with the tasks, named
/// `<prefix>_insert`, `_delete` and `_update` (replacing any earlier version).
fn sqlite_triggers(dims: &[Dimension], table: &str, prefix: &str, backend: Backend) -> String {
    let cols = columns_of(dims);
    let bump = |row: &str, by: &str| {
        format!(
            "    UPDATE {table} SET n = n {by} 1 WHERE organization_id = {row}organization_id AND {};\n",
            matches(dims, row, backend)
        )
    };
    let ensure = |row: &str| {
        format!(
            "    INSERT OR IGNORE INTO {table} (organization_id, {cols}, n) VALUES ({row}organization_id, {}, 0);\n",
            values_of(dims, row, backend)
        )
    };
    let mut watched: Vec<&str> = dims.iter().map(|d| d.task_column()).collect();
    watched.dedup();
    let changed = join(
        dims.iter()
            .map(|d| format!("{} IS NOT {}", d.of("OLD.", backend), d.of("NEW.", backend))),
        " OR ",
    );
    format!(
        "DROP TRIGGER IF EXISTS {prefix}_insert;\n\
         DROP TRIGGER IF EXISTS {prefix}_delete;\n\
         DROP TRIGGER IF EXISTS {prefix}_update;\n\
         CREATE TRIGGER {prefix}_insert AFTER INSERT ON tasks BEGIN\n{ensure_new}{inc_new}END;\n\
         CREATE TRIGGER {prefix}_delete AFTER DELETE ON tasks BEGIN\n{dec_old}END;\n\
         CREATE TRIGGER {prefix}_update AFTER UPDATE OF {watched} ON tasks WHEN {changed} BEGIN\n\
         {dec_old}{ensure_new}{inc_new}END;\n",
        ensure_new = ensure("NEW."),
        inc_new = bump("NEW.", "+"),
        dec_old = bump("OLD.", "-"),
        watched = watched.join(", "),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_dimension_is_in_every_generated_statement() {
        for backend in [Backend::Postgres, Backend::Sqlite] {
            let sql = project_tallies_sql(backend);
            for d in DIMENSIONS {
                assert!(sql.contains(d.column), "{backend:?}: {}", d.column);
            }
            assert!(!first_trigger_sql(backend).contains("project_id"));
            assert!(sql.contains("task_tally_totals"));
        }
        // SQLite keeps the totals with its own triggers; PostgreSQL folds them in compaction.
        assert!(project_tallies_sql(Backend::Sqlite).contains("CREATE TRIGGER tasks_total_update"));
        assert!(!project_tallies_sql(Backend::Postgres).contains("tasks_total"));
        assert_eq!(
            of_task("NEW.", Backend::Sqlite),
            "NEW.workflow_id, NEW.current_state, NEW.priority, NEW.task_type, \
             (NEW.assigned_to IS NULL), NEW.sla_breached, \
             COALESCE(NEW.project_id, X'00000000000000000000000000000000')"
        );
    }
}
