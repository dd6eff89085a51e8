#!/usr/bin/env bash
# The rate-limit headers of a response, and the team's monthly quotas.
set -euo pipefail
FOLIO_URL=${FOLIO_URL:-http://127.0.0.1:8000}
AUTH="Authorization: Bearer $FOLIO_API_KEY"

curl -sSf -o /dev/null -D - -H "$AUTH" "$FOLIO_URL/api/v1/documents?limit=1" \
  | grep -i '^x-ratelimit\|^ratelimit'

curl -sSf -H "$AUTH" "$FOLIO_URL/api/v1/usage/current" | jq '{plan, period, api_calls, documents_processed}'
