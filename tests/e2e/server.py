"""A real `folio serve` process on loopback, with a key made by `folio admin`."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

FOLIO = Path(sys.executable).with_name("folio")
START_TIMEOUT_S = 180


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    def __init__(self, data_dir: Path, **env: str) -> None:
        self.data_dir = data_dir
        self.env = env
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self._stderr: list[str] = []
        self._drainer: threading.Thread | None = None
        self.url = f"http://127.0.0.1:{self.port}"
        self.api_key = ""

    def client(self) -> httpx.Client:
        return httpx.Client(
            base_url=self.url, timeout=30, headers={"Authorization": f"Bearer {self.api_key}"}
        )

    def start(self) -> None:
        env = {**os.environ, "FOLIO_LOG_LEVEL": "WARNING", **self.env}
        self.process = subprocess.Popen(
            [
                str(FOLIO),
                "serve",
                "--port",
                str(self.port),
                "--data-dir",
                str(self.data_dir),
                "--workers",
                "1",
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        # drained all along: a full pipe would block the server (and its workers) mid-write
        self._stderr = []
        self._drainer = threading.Thread(target=self._drain, args=(self.process,), daemon=True)
        self._drainer.start()
        # a start imports the pipeline in the server and its worker: seconds when idle, but a
        # busy two-core machine stretches it several times
        deadline = time.monotonic() + START_TIMEOUT_S
        # one client for all the probes: each new one loads the CA bundle (~20 ms of CPU), and
        # probing every 0.2 s through a start was a fifth of a test worker's CPU
        with httpx.Client(timeout=1) as probe:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    self._drainer.join(timeout=5)
                    raise RuntimeError(self.stderr_text())
                try:
                    if probe.get(f"{self.url}/health").status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                time.sleep(0.2)  # also while it answers 503: its workers are still starting
        raise TimeoutError("server did not start")

    def _drain(self, process: subprocess.Popen[bytes]) -> None:
        assert process.stderr is not None
        for line in process.stderr:
            self._stderr.append(line.decode(errors="replace"))

    def stderr_text(self) -> str:
        """What the current (or last) server process wrote to stderr so far."""
        return "".join(self._stderr)

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)
        self._join_drainer()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()
        self._join_drainer()

    def _join_drainer(self) -> None:
        if self._drainer is not None:
            self._drainer.join(timeout=5)


def bootstrap_key(data_dir: Path, email: str = "ops@example.com") -> str:
    """The documented scripting path: an account and a key before the first start."""
    for command in (
        ["create-user", email, "--role", "admin"],
        ["create-key", "--user", email, "--json"],
    ):
        done = subprocess.run(
            [str(FOLIO), "admin", *command, "--data-dir", str(data_dir)],
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
    return json.loads(done.stdout)["key"]
