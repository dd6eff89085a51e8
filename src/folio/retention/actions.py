"""What retention and erasure do to one document, each recorded in the purge log. The files
go once the unit of work commits; a rollback keeps them."""

from __future__ import annotations

import anyio
from sqlalchemy.ext.asyncio import AsyncSession

from folio.core.db import after_commit, utcnow
from folio.core.ids import IdPrefix, new_id
from folio.core.runtime import Runtime
from folio.documents.models import Document
from folio.documents.repository import DocumentRepository
from folio.documents.service import document as document_service
from folio.redactions.repository import RedactionRepository
from folio.retention.models import PurgeAction, PurgeRecord


def document_folder(document: Document) -> str:
    return document.blob_key.rsplit("/", 1)[0]


def remove_files_after_commit(session: AsyncSession, runtime: Runtime, folder: str) -> None:
    async def remove() -> None:
        await anyio.to_thread.run_sync(runtime.storage.delete_prefix, folder)

    after_commit(session, remove)


def record(
    session: AsyncSession, document: Document, action: PurgeAction, source: str, freed: int = 0
) -> PurgeRecord:
    row = PurgeRecord(
        id=new_id(IdPrefix.purge),
        team_id=document.team_id,
        document_id=document.id,
        filename=document.filename,
        document_type=document.document_type,
        action=action,
        source=source,
        bytes_freed=freed,
        created_at=utcnow(),
    )
    session.add(row)
    return row


async def delete_original(
    session: AsyncSession, runtime: Runtime, document: Document, source: str
) -> int:
    """The uploaded file and the files made from it (redacted copies); the row and results
    stay. Returns the bytes freed."""
    await RedactionRepository.from_session(session).delete_for_document(document.id)
    document.original_deleted_at = utcnow()
    remove_files_after_commit(session, runtime, document_folder(document))
    record(session, document, PurgeAction.original_deleted, source, document.size_bytes)
    return document.size_bytes


async def delete_results(session: AsyncSession, document: Document, source: str) -> None:
    """Text, pages, versions and analysis; the document row says when they went."""
    await DocumentRepository.from_session(session).delete_results(document)
    document.results_deleted_at = utcnow()
    document.intelligence = document.doc_metadata = document.ocr = None
    document.pii_detected = None
    document.word_count = None
    record(session, document, PurgeAction.results_deleted, source)


async def delete_document(
    session: AsyncSession, runtime: Runtime, document: Document, source: str
) -> int:
    freed = 0 if document.original_deleted_at is not None else document.size_bytes
    record(session, document, PurgeAction.document_deleted, source, freed)
    await document_service.remove(session, runtime, document)
    return freed
