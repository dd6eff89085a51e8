from __future__ import annotations

import asyncio

from limits.aio.storage import MemoryStorage

from folio.ratelimit.limiter import RateLimiter, SweepingMemoryStorage
from folio.ratelimit.policy import Policy, Window


def test_the_overridden_sweep_scheduler_still_exists_in_limits() -> None:
    assert hasattr(MemoryStorage, "_MemoryStorage__schedule_expiry")


async def test_counters_expire_and_windows_count_separately() -> None:
    limiter = RateLimiter(SweepingMemoryStorage())
    policy = Policy("key:k", (Window("minute", 1, 2), Window("hour", 3600, 3)))
    decisions = [await limiter.hit(policy) for _ in range(3)]
    assert [d.allowed for d in decisions if d] == [True, True, False]
    assert decisions[2] is not None and decisions[2].binding.window.name == "minute"
    await asyncio.sleep(1.1)
    decision = await limiter.hit(policy)  # the minute window restarted; the hour one counts on
    assert decision is not None and decision.allowed
    assert decision.binding.window.name == "hour" and decision.binding.remaining == 0
    other = await limiter.hit(Policy("key:other", policy.windows))
    assert other is not None and other.binding.remaining == 1
