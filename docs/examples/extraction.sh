#!/usr/bin/env bash
# Extract an invoice's fields with the built-in "invoice" template, then export them as CSV.
set -euo pipefail
FOLIO_URL=${FOLIO_URL:-http://127.0.0.1:8000}
AUTH="Authorization: Bearer $FOLIO_API_KEY"
FILE=${1:-invoice.pdf}

# "template" in the options extracts the fields as soon as the document is processed
DOC=$(curl -sSf -H "$AUTH" -F "file=@$FILE" -F 'options={"template": "invoice"}' \
  "$FOLIO_URL/api/v1/documents" | jq -r .id)
curl -sSf -H "$AUTH" "$FOLIO_URL/api/v1/documents/$DOC?wait=60" | jq -r .status

# or apply any template to processed documents (or a whole batch) afterwards
curl -sSf -H "$AUTH" -H "Content-Type: application/json" -d "{\"document_ids\": [\"$DOC\"]}" \
  "$FOLIO_URL/api/v1/templates/invoice/apply" | jq '{template_name, extracted}'

# each field: raw text, normalised value, confidence, page and box
curl -sSf -H "$AUTH" "$FOLIO_URL/api/v1/documents/$DOC/extractions" \
  | jq '.items[0] | {template_name, values, validation: .validation.passed}'

curl -sSf -H "$AUTH" -o invoices.csv \
  "$FOLIO_URL/api/v1/exports/extractions?template=invoice&format=csv"
head -2 invoices.csv
