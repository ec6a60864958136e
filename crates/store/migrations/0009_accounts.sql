-- Account lifecycle: sessions that can all be ended at once, memberships that can be
-- deactivated, invitations and single-use emailed tokens (password reset).

-- Grows when every token of the account must stop working (password change or reset):
-- tokens carry the value they were issued under and are refused once it moved on.
ALTER TABLE users ADD COLUMN session_epoch BIGINT NOT NULL DEFAULT 0;

-- A deactivated member keeps their history but cannot act in the organization.
ALTER TABLE memberships ADD COLUMN deactivated_at {ts};

-- An invitation to join an organization. Only the SHA-256 of the emailed token is kept;
-- 'expired' is derived from expires_at while the row still says 'pending'.
CREATE TABLE invitations (
    id {uuid} PRIMARY KEY,
    organization_id {uuid} NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    email VARCHAR(254) NOT NULL,
    role VARCHAR(255) NOT NULL,
    team_id {uuid} REFERENCES teams(id) ON DELETE SET NULL,
    token_hash VARCHAR(64) NOT NULL,
    status VARCHAR(16) NOT NULL,
    invited_by {uuid} REFERENCES users(id) ON DELETE SET NULL,
    invited_by_name VARCHAR(150) NOT NULL,
    accepted_by {uuid} REFERENCES users(id) ON DELETE SET NULL,
    expires_at {ts} NOT NULL,
    sent_count INTEGER NOT NULL DEFAULT 1,
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL,
    CONSTRAINT invitations_token_key UNIQUE (token_hash)
);
CREATE INDEX invitations_org_created_idx ON invitations (organization_id, created_at, id);
-- One open invitation per address and organization (emails are stored lower-cased).
CREATE UNIQUE INDEX invitations_one_pending_idx ON invitations (organization_id, email) WHERE status = 'pending';

-- Single-use secrets emailed to an account (password reset); only their SHA-256 is kept.
CREATE TABLE account_tokens (
    token_hash VARCHAR(64) PRIMARY KEY,
    user_id {uuid} NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    purpose VARCHAR(32) NOT NULL,
    expires_at {ts} NOT NULL,
    used_at {ts},
    created_at {ts} NOT NULL
);
CREATE INDEX account_tokens_user_idx ON account_tokens (user_id, purpose);
CREATE INDEX account_tokens_expiry_idx ON account_tokens (expires_at);
