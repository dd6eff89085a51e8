"""Who is calling: resolved once per request, passed to every service call.

The authentication middleware stores the result in the ASGI scope, so every later middleware
(rate limits, audit) and every endpoint sees the same principal:
``scope["state"]["principal"]`` is a :class:`Principal`, or ``None`` for an anonymous request;
``scope["state"]["auth_error"]`` holds why a credential that was sent was refused.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from folio.core.permissions import Permission

PRINCIPAL_KEY = "principal"
AUTH_ERROR_KEY = "auth_error"


class Credential(StrEnum):
    user = "user"  # a JWT access token
    api_key = "api_key"
    default_team = "default_team"  # embedded single-team mode without accounts


@dataclass(frozen=True)
class Principal:
    team_id: str  # the team this request acts for; new resources belong to it
    team_ids: frozenset[str]  # every team whose data this principal may read
    permissions: frozenset[Permission] = field(default_factory=frozenset)
    user_id: str | None = None
    key_id: str | None = None
    credential: Credential = Credential.default_team
    plan: str = "free"  # the team's plan: picks the default rate limits
    rate_limit_per_minute: int | None = None  # an API key's own limit, if it has one
    session_id: str | None = None

    def can(self, permission: Permission) -> bool:
        return permission in self.permissions


def scope_state(scope: MutableMapping[str, Any]) -> dict[str, Any]:
    return scope.setdefault("state", {})  # type: ignore[no-any-return]


def principal_from_scope(scope: MutableMapping[str, Any]) -> Principal | None:
    return scope_state(scope).get(PRINCIPAL_KEY)
