"""Retention and DELETE remove S3 objects too: a real S3-compatible server (moto's server
mode, tests/storage_s3) and the real boto3 client."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.helpers import upload_ok, wait_settled
from tests.storage_s3.conftest import (
    ACCESS_KEY_ID,
    PREFIX,
    REGION,
    SECRET_ACCESS_KEY,
    object_names,
)


@pytest.fixture
def settings_overrides(s3_endpoint: str, bucket: str) -> dict[str, object]:
    return {
        "storage_backend": "s3",
        "s3_endpoint_url": s3_endpoint,
        "s3_bucket": bucket,
        "s3_prefix": PREFIX,
        "s3_region": REGION,
        "s3_access_key_id": ACCESS_KEY_ID,
        "s3_secret_access_key": SECRET_ACCESS_KEY,
    }


async def test_purged_originals_and_deleted_documents_leave_the_bucket(
    client: httpx.AsyncClient,
    s3: Any,
    bucket: str,
) -> None:
    purged = await upload_ok(client, content=b"old scan", filename="old.txt")
    deleted = await upload_ok(client, content=b"mistake", filename="oops.txt")
    await wait_settled(client, purged["id"])
    await wait_settled(client, deleted["id"])
    before = object_names(s3, bucket)
    await client.post("/api/v1/retention/policies", json={"target": "originals", "days": 0})

    summary = (await client.post("/api/v1/retention/purge")).json()
    removed = await client.delete(f"/api/v1/documents/{deleted['id']}")
    after = object_names(s3, bucket)

    assert any(purged["id"] in name for name in before)
    assert any(deleted["id"] in name for name in before)
    assert summary["originals_deleted"] == 2
    assert removed.status_code == 204
    assert not any(purged["id"] in name or deleted["id"] in name for name in after)
