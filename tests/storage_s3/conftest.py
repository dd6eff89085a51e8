"""A real S3-compatible HTTP server on loopback (moto's server mode) stands in for the remote
object store; Folio talks to it with the real boto3 client, as it would to AWS or MinIO."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from moto.server import ThreadedMotoServer

from folio.core.s3storage import ReadThroughCache, S3BlobStorage, s3_client
from tests.e2e.server import free_port

ACCESS_KEY_ID = "folio-test-key"
SECRET_ACCESS_KEY = "folio-test-secret"
REGION = "us-east-1"
PREFIX = "folio-e2e"
TEXT_PDF = "pypdf_sample_files/004-pdflatex-4-pages/pdflatex-4-pages.pdf"


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def s3(s3_endpoint: str) -> Any:
    """A plain client, to look at the bucket from outside Folio."""
    return s3_client(
        endpoint_url=s3_endpoint,
        region=REGION,
        access_key_id=ACCESS_KEY_ID,
        secret_access_key=SECRET_ACCESS_KEY,
    )


@pytest.fixture
def bucket(s3: Any) -> str:
    name = f"folio-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name)
    return name


@pytest.fixture
def cache_dir(tmp_path: Path) -> Path:
    return tmp_path / "s3-cache"


@pytest.fixture
def storage(s3: Any, bucket: str, cache_dir: Path) -> S3BlobStorage:
    cache = ReadThroughCache(cache_dir, 64 * 1024 * 1024)
    return S3BlobStorage(s3, bucket, cache, prefix="folio/")


def object_names(s3: Any, bucket: str) -> list[str]:
    listing = s3.list_objects_v2(Bucket=bucket)
    return sorted(item["Key"] for item in listing.get("Contents", []))


def cached_files(cache_dir: Path) -> list[Path]:
    return sorted(path for path in cache_dir.iterdir() if path.is_file())


def s3_env(endpoint: str, bucket: str, **extra: str) -> dict[str, str]:
    return {
        "FOLIO_STORAGE_BACKEND": "s3",
        "FOLIO_S3_ENDPOINT_URL": endpoint,
        "FOLIO_S3_BUCKET": bucket,
        "FOLIO_S3_PREFIX": PREFIX,
        "FOLIO_S3_REGION": REGION,
        "FOLIO_S3_ACCESS_KEY_ID": ACCESS_KEY_ID,
        "FOLIO_S3_SECRET_ACCESS_KEY": SECRET_ACCESS_KEY,
        **extra,
    }
