-- Switchyard schema, written once for both backends.
-- {uuid} {ts} {json} {bool} {float} are replaced per backend by migrate.rs;
-- blocks between "-- @postgres" and "-- @end" run on PostgreSQL only.

CREATE TABLE organizations (
    id {uuid} PRIMARY KEY,
    name VARCHAR(255) NOT NULL,
    slug VARCHAR(50) NOT NULL,
    allowed_roles {json} NOT NULL,
    allowed_priorities {json} NOT NULL,
    allowed_task_types {json} NOT NULL,
    task_seq BIGINT NOT NULL DEFAULT 0,
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL,
    CONSTRAINT organizations_slug_key UNIQUE (slug)
);

CREATE TABLE users (
    id {uuid} PRIMARY KEY,
    username VARCHAR(150) NOT NULL,
    email VARCHAR(254) NOT NULL DEFAULT '',
    password_hash TEXT NOT NULL,
    is_active {bool} NOT NULL DEFAULT TRUE,
    is_superuser {bool} NOT NULL DEFAULT FALSE,
    skills {json} NOT NULL,
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL,
    CONSTRAINT users_username_key UNIQUE (username)
);

-- A person's place in an organization; one person may belong to several.
CREATE TABLE memberships (
    organization_id {uuid} NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    user_id {uuid} NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role VARCHAR(255) NOT NULL,
    max_concurrent_tasks INTEGER NOT NULL DEFAULT 5,
    created_at {ts} NOT NULL,
    PRIMARY KEY (organization_id, user_id)
);
CREATE INDEX memberships_user_idx ON memberships (user_id, created_at);

CREATE TABLE teams (
    id {uuid} PRIMARY KEY,
    organization_id {uuid} NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    name VARCHAR(255) NOT NULL,
    lead_id {uuid} REFERENCES users(id) ON DELETE SET NULL,
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL,
    CONSTRAINT teams_org_name_key UNIQUE (organization_id, name)
);

CREATE TABLE team_members (
    organization_id {uuid} NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    team_id {uuid} NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    user_id {uuid} NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    PRIMARY KEY (organization_id, team_id, user_id)
);
CREATE INDEX team_members_user_idx ON team_members (organization_id, user_id);

CREATE TABLE workflows (
    id {uuid} PRIMARY KEY,
    organization_id {uuid} NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    name VARCHAR(255) NOT NULL,
    is_default {bool} NOT NULL DEFAULT FALSE,
    allowed_states {json} NOT NULL,
    initial_state VARCHAR(255) NOT NULL,
    final_states {json} NOT NULL,
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL,
    CONSTRAINT workflows_org_name_key UNIQUE (organization_id, name)
);
CREATE UNIQUE INDEX workflows_one_default_idx ON workflows (organization_id) WHERE is_default;

CREATE TABLE transition_rules (
    id {uuid} PRIMARY KEY,
    organization_id {uuid} NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    workflow_id {uuid} NOT NULL REFERENCES workflows(id) ON DELETE CASCADE,
    from_state VARCHAR(255) NOT NULL,
    to_state VARCHAR(255) NOT NULL,
    allowed_roles {json} NOT NULL,
    created_at {ts} NOT NULL,
    CONSTRAINT transition_rules_unique_key UNIQUE (organization_id, workflow_id, from_state, to_state)
);

CREATE TABLE tasks (
    id {uuid} PRIMARY KEY,
    organization_id {uuid} NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    task_key VARCHAR(32) NOT NULL,
    title VARCHAR(500) NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    workflow_id {uuid} NOT NULL REFERENCES workflows(id),
    current_state VARCHAR(255) NOT NULL,
    priority VARCHAR(255) NOT NULL,
    task_type VARCHAR(255) NOT NULL,
    tags {json} NOT NULL,
    team_id {uuid} REFERENCES teams(id) ON DELETE SET NULL,
    assigned_to {uuid} REFERENCES users(id) ON DELETE SET NULL,
    created_by {uuid} REFERENCES users(id) ON DELETE SET NULL,
    due_date {ts},
    sla_breached {bool} NOT NULL DEFAULT FALSE,
    version BIGINT NOT NULL DEFAULT 1,
    -- Set exactly while the task is in a final state of its workflow: "active" is
    -- resolved_at IS NULL, portable and indexable.
    resolved_at {ts},
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL,
    CONSTRAINT tasks_org_key_key UNIQUE (organization_id, task_key)
);
-- The list endpoint filters by one column and orders by created_at (id breaks ties).
CREATE INDEX tasks_org_created_idx ON tasks (organization_id, created_at, id);
CREATE INDEX tasks_org_state_created_idx ON tasks (organization_id, current_state, created_at, id);
CREATE INDEX tasks_org_priority_created_idx ON tasks (organization_id, priority, created_at, id);
CREATE INDEX tasks_org_type_created_idx ON tasks (organization_id, task_type, created_at, id);
CREATE INDEX tasks_org_team_created_idx ON tasks (organization_id, team_id, created_at, id);
CREATE INDEX tasks_org_assignee_created_idx ON tasks (organization_id, assigned_to, created_at, id);
CREATE INDEX tasks_org_workflow_state_idx ON tasks (organization_id, workflow_id, current_state);
-- Workload (active tasks per assignee) and the SLA sweep (active tasks by due date).
CREATE INDEX tasks_org_assignee_active_idx ON tasks (organization_id, assigned_to, resolved_at);
CREATE INDEX tasks_org_due_idx ON tasks (organization_id, due_date);

