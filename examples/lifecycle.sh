#!/usr/bin/env bash
# The whole life of a task against a running Switchyard server:
#   setup → users → team → task → assign → available transitions → transitions to the end
#   → comment → audit trail.
# Usage: examples/lifecycle.sh [BASE_URL]   (default http://127.0.0.1:8000)
# Needs curl and python3 (for reading JSON). Exits non-zero on the first unexpected answer.
set -euo pipefail
BASE="${1:-${SWITCHYARD_URL:-http://127.0.0.1:8000}}"
API="$BASE/api/v1"
SUFFIX="$(date +%s)$RANDOM"
SLUG="demo-$SUFFIX"
PASS="Lifecycle-Pass-42"

# call METHOD PATH EXPECTED_STATUS [JSON_BODY] — prints the body, fails on another status.
call() {
  local method=$1 path=$2 expected=$3 body=${4:-}
  local args=(-sS -X "$method" -o /tmp/switchyard-lifecycle.$$ -w '%{http_code}' -H 'content-type: application/json')
  [ -n "${TOKEN:-}" ] && args+=(-H "authorization: Bearer $TOKEN")
  [ -n "$body" ] && args+=(-d "$body")
  local status
  status=$(curl "${args[@]}" "$API$path")
  if [ "$status" != "$expected" ]; then
    echo "FAILED: $method $path answered $status, expected $expected:" >&2
    cat /tmp/switchyard-lifecycle.$$ >&2; echo >&2
    exit 1
  fi
  cat /tmp/switchyard-lifecycle.$$
}
# get FIELD.PATH — reads a field from JSON on stdin (dots and list indexes: a.b.0.c).
get() { python3 -c 'import json,sys
v=json.load(sys.stdin)
for k in sys.argv[1].split("."):
    v = v[int(k)] if isinstance(v, list) else v[k]
print(v if not isinstance(v,(dict,list)) else json.dumps(v))' "$1"; }
step() { printf '\n== %s\n' "$*"; }
trap 'rm -f /tmp/switchyard-lifecycle.$$' EXIT

step "1. Create an organization with one call (POST /setup/)"
TOKEN=""
SETUP=$(call POST /setup/ 201 "{\"org_name\": \"Lifecycle Demo $SUFFIX\", \"org_slug\": \"$SLUG\",
  \"admin_username\": \"admin_$SUFFIX\", \"admin_password\": \"$PASS\"}")
TOKEN=$(echo "$SETUP" | get tokens.access)
echo "organization $(echo "$SETUP" | get organization.slug), workflow '$(echo "$SETUP" | get workflow.name)'" \
     "with $(echo "$SETUP" | get workflow.transitions_created) rules"
ADMIN_TOKEN=$TOKEN

step "2. Create a manager and an engineer"
MANAGER_ID=$(call POST /users/ 201 "{\"username\": \"mgr_$SUFFIX\", \"password\": \"$PASS\", \"role\": \"manager\"}" | get id)
DEV_ID=$(call POST /users/ 201 "{\"username\": \"dev_$SUFFIX\", \"password\": \"$PASS\", \"role\": \"engineer\",
  \"skills\": [\"python\"], \"max_concurrent_tasks\": 3}" | get id)
echo "manager $MANAGER_ID, engineer $DEV_ID"

step "3. Create a team"
TEAM_ID=$(call POST /teams/ 201 "{\"name\": \"Backend\", \"lead\": \"$MANAGER_ID\", \"members\": [\"$DEV_ID\"]}" | get id)
echo "team $TEAM_ID"

step "4. The engineer logs in and creates a task"
DEV_TOKEN=$(TOKEN="" call POST /auth/login/ 200 "{\"username\": \"dev_$SUFFIX\", \"password\": \"$PASS\"}" | get access)
TOKEN=$DEV_TOKEN
TASK=$(call POST /tasks/ 201 "{\"title\": \"Fix login timeout\", \"description\": \"Sessions expire too early\",
  \"priority\": \"high\", \"task_type\": \"bug\", \"team\": \"$TEAM_ID\", \"tags\": [\"python\", \"auth\"]}")
TASK_ID=$(echo "$TASK" | get id)
echo "task $(echo "$TASK" | get task_key) in state '$(echo "$TASK" | get current_state)'"

step "5. Moving it before anyone is assigned is refused"
call POST "/tasks/$TASK_ID/transition/" 400 '{"to_state": "in_progress"}' | get detail

step "6. The manager assigns it"
MGR_TOKEN=$(TOKEN="" call POST /auth/login/ 200 "{\"username\": \"mgr_$SUFFIX\", \"password\": \"$PASS\"}" | get access)
TOKEN=$MGR_TOKEN
call POST "/tasks/$TASK_ID/assign/" 200 "{\"user_id\": \"$DEV_ID\", \"reason\": \"Owns the auth module\"}" | get assigned_to_detail.username

step "7. Where can the engineer move it?"
TOKEN=$DEV_TOKEN
call GET "/tasks/$TASK_ID/available-transitions/" 200 | get available_transitions

step "8. The engineer works it through the workflow"
for state in in_progress review testing; do
  call POST "/tasks/$TASK_ID/transition/" 200 "{\"to_state\": \"$state\", \"reason\": \"moving to $state\"}" | get current_state
done
echo "engineers may not close it:"
call POST "/tasks/$TASK_ID/transition/" 400 '{"to_state": "done"}' | get detail

step "9. The manager closes it"
TOKEN=$MGR_TOKEN
DONE=$(call POST "/tasks/$TASK_ID/transition/" 200 '{"to_state": "done", "reason": "Verified in staging"}')
echo "state $(echo "$DONE" | get current_state), resolved_at $(echo "$DONE" | get resolved_at)"

step "10. A comment"
TOKEN=$DEV_TOKEN
call POST /comments/ 201 "{\"task\": \"$TASK_ID\", \"content\": \"Root cause: token TTL misread as minutes.\"}" | get author_name

step "11. The audit trail, newest first"
TOKEN=$ADMIN_TOKEN
call GET "/audit-logs/?task=$TASK_ID" 200 | python3 -c 'import json,sys
for e in json.load(sys.stdin)["results"]:
    old, new = json.dumps(e["old_value"]), json.dumps(e["new_value"])
    print("%s  %-22s %-13s %s -> %s  %s" % (e["timestamp"], e["performed_by_name"], e["action"], old, new, e["reason"]))'

printf '\nLifecycle completed.\n'
