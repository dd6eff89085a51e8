"""Reads a process's memory, descriptors and children from /proc (Linux), for the benches."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def open_fds(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        found += [int(child) for child in text]
    return found


def cmdline(pid: int) -> str:
    return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")


def worker_pids(server_pid: int) -> list[int]:
    """The pipeline worker processes of a server (multiprocessing spawn children)."""
    return [pid for pid in children(server_pid) if "spawn_main" in cmdline(pid)]


class RssSampler:
    """Samples a process's RSS every ``interval_s`` in a thread while the block runs."""

    def __init__(self, pid: int, interval_s: float = 0.05) -> None:
        self.pid, self.interval_s = pid, interval_s
        self.samples: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.samples.append(rss_mb(self.pid))
            except (FileNotFoundError, ProcessLookupError):
                return
            time.sleep(self.interval_s)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def peak(self) -> float:
        return max(self.samples, default=0.0)


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_workers_ready(server_pid: int, count: int, timeout_s: float = 120) -> list[int]:
    """Waits until ``count`` worker processes exist and have stopped using CPU (imports done),
    so their start-up does not compete with what is measured next."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        pids = worker_pids(server_pid)
        if len(pids) >= count:
            before = [cpu_seconds(pid) for pid in pids]
            time.sleep(1.0)
            if all(cpu_seconds(pid) - b < 0.05 for pid, b in zip(pids, before, strict=True)):
                return pids
        else:
            time.sleep(0.2)
    raise TimeoutError(f"{count} idle workers not seen in {timeout_s} s")
