"""The OpenAPI document, made to tell the truth about what every operation can answer.

FastAPI derives each operation from its route; this pass, run once the routes are built, adds
what FastAPI cannot see: the security schemes and which operations need them (from the route's
dependencies), and the problem responses that the middleware and the dependencies give on any
route (401/403 from authentication, 404 for ids and ``X-Team-Id``, 400/413/422 for bodies, 429
from the rate limiter). Every error response is ``application/problem+json`` with the ``Problem``
schema; FastAPI's ``HTTPValidationError`` shape, which Folio never sends, is removed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts

from folio.core.deps import AUTHENTICATES, MAY_FORBID
from folio.core.problems import PROBLEM_MEDIA_TYPE
from folio.core.responses import DESCRIPTIONS, Problem

API_PREFIX = "/api/v1"
PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
SECURITY_SCHEMES: dict[str, dict[str, Any]] = {
    "bearerAuth": {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT access token or API key",
        "description": "`Authorization: Bearer <access token or API key>`.",
    },
    "apiKeyHeader": {
        "type": "apiKey",
        "in": "header",
        "name": "X-API-Key",
        "description": "An API key, bound to one team.",
    },
    "scimToken": {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "SCIM token",
        "description": "`/scim/v2` only: a team's SCIM token (`fscim_…`), made by a team admin "
        "at `/api/v1/directory/scim-tokens`.",
    },
}
SIGNED_IN: list[dict[str, list[str]]] = [{"bearerAuth": []}, {"apiKeyHeader": []}]
TEAM_HEADER = {
    "name": "X-Team-Id",
    "in": "header",
    "required": False,
    "description": "With an access token: the team to act in (default: your personal team). "
    "A team you are not a member of answers 404. API keys are bound to their team.",
    "schema": {"type": "string"},
}
HEADERS = {
    401: {"WWW-Authenticate": {"schema": {"type": "string"}, "description": "`Bearer`"}},
    429: {"Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait."}},
}
UNUSED_SCHEMAS = ("HTTPValidationError", "ValidationError")


@dataclass(frozen=True)
class RouteFacts:
    """What the route's dependencies say about the answers it can give."""

    authenticated: bool
    may_forbid: bool


SCIM_PREFIX = "/scim/"


def install_openapi(app: FastAPI) -> None:
    """Replace ``app.openapi`` with FastAPI's document, completed by :func:`complete`."""
    generate = app.openapi
    done: list[int] = []

    def openapi() -> dict[str, Any]:
        schema = generate()  # cached by FastAPI until the routes change
        if id(schema) not in done:
            complete(schema, route_facts(app))
            done[:] = [id(schema)]
        return schema

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented extension point


def documented_paths(app: FastAPI) -> list[str]:
    """The path templates of the OpenAPI document's ``paths``, read off the routes: building
    the document costs about a second of CPU, which a middleware's first request should not."""
    paths = (
        context.path_format
        for context in iter_route_contexts(app.routes)
        if isinstance(context.original_route, APIRoute) and context.include_in_schema
    )
    return list(dict.fromkeys(path for path in paths if path))


def route_facts(app: FastAPI) -> dict[tuple[str, str], RouteFacts]:
    facts: dict[tuple[str, str], RouteFacts] = {}
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if not isinstance(route, APIRoute) or context.path_format is None:
            continue
        calls = list(dependency_calls(route.dependant))
        found = RouteFacts(
            authenticated=any(getattr(call, AUTHENTICATES, False) for call in calls),
            may_forbid=any(getattr(call, MAY_FORBID, False) for call in calls),
        )
        for method in context.methods or ():
            facts[(context.path_format, method.lower())] = found
    return facts


def dependency_calls(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    for dependency in dependant.dependencies:
        if dependency.call is not None:
            yield dependency.call
        yield from dependency_calls(dependency)


def complete(schema: dict[str, Any], facts: dict[tuple[str, str], RouteFacts]) -> None:
    components = schema.setdefault("components", {})
    components.setdefault("securitySchemes", {}).update(SECURITY_SCHEMES)
    add_problem_schema(components.setdefault("schemas", {}))
    schema["security"] = SIGNED_IN
    for path, item in schema.get("paths", {}).items():
        for method, operation in item.items():
            route = facts.get((path, method), RouteFacts(authenticated=False, may_forbid=False))
            complete_operation(path, operation, route)
    for name in UNUSED_SCHEMAS:
        components["schemas"].pop(name, None)


def add_problem_schema(schemas: dict[str, Any]) -> None:
    problem = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    for name, definition in problem.pop("$defs", {}).items():
        schemas.setdefault(name, definition)
    schemas.setdefault("Problem", problem)


def complete_operation(path: str, operation: dict[str, Any], route: RouteFacts) -> None:
    if path.startswith(SCIM_PREFIX):
        operation["security"] = [{"scimToken": []}]
    elif route.authenticated:
        operation.pop("security", None)  # the document's default: signed in
        parameters = operation.setdefault("parameters", [])
        if not any(p.get("name") == TEAM_HEADER["name"] for p in parameters):
            parameters.append(dict(TEAM_HEADER))
    else:
        operation["security"] = []  # public
    responses = operation.setdefault("responses", {})
    if path.startswith(SCIM_PREFIX):
        responses.pop("422", None)  # FastAPI validates nothing on these: the service does
    for status in possible_problems(path, operation, route):
        responses.setdefault(str(status), {"description": DESCRIPTIONS[status]})
    for status, response in responses.items():
        if status.isdigit() and int(status) >= 400:
            if path.startswith(SCIM_PREFIX):
                scim_error(int(status), response)
            else:
                as_problem(int(status), response)


def possible_problems(path: str, operation: dict[str, Any], route: RouteFacts) -> set[int]:
    """The statuses that the layers around the endpoint can give, whatever the endpoint does."""
    statuses: set[int] = set()
    if path.startswith(SCIM_PREFIX):  # its routes list their own errors, SCIM's format
        return {413} if "requestBody" in operation else statuses
    if route.authenticated:
        statuses |= {401, 404}  # no or a bad credential; an X-Team-Id of another team
    if route.may_forbid:
        statuses.add(403)
    parameters = operation.get("parameters", [])
    if any(p.get("in") == "path" for p in parameters):
        statuses.add(404)
    if parameters or "requestBody" in operation:
        statuses.add(422)
    if "requestBody" in operation:
        statuses |= {400, 413}  # an unreadable body; a body over the limit
    if path.startswith(API_PREFIX):
        statuses.add(429)
    return statuses


def scim_error(status: int, response: dict[str, Any]) -> None:
    """SCIM answers its errors in its own format (``folio.scim.errors``); a body over the
    server's limit is refused before routing, as problem+json."""
    content = response.setdefault("content", {})
    if status == 413:
        content[PROBLEM_MEDIA_TYPE] = {"schema": PROBLEM_REF}
    response["description"] = response.get("description") or DESCRIPTIONS.get(status, "Error")


def as_problem(status: int, response: dict[str, Any]) -> None:
    response["content"] = {PROBLEM_MEDIA_TYPE: {"schema": PROBLEM_REF}}
    if status in HEADERS:
        response.setdefault("headers", {}).update(HEADERS[status])
    if response.get("description") in ("Validation Error", "", None):
        response["description"] = DESCRIPTIONS.get(status, "Error")
