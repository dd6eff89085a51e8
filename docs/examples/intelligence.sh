#!/usr/bin/env bash
# What Folio understood of a document, its text with personal data masked, and a redacted PDF.
set -euo pipefail
FOLIO_URL=${FOLIO_URL:-http://127.0.0.1:8000}
AUTH="Authorization: Bearer $FOLIO_API_KEY"
FILE=${1:-invoice.pdf}

DOC=$(curl -sSf -H "$AUTH" -F "file=@$FILE" "$FOLIO_URL/api/v1/documents" | jq -r .id)
curl -sSf -H "$AUTH" "$FOLIO_URL/api/v1/documents/$DOC?wait=60" | jq '{status, document_type, pii_detected}'

curl -sSf -H "$AUTH" "$FOLIO_URL/api/v1/documents/$DOC/results" | jq '.intelligence | {
  type: .classification.document_type,
  entities: [.entities[:5][] | {type, text, page}],
  pii: .pii | {risk_level, counts},
  summary: .summary.text[:200]}'

MASKED=$(curl -sSf -H "$AUTH" "$FOLIO_URL/api/v1/documents/$DOC/anonymized-text?mode=mask")
echo "${MASKED:0:300}"

# a PDF whose people's names and addresses are painted over, with no text left under them
curl -sSf -H "$AUTH" -H "Content-Type: application/json" \
  -d '{"entity_types": ["person", "address"]}' \
  "$FOLIO_URL/api/v1/documents/$DOC/redactions" | jq '{id, box_count, file_url}'
