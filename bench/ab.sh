#!/usr/bin/env bash
# A/B in one run: builds two revisions (release, one shared target dir), seeds one PostgreSQL
# database for each with the same seed-bench data, then alternates the two servers for
# ROUNDS rounds of the chosen scenarios, so the machine's drift hits both alike.
#
# Usage: bench/ab.sh REV_A REV_B
# Environment: PG (postgres://postgres@127.0.0.1:5432), TASKS (100000), ROUNDS (4),
#   AB_TARGET (a cargo target dir to reuse; default a fresh one, i.e. a full build),
#   SCENARIOS (create,transition), DURATION seconds (8), CONCURRENCY (32).
set -euo pipefail
a=$1 b=$2
pg=${PG:-postgres://postgres@127.0.0.1:5432}
tasks=${TASKS:-100000} rounds=${ROUNDS:-4} scenarios=${SCENARIOS:-create,transition}
secs=${DURATION:-8} conc=${CONCURRENCY:-32}
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
target=${AB_TARGET:-$work/target}
export SWITCHYARD_JWT_SECRET=bench-secret-bench-secret-bench-secret-42
trap 'for v in a b; do git -C "$repo" worktree remove --force "$work/$v" 2>/dev/null || true; done' EXIT

for v in a b; do
  rev=${!v}
  echo "building $v = $rev" >&2
  git -C "$repo" worktree add -q --detach "$work/$v" "$rev"
  (cd "$work/$v" && CARGO_TARGET_DIR="$target" cargo build --release -q -p switchyard -p switchyard-bench)
  cp "$target/release/switchyard" "$work/switchyard-$v"
  cp "$target/release/switchyard-bench" "$work/switchyard-bench"
  db="sy_ab_$v"
  psql "$pg/postgres" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db"
  "$work/switchyard-$v" seed-bench --database-url "$pg/$db?sslmode=disable" --org bench \
    --tasks "$tasks" --users 100 >/dev/null 2>&1
done

port=8301
for round in $(seq 1 "$rounds"); do
  for v in a b; do
    SWITCHYARD_SLA_INTERVAL=0 SWITCHYARD_RATE_LIMIT_PER_ADDRESS=0 RUST_LOG=warn \
      "$work/switchyard-$v" serve --addr "127.0.0.1:$port" \
      --database-url "$pg/sy_ab_$v?sslmode=disable" >"$work/server-$v.log" 2>&1 &
    pid=$!
    for _ in $(seq 1 60); do curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null && break; sleep 0.5; done
    echo "### round $round: $v (${!v})"
    "$work/switchyard-bench" --url "http://127.0.0.1:$port" --concurrency "$conc" \
      --duration "$secs" --scenarios "$scenarios" --server-pid "$pid" | grep -E '^\| [a-z]'
    kill "$pid"; wait "$pid" 2>/dev/null || true
    port=$((port + 1))
  done
done
for v in a b; do psql "$pg/postgres" -qc "DROP DATABASE IF EXISTS sy_ab_$v WITH (FORCE)"; done
