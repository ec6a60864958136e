-- Task counts per (workflow, state, priority, type, unassigned, breached), kept by triggers,
-- so the dashboard overview and unsearched task-list counts read a few hundred rows instead
-- of counting up to millions.
--
-- PostgreSQL: writers only ever INSERT into task_tally_deltas (statement-level triggers
-- with transition tables: one grouped insert per statement, no row locks, so concurrent
-- transitions can neither block nor deadlock on a shared counter); a periodic compaction
-- folds the deltas into task_tallies. Readers add both tables.
-- A bulk loader may set `switchyard.bulk_load = on` in its transactions to skip the
-- PostgreSQL triggers and then rebuild the organization's tallies (tallies::rebuild): a
-- year of history spreads over thousands of hourly buckets, so per-statement deltas would
-- be nearly one row per task.
-- SQLite: one writer at a time, so row triggers update task_tallies directly and the delta
-- table stays empty.
-- No foreign keys: deleting an organization cascades to its tasks, whose triggers then
-- write deltas for it; the store removes both tables' rows after deleting the organization.
CREATE TABLE task_tallies (
    organization_id {uuid} NOT NULL,
    workflow_id {uuid} NOT NULL,
    current_state VARCHAR(255) NOT NULL,
    priority VARCHAR(255) NOT NULL,
    task_type VARCHAR(255) NOT NULL,
    unassigned {bool} NOT NULL,
    sla_breached {bool} NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (organization_id, workflow_id, current_state, priority, task_type, unassigned, sla_breached)
);
CREATE TABLE task_tally_deltas (
    organization_id {uuid} NOT NULL,
    workflow_id {uuid} NOT NULL,
    current_state VARCHAR(255) NOT NULL,
    priority VARCHAR(255) NOT NULL,
    task_type VARCHAR(255) NOT NULL,
    unassigned {bool} NOT NULL,
    sla_breached {bool} NOT NULL,
    delta BIGINT NOT NULL
);
CREATE INDEX task_tally_deltas_org_idx ON task_tally_deltas (organization_id);
INSERT INTO task_tallies (organization_id, workflow_id, current_state, priority, task_type, unassigned, sla_breached, n)
SELECT organization_id, workflow_id, current_state, priority, task_type, assigned_to IS NULL, sla_breached, COUNT(*)
FROM tasks GROUP BY organization_id, workflow_id, current_state, priority, task_type, assigned_to IS NULL, sla_breached;
-- What the overview still counts from tasks, by index range: work completed recently, and
-- active tasks not yet flagged whose due date has passed or is near.
CREATE INDEX tasks_org_resolved_idx ON tasks (organization_id, resolved_at);
-- @postgres
CREATE INDEX tasks_org_unflagged_due_idx ON tasks (organization_id, due_date) WHERE resolved_at IS NULL AND sla_breached = FALSE;
-- @end
-- SQLite's planner prefers (organization_id, resolved_at) over the partial index and then
-- walks every active task; with the flags as leading equality columns it cannot.
-- @sqlite
CREATE INDEX tasks_org_unflagged_due_idx ON tasks (organization_id, sla_breached, resolved_at, due_date);
-- @end
-- @postgres
CREATE FUNCTION task_tallies_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('switchyard.bulk_load', true) = 'on' THEN RETURN NULL; END IF;
    INSERT INTO task_tally_deltas
    SELECT organization_id, workflow_id, current_state, priority, task_type, assigned_to IS NULL, sla_breached, COUNT(*)
    FROM new_rows GROUP BY 1, 2, 3, 4, 5, 6, 7;
    RETURN NULL;
END $$;
CREATE FUNCTION task_tallies_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('switchyard.bulk_load', true) = 'on' THEN RETURN NULL; END IF;
    INSERT INTO task_tally_deltas
    SELECT organization_id, workflow_id, current_state, priority, task_type, assigned_to IS NULL, sla_breached, -COUNT(*)
    FROM old_rows GROUP BY 1, 2, 3, 4, 5, 6, 7;
    RETURN NULL;
