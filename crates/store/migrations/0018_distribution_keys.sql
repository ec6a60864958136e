-- Keys ready for a PostgreSQL distributed by organization (Citus, `organization_id` as the
-- distribution column): every primary and unique key of a tenant table leads with
-- organization_id, and every foreign key between tenant tables carries it, so each
-- organization's rows can live together on one node and every constraint is checked there.
-- The composite foreign keys also make the database refuse a row that points into another
-- organization (a task with another organization's team or workflow).
-- SQLite keeps its keys: it is never distributed, and changing a key there means rebuilding
-- the table. (`ON DELETE SET NULL (column)` needs PostgreSQL 15 or later.)

-- @postgres
ALTER TABLE comments DROP CONSTRAINT comments_task_id_fkey;
ALTER TABLE task_ai_scores DROP CONSTRAINT task_ai_scores_task_id_fkey;
ALTER TABLE tasks DROP CONSTRAINT tasks_team_id_fkey;
ALTER TABLE tasks DROP CONSTRAINT tasks_workflow_id_fkey;
ALTER TABLE team_members DROP CONSTRAINT team_members_team_id_fkey;
ALTER TABLE transition_rules DROP CONSTRAINT transition_rules_workflow_id_fkey;
ALTER TABLE invitations DROP CONSTRAINT invitations_team_id_fkey;
ALTER TABLE memberships DROP CONSTRAINT memberships_department_id_fkey;

ALTER TABLE tasks DROP CONSTRAINT tasks_pkey, ADD CONSTRAINT tasks_pkey PRIMARY KEY (organization_id, id);
ALTER TABLE teams DROP CONSTRAINT teams_pkey, ADD CONSTRAINT teams_pkey PRIMARY KEY (organization_id, id);
ALTER TABLE workflows DROP CONSTRAINT workflows_pkey, ADD CONSTRAINT workflows_pkey PRIMARY KEY (organization_id, id);
ALTER TABLE transition_rules DROP CONSTRAINT transition_rules_pkey, ADD CONSTRAINT transition_rules_pkey PRIMARY KEY (organization_id, id);
ALTER TABLE comments DROP CONSTRAINT comments_pkey, ADD CONSTRAINT comments_pkey PRIMARY KEY (organization_id, id);
ALTER TABLE audit_logs DROP CONSTRAINT audit_logs_pkey, ADD CONSTRAINT audit_logs_pkey PRIMARY KEY (organization_id, id);
ALTER TABLE outbox DROP CONSTRAINT outbox_pkey, ADD CONSTRAINT outbox_pkey PRIMARY KEY (organization_id, id);
ALTER TABLE invitations DROP CONSTRAINT invitations_pkey, ADD CONSTRAINT invitations_pkey PRIMARY KEY (organization_id, id);
ALTER TABLE departments DROP CONSTRAINT departments_pkey, ADD CONSTRAINT departments_pkey PRIMARY KEY (organization_id, id);

-- An invitation link names no organization: its token is looked up across them. 32 random
-- bytes need no uniqueness constraint, which a distributed table could not enforce anyway.
ALTER TABLE invitations DROP CONSTRAINT invitations_token_key;
CREATE INDEX invitations_token_idx ON invitations (token_hash);

ALTER TABLE comments ADD CONSTRAINT comments_task_fkey FOREIGN KEY (organization_id, task_id)
    REFERENCES tasks (organization_id, id) ON DELETE CASCADE;
ALTER TABLE task_ai_scores ADD CONSTRAINT task_ai_scores_task_fkey FOREIGN KEY (organization_id, task_id)
    REFERENCES tasks (organization_id, id) ON DELETE CASCADE;
ALTER TABLE tasks ADD CONSTRAINT tasks_team_fkey FOREIGN KEY (organization_id, team_id)
    REFERENCES teams (organization_id, id) ON DELETE SET NULL (team_id);
ALTER TABLE tasks ADD CONSTRAINT tasks_workflow_fkey FOREIGN KEY (organization_id, workflow_id)
    REFERENCES workflows (organization_id, id);
ALTER TABLE team_members ADD CONSTRAINT team_members_team_fkey FOREIGN KEY (organization_id, team_id)
    REFERENCES teams (organization_id, id) ON DELETE CASCADE;
ALTER TABLE transition_rules ADD CONSTRAINT transition_rules_workflow_fkey FOREIGN KEY (organization_id, workflow_id)
    REFERENCES workflows (organization_id, id) ON DELETE CASCADE;
ALTER TABLE invitations ADD CONSTRAINT invitations_team_fkey FOREIGN KEY (organization_id, team_id)
    REFERENCES teams (organization_id, id) ON DELETE SET NULL (team_id);
ALTER TABLE memberships ADD CONSTRAINT memberships_department_fkey FOREIGN KEY (organization_id, department_id)
    REFERENCES departments (organization_id, id) ON DELETE SET NULL (department_id);
-- @end
