from __future__ import annotations

from datetime import UTC, date, datetime

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import update

from folio.analytics.histograms import HTTP, PAGE, HistogramBuffer
from folio.documents.models import Document
from tests.conftest import corpus
from tests.factories import Account
from tests.helpers import assert_problem, upload_ok, wait_settled

TRIVIAL_PDF = "pypdf_sample_files/001-trivial/minimal-document.pdf"
FOUR_PAGES_PDF = "pypdf_sample_files/004-pdflatex-4-pages/pdflatex-4-pages.pdf"
USAGE = "/api/v1/analytics/usage"
PERFORMANCE = "/api/v1/analytics/performance"
QUALITY = "/api/v1/analytics/quality"
DASHBOARD = "/api/v1/analytics/dashboard"


class Counter:
    """Counts the requests a client sends, so the expected API calls are known exactly."""

    def __init__(self) -> None:
        self.requests = 0

    async def __call__(self, request: httpx.Request) -> None:
        self.requests += 1


async def processed_team(client: httpx.AsyncClient, counter: Counter) -> list[dict]:
    client.event_hooks["request"].append(counter)
    documents = [
        await upload_ok(client, corpus(TRIVIAL_PDF)),
        await upload_ok(client, corpus(FOUR_PAGES_PDF)),
    ]
    settled = [await wait_settled(client, d["id"]) for d in documents]
    for _ in range(5):
        assert (await client.get("/api/v1/documents")).status_code == 200
    client.event_hooks["request"].remove(counter)
    return settled


class TestUsage:
    async def test_figures_equal_what_the_test_did(
        self, second_client: httpx.AsyncClient, second_account: Account
    ) -> None:
        counter = Counter()
        settled = await processed_team(second_client, counter)
        body = (await second_client.get(USAGE)).json()
        totals = body["totals"]
        assert body["team_id"] == second_account.team_id
        assert totals["documents"] == 2
        assert totals["pages"] == sum(d["page_count"] for d in settled) == 5
        sizes = corpus(TRIVIAL_PDF).stat().st_size + corpus(FOUR_PAGES_PDF).stat().st_size
        assert totals["uploaded_bytes"] == totals["storage_bytes"] == sizes
        assert totals["api_calls"] == counter.requests
        assert totals["api_errors"] == 0
        today = datetime.now(UTC).date().isoformat()
        assert len(body["series"]) == 30  # every day of the default period, zeros included
        day = next(p for p in body["series"] if p["period"] == today)
        assert (day["documents"], day["pages"], day["api_calls"]) == (2, 5, counter.requests)
        # the same requests and documents in the performance figures and the dashboard
        performance = (await second_client.get(PERFORMANCE)).json()
        listing = next(r for r in performance["routes"] if r["route"] == "GET /api/v1/documents")
        assert listing["count"] == 5 and listing["p95_ms"] is not None
        pdf = next(k for k in performance["document_kinds"] if k["kind"] == "pdf")
        assert pdf["count"] == 5  # pages: one observation per page
        dashboard = (await second_client.get(DASHBOARD, params={"period": "this_month"})).json()
        assert dashboard["usage"]["documents"] == 2
        assert dashboard["documents_by_status"] == {"completed": 2}
        assert dashboard["api_latency"]["count"] >= counter.requests
        assert date.fromisoformat(dashboard["start"]).day == 1

    async def test_grouped_by_route_and_month(self, second_client: httpx.AsyncClient) -> None:
        for _ in range(3):
            await second_client.get("/api/v1/documents")
        body = (
            await second_client.get(
                USAGE, params={"group_by": "route", "granularity": "month", "period": "7d"}
            )
        ).json()
        listing = [p for p in body["series"] if p["group"] == "GET /api/v1/documents"]
        assert len(listing) == 1 and listing[0]["api_calls"] == 3
        assert date.fromisoformat(listing[0]["period"]).day == 1

    async def test_grouped_by_key(self, second_client: httpx.AsyncClient) -> None:
        keys = (await second_client.get("/api/v1/keys")).json()["items"]
        await second_client.get("/api/v1/documents")
        body = (await second_client.get(USAGE, params={"group_by": "key"})).json()
        groups = {p["group"] for p in body["series"]}
        assert groups == {keys[0]["id"]}
        assert body["totals"]["api_calls"] == 2

    async def test_other_team_sees_nothing(
        self, client: httpx.AsyncClient, second_client: httpx.AsyncClient
    ) -> None:
        await upload_ok(second_client, corpus(TRIVIAL_PDF))
        for _ in range(4):
            await second_client.get("/api/v1/documents")
        body = (await client.get(USAGE)).json()
        assert body["totals"]["documents"] == 0
        assert body["totals"]["storage_bytes"] == 0

    async def test_another_teams_id_is_not_found(
        self, second_client: httpx.AsyncClient, admin: Account
    ) -> None:
        response = await second_client.get(USAGE, params={"team_id": admin.team_id})
        assert_problem(response, 404, "NOT_FOUND")

    @pytest.mark.parametrize(
        "params",
        [
            {"period": "banana"},
            {"period": "0d"},
            {"period": "400d"},
            {"start": "2026-05-02", "end": "2026-05-01"},
            {"start": "2024-01-01", "end": "2026-01-01"},
            {"period": "7d", "start": "2026-05-01"},
            {"start": "not-a-date"},
            {"granularity": "hour"},
            {"group_by": "colour"},
        ],
    )
    async def test_bad_input_is_a_422_problem(
        self, client: httpx.AsyncClient, params: dict[str, str]
    ) -> None:
        assert_problem(await client.get(USAGE, params=params), 422, "VALIDATION_ERROR")

    async def test_anonymous_is_401(self, anonymous_client: httpx.AsyncClient) -> None:
        assert_problem(await anonymous_client.get(USAGE), 401, "UNAUTHORIZED")


