"""Serialized ``/results`` bodies, kept per process so a repeated read skips the rebuild.

Building the body decodes every page's word rows and validates them into models: most of the
server time of a ``/results`` request (``bench/load_api.py``). A body is keyed by what it is
made of: the document, the version asked for, the document row's ``updated_at`` (every ORM
change to the row moves it: a new version, a rename, new intelligence) and whether words are
included. A version's page rows are written once, in the same unit of work that moves the
document row. The caller loads the document for its principal first, so a body is only ever
served after the same tenancy and permission checks as a rebuild.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime

from folio.core.runtime import Runtime

MAX_BYTES = 64 * 1024 * 1024
STATE_KEY = "documents.results_cache"


@dataclass(frozen=True)
class ResultsKey:
    document_id: str
    version: int
    updated_at: datetime
    include_words: bool

    @property
    def etag(self) -> str:
        fingerprint = f"{self.document_id}|{self.version}|{self.updated_at.isoformat()}"
        digest = hashlib.sha256(f"{fingerprint}|{self.include_words}".encode()).hexdigest()
        return f'"{digest[:32]}"'


class ResultsCache:
    """Least recently used first out, bounded by the bytes it holds."""

    def __init__(self, max_bytes: int = MAX_BYTES) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self._bodies: OrderedDict[ResultsKey, bytes] = OrderedDict()

    def get(self, key: ResultsKey) -> bytes | None:
        body = self._bodies.get(key)
        if body is not None:
            self._bodies.move_to_end(key)
        return body

    def put(self, key: ResultsKey, body: bytes) -> None:
        if len(body) > self.max_bytes // 4:
            return  # one huge document would push out everything else
        old = self._bodies.pop(key, None)
        self.size += len(body) - (len(old) if old is not None else 0)
        self._bodies[key] = body
        while self.size > self.max_bytes:
            _, evicted = self._bodies.popitem(last=False)
            self.size -= len(evicted)


def results_cache(runtime: Runtime) -> ResultsCache:
    cache = runtime.state.get(STATE_KEY)
    if cache is None:
        cache = runtime.state[STATE_KEY] = ResultsCache()
    return cache
