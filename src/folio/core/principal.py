"""Who is calling: resolved once per request, passed to every service call."""

from __future__ import annotations

from dataclasses import dataclass, field

from folio.core.permissions import Permission


@dataclass(frozen=True)
class Principal:
    team_id: str  # the team new resources belong to
    team_ids: frozenset[str]  # every team whose data this principal may read
    permissions: frozenset[Permission] = field(default_factory=frozenset)
    user_id: str | None = None
    credential: str = "default-team"

    def can(self, permission: Permission) -> bool:
        return permission in self.permissions
