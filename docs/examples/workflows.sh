#!/usr/bin/env bash
# An approval workflow: a review by the team's admins, then the document is classified.
set -euo pipefail
FOLIO_URL=${FOLIO_URL:-http://127.0.0.1:8000}
AUTH="Authorization: Bearer $FOLIO_API_KEY"
JSON="Content-Type: application/json"

workflow=$(curl -sSf -H "$AUTH" -H "$JSON" "$FOLIO_URL/api/v1/workflows" -d '{
  "name": "Invoice approval",
  "steps": [
    {"name": "Approve", "kind": "approve", "assignee": {"role": "admin"},
     "due_in": "P2D", "remind_every": "PT12H"},
    {"name": "Classify", "kind": "set_classification", "document_type": "invoice"}
  ]}' | jq -r .id)
document=$(curl -sSf -H "$AUTH" -F "file=@$1" "$FOLIO_URL/api/v1/documents" | jq -r .id)
# classifying waits for processing to end (it would replace the type otherwise)
curl -sSf -H "$AUTH" "$FOLIO_URL/api/v1/documents/$document?wait=60" | jq -r '"document \(.status)"'

instance=$(curl -sSf -H "$AUTH" -H "$JSON" "$FOLIO_URL/api/v1/workflows/$workflow/instances" \
  -d "{\"document_id\": \"$document\"}")
echo "started $(jq -r .id <<<"$instance") at step $(jq -r .current_step_name <<<"$instance")"

# my tasks: assigned to me or to a role I hold
task=$(curl -sSf -H "$AUTH" "$FOLIO_URL/api/v1/workflows/tasks" | jq -r '.items[0].id')
curl -sSf -H "$AUTH" -H "$JSON" "$FOLIO_URL/api/v1/workflows/tasks/$task/approve" \
  -d '{"comment": "Amounts match the order"}' | jq '{state, tasks: [.tasks[].state]}'
curl -sSf -H "$AUTH" "$FOLIO_URL/api/v1/workflows/instances/$(jq -r .id <<<"$instance")/history" \
  | jq -r '.items[].kind' | paste -sd ' '
