"""The OpenAPI document tells the truth (core/openapi.py): who must sign in, which problems each
operation can answer and in what shape, what the original-file download serves; and a 405
names every method its path serves."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from folio.app import create_app
from tests.conftest import make_settings
from tests.helpers import assert_problem

PROBLEM = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
SCIM = "/scim/"
SCIM_ERROR = {"application/scim+json": {"schema": {"$ref": "#/components/schemas/ScimErrorBody"}}}
PUBLIC = {
    ("post", "/api/v1/auth/login"),
    ("post", "/api/v1/auth/register"),
    ("get", "/api/v1/shared/{token}"),
    ("get", "/health"),
}


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return {"workers": 0}


@pytest.fixture(scope="module")
def spec(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    # the document needs no started app: built once for the module
    return create_app(make_settings(tmp_path_factory.mktemp("openapi"))).openapi()


def operations(spec: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            yield method, path, operation


def signed_in(spec: dict[str, Any], operation: dict[str, Any]) -> bool:
    return bool(operation.get("security", spec.get("security")))


def test_security_schemes_are_declared(spec: dict[str, Any]) -> None:
    schemes = spec["components"]["securitySchemes"]

    assert schemes["bearerAuth"] == {**schemes["bearerAuth"], "type": "http", "scheme": "bearer"}
    assert schemes["apiKeyHeader"] == {
        **schemes["apiKeyHeader"],
        "type": "apiKey",
        "in": "header",
        "name": "X-API-Key",
    }
    assert spec["security"] == [{"bearerAuth": []}, {"apiKeyHeader": []}]


def test_public_operations_need_no_credentials(spec: dict[str, Any]) -> None:
    public = {(m, p) for m, p, op in operations(spec) if not signed_in(spec, op)}

    assert public >= PUBLIC
    assert ("get", "/api/v1/documents") not in public
    assert ("post", "/api/v1/auth/password/change") not in public
    signed_out = ("/api/v1/auth/", "/api/v1/shared/", "/api/v1/sso/flows", "/health")
    assert all(p.startswith(signed_out) for _, p in public)


def test_every_signed_in_operation_documents_401_as_a_problem(spec: dict[str, Any]) -> None:
    missing = [
        f"{m} {p}"
        for m, p, op in operations(spec)
        if signed_in(spec, op)
        and not p.startswith(SCIM)
        and op["responses"].get("401", {}).get("content") != PROBLEM
    ]
    assert not missing
    team = spec["paths"]["/api/v1/documents"]["get"]["parameters"]
    assert any(p["name"] == "X-Team-Id" and p["in"] == "header" for p in team)


def test_every_error_response_is_a_problem(spec: dict[str, Any]) -> None:
    wrong = [
        f"{m} {p} {status}"
        for m, p, op in operations(spec)
        if not p.startswith(SCIM)
        for status, response in op["responses"].items()
        if int(status) >= 400 and response.get("content") != PROBLEM
    ]
    assert not wrong
    assert "HTTPValidationError" not in json.dumps(spec)
    assert "Problem" in spec["components"]["schemas"]


def test_scim_errors_are_documented_in_scims_format(spec: dict[str, Any]) -> None:
    """RFC 7644 §3.12: the one place whose errors are not problem+json (folio.scim.errors)."""
    scim = [(m, p, op) for m, p, op in operations(spec) if p.startswith(SCIM)]
    assert len(scim) >= 15
    for method, path, operation in scim:
        assert operation["security"] == [{"scimToken": []}], (method, path)
        for status, response in operation["responses"].items():
            if int(status) >= 400:
                assert SCIM_ERROR.items() <= response["content"].items(), (method, path, status)
        assert "401" in operation["responses"] and "422" not in operation["responses"]


def test_the_layers_problems_are_documented(spec: dict[str, Any]) -> None:
    upload = spec["paths"]["/api/v1/documents"]["post"]["responses"]
    get_one = spec["paths"]["/api/v1/documents/{document_id}"]["get"]["responses"]
    login = spec["paths"]["/api/v1/auth/login"]["post"]["responses"]

    assert {"400", "401", "403", "404", "413", "415", "422", "429"} <= set(upload)
    assert {"401", "403", "404", "422", "429"} <= set(get_one)
    assert {"400", "413", "422", "429"} <= set(login)
    assert "Retry-After" in upload["429"]["headers"]


def test_the_original_file_declares_its_media_types(spec: dict[str, Any]) -> None:
    content = spec["paths"]["/api/v1/documents/{document_id}/file"]["get"]["responses"]["200"][
        "content"
    ]

    assert {"application/pdf", "image/png", "image/jpeg", "image/tiff", "text/plain"} <= set(
        content
    )
    assert "application/octet-stream" not in content
    assert all(c["schema"] == {"type": "string", "format": "binary"} for c in content.values())


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("PUT", "/api/v1/documents", "GET, POST"),
        ("PUT", "/api/v1/teams/team_x", "DELETE, GET, PATCH"),
        ("POST", "/health", "GET"),
        # a literal path outranks the parameter route that also matches it
        ("PUT", "/api/v1/documents/bulk", "DELETE"),
    ],
)
async def test_405_names_every_method_of_the_path(
    anonymous_client: httpx.AsyncClient, method: str, path: str, allowed: str
) -> None:
    response = await anonymous_client.request(method, path)

    assert_problem(response, 405, "METHOD_NOT_ALLOWED")
    assert response.headers["allow"] == allowed
