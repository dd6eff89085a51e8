"""Seeds that cannot be crawled fail the job truthfully: refused by the SSRF guard
(``SEED_REFUSED``, naming ``FOLIO_CRAWLER_ALLOWED_HOSTS``) or unreachable
(``SEED_UNREACHABLE``); a job with some good seeds completes and lists the bad ones."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.crawls.test_api import (
    CRAWL_SETTINGS,
    all_images,
    by_path,
    crawl,
    create_project,
    wait_final,
)
from tests.webcrawl.site import LocalSite
from tests.webcrawl.test_unreachable import closed_port_url


async def job(client: httpx.AsyncClient, progress: dict[str, Any]) -> dict[str, Any]:
    response = await client.get(f"/api/v1/crawl-jobs/{progress['job_id']}")
    assert response.status_code == 200, response.text
    return response.json()


class TestWithoutTheAllowList:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, object]:
        return {**CRAWL_SETTINGS, "crawler_allowed_hosts": []}

    async def test_a_refused_seed_fails_the_job_and_names_the_setting(
        self,
        client: httpx.AsyncClient,
        second_client: httpx.AsyncClient,
        test_site: LocalSite,
    ) -> None:
        project = await create_project(client)
        progress = await crawl(client, project["id"], test_site)
        assert progress["status"] == "failed", progress
        assert progress["error_code"] == "SEED_REFUSED"
        read = await job(client, progress)
        assert read["error_code"] == "SEED_REFUSED"
        assert "FOLIO_CRAWLER_ALLOWED_HOSTS" in read["error_message"]
        assert test_site.base_url + "/" in read["error_message"]
        (error,) = read["errors"]
        assert (error["url"], error["engine"], error["code"]) == (
            test_site.base_url + "/",
            "web",
            "SEED_REFUSED",
        )
        assert "FOLIO_CRAWLER_ALLOWED_HOSTS" in error["message"]
        assert test_site.hits == {}  # nothing was requested from the refused address
        assert (await second_client.get(f"/api/v1/crawl-jobs/{read['id']}")).status_code == 404

    async def test_a_refused_image_url_is_rejected_as_refused_address(
        self, client: httpx.AsyncClient, test_site: LocalSite
    ) -> None:
        project = await create_project(client)
        url_list = f"{test_site.base_url}/img/cat.jpg\nhttp://169.254.169.254/latest/x.jpg"
        progress = await crawl(client, project["id"], test_site, seeds=[], url_list=url_list)
        assert progress["status"] == "completed" and progress["images_failed"] == 2
        images = await all_images(client, f"/api/v1/crawl-jobs/{progress['job_id']}/images")
        assert {i["rejection_reason"] for i in images} == {"refused_address"}
        assert all("FOLIO_CRAWLER_ALLOWED_HOSTS" in i["rejection_message"] for i in images)
        assert test_site.hits == {}


class TestUnreachableSeeds:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, object]:
        return dict(CRAWL_SETTINGS)

    async def test_a_seed_on_a_closed_port_fails_the_job_as_unreachable(
        self, client: httpx.AsyncClient, test_site: LocalSite
    ) -> None:
        project = await create_project(client)
        seed = closed_port_url() + "/"
        progress = await crawl(client, project["id"], test_site, seeds=[seed])
        assert progress["status"] == "failed", progress
        read = await job(client, progress)
        assert read["error_code"] == "SEED_UNREACHABLE"
        assert seed in read["error_message"] and "unreachable" in read["error_message"]
        assert [(e["url"], e["code"]) for e in read["errors"]] == [(seed, "SEED_UNREACHABLE")]

    async def test_a_failing_robots_txt_fails_the_seed_as_unreachable_not_disallowed(
        self, client: httpx.AsyncClient, test_site: LocalSite
    ) -> None:
        test_site.robots_status = 500
        project = await create_project(client)
        progress = await crawl(client, project["id"], test_site)
        read = await job(client, progress)
        assert (read["status"], read["error_code"]) == ("failed", "SEED_UNREACHABLE")
        assert "robots.txt" in read["error_message"] and "HTTP 500" in read["error_message"]
        assert "robots_disallowed" not in read["error_message"]
        assert set(test_site.hits) == {"/robots.txt"}

    async def test_a_missing_robots_txt_lets_the_crawl_proceed(
        self, client: httpx.AsyncClient, test_site: LocalSite
    ) -> None:
        test_site.robots_status = 404
        project = await create_project(client)
        progress = await crawl(client, project["id"], test_site)
        assert progress["status"] == "completed" and progress["images_accepted"] >= 6
        images = by_path(
            await all_images(client, f"/api/v1/crawl-jobs/{progress['job_id']}/images"), test_site
        )
        assert images["/private/hidden.jpg"]["is_valid"]  # no robots.txt: nothing disallowed
        assert (await job(client, progress))["errors"] == []

    async def test_good_and_bad_seeds_complete_and_report_the_bad_ones(
        self, client: httpx.AsyncClient, test_site: LocalSite
    ) -> None:
        project = await create_project(client)
        closed = closed_port_url() + "/"
        seeds = [test_site.base_url + "/", closed, "http://10.255.255.1/"]
        progress = await crawl(client, project["id"], test_site, seeds=seeds)
        assert progress["status"] == "completed", progress
        assert (progress["completed_chunks"], progress["failed_chunks"]) == (1, 2)
        assert progress["images_accepted"] == 6
        read = await job(client, progress)
        assert read["error_code"] is None
        assert sorted((e["url"], e["code"]) for e in read["errors"]) == sorted(
            [(closed, "SEED_UNREACHABLE"), ("http://10.255.255.1/", "SEED_REFUSED")]
        )
        refused = next(e for e in read["errors"] if e["code"] == "SEED_REFUSED")
        assert "FOLIO_CRAWLER_ALLOWED_HOSTS" in refused["message"]

        retried = await client.post(f"/api/v1/crawl-jobs/{read['id']}/retry")
        assert retried.status_code == 200 and retried.json()["errors"] == []
        await wait_final(client, read["id"])
        again = await job(client, progress)
        assert [e["code"] for e in again["errors"]].count("SEED_REFUSED") == 1
        assert len(again["errors"]) == 2

    async def test_seeds_failing_for_different_reasons_fail_the_job_with_both_listed(
        self, client: httpx.AsyncClient, test_site: LocalSite
    ) -> None:
        project = await create_project(client)
        seeds = [closed_port_url() + "/", "http://10.255.255.1/"]
        progress = await crawl(client, project["id"], test_site, seeds=seeds)
        read = await job(client, progress)
        assert (read["status"], read["error_code"]) == ("failed", "ALL_CHUNKS_FAILED")
        assert "1 more in errors" in read["error_message"]
        assert sorted(e["code"] for e in read["errors"]) == ["SEED_REFUSED", "SEED_UNREACHABLE"]


async def test_openapi_describes_job_errors_and_the_new_rejection_reasons(
    client: httpx.AsyncClient,
) -> None:
    schemas = (await client.get("/openapi.json")).json()["components"]["schemas"]
    errors = schemas["CrawlJobRead"]["properties"]["errors"]
    assert errors["items"]["$ref"].endswith("/CrawlJobError")
    assert set(schemas["CrawlJobError"]["properties"]) == {
        "url",
        "engine",
        "chunk_id",
        "code",
        "message",
    }
    reason = schemas["ImageRead"]["properties"]["rejection_reason"]
    assert "enum" not in str(reason)  # a string: new reasons are valid values
    assert "refused_address" in reason["description"] and "unreachable" in reason["description"]
