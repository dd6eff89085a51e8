"""Reading a scrape the way Prometheus does: with its own text parser."""

from __future__ import annotations

import httpx
from fastapi import FastAPI
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.samples import Sample

TOKEN = "metrics-token-for-tests-0123456789"
BEARER = {"Authorization": f"Bearer {TOKEN}"}


def samples(text: str) -> list[Sample]:
    return [sample for family in text_string_to_metric_families(text) for sample in family.samples]


def value(found: list[Sample], name: str, **labels: str) -> float:
    """The sum of ``name``'s samples whose labels include ``labels`` (0 when none)."""
    return sum(
        sample.value
        for sample in found
        if sample.name == name and labels.items() <= sample.labels.items()
    )


async def scrape(client: httpx.AsyncClient, **kwargs: object) -> list[Sample]:
    response = await client.get("/metrics", **kwargs)  # type: ignore[arg-type]
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return samples(response.text)


async def admin_headers(anonymous_client: httpx.AsyncClient, app: FastAPI) -> dict[str, str]:
    """The first admin signed in: a user's session carries system:admin, an API key never."""
    credentials = app.state.initial_credentials
    response = await anonymous_client.post(
        "/api/v1/auth/login", json={"email": credentials.email, "password": credentials.password}
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['tokens']['access_token']}"}
