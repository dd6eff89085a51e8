"""WebSocket capacity and event latency (seed 004: 1,000 connections, < 100 ms delivery).

1. Idle connections held by a real `folio serve`, and its memory per connection.
2. End-to-end latency of real events (uploads → document.* events) over real sockets.
3. Fan-out latency of the hub at 1,000 events/s to 1,000 subscribers, in-process, next to a
   bare asyncio.Queue fan-out loop (the baseline) in the same run.

    python bench/realtime.py [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import websockets

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _server import folio_server
from folio.core.events import Event, InMemoryEventBus
from folio.core.permissions import Permission
from folio.core.principal import Principal
from folio.realtime.hub import Hub

RESULTS = Path(__file__).resolve().parent / "results" / "realtime.json"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return round(ordered[max(0, int(len(ordered) * share) - 1)], 2)


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def raise_file_limit() -> None:
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


async def hold_connections(url: str, key: str, pid: int, count: int) -> dict[str, float]:
    before = rss_kb(pid)
    ws_url = url.replace("http", "ws") + f"/api/v1/ws?token={key}"
    sockets = []
    started = time.perf_counter()
    for _ in range(count):
        socket = await websockets.connect(ws_url, max_queue=None)
        assert json.loads(await socket.recv())["type"] == "auth:success"
        await socket.send(json.dumps({"type": "subscribe", "payload": {"channel": "team"}}))
        await socket.recv()
        sockets.append(socket)
    opened_s = time.perf_counter() - started
    await asyncio.sleep(1)
    after = rss_kb(pid)
    for socket in sockets:
        await socket.close()
    return {
        "connections": count,
        "open_seconds": round(opened_s, 2),
        "server_rss_before_mb": round(before / 1024, 1),
        "server_rss_after_mb": round(after / 1024, 1),
        "kb_per_connection": round((after - before) / count, 1),
    }


async def end_to_end_latency(url: str, key: str, uploads: int) -> dict[str, float]:
    """Upload request sent → its document.uploaded event read from a subscribed socket
    (an upper bound: it includes the upload itself)."""
    socket = await websockets.connect(url.replace("http", "ws") + f"/api/v1/ws?token={key}")
    await socket.recv()
    await socket.send(json.dumps({"type": "subscribe", "payload": {"channel": "team"}}))
    await socket.recv()
    latencies = []
    async with httpx.AsyncClient(
        base_url=url, headers={"Authorization": f"Bearer {key}"}, timeout=30
    ) as client:
        for number in range(uploads):
            sent = time.perf_counter()  # the event is published before the 202 returns
            response = await client.post(
                "/api/v1/documents", files={"file": (f"{number}.txt", b"latency")}
            )
            document_id = response.json()["id"]
            while True:
                message = json.loads(await socket.recv())
                payload = message.get("payload", {})
                if (
                    payload.get("type") == "document.uploaded"
                    and payload["data"].get("document_id") == document_id
                ):
                    latencies.append((time.perf_counter() - sent) * 1000)
                    break
    await socket.close()
    return {
        "events": uploads,
        "p50_ms": percentile(latencies, 0.5),
        "p95_ms": percentile(latencies, 0.95),
    }


TEAMS = 100  # 1,000 connections in 100 teams of 10: each event reaches its team's 10


async def hub_fan_out(subscribers: int, rate: int, seconds: float) -> dict[str, float]:
    bus = InMemoryEventBus()
    hub = Hub(bus, queue_size=10_000, max_per_user=subscribers)
    await hub.start()
    connections = []
    for number in range(subscribers):
        team = f"team_{number % TEAMS}"
        principal = Principal(
            team_id=team,
            team_ids=frozenset({team}),
            user_id=f"usr_{number}",
            permissions=frozenset({Permission.documents_read}),
        )
        connection = hub.register(principal)
        connection.channels.add("team")
        connections.append(connection)
    latencies: list[float] = []

    async def consume(queue: asyncio.Queue[Event]) -> None:
        while True:
            event = await queue.get()
            latencies.append((time.perf_counter() - event.data["sent"]) * 1000)

    readers = [asyncio.create_task(consume(c.queue)) for c in connections]
    await publish_at(
        rate,
        seconds,
        lambda number, sent: bus.publish(
            Event(type="document.processing", team_id=f"team_{number % TEAMS}", data={"sent": sent})
        ),
    )
    await asyncio.sleep(0.5)
    for reader in readers:
        reader.cancel()
    await hub.stop()
    return fan_out_figures(subscribers, rate, latencies)


async def baseline_fan_out(subscribers: int, rate: int, seconds: float) -> dict[str, float]:
    """The least any fan-out can do: put the timestamp on each of the team's queues."""
    teams: dict[str, list[asyncio.Queue[float]]] = {}
    queues: list[asyncio.Queue[float]] = []
    for number in range(subscribers):
        queue: asyncio.Queue[float] = asyncio.Queue()
        teams.setdefault(f"team_{number % TEAMS}", []).append(queue)
        queues.append(queue)
    latencies: list[float] = []

    async def consume(queue: asyncio.Queue[float]) -> None:
        while True:
            sent = await queue.get()
            latencies.append((time.perf_counter() - sent) * 1000)

    async def publish(number: int, sent: float) -> None:
        for queue in teams[f"team_{number % TEAMS}"]:
            queue.put_nowait(sent)

    readers = [asyncio.create_task(consume(q)) for q in queues]
    await publish_at(rate, seconds, publish)
    await asyncio.sleep(0.5)
    for reader in readers:
        reader.cancel()
    return fan_out_figures(subscribers, rate, latencies)


def fan_out_figures(subscribers: int, rate: int, latencies: list[float]) -> dict[str, float]:
    return {
        "subscribers": subscribers,
        "teams": TEAMS,
        "events_per_s": rate,
        "deliveries": len(latencies),
        "p50_ms": percentile(latencies, 0.5),
        "p95_ms": percentile(latencies, 0.95),
    }


async def publish_at(rate: int, seconds: float, publish: Any) -> None:
    interval = 1 / rate
    started = time.perf_counter()
    for number in range(int(rate * seconds)):
        delay = started + number * interval - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        await publish(number, time.perf_counter())


async def run(quick: bool) -> dict[str, Any]:
    connections, uploads, seconds = (300, 20, 2.0) if quick else (1000, 100, 5.0)
    raise_file_limit()
    figures: dict[str, Any] = {}
    with folio_server(FOLIO_WS_MAX_CONNECTIONS_PER_USER=str(connections + 10)) as server:
        url, key, _, _ = server
        pid = _server_pid(url)
        figures["idle connections"] = await hold_connections(url, key, pid, connections)
        figures["end-to-end event latency"] = await end_to_end_latency(url, key, uploads)
    figures["hub fan-out"] = await hub_fan_out(1000, 1000, seconds)
    figures["baseline fan-out (bare queues)"] = await baseline_fan_out(1000, 1000, seconds)
    return figures


def _server_pid(url: str) -> int:
    port = url.rsplit(":", 1)[1]
    for status in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            command = status.read_bytes().split(b"\0")
        except OSError:
            continue
        if b"serve" in command and port.encode() in command:
            return int(status.parent.name)
    raise RuntimeError("server process not found")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    figures = asyncio.run(run(parser.parse_args().quick))
    for name, row in figures.items():
        print(f"{name:32} " + "  ".join(f"{k}={v}" for k, v in row.items()))
    hub, base = figures["hub fan-out"], figures["baseline fan-out (bare queues)"]
    print(f"hub/baseline p95 ratio: {hub['p95_ms'] / max(base['p95_ms'], 0.001):.2f}")
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
