"""``analytics.realtime``: every few seconds, a summary per team that had activity.

The figures come from what this API process sees: the event stream (every process receives
every event, also from workers elsewhere) for documents, and the requests it served itself.
Summaries are published, not stored: they are a live view, and the event log keeps changes.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import Counter, defaultdict, deque

from folio.core.background import Periodic
from folio.core.events import Event, EventBus
from folio.events.catalog import ANALYTICS_REALTIME

STARTED = frozenset({"document.uploaded", "document.processing"})
SETTLED = frozenset({"document.processed", "document.failed", "document.cancelled"})
GONE = frozenset({"document.deleted"})
REQUEST_WINDOW_S = 60
FORGET_IN_PROGRESS_S = 3600.0  # a document with no news for this long is no longer counted


class TeamActivity:
    """Per team: documents in progress, settled since the last summary, recent requests."""

    def __init__(self) -> None:
        self.in_progress: defaultdict[str, dict[str, float]] = defaultdict(dict)
        self.processed: Counter[str] = Counter()
        self.failed: Counter[str] = Counter()
        self.requests: defaultdict[str, deque[list[int]]] = defaultdict(deque)

    def observe(self, event: Event) -> None:
        document_id = event.data.get("document_id")
        if not isinstance(document_id, str):
            return
        if event.type in STARTED:
            self.in_progress[event.team_id][document_id] = time.monotonic()
        elif event.type in SETTLED or event.type in GONE:
            self.in_progress[event.team_id].pop(document_id, None)
            if event.type == "document.processed":
                self.processed[event.team_id] += 1
            elif event.type == "document.failed":
                self.failed[event.team_id] += 1

    def request(self, team_id: str) -> None:
        """One request served for ``team_id``, counted in one-second buckets."""
        second = int(time.monotonic())
        buckets = self.requests[team_id]
        if buckets and buckets[-1][0] == second:
            buckets[-1][1] += 1
        else:
            buckets.append([second, 1])

    def _requests_last_minute(self, team_id: str, now: float) -> int:
        buckets = self.requests[team_id]
        while buckets and buckets[0][0] <= now - REQUEST_WINDOW_S:
            buckets.popleft()
        if not buckets:
            del self.requests[team_id]
            return 0
        return sum(count for _, count in buckets)

    def _in_progress(self, team_id: str, now: float) -> int:
        documents = self.in_progress[team_id]
        for document_id, seen in list(documents.items()):
            if seen < now - FORGET_IN_PROGRESS_S:
                del documents[document_id]
        if not documents:
            del self.in_progress[team_id]
        return len(documents)

    def summaries(self, interval_s: float) -> list[Event]:
        """One event per team with anything to report; the settled counts start again."""
        now = time.monotonic()
        teams = set(self.in_progress) | set(self.processed) | set(self.failed) | set(self.requests)
        events = []
        for team_id in sorted(teams):
            figures = {
                "documents_processed": self.processed.pop(team_id, 0),
                "documents_failed": self.failed.pop(team_id, 0),
                "documents_in_progress": self._in_progress(team_id, now),
                "requests_last_minute": self._requests_last_minute(team_id, now),
            }
            if any(figures.values()):
                data = {"team_id": team_id, "interval_s": interval_s, **figures}
                events.append(Event(type=ANALYTICS_REALTIME, team_id=team_id, data=data))
        return events


class RealtimeAnalytics:
    """Listens to the bus and publishes the summaries every ``every_s`` seconds."""

    def __init__(self, bus: EventBus, every_s: float) -> None:
        self.bus, self.every_s = bus, every_s
        self.activity = TeamActivity()
        self._emitter = Periodic("folio-analytics-realtime", self.emit, every_s)
        self._listener: asyncio.Task[None] | None = None

    async def start(self) -> None:
        ready = asyncio.Event()
        self._listener = asyncio.create_task(self._listen(ready), name="folio-analytics-listen")
        await ready.wait()
        self._emitter.start()

    async def _listen(self, ready: asyncio.Event) -> None:
        async with self.bus.subscribe(maxsize=100_000) as events:
            ready.set()
            while True:
                self.activity.observe(await events.get())

    async def emit(self) -> None:
        for summary in self.activity.summaries(self.every_s):
            await self.bus.publish(summary)

    async def stop(self) -> None:
        await self._emitter.stop()
        if self._listener is not None:  # no database work: safe to cancel at any point
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listener