END $$;
CREATE FUNCTION task_tallies_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('switchyard.bulk_load', true) = 'on' THEN RETURN NULL; END IF;
    INSERT INTO task_tally_deltas
    SELECT o, w, s, p, t, u, b, SUM(d) FROM (
        SELECT organization_id, workflow_id, current_state, priority, task_type, assigned_to IS NULL, sla_breached, -1 FROM old_rows
        UNION ALL
        SELECT organization_id, workflow_id, current_state, priority, task_type, assigned_to IS NULL, sla_breached, 1 FROM new_rows
    ) AS changes (o, w, s, p, t, u, b, d)
    GROUP BY o, w, s, p, t, u, b HAVING SUM(d) <> 0;
    RETURN NULL;
END $$;
CREATE TRIGGER tasks_tally_insert AFTER INSERT ON tasks
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION task_tallies_insert();
CREATE TRIGGER tasks_tally_delete AFTER DELETE ON tasks
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION task_tallies_delete();
CREATE TRIGGER tasks_tally_update AFTER UPDATE ON tasks
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION task_tallies_update();
-- @end
-- @sqlite
CREATE TRIGGER tasks_tally_insert AFTER INSERT ON tasks BEGIN
    INSERT OR IGNORE INTO task_tallies VALUES (NEW.organization_id, NEW.workflow_id, NEW.current_state, NEW.priority, NEW.task_type, NEW.assigned_to IS NULL, NEW.sla_breached, 0);
    UPDATE task_tallies SET n = n + 1
    WHERE organization_id = NEW.organization_id AND workflow_id = NEW.workflow_id AND current_state = NEW.current_state
      AND priority = NEW.priority AND task_type = NEW.task_type AND unassigned = (NEW.assigned_to IS NULL) AND sla_breached = NEW.sla_breached;
END;
CREATE TRIGGER tasks_tally_delete AFTER DELETE ON tasks BEGIN
    UPDATE task_tallies SET n = n - 1
    WHERE organization_id = OLD.organization_id AND workflow_id = OLD.workflow_id AND current_state = OLD.current_state
      AND priority = OLD.priority AND task_type = OLD.task_type AND unassigned = (OLD.assigned_to IS NULL) AND sla_breached = OLD.sla_breached;
END;
CREATE TRIGGER tasks_tally_update AFTER UPDATE OF workflow_id, current_state, priority, task_type, assigned_to, sla_breached ON tasks
WHEN OLD.workflow_id IS NOT NEW.workflow_id OR OLD.current_state IS NOT NEW.current_state OR OLD.priority IS NOT NEW.priority
  OR OLD.task_type IS NOT NEW.task_type OR (OLD.assigned_to IS NULL) IS NOT (NEW.assigned_to IS NULL) OR OLD.sla_breached IS NOT NEW.sla_breached
BEGIN
    UPDATE task_tallies SET n = n - 1
    WHERE organization_id = OLD.organization_id AND workflow_id = OLD.workflow_id AND current_state = OLD.current_state
      AND priority = OLD.priority AND task_type = OLD.task_type AND unassigned = (OLD.assigned_to IS NULL) AND sla_breached = OLD.sla_breached;
    INSERT OR IGNORE INTO task_tallies VALUES (NEW.organization_id, NEW.workflow_id, NEW.current_state, NEW.priority, NEW.task_type, NEW.assigned_to IS NULL, NEW.sla_breached, 0);
    UPDATE task_tallies SET n = n + 1
    WHERE organization_id = NEW.organization_id AND workflow_id = NEW.workflow_id AND current_state = NEW.current_state
      AND priority = NEW.priority AND task_type = NEW.task_type AND unassigned = (NEW.assigned_to IS NULL) AND sla_breached = NEW.sla_breached;
END;
-- @end
