-- Projects: groups of an organization's tasks with their own members and a third access
-- layer. `visibility` 'private' (members only) or 'organization' (everyone reads);
-- organization admins and managers see every project. Money is kept in minor units with
-- its ISO 4217 code; a budget is an amount or a number of hours.
CREATE TABLE projects (
    id {uuid} PRIMARY KEY,
    organization_id {uuid} NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    project_key VARCHAR(10) NOT NULL,
    name VARCHAR(255) NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    status VARCHAR(20) NOT NULL,
    visibility VARCHAR(20) NOT NULL,
    lead_id {uuid} REFERENCES users(id) ON DELETE SET NULL,
    start_date {date},
    target_date {date},
    budget_amount BIGINT,
    budget_currency VARCHAR(3),
    budget_hours {float},
    hourly_rate_amount BIGINT,
    hourly_rate_currency VARCHAR(3),
    created_by {uuid} REFERENCES users(id) ON DELETE SET NULL,
    version BIGINT NOT NULL DEFAULT 1,
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL,
    CONSTRAINT projects_org_key_key UNIQUE (organization_id, project_key),
    CONSTRAINT projects_org_name_key UNIQUE (organization_id, name),
    CONSTRAINT projects_org_id_key UNIQUE (organization_id, id)
);

-- A person's role in a project: owner, editor or viewer.
CREATE TABLE project_members (
    organization_id {uuid} NOT NULL,
    project_id {uuid} NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    user_id {uuid} NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role VARCHAR(20) NOT NULL,
    created_at {ts} NOT NULL,
    PRIMARY KEY (project_id, user_id)
);
CREATE INDEX project_members_user_idx ON project_members (organization_id, user_id);

-- The project a deleted task was in: its audit history outlives it and stays hidden from
-- those who could not see the task (also once the project itself is gone).
CREATE TABLE deleted_task_projects (
    organization_id {uuid} NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    task_id {uuid} NOT NULL,
    project_id {uuid} NOT NULL,
    deleted_at {ts} NOT NULL,
    PRIMARY KEY (organization_id, task_id)
);
CREATE INDEX deleted_task_projects_project_idx ON deleted_task_projects (organization_id, project_id);

-- @postgres
-- Keys led by organization_id, as migration 18 made them for every tenant table.
ALTER TABLE project_members DROP CONSTRAINT project_members_project_id_fkey;
ALTER TABLE projects DROP CONSTRAINT projects_pkey, ADD CONSTRAINT projects_pkey PRIMARY KEY (organization_id, id);
ALTER TABLE project_members DROP CONSTRAINT project_members_pkey,
    ADD CONSTRAINT project_members_pkey PRIMARY KEY (organization_id, project_id, user_id);
ALTER TABLE project_members ADD CONSTRAINT project_members_project_org_fkey
    FOREIGN KEY (organization_id, project_id) REFERENCES projects (organization_id, id) ON DELETE CASCADE;
ALTER TABLE tasks ADD COLUMN project_id UUID;
ALTER TABLE tasks ADD CONSTRAINT tasks_project_fkey FOREIGN KEY (organization_id, project_id)
    REFERENCES projects (organization_id, id);
-- @end
-- @sqlite
ALTER TABLE tasks ADD COLUMN project_id {uuid} REFERENCES projects(id);
-- @end
-- People who follow and help with a task: they may edit it like its assignee, and hear
-- about it (notifications).
-- @postgres
CREATE TABLE task_collaborators (
    organization_id UUID NOT NULL,
    task_id UUID NOT NULL,
    user_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    added_by UUID,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (organization_id, task_id, user_id),
    CONSTRAINT task_collaborators_task_fkey FOREIGN KEY (organization_id, task_id)
        REFERENCES tasks (organization_id, id) ON DELETE CASCADE
);
-- @end
-- @sqlite
CREATE TABLE task_collaborators (
    organization_id {uuid} NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    task_id {uuid} NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
    user_id {uuid} NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    added_by {uuid},
    created_at {ts} NOT NULL,
    PRIMARY KEY (organization_id, task_id, user_id)
);
-- @end
CREATE INDEX task_collaborators_user_idx ON task_collaborators (organization_id, user_id);
-- `?project=` pages newest first from this index, and counts a project's tasks from it.
CREATE INDEX tasks_org_project_idx ON tasks (organization_id, project_id, created_at);
