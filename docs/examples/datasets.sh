#!/usr/bin/env bash
# An image dataset project, a crawl job over a list of image URLs, and the team's credits.
set -euo pipefail
FOLIO_URL=${FOLIO_URL:-http://127.0.0.1:8000}
AUTH="Authorization: Bearer $FOLIO_API_KEY"
JSON="Content-Type: application/json"

PROJECT=$(curl -sSf -H "$AUTH" -H "$JSON" -d '{"name": "street signs"}' \
  "$FOLIO_URL/api/v1/projects" | jq -r .id)
echo "project $PROJECT"

# "urls" downloads a list; "web" follows links from seeds; "openverse"/"wikimedia" search keywords
curl -sSf -H "$AUTH" -H "$JSON" "$FOLIO_URL/api/v1/crawl-jobs" -d "{
  \"project_id\": \"$PROJECT\",
  \"engines\": [\"urls\"],
  \"url_list\": \"https://upload.wikimedia.org/wikipedia/commons/a/a9/Example.jpg\",
  \"labels\": [\"sign\"],
  \"quality_filters\": {\"min_resolution\": [64, 64], \"formats\": [\"jpeg\", \"png\"]}
}" | jq '{id, status, engines}'

# one credit per image kept (valid and not a duplicate)
curl -sSf -H "$AUTH" "$FOLIO_URL/api/v1/credits/balance" | jq '{current_balance, monthly_usage}'
