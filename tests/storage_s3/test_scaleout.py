"""Scale-out on a bucket: a `folio serve` (FOLIO_EXECUTOR=celery) and a `folio worker`, each with
its own data directory, share PostgreSQL, Redis and the bucket — and no blob directory.

Runs with ``FOLIO_TEST_BACKEND=scaleout`` (PostgreSQL and Redis, see tests/scaleout/stack.py)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis

from tests.conftest import corpus
from tests.e2e.server import free_port
from tests.e2e.test_server import upload, wait
from tests.scaleout.stack import SCALEOUT, FolioProcess, Stack, start_worker
from tests.storage_s3.conftest import PREFIX, TEXT_PDF, cached_files, object_names, s3_env

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        not SCALEOUT, reason="needs FOLIO_TEST_BACKEND=scaleout (PostgreSQL, Redis)"
    ),
]
BROKER = "redis://127.0.0.1:6379/14"  # only this test's worker reads it


def settings_of(env: dict[str, str]) -> dict[str, object]:
    """``FOLIO_X=v`` as the ``x=v`` overrides that ``Stack.env`` takes."""
    return {key.removeprefix("FOLIO_").lower(): value for key, value in env.items()}


@pytest.fixture
def api(
    scaleout_stack: Stack, tmp_path: Path, s3_endpoint: str, bucket: str
) -> Iterator[httpx.Client]:
    scaleout_stack.reset()
    redis.Redis.from_url(BROKER).flushdb()
    storage = settings_of(s3_env(s3_endpoint, bucket))
    worker = start_worker(scaleout_stack, tmp_path, name="worker", redis_url=BROKER, **storage)
    port = free_port()
    env = scaleout_stack.env(tmp_path / "api", redis_url=BROKER, workers=0, **storage)
    server = FolioProcess(["serve", "--port", str(port)], env, tmp_path / "api.log")
    try:
        server.start("Application startup complete")
        found = re.search(r"admin API key: (\S+)", (tmp_path / "api.log").read_text())
        assert found is not None
        headers = {"Authorization": f"Bearer {found.group(1)}"}
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=headers, timeout=30) as http:
            yield http
    finally:
        server.stop()
        worker.stop()


def test_worker_reads_the_original_from_the_bucket(
    api: httpx.Client, scaleout_stack: Stack, tmp_path: Path, s3: Any, bucket: str
) -> None:
    original = corpus(TEXT_PDF).read_bytes()
    document_id = upload(api, corpus(TEXT_PDF))
    document = wait(api, document_id)
    text = api.get(f"/api/v1/documents/{document_id}/text").text
    downloaded = api.get(f"/api/v1/documents/{document_id}/file").content

    assert document["status"] == "completed", document
    assert "Is there no information?" in " ".join(text.split())
    assert downloaded == original
    name = f"{PREFIX}/{document['team_id']}/{document_id}/original"
    assert object_names(s3, bucket) == [name]
    worker_copies = cached_files(tmp_path / "worker" / "s3-cache")
    assert [copy.read_bytes() for copy in worker_copies] == [original]  # fetched from the bucket
    assert not (scaleout_stack.storage_dir / document["team_id"]).exists()
