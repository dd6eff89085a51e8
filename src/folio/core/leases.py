"""Lease holders are named ``host:pid:nonce``.

The name tells a process which leases of its own host belong to a holder that is gone, so it
can take them back at once instead of waiting for them to lapse.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterable


def this_host() -> str:
    return socket.gethostname()[:60]


def holder_name() -> str:
    """Unique per holder (a crawl supervisor, a dataset build)."""
    return f"{this_host()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def gone_holders(owners: Iterable[str], live: set[str], *, any_pid: bool) -> set[str]:
    """Of ``owners`` on this host: holders of this process not in ``live`` and, with
    ``any_pid``, holders of processes that exited. Only SQLite (one machine) may use
    ``any_pid``: on PostgreSQL processes of other pid namespaces may share the host name."""
    return {owner for owner in owners if _is_gone(owner, live, any_pid=any_pid)}


def _is_gone(owner: str, live: set[str], *, any_pid: bool) -> bool:
    host, _, rest = owner.partition(":")
    pid = rest.partition(":")[0]
    if host != this_host() or not pid.isdigit():
        return False
    if int(pid) == os.getpid():
        return owner not in live
    return any_pid and _process_exited(int(pid))


def _process_exited(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False
