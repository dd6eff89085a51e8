"""Seed 003's processing control: start / stop the queue, stats, rerun failed, OCR mode,
system information and configuration."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from fastapi import FastAPI

from tests.conftest import corpus
from tests.factories import Account
from tests.helpers import assert_problem, upload_ok, wait_settled

TRIVIAL_PDF = "pypdf_sample_files/001-trivial/minimal-document.pdf"
BROKEN_PDF = b"%PDF-1.7\n" + bytes(range(256)) * 10
P = "/api/v1/processing"


@pytest.fixture
async def operator(app: FastAPI, admin: Account, anonymous_client: httpx.AsyncClient):
    """The admin signed in (API keys never carry system:admin)."""
    response = await anonymous_client.post(
        "/api/v1/auth/login",
        json={"email": admin.email, "password": app.state.initial_credentials.password},
    )
    token = response.json()["tokens"]["access_token"]
    anonymous_client.headers["Authorization"] = f"Bearer {token}"
    return anonymous_client


class TestStartStop:
    async def test_stop_leaves_the_queue_waiting_and_start_drains_it(
        self, operator: httpx.AsyncClient, client: httpx.AsyncClient
    ) -> None:
        stopped = await operator.post(f"{P}/stop")
        assert stopped.status_code == 200, stopped.text
        assert stopped.json()["running"] is False

        document = await upload_ok(client, corpus(TRIVIAL_PDF))
        await asyncio.sleep(1.5)  # several dispatcher polls
        waiting = (await client.get(f"{P}/stats")).json()
        assert (await client.get(f"/api/v1/documents/{document['id']}")).json()[
            "status"
        ] == "queued"
        assert waiting["queued"] == 1 and waiting["paused"] is True
        assert waiting["is_running"] is False

        started = await operator.post(f"{P}/start", json={"workers": 1})
        assert started.json()["running"] is True and started.json()["active_workers"] == 1
        assert "Started processing" in started.json()["message"]
        settled = await wait_settled(client, document["id"])
        assert settled["status"] == "completed"
        stats = (await client.get(f"{P}/stats")).json()
        assert (stats["total"], stats["processed"], stats["successful"]) == (1, 1, 1)
        assert stats["queued"] == stats["running"] == 0 and stats["paused"] is False

    async def test_worker_counts_outside_the_range_are_refused_clearly(
        self, operator: httpx.AsyncClient
    ) -> None:
        too_many = await operator.post(f"{P}/start", json={"workers": 2})
        way_too_many = await operator.post(f"{P}/start", json={"workers": 21})
        none = await operator.post(f"{P}/start", json={"workers": 0})

        body = assert_problem(too_many, 422, "VALIDATION_ERROR")
        assert body["errors"][0]["field"] == "workers"
        assert "between 1 and 1" in body["errors"][0]["message"]
        assert_problem(way_too_many, 422, "VALIDATION_ERROR")
        assert_problem(none, 422, "VALIDATION_ERROR")
        assert (await operator.get(P)).json()["running"] is True

    @pytest.mark.parametrize("settings_overrides", [{"workers": 0}])
    async def test_a_server_without_a_pool_says_so(self, operator: httpx.AsyncClient) -> None:
        assert_problem(await operator.post(f"{P}/stop"), 409, "NO_WORKER_POOL")

    async def test_needs_system_admin(
        self, client: httpx.AsyncClient, viewer_client: httpx.AsyncClient
    ) -> None:
        assert_problem(await client.post(f"{P}/stop"), 403, "FORBIDDEN")
        assert_problem(await client.get(f"{P}/system-info"), 403, "FORBIDDEN")
        assert_problem(await viewer_client.get(f"{P}/stats"), 403, "FORBIDDEN")
        assert_problem(await viewer_client.post(f"{P}/rerun-failed", json={}), 403, "FORBIDDEN")


class TestTeamControls:
    async def test_stats_are_per_team(
        self, client: httpx.AsyncClient, second_client: httpx.AsyncClient
    ) -> None:
        document = await upload_ok(client, content=b"words", filename="w.txt")
        await wait_settled(client, document["id"])

        mine = (await client.get(f"{P}/stats")).json()
        theirs = (await second_client.get(f"{P}/stats")).json()

        assert mine["total"] == 1 and mine["successful"] == 1
        assert theirs["total"] == 0 and theirs["current_file"] is None

    async def test_rerun_failed(self, client: httpx.AsyncClient) -> None:
        document = await upload_ok(client, content=BROKEN_PDF, filename="broken.pdf")
        assert (await wait_settled(client, document["id"]))["status"] == "failed"

        rerun = await client.post(f"{P}/rerun-failed", json={})

        assert rerun.json()["requeued"] == 1
        assert (await wait_settled(client, document["id"]))["status"] == "failed"
        assert (await client.post(f"{P}/rerun-failed", json={"batch_id": "bat_x"})).json()[
            "requeued"
        ] == 0

    async def test_ocr_mode_is_the_default_of_uploads_that_do_not_choose(
        self, client: httpx.AsyncClient, second_client: httpx.AsyncClient
    ) -> None:
        response = await client.put(f"{P}/ocr-mode", json={"ocr": "force"})
        assert response.status_code == 200, response.text
        assert response.json()["ocr"] == "force"

        forced = await upload_ok(client, corpus(TRIVIAL_PDF))
        chosen = await upload_ok(client, corpus(TRIVIAL_PDF), options={"ocr": "off"})
        await wait_settled(client, forced["id"])

        assert forced["options"]["ocr"] == "force" and chosen["options"]["ocr"] == "off"
        results = (await client.get(f"/api/v1/documents/{forced['id']}/results")).json()
        assert results["ocr"]["pages_ocr"] == 1
        assert (await second_client.get(f"{P}/ocr-mode")).json()["ocr"] == "auto"
        assert (await second_client.get(f"{P}/ocr-mode")).json()["ocr_engine"] == "auto"
        assert (await client.get(f"{P}/config")).json()["default_ocr"] == "force"
        assert_problem(
            await client.put(f"{P}/ocr-mode", json={"ocr": "sometimes"}), 422, "VALIDATION_ERROR"
        )
        engine = await client.put(f"{P}/ocr-mode", json={"ocr_engine": "easyocr"})
        assert_problem(engine, 422, "VALIDATION_ERROR")
        assert (await client.get(f"{P}/config")).json()["default_ocr_engine"] == "auto"


class TestSystem:
    async def test_system_info_and_config(
        self, operator: httpx.AsyncClient, client: httpx.AsyncClient
    ) -> None:
        info = (await operator.get(f"{P}/system-info")).json()
        config = (await client.get(f"{P}/config")).json()

        assert info["engines"]["tesseract"]["available"] is True
        assert info["versions"]["python"] and info["versions"]["pypdfium2"]
        assert info["cpu"]["count"] >= 1
        assert isinstance(info["gpu"]["cuda_available"], bool)
        assert info["workers"]["size"] == 1
        assert config["workers"] == 1 and config["default_ocr"] == "auto"
        assert "eng" in config["tesseract_languages"]
