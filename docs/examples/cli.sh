#!/usr/bin/env bash
# The pipeline on a local file, without a server: what /results would answer, as JSON.
set -euo pipefail
FILE=${1:-invoice.pdf}

folio process "$FILE" --json | jq '{filename, pages: (.pages | length), language: .metadata.language}'
