-- Departments: an organization's units with a head. A member is in at most one department,
-- so the link lives on the membership (adding someone to another department moves them).
CREATE TABLE departments (
    id {uuid} PRIMARY KEY,
    organization_id {uuid} NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    name VARCHAR(255) NOT NULL,
    head_id {uuid} REFERENCES users(id) ON DELETE SET NULL,
    version BIGINT NOT NULL DEFAULT 1,
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL,
    CONSTRAINT departments_org_name_key UNIQUE (organization_id, name)
);

ALTER TABLE memberships ADD COLUMN department_id {uuid} REFERENCES departments(id) ON DELETE SET NULL;
CREATE INDEX memberships_department_idx ON memberships (organization_id, department_id);
