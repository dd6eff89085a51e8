"""Versions: every successful processing run keeps its results; a rerun with other options or
another engine makes the next version, and the latest is the default everywhere."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from folio.core.principal import Principal
from folio.core.runtime import Runtime
from folio.documents.models import Document, DocumentVersion
from folio.documents.repository import DocumentRepository
from folio.documents.schemas import (
    DocumentVersionRead,
    DocumentVersions,
    ReprocessRequest,
    document_url,
)
from folio.documents.service import document as document_service
from folio.pipeline import OcrInfo


class VersionService:
    async def reprocess(
        self,
        session: AsyncSession,
        principal: Principal,
        runtime: Runtime,
        document_id: str,
        request: ReprocessRequest,
    ) -> Document:
        document = await document_service.get(session, principal, document_id)
        options = document_service.merged_options(principal, document, request.options)
        await document_service.process_again(session, runtime, document, options)
        return document

    async def list_versions(
        self, session: AsyncSession, principal: Principal, document_id: str
    ) -> DocumentVersions:
        document = await document_service.get(session, principal, document_id)
        rows = await DocumentRepository.from_session(session).versions(document)
        return DocumentVersions(
            document_id=document.id,
            status=document.status,
            latest_version=document.version,
            items=[self._read(document, row) for row in rows],
        )

    def _read(self, document: Document, row: DocumentVersion) -> DocumentVersionRead:
        return DocumentVersionRead(
            version=row.version,
            latest=row.version == document.version,
            job_id=row.job_id,
            options=row.options,
            page_count=row.page_count,
            word_count=row.word_count,
            language=row.language,
            document_type=row.document_type,
            ocr=OcrInfo.model_validate(row.ocr) if row.ocr else None,
            engine_versions=row.engine_versions,
            processing_time_ms=row.processing_time_ms,
            started_at=row.started_at,
            created_at=row.created_at,
            results_url=f"{document_url(document.id)}/results?version={row.version}",
        )


version = VersionService()
