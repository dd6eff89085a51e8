"""Which limits apply to a caller: pure rules, no I/O."""

from __future__ import annotations

from dataclasses import dataclass

from folio.config import Settings
from folio.core.principal import Principal

WINDOW_SECONDS = {"minute": 60, "hour": 3_600, "day": 86_400}
FALLBACK_PLAN = "free"


@dataclass(frozen=True)
class Window:
    name: str  # "minute" | "hour" | "day": the policy name in RateLimit-Policy
    seconds: int
    amount: int


@dataclass(frozen=True)
class Policy:
    bucket: str  # whose counters: "key:…", "user:…", "team:…" or "ip:…"
    windows: tuple[Window, ...]  # shortest first


def plan_windows(settings: Settings, plan: str) -> tuple[Window, ...]:
    plans = settings.rate_limit_plans
    limits = plans.get(plan) or plans.get(FALLBACK_PLAN) or {}
    windows = [
        Window(name, WINDOW_SECONDS[name], amount)
        for name, amount in limits.items()
        if name in WINDOW_SECONDS and amount > 0
    ]
    return tuple(sorted(windows, key=lambda window: window.seconds))


class PlanTable:
    """Every plan's windows, computed once from the settings (the middleware's hot path)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._plans = {plan: plan_windows(settings, plan) for plan in settings.rate_limit_plans}
        self.fallback = plan_windows(settings, FALLBACK_PLAN)
        self.anonymous = plan_windows(settings, settings.rate_limit_anonymous_plan)

    def windows(self, plan: str) -> tuple[Window, ...]:
        return self._plans.get(plan, self.fallback)


def policy_for(plans: PlanTable | Settings, principal: Principal | None, client_ip: str) -> Policy:
    """An API key has its own counters (and its own per-minute limit when set, never above
    the plan's); a user's sessions share the user's; anonymous calls count per client IP."""
    table = plans if isinstance(plans, PlanTable) else PlanTable(plans)
    if principal is None:
        return Policy(f"ip:{client_ip}", table.anonymous)
    windows = table.windows(principal.plan)
    if principal.key_id is not None:
        own = principal.rate_limit_per_minute
        if own is not None and own > 0:
            windows = with_key_minute(windows, own)
        return Policy(f"key:{principal.key_id}", windows)
    if principal.user_id is not None:
        return Policy(f"user:{principal.user_id}", windows)
    return Policy(f"team:{principal.team_id}", windows)


def with_key_minute(windows: tuple[Window, ...], own: int) -> tuple[Window, ...]:
    """A key's own per-minute limit may lower the plan's, never raise it: a key stored before
    the plan shrank (or past the create-time check) still gets at most the plan's."""
    if not any(w.name == "minute" for w in windows):
        return (Window("minute", 60, own), *windows)
    return tuple(
        Window(w.name, w.seconds, min(own, w.amount)) if w.name == "minute" else w for w in windows
    )


def plan_minute_limit(settings: Settings, plan: str) -> int | None:
    """The plan's requests per minute (None: the plan sets no per-minute limit)."""
    return next((w.amount for w in plan_windows(settings, plan) if w.name == "minute"), None)
