"""What a batch promises per file, now that it is accepted in one pass: quotas counted across
the batch, duplicates found within it, refused files leave nothing, every event emitted."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from tests.batches.test_endpoints import batch_files
from tests.factories import Account
from tests.helpers import assert_problem, upload_ok


def stored_blobs(app: FastAPI, team_id: str) -> set[str]:
    root = app.state.runtime.storage.root / team_id
    return {str(p.relative_to(root.parent)) for p in root.rglob("*") if p.is_file()}


class TestQuotasAcrossTheBatch:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, object]:
        quota = {"api_calls": None, "documents_processed": 3, "storage_bytes": 100}
        return {"quota_plans": {"free": quota}, "workers": 0}

    async def test_documents_quota_counts_the_batch_itself(
        self, app: FastAPI, client: httpx.AsyncClient, admin: Account
    ) -> None:
        await upload_ok(client, content=b"first", filename="first.txt")
        files = batch_files(("a.txt", b"aaa"), ("b.txt", b"bbb"), ("c.txt", b"ccc"))

        response = await client.post("/api/v1/batches", files=files)

        assert response.status_code == 202, response.text
        batch = response.json()
        assert [d["filename"] for d in batch["documents"]] == ["a.txt", "b.txt"]
        assert [(r["filename"], r["status"], r["code"]) for r in batch["rejected"]] == [
            ("c.txt", 429, "QUOTA_EXCEEDED")
        ]
        usage = (await client.get("/api/v1/usage/current")).json()
        assert usage["documents_processed"]["used"] == 3
        keys = {d["id"] for d in batch["documents"]}
        assert {path.split("/")[1] for path in stored_blobs(app, admin.team_id)} >= keys
        assert len(stored_blobs(app, admin.team_id)) == 3  # the refused file left nothing

    async def test_storage_quota_counts_earlier_files_of_the_batch(
        self, client: httpx.AsyncClient
    ) -> None:
        files = batch_files(("a.txt", b"a" * 60), ("b.txt", b"b" * 50), ("c.txt", b"c" * 40))

        response = await client.post("/api/v1/batches", files=files)

        batch = response.json()
        assert [d["filename"] for d in batch["documents"]] == ["a.txt", "c.txt"]
        assert [(r["filename"], r["code"]) for r in batch["rejected"]] == [
            ("b.txt", "QUOTA_EXCEEDED")
        ]

    async def test_a_batch_over_quota_is_refused_and_counts_nothing(
        self, app: FastAPI, client: httpx.AsyncClient, admin: Account
    ) -> None:
        files = batch_files(("big.txt", b"x" * 101))

        response = await client.post("/api/v1/batches", files=files)

        assert_problem(response, 422, "VALIDATION_ERROR")
        usage = (await client.get("/api/v1/usage/current")).json()
        assert usage["documents_processed"]["used"] == 0
        assert stored_blobs(app, admin.team_id) == set()


class TestOnePass:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, object]:
        return {"workers": 0}

    async def test_duplicates_within_the_batch_and_against_earlier_uploads(
        self, client: httpx.AsyncClient
    ) -> None:
        earlier = await upload_ok(client, content=b"same old", filename="old.txt")
        files = batch_files(
            ("new.txt", b"brand new"),
            ("old-again.txt", b"same old"),
            ("new-again.txt", b"brand new"),
        )

        batch = (await client.post("/api/v1/batches", files=files)).json()

        new, old_again, new_again = batch["documents"]
        assert new["duplicate_of"] is None
        assert old_again["duplicate_of"] == earlier["id"]
        assert new_again["duplicate_of"] == new["id"]

    async def test_every_document_is_announced_and_queued(self, client: httpx.AsyncClient) -> None:
        files = batch_files(*((f"{i}.txt", f"file {i}".encode()) for i in range(20)))

        batch = (await client.post("/api/v1/batches", files=files)).json()

        ids = [d["id"] for d in batch["documents"]]
        assert len(ids) == 20
        events = (
            await client.get(
                "/api/v1/events",
                params={"type": ["document.uploaded", "job.created"], "limit": 100},
            )
        ).json()["items"]
        uploaded = [e["data"]["document_id"] for e in events if e["type"] == "document.uploaded"]
        queued = [e["data"]["document_id"] for e in events if e["type"] == "job.created"]
        assert sorted(uploaded) == sorted(ids)
        assert sorted(queued) == sorted(ids)
        for document in batch["documents"]:
            assert document["status"] == "queued"
            assert document["batch_id"] == batch["id"]