-- Derived AI figures, kept apart from tasks so rescoring every task does not rewrite task
-- rows and all their indexes.
CREATE TABLE task_ai_scores (
    organization_id {uuid} NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    task_id {uuid} NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
    priority_score {float} NOT NULL,
    estimated_hours {float} NOT NULL,
    scored_at {ts} NOT NULL,
    PRIMARY KEY (organization_id, task_id)
);
CREATE INDEX task_ai_scores_org_score_idx ON task_ai_scores (organization_id, priority_score);

CREATE TABLE comments (
    id {uuid} PRIMARY KEY,
    organization_id {uuid} NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    task_id {uuid} NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
    author_id {uuid} REFERENCES users(id) ON DELETE SET NULL,
    -- Kept so a comment still names its author after the account is deleted.
    author_name VARCHAR(150) NOT NULL,
    content TEXT NOT NULL,
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL
);
CREATE INDEX comments_org_task_created_idx ON comments (organization_id, task_id, created_at);
CREATE INDEX comments_org_created_idx ON comments (organization_id, created_at);

-- Append-only. No foreign keys to tasks or users: entries outlive both.
CREATE TABLE audit_logs (
    id {uuid} PRIMARY KEY,
    organization_id {uuid} NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    task_id {uuid},
    task_key VARCHAR(32) NOT NULL DEFAULT '',
    action VARCHAR(32) NOT NULL,
    performed_by {uuid},
    performed_by_name VARCHAR(150) NOT NULL DEFAULT '',
    old_value {json},
    new_value {json},
    reason TEXT NOT NULL DEFAULT '',
    timestamp {ts} NOT NULL
);
CREATE INDEX audit_logs_org_time_idx ON audit_logs (organization_id, timestamp);
CREATE INDEX audit_logs_org_task_time_idx ON audit_logs (organization_id, task_id, timestamp);
CREATE INDEX audit_logs_org_action_time_idx ON audit_logs (organization_id, action, timestamp);
CREATE INDEX audit_logs_org_actor_time_idx ON audit_logs (organization_id, performed_by, timestamp);

-- Refresh tokens handed out; rotation and logout put their ids in revoked_tokens.
CREATE TABLE issued_tokens (
    jti {uuid} PRIMARY KEY,
    user_id {uuid} NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    organization_id {uuid} REFERENCES organizations(id) ON DELETE CASCADE,
    expires_at {ts} NOT NULL,
    created_at {ts} NOT NULL
);
CREATE INDEX issued_tokens_user_idx ON issued_tokens (user_id);

CREATE TABLE revoked_tokens (
    jti {uuid} PRIMARY KEY,
    expires_at {ts} NOT NULL,
    revoked_at {ts} NOT NULL
);
CREATE INDEX revoked_tokens_expiry_idx ON revoked_tokens (expires_at);

-- Failed logins per account, for the brute-force limit shared by every instance.
CREATE TABLE login_failures (
    id {uuid} PRIMARY KEY,
    username VARCHAR(150) NOT NULL,
    failed_at {ts} NOT NULL
);
CREATE INDEX login_failures_user_time_idx ON login_failures (username, failed_at);

-- @postgres
CREATE FUNCTION audit_logs_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Entries go only when their whole organization is deleted (cascade).
    IF TG_OP = 'DELETE' AND NOT EXISTS (SELECT 1 FROM organizations WHERE id = OLD.organization_id) THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'audit_logs is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER audit_logs_append_only BEFORE UPDATE OR DELETE ON audit_logs
    FOR EACH ROW EXECUTE FUNCTION audit_logs_append_only();
-- @end
