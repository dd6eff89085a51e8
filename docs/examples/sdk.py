"""Upload, wait, read results and handle errors with the Python SDK (folio-client).

FOLIO_API_KEY=fk_… python sdk.py invoice.pdf
"""

import os
import sys

from folio_client import Folio, NotFoundError

folio = Folio(
    os.environ.get("FOLIO_URL", "http://127.0.0.1:8000"), api_key=os.environ["FOLIO_API_KEY"]
)
path = sys.argv[1] if len(sys.argv) > 1 else "invoice.pdf"


def show(sent: int, total: int) -> None:
    print(f"\rsent {sent} of {total} bytes", end="\n" if sent == total else "")


document = folio.documents.upload(path, options={"ocr": "auto"}, progress=show)
document = folio.documents.wait(document.id, timeout=120)  # long-polls the status
print(document.id, document.status, document.page_count, "pages")

results = folio.documents.results(document.id)  # typed: DocumentResults
print("words on page 1:", len(results.pages[0]["words"]))
print("text:", folio.documents.text(document.id)[:60].replace("\n", " "), "…")

for listed in folio.documents.list(limit=10):  # every page of the list, fetched as needed
    print("listed", listed.id, listed.filename)

try:
    folio.documents.get("doc_00000000000000000000000000")
except NotFoundError as error:  # each problem code has its exception, with the problem in it
    print(error.status, error.code, "request", error.request_id)
