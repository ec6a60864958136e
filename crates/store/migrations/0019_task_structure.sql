-- The structure of work: sub-tasks (one level, `tasks.parent_id`) and "blocked by"
-- dependencies the workflow enforces. A workflow names the final state that means
-- "abandoned" (`cancel_state`): entering it is never held back by blockers or unfinished
-- sub-tasks; entering any other final state is. `complete_parent_requires_subtasks_done`
-- turns the sub-task rule on per workflow.
ALTER TABLE workflows ADD COLUMN cancel_state VARCHAR(255);
ALTER TABLE workflows ADD COLUMN complete_parent_requires_subtasks_done {bool} NOT NULL DEFAULT FALSE;

-- @postgres
UPDATE workflows SET cancel_state = 'cancelled' WHERE final_states ? 'cancelled';
UPDATE workflows SET cancel_state = 'canceled' WHERE cancel_state IS NULL AND final_states ? 'canceled';
ALTER TABLE tasks ADD COLUMN parent_id UUID;
ALTER TABLE tasks ADD CONSTRAINT tasks_parent_fkey FOREIGN KEY (organization_id, parent_id)
    REFERENCES tasks (organization_id, id) ON DELETE SET NULL (parent_id);
CREATE TABLE task_dependencies (
    organization_id UUID NOT NULL,
    task_id UUID NOT NULL,
    blocked_by_id UUID NOT NULL,
    created_by UUID,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (organization_id, task_id, blocked_by_id),
    CHECK (task_id <> blocked_by_id),
    CONSTRAINT task_dependencies_task_fkey FOREIGN KEY (organization_id, task_id)
        REFERENCES tasks (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT task_dependencies_blocker_fkey FOREIGN KEY (organization_id, blocked_by_id)
        REFERENCES tasks (organization_id, id) ON DELETE CASCADE
);
-- @end
-- @sqlite
-- instr, not LIKE: SQLite's LIKE ignores case, and "Cancelled" is another state.
UPDATE workflows SET cancel_state = 'cancelled' WHERE instr(final_states, '"cancelled"') > 0;
UPDATE workflows SET cancel_state = 'canceled' WHERE cancel_state IS NULL AND instr(final_states, '"canceled"') > 0;
ALTER TABLE tasks ADD COLUMN parent_id {uuid} REFERENCES tasks(id) ON DELETE SET NULL;
CREATE TABLE task_dependencies (
    organization_id {uuid} NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    task_id {uuid} NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
    blocked_by_id {uuid} NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
    created_by {uuid},
    created_at {ts} NOT NULL,
    PRIMARY KEY (organization_id, task_id, blocked_by_id),
    CHECK (task_id <> blocked_by_id)
);
-- @end
CREATE INDEX task_dependencies_blocker_idx ON task_dependencies (organization_id, blocked_by_id);
CREATE INDEX tasks_org_parent_idx ON tasks (organization_id, parent_id);
