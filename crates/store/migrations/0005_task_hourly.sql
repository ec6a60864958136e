-- Tasks created and completed per hour (hour = whole hours since 1970 UTC), kept by triggers
-- like the tallies of 0004, so "created / completed in the last 7 days" adds at most 169
-- buckets plus an exact count of the first, partial hour, instead of counting every task
-- of the week.
CREATE TABLE task_hourly (
    organization_id {uuid} NOT NULL,
    hour BIGINT NOT NULL,
    created BIGINT NOT NULL,
    completed BIGINT NOT NULL,
    PRIMARY KEY (organization_id, hour)
);
CREATE TABLE task_hourly_deltas (
    organization_id {uuid} NOT NULL,
    hour BIGINT NOT NULL,
    created BIGINT NOT NULL,
    completed BIGINT NOT NULL
);
CREATE INDEX task_hourly_deltas_org_idx ON task_hourly_deltas (organization_id, hour);
-- @postgres
CREATE FUNCTION task_hour(ts TIMESTAMPTZ) RETURNS BIGINT LANGUAGE sql IMMUTABLE AS
    $$ SELECT CAST(floor(extract(epoch FROM ts) / 3600) AS BIGINT) $$;
INSERT INTO task_hourly (organization_id, hour, created, completed)
SELECT organization_id, hour, SUM(created), SUM(completed) FROM (
    SELECT organization_id, task_hour(created_at) AS hour, 1 AS created, 0 AS completed FROM tasks
    UNION ALL
    SELECT organization_id, task_hour(resolved_at), 0, 1 FROM tasks WHERE resolved_at IS NOT NULL
) AS x GROUP BY organization_id, hour;
CREATE FUNCTION task_hourly_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('switchyard.bulk_load', true) = 'on' THEN RETURN NULL; END IF;
    INSERT INTO task_hourly_deltas
    SELECT organization_id, hour, SUM(created), SUM(completed) FROM (
        SELECT organization_id, task_hour(created_at) AS hour, 1 AS created, 0 AS completed FROM new_rows
        UNION ALL
        SELECT organization_id, task_hour(resolved_at), 0, 1 FROM new_rows WHERE resolved_at IS NOT NULL
    ) AS x GROUP BY organization_id, hour;
    RETURN NULL;
END $$;
CREATE FUNCTION task_hourly_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('switchyard.bulk_load', true) = 'on' THEN RETURN NULL; END IF;
    INSERT INTO task_hourly_deltas
    SELECT organization_id, hour, -SUM(created), -SUM(completed) FROM (
        SELECT organization_id, task_hour(created_at) AS hour, 1 AS created, 0 AS completed FROM old_rows
        UNION ALL
        SELECT organization_id, task_hour(resolved_at), 0, 1 FROM old_rows WHERE resolved_at IS NOT NULL
    ) AS x GROUP BY organization_id, hour;
    RETURN NULL;
END $$;
CREATE FUNCTION task_hourly_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('switchyard.bulk_load', true) = 'on' THEN RETURN NULL; END IF;
    INSERT INTO task_hourly_deltas
    SELECT organization_id, hour, SUM(created), SUM(completed) FROM (
        SELECT organization_id, task_hour(created_at) AS hour, -1 AS created, 0 AS completed FROM old_rows
        UNION ALL
        SELECT organization_id, task_hour(created_at), 1, 0 FROM new_rows
        UNION ALL
        SELECT organization_id, task_hour(resolved_at), 0, -1 FROM old_rows WHERE resolved_at IS NOT NULL
        UNION ALL
        SELECT organization_id, task_hour(resolved_at), 0, 1 FROM new_rows WHERE resolved_at IS NOT NULL
    ) AS x GROUP BY organization_id, hour HAVING SUM(created) <> 0 OR SUM(completed) <> 0;
    RETURN NULL;
