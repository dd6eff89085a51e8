"""The hub with real queues and a real bus: a slow consumer is dropped, others keep going."""

from __future__ import annotations

import asyncio

from folio.core.events import ACCESS_CHANGED, Event, InMemoryEventBus
from folio.core.permissions import Permission
from folio.core.principal import Principal
from folio.realtime.hub import Connection, Hub, TooManyConnections


def principal(team: str, user: str) -> Principal:
    return Principal(
        team_id=team,
        team_ids=frozenset({team}),
        user_id=user,
        permissions=frozenset({Permission.documents_read}),
    )


async def test_slow_consumer_is_dropped_without_stalling_others() -> None:
    bus = InMemoryEventBus()
    hub = Hub(bus, queue_size=3, max_per_user=5)
    await hub.start()
    slow, fast = (
        hub.register(principal("team_a", "usr_slow")),
        hub.register(principal("team_a", "usr_fast")),
    )
    slow.channels.add("team")
    fast.channels.add("team")
    received = []

    async def drain() -> None:
        while len(received) < 10:
            received.append(await fast.queue.get())

    reader = asyncio.create_task(drain())
    for number in range(10):
        await bus.publish(Event(type="document.processing", team_id="team_a", data={"n": number}))
        await asyncio.sleep(0)
    await asyncio.wait_for(reader, 5)
    await hub.stop()

    assert slow.overflowed.is_set()
    assert [event.data["n"] for event in received] == list(range(10))


async def test_events_stay_within_their_team() -> None:
    hub = Hub(InMemoryEventBus(), queue_size=10, max_per_user=5)
    mine, theirs = (
        hub.register(principal("team_a", "usr_a")),
        hub.register(principal("team_b", "usr_b")),
    )
    mine.channels.add("team")
    theirs.channels.add("team")

    hub.dispatch(Event(type="document.processed", team_id="team_a", data={}))

    assert mine.queue.qsize() == 1 and theirs.queue.qsize() == 0


def test_connection_limit() -> None:
    hub = Hub(InMemoryEventBus(), queue_size=10, max_per_user=2)
    first = hub.register(principal("team_a", "usr_a"))
    hub.register(principal("team_a", "usr_a"))

    try:
        hub.register(principal("team_a", "usr_a"))
        raise AssertionError("a third connection was allowed")
    except TooManyConnections:
        pass
    hub.unregister(first)
    hub.register(principal("team_a", "usr_a"))


def test_analytics_need_analytics_read_and_system_events_reach_every_team() -> None:
    hub = Hub(InMemoryEventBus(), queue_size=10, max_per_user=5)
    analyst = hub.register(
        Principal(
            team_id="team_a",
            team_ids=frozenset({"team_a"}),
            user_id="usr_a",
            permissions=frozenset({Permission.documents_read, Permission.analytics_read}),
        )
    )
    reader = hub.register(principal("team_a", "usr_r"))
    outsider = hub.register(principal("team_b", "usr_b"))
    for connection in (analyst, reader, outsider):
        connection.channels.update({"team", "system"})
    unsubscribed = hub.register(principal("team_b", "usr_c"))

    hub.dispatch(Event(type="analytics.realtime", team_id="team_a", data={"team_id": "team_a"}))
    hub.dispatch(Event(type="system.status", team_id="system", data={"state": "running"}))
    hub.dispatch(Event(type="system.broadcast", team_id="system", data={"message": "hi"}))

    assert [e.type for e in drain(analyst)] == [
        "analytics.realtime",
        "system.status",
        "system.broadcast",
    ]
    assert [e.type for e in drain(reader)] == ["system.status", "system.broadcast"]
    assert [e.type for e in drain(outsider)] == ["system.status", "system.broadcast"]
    assert [e.type for e in drain(unsubscribed)] == ["system.broadcast"]  # for everyone


def drain(connection: Connection) -> list[Event]:
    events = []
    while not connection.queue.empty():
        events.append(connection.queue.get_nowait())
    return events


async def test_an_access_change_marks_only_the_connections_it_names() -> None:
    bus = InMemoryEventBus()
    hub = Hub(bus, queue_size=10, max_per_user=5)
    await hub.start()
    removed, colleague, elsewhere = (
        hub.register(principal("team_a", "usr_removed")),
        hub.register(principal("team_a", "usr_colleague")),
        hub.register(principal("team_b", "usr_removed")),  # the same user in another team
    )
    for connection in (removed, colleague, elsewhere):
        connection.channels.add("team")
    change = {"team_id": "team_a", "user_id": "usr_removed"}
    await bus.publish(Event(type=ACCESS_CHANGED, team_id="team_a", data=change))
    await asyncio.sleep(0.05)
    team_wide = Event(type=ACCESS_CHANGED, team_id="team_b", data={"team_id": "team_b"})
    await bus.publish(team_wide)
    await asyncio.sleep(0.05)
    await hub.stop()

    assert removed.stale.is_set() and not removed.verified.is_set()
    assert not colleague.stale.is_set() and colleague.verified.is_set()
    assert elsewhere.stale.is_set()  # named by the team-wide change
    assert all(c.queue.empty() for c in (removed, colleague, elsewhere))  # never delivered
