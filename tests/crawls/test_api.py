"""Projects, crawl jobs, images, datasets and credits through HTTP, crawling the local site
with the real app (its crawl supervisor runs in the lifespan)."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import tarfile
import time
import zipfile
from typing import Any

import httpx
import pyarrow.parquet as pq
import pytest
from fastapi import FastAPI
from PIL import Image

from folio.app import create_app
from folio.config import Settings
from tests.factories import Account
from tests.helpers import assert_problem
from tests.webcrawl.site import LocalSite

CRAWL_SETTINGS = {
    "workers": 0,
    "crawler_allowed_hosts": ["127.0.0.1"],
    "crawler_timeout_s": 1.0,
    "crawler_retries": 1,
    "crawler_backoff_s": 0.05,
    "crawler_poll_s": 0.1,
    "rate_limit_enabled": False,
    "credits_initial_grant": 1000,  # new teams start with none by default
}
FINAL = {"completed", "failed", "paused", "stopped"}


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return dict(CRAWL_SETTINGS)


async def create_project(client: httpx.AsyncClient, name: str = "Pets") -> dict[str, Any]:
    response = await client.post("/api/v1/projects", json={"name": name, "description": "d"})
    assert response.status_code == 201, response.text
    return response.json()


async def crawl(
    client: httpx.AsyncClient, project_id: str, site: LocalSite, **extra: Any
) -> dict[str, Any]:
    body = {
        "project_id": project_id,
        "seeds": [site.base_url + "/"],
        "max_depth": 1,
        "quality_filters": {"min_resolution": [64, 64]},
        "labels": ["pets"],
        "start": True,
        **extra,
    }
    response = await client.post("/api/v1/crawl-jobs", json=body)
    assert response.status_code == 201, response.text
    return await wait_final(client, response.json()["id"])


async def wait_final(client: httpx.AsyncClient, job_id: str, seconds: float = 90) -> dict:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        progress = (await client.get(f"/api/v1/crawl-jobs/{job_id}/progress")).json()
        if progress["status"] in FINAL and progress["active_chunks"] == 0:
            return progress
        await asyncio.sleep(0.2)
    raise AssertionError(f"the crawl did not finish: {progress}")


async def all_images(client: httpx.AsyncClient, path: str, **params: Any) -> list[dict]:
    items, cursor = [], None
    while True:
        query = {**params, "limit": 100, **({"cursor": cursor} if cursor else {})}
        page = (await client.get(path, params=query)).json()
        items += page["items"]
        if not page["has_more"]:
            return items
        cursor = page["next_cursor"]


def by_path(images: list[dict], site: LocalSite) -> dict[str, dict]:
    return {i["source_url"].removeprefix(site.base_url): i for i in images}


class TestCrawlThroughTheApi:
    async def test_a_crawl_collects_validates_and_deduplicates(
        self, client: httpx.AsyncClient, test_site: LocalSite
    ) -> None:
        project = await create_project(client)
        progress = await crawl(client, project["id"], test_site)
        assert progress["status"] == "completed", progress
        assert progress["completed_chunks"] == progress["total_chunks"] == 1
        assert progress["progress"] == 100

        images = by_path(
            await all_images(client, f"/api/v1/crawl-jobs/{progress['job_id']}/images"), test_site
        )
        unique = {p for p, i in images.items() if i["is_valid"] and not i["is_duplicate"]}
        assert unique == {
            "/img/hero.jpg",
            "/img/cat.jpg",
            "/img/dog-small.jpg",
            "/img/flaky.jpg",
            "/img/rotated.jpg",
            "/img/redirect.jpg",
        }
        rejected = {p: i["rejection_reason"] for p, i in images.items() if not i["is_valid"]}
        assert rejected == {
            "/img/broken.jpg": "truncated",
            "/img/garbage.jpg": "not_an_image",
            "/img/tiny.png": "too_small",
            "/private/hidden.jpg": "robots_disallowed",
            "/img/slow.jpg": "download_failed",
            "/img/fail.jpg": "download_failed",
            "/img/noai-header.jpg": "noai",
        }
        assert all(images[p]["rejection_message"] for p in rejected)
        cat, copy = images["/img/cat.jpg"], images["/img/cat-copy.jpg"]
        assert (copy["duplicate_kind"], copy["duplicate_of"], copy["duplicate_distance"]) == (
            "exact",
            cat["id"],
            0,
        )
        near = images["/img/cat-reencoded.png"]
        assert near["duplicate_kind"] == "near" and near["duplicate_of"] == cat["id"]
        assert 0 <= near["duplicate_distance"] <= 8
        assert images["/img/dog.jpg"]["duplicate_of"] == images["/img/dog-small.jpg"]["id"]
        assert cat["alt_text"] == "a cat" and cat["page_url"] == test_site.base_url + "/"
        assert images["/img/hero.jpg"]["found_in"] == "og:image"
        assert images["/img/dog.jpg"]["found_in"] == "srcset"
        assert images["/img/redirect.jpg"]["final_url"].endswith("/img/bird.jpg")
        assert cat["label"] == "pets" and len(cat["sha256"]) == 64 and len(cat["phash"]) == 16

        assert progress["images_accepted"] == 6
        assert progress["images_duplicate"] == 3
        assert progress["images_failed"] == 7
        assert progress["images_validated"] == 9
        # downloaded: the valid ones plus those rejected after their bytes arrived
        assert progress["images_downloaded"] == 9 + 4

    async def test_images_download_oriented_without_metadata_and_with_thumbnails(
        self, client: httpx.AsyncClient, test_site: LocalSite
    ) -> None:
        project = await create_project(client)
        progress = await crawl(client, project["id"], test_site)
        images = by_path(
            await all_images(client, "/api/v1/images", project_id=project["id"]), test_site
        )
        rotated = images["/img/rotated.jpg"]
        assert (rotated["width"], rotated["height"]) == (300, 400)

        file = await client.get(f"/api/v1/images/{rotated['id']}/download")
        thumb = await client.get(f"/api/v1/images/{rotated['id']}/thumbnail")
        assert file.status_code == 200 and file.headers["content-type"] == "image/jpeg"
        picture = Image.open(io.BytesIO(file.content))
        assert picture.size == (300, 400) and len(picture.getexif()) == 0
        assert Image.open(io.BytesIO(thumb.content)).size == (192, 256)
        rejected = images["/img/garbage.jpg"]
        assert_problem(
            await client.get(f"/api/v1/images/{rejected['id']}/download"), 404, "NOT_FOUND"
        )
        assert progress["status"] == "completed"

    async def test_filters_on_the_image_list(
        self, client: httpx.AsyncClient, test_site: LocalSite
    ) -> None:
        project = await create_project(client)
        await crawl(client, project["id"], test_site)
        valid = await all_images(
            client, "/api/v1/images", project_id=project["id"], is_valid=True, is_duplicate=False
        )
        duplicates = await all_images(
            client, "/api/v1/images", project_id=project["id"], is_duplicate=True
        )
        large = await all_images(client, "/api/v1/images", project_id=project["id"], min_width=500)
        assert len(valid) == 6 and len(duplicates) == 3
        assert {i["source_url"].rsplit("/", 1)[1] for i in large} == {"dog.jpg"}
        page = (
            await client.get("/api/v1/images", params={"project_id": project["id"], "limit": 5})
        ).json()
        assert len(page["items"]) == 5 and page["has_more"]

    async def test_project_counts_and_events(
        self, client: httpx.AsyncClient, test_site: LocalSite
    ) -> None:
        project = await create_project(client)
        progress = await crawl(client, project["id"], test_site)
        read = (await client.get(f"/api/v1/projects/{project['id']}")).json()
        assert (read["job_count"], read["image_count"]) == (1, 6)
        events = (
            await client.get("/api/v1/events", params={"type": ["job.started", "job.completed"]})
        ).json()
        kinds = [(e["type"], e["data"]["job_id"]) for e in events["items"]]
        assert kinds == [("job.started", progress["job_id"]), ("job.completed", progress["job_id"])]

    async def test_a_second_crawl_finds_the_first_ones_images_as_duplicates(
        self, client: httpx.AsyncClient, test_site: LocalSite
    ) -> None:
        project = await create_project(client)
        await crawl(client, project["id"], test_site)
        again = await crawl(client, project["id"], test_site)
        assert again["images_accepted"] == 0
        assert again["images_duplicate"] == 9


class TestJobControl:
    async def test_validation_of_a_new_job(self, client: httpx.AsyncClient) -> None:
        project = await create_project(client)
        empty = await client.post("/api/v1/crawl-jobs", json={"project_id": project["id"]})
        web_without_seeds = await client.post(
            "/api/v1/crawl-jobs", json={"project_id": project["id"], "engines": ["web"]}
        )
        bad_filter = await client.post(
            "/api/v1/crawl-jobs",
            json={
                "project_id": project["id"],
                "seeds": ["http://x.org/"],
                "quality_filters": {"formats": ["exe"]},
            },
        )
        assert_problem(empty, 422, "VALIDATION_ERROR")
        assert (
            assert_problem(web_without_seeds, 422, "VALIDATION_ERROR")["errors"][0]["field"]
            == "seeds"
        )
        assert_problem(bad_filter, 422, "VALIDATION_ERROR")

    async def test_url_lists_become_chunks_with_labels(
        self, client: httpx.AsyncClient, test_site: LocalSite
    ) -> None:
        project = await create_project(client)
        listing = "url,label\n" + "\n".join(
            f"{test_site.base_url}/img/{name},{label}"
            for name, label in (("cat.jpg", "cat"), ("bird.jpg", "bird"), ("tiny.png", "x"))
        )
        response = await client.post(
            "/api/v1/crawl-jobs",
            json={
                "project_id": project["id"],
                "url_list": listing,
                "start": True,
                "quality_filters": {"min_resolution": [64, 64]},
            },
        )
        assert response.status_code == 201, response.text
        assert response.json()["engines"] == ["urls"]
        progress = await wait_final(client, response.json()["id"])
        images = by_path(
            await all_images(client, f"/api/v1/crawl-jobs/{progress['job_id']}/images"), test_site
        )
        assert {p: (i["label"], i["is_valid"]) for p, i in images.items()} == {
            "/img/cat.jpg": ("cat", True),
            "/img/bird.jpg": ("bird", True),
            "/img/tiny.png": ("x", False),
        }
        assert {i["source"] for i in images.values()} == {"urls"}

    async def test_an_unreachable_seed_fails_its_chunk_and_retry_runs_it_again(
        self, client: httpx.AsyncClient, test_site: LocalSite
    ) -> None:
        project = await create_project(client)
        progress = await crawl(
            client, project["id"], test_site, seeds=[test_site.base_url + "/missing.html"]
        )
        assert progress["status"] == "failed" and progress["failed_chunks"] == 1
        job_id = progress["job_id"]
        (chunk,) = (await client.get(f"/api/v1/crawl-jobs/{job_id}/chunks")).json()
        assert chunk["error_code"] == "SEED_UNREACHABLE" and "http_404" in chunk["error_message"]
        events = (await client.get("/api/v1/events", params={"type": "job.failed"})).json()["items"]
        assert [e["data"]["job_id"] for e in events] == [job_id]

        retried = await client.post(f"/api/v1/crawl-jobs/{job_id}/retry")
        assert retried.status_code == 200 and retried.json()["status"] == "running"
        again = await wait_final(client, job_id)
        assert again["status"] == "failed"
        (chunk,) = (await client.get(f"/api/v1/crawl-jobs/{job_id}/chunks")).json()
        assert chunk["attempts"] == 2
        assert_problem(await client.post(f"/api/v1/crawl-jobs/{job_id}/start"), 409, "CONFLICT")

    async def test_overlapping_seeds_record_each_url_once(
        self, client: httpx.AsyncClient, test_site: LocalSite
    ) -> None:
        project = await create_project(client)
        seeds = [test_site.base_url + "/", test_site.base_url + "/gallery.html"]
        progress = await crawl(client, project["id"], test_site, seeds=seeds)
        assert progress["status"] == "completed", progress
        assert progress["completed_chunks"] == 2 and progress["failed_chunks"] == 0
        images = await all_images(client, f"/api/v1/crawl-jobs/{progress['job_id']}/images")
        urls = [i["source_url"] for i in images]
        # the gallery seed reaches /deep/level2.html at depth 1: outside.jpg joins
        assert len(urls) == len(set(urls)) == 17
        assert progress["images_accepted"] == 7

    async def test_max_images_ends_the_job(
        self, client: httpx.AsyncClient, test_site: LocalSite
    ) -> None:
        project = await create_project(client)
        progress = await crawl(client, project["id"], test_site, max_images=2)
        assert progress["status"] == "completed"
        assert progress["images_accepted"] == 2
        balance = (await client.get("/api/v1/credits/balance")).json()
        assert balance["current_balance"] == 1000 - 2


class TestStopAndResume:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, object]:
        return {**CRAWL_SETTINGS, "crawler_downloads_per_chunk": 2}  # stops between pairs

    async def test_stop_then_start_resumes_without_duplicating(
        self, client: httpx.AsyncClient, test_site: LocalSite
    ) -> None:
        project = await create_project(client)
        created = await client.post(
            "/api/v1/crawl-jobs",
            json={
                "project_id": project["id"],
                "seeds": [test_site.base_url + "/"],
                "max_depth": 1,
                "quality_filters": {"min_resolution": [64, 64]},
                "start": True,
            },
        )
        job_id = created.json()["id"]
        await asyncio.sleep(0.5)  # the gallery's slow image keeps the chunk busy for ~2 s
        stopped = await client.post(f"/api/v1/crawl-jobs/{job_id}/stop")
        assert stopped.json()["status"] == "stopped"
        halted = await wait_final(client, job_id)
        assert halted["status"] == "stopped" and halted["pending_chunks"] == 1
        assert halted["images_accepted"] < 6
        assert (await client.post(f"/api/v1/crawl-jobs/{job_id}/start")).json()[
            "status"
        ] == "running"
        progress = await wait_final(client, job_id)
        assert progress["status"] == "completed" and progress["images_accepted"] == 6
        assert progress["images_validated"] + progress["images_failed"] == 16  # each URL once


class TestDatasets:
    async def export(self, client: httpx.AsyncClient, project_id: str, **body: Any) -> dict:
        response = await client.post(f"/api/v1/projects/{project_id}/datasets", json=body)
        assert response.status_code == 202, response.text
        dataset = (
            await client.get(f"/api/v1/datasets/{response.json()['id']}", params={"wait": 30})
        ).json()
        assert dataset["status"] == "ready", dataset
        return dataset

    async def test_zip_with_manifests_split_and_licence_columns(
        self, client: httpx.AsyncClient, test_site: LocalSite
    ) -> None:
        project = await create_project(client)
        await crawl(client, project["id"], test_site)
        dataset = await self.export(
            client,
            project["id"],
            format="zip",
            split={"train": 0.5, "val": 0.25, "test": 0.25},
            seed=7,
        )
        assert dataset["image_count"] == 6
        assert dataset["split_counts"] == {"train": 3, "val": 2, "test": 1}
        download = await client.get(dataset["download_url"])
        assert download.status_code == 200 and download.headers["content-type"] == "application/zip"
        archive = zipfile.ZipFile(io.BytesIO(download.content))
        names = archive.namelist()
        assert "manifest.csv" in names and "manifest.jsonl" in names
        rows = list(csv.DictReader(io.StringIO(archive.read("manifest.csv").decode())))
        assert len(rows) == 6 and {"license", "attribution", "creator", "split"} <= set(rows[0])
        assert all(row["file"] in names for row in rows)
        jsonl = [json.loads(line) for line in archive.read("manifest.jsonl").splitlines()]
        assert sorted(r["id"] for r in jsonl) == sorted(r["id"] for r in rows)
        again = await self.export(
            client,
            project["id"],
            format="zip",
            split={"train": 0.5, "val": 0.25, "test": 0.25},
            seed=7,
        )
        again_rows = csv.DictReader(
            io.StringIO(
                zipfile.ZipFile(io.BytesIO((await client.get(again["download_url"])).content))
                .read("manifest.csv")
                .decode()
            )
        )
        assert {r["id"]: r["split"] for r in again_rows} == {r["id"]: r["split"] for r in rows}
        events = (await client.get("/api/v1/events", params={"type": "dataset.ready"})).json()
        assert [e["data"]["dataset_id"] for e in events["items"]] == [dataset["id"], again["id"]]

    async def test_webdataset_and_parquet(
        self, client: httpx.AsyncClient, test_site: LocalSite
    ) -> None:
        project = await create_project(client)
        await crawl(client, project["id"], test_site)
        shards = await self.export(client, project["id"], format="webdataset", shard_size=2)
        archive = io.BytesIO((await client.get(shards["download_url"])).content)
        members: list[str] = []
        with tarfile.open(fileobj=archive) as outer:
            shard_names = [n for n in outer.getnames() if n.endswith(".tar")]
            assert shard_names[0] == "train-000000.tar"
            for name in shard_names:
                with tarfile.open(fileobj=outer.extractfile(name)) as inner:
                    members += inner.getnames()
        assert sum(m.endswith(".json") for m in members) == 6
        assert sum(m.endswith(".jpg") for m in members) == 6

        table = await self.export(client, project["id"], format="parquet", include_images=True)
        frame = pq.read_table(io.BytesIO((await client.get(table["download_url"])).content))
        assert frame.num_rows == 6
        assert {"license", "attribution", "split", "image", "phash"} <= set(frame.column_names)
        first = frame.to_pylist()[0]
        assert Image.open(io.BytesIO(first["image"])).size == (first["width"], first["height"])

    async def test_a_dataset_that_is_not_ready_cannot_be_downloaded(
        self, client: httpx.AsyncClient
    ) -> None:
        project = await create_project(client)
        empty = await self.export(client, project["id"])
        assert empty["image_count"] == 0
        split = {"train": 0.9, "val": 0.9, "test": 0.0}
        bad = await client.post(f"/api/v1/projects/{project['id']}/datasets", json={"split": split})
        assert_problem(bad, 422, "VALIDATION_ERROR")


class TestCredits:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, object]:
        return {**CRAWL_SETTINGS, "credits_initial_grant": 3}

    async def test_the_job_pauses_when_credits_run_out_and_resumes_after_a_grant(
        self,
        client: httpx.AsyncClient,
        anonymous_client: httpx.AsyncClient,
        app: FastAPI,
        admin: Account,
        test_site: LocalSite,
    ) -> None:
        await client.patch(
            "/api/v1/credits/settings",
            json={
                "low_balance_threshold": 2,
                "auto_refill_enabled": True,
                "refill_threshold": 2,
                "refill_amount": 50,
            },
        )
        project = await create_project(client)
        progress = await crawl(client, project["id"], test_site)
        assert progress["status"] == "paused" and progress["error_code"] == "INSUFFICIENT_CREDITS"
        assert progress["images_accepted"] == 3
        balance = (await client.get("/api/v1/credits/balance")).json()
        assert balance["current_balance"] == 0 and balance["monthly_usage"] == 3
        kinds = [
            e["type"]
            for e in (
                await client.get(
                    "/api/v1/events", params={"type": ["credits.low", "credits.depleted"]}
                )
            ).json()["items"]
        ]
        assert kinds == ["credits.low", "credits.depleted"]
        refill = (
            await client.get("/api/v1/credits/transactions", params={"type": "refill_request"})
        ).json()["items"]
        assert len(refill) == 1 and "50" in refill[0]["description"]

        by_key = await client.post(
            "/api/v1/credits/grants", json={"team_id": admin.team_id, "amount": 10}
        )
        assert_problem(by_key, 403, "FORBIDDEN")  # API keys never carry system:admin
        login = await anonymous_client.post(
            "/api/v1/auth/login",
            json={"email": admin.email, "password": app.state.initial_credentials.password},
        )
        token = login.json()["tokens"]["access_token"]
        granted = await anonymous_client.post(
            "/api/v1/credits/grants",
            json={"team_id": admin.team_id, "amount": 10, "description": "order 123"},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert granted.status_code == 201, granted.text
        assert granted.json()["balance_after"] == 10

        assert (
            await client.post(f"/api/v1/crawl-jobs/{progress['job_id']}/start")
        ).status_code == 200
        resumed = await wait_final(client, progress["job_id"])
        assert resumed["status"] == "completed" and resumed["images_accepted"] == 6
        assert resumed["images_duplicate"] == 3  # nothing recorded twice after the pause
        balance = (await client.get("/api/v1/credits/balance")).json()
        assert balance["current_balance"] == 10 - 3
        usage = (await client.get("/api/v1/credits/usage", params={"granularity": "month"})).json()
        assert usage["total"] == 6 and len(usage["buckets"]) >= 1
        listed = (await client.get("/api/v1/credits/transactions")).json()["items"]
        assert [t["kind"] for t in listed][-1] == "grant"  # the welcome credits, oldest

    async def test_a_failed_chunk_is_refunded(
        self, client: httpx.AsyncClient, test_site: LocalSite
    ) -> None:
        project = await create_project(client)
        progress = await crawl(
            client, project["id"], test_site, seeds=[test_site.base_url + "/missing.html"]
        )
        assert progress["status"] == "failed" and progress["credits_used"] == 0
        assert (await client.get("/api/v1/credits/balance")).json()["current_balance"] == 3


class TestTenancy:
    async def test_another_team_sees_none_of_it(
        self,
        client: httpx.AsyncClient,
        second_client: httpx.AsyncClient,
        test_site: LocalSite,
    ) -> None:
        project = await create_project(client)
        progress = await crawl(client, project["id"], test_site, max_images=1)
        image = (await client.get("/api/v1/images", params={"project_id": project["id"]})).json()[
            "items"
        ][0]
        dataset = (await client.post(f"/api/v1/projects/{project['id']}/datasets", json={})).json()
        for path in (
            f"/api/v1/projects/{project['id']}",
            f"/api/v1/crawl-jobs/{progress['job_id']}",
            f"/api/v1/crawl-jobs/{progress['job_id']}/progress",
            f"/api/v1/crawl-jobs/{progress['job_id']}/images",
            f"/api/v1/images/{image['id']}",
            f"/api/v1/images/{image['id']}/download",
            f"/api/v1/datasets/{dataset['id']}",
        ):
            assert_problem(await second_client.get(path), 404, "NOT_FOUND")
        foreign_job = await second_client.post(
            "/api/v1/crawl-jobs", json={"project_id": project["id"], "seeds": ["http://x.org/"]}
        )
        assert_problem(foreign_job, 404, "NOT_FOUND")
        assert (await second_client.get("/api/v1/projects")).json()["items"] == []
        assert (await second_client.get("/api/v1/images")).json()["items"] == []
        assert (await second_client.get("/api/v1/crawl-jobs")).json()["items"] == []
        assert_problem(
            await second_client.delete(f"/api/v1/projects/{project['id']}"), 404, "NOT_FOUND"
        )
        assert (await client.get(f"/api/v1/projects/{project['id']}")).status_code == 200

    async def test_a_viewer_reads_but_cannot_write(
        self, client: httpx.AsyncClient, viewer_client: httpx.AsyncClient
    ) -> None:
        project = await create_project(client)
        assert (await viewer_client.get(f"/api/v1/projects/{project['id']}")).status_code == 200
        assert (await viewer_client.get("/api/v1/credits/balance")).status_code == 200
        for method, path, body in (
            ("POST", "/api/v1/projects", {"name": "x"}),
            ("PATCH", f"/api/v1/projects/{project['id']}", {"name": "y"}),
            ("DELETE", f"/api/v1/projects/{project['id']}", None),
            (
                "POST",
                "/api/v1/crawl-jobs",
                {"project_id": project["id"], "seeds": ["http://x.org/"]},
            ),
            ("POST", f"/api/v1/projects/{project['id']}/datasets", {}),
            ("PATCH", "/api/v1/credits/settings", {"low_balance_threshold": 1}),
        ):
            response = await viewer_client.request(method, path, json=body)
            assert_problem(response, 403, "FORBIDDEN")

    async def test_projects_crud(self, client: httpx.AsyncClient) -> None:
        project = await create_project(client, "First")
        renamed = await client.patch(
            f"/api/v1/projects/{project['id']}", json={"name": "Renamed", "description": None}
        )
        assert renamed.json()["name"] == "Renamed" and renamed.json()["description"] is None
        listed = (await client.get("/api/v1/projects")).json()["items"]
        assert [p["id"] for p in listed] == [project["id"]]
        assert (await client.delete(f"/api/v1/projects/{project['id']}")).status_code == 204
        assert_problem(await client.get(f"/api/v1/projects/{project['id']}"), 404, "NOT_FOUND")


class TestRestart:
    async def test_a_crawl_interrupted_by_a_shutdown_resumes_after_a_restart(
        self, settings: Settings, test_site: LocalSite
    ) -> None:
        """The chunk state is in the database: stopping the server mid-crawl loses nothing
        and a new server process finishes the job without recording a URL twice."""
        settings = settings.model_copy(update={"crawler_downloads_per_chunk": 2})
        first = create_app(settings)
        async with first.router.lifespan_context(first):
            key = first.state.initial_credentials.api_key
            async with client_for(first, key) as client:
                project = await create_project(client)
                created = await client.post(
                    "/api/v1/crawl-jobs",
                    json={
                        "project_id": project["id"],
                        "seeds": [test_site.base_url + "/"],
                        "max_depth": 1,
                        "quality_filters": {"min_resolution": [64, 64]},
                        "start": True,
                    },
                )
                job_id = created.json()["id"]
                await asyncio.sleep(0.5)
        second = create_app(settings)
        async with second.router.lifespan_context(second), client_for(second, key) as client:
            interrupted = (await client.get(f"/api/v1/crawl-jobs/{job_id}/progress")).json()
            progress = await wait_final(client, job_id)
        assert interrupted["images_accepted"] < 6
        assert progress["status"] == "completed" and progress["images_accepted"] == 6
        assert progress["images_validated"] + progress["images_failed"] == 16


def client_for(app: FastAPI, key: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://folio",
        headers={"Authorization": f"Bearer {key}"},
    )