class TestPermissions:
    async def test_key_without_analytics_scope_is_403(self, client: httpx.AsyncClient) -> None:
        created = await client.post(
            "/api/v1/keys", json={"name": "docs only", "scopes": ["documents:read"]}
        )
        assert created.status_code == 201, created.text
        headers = {"Authorization": f"Bearer {created.json()['key']}"}
        for path in (USAGE, PERFORMANCE, QUALITY, DASHBOARD):
            assert_problem(await client.get(path, headers=headers), 403, "FORBIDDEN")

    async def test_viewer_reads_analytics(self, viewer_client: httpx.AsyncClient) -> None:
        assert (await viewer_client.get(DASHBOARD)).status_code == 200

    async def test_admin_routes_need_system_admin(
        self,
        client: httpx.AsyncClient,
        second_client: httpx.AsyncClient,
        second_account: Account,
        admin_headers: dict[str, str],
    ) -> None:
        for other in (second_client, client):  # a key never carries system:admin
            assert_problem(await other.get("/api/v1/admin/analytics/usage"), 403, "FORBIDDEN")
        await upload_ok(second_client, corpus(TRIVIAL_PDF))
        admin_usage = "/api/v1/admin/analytics/usage"
        everyone = (await client.get(admin_usage, headers=admin_headers)).json()
        assert everyone["team_id"] is None and everyone["totals"]["documents"] == 1
        one = await client.get(
            admin_usage, headers=admin_headers, params={"team_id": second_account.team_id}
        )
        assert one.json()["totals"]["documents"] == 1
        same = await client.get(
            USAGE, headers=admin_headers, params={"team_id": second_account.team_id}
        )
        assert same.json()["team_id"] == second_account.team_id
        assert same.json()["totals"]["documents"] == 1


class TestPerformance:
    async def test_percentiles_from_stored_histograms(
        self, app: FastAPI, client: httpx.AsyncClient, admin: Account
    ) -> None:
        buffer = HistogramBuffer()
        for value in [3.0] * 50 + [150.0] * 45 + [4000.0] * 5:  # 100 requests
            buffer.record(admin.team_id, HTTP, "GET /api/v1/things", value)
        for _ in range(2):
            buffer.record(admin.team_id, PAGE, "pdf", 700.0)
        await buffer.flush(app.state.runtime.db)
        body = (await client.get(PERFORMANCE)).json()
        route = next(r for r in body["routes"] if r["route"] == "GET /api/v1/things")
        assert route["count"] == 100
        assert route["mean_ms"] == pytest.approx((150 + 45 * 150 + 5 * 4000) / 100)
        assert 2 <= route["p50_ms"] <= 5  # the 50th of 100 values is a 3 ms one
        assert 100 <= route["p95_ms"] <= 200
        assert 2000 <= route["p99_ms"] <= 5000
        kind = next(k for k in body["document_kinds"] if k["kind"] == "pdf")
        assert kind["count"] == 2 and 500 <= kind["p50_ms"] <= 1000

    async def test_other_team_sees_none(
        self, client: httpx.AsyncClient, second_client: httpx.AsyncClient
    ) -> None:
        for _ in range(3):
            await second_client.get("/api/v1/documents")
        body = (await client.get(PERFORMANCE)).json()
        assert all(r["route"] != "GET /api/v1/documents" for r in body["routes"])


class TestQualityAndDashboard:
    async def test_corrections_and_classifier_accuracy(
        self, app: FastAPI, second_client: httpx.AsyncClient
    ) -> None:
        first, second = await processed_team(second_client, Counter())
        # analysis is off in tests: stand in for the classifier's prediction
        async with app.state.runtime.db.session() as session:
            await session.execute(
                update(Document)
                .where(Document.id.in_([first["id"], second["id"]]))
                .values(document_type="invoice")
            )
        for document, label in ((first, "invoice"), (second, "contract")):
            response = await second_client.put(
                f"/api/v1/documents/{document['id']}/classification",
                json={"document_type": label},
            )
            assert response.status_code == 200, response.text
        body = (await second_client.get(QUALITY)).json()
        assert body["classifier"] == {
            "corrections": 2,
            "evaluated": 2,
            "correct": 1,
            "accuracy": 0.5,
        }
        assert len(body["ocr"]["distribution"]) == 10
        assert body["fields"]["extractions"] == 0

    @pytest.mark.ocr
    async def test_ocr_confidence_of_the_pages_read(self, second_client: httpx.AsyncClient) -> None:
        document = await upload_ok(second_client, corpus(TRIVIAL_PDF), options={"ocr": "force"})
        assert (await wait_settled(second_client, document["id"]))["status"] == "completed"
        results = (await second_client.get(f"/api/v1/documents/{document['id']}/results")).json()
        confidences = [p["ocr_confidence"] for p in results["pages"]]
        assert confidences and all(c is not None for c in confidences)
        ocr = (await second_client.get(QUALITY)).json()["ocr"]
        assert ocr["pages"] == len(confidences)
        assert ocr["mean_confidence"] == pytest.approx(
            sum(confidences) / len(confidences), abs=0.01
        )
        expected = [0] * 10
        for confidence in confidences:
            expected[min(int(confidence // 10), 9)] += 1
        assert [b["pages"] for b in ocr["distribution"]] == expected
