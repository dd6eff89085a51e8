"""Faults the scale-out mode survives, each against real PostgreSQL, Redis and Celery worker
processes: a worker killed mid-document, Redis restarted, the API process killed during
uploads, database connections dropped."""

from __future__ import annotations

import asyncio
import contextlib
import re
import signal
import socket
import subprocess
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
import redis

from tests.conftest import corpus
from tests.helpers import assert_problem, upload, upload_ok, wait_settled
from tests.scaleout.conftest import PRIVATE_BROKER, StartWorker
from tests.scaleout.stack import FolioProcess, Stack
from tests.scaleout.test_celery import (
    MID_PDF,
    SLOW,
    SMALL_PDF,
    event_count,
    job_rows,
)

PG_HOST, PG_PORT = "127.0.0.1", 5432


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def eventually(check: Callable[[], bool], seconds: float = 120) -> None:
    for _ in range(int(seconds / 0.05)):
        if check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("timed out")


async def wait_pages(stack: Stack, document_id: str, at_least: int) -> None:
    """Until the worker is truly in the middle of the document."""

    def far_enough() -> bool:
        rows = stack.query("SELECT pages_done FROM documents WHERE id = $1", document_id)
        return bool(rows) and rows[0]["pages_done"] >= at_least

    await eventually(far_enough)


class TestWorkerKilled:
    async def test_job_is_redelivered_and_completes_once(
        self, client: httpx.AsyncClient, workers: StartWorker, scaleout_stack: Stack
    ) -> None:
        doomed = workers()
        document = await upload_ok(client, corpus(MID_PDF), options=SLOW)
        await wait_pages(scaleout_stack, document["id"], 1)
        doomed.kill()  # SIGKILL: no ack, no goodbye, its pipeline child dies with it
        workers()
        settled = await wait_settled(client, document["id"], seconds=300)
        assert settled["status"] == "completed", settled
        (job,) = job_rows(scaleout_stack, document["id"])
        assert job["status"] == "completed" and job["attempts"] == 2
        pages = scaleout_stack.query(
            "SELECT version, number FROM document_pages WHERE document_id = $1", document["id"]
        )
        assert len(pages) == settled["page_count"] == 4
        assert {row["version"] for row in pages} == {1}
        assert event_count(scaleout_stack, "document.processed", document["id"]) == 1


@dataclass
class RedisServer:
    port: int
    directory: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                *("redis-server", "--port", str(self.port), "--bind", "127.0.0.1"),
                *("--save", "", "--appendonly", "no", "--dir", str(self.directory)),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with contextlib.suppress(redis.ConnectionError):
                if redis.Redis.from_url(self.url).ping():
                    return
            time.sleep(0.1)
        raise TimeoutError("redis-server did not start")

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[RedisServer]:
    """Its own redis-server, so restarting it disturbs nobody else."""
    server = RedisServer(free_port(), tmp_path)
    server.start()
    yield server
    server.kill()


class TestRedisRestarted:
    @pytest.fixture
    def settings_overrides(self, private_redis: RedisServer) -> dict[str, object]:
        return {"redis_url": private_redis.url, "job_fair_share": 2}

    async def test_queued_and_running_jobs_complete(
        self,
        client: httpx.AsyncClient,
        workers: StartWorker,
        private_redis: RedisServer,
        scaleout_stack: Stack,
    ) -> None:
        workers(redis_url=private_redis.url)
        running = await upload_ok(client, corpus(MID_PDF), options=SLOW)
        queued = [await upload_ok(client, corpus(SMALL_PDF)) for _ in range(3)]
        await wait_pages(scaleout_stack, running["id"], 1)
        private_redis.kill()  # the queued messages are gone with it (no persistence)
        await asyncio.sleep(1)
        private_redis.start()
        for document in [running, *queued]:
            settled = await wait_settled(client, document["id"], seconds=300)
            assert settled["status"] == "completed", settled
            assert event_count(scaleout_stack, "document.processed", document["id"]) == 1

    async def test_api_event_bus_reconnects(
        self, client: httpx.AsyncClient, app: object, private_redis: RedisServer
    ) -> None:
        bus = app.state.runtime.bus  # type: ignore[attr-defined]
        await asyncio.wait_for(bus.connected.wait(), 10)
        private_redis.kill()
        await asyncio.sleep(0.5)
        private_redis.start()
        await asyncio.sleep(1)
        await asyncio.wait_for(bus.connected.wait(), 15)
        async with bus.subscribe() as events:
            redis.Redis.from_url(private_redis.url).publish(
                "folio:events",
                '{"id": "evt_x", "type": "system.test", "team_id": "t", "data": {},'
                ' "created_at": "2026-11-23T00:00:00Z"}',
            )
            event = await asyncio.wait_for(events.get(), 10)
        assert event.type == "system.test"


