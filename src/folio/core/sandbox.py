"""Child processes for work whose cost a user controls (the regular expressions of their
templates), so it never runs on the API's event loop or threads.

``await sandbox.run(function, *args)`` pickles a module-level function and its arguments to
a free child and awaits the answer. A child that does not answer within the time limit is
killed (nothing in the child can stop that) and replaced by the next call; one that dies (its
memory limit) is replaced too. Children start on first use and are reused afterwards; they
import ``preload`` before they count as started, so a new child's imports never eat into a
call's time limit.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import importlib
import signal
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any, TypeVar

from folio.core.processes import die_with_parent, limit_memory, start_context

STARTUP_TIMEOUT_S = 60
T = TypeVar("T")


class SandboxTimeout(Exception):
    """The call ran past the time limit; its process was killed."""


class SandboxCrashed(Exception):
    """The process died under the call (most often its memory limit)."""


class SandboxBusy(Exception):
    """No process became free within the time limit."""


def _child_main(connection: Connection, memory_limit_mb: int, preload: tuple[str, ...]) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when children stop
    die_with_parent()
    limit_memory(memory_limit_mb)
    for module in preload:
        importlib.import_module(module)
    connection.send(("ready", None))
    while True:
        try:
            call = connection.recv()
        except (EOFError, OSError):
            return
        if call is None:
            return
        function, args = call
        try:
            outcome: tuple[str, Any] = ("ok", function(*args))
        except Exception as exc:
            outcome = ("raised", exc)
        try:
            connection.send(outcome)
        except Exception as exc:  # an answer that cannot be pickled
            connection.send(("raised", RuntimeError(f"unpicklable answer: {exc}")))


class _Child:
    def __init__(self, memory_limit_mb: int, preload: tuple[str, ...], start_method: str) -> None:
        self.memory_limit_mb = memory_limit_mb
        self.preload = preload
        self.start_method = start_method
        self.process: BaseProcess | None = None
        self.connection: Connection | None = None

    def call(self, function: Callable[..., Any], args: tuple[Any, ...], timeout_s: float) -> Any:
        """Blocking; runs in a thread."""
        connection = self._started()
        try:
            connection.send((function, args))
            answered = connection.poll(timeout_s)
            if not answered:
                self.stop()
                raise SandboxTimeout(f"no answer within {timeout_s:g} s")
            kind, value = connection.recv()
        except (EOFError, OSError) as exc:
            self.stop()
            raise SandboxCrashed("the sandbox process died") from exc
        if kind == "raised":
            raise value
        return value

    def _started(self) -> Connection:
        if self.process is not None and self.process.is_alive() and self.connection is not None:
            return self.connection
        self.stop()
        context = start_context(self.start_method, self.preload)
        parent_end, child_end = context.Pipe()
        process = context.Process(
            target=_child_main, args=(child_end, self.memory_limit_mb, self.preload), daemon=True
        )
        process.start()
        child_end.close()
        self.process, self.connection = process, parent_end
        if not parent_end.poll(STARTUP_TIMEOUT_S):
            self.stop()
            raise SandboxCrashed("the sandbox process did not start")
        parent_end.recv()
        return parent_end

    def stop(self) -> None:
        if self.process is not None:
            if self.process.is_alive():
                self.process.kill()
            self.process.join(timeout=5)
        if self.connection is not None:
            self.connection.close()
        self.process = self.connection = None


class Sandbox:
    """``size`` children, each used by one thread of a private pool: a waiting call holds
    no thread, and one that waited past the time limit is refused (``SandboxBusy``)."""

    def __init__(
        self,
        size: int,
        *,
        timeout_s: float,
        memory_limit_mb: int = 0,
        preload: tuple[str, ...] = (),
        start_method: str = "spawn",
    ) -> None:
        self.timeout_s = timeout_s
        start_context(start_method, preload)  # a fork server, once started, has it imported
        size = max(size, 1)
        self._free = [_Child(memory_limit_mb, preload, start_method) for _ in range(size)]
        self._children = list(self._free)
        self._lock = threading.Lock()
        self._threads = ThreadPoolExecutor(max_workers=size, thread_name_prefix="folio-sandbox")

    async def run(self, function: Callable[..., T], *args: Any) -> T:
        loop = asyncio.get_running_loop()
        call = functools.partial(self._call, function, args, time.monotonic())
        result: T = await loop.run_in_executor(self._threads, call)
        return result

    def _call(self, function: Callable[..., Any], args: tuple[Any, ...], queued: float) -> Any:
        if time.monotonic() - queued > self.timeout_s:
            raise SandboxBusy(f"no sandbox process was free within {self.timeout_s:g} s")
        with self._lock:  # as many threads as children: one is always free here
            child = self._free.pop()
        try:
            return child.call(function, args, self.timeout_s)
        finally:
            with self._lock:
                self._free.append(child)

    def close(self) -> None:
        self._threads.shutdown(wait=False, cancel_futures=True)
        for child in self._children:
            with contextlib.suppress(Exception):
                child.stop()
