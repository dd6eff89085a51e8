"""``DocumentRead`` models and their JSON kept per process, keyed by the row they were made of.

Validating a summary row into a ``DocumentRead`` (its stages, links, options) was the largest
part of a list page's server time after the query, and serialising it (its enums, dates and
stages) the next (``bench/load_api.py``, issue 8). A model is
keyed by the document's id and its row's ``updated_at``, which every ORM change to the row
moves (status, progress, stages, a rename, new results); documents are only changed through
the ORM. Rows are read for the principal first, so a kept model is only ever served after
the same tenancy and permission checks as a fresh one.
"""

from __future__ import annotations

from collections import OrderedDict
from datetime import datetime

from pydantic import TypeAdapter

from folio.core.prepared import ResultRow
from folio.core.runtime import Runtime
from folio.documents.schemas import DocumentRead

MAX_ENTRIES = 20_000  # ~3 KB each with the JSON
READ_JSON = TypeAdapter(DocumentRead)
STATE_KEY = "documents.summary_cache"


class KeptRead:
    __slots__ = ("_json", "read")

    def __init__(self, read: DocumentRead) -> None:
        self.read = read
        self._json: bytes | None = None

    @property
    def json(self) -> bytes:
        """What FastAPI sends for ``response_model=DocumentRead``: made once, on first use."""
        if self._json is None:
            self._json = READ_JSON.dump_json(self.read, by_alias=True)
        return self._json


class SummaryCache:
    """Least recently used first out."""

    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self.max_entries = max_entries
        self._reads: OrderedDict[tuple[str, datetime], KeptRead] = OrderedDict()

    def kept_json(self, document_id: str, updated_at: datetime) -> bytes | None:
        """The JSON kept for the document as it was at ``updated_at``, if any."""
        kept = self._hit((document_id, updated_at))
        return kept.json if kept is not None else None

    def read_of(self, row: ResultRow) -> DocumentRead:
        return self._kept(row).read

    def json_of(self, row: ResultRow) -> bytes:
        return self._kept(row).json

    def _kept(self, row: ResultRow) -> KeptRead:
        key = (row.id, row.updated_at)
        kept = self._hit(key)
        if kept is not None:
            return kept
        kept = self._reads[key] = KeptRead(DocumentRead.model_validate(row))
        if len(self._reads) > self.max_entries:
            self._reads.popitem(last=False)
        return kept

    def _hit(self, key: tuple[str, datetime]) -> KeptRead | None:
        kept = self._reads.get(key)
        if kept is not None:
            self._reads.move_to_end(key)
        return kept

    def __len__(self) -> int:
        return len(self._reads)


def summary_cache(runtime: Runtime) -> SummaryCache:
    cache = runtime.state.get(STATE_KEY)
    if cache is None:
        cache = runtime.state[STATE_KEY] = SummaryCache()
    return cache
