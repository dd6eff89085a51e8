#!/usr/bin/env bash
# Register a webhook endpoint, run the receiver beside it and send it a signed test event.
set -euo pipefail
FOLIO_URL=${FOLIO_URL:-http://127.0.0.1:8000}
AUTH="Authorization: Bearer $FOLIO_API_KEY"
PORT=${1:-8081}

# the signing secret is in this answer only: keep it
CREATED=$(curl -sSf -H "$AUTH" -H "Content-Type: application/json" \
  -d "{\"url\": \"http://127.0.0.1:$PORT/folio\", \"event_types\": [\"document.*\", \"batch.completed\"]}" \
  "$FOLIO_URL/api/v1/webhooks")
WEBHOOK=$(echo "$CREATED" | jq -r .id)
export WEBHOOK_SECRET=$(echo "$CREATED" | jq -r .secret)
echo "registered $WEBHOOK"

python3 "$(dirname "$0")/webhook_receiver.py" "$PORT" &
trap 'kill $!' EXIT
sleep 1

curl -sSf -X POST -H "$AUTH" "$FOLIO_URL/api/v1/webhooks/$WEBHOOK/test" | jq '{ok, status_code}'
# every attempt is logged, with the response Folio got
curl -sSf -H "$AUTH" "$FOLIO_URL/api/v1/webhooks/$WEBHOOK/deliveries" \
  | jq '.items[0] | {event_type, status, response_status}'
