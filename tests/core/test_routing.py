"""One built route table per process (``folio.core.routing``): shared, and the same API."""

from __future__ import annotations

from pathlib import Path

import httpx
from fastapi import APIRouter, Depends, FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from pydantic import BaseModel

from folio.app import create_app
from folio.core.routing import include_shared
from tests.conftest import make_settings


class Greeting(BaseModel):
    text: str


def loud() -> bool:
    return True


def greetings() -> APIRouter:
    router = APIRouter(prefix="/greetings", tags=["greetings"])

    @router.get("/{name}", response_model=Greeting, responses={404: {"description": "No one"}})
    async def greet(name: str, shout: bool = Depends(loud)) -> Greeting:
        return Greeting(text=f"hello {name}{'!' if shout else ''}")

    return router


def built_dependants(app: FastAPI, prefix: str) -> list[object]:
    """What FastAPI builds per inclusion for each API route (with its handler and fields)."""
    contexts = iter_route_contexts(app.routes)
    return [
        c.dependant
        for c in contexts
        if isinstance(c.original_route, APIRoute) and (c.path_format or "").startswith(prefix)
    ]


def test_a_second_app_reuses_the_routes_built_for_the_first(tmp_path: Path) -> None:
    first = built_dependants(create_app(make_settings(tmp_path / "a")), "/api/v1/documents")
    second = built_dependants(create_app(make_settings(tmp_path / "b")), "/api/v1/documents")
    assert len(first) == len(second) > 10
    assert all(a is b for a, b in zip(first, second, strict=True))


def test_a_router_with_startup_work_is_included_the_ordinary_way() -> None:
    def started() -> None:
        return None

    router = greetings()
    router.add_event_handler("startup", started)
    app, again = FastAPI(), FastAPI()
    include_shared(app, router)
    include_shared(again, router)
    assert app.router.on_startup == again.router.on_startup == [started]


async def test_a_shared_inclusion_documents_and_answers_as_an_ordinary_one() -> None:
    router = greetings()
    ordinary, shared, again = FastAPI(), FastAPI(), FastAPI()
    ordinary.include_router(router)
    include_shared(shared, router)
    include_shared(again, router)
    assert shared.openapi() == ordinary.openapi() == again.openapi()
    for app in (ordinary, shared, again):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            assert (await client.get("/greetings/ann")).json() == {"text": "hello ann!"}
            assert (await client.get("/nowhere")).status_code == 404
