#!/usr/bin/env bash
# Register a webhook endpoint, run the receiver beside it, send it a signed test event, then
# upload a document and watch its events arrive.
set -euo pipefail
FOLIO_URL=${FOLIO_URL:-http://127.0.0.1:8000}
AUTH="Authorization: Bearer $FOLIO_API_KEY"
PORT=${1:-8081}
FILE=${2:-invoice.pdf}

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

# a real event: the receiver prints each event as it verifies it
DOC=$(curl -sSf -H "$AUTH" -F "file=@$FILE" "$FOLIO_URL/api/v1/documents" | jq -r .id)
curl -sSf -o /dev/null -H "$AUTH" "$FOLIO_URL/api/v1/documents/$DOC?wait=60"

# every delivery is logged with its attempts, status code and an excerpt of the response
processed='[.items[] | select(.event_type == "document.processed" and .status == "succeeded")]'
for _ in $(seq 30); do
  curl -sSf -H "$AUTH" "$FOLIO_URL/api/v1/webhooks/$WEBHOOK/deliveries" \
    | jq -e "$processed | length > 0" > /dev/null && break
  sleep 1
done
curl -sSf -H "$AUTH" "$FOLIO_URL/api/v1/webhooks/$WEBHOOK/deliveries" \
  | jq "$processed | .[0] | {event_type, status, attempts, last_status_code}"
