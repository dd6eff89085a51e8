"""GET /metrics: who may read it, and that real work moves the numbers (embedded backend: the
pipeline runs in worker processes whose samples the API's scrape adds up)."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from folio.metrics import store
from tests.conftest import SCALEOUT, corpus
from tests.helpers import assert_problem, upload_ok, wait_settled
from tests.live import serving
from tests.metrics.scrape import BEARER, TOKEN, admin_headers, samples, scrape, value

FOUR_PAGES_PDF = "pypdf_sample_files/004-pdflatex-4-pages/pdflatex-4-pages.pdf"
DOCUMENT_ROUTE = "/api/v1/documents/{document_id}"


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return {"metrics_token": TOKEN}


class TestAccess:
    async def test_anonymous_is_refused(self, anonymous_client: httpx.AsyncClient) -> None:
        assert_problem(await anonymous_client.get("/metrics"), 401, "UNAUTHORIZED")

    async def test_wrong_token_is_refused(self, anonymous_client: httpx.AsyncClient) -> None:
        response = await anonymous_client.get(
            "/metrics", headers={"Authorization": "Bearer not-the-token"}
        )
        assert_problem(response, 401, "INVALID_TOKEN")

    async def test_a_user_who_is_not_system_admin_is_refused(
        self, second_client: httpx.AsyncClient
    ) -> None:
        assert_problem(await second_client.get("/metrics"), 403, "FORBIDDEN")

    async def test_the_token_reads_them(self, anonymous_client: httpx.AsyncClient) -> None:
        found = await scrape(anonymous_client, headers=BEARER)
        assert value(found, "folio_database_up") == 1

    async def test_a_system_admin_reads_them_without_the_token(
        self, app: FastAPI, anonymous_client: httpx.AsyncClient
    ) -> None:
        headers = await admin_headers(anonymous_client, app)
        found = await scrape(anonymous_client, headers=headers)
        assert any(sample.name == "folio_jobs" for sample in found)

    async def test_the_admins_api_key_is_not_enough(self, client: httpx.AsyncClient) -> None:
        assert_problem(await client.get("/metrics"), 403, "FORBIDDEN")


class TestWithoutToken:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, object]:
        return {"metrics_token": None}

    async def test_only_a_system_admin(
        self, app: FastAPI, anonymous_client: httpx.AsyncClient
    ) -> None:
        response = await anonymous_client.get("/metrics", headers=BEARER)
        assert_problem(response, 401, "INVALID_TOKEN")
        await scrape(anonymous_client, headers=await admin_headers(anonymous_client, app))


class TestHttpRequests:
    async def test_counted_by_route_template_not_raw_path(
        self, client: httpx.AsyncClient, anonymous_client: httpx.AsyncClient
    ) -> None:
        before = await scrape(anonymous_client, headers=BEARER)
        missing = "doc_00000000000000000000000000"
        for _ in range(3):
            assert (await client.get(f"/api/v1/documents/{missing}")).status_code == 404
        assert (await client.get("/no/such/path")).status_code == 404

        after = await scrape(anonymous_client, headers=BEARER)
        labels = {"route": DOCUMENT_ROUTE, "method": "GET", "status": "404"}
        grown = value(after, "folio_http_requests_total", **labels) - value(
            before, "folio_http_requests_total", **labels
        )
        assert grown == 3
        histogram = {"route": DOCUMENT_ROUTE, "method": "GET"}
        count = "folio_http_request_duration_seconds_count"
        assert value(after, count, **histogram) - value(before, count, **histogram) == 3
        assert value(after, "folio_http_requests_total", route="unmatched") >= 1
        assert not any(missing in str(sample.labels) for sample in after)
        assert not any("/no/such/path" in str(sample.labels) for sample in after)


@pytest.mark.skipif(SCALEOUT, reason="Celery workers write to their own host's directory")
class TestProcessing:
    async def test_worker_processes_samples_are_in_the_api_scrape(
        self, app: FastAPI, client: httpx.AsyncClient, anonymous_client: httpx.AsyncClient
    ) -> None:
        before = await scrape(anonymous_client, headers=BEARER)

        document = await upload_ok(client, corpus(FOUR_PAGES_PDF))
        settled = await wait_settled(client, document["id"])
        assert settled["status"] == "completed"

        after = await scrape(anonymous_client, headers=BEARER)

        def grew(name: str, **labels: str) -> float:
            return value(after, name, **labels) - value(before, name, **labels)

        processed = {"status": "completed", "kind": "pdf", "engine": "none"}
        assert grew("folio_documents_processed_total", **processed) == 1
        assert grew("folio_pages_processed_total", kind="pdf", source="text_layer") == 4
        assert grew("folio_stage_duration_seconds_count", stage="extraction", kind="pdf") == 1
        assert grew("folio_http_requests_total", route="/api/v1/documents", status="202") == 1
        # recorded by the pipeline's own process, not by the API process
        worker = app.state.runtime.dispatcher.slots[0].process
        directory = store.active_directory()
        assert worker is not None and directory is not None
        assert (directory / f"counter_{worker.pid}.db").exists()

    async def test_a_failed_document_is_counted_as_failed(
        self, client: httpx.AsyncClient, anonymous_client: httpx.AsyncClient
    ) -> None:
        before = await scrape(anonymous_client, headers=BEARER)
        broken = b"%PDF-1.7\n" + b"\x00garbage" * 200
        document = await upload_ok(
            client, content=broken, filename="broken.pdf", content_type="application/pdf"
        )
        assert (await wait_settled(client, document["id"]))["status"] == "failed"

        after = await scrape(anonymous_client, headers=BEARER)
        name = "folio_documents_processed_total"
        assert value(after, name, status="failed") - value(before, name, status="failed") == 1


class TestDamagedStore:
    async def test_is_a_503_problem_not_a_500(self, anonymous_client: httpx.AsyncClient) -> None:
        directory = store.active_directory()
        assert directory is not None
        damaged = directory / "counter_0.db"  # no process has pid 0
        damaged.write_bytes(b"not a sample file")
        try:
            response = await anonymous_client.get("/metrics", headers=BEARER)
        finally:
            damaged.unlink()

        assert_problem(response, 503, "SERVICE_UNAVAILABLE")
        await scrape(anonymous_client, headers=BEARER)  # fine again


class TestRealServer:
    async def test_scraped_over_a_real_connection(self, app: FastAPI) -> None:
        # httpx's default 5 s read timeout is too short for a scrape on a loaded CI machine
        async with serving(app) as url, httpx.AsyncClient(base_url=url, timeout=60) as http:
            assert (await http.get("/health/live")).status_code == 200
            response = await http.get("/metrics", headers=BEARER)

        assert response.status_code == 200
        found = samples(response.text)
        assert value(found, "folio_http_requests_total", route="/health/live") >= 1
        assert value(found, "folio_database_up") == 1
        assert any(sample.name == "folio_db_pool_connections" for sample in found)
        assert value(found, "folio_data_dir_disk_bytes", state="free") > 0


class TestAdminListener:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, object]:
        return {"metrics_token": None, "metrics_listen": "127.0.0.1:0"}

    async def test_serves_metrics_without_credentials(self, app: FastAPI) -> None:
        port = app.state.metrics_listener.port
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=60) as http:
            response = await http.get("/metrics")
            other = await http.get("/api/v1/documents")

        assert response.status_code == 200
        assert value(samples(response.text), "folio_database_up") == 1
        assert other.status_code == 404
