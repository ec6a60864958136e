-- Profile pictures live in object storage; the account keeps the key of the current one
-- (a new key per upload, so caches never serve a stale picture under a new ETag).
ALTER TABLE users ADD COLUMN avatar_key VARCHAR(255);
