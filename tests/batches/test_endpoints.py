from __future__ import annotations

import io
import zipfile

import httpx
import pytest

from tests.conftest import corpus
from tests.helpers import assert_problem, wait_settled

TRIVIAL_PDF = "pypdf_sample_files/001-trivial/minimal-document.pdf"
ENCRYPTED_PDF = "pypdf_sample_files/005-libreoffice-writer-password/libreoffice-writer-password.pdf"


def zip_archive() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("inner.txt", "not a document Folio reads")
    return buffer.getvalue()


def batch_files(*entries: tuple[str, bytes]) -> list[tuple[str, tuple[str, bytes, str]]]:
    return [("files", (name, content, "application/octet-stream")) for name, content in entries]


async def wait_batch(client: httpx.AsyncClient, batch: dict) -> dict:
    for document in batch["documents"]:
        await wait_settled(client, document["id"])
    response = await client.get(f"/api/v1/batches/{batch['id']}")
    assert response.status_code == 200
    return response.json()


class TestCreateBatch:
    async def test_good_files_are_accepted_and_a_bad_one_reported(
        self, client: httpx.AsyncClient
    ) -> None:
        files = batch_files(
            ("a.pdf", corpus(TRIVIAL_PDF).read_bytes()),
            ("b.txt", b"hello batch"),
            ("c.bin", zip_archive()),
        )

        response = await client.post("/api/v1/batches", files=files, data={"name": "March"})

        assert response.status_code == 202, response.text
        batch = response.json()
        assert batch["id"].startswith("bat_")
        assert response.headers["location"] == f"/api/v1/batches/{batch['id']}"
        assert [d["filename"] for d in batch["documents"]] == ["a.pdf", "b.txt"]
        assert batch["rejected"] == [
            {
                "filename": "c.bin",
                "status": 415,
                "code": "UNSUPPORTED_MEDIA_TYPE",
                "detail": batch["rejected"][0]["detail"],
            }
        ]

        settled = await wait_batch(client, batch)
        assert settled["status"] == "completed"
        assert settled["totals"]["total"] == 2
        assert settled["totals"]["completed"] == 2
        assert settled["totals"]["success_rate"] == 1.0
        assert settled["timings"]["elapsed_ms"] >= 0
        assert {d["status"] for d in settled["documents"]} == {"completed"}

        in_batch = await client.get("/api/v1/documents", params={"batch_id": batch["id"]})
        assert len(in_batch.json()["items"]) == 2

    async def test_all_files_bad(self, client: httpx.AsyncClient) -> None:
        files = batch_files(("empty.pdf", b""), ("x.bin", zip_archive()))

        response = await client.post("/api/v1/batches", files=files)

        body = assert_problem(response, 422, "VALIDATION_ERROR")
        assert [e["field"] for e in body["errors"]] == ["files[0]", "files[1]"]
        assert (await client.get("/api/v1/batches")).json()["items"] == []

    async def test_idempotent_retry(self, client: httpx.AsyncClient) -> None:
        files = batch_files(("b.txt", b"hello batch"))
        headers = {"Idempotency-Key": "batch-1"}

        first = await client.post("/api/v1/batches", files=files, headers=headers)
        retry = await client.post("/api/v1/batches", files=files, headers=headers)

        assert retry.json()["id"] == first.json()["id"]
        assert len((await client.get("/api/v1/documents")).json()["items"]) == 1


class TestBatchActions:
    async def test_retry_failed(self, client: httpx.AsyncClient) -> None:
        files = batch_files(("locked.pdf", corpus(ENCRYPTED_PDF).read_bytes()), ("ok.txt", b"fine"))
        batch = (await client.post("/api/v1/batches", files=files)).json()
        settled = await wait_batch(client, batch)
        assert settled["totals"]["failed"] == 1
        assert settled["totals"]["success_rate"] == 0.5

        response = await client.post(f"/api/v1/batches/{batch['id']}/retry-failed")

        assert response.json() == {"batch_id": batch["id"], "affected": 1}
        again = await wait_batch(client, batch)
        assert again["totals"]["failed"] == 1  # still no password: fails the same way
        locked = next(d for d in again["documents"] if d["filename"] == "locked.pdf")
        assert locked["error_code"] == "PASSWORD_REQUIRED"

    @pytest.mark.parametrize("settings_overrides", [{"workers": 0}])
    async def test_cancel(self, client: httpx.AsyncClient) -> None:
        files = batch_files(("a.txt", b"one"), ("b.txt", b"two"))
        batch = (await client.post("/api/v1/batches", files=files)).json()

        response = await client.post(f"/api/v1/batches/{batch['id']}/cancel")
        state = (await client.get(f"/api/v1/batches/{batch['id']}")).json()

        assert response.json()["affected"] == 2
        assert state["status"] == "cancelled"
        assert state["totals"]["cancelled"] == 2
        assert {d["status"] for d in state["documents"]} == {"cancelled"}

    async def test_unknown_batch(self, client: httpx.AsyncClient) -> None:
        for response in (
            await client.get("/api/v1/batches/bat_unknown"),
            await client.post("/api/v1/batches/bat_unknown/cancel"),
            await client.post("/api/v1/batches/bat_unknown/retry-failed"),
        ):
            assert_problem(response, 404, "NOT_FOUND")

    async def test_list(self, client: httpx.AsyncClient) -> None:
        for name in ("one", "two", "three"):
            await client.post(
                "/api/v1/batches", files=batch_files(("a.txt", b"x")), data={"name": name}
            )

        page = (await client.get("/api/v1/batches", params={"limit": 2})).json()
        rest = (
            await client.get("/api/v1/batches", params={"limit": 2, "cursor": page["next_cursor"]})
        ).json()

        assert [b["name"] for b in page["items"] + rest["items"]] == ["three", "two", "one"]
        assert page["items"][0]["totals"]["total"] == 1

    async def test_listed_timings_are_those_of_each_batch(self, client: httpx.AsyncClient) -> None:
        """The page's timings come from one grouped query; each batch's from its own rows."""
        created = []
        for name in ("first", "second"):
            response = await client.post(
                "/api/v1/batches",
                files=batch_files(("a.txt", b"alpha " * 50), ("b.txt", b"beta " * 80)),
                data={"name": name},
            )
            assert response.status_code == 202, response.text
            created.append(await wait_batch(client, response.json()))

        listed = {b["id"]: b for b in (await client.get("/api/v1/batches")).json()["items"]}

        for batch in created:
            single = (await client.get(f"/api/v1/batches/{batch['id']}")).json()
            assert single["timings"]["started_at"] is not None
            assert single["timings"]["mean_processing_time_ms"] is not None
            assert listed[batch["id"]]["timings"] == single["timings"]
            assert listed[batch["id"]]["status"] == single["status"] == "completed"
