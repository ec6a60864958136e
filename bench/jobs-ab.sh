#!/usr/bin/env bash
# A/B of the job queue (switchyard-bench-jobs) between two revisions in one run: builds both
# in release (one shared target dir), then alternates them for two rounds of SQLite 1x2,
# PostgreSQL 1x2 and PostgreSQL 2x2 (instances x workers).
#
# Usage: bench/jobs-ab.sh REV_A REV_B
# Environment: AB_TARGET (a cargo target dir to reuse; default a fresh one).
set -euo pipefail
a=$1 b=$2
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
target=${AB_TARGET:-$work/target}
pg=${PG:-postgres://postgres@127.0.0.1:5432}
for v in a b; do
  rev=${!v}
  git -C "$repo" worktree add -q --detach "$work/$v" "$rev"
  (cd "$work/$v" && CARGO_TARGET_DIR="$target" cargo build --release -q -p switchyard-bench --bin switchyard-bench-jobs)
  cp "$target/release/switchyard-bench-jobs" "$work/jobs-$v"
  git -C "$repo" worktree remove --force "$work/$v"
done
for round in 1 2; do
  for v in a b; do
    echo "### round $round: $v (${!v})"
    rm -f /tmp/jobs-ab.db*
    "$work/jobs-$v" --database-url "sqlite:///tmp/jobs-ab.db?mode=rwc" --instances 1 --workers 2 2>&1 | tail -4
    for inst in 1 2; do
      psql "$pg/postgres" -qc "DROP DATABASE IF EXISTS sy_jobs_ab WITH (FORCE)" -c "CREATE DATABASE sy_jobs_ab"
      "$work/jobs-$v" --database-url "$pg/sy_jobs_ab?sslmode=disable" --instances $inst --workers 2 2>&1 | tail -4
    done
  done
done
psql "$pg/postgres" -qc "DROP DATABASE IF EXISTS sy_jobs_ab WITH (FORCE)"
