#!/usr/bin/env bash
# A rule that tags invoices over an amount and notifies the team, a document it acts on, the
# run it made, and a dry run of the rule on the same document.
set -euo pipefail
FOLIO_URL=${FOLIO_URL:-http://127.0.0.1:8000}
AUTH="Authorization: Bearer $FOLIO_API_KEY"
FILE=${1:-invoice.pdf}
JSON="Content-Type: application/json"

# the tag the rule sets (rules refuse tags that do not exist: 422)
curl -sSf -H "$AUTH" -H "$JSON" -d '{"name": "to-pay", "color": "#d97706"}' \
  "$FOLIO_URL/api/v1/tags" | jq -c '{id, name, color}'

RULE=$(curl -sSf -H "$AUTH" -H "$JSON" "$FOLIO_URL/api/v1/automations" -d '{
  "name": "Invoices to pay",
  "trigger": {"type": "document.classified", "document_types": ["invoice"]},
  "conditions": {"kind": "all", "conditions": [
    {"kind": "entity", "type": "money", "op": ">", "amount": 4}
  ]},
  "actions": [
    {"kind": "add_tags", "tags": ["to-pay"]},
    {"kind": "notify", "title": "An invoice to pay"}
  ]
}' | jq -r .id)
echo "rule $RULE"

DOC=$(curl -sSf -H "$AUTH" -F "file=@$FILE" "$FOLIO_URL/api/v1/documents" | jq -r .id)
curl -sSf -o /dev/null -H "$AUTH" "$FOLIO_URL/api/v1/documents/$DOC?wait=60"

# the rule runs in the background once the document is classified: its run log says how
for _ in $(seq 30); do
  curl -sSf -H "$AUTH" "$FOLIO_URL/api/v1/automations/$RULE/runs" \
    | jq -e '.items[0].status == "succeeded"' > /dev/null && break
  sleep 1
done
curl -sSf -H "$AUTH" "$FOLIO_URL/api/v1/automations/$RULE/runs" \
  | jq '.items[0] | {status, matched, steps: [.steps[] | {kind, status, duration_ms}]}'
curl -sSf -H "$AUTH" "$FOLIO_URL/api/v1/documents/$DOC" | jq -c '{id, tags}'

# a dry run changes nothing: which conditions match, which actions would run
curl -sSf -H "$AUTH" -H "$JSON" -d "{\"document_id\": \"$DOC\"}" \
  "$FOLIO_URL/api/v1/automations/$RULE/test" | jq '{matched, would_run, actions}'
