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
}

/// One dimension: the tally column and where its value comes from.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Dimension {
    pub(crate) column: &'static str,
    source: Source,
}

/// Every dimension, in key order.
pub(crate) const DIMENSIONS: [Dimension; 6] = [
    Dimension {
        column: "workflow_id",
        source: Source::Column("workflow_id"),
    },
    Dimension {
        column: "current_state",
        source: Source::Column("current_state"),
    },
    Dimension {
        column: "priority",
        source: Source::Column("priority"),
    },
    Dimension {
        column: "task_type",
        source: Source::Column("task_type"),
    },
    Dimension {
        column: "unassigned",
        source: Source::IsNull("assigned_to"),
    },
    Dimension {
        column: "sla_breached",
        source: Source::Column("sla_breached"),
    },
];

impl Dimension {
    /// The value over a task row; `row` prefixes the task column (`NEW.`, `OLD.`, or empty).
    fn of(&self, row: &str) -> String {
        match self.source {
            Source::Column(c) => format!("{row}{c}"),
            Source::IsNull(c) => format!("({row}{c} IS NULL)"),
        }
    }

    fn task_column(&self) -> &'static str {
        match self.source {
            Source::Column(c) | Source::IsNull(c) => c,
        }
    }
}

fn join(items: impl Iterator<Item = String>, sep: &str) -> String {
    items.collect::<Vec<_>>().join(sep)
}

/// `workflow_id, current_state, …`: the tally key columns after the organization.
pub(crate) fn columns() -> String {
    join(DIMENSIONS.iter().map(|d| d.column.to_string()), ", ")
}

/// The dimension values of a task row (`row` as in [`Dimension::of`]).
pub(crate) fn of_task(row: &str) -> String {
    join(DIMENSIONS.iter().map(|d| d.of(row)), ", ")
}

/// `col = <value of row>` for every dimension, joined by AND.
fn matches(row: &str) -> String {
    join(
        DIMENSIONS
            .iter()
            .map(|d| format!("{} = {}", d.column, d.of(row))),
        " AND ",
    )
}

/// The triggers that keep the tallies, for `backend` (replacing any earlier version).
///
/// PostgreSQL: statement-level triggers with transition tables append one grouped delta row
/// per combination to `task_tally_deltas` (no shared row to lock); `tallies::compact` folds
/// them in. A bulk loader may set `switchyard.bulk_load = on` to skip them and rebuild.
/// SQLite: one writer at a time, so row triggers update `task_tallies` directly.
pub(crate) fn trigger_sql(backend: Backend) -> String {
    let cols = columns();
    let n = DIMENSIONS.len();
    match backend {
        Backend::Postgres => {
            let group = join((1..=n + 1).map(|i| i.to_string()), ", ");
            let aliased = |row: &str| {
                join(
                    DIMENSIONS
                        .iter()
                        .map(|d| format!("{} AS {}", d.of(row), d.column)),
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
                    values = of_task(""),
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
        Backend::Sqlite => {
            let bump = |row: &str, by: &str| {
                format!(
                    "    UPDATE task_tallies SET n = n {by} 1 WHERE organization_id = {row}organization_id AND {};\n",
                    matches(row)
                )
            };
            let ensure = |row: &str| {
                format!(
                    "    INSERT OR IGNORE INTO task_tallies (organization_id, {cols}, n) VALUES ({row}organization_id, {}, 0);\n",
                    of_task(row)
                )
            };
            let mut watched: Vec<&str> = DIMENSIONS.iter().map(|d| d.task_column()).collect();
            watched.dedup();
            let changed = join(
                DIMENSIONS
                    .iter()
                    .map(|d| format!("{} IS NOT {}", d.of("OLD."), d.of("NEW."))),
                " OR ",
            );
            format!(
                "DROP TRIGGER IF EXISTS tasks_tally_insert;\n\
                 DROP TRIGGER IF EXISTS tasks_tally_delete;\n\
                 DROP TRIGGER IF EXISTS tasks_tally_update;\n\
                 CREATE TRIGGER tasks_tally_insert AFTER INSERT ON tasks BEGIN\n{ensure_new}{inc_new}END;\n\
                 CREATE TRIGGER tasks_tally_delete AFTER DELETE ON tasks BEGIN\n{dec_old}END;\n\
                 CREATE TRIGGER tasks_tally_update AFTER UPDATE OF {watched} ON tasks WHEN {changed} BEGIN\n\
                 {dec_old}{ensure_new}{inc_new}END;\n",
                ensure_new = ensure("NEW."),
                inc_new = bump("NEW.", "+"),
                dec_old = bump("OLD.", "-"),
                watched = watched.join(", "),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_dimension_is_in_every_generated_statement() {
        for backend in [Backend::Postgres, Backend::Sqlite] {
            let sql = trigger_sql(backend);
            for d in DIMENSIONS {
                assert!(sql.contains(d.column), "{backend:?}: {}", d.column);
            }
        }
        assert_eq!(
            of_task("NEW."),
            "NEW.workflow_id, NEW.current_state, NEW.priority, NEW.task_type, \
             (NEW.assigned_to IS NULL), NEW.sla_breached"
        );
    }
}
