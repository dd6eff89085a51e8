"""Including the API's routers in an app, their built route table shared by every app of a process.

FastAPI keeps an included router nested and builds its routes' request handlers, response
fields and dependants (pydantic type adapters: about 0.75 s of CPU for Folio's routers) the
first time a request, the OpenAPI document or the audit middleware walks them, once per
inclusion. The routers are module-level and included the same way in every app, so the
inclusion made for the first app serves the next ones: one built table per process. A server
builds one app, but the tests build one per test, and this was a third of their CPU.
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI
from starlette.routing import BaseRoute

# by id(router) (an APIRouter is not hashable); the stored inclusions keep their router alive
_INCLUDED: dict[int, list[BaseRoute]] = {}


def include_shared(app: FastAPI, router: APIRouter) -> None:
    """``app.include_router(router)``, reusing the inclusion (and its built routes) made for an
    earlier app. Dependency overrides (``app.dependency_overrides``), which Folio does not use,
    do not apply to a shared inclusion."""
    if not _shareable(router):
        app.include_router(router)
        return
    routes = _INCLUDED.get(id(router))
    if routes is None:
        holder = APIRouter()  # the app router's defaults, without an app to hold on to
        holder.include_router(router)
        routes = _INCLUDED[id(router)] = list(holder.routes)
    app.router.routes.extend(routes)
    app.router._mark_routes_changed()  # what include_router does: the app's caches see the change


def _shareable(router: APIRouter) -> bool:
    """A router with startup or shutdown work of its own is included the ordinary way: its
    inclusion also changes the app's lifespan."""
    default_lifespan = type(APIRouter().lifespan_context)
    return (
        not router.on_startup
        and not router.on_shutdown
        and type(router.lifespan_context) is default_lifespan
    )
