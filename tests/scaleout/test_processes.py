"""`folio serve --processes 2` on PostgreSQL + Redis: two API processes share one port, the
first admin is made once, and either process serves what the other accepted.

Runs with ``FOLIO_TEST_BACKEND=scaleout`` (PostgreSQL and Redis, see tests/scaleout/stack.py)."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from tests.conftest import corpus
from tests.e2e.server import free_port
from tests.e2e.test_server import upload, wait
from tests.scaleout.stack import SCALEOUT, FolioProcess, Stack, start_worker

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        not SCALEOUT, reason="needs FOLIO_TEST_BACKEND=scaleout (PostgreSQL, Redis)"
    ),
]
TEXT_PDF = "pypdf_sample_files/004-pdflatex-4-pages/pdflatex-4-pages.pdf"


def children_of(pid: int) -> list[int]:
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the process ended while we looked
        if int(fields[1]) == pid:
            children.append(int(stat.parent.name))
    return children


def test_two_api_processes_serve_one_port(scaleout_stack: Stack, tmp_path: Path) -> None:
    scaleout_stack.reset()
    worker = start_worker(scaleout_stack, tmp_path, name="worker")
    port = free_port()
    env = scaleout_stack.env(tmp_path / "api", workers=0)
    log = tmp_path / "api.log"
    server = FolioProcess(["serve", "--port", str(port), "--processes", "2"], env, log)
    try:
        server.start("Application startup complete")
        api_processes = children_of(server.pid)
        found = re.findall(r"admin API key: (\S+)", log.read_text())
        headers = {"Authorization": f"Bearer {found[0]}"}
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=headers, timeout=30) as api:
            document_id = upload(api, corpus(TEXT_PDF))
            document = wait(api, document_id)
        statuses = []
        for _ in range(20):  # a new connection each time: the kernel spreads them
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=headers) as fresh:
                statuses.append(fresh.get(f"/api/v1/documents/{document_id}").status_code)
        startups = log.read_text().count("Application startup complete")
    finally:
        server.stop()
        worker.stop()

    assert len(found) == 1  # one first admin, made before the processes started
    assert len(api_processes) >= 2
    assert document["status"] == "completed", document
    assert statuses == [200] * 20
    assert startups == 2
