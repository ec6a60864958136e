-- Domain events written by each unit of work in the transaction of its change; the
-- background worker (next step) consumes them. No foreign key on the organization: an
-- organization's deletion is itself an event that must survive it.
CREATE TABLE outbox (
    id {uuid} PRIMARY KEY,
    organization_id {uuid} NOT NULL,
    kind VARCHAR(64) NOT NULL,
    payload {json} NOT NULL,
    actor_id {uuid},
    actor_name VARCHAR(150) NOT NULL DEFAULT '',
    created_at {ts} NOT NULL,
    processed_at {ts}
);
CREATE INDEX outbox_pending_idx ON outbox (created_at, id) WHERE processed_at IS NULL;

-- Optimistic concurrency: every updatable row carries a version that grows with each change
-- (tasks have had one since the first migration).
ALTER TABLE organizations ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE users ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE teams ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE workflows ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE transition_rules ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE comments ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
