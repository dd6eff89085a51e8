#!/usr/bin/env bash
# Process a file at once: its results come back in the response and nothing is stored.
set -euo pipefail
FOLIO_URL=${FOLIO_URL:-http://127.0.0.1:8000}
AUTH="Authorization: Bearer $FOLIO_API_KEY"

curl -sSf -H "$AUTH" -F "file=@$1" -F 'options={"ocr": "auto"}' \
  "$FOLIO_URL/api/v1/documents/process?words=false" \
  | jq '{document_id, kind, pages: (.pages | length), first_line: (.pages[0].text | split("\n")[0])}'
