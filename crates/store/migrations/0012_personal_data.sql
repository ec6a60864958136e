-- Personal-data requests: exports of everything about a person (kept 24 hours), and erasure,
-- which replaces a person's name in the audit log by a pseudonym.

CREATE TABLE data_exports (
    id {uuid} PRIMARY KEY,
    user_id {uuid} NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    status VARCHAR(16) NOT NULL,
    archive TEXT,
    error TEXT,
    expires_at {ts},
    created_at {ts} NOT NULL,
    completed_at {ts}
);
CREATE INDEX data_exports_user_idx ON data_exports (user_id, created_at);

-- @postgres
-- The audit log stays append-only, with one exception: an erasure (which sets
-- switchyard.erasing to the erased user's id for its transaction) may rewrite the names in
-- entries performed by or naming that user, to a pseudonym, and nothing else about them.
-- This guards against application mistakes; a database superuser can always drop a
-- trigger (tamper evidence is the audit hash chain's job).
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
        AND NEW.reason = OLD.reason AND NEW.timestamp = OLD.timestamp THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit_logs is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
-- @end
