"""A team's document and its pipeline result, read through the documents repository.

The documents service calls :mod:`folio.understanding.hook` when results are recorded, so the
domains that hook reaches read documents here rather than through that service.
"""

from __future__ import annotations

import anyio
from sqlalchemy.ext.asyncio import AsyncSession

from folio.core.db import after_rollback
from folio.core.errors import Conflict, NotFound, UnprocessableDocument
from folio.core.principal import Principal
from folio.core.runtime import Runtime
from folio.documents.models import Document, DocumentStatus
from folio.documents.repository import DocumentRepository
from folio.documents.results import pipeline_result_from_rows
from folio.pipeline import DocumentResult


async def readable_document(
    session: AsyncSession, principal: Principal, document_id: str
) -> Document:
    document = await DocumentRepository.from_session(session).get(principal, document_id)
    if document is None:
        raise NotFound(f"No document {document_id}.")
    return document


def require_results(document: Document) -> None:
    if document.status == DocumentStatus.failed:
        raise UnprocessableDocument(
            document.error_message or "Processing failed.", reason=document.error_code
        )
    if document.version == 0:
        raise Conflict(
            f"Document {document.id} is {document.status}; results are not ready.",
            document_status=document.status,
        )


async def result_of(session: AsyncSession, document: Document) -> DocumentResult:
    """The pipeline result of the document's current version."""
    pages = await DocumentRepository.from_session(session).get_pages(document, document.version)
    return pipeline_result_from_rows(document, pages)


def forget_blob_on_rollback(session: AsyncSession, runtime: Runtime, key: str) -> None:
    """A blob written for a row that never commits is deleted again."""

    async def delete() -> None:
        await anyio.to_thread.run_sync(runtime.storage.delete, key)

    after_rollback(session, delete)


async def text_of(session: AsyncSession, document: Document) -> str:
    """The text of the document's current version, pages joined by newlines."""
    pages = await DocumentRepository.from_session(session).get_pages(document, document.version)
    return "\n".join(page.text for page in pages)


async def processed_document(
    session: AsyncSession, principal: Principal, document_id: str
) -> tuple[Document, DocumentResult]:
    document = await readable_document(session, principal, document_id)
    require_results(document)
    return document, await result_of(session, document)
