#!/usr/bin/env bash
# Runs the load scenarios against a running server and, for the list and transition
# scenarios, pgbench with the same SQL against the same database: the database's own
# ceiling. Prints both tables and each scenario's share of its ceiling.
#
# Usage: bench/run.sh DATABASE_URL [SERVER_URL] [SERVER_PID]
#   DATABASE_URL  postgres://… of the database the server uses (seeded with seed-bench)
# Environment: CONCURRENCY (32), DURATION seconds (10), ORG slug (bench).
set -euo pipefail
db=$1 url=${2:-http://127.0.0.1:8000} pid=${3:-}
conc=${CONCURRENCY:-32} secs=${DURATION:-10} org_slug=${ORG:-bench}
here=$(cd "$(dirname "$0")" && pwd)
bin="$here/../target/release/switchyard-bench"
command -v pgbench >/dev/null || { echo "pgbench missing: apt-get install postgresql-contrib (or postgresql-client-*)"; exit 1; }

pid_args=()
[ -n "$pid" ] && pid_args=(--server-pid "$pid")
echo "## Server ($conc connections, ${secs}s per scenario)"
"$bin" --url "$url" --username "${org_slug}_admin" --concurrency "$conc" --duration "$secs" \
  --scenarios "${SCENARIOS:-list,search,detail,create,transition,assign,overview,nlq}" "${pid_args[@]}" | tee /tmp/switchyard-bench-server.md

q() { psql "$db" -tAc "$1"; }
org=$(q "SELECT id FROM organizations WHERE slug = '$org_slug'")
admin=$(q "SELECT id FROM users WHERE username = '${org_slug}_admin'")
workflow=$(q "SELECT id FROM workflows WHERE organization_id = '$org' AND is_default")
# One open, assigned task per pgbench client, as the server scenario gives each worker.
q "DROP TABLE IF EXISTS bench_ids; CREATE TABLE bench_ids AS
   SELECT (row_number() OVER (ORDER BY id))::int AS n, id FROM tasks WHERE organization_id = '$org' LIMIT 10000;
   CREATE UNIQUE INDEX ON bench_ids (n)" >/dev/null
q "DROP TABLE IF EXISTS bench_tasks; CREATE TABLE bench_tasks AS
   SELECT (row_number() OVER (ORDER BY id) - 1)::int AS client_id, id AS task_id FROM tasks
   WHERE organization_id = '$org' AND assigned_to IS NOT NULL AND resolved_at IS NULL LIMIT $conc" >/dev/null
echo
echo "## Database ceiling (pgbench, same SQL, $conc clients, ${secs}s)"
echo "| script | transactions/s | mean latency ms |"
echo "|---|---|---|"
for script in list detail create transition; do
  out=$(pgbench "$db" -n -c "$conc" -j 2 -T "$secs" -f "$here/pgbench/$script.sql" \
          -D org="'$org'" -D admin="'$admin'" -D workflow="'$workflow'" -D jti="'00000000-0000-0000-0000-000000000000'" 2>&1)
  tps=$(echo "$out" | sed -n 's/^tps = \([0-9.]*\).*/\1/p' | tail -1)
  lat=$(echo "$out" | sed -n 's/^latency average = \([0-9.]*\).*/\1/p')
  echo "| $script | $tps | $lat |"
  srv=$(grep "^| $script |" /tmp/switchyard-bench-server.md | awk -F'|' '{print $5}' | tr -d ' ' || true)
  [ -n "$srv" ] && echo "  → server $script: $srv req/s = $(python3 -c "print(f'{$srv / $tps * 100:.0f}')")% of the ceiling" >&2
done
q "DROP TABLE IF EXISTS bench_tasks; DROP TABLE IF EXISTS bench_ids" >/dev/null
