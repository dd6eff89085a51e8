"""Set-up of child processes that run untrusted input: they die with their parent, and their
address space is limited, so a bomb raises ``MemoryError`` instead of exhausting the host."""

from __future__ import annotations

import ctypes
import ctypes.util
import multiprocessing
import resource
import signal
from collections.abc import Sequence
from multiprocessing.context import ForkServerContext, SpawnContext

PR_SET_PDEATHSIG = 1
_FORKSERVER_PRELOAD: list[str] = []


def start_context(method: str, preload: Sequence[str] = ()) -> SpawnContext | ForkServerContext:
    """``spawn``: each child is a fresh interpreter that imports what it needs. ``forkserver``:
    children fork from one helper process that imported the ``preload`` modules of every
    caller before it started, once."""
    if method != "forkserver":
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    _FORKSERVER_PRELOAD.extend(name for name in preload if name not in _FORKSERVER_PRELOAD)
    context.set_forkserver_preload(list(_FORKSERVER_PRELOAD))
    return context


def die_with_parent() -> None:
    """Linux: if the server is killed, its children go too instead of finishing orphaned work."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        pass


def limit_memory(megabytes: int) -> None:
    """RLIMIT_AS of this process (0: unchanged). Counts virtual memory, so it must leave room
    for the libraries' mappings and thread stacks, not only for the data."""
    if megabytes <= 0:
        return
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = megabytes * 1024 * 1024
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def near_memory_limit(share: float = 0.9) -> bool:
    """Whether this process's peak address space came within ``share`` of RLIMIT_AS: C
    libraries report a failed allocation in their own ways (lxml as a syntax error)."""
    soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    if soft == resource.RLIM_INFINITY:
        return False
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            peak = next(line for line in status if line.startswith("VmPeak:"))
    except (OSError, StopIteration):
        return False
    return int(peak.split()[1]) * 1024 >= share * soft
