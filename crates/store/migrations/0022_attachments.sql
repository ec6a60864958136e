-- Files attached to tasks. The bytes live in object storage under `storage_key`
-- (attachments/<organization>/<task>/<id>); this row is their metadata, deleted with the
-- task (the files under the task's prefix go with it, after the commit).
-- @postgres
CREATE TABLE task_attachments (
    organization_id UUID NOT NULL,
    id UUID NOT NULL,
    task_id UUID NOT NULL,
    file_name VARCHAR(255) NOT NULL,
    content_type VARCHAR(255) NOT NULL,
    size_bytes BIGINT NOT NULL,
    sha256 VARCHAR(64) NOT NULL,
    storage_key VARCHAR(512) NOT NULL,
    uploaded_by UUID REFERENCES users(id) ON DELETE SET NULL,
    uploaded_by_name VARCHAR(150) NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (organization_id, id),
    CONSTRAINT task_attachments_task_fkey FOREIGN KEY (organization_id, task_id)
        REFERENCES tasks (organization_id, id) ON DELETE CASCADE
);
-- @end
-- @sqlite
CREATE TABLE task_attachments (
    id {uuid} PRIMARY KEY,
    organization_id {uuid} NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    task_id {uuid} NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
    file_name VARCHAR(255) NOT NULL,
    content_type VARCHAR(255) NOT NULL,
    size_bytes BIGINT NOT NULL,
    sha256 VARCHAR(64) NOT NULL,
    storage_key VARCHAR(512) NOT NULL,
    uploaded_by {uuid} REFERENCES users(id) ON DELETE SET NULL,
    uploaded_by_name VARCHAR(150) NOT NULL,
    created_at {ts} NOT NULL
);
-- @end
CREATE INDEX task_attachments_task_idx ON task_attachments (organization_id, task_id, created_at);

-- What each organization's attachments take, checked against its quota by a
-- compare-and-set on every upload (so concurrent uploads cannot overshoot it).
CREATE TABLE organization_storage (
    organization_id {uuid} NOT NULL PRIMARY KEY REFERENCES organizations(id) ON DELETE CASCADE,
    used_bytes BIGINT NOT NULL DEFAULT 0,
    file_count BIGINT NOT NULL DEFAULT 0
);
