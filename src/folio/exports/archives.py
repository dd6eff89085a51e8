"""File exports of documents and batches: a searchable PDF of a scanned document, a ZIP of a
batch's failed originals and a ZIP of a batch's results. Each is built in a spooled temporary
file off the event loop, then streamed."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

import anyio
from sqlalchemy.ext.asyncio import AsyncSession

from folio.batches.models import Batch
from folio.batches.repository import BatchRepository
from folio.core.db import utcnow
from folio.core.errors import NotFound, UnprocessableDocument
from folio.core.principal import Principal
from folio.core.runtime import Runtime
from folio.documents.models import Document, DocumentStatus
from folio.documents.service import document as document_service
from folio.exports.repository import ExportRepository
from folio.exports.schemas import safe_name
from folio.exports.service import ExportStream, spooled, stream_file
from folio.pipeline import DocumentKind
from folio.pipeline.cells import inert_row
from folio.pipeline.fields.exports import write_searchable_pdf
from folio.pipeline.fields.review import review_marks
from folio.templates.models import Extraction

ZIP_TYPE = "application/zip"
SCANNABLE = {DocumentKind.pdf, DocumentKind.image}


def _entry_name(index: int, document: Document, suffix: str = "") -> str:
    return f"{index:04d}_{safe_name(document.filename)}{suffix}"


def _csv_bytes(rows: Sequence[Sequence[object]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(inert_row(row) for row in rows)
    return buffer.getvalue().encode()


class ArchiveService:
    async def searchable_pdf(
        self,
        session: AsyncSession,
        principal: Principal,
        runtime: Runtime,
        document_id: str,
        *,
        version: int | None,
    ) -> ExportStream:
        document = await document_service.get(session, principal, document_id)
        if document.kind not in SCANNABLE:
            raise UnprocessableDocument(
                f"A searchable PDF is made from a PDF or an image, not from {document.kind}.",
                reason="NOT_A_SCAN",
            )
        result = await document_service.pipeline_result_of(session, document, version)
        document_service.require_original(document)
        source = runtime.storage.local_path(document.blob_key)
        handle = spooled()
        layered = await anyio.to_thread.run_sync(write_searchable_pdf, source, result, handle)
        return ExportStream(
            filename=f"{Path(document.filename).stem}.searchable.pdf",
            media_type="application/pdf",
            chunks=stream_file(handle),
            headers={"X-Folio-Text-Layer-Pages": str(layered)},
        )

    async def _batch(self, session: AsyncSession, principal: Principal, batch_id: str) -> Batch:
        batch = await BatchRepository.from_session(session).get(principal, batch_id)
        if batch is None:
            raise NotFound(f"No batch {batch_id}.")
        return batch

    def _zip_name(self, prefix: str, batch: Batch | None) -> str:
        stamp = utcnow().strftime("%Y%m%d_%H%M%S")
        if batch is None:
            return f"{prefix}_documents_{stamp}.zip"
        return f"{prefix}_{safe_name(batch.name or batch.id)}_{stamp}.zip"

    async def failed_originals(
        self,
        session: AsyncSession,
        principal: Principal,
        runtime: Runtime,
        batch_id: str | None,
    ) -> ExportStream:
        """The originals of failed documents (one batch's, or all the team's) and why."""
        repository = ExportRepository.from_session(session)
        batch = await self._batch(session, principal, batch_id) if batch_id else None
        failed = await repository.documents_with_status(
            principal, batch.id if batch else None, DocumentStatus.failed
        )
        failed = [d for d in failed if d.original_deleted_at is None]  # retention took the rest
        if not failed:
            where = f"Batch {batch.id} has" if batch else "The team has"
            raise NotFound(f"{where} no failed documents.")
        handle = await self._zip_failed(runtime, failed)
        name = self._zip_name("failed", batch) if batch else self._zip_name("failed", None)
        return ExportStream(name, ZIP_TYPE, stream_file(handle))

    async def _zip_failed(self, runtime: Runtime, failed: Sequence[Document]) -> IO[bytes]:
        files = [
            (_entry_name(i, d), runtime.storage.local_path(d.blob_key))
            for i, d in enumerate(failed, 1)
        ]
        manifest: list[list[object]] = [["file", "document_id", "error_code", "error_message"]]
        for (name, _), document in zip(files, failed, strict=True):
            manifest.append([name, document.id, document.error_code, document.error_message])
        handle = spooled()

        def write() -> None:
            with zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED) as archive:
                for name, path in files:
                    archive.write(path, name)
                archive.writestr("failures.csv", _csv_bytes(manifest))

        await anyio.to_thread.run_sync(write)
        return handle

    async def results_archive(
        self,
        session: AsyncSession,
        principal: Principal,
        runtime: Runtime,
        batch_id: str,
        *,
        include_words: bool,
    ) -> ExportStream:
        """Per completed document: its results JSON, its text and its latest extractions."""
        batch = await self._batch(session, principal, batch_id)
        repository = ExportRepository.from_session(session)
        completed = await repository.documents_with_status(
            principal, batch.id, DocumentStatus.completed
        )
        completed = [d for d in completed if d.results_deleted_at is None]  # retention took them
        if not completed:
            raise NotFound(f"Batch {batch.id} has no processed documents.")
        handle = spooled()
        archive = zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED)
        try:
            manifest: list[list[object]] = [
                ["folder", "document_id", "filename", "version", "pages", "templates"]
            ]
            for index, document in enumerate(completed, 1):
                folder = _entry_name(index, document)
                templates = await self._add_document(
                    session,
                    principal,
                    archive,
                    folder,
                    document,
                    include_words,
                    runtime.settings.extraction_review_below,
                )
                manifest.append(
                    [folder, document.id, document.filename, document.version,
                     document.page_count, " ".join(templates)]
                )  # fmt: skip
            await anyio.to_thread.run_sync(archive.writestr, "manifest.csv", _csv_bytes(manifest))
        finally:
            archive.close()
        return ExportStream(self._zip_name("results", batch), ZIP_TYPE, stream_file(handle))

    async def _add_document(
        self,
        session: AsyncSession,
        principal: Principal,
        archive: zipfile.ZipFile,
        folder: str,
        document: Document,
        include_words: bool,
        review_below: float,
    ) -> list[str]:
        results = await document_service.get_results(
            session, principal, document.id, include_words=include_words
        )
        extractions = await ExportRepository.from_session(session).latest_extractions(
            principal, document.id
        )
        entries: dict[str, bytes] = {
            f"{folder}/results.json": results.model_dump_json(indent=1).encode(),
            f"{folder}/text.txt": "\f".join(page.text for page in results.pages).encode(),
        }
        if extractions:
            body = {e.template_name: _extraction_entry(e, review_below) for e in extractions}
            entries[f"{folder}/extractions.json"] = json.dumps(body, ensure_ascii=False).encode()
        await anyio.to_thread.run_sync(_write_entries, archive, entries)
        return [e.template_name for e in extractions]


def _extraction_entry(extraction: Extraction, review_below: float) -> dict[str, Any]:
    marks = review_marks(extraction.fields or {}, review_below)
    return {
        "id": extraction.id,
        "values": extraction.values,
        "tables": extraction.tables,
        "needs_review": marks.needs_review,
        "corrected": marks.corrected,
    }


def _write_entries(archive: zipfile.ZipFile, entries: dict[str, bytes]) -> None:
    for name, data in entries.items():
        archive.writestr(name, data)


archive = ArchiveService()
