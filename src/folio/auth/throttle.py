"""Failed sign-ins in a moving window, counted in the rate-limit storage (memory embedded, Redis
when ``FOLIO_REDIS_URL`` is set), so every API process sees the same counts: per client address,
and per (account, address). The account-wide back-off lives in the database (see
``AuthService.login``)."""

from __future__ import annotations

import logging
import math
import time

from limits import RateLimitItemPerSecond
from limits.aio.storage import Storage
from limits.aio.strategies import MovingWindowRateLimiter

logger = logging.getLogger("folio.auth")


class LoginThrottle:
    def __init__(self, storage: Storage, limit: int, window_s: int, *, kind: str = "ip") -> None:
        self._limiter = MovingWindowRateLimiter(storage)
        self._item = RateLimitItemPerSecond(limit, window_s, namespace="folio-login")
        self._kind = kind

    async def blocked_for(self, address: str) -> float:
        """Seconds until ``address`` may try again; 0 when it may now (or the storage is
        unreachable: an outage of Redis must not lock everyone out)."""
        try:
            if await self._limiter.test(self._item, self._kind, address):
                return 0.0
            stats = await self._limiter.get_window_stats(self._item, self._kind, address)
        except Exception:
            logger.warning("login throttle storage unavailable", exc_info=True)
            return 0.0
        return max(1.0, math.ceil(stats.reset_time - time.time()))

    async def record(self, address: str) -> None:
        try:
            await self._limiter.hit(self._item, self._kind, address)
        except Exception:
            logger.warning("login throttle storage unavailable", exc_info=True)

    async def clear(self, address: str) -> None:
        try:
            await self._limiter.clear(self._item, self._kind, address)
        except Exception:
            logger.warning("login throttle storage unavailable", exc_info=True)
