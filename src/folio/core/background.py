"""Background loops that stop between steps, never in the middle of a database call.

Cancelling a task inside an aiosqlite call leaves a connection to be terminated while the
loop shuts down, and closing the event loop can then wait forever. So loops here wait on a
stop signal instead of sleeping, and are cancelled only if they do not stop in time.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

logger = logging.getLogger("folio.background")
STOP_GRACE_S = 15.0


class Periodic:
    """Runs ``step`` now and then every ``every_s`` seconds until stopped."""

    def __init__(self, name: str, step: Callable[[], Awaitable[object]], every_s: float) -> None:
        self.name, self.step, self.every_s = name, step, every_s
        self.stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=self.name)

    async def _run(self) -> None:
        while not self.stopping.is_set():
            try:
                await self.step()
            except Exception:
                logger.exception("%s failed; it runs again later", self.name)
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.every_s):
                    await self.stopping.wait()

    async def stop(self) -> None:
        self.stopping.set()
        await stop_task(self._task)


async def stop_task(task: asyncio.Task[object] | None, grace_s: float = STOP_GRACE_S) -> None:
    """Waits for a task that was told to stop; cancels it only past the grace period."""
    if task is None:
        return
    try:
        async with asyncio.timeout(grace_s):
            await asyncio.shield(task)
    except TimeoutError:
        logger.error("%s did not stop within %s s; cancelling it", task.get_name(), grace_s)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    except asyncio.CancelledError:
        raise
    except Exception:
        logger.exception("%s ended with an error", task.get_name())
