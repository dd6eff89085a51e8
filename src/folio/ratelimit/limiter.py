"""Counts hits in fixed windows with the ``limits`` package: memory storage embedded, Redis
storage when ``FOLIO_REDIS_URL`` is set (shared by every API process)."""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass
from functools import lru_cache

from limits import RateLimitItemPerSecond
from limits.aio.storage import MemoryStorage, Storage
from limits.storage import storage_from_string

from folio.config import Settings
from folio.ratelimit.policy import Policy, Window

logger = logging.getLogger("folio.ratelimit")


@dataclass(frozen=True)
class WindowState:
    window: Window
    remaining: int
    reset_at: float  # Unix seconds when the window's counter starts again


@dataclass(frozen=True)
class Decision:
    allowed: bool
    policy: Policy
    binding: WindowState  # the window closest to refusing (or the one that refused)

    @property
    def retry_after(self) -> int:
        return max(1, math.ceil(self.binding.reset_at - time.time()))


@lru_cache(maxsize=1024)
def limit_item(window: Window) -> RateLimitItemPerSecond:
    return RateLimitItemPerSecond(window.amount, window.seconds)


class SweepingMemoryStorage(MemoryStorage):
    """``limits``' memory storage, sweeping expired counters at most once a second.

    The stock class starts a sweep of every key after each hit, which makes a hit cost grow
    with the number of active callers (measured here: 25 us with one bucket, 0.6 ms with
    1,000, 5.8 ms with 10,000). ``get`` already drops an expired counter when it is read, so
    the sweep only frees memory and need not run per request. Overrides the private
    (name-mangled) scheduler; ``tests/ratelimit`` checks that it still exists.
    """

    SWEEP_EVERY_S = 1.0
    _next_sweep = 0.0

    async def _MemoryStorage__schedule_expiry(self) -> None:
        now = time.monotonic()
        if now < self._next_sweep:
            return
        self._next_sweep = now + self.SWEEP_EVERY_S
        await super()._MemoryStorage__schedule_expiry()  # type: ignore[misc]  # a private hook


def build_storage(settings: Settings) -> Storage:
    if settings.redis_url:
        storage = storage_from_string(f"async+{settings.redis_url}", implementation="redispy")
        assert isinstance(storage, Storage)  # the async+ scheme picks the asyncio storage
        return storage
    return SweepingMemoryStorage()


class RateLimiter:
    def __init__(self, storage: Storage) -> None:
        self.storage = storage

    async def hit(self, policy: Policy) -> Decision | None:
        """Counts one request in every window, shortest first; stops at the first window that
        is full. Returns None when there is nothing to limit or the storage is unreachable
        (fail open: a Redis outage must not take the API down)."""
        if not policy.windows:
            return None
        try:
            return await self._hit(policy)
        except Exception:  # any storage failure: serve without limits
            logger.warning("rate-limit storage unavailable; request not limited", exc_info=True)
            return None

    async def _hit(self, policy: Policy) -> Decision:
        binding: tuple[Window, str, int] | None = None
        allowed = True
        for window in policy.windows:
            item = limit_item(window)
            # the key names the limit too, so a changed limit starts a fresh counter
            key = f"{item.namespace}/folio/{policy.bucket}/{window.name}/{window.amount}"
            count = await self.storage.incr(key, window.seconds)
            remaining = max(0, window.amount - count)
            if binding is None or remaining < binding[2]:
                binding = (window, key, remaining)
            if count > window.amount:
                allowed = False
                binding = (window, key, 0)
                break
        assert binding is not None
        window, key, remaining = binding
        reset_at = await self.storage.get_expiry(key)
        return Decision(allowed, policy, WindowState(window, remaining, reset_at))
