"""Versions (reprocess keeps every result readable) and bulk process / cancel / delete."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import corpus
from tests.helpers import assert_problem, upload_ok, wait_settled

TRIVIAL_PDF = "pypdf_sample_files/001-trivial/minimal-document.pdf"
NO_WORKERS = {"workers": 0}
UNKNOWN = "doc_01jd0000000000000000000000"


async def processed(client: httpx.AsyncClient) -> dict:
    document = await upload_ok(client, corpus(TRIVIAL_PDF))
    settled = await wait_settled(client, document["id"])
    assert settled["status"] == "completed", settled
    return settled


class TestReprocess:
    async def test_new_options_make_a_new_version_and_the_old_stays_readable(
        self, client: httpx.AsyncClient
    ) -> None:
        document = await processed(client)
        url = f"/api/v1/documents/{document['id']}"

        response = await client.post(f"{url}/reprocess", json={"options": {"ocr": "force"}})

        assert response.status_code == 202, response.text
        assert response.json()["status"] == "queued"
        assert response.json()["options"]["ocr"] == "force"
        settled = await wait_settled(client, document["id"])
        assert settled["status"] == "completed"
        versions = (await client.get(f"{url}/versions")).json()
        assert versions["latest_version"] == 2
        assert [v["version"] for v in versions["items"]] == [2, 1]
        assert [v["latest"] for v in versions["items"]] == [True, False]
        assert versions["items"][0]["options"]["ocr"] == "force"
        assert versions["items"][1]["options"]["ocr"] == "auto"
        assert versions["items"][0]["job_id"].startswith("job_")
        assert versions["items"][0]["job_id"] != versions["items"][1]["job_id"]
        latest = (await client.get(f"{url}/results")).json()
        first = (await client.get(f"{url}/results", params={"version": 1})).json()
        assert latest["version"] == 2 and latest["ocr"]["pages_ocr"] == 1
        assert latest["pages"][0]["source"] == "ocr"
        assert first["version"] == 1 and first["ocr"]["pages_ocr"] == 0
        assert first["pages"][0]["source"] != "ocr"
        assert_problem(await client.get(f"{url}/results", params={"version": 7}), 404, "NOT_FOUND")

    async def test_extractions_name_the_version_they_read(self, client: httpx.AsyncClient) -> None:
        document = await processed(client)
        url = f"/api/v1/documents/{document['id']}"
        await client.post(f"{url}/reprocess", json={})
        await wait_settled(client, document["id"])

        applied = await client.post(
            "/api/v1/templates/key_values/apply", json={"document_ids": [document["id"]]}
        )

        assert applied.json()["results"][0]["document_version"] == 2

    @pytest.mark.parametrize("settings_overrides", [NO_WORKERS])
    async def test_a_document_still_in_the_queue_is_busy(self, client: httpx.AsyncClient) -> None:
        document = await upload_ok(client, content=b"some words", filename="q.txt")

        response = await client.post(f"/api/v1/documents/{document['id']}/reprocess", json={})

        assert_problem(response, 409, "DOCUMENT_BUSY")

    @pytest.mark.parametrize("settings_overrides", [NO_WORKERS])
    async def test_bad_options_are_a_422(self, client: httpx.AsyncClient) -> None:
        document = await upload_ok(client, content=b"some words", filename="q.txt")

        response = await client.post(
            f"/api/v1/documents/{document['id']}/reprocess", json={"options": {"ocr": "sometimes"}}
        )

        assert_problem(response, 422, "VALIDATION_ERROR")

    @pytest.mark.parametrize("settings_overrides", [NO_WORKERS])
    async def test_tenancy(
        self,
        client: httpx.AsyncClient,
        second_client: httpx.AsyncClient,
        viewer_client: httpx.AsyncClient,
    ) -> None:
        document = await upload_ok(client, content=b"some words", filename="q.txt")
        url = f"/api/v1/documents/{document['id']}"

        assert_problem(await second_client.post(f"{url}/reprocess", json={}), 404, "NOT_FOUND")
        assert_problem(await second_client.get(f"{url}/versions"), 404, "NOT_FOUND")
        assert_problem(await viewer_client.post(f"{url}/reprocess", json={}), 403, "FORBIDDEN")
        assert (await viewer_client.get(f"{url}/versions")).json()["latest_version"] == 0


@pytest.mark.parametrize("settings_overrides", [NO_WORKERS])
class TestBulk:
    async def test_cancel_then_process_again(self, client: httpx.AsyncClient) -> None:
        ids = [
            (await upload_ok(client, content=f"doc {i}".encode(), filename=f"{i}.txt"))["id"]
            for i in range(3)
        ]

        cancelled = await client.post(
            "/api/v1/documents/bulk/process",
            json={"document_ids": [*ids, UNKNOWN], "action": "cancel"},
        )
        again = await client.post(
            "/api/v1/documents/bulk/process",
            json={"document_ids": ids[:2], "action": "process", "options": {"ocr": "off"}},
        )
        reprocess_queued = await client.post(
            "/api/v1/documents/bulk/process", json={"document_ids": ids[:1], "action": "reprocess"}
        )

        body = cancelled.json()
        assert (body["accepted"], body["not_found"], body["requested"]) == (3, 1, 4)
        assert [i["status"] for i in body["items"][:3]] == ["cancelled"] * 3
        assert again.json()["accepted"] == 2
        assert reprocess_queued.json()["skipped"] == 1
        assert "queued" in reprocess_queued.json()["items"][0]["detail"]
        states = [(await client.get(f"/api/v1/documents/{i}")).json() for i in ids]
        assert [s["status"] for s in states] == ["queued", "queued", "cancelled"]
        assert states[0]["options"]["ocr"] == "off"

    async def test_delete_many_and_never_another_teams(
        self, client: httpx.AsyncClient, second_client: httpx.AsyncClient
    ) -> None:
        mine = (await upload_ok(client, content=b"mine", filename="m.txt"))["id"]
        theirs = (await upload_ok(second_client, content=b"theirs", filename="t.txt"))["id"]

        response = await client.request(
            "DELETE", "/api/v1/documents/bulk", json={"document_ids": [mine, theirs]}
        )

        assert response.status_code == 200, response.text
        outcomes = {i["document_id"]: i["outcome"] for i in response.json()["items"]}
        assert outcomes == {mine: "accepted", theirs: "not_found"}
        assert_problem(await client.get(f"/api/v1/documents/{mine}"), 404, "NOT_FOUND")
        assert (await second_client.get(f"/api/v1/documents/{theirs}")).status_code == 200

    async def test_permissions_and_validation(
        self, client: httpx.AsyncClient, viewer_client: httpx.AsyncClient
    ) -> None:
        body = {"document_ids": [UNKNOWN], "action": "cancel"}

        assert_problem(
            await viewer_client.post("/api/v1/documents/bulk/process", json=body), 403, "FORBIDDEN"
        )
        assert_problem(
            await viewer_client.request(
                "DELETE", "/api/v1/documents/bulk", json={"document_ids": [UNKNOWN]}
            ),
            403,
            "FORBIDDEN",
        )
        assert_problem(
            await client.post("/api/v1/documents/bulk/process", json={**body, "action": "explode"}),
            422,
            "VALIDATION_ERROR",
        )
        assert_problem(
            await client.post("/api/v1/documents/bulk/process", json={**body, "document_ids": []}),
            422,
            "VALIDATION_ERROR",
        )


class TestAfterAFailedRun:
    """One rule for every reader of results: a document keeps the results of its latest good
    version when a later run fails; one that never succeeded answers 422 everywhere."""

    ENCRYPTED = "pypdf_sample_files/005-libreoffice-writer-password/libreoffice-writer-password.pdf"

    @staticmethod
    def readers(document_id: str) -> list[tuple[str, str, dict]]:
        url = f"/api/v1/documents/{document_id}"
        return [
            ("GET", f"{url}/results", {}),
            ("GET", f"{url}/text", {}),
            ("POST", f"/api/v1/security/scan/{document_id}", {"json": {"include_pii": True}}),
            ("GET", f"{url}/anonymized-text", {}),
        ]

    async def test_a_failed_rerun_keeps_the_last_good_results_everywhere(
        self, client: httpx.AsyncClient
    ) -> None:
        document = await upload_ok(
            client, corpus(self.ENCRYPTED), options={"password": "openpassword"}
        )
        assert (await wait_settled(client, document["id"]))["status"] == "completed"
        await client.post(
            f"/api/v1/documents/{document['id']}/reprocess",
            json={"options": {"password": "wrong"}},
        )

        settled = await wait_settled(client, document["id"])

        assert settled["status"] == "failed" and settled["error"]["code"] == "WRONG_PASSWORD"
        for method, url, kwargs in self.readers(document["id"]):
            response = await client.request(method, url, **kwargs)
            assert response.status_code == 200, (url, response.text)
        results = (await client.get(f"/api/v1/documents/{document['id']}/results")).json()
        assert results["version"] == 1 and results["metadata"]["word_count"] > 0

    async def test_a_document_that_never_succeeded_is_unprocessable_everywhere(
        self, client: httpx.AsyncClient
    ) -> None:
        document = await upload_ok(client, corpus(self.ENCRYPTED), options={"password": "wrong"})
        assert (await wait_settled(client, document["id"]))["status"] == "failed"

        for method, url, kwargs in self.readers(document["id"]):
            response = await client.request(method, url, **kwargs)
            problem = assert_problem(response, 422, "UNPROCESSABLE_DOCUMENT")
            assert problem["reason"] == "WRONG_PASSWORD", (url, problem)
