#!/usr/bin/env bash
# Upload several files as one batch and follow the batch until every document is done.
set -euo pipefail
FOLIO_URL=${FOLIO_URL:-http://127.0.0.1:8000}
AUTH="Authorization: Bearer $FOLIO_API_KEY"

args=()
for file in "$@"; do args+=(-F "files=@$file"); done
BATCH=$(curl -sSf -H "$AUTH" "${args[@]}" -F 'options={"ocr": "auto"}' \
  "$FOLIO_URL/api/v1/batches" | jq -r .id)
echo "batch $BATCH"

# a batch is "processing" until each of its documents has completed, failed or been cancelled
until [ "$(curl -sSf -H "$AUTH" "$FOLIO_URL/api/v1/batches/$BATCH" | jq -r .status)" != processing ]
do sleep 1; done
curl -sSf -H "$AUTH" "$FOLIO_URL/api/v1/batches/$BATCH" \
  | jq '{status, totals: .totals | {total, completed, failed}, documents: [.documents[] | {filename, status}]}'
