"""Upload a document with options, wait for it, and read what Folio understood (Python, httpx).

FOLIO_API_KEY=fk_… python upload.py invoice.pdf
"""

import json
import os
import sys

import httpx

folio = httpx.Client(
    base_url=os.environ.get("FOLIO_URL", "http://127.0.0.1:8000"),
    headers={"Authorization": f"Bearer {os.environ['FOLIO_API_KEY']}"},
    timeout=90,
)
path = sys.argv[1] if len(sys.argv) > 1 else "invoice.pdf"
options = {"ocr": "auto", "language": ["en"], "analyze": True}

with open(path, "rb") as file:
    accepted = folio.post(
        "/api/v1/documents", files={"file": file}, data={"options": json.dumps(options)}
    )
accepted.raise_for_status()  # 202
document = folio.get(accepted.json()["status_url"], params={"wait": 60}).json()
print(document["id"], document["status"], document["page_count"], "pages")

results = folio.get(f"/api/v1/documents/{document['id']}/results").json()
intelligence = results["intelligence"]
print("type:", intelligence["classification"]["document_type"])
for entity in intelligence["entities"][:5]:
    print(f"  {entity['type']:<14} {entity['text']!r} (page {entity['page']})")

# every error is an RFC 9457 problem with a stable code
bad = folio.post("/api/v1/documents", files={"file": ("x.pdf", b"")}, data={"options": "{"})
print(bad.status_code, bad.headers["content-type"], bad.json()["code"])
