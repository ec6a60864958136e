-- Task search (`LOWER(col) LIKE '%term%'` over title, description and key) on PostgreSQL:
-- trigram GIN indexes, leading with organization_id (btree_gin). Both extensions are
-- "trusted", so a database owner may create them. SQLite scans; it has no equivalent
-- index for infix LIKE.
-- @postgres
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS btree_gin;
CREATE INDEX tasks_search_title_idx ON tasks USING gin (organization_id, LOWER(title) gin_trgm_ops);
CREATE INDEX tasks_search_description_idx ON tasks USING gin (organization_id, LOWER(description) gin_trgm_ops);
CREATE INDEX tasks_search_key_idx ON tasks USING gin (organization_id, LOWER(task_key) gin_trgm_ops);
-- @end
