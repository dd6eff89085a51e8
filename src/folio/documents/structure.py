"""Markdown and retrieval chunks of a processed document, computed on request.

Both come from the stored pages (words with boxes) of the latest version, so every document
processed before this feature has them, and a better layout analysis applies without
reprocessing. The analysis costs tens of milliseconds per page; it runs in a worker thread and
its result is kept per process, keyed like ``/results`` bodies (document, version, row
``updated_at``), after the same tenancy and permission checks.
"""

from __future__ import annotations

from collections import OrderedDict
from datetime import datetime

import anyio
from sqlalchemy.ext.asyncio import AsyncSession

from folio.core.errors import FieldError, ValidationFailed
from folio.core.principal import Principal
from folio.core.runtime import Runtime
from folio.documents.models import Document
from folio.documents.schemas import (
    DocumentChunkRead,
    DocumentChunks,
    DocumentMarkdown,
    FurnitureRead,
)
from folio.documents.service import document as document_service
from folio.pipeline.structure import (
    DocumentStructure,
    chunk_structure,
    document_structure,
    render_markdown,
)

STATE_KEY = "documents.structure_cache"
CACHED_DOCUMENTS = 32
StructureKey = tuple[str, int, datetime]


class StructureCache:
    """The last analysed documents, least recently used first out."""

    def __init__(self, size: int = CACHED_DOCUMENTS) -> None:
        self.size = size
        self._items: OrderedDict[StructureKey, DocumentStructure] = OrderedDict()

    def get(self, key: StructureKey) -> DocumentStructure | None:
        found = self._items.get(key)
        if found is not None:
            self._items.move_to_end(key)
        return found

    def put(self, key: StructureKey, structure: DocumentStructure) -> None:
        self._items[key] = structure
        self._items.move_to_end(key)
        while len(self._items) > self.size:
            self._items.popitem(last=False)


class StructureService:
    async def markdown(
        self, session: AsyncSession, principal: Principal, runtime: Runtime, document_id: str
    ) -> DocumentMarkdown:
        document, structure = await self._structure(session, principal, runtime, document_id)
        furniture = [
            FurnitureRead(page=box.page, bbox=box.bbox, text=text, words=list(box.words))
            for box, text in zip(structure.furniture, structure.furniture_text, strict=True)
        ]
        return DocumentMarkdown(
            document_id=document.id,
            version=document.version,
            markdown=render_markdown(structure),
            furniture=furniture,
        )

    async def chunks(
        self,
        session: AsyncSession,
        principal: Principal,
        runtime: Runtime,
        document_id: str,
        *,
        max_tokens: int,
        overlap: int,
    ) -> DocumentChunks:
        if overlap * 2 >= max_tokens:
            error = FieldError("overlap", "too_large", "must be less than half of max_tokens")
            raise ValidationFailed([error])
        document, structure = await self._structure(session, principal, runtime, document_id)
        chunks = chunk_structure(structure, max_tokens, overlap)
        return DocumentChunks(
            document_id=document.id,
            version=document.version,
            max_tokens=max_tokens,
            overlap=overlap,
            chunks=[DocumentChunkRead.of(index, chunk) for index, chunk in enumerate(chunks)],
        )

    async def _structure(
        self, session: AsyncSession, principal: Principal, runtime: Runtime, document_id: str
    ) -> tuple[Document, DocumentStructure]:
        document, result = await document_service.get_processed(session, principal, document_id)
        key = (document.id, document.version, document.updated_at)
        cache = _cache(runtime)
        structure = cache.get(key)
        if structure is None:
            structure = await anyio.to_thread.run_sync(document_structure, result)
            cache.put(key, structure)
        return document, structure


def _cache(runtime: Runtime) -> StructureCache:
    cache = runtime.state.get(STATE_KEY)
    if cache is None:
        cache = runtime.state[STATE_KEY] = StructureCache()
    return cache


structure = StructureService()
