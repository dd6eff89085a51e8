from __future__ import annotations

import httpx

from tests.helpers import assert_problem


class TestHealth:
    async def test_reports_every_component(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/health")

        assert response.status_code == 200
        health = response.json()
        assert health["status"] == "ok"
        assert health["database"]["status"] == "ok"
        assert health["storage"]["status"] == "ok"
        assert health["workers"]["executor"] == "local"
        assert health["workers"]["size"] == 1
        assert health["ocr_engines"]["tesseract"]["available"] is True


class TestOpenApi:
    async def test_every_route_is_documented(self, client: httpx.AsyncClient) -> None:
        spec = (await client.get("/openapi.json")).json()

        for path, operations in spec["paths"].items():
            for method, operation in operations.items():
                assert operation.get("summary"), f"{method} {path} has no summary"
                if path.startswith("/api/v1"):
                    statuses = set(operation["responses"])
                    assert statuses & {"401", "404", "422"}, f"{method} {path}: no errors listed"

    async def test_docs_pages(self, client: httpx.AsyncClient) -> None:
        assert (await client.get("/docs")).status_code == 200
        assert (await client.get("/redoc")).status_code == 200

    async def test_unknown_route_is_a_problem(self, client: httpx.AsyncClient) -> None:
        assert_problem(await client.get("/api/v1/nothing-here"), 404, "NOT_FOUND")
