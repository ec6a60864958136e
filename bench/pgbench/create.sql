-- POST /api/v1/tasks/ as the server runs it: caller lookup, then in one transaction the
-- organization (with its counts), the default workflow, the next task number, the insert,
-- its audit entry, and the detail read back.
SELECT u.id, u.username, u.is_active, m.role, o.allowed_roles, (SELECT COUNT(*) FROM revoked_tokens r WHERE r.jti = :jti) AS revoked FROM users u LEFT JOIN memberships m ON m.user_id = u.id AND m.organization_id = :org LEFT JOIN organizations o ON o.id = m.organization_id WHERE u.id = :admin;
BEGIN;
SELECT o.id, o.name, o.slug, o.allowed_roles, o.allowed_priorities, o.allowed_task_types, o.created_at, o.updated_at, (SELECT COUNT(*) FROM memberships m WHERE m.organization_id = o.id) AS member_count, (SELECT COUNT(*) FROM teams t WHERE t.organization_id = o.id) AS team_count FROM organizations o WHERE o.id = :org;
SELECT id, organization_id, name, is_default, allowed_states, initial_state, final_states, created_at, updated_at FROM workflows WHERE organization_id = :org AND is_default = true;
UPDATE organizations SET task_seq = task_seq + 1 WHERE id = :org RETURNING task_seq \gset
INSERT INTO tasks (id, organization_id, task_key, title, description, workflow_id, current_state, priority, task_type, tags, team_id, assigned_to, created_by, due_date, sla_breached, resolved_at, created_at, updated_at) VALUES (gen_random_uuid(), :org, 'BENC-' || :task_seq, 'pgbench task', '', :workflow, 'open', 'medium', 'task', '[]', NULL, NULL, :admin, NULL, false, NULL, now(), now());
INSERT INTO audit_logs (id, organization_id, task_id, task_key, action, performed_by, performed_by_name, old_value, new_value, reason, timestamp) VALUES (gen_random_uuid(), :org, NULL, 'BENC-' || :task_seq, 'created', :admin, 'bench_admin', NULL, '{"title": "pgbench task"}', '', now());
SELECT t.id, t.task_key, t.title FROM tasks t LEFT JOIN task_ai_scores ai ON ai.organization_id = t.organization_id AND ai.task_id = t.id WHERE t.organization_id = :org AND t.task_key = 'BENC-' || :task_seq;
SELECT u.id, u.username FROM users u JOIN memberships m ON m.user_id = u.id AND m.organization_id = :org WHERE u.id IN (:admin);
SELECT id FROM comments WHERE organization_id = :org AND task_id IS NULL ORDER BY created_at, id;
COMMIT;
