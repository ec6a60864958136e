-- Background work: a job queue of our own, in the same database, so a job is enqueued in the
-- transaction of the change that causes it. A claim is a lease (owner + expiry): a worker that
-- dies leaves a lease that expires, and another worker takes the job. Jobs that run out of
-- attempts are kept as 'dead' (listed, retryable), never dropped.
CREATE TABLE jobs (
    id {uuid} PRIMARY KEY,
    organization_id {uuid},
    kind VARCHAR(64) NOT NULL,
    payload {json} NOT NULL,
    state VARCHAR(16) NOT NULL,
    run_at {ts} NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL,
    lease_owner VARCHAR(100),
    lease_expires_at {ts},
    last_error TEXT,
    dedupe_key VARCHAR(255),
    created_at {ts} NOT NULL,
    started_at {ts},
    finished_at {ts},
    CONSTRAINT jobs_dedupe_key_key UNIQUE (dedupe_key)
);
CREATE INDEX jobs_pending_idx ON jobs (run_at) WHERE state = 'pending';
CREATE INDEX jobs_running_idx ON jobs (lease_expires_at) WHERE state = 'running';
CREATE INDEX jobs_state_kind_idx ON jobs (state, kind, created_at);
CREATE INDEX jobs_org_idx ON jobs (organization_id, created_at);

-- One row per schedule tick that was enqueued: the primary key makes each tick run once
-- across every instance.
CREATE TABLE schedule_ticks (
    schedule VARCHAR(64) NOT NULL,
    tick {ts} NOT NULL,
    PRIMARY KEY (schedule, tick)
);
