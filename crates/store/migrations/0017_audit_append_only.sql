-- The audit log is append-only on both backends, chain columns included. The one exception
-- is an erasure (personal-data request), which may rewrite the names in entries performed
-- by or naming the erased person, and nothing else: on PostgreSQL it sets
-- switchyard.erasing for its transaction, on SQLite it holds a row in audit_erasures.
-- These guard against application mistakes; tamper evidence is the hash chain's job.

-- @postgres
CREATE OR REPLACE FUNCTION audit_logs_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND NOT EXISTS (SELECT 1 FROM organizations WHERE id = OLD.organization_id) THEN
        RETURN OLD;
    END IF;
    IF TG_OP = 'UPDATE' AND COALESCE(current_setting('switchyard.erasing', true), '') <> ''
        AND (OLD.performed_by::text = current_setting('switchyard.erasing', true)
             OR CAST(OLD.old_value AS TEXT) LIKE '%' || current_setting('switchyard.erasing', true) || '%'
             OR CAST(OLD.new_value AS TEXT) LIKE '%' || current_setting('switchyard.erasing', true) || '%')
        AND (NEW.performed_by_name = OLD.performed_by_name OR NEW.performed_by_name LIKE 'deleted-user-%')
        AND NEW.id = OLD.id AND NEW.organization_id = OLD.organization_id
        AND NEW.task_id IS NOT DISTINCT FROM OLD.task_id AND NEW.task_key = OLD.task_key
        AND NEW.action = OLD.action AND NEW.performed_by IS NOT DISTINCT FROM OLD.performed_by
        AND NEW.reason = OLD.reason AND NEW.timestamp = OLD.timestamp
        AND NEW.seq IS NOT DISTINCT FROM OLD.seq AND NEW.prev_hash IS NOT DISTINCT FROM OLD.prev_hash
        AND NEW.hash IS NOT DISTINCT FROM OLD.hash THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit_logs is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
-- @end

-- @sqlite
CREATE TABLE audit_erasures (
    user_id BLOB PRIMARY KEY,
    user_text TEXT NOT NULL
);

CREATE TRIGGER audit_logs_no_delete BEFORE DELETE ON audit_logs
WHEN EXISTS (SELECT 1 FROM organizations WHERE id = OLD.organization_id)
BEGIN
    SELECT RAISE(ABORT, 'audit_logs is append-only: DELETE refused');
END;

CREATE TRIGGER audit_logs_no_update BEFORE UPDATE ON audit_logs
WHEN NOT (
    EXISTS (SELECT 1 FROM audit_erasures w
            WHERE w.user_id = OLD.performed_by
               OR COALESCE(OLD.old_value, '') LIKE '%' || w.user_text || '%'
               OR COALESCE(OLD.new_value, '') LIKE '%' || w.user_text || '%')
    AND (NEW.performed_by_name = OLD.performed_by_name OR NEW.performed_by_name LIKE 'deleted-user-%')
    AND NEW.id IS OLD.id AND NEW.organization_id IS OLD.organization_id
    AND NEW.task_id IS OLD.task_id AND NEW.task_key IS OLD.task_key
    AND NEW.action IS OLD.action AND NEW.performed_by IS OLD.performed_by
    AND NEW.reason IS OLD.reason AND NEW.timestamp IS OLD.timestamp
    AND NEW.seq IS OLD.seq AND NEW.prev_hash IS OLD.prev_hash AND NEW.hash IS OLD.hash
)
BEGIN
    SELECT RAISE(ABORT, 'audit_logs is append-only: UPDATE refused');
END;
-- @end
