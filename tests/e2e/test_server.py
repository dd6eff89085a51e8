"""The real thing: `folio serve` in its own process, driven over HTTP on loopback."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import corpus
from tests.e2e.server import Server, bootstrap_key
from tests.helpers import TERMINAL

pytestmark = [pytest.mark.e2e, pytest.mark.ocr]
TEXT_PDF = "pypdf_sample_files/004-pdflatex-4-pages/pdflatex-4-pages.pdf"
SCAN = "tesseract_test/testing/phototest.tif"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    running = Server(tmp_path / "data")
    running.api_key = bootstrap_key(running.data_dir)
    running.start()
    yield running
    running.stop()


def upload(client: httpx.Client, path: Path, **options: str) -> str:
    data = {"options": json.dumps(options)} if options else {}
    response = client.post(
        "/api/v1/documents", files={"file": (path.name, path.read_bytes())}, data=data
    )
    assert response.status_code == 202, response.text
    return response.json()["id"]


def wait(client: httpx.Client, document_id: str, seconds: float = 240) -> dict:
    """The document once it settles. The server holds one long poll at most 60 s
    (long_poll_max_s), less than a cold worker on a loaded machine may need: ask again."""
    deadline = time.monotonic() + seconds
    while True:
        response = client.get(f"/api/v1/documents/{document_id}", params={"wait": 60}, timeout=70)
        assert response.status_code == 200
        document = response.json()
        if document["status"] in TERMINAL or time.monotonic() >= deadline:
            return document


def test_upload_text_pdf_and_scan_over_http(server: Server) -> None:
    with server.client() as client:
        pdf_id = upload(client, corpus(TEXT_PDF))
        scan_id = upload(client, corpus(SCAN))

        assert wait(client, pdf_id)["status"] == "completed"
        scan = wait(client, scan_id)
        assert scan["status"] == "completed"

        pdf_text = client.get(f"/api/v1/documents/{pdf_id}/text").text
        scan_text = " ".join(client.get(f"/api/v1/documents/{scan_id}/text").text.split())
        results = client.get(f"/api/v1/documents/{scan_id}/results").json()

    assert "Is there no information?" in " ".join(pdf_text.split())
    assert "The quick brown dog jumped over the lazy fox" in scan_text
    assert results["ocr"]["engine"] == "auto"  # the default, which read this small scan with:
    assert results["ocr"]["engine_version"].startswith("rapidocr ")
    assert results["ocr"]["pages_ocr"] == 1
    assert results["ocr"]["mean_confidence"] > 80


def test_upload_survives_a_killed_server(server: Server) -> None:
    with server.client() as client:
        slow = upload(client, corpus(TEXT_PDF), ocr="force")
        queued = upload(client, corpus(SCAN))
        for _ in range(200):
            if client.get(f"/api/v1/documents/{slow}").json()["status"] == "processing":
                break
            time.sleep(0.05)
    server.kill()
    server.start()

    with server.client() as client:
        first, second = wait(client, slow), wait(client, queued)
        results = client.get(f"/api/v1/documents/{slow}/results").json()

    log = server.stderr_text()[-3000:]
    assert first["status"] == "completed", (first["status"], first.get("error"), log)
    assert second["status"] == "completed", (second["status"], second.get("error"), log)
    assert [page["number"] for page in results["pages"]] == [1, 2, 3, 4]
    assert all(page["source"] == "ocr" for page in results["pages"])


def test_first_start_prints_a_working_admin_key(tmp_path: Path) -> None:
    running = Server(tmp_path / "fresh")
    running.start()
    try:
        running.stop()
        banner = running.stderr_text()
        key = banner.split("admin API key:")[1].split()[0]
        running.start()  # a second start creates nothing new and prints no key
        running.api_key = key
        with running.client() as client:
            assert client.get("/api/v1/documents").status_code == 200
            assert client.get("/api/v1/auth/me").json()["is_admin"] is True
        with httpx.Client(base_url=running.url) as anonymous:
            assert anonymous.get("/api/v1/documents").status_code == 401
    finally:
        running.stop()
    assert "admin API key" not in running.stderr_text()
