"""Who is calling: resolved once per request, passed to every service call.

The authentication middleware stores the result in the ASGI scope, so every later middleware
(rate limits, audit) and every endpoint sees the same principal:
``scope["state"]["principal"]`` is a :class:`Principal`, or ``None`` for an anonymous request;
``scope["state"]["auth_error"]`` holds why a credential that was sent was refused.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass, field
from enum import StrEnum
from ipaddress import IPv4Network, IPv6Network
from typing import Any

from folio.core.permissions import Permission

PRINCIPAL_KEY = "principal"
AUTH_ERROR_KEY = "auth_error"
# a valid API key refused for where it was used from: {"team_id", "user_id", "key_id", "code"},
# for the audit trail of the key's team (the request itself stays anonymous)
KEY_REFUSAL_KEY = "key_refusal"


class Credential(StrEnum):
    user = "user"  # a JWT access token
    api_key = "api_key"
    default_team = "default_team"  # embedded single-team mode without accounts
    share_link = "share_link"  # a document share link: reads that one document


# path parameters a scoped grant can name, and the scope key listing their ids
SCOPE_KEYS = {"document_id": "document_ids", "batch_id": "batch_ids"}


@dataclass(frozen=True)
class ScopedGrant:
    """Permissions that hold only for the listed resources (a scoped role assignment)."""

    permissions: frozenset[Permission]
    resource_ids: frozenset[tuple[str, str]]  # (scope key such as document_ids, id)

    def covers(self, permission: Permission, path_params: Mapping[str, str]) -> bool:
        if permission not in self.permissions:
            return False
        return any(
            (key, path_params.get(param)) in self.resource_ids for param, key in SCOPE_KEYS.items()
        )


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
    scoped_grants: tuple[ScopedGrant, ...] = ()
    quota_overrides: tuple[tuple[str, int | None], ...] = ()  # the team's, over its plan's
    # an API key's IP allow-list; None: any address (checked per request, auth/addresses.py)
    allowed_networks: tuple[IPv4Network | IPv6Network, ...] | None = None

    def can(self, permission: Permission) -> bool:
        return permission in self.permissions

    def can_on(self, permission: Permission, path_params: Mapping[str, str]) -> bool:
        """``permission`` on the resource a route's path names, via a scoped grant."""
        return any(grant.covers(permission, path_params) for grant in self.scoped_grants)


def scope_state(scope: MutableMapping[str, Any]) -> dict[str, Any]:
    state: dict[str, Any] = scope.setdefault("state", {})
    return state


def principal_from_scope(scope: MutableMapping[str, Any]) -> Principal | None:
    return scope_state(scope).get(PRINCIPAL_KEY)
