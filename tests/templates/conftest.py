"""Fixtures for template tests: processed invoices from the corpus and synthetic sale deeds."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.conftest import corpus
from tests.helpers import upload_ok, wait_settled
from tests.pipeline.fields.sale_deeds import DEEDS, render_deed_pdf

COOLBLUE = "invoice2data/tests/compare/coolblue1.pdf"


@pytest.fixture(scope="session")
def deed_files(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("deeds")
    return [render_deed_pdf(deed, folder / f"deed_{i}.pdf") for i, deed in enumerate(DEEDS)]


async def processed(client: httpx.AsyncClient, path: Path) -> dict:
    document = await upload_ok(client, path)
    settled = await wait_settled(client, document["id"])
    assert settled["status"] == "completed", settled
    return settled


@pytest.fixture
async def invoice_doc(client: httpx.AsyncClient) -> dict:
    return await processed(client, corpus(COOLBLUE))


@pytest.fixture
async def deed_batch(client: httpx.AsyncClient, deed_files: list[Path]) -> dict:
    files = [("files", (p.name, p.read_bytes(), "application/pdf")) for p in deed_files]
    response = await client.post("/api/v1/batches", files=files, data={"name": "Deeds Nov"})
    assert response.status_code == 202, response.text
    batch = response.json()
    for document in batch["documents"]:
        settled = await wait_settled(client, document["id"])
        assert settled["status"] == "completed", settled
    return batch
