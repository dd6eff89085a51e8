"""Quickstart: upload a document to a Folio server, wait until it is processed, print what
was found in it.

    pip install ./clients/python
    export FOLIO_URL=http://127.0.0.1:8000 FOLIO_API_KEY=fk_…
    python examples/quickstart.py invoice.pdf

The test suite runs this file against a real server (tests/sdk/test_remote_cli.py).
"""

from __future__ import annotations

import os
import sys

from folio_client import Folio


def main(path: str) -> None:
    url = os.environ.get("FOLIO_URL", "http://127.0.0.1:8000")
    with Folio(url, api_key=os.environ["FOLIO_API_KEY"]) as folio:
        uploaded = folio.documents.upload(path)
        document = folio.documents.wait(uploaded.id, timeout=300)
        print(
            f"{document.filename}: {document.status}, {document.page_count} page(s), "
            f"type {document.document_type}"
        )
        if document.status != "completed":
            sys.exit(f"processing failed: {document.error}")
        results = folio.documents.results(document.id)
        entities = (results.intelligence or {}).get("entities", [])
        print(f"{len(entities)} entities")
        for entity in entities:
            text = " ".join(entity["text"].split())  # an address spans lines
            print(f"  {entity['type']:<14} {text}  (page {entity['page']})")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python examples/quickstart.py FILE")
    main(sys.argv[1])