@dataclass
class ApiServer:
    stack: Stack
    directory: Path
    port: int = field(default_factory=free_port)
    process: FolioProcess | None = None

    def start(self) -> None:
        env = self.stack.env(self.directory / "api", redis_url=PRIVATE_BROKER, workers=0)
        self.process = FolioProcess(
            ["serve", "--port", str(self.port)], env, self.directory / "api.log"
        )
        self.process.start("Application startup complete")

    def api_key(self) -> str:
        found = re.search(r"admin API key: (\S+)", (self.directory / "api.log").read_text())
        assert found is not None
        return found.group(1)


class TestApiRestarted:
    async def test_every_accepted_upload_completes(
        self, scaleout_stack: Stack, workers: StartWorker, tmp_path: Path
    ) -> None:
        scaleout_stack.reset()
        redis.Redis.from_url(PRIVATE_BROKER).flushdb()
        api = ApiServer(scaleout_stack, tmp_path)
        api.start()
        workers()
        headers = {"Authorization": f"Bearer {api.api_key()}"}
        accepted: list[str] = []
        async with httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{api.port}", headers=headers, timeout=30
        ) as http:

            async def keep_uploading() -> None:
                while True:
                    with contextlib.suppress(httpx.TransportError):
                        response = await upload(http, corpus(SMALL_PDF))
                        if response.status_code == 202:
                            accepted.append(response.json()["id"])

            uploader = asyncio.create_task(keep_uploading())
            await eventually(lambda: len(accepted) >= 3)
            assert api.process is not None
            api.process.kill()  # mid-upload: committed jobs may not have reached the broker
            api.start()
            before = len(accepted)
            await eventually(lambda: len(accepted) >= before + 2)
            uploader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await uploader
            for document_id in accepted:
                settled = await wait_settled(http, document_id, seconds=300)
                assert settled["status"] == "completed", settled
        api.process.stop()


class TcpProxy:
    """Forwards a local port to PostgreSQL; ``stop()`` cuts every connection, like a network
    failure or a database failover. A stand-in for the network, not for the database."""

    def __init__(self) -> None:
        self.port = free_port()
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        for writer in list(self._writers):
            writer.transport.abort()
        self._writers.clear()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(PG_HOST, PG_PORT)
        except OSError:
            writer.transport.abort()
            return
        self._writers.update({writer, upstream_writer})
        await asyncio.gather(
            self._pipe(reader, upstream_writer),
            self._pipe(upstream_reader, writer),
            return_exceptions=True,
        )

    async def _pipe(self, source: asyncio.StreamReader, target: asyncio.StreamWriter) -> None:
        try:
            while chunk := await source.read(65536):
                target.write(chunk)
                await target.drain()
        finally:
            target.transport.abort()
            self._writers.discard(target)


@pytest.fixture
async def proxy() -> AsyncIterator[TcpProxy]:
    tcp = TcpProxy()
    await tcp.start()
    yield tcp
    await tcp.stop()


class TestDatabaseConnectionDropped:
    @pytest.fixture
    def settings_overrides(self, proxy: TcpProxy, scaleout_stack: Stack) -> dict[str, object]:
        url = scaleout_stack.database_url.replace(f":{PG_PORT}/", f":{proxy.port}/")
        return {"database_url": url, "redis_url": PRIVATE_BROKER, "db_connect_timeout_s": 2}

    async def test_requests_fail_with_503_then_recover(
        self, client: httpx.AsyncClient, proxy: TcpProxy
    ) -> None:
        assert (await client.get("/api/v1/documents")).status_code == 200
        await proxy.stop()
        response = await client.get("/api/v1/documents")
        assert_problem(response, 503, "SERVICE_UNAVAILABLE")
        assert "sql" not in response.text.lower()
        await proxy.start()
        assert (await client.get("/api/v1/documents")).status_code == 200

    async def test_terminated_backends_are_replaced(
        self, client: httpx.AsyncClient, scaleout_stack: Stack
    ) -> None:
        assert (await client.get("/api/v1/documents")).status_code == 200
        terminated = scaleout_stack.query(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = $1 AND pid <> pg_backend_pid()",
            scaleout_stack.database,
        )
        assert terminated, "the app held no connection to terminate"
        for _ in range(3):  # pre-ping notices the dead connections: no request fails
            assert (await client.get("/api/v1/documents")).status_code == 200
