"""What a team's plan allows besides its rate limits and monthly quotas: how many of a
thing may exist at once (``FOLIO_PLAN_LIMITS``). Pure rules, no I/O."""

from __future__ import annotations

from enum import StrEnum

from folio.config import Settings
from folio.core.errors import Conflict

FALLBACK_PLAN = "free"


class PlanLimit(StrEnum):
    api_keys = "api_keys"  # keys of a team that are not revoked (an inactive one can be re-armed)
    teams = "teams"  # teams a user created that still exist, their personal team included


class PlanLimitReached(Conflict):
    code = "PLAN_LIMIT"
    title = "The plan's limit is reached"


def plan_limit(settings: Settings, plan: str, limit: PlanLimit) -> int | None:
    """None: unlimited. An unknown plan has the limits of ``free``."""
    plans = settings.plan_limits
    configured = plans.get(plan) or plans.get(FALLBACK_PLAN) or {}
    return configured.get(limit.value)


def most_generous(settings: Settings, plans: set[str], limit: PlanLimit) -> int | None:
    """The highest of ``plans``' limits (None beats any number)."""
    values = [plan_limit(settings, plan, limit) for plan in plans or {FALLBACK_PLAN}]
    return None if None in values else max(v for v in values if v is not None)


def ensure_room(used: int, allowed: int | None, limit: PlanLimit, *, holder: str) -> None:
    """Raises :class:`PlanLimitReached` when ``used`` already fills ``allowed``."""
    if allowed is not None and used >= allowed:
        raise PlanLimitReached(
            f"{holder} allows {allowed} {limit.value.replace('_', ' ')} and {used} exist. "
            "Delete one first, or ask an administrator for a larger plan.",
            limit=limit.value,
            allowed=allowed,
            used=used,
        )
