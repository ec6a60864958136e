-- Two-factor sign-in (TOTP, RFC 6238). The secret is sealed (XChaCha20-Poly1305) with a key
-- from configuration; recovery codes are kept as SHA-256 hashes, each usable once.
CREATE TABLE user_two_factor (
    user_id {uuid} PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    secret_sealed TEXT NOT NULL,
    -- NULL while enrolling (set up, not yet confirmed with a code).
    enabled_at {ts},
    -- The newest 30-second step whose code was accepted: a code works once.
    last_step BIGINT NOT NULL DEFAULT 0,
    created_at {ts} NOT NULL
);

CREATE TABLE two_factor_recovery_codes (
    user_id {uuid} NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    code_hash VARCHAR(64) NOT NULL,
    used_at {ts},
    PRIMARY KEY (user_id, code_hash)
);

-- Members of an organization that requires it must turn two-factor sign-in on to act in it.
ALTER TABLE organizations ADD COLUMN require_two_factor {bool} NOT NULL DEFAULT FALSE;
