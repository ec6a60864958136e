-- The audit log's hash chain (see store/src/audit_chain.rs): each entry's place in its
-- organization's chain, the chain's head (locked by every append, which serialises one
-- organization's appends), and signed checkpoints that make truncation detectable.
-- Existing entries are chained by the next migration, in Rust.
ALTER TABLE audit_logs ADD COLUMN seq BIGINT;
ALTER TABLE audit_logs ADD COLUMN prev_hash VARCHAR(64);
ALTER TABLE audit_logs ADD COLUMN hash VARCHAR(64);
CREATE UNIQUE INDEX audit_logs_org_seq_idx ON audit_logs (organization_id, seq);

CREATE TABLE audit_chain_heads (
    organization_id {uuid} NOT NULL PRIMARY KEY REFERENCES organizations(id) ON DELETE CASCADE,
    seq BIGINT NOT NULL,
    hash VARCHAR(64) NOT NULL,
    -- The hash before the last append (what PostgreSQL's one-statement append returns).
    prev_hash VARCHAR(64)
);

-- HMAC-SHA256 over (organization, seq, hash, signed_at) with a key kept outside the database.
CREATE TABLE audit_checkpoints (
    organization_id {uuid} NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    seq BIGINT NOT NULL,
    hash VARCHAR(64) NOT NULL,
    signed_at {ts} NOT NULL,
    signature VARCHAR(64) NOT NULL,
    PRIMARY KEY (organization_id, seq)
);
