"""Shared by the load benchmarks: start a real Folio server (or a bare baseline) on loopback."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

FOLIO = Path(sys.executable).with_name("folio")
BASELINE_APP = """
import shutil
import tempfile
from fastapi import FastAPI, UploadFile
app = FastAPI()
@app.get("/items")
async def items():
    return {"items": [], "next_cursor": None, "has_more": False}
def keep(upload):
    with tempfile.NamedTemporaryFile(dir=".", delete=True) as out:
        shutil.copyfileobj(upload.file, out)
        return out.tell()
@app.post("/upload", status_code=202)
async def upload(file: UploadFile):
    return {"size": keep(file)}
@app.post("/batch", status_code=202)
async def batch(files: list[UploadFile]):
    return {"sizes": [keep(f) for f in files]}
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_up(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("server exited during start-up")
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise TimeoutError(url)


def stop(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


def admin(data_dir: Path, *args: str) -> dict[str, object]:
    done = subprocess.run(
        [str(FOLIO), "admin", *args, "--data-dir", str(data_dir)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout)


@dataclass(frozen=True)
class FolioServer:
    url: str
    key: str
    email: str
    password: str
    pid: int
    data_dir: Path

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1])


@contextmanager
def folio_process(workers: int = 0, **env: str) -> Iterator[FolioServer]:
    """A real ``folio serve`` process on a fresh data directory, with an API key."""
    with tempfile.TemporaryDirectory() as folder:
        data_dir = Path(folder) / "data"
        email, password = "bench@example.com", "bench password 123"
        admin(data_dir, "create-user", email, "--password", password)
        key = str(admin(data_dir, "create-key", "--user", email, "--json")["key"])
        port = free_port()
        environment = {
            **os.environ,
            "FOLIO_LOG_LEVEL": "WARNING",
            "FOLIO_RATE_LIMIT_ENABLED": "false",
            **env,
        }
        process = subprocess.Popen(
            [
                str(FOLIO),
                "serve",
                "--port",
                str(port),
                "--data-dir",
                str(data_dir),
                "--workers",
                str(workers),
            ],
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            wait_until_up(f"{url}/health", process)
            yield FolioServer(url, key, email, password, process.pid, data_dir)
        finally:
            stop(process)


@contextmanager
def folio_server(workers: int = 0, **env: str) -> Iterator[tuple[str, str, str, str]]:
    """Yields (url, api_key, email, password) for a fresh data directory."""
    with folio_process(workers, **env) as server:
        yield server.url, server.key, server.email, server.password


@contextmanager
def baseline_process() -> Iterator[tuple[str, int]]:
    """A bare FastAPI app on the same uvicorn: yields (url, pid)."""
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "baseline_app.py").write_text(BASELINE_APP)
        port = free_port()
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "baseline_app:app",
                "--port",
                str(port),
                "--log-level",
                "warning",
                "--no-access-log",
            ],
            cwd=folder,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            wait_until_up(f"{url}/items", process)
            yield url, process.pid
        finally:
            stop(process)


@contextmanager
def baseline_server() -> Iterator[str]:
    with baseline_process() as (url, _pid):
        yield url
