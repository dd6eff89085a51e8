"""Every real-world PDF of the robustness sets ends completed or failed with a code."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import CORPUS
from tests.helpers import wait_settled

ROBUSTNESS_SETS = ["pypdf_sample_files", "pdfplumber/tests/pdfs"]
KNOWN_FAILURE_CODES = {
    "CORRUPT_DOCUMENT",
    "PASSWORD_REQUIRED",
    "WRONG_PASSWORD",
    "DOCUMENT_TOO_LARGE",
    "EMPTY_FILE",
    "TOO_MANY_PAGES",
    "IMAGE_TOO_LARGE",
}


@pytest.mark.parametrize("settings_overrides", [{"workers": 2}])
async def test_robustness_sets_through_the_server(client: httpx.AsyncClient) -> None:
    paths = sorted(p for folder in ROBUSTNESS_SETS for p in (CORPUS / folder).rglob("*.pdf"))
    assert len(paths) > 40
    files = [("files", (p.name, p.read_bytes(), "application/pdf")) for p in paths]

    response = await client.post("/api/v1/batches", files=files, data={"options": '{"ocr": "off"}'})

    assert response.status_code == 202, response.text
    batch = response.json()
    # only an empty file may be refused at upload; everything else is processed
    assert all(r["status"] == 422 for r in batch["rejected"]), batch["rejected"]
    outcomes = {}
    for document in batch["documents"]:
        settled = await wait_settled(client, document["id"])
        outcomes[document["filename"]] = settled
        if settled["status"] == "failed":
            assert settled["error"]["code"] in KNOWN_FAILURE_CODES, settled["error"]
        else:
            assert settled["status"] == "completed"
    completed = [name for name, d in outcomes.items() if d["status"] == "completed"]
    assert len(completed) >= len(outcomes) - 3, {
        n: d["error"] for n, d in outcomes.items() if d["status"] != "completed"
    }
    health = (await client.get("/health")).json()
    assert health["workers"]["alive"] == 2
