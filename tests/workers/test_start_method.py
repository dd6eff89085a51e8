"""FOLIO_WORKER_START_METHOD: a worker is a child of this process (spawn) or of the fork server,
which imported the pipeline before it forked (forkserver, what the test suite's apps use)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from folio.core.sandbox import Sandbox
from folio.pipeline import Limits
from folio.workers.pool import WorkerSlot
from folio.workers.worker_process import worker_main

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")


def parent_of(pid: int) -> int:
    stat = Path(f"/proc/{pid}/stat").read_text()
    return int(stat.rsplit(")", 1)[1].split()[1])  # the field after the state


@pytest.mark.parametrize("method", ["spawn", "forkserver"])
def test_a_worker_starts_answers_and_stops(method: str) -> None:
    slot = WorkerSlot(index=0, limits=Limits().model_dump(), start_method=method)
    try:
        slot.ensure_started()
        assert slot.alive and slot.process is not None and slot.process.pid is not None
        forked_by_server = parent_of(slot.process.pid) != os.getpid()
        assert forked_by_server == (method == "forkserver")
        assert slot.receive(0.1) is None  # the ready message was read, nothing else waits
    finally:
        slot.stop(graceful=True)
    assert not slot.alive


@pytest.mark.parametrize("method", ["spawn", "forkserver"])
async def test_a_sandbox_child_answers(method: str) -> None:
    sandbox = Sandbox(1, timeout_s=60, preload=(worker_main.__module__,), start_method=method)
    try:
        parent = await sandbox.run(os.getppid)
    finally:
        sandbox.close()
    assert (parent != os.getpid()) == (method == "forkserver")
