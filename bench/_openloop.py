"""Open-loop HTTP/1.1 load generator, run as its own process by the load benchmarks.

Debian ships wrk, not wrk2: wrk is closed-loop (a connection sends its next request only when
the previous answer arrived), so a slow server lowers the offered load and hides its own
queueing (coordinated omission). This client sends request *i* at ``start + i / rate`` whatever
happened before, over a pool of keep-alive connections, and measures each latency from that
intended send time, as wrk2 does. It speaks just enough HTTP/1.1 for GETs answered with a
Content-Length or chunked body, so its own cost per request stays far below the server's.

    python bench/_openloop.py CONFIG_JSON   → prints one JSON object

CONFIG: {"host", "port", "rate", "duration_s", "headers": {..}, "targets": [[route, path], ..],
         "max_connections", "timeout_s"}. Targets are sent in round-robin order.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field

try:
    import uvloop
except ImportError:  # the plain event loop works too, only a little slower
    uvloop = None


@dataclass
class RouteStats:
    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0  # transport errors, timeouts and HTTP status >= 400
    statuses: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    failures: dict[str, int] = field(default_factory=lambda: defaultdict(int))  # by exception


STALE_ATTEMPTS = 3
KEEP_ALIVE_EXPIRY_S = 4.0  # uvicorn closes a keep-alive connection idle for 5 s (httpx: 5 s)


class StaleConnection(ConnectionError):
    """The server closed the connection before answering: a keep-alive connection it timed
    out while idle (uvicorn closes them after 5 s)."""


class Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer
        self.idle_since = time.monotonic()

    async def get(self, request: bytes) -> int:
        self.writer.write(request)
        status_line = await self.reader.readline()
        if not status_line:
            raise StaleConnection("connection closed before an answer")
        status = int(status_line.split(b" ", 2)[1])
        length, chunked, close = 0, False, False
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"transfer-encoding" and b"chunked" in value.lower():
                chunked = True
            elif name == b"connection" and b"close" in value.lower():
                close = True
        if chunked:
            await self._skip_chunks()
        elif length:
            await self.reader.readexactly(length)
        if close:
            raise ConnectionResetError("server closed the connection")  # counted as done
        return status

    async def _skip_chunks(self) -> None:
        while True:
            size = int((await self.reader.readline()).split(b";")[0], 16)
            await self.reader.readexactly(size + 2)
            if size == 0:
                return

    def close(self) -> None:
        self.writer.close()


class Pool:
    def __init__(self, host: str, port: int, limit: int) -> None:
        self.host, self.port, self.limit = host, port, limit
        self.idle: list[Connection] = []
        self.opened = 0
        self.peak = 0
        self._freed = asyncio.Condition()

    async def acquire(self) -> Connection:
        async with self._freed:
            while not self.idle and self.opened >= self.limit:
                await self._freed.wait()
            while self.idle:
                connection = self.idle.pop()
                if time.monotonic() - connection.idle_since < KEEP_ALIVE_EXPIRY_S:
                    return connection
                connection.close()  # the server is about to close it, or has
                self.opened -= 1
            self.opened += 1
            self.peak = max(self.peak, self.opened)
        try:
            return Connection(*await asyncio.open_connection(self.host, self.port))
        except BaseException:
            await self.discard(None)
            raise

    async def release(self, connection: Connection) -> None:
        connection.idle_since = time.monotonic()
        async with self._freed:
            self.idle.append(connection)
            self._freed.notify()

    async def discard(self, connection: Connection | None) -> None:
        if connection is not None:
            connection.close()
        async with self._freed:
            self.opened -= 1
            self._freed.notify()


def request_bytes(host: str, path: str, headers: dict[str, str]) -> bytes:
    lines = [f"GET {path} HTTP/1.1", f"Host: {host}", *(f"{k}: {v}" for k, v in headers.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


async def exchange(pool: Pool, request: bytes) -> tuple[Connection, int]:
    """Sends ``request`` and reads its answer. A GET that meets a connection the server closed
    while it sat idle in the pool goes again on another one, as HTTP clients do: the race
    is the client's, and counting it as the server's error would blame the server."""
    for attempt in range(STALE_ATTEMPTS):
        connection = await pool.acquire()
        try:
            return connection, await connection.get(request)
        except StaleConnection:
            await pool.discard(connection)
            if attempt == STALE_ATTEMPTS - 1:
                raise
        except BaseException:
            await pool.discard(connection)
            raise
    raise AssertionError("unreachable")


async def one(
    pool: Pool, request: bytes, intended: float, stats: RouteStats, timeout_s: float
) -> None:
    try:
        async with asyncio.timeout(timeout_s):
            connection, status = await exchange(pool, request)
        stats.statuses[status] += 1
        stats.errors += status >= 400
        await pool.release(connection)
    except (OSError, TimeoutError, ValueError, IndexError, asyncio.IncompleteReadError) as error:
        stats.errors += 1
        stats.statuses[0] += 1
        stats.failures[type(error).__name__] += 1
    stats.latencies_ms.append((time.perf_counter() - intended) * 1000)


async def run(config: dict) -> dict:
    host, port = config["host"], config["port"]
    rate, duration = float(config["rate"]), float(config["duration_s"])
    targets = [
        (route, request_bytes(host, path, config.get("headers", {})))
        for route, path in config["targets"]
    ]
    pool = Pool(host, port, int(config.get("max_connections", 256)))
    stats: dict[str, RouteStats] = defaultdict(RouteStats)
    total = int(rate * duration)
    tasks: set[asyncio.Task[None]] = set()
    max_lag_ms = 0.0
    start = time.perf_counter() + 0.05
    for index in range(total):
        intended = start + index / rate
        delay = intended - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        else:
            max_lag_ms = max(max_lag_ms, -delay * 1000)
        route, request = targets[index % len(targets)]
        task = asyncio.create_task(one(pool, request, intended, stats[route], config["timeout_s"]))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    sent_s = time.perf_counter() - start
    if tasks:
        await asyncio.wait(set(tasks))
    elapsed = time.perf_counter() - start
    for connection in pool.idle:
        connection.close()
    return {
        "offered_rps": rate,
        "sent": total,
        "send_seconds": round(sent_s, 3),
        "elapsed_s": round(elapsed, 3),
        "achieved_rps": round(total / elapsed, 1),
        "client_max_lag_ms": round(max_lag_ms, 1),  # how late the generator itself ran
        "connections": pool.peak,
        "routes": {
            route: {
                "latencies_ms": [round(v, 3) for v in s.latencies_ms],
                "errors": s.errors,
                "statuses": dict(s.statuses),
                "failures": dict(s.failures),
            }
            for route, s in stats.items()
        },
    }


def main() -> None:
    config = json.loads(sys.argv[1])
    runner = uvloop.run if uvloop is not None else asyncio.run
    print(json.dumps(runner(run(config))))


if __name__ == "__main__":
    main()
