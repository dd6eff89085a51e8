from __future__ import annotations

import pytest
from fastapi import FastAPI

from folio.audit.actions import (
    WRITE_METHODS,
    ActionNames,
    IdSource,
    Outcome,
    RouteTable,
    field_names,
    outcome_of,
)

ROUTES = [
    "/api/v1/documents",
    "/api/v1/documents/{document_id}",
    "/api/v1/documents/{document_id}/reprocess",
    "/api/v1/keys",
    "/api/v1/keys/{key_id}",
    "/api/v1/keys/{key_id}/rotate",
    "/api/v1/teams/{team_id}/members",
    "/api/v1/teams/{team_id}/members/{member_id}",
    "/api/v1/auth/login",
    "/api/v1/auth/me",
    "/api/v1/auth/mfa/enable",
    "/api/v1/batches",
]


@pytest.mark.parametrize(
    ("method", "template", "name", "resource_type", "source"),
    [
        ("POST", "/api/v1/documents", "documents.create", "document", IdSource.response),
        ("DELETE", "/api/v1/documents/{document_id}", "documents.delete", "document", "path"),
        ("PATCH", "/api/v1/keys/{key_id}", "keys.update", "key", IdSource.path),
        ("POST", "/api/v1/keys/{key_id}/rotate", "keys.rotate", "key", IdSource.path),
        (
            "POST",
            "/api/v1/documents/{document_id}/reprocess",
            "documents.reprocess",
            "document",
            IdSource.path,
        ),
        (
            "POST",
            "/api/v1/teams/{team_id}/members",
            "teams.members.create",
            "member",
            IdSource.response,
        ),
        (
            "PATCH",
            "/api/v1/teams/{team_id}/members/{member_id}",
            "teams.members.update",
            "member",
            IdSource.path,
        ),
        ("POST", "/api/v1/auth/login", "auth.login", "auth", IdSource.response),
        ("PATCH", "/api/v1/auth/me", "auth.me.update", "auth", IdSource.response),
        ("POST", "/api/v1/auth/mfa/enable", "auth.mfa.enable", "mfa", IdSource.response),
        ("POST", "/api/v1/batches", "batches.create", "batch", IdSource.response),
    ],
)
def test_action_from_method_and_route(
    method: str, template: str, name: str, resource_type: str, source: IdSource
) -> None:
    action = ActionNames(ROUTES).describe(method, template)
    assert (action.name, action.resource_type, action.id_source) == (name, resource_type, source)


def test_outcomes() -> None:
    assert outcome_of(201) is Outcome.success
    assert outcome_of(401) is Outcome.denied and outcome_of(403) is Outcome.denied
    assert outcome_of(404) is Outcome.failure and outcome_of(500) is Outcome.failure


class TestFieldNames:
    def test_names_only_nested_dotted(self) -> None:
        body = b'{"name": "x", "password": "hunter2", "settings": {"max_members": 3}}'
        assert field_names(body, "application/json") == [
            "name",
            "password",
            "settings.max_members",
        ]

    def test_form_bodies_and_garbage(self) -> None:
        assert field_names(b"username=a&password=b", "application/x-www-form-urlencoded") == [
            "username",
            "password",
        ]
        assert field_names(b"{not json", "application/json") == []
        assert field_names(b"[1, 2]", "application/json") == []
        assert field_names(b"binary", "application/octet-stream") == []

    def test_bounded(self) -> None:
        body = ("{" + ",".join(f'"f{i}": {i}' for i in range(500)) + "}").encode()
        assert len(field_names(body, "application/json")) == 50


def test_every_write_route_of_the_app_gets_a_clean_action(app: FastAPI) -> None:
    """Generated from the real route table, so new routes are checked too."""
    paths = app.openapi()["paths"]
    names = ActionNames(paths)
    seen = set()
    for path, operations in paths.items():
        for method in (m.upper() for m in operations):
            if method not in WRITE_METHODS or not path.startswith("/api/v1/"):
                continue
            action = names.describe(method, path)
            assert "{" not in action.name and "/" not in action.name, (method, path)
            assert action.name.count(".") >= 1 and action.resource_type, (method, path)
            assert action.name not in seen, (method, path)
            seen.add(action.name)
    assert {
        "documents.create",
        "documents.delete",
        "keys.rotate",
        "auth.login",
        "teams.members.update",
        "teams.invitations.create",
    } <= seen


def test_route_table_names_requests_before_routing() -> None:
    table = RouteTable(ROUTES)
    assert table.match("/api/v1/documents") == "/api/v1/documents"
    assert table.match("/api/v1/documents/doc_1") == "/api/v1/documents/{document_id}"
    assert table.match("/api/v1/keys/key_1/rotate") == "/api/v1/keys/{key_id}/rotate"
    assert table.match("/api/v1/auth/me") == "/api/v1/auth/me"
    assert table.match("/api/v1/nothing/here") is None