END $$;
CREATE TRIGGER tasks_hourly_insert AFTER INSERT ON tasks
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION task_hourly_insert();
CREATE TRIGGER tasks_hourly_delete AFTER DELETE ON tasks
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION task_hourly_delete();
CREATE TRIGGER tasks_hourly_update AFTER UPDATE ON tasks
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION task_hourly_update();
-- @end
-- @sqlite
INSERT INTO task_hourly (organization_id, hour, created, completed)
SELECT organization_id, hour, SUM(created), SUM(completed) FROM (
    SELECT organization_id, CAST(strftime('%s', created_at) AS INTEGER) / 3600 AS hour, 1 AS created, 0 AS completed FROM tasks
    UNION ALL
    SELECT organization_id, CAST(strftime('%s', resolved_at) AS INTEGER) / 3600, 0, 1 FROM tasks WHERE resolved_at IS NOT NULL
) AS x GROUP BY organization_id, hour;
CREATE TRIGGER tasks_hourly_insert AFTER INSERT ON tasks BEGIN
    INSERT OR IGNORE INTO task_hourly VALUES (NEW.organization_id, CAST(strftime('%s', NEW.created_at) AS INTEGER) / 3600, 0, 0);
    UPDATE task_hourly SET created = created + 1
    WHERE organization_id = NEW.organization_id AND hour = CAST(strftime('%s', NEW.created_at) AS INTEGER) / 3600;
    INSERT OR IGNORE INTO task_hourly SELECT NEW.organization_id, CAST(strftime('%s', NEW.resolved_at) AS INTEGER) / 3600, 0, 0 WHERE NEW.resolved_at IS NOT NULL;
    UPDATE task_hourly SET completed = completed + 1
    WHERE NEW.resolved_at IS NOT NULL AND organization_id = NEW.organization_id AND hour = CAST(strftime('%s', NEW.resolved_at) AS INTEGER) / 3600;
END;
CREATE TRIGGER tasks_hourly_delete AFTER DELETE ON tasks BEGIN
    UPDATE task_hourly SET created = created - 1
    WHERE organization_id = OLD.organization_id AND hour = CAST(strftime('%s', OLD.created_at) AS INTEGER) / 3600;
    UPDATE task_hourly SET completed = completed - 1
    WHERE OLD.resolved_at IS NOT NULL AND organization_id = OLD.organization_id AND hour = CAST(strftime('%s', OLD.resolved_at) AS INTEGER) / 3600;
END;
CREATE TRIGGER tasks_hourly_update AFTER UPDATE OF created_at, resolved_at ON tasks
WHEN OLD.created_at IS NOT NEW.created_at OR OLD.resolved_at IS NOT NEW.resolved_at
BEGIN
    UPDATE task_hourly SET created = created - 1
    WHERE organization_id = OLD.organization_id AND hour = CAST(strftime('%s', OLD.created_at) AS INTEGER) / 3600;
    UPDATE task_hourly SET completed = completed - 1
    WHERE OLD.resolved_at IS NOT NULL AND organization_id = OLD.organization_id AND hour = CAST(strftime('%s', OLD.resolved_at) AS INTEGER) / 3600;
    INSERT OR IGNORE INTO task_hourly VALUES (NEW.organization_id, CAST(strftime('%s', NEW.created_at) AS INTEGER) / 3600, 0, 0);
    UPDATE task_hourly SET created = created + 1
    WHERE organization_id = NEW.organization_id AND hour = CAST(strftime('%s', NEW.created_at) AS INTEGER) / 3600;
    INSERT OR IGNORE INTO task_hourly SELECT NEW.organization_id, CAST(strftime('%s', NEW.resolved_at) AS INTEGER) / 3600, 0, 0 WHERE NEW.resolved_at IS NOT NULL;
    UPDATE task_hourly SET completed = completed + 1
    WHERE NEW.resolved_at IS NOT NULL AND organization_id = NEW.organization_id AND hour = CAST(strftime('%s', NEW.resolved_at) AS INTEGER) / 3600;
END;
-- @end
