"""Crawl jobs live at /api/v1/crawl-jobs; /api/v1/jobs is their deprecated alias for one
release (it collides with document-processing jobs)."""

from __future__ import annotations

import httpx
import pytest

from tests.crawls.test_api import CRAWL_SETTINGS, create_project
from tests.helpers import assert_problem

SUCCESSOR = '<{path}>; rel="successor-version"'


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return {**CRAWL_SETTINGS, "crawler_max_running_chunks": 0}  # nothing runs the job


async def create_job(client: httpx.AsyncClient, base: str) -> dict:
    project = await create_project(client)
    body = {"project_id": project["id"], "seeds": ["http://127.0.0.1:9/"]}
    response = await client.post(base, json=body)
    assert response.status_code == 201, response.text
    return response.json()


class TestCrawlJobsPath:
    async def test_serves_crawl_jobs_without_a_deprecation(self, client: httpx.AsyncClient) -> None:
        job = await create_job(client, "/api/v1/crawl-jobs")
        for path in ("", "/progress", "/chunks", "/images"):
            response = await client.get(f"/api/v1/crawl-jobs/{job['id']}{path}")
            assert response.status_code == 200, (path, response.text)
            assert "deprecation" not in response.headers
        listed = (await client.get("/api/v1/crawl-jobs")).json()["items"]
        assert [j["id"] for j in listed] == [job["id"]]


class TestDeprecatedJobsAlias:
    async def test_same_handlers_with_a_deprecation_and_a_successor_link(
        self, client: httpx.AsyncClient
    ) -> None:
        job = await create_job(client, "/api/v1/jobs")
        for path in ("", "/progress", "/chunks", "/images"):
            old = await client.get(f"/api/v1/jobs/{job['id']}{path}")
            new = await client.get(f"/api/v1/crawl-jobs/{job['id']}{path}")
            assert old.status_code == 200, (path, old.text)
            assert old.json() == new.json() or path == "/progress"  # progress holds an estimate
            assert old.headers["deprecation"] == "true"
            successor = SUCCESSOR.format(path=f"/api/v1/crawl-jobs/{job['id']}{path}")
            assert old.headers["link"] == successor
        stopped = await client.post(f"/api/v1/jobs/{job['id']}/stop")
        assert stopped.json()["status"] == "stopped"
        assert stopped.headers["link"] == SUCCESSOR.format(
            path=f"/api/v1/crawl-jobs/{job['id']}/stop"
        )

    async def test_any_character_in_the_old_path_is_a_404_not_a_500(
        self, client: httpx.AsyncClient
    ) -> None:
        # a decoded "€" in the successor link once made the header unencodable: a 500
        response = await client.get("/api/v1/jobs/job_%E2%82%AC%20x/chunks")

        assert_problem(response, 404, "NOT_FOUND")

    async def test_openapi_marks_only_the_old_paths_deprecated(
        self, client: httpx.AsyncClient
    ) -> None:
        paths = (await client.get("/openapi.json")).json()["paths"]
        old = {p: ops for p, ops in paths.items() if p.startswith("/api/v1/jobs")}
        new = {p: ops for p, ops in paths.items() if p.startswith("/api/v1/crawl-jobs")}
        assert {p.removeprefix("/api/v1/jobs") for p in old} == {
            p.removeprefix("/api/v1/crawl-jobs") for p in new
        }
        assert len(new) == 8
        assert all(op.get("deprecated") is True for ops in old.values() for op in ops.values())
        assert not any(op.get("deprecated") for ops in new.values() for op in ops.values())
