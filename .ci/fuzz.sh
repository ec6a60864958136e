#!/usr/bin/env bash
# Fuzzes a freshly started server with schemathesis against its own OpenAPI document,
# authenticated as an organization admin: zero server errors, zero responses that break
# the documented schema. Usage: .ci/fuzz.sh LABEL DATABASE_URL PORT
set -euo pipefail
label=$1 url=$2 port=$3
root=$(cd "$(dirname "$0")/.." && pwd)
dir=$(mktemp -d)
(cd "$dir" && SWITCHYARD_RATE_LIMIT_PER_ADDRESS=0 SWITCHYARD_SLA_INTERVAL=0 RUST_LOG=warn \
   SWITCHYARD_JWT_SECRET="fuzz-secret-fuzz-secret-fuzz-secret-42" DATABASE_URL="$url" \
   exec "$root/target/debug/switchyard" serve --addr "127.0.0.1:$port" >"$dir/server.log" 2>&1) &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -rf "$dir"' EXIT
for _ in $(seq 1 60); do curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null && break; sleep 0.5; done
token=$(curl -sf -X POST "http://127.0.0.1:$port/api/v1/setup/" -H 'content-type: application/json' \
  -d '{"org_name":"Fuzz","org_slug":"fuzz","admin_username":"fuzz_admin","admin_password":"Fuzz-Password-42"}' \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["tokens"]["access"])')
# Deleting the organization is allowed for its admin, and would end the run's credentials.
"$root/.venv/bin/schemathesis" run "http://127.0.0.1:$port/api/v1/openapi.json" \
  -H "Authorization: Bearer $token" \
  --checks not_a_server_error,response_schema_conformance \
  --exclude-operation-id delete_api_v1_organizations_id \
  --phases examples,coverage,fuzzing --max-examples "${FUZZ_EXAMPLES:-25}" \
  --generation-deterministic --no-color >"$dir/schemathesis.log" 2>&1 || {
    echo "schemathesis on $label FAILED"; cat "$dir/schemathesis.log"; tail -30 "$dir/server.log"; exit 1; }
grep -E "generated|Tested:|Selected:" "$dir/schemathesis.log" | sed "s/^/  $label: /"
# The admin's token must have lived through the run, or later operations were untested.
curl -sf "http://127.0.0.1:$port/api/v1/users/me/" -H "authorization: Bearer $token" >/dev/null \
  || { echo "the admin token died during the $label run"; exit 1; }
echo "schemathesis on $label: ok"
