"""A real `folio serve` process with FOLIO_STORAGE_BACKEND=s3, driven over HTTP on loopback:
originals go to the bucket, the pipeline reads them through the local cache, nothing is
written to the blob directory."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import corpus
from tests.e2e.server import Server, bootstrap_key
from tests.e2e.test_server import upload, wait
from tests.storage_s3.conftest import PREFIX, TEXT_PDF, cached_files, object_names, s3_env

pytestmark = pytest.mark.e2e


@pytest.fixture
def server(tmp_path: Path, s3_endpoint: str, bucket: str) -> Iterator[Server]:
    # a cache smaller than the PDF keeps no copy of the upload: the pipeline must download it
    running = Server(tmp_path / "data", **s3_env(s3_endpoint, bucket, FOLIO_S3_CACHE_BYTES="1000"))
    running.api_key = bootstrap_key(running.data_dir)
    running.start()
    yield running
    running.stop()


def test_upload_process_download_and_delete_through_the_bucket(
    server: Server, s3: Any, bucket: str
) -> None:
    original = corpus(TEXT_PDF).read_bytes()
    with server.client() as client:
        health = client.get("/health").json()
        document_id = upload(client, corpus(TEXT_PDF))
        document = wait(client, document_id)
        text = client.get(f"/api/v1/documents/{document_id}/text").text
        name = f"{PREFIX}/{document['team_id']}/{document_id}/original"
        stored = s3.get_object(Bucket=bucket, Key=name)["Body"].read()
        for copy in cached_files(server.data_dir / "s3-cache"):
            copy.unlink()  # the download below has to stream from the bucket
        downloaded = client.get(f"/api/v1/documents/{document_id}/file")

        assert health["storage"]["status"] == "ok"
        assert document["status"] == "completed", document
        assert "Is there no information?" in " ".join(text.split())
        assert object_names(s3, bucket) == [name]
        assert stored == original
        assert document["sha256"] == hashlib.sha256(original).hexdigest()
        assert downloaded.status_code == 200
        assert downloaded.content == original
        assert not (server.data_dir / "blobs").exists()

        assert client.delete(f"/api/v1/documents/{document_id}").status_code == 204
    assert object_names(s3, bucket) == []


def test_s3_without_a_bucket_fails_at_start(tmp_path: Path, s3_endpoint: str) -> None:
    running = Server(tmp_path / "data", **s3_env(s3_endpoint, bucket=""))

    with pytest.raises(RuntimeError, match="FOLIO_STORAGE_BACKEND=s3 needs FOLIO_S3_BUCKET"):
        running.start()
    running.stop()
