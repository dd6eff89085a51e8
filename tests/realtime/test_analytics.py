"""analytics.realtime from a real bus: one summary per team with activity, stopped cleanly."""

from __future__ import annotations

import asyncio

from folio.core.events import Event, InMemoryEventBus
from folio.realtime.analytics import RealtimeAnalytics, TeamActivity


def document_event(type_: str, team_id: str, document_id: str) -> Event:
    return Event(type=type_, team_id=team_id, data={"document_id": document_id})


def test_only_teams_with_activity_get_a_summary() -> None:
    activity = TeamActivity()
    for type_, document_id in (
        ("document.uploaded", "doc_1"),
        ("document.processing", "doc_1"),
        ("document.processed", "doc_1"),
        ("document.uploaded", "doc_2"),
        ("document.uploaded", "doc_3"),
        ("document.failed", "doc_3"),
    ):
        activity.observe(document_event(type_, "team_a", document_id))
    activity.request("team_a")
    activity.request("team_a")
    activity.observe(document_event("document.uploaded", "team_b", "doc_9"))
    activity.observe(document_event("document.deleted", "team_b", "doc_9"))

    first = activity.summaries(5.0)
    second = activity.summaries(5.0)

    assert [(s.team_id, s.type) for s in first] == [("team_a", "analytics.realtime")]
    assert first[0].data == {
        "team_id": "team_a",
        "interval_s": 5.0,
        "documents_processed": 1,
        "documents_failed": 1,
        "documents_in_progress": 1,
        "requests_last_minute": 2,
    }
    # settled counts start again; the document in progress and the requests remain
    assert second[0].data["documents_processed"] == 0
    assert second[0].data["documents_in_progress"] == 1
    assert second[0].data["requests_last_minute"] == 2


async def test_publishes_periodically_and_stops_between_steps() -> None:
    bus = InMemoryEventBus()
    analytics = RealtimeAnalytics(bus, every_s=0.1)
    async with bus.subscribe() as received:
        await analytics.start()
        await bus.publish(document_event("document.uploaded", "team_a", "doc_1"))
        summaries = []
        async with asyncio.timeout(5):
            while len(summaries) < 2:
                event = await received.get()
                if event.type == "analytics.realtime":
                    summaries.append(event)
        async with asyncio.timeout(2):
            await analytics.stop()

    assert {s.team_id for s in summaries} == {"team_a"}
    assert summaries[0].data["documents_in_progress"] == 1
