#!/usr/bin/env bash
# Upload a document, wait until it is processed, read its text and its words with boxes.
# Needs FOLIO_API_KEY; FOLIO_URL defaults to a server on this machine.
set -euo pipefail
FOLIO_URL=${FOLIO_URL:-http://127.0.0.1:8000}
AUTH="Authorization: Bearer $FOLIO_API_KEY"
FILE=${1:-invoice.pdf}

# 202 Accepted: the document is stored and queued
DOC=$(curl -sSf -H "$AUTH" -F "file=@$FILE" "$FOLIO_URL/api/v1/documents" | jq -r .id)
echo "uploaded $DOC"

# long-poll: answers as soon as the document is done, or after 60 s with its progress
curl -sSf -H "$AUTH" "$FOLIO_URL/api/v1/documents/$DOC?wait=60" \
  | jq '{status, page_count, word_count, language, document_type}'

# the plain text (pages separated by form feeds) ...
TEXT=$(curl -sSf -H "$AUTH" "$FOLIO_URL/api/v1/documents/$DOC/text")
echo "${TEXT:0:300}"
# ... and the structured results: pages, words with their boxes, metadata, intelligence
curl -sSf -H "$AUTH" "$FOLIO_URL/api/v1/documents/$DOC/results" | jq '.pages[0].words[0]'
