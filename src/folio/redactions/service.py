"""Redacted copies of a document (PDF out, text truly gone) and anonymised text."""

from __future__ import annotations

import tempfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import anyio
from sqlalchemy.ext.asyncio import AsyncSession

from folio.core.errors import FieldError, NotFound, UnprocessableDocument, ValidationFailed
from folio.core.events import Event
from folio.core.ids import IdPrefix, new_id
from folio.core.pagination import Page, PageParams
from folio.core.principal import Principal
from folio.core.runtime import Runtime
from folio.core.storage import BlobStorage, StoredBlob, forget_on_rollback
from folio.documents.models import Document
from folio.documents.service import document as document_service
from folio.events.service import event as event_service
from folio.pipeline import DocumentResult
from folio.pipeline.intelligence import (
    ENTITY_TYPES,
    PII_TYPES,
    Entity,
    RedactionReport,
    anonymize_text,
    extract_entities,
    redact_pdf,
)
from folio.pipeline.intelligence.redaction_plan import (
    RedactionPlan,
    image_page_sizes,
    pdf_page_sizes,
    plan_redaction,
    redact_image,
)
from folio.pipeline.intelligence.types import BBox
from folio.redactions.models import Redaction
from folio.redactions.repository import RedactionRepository
from folio.redactions.schemas import (
    AnonymizedText,
    AnonymizeMode,
    RedactionCreate,
    RedactionRead,
)

REDACTABLE_KINDS = ("pdf", "image")
MAX_REDACTED_BYTES = 2**40  # the source passed the upload limit; rasters may be larger


def check_entity_types(types: list[str], field: str = "entity_types") -> None:
    unknown = sorted(set(types) - set(ENTITY_TYPES))
    if unknown:
        raise ValidationFailed(
            [FieldError(field, "unknown", f"Unknown entity types: {', '.join(unknown)}.")]
        )


def _boxes_by_page(data: RedactionCreate, result: DocumentResult) -> dict[int, list[BBox]]:
    pages = len(result.pages)
    boxes: dict[int, list[BBox]] = {}
    for index, box in enumerate(data.boxes):
        if box.page > pages:
            raise ValidationFailed(
                [FieldError(f"boxes.{index}.page", "out_of_range", f"The document has {pages}.")]
            )
        boxes.setdefault(box.page, []).append(box.bbox)
    return boxes


def _burn(
    kind: str,
    source: Path,
    result: DocumentResult,
    entities: list[Entity],
    boxes: dict[int, list[BBox]],
) -> tuple[RedactionPlan, RedactionReport, Path]:
    """Plan and write the redacted PDF into a temporary file (runs in a worker thread)."""
    is_pdf = kind == "pdf"
    sizes = pdf_page_sizes(source) if is_pdf else image_page_sizes(source)
    plan = plan_redaction(result, entities, boxes, sizes)
    handle = tempfile.NamedTemporaryFile(suffix=".pdf", delete=False)  # noqa: SIM115
    handle.close()
    out = Path(handle.name)
    if is_pdf:
        report = redact_pdf(source, out, boxes_per_page=plan.boxes_per_page)
    else:
        report = redact_image(source, out, boxes_per_page=plan.boxes_per_page)
    return plan, report, out


def _store_file(storage: BlobStorage, key: str, path: Path) -> StoredBlob:
    try:
        with path.open("rb") as handle:
            return storage.put_stream(key, handle, max_bytes=MAX_REDACTED_BYTES)
    finally:
        path.unlink(missing_ok=True)


class RedactionService:
    async def create(
        self,
        session: AsyncSession,
        principal: Principal,
        runtime: Runtime,
        document_id: str,
        data: RedactionCreate,
    ) -> Redaction:
        check_entity_types(data.entity_types)
        document, result = await document_service.get_processed(session, principal, document_id)
        if document.kind not in REDACTABLE_KINDS:
            raise UnprocessableDocument(
                f"Redaction writes PDFs from PDF or image originals; this is {document.kind}. "
                "Use the anonymised text instead.",
                reason="REDACTION_UNSUPPORTED_KIND",
            )
        boxes = _boxes_by_page(data, result)
        entities = await self._entities(result, data.entity_types, data.min_confidence)
        document_service.require_original(document)
        source = runtime.storage.local_path(document.blob_key)
        try:
            plan, report, out = await anyio.to_thread.run_sync(
                lambda: _burn(document.kind, source, result, entities, boxes)
            )
        except Exception as exc:  # pdfium/pikepdf/Pillow errors on a damaged or locked file
            raise UnprocessableDocument(
                "The original could not be redacted (damaged or encrypted).",
                reason="REDACTION_FAILED",
            ) from exc
        return await self._save(
            session, principal, runtime, document, data, entities, plan, report, out
        )

    async def _entities(
        self, result: DocumentResult, types: list[str], min_confidence: float
    ) -> list[Entity]:
        if not types:
            return []
        wanted = set(types)
        return await anyio.to_thread.run_sync(
            lambda: extract_entities(result, types=wanted, min_confidence=min_confidence)
        )

    async def _save(
        self,
        session: AsyncSession,
        principal: Principal,
        runtime: Runtime,
        document: Document,
        data: RedactionCreate,
        entities: list[Entity],
        plan: RedactionPlan,
        report: RedactionReport,
        out: Path,
    ) -> Redaction:
        redaction_id = new_id(IdPrefix.redaction)
        key = f"{document.team_id}/{document.id}/redactions/{redaction_id}.pdf"
        stored = await anyio.to_thread.run_sync(lambda: _store_file(runtime.storage, key, out))
        redaction = Redaction(
            id=redaction_id,
            team_id=document.team_id,
            document_id=document.id,
            document_version=document.version,
            entity_types=sorted(set(data.entity_types)),
            requested_boxes=[box.model_dump(mode="json") for box in data.boxes],
            pages_redacted=report.pages_redacted,
            box_count=report.boxes,
            entity_count=len(entities),
            counts=dict(Counter(e.type for e in entities)),
            whole_pages=plan.whole_pages,
            dpi=report.dpi,
            blob_key=stored.key,
            size_bytes=stored.size,
            sha256=stored.sha256,
            created_by=principal.user_id,
        )
        forget_on_rollback(session, runtime.storage, key)
        await RedactionRepository.from_session(session).add(redaction)
        created = Event(
            type="redaction.created",
            team_id=redaction.team_id,
            data={"redaction_id": redaction.id, "document_id": document.id},
        )
        await event_service.emit(session, runtime, created)
        return redaction

    async def get(
        self, session: AsyncSession, principal: Principal, redaction_id: str
    ) -> Redaction:
        redaction = await RedactionRepository.from_session(session).get(principal, redaction_id)
        if redaction is None:
            raise NotFound(f"No redaction {redaction_id}.")
        return redaction

    async def open_file(
        self, session: AsyncSession, principal: Principal, runtime: Runtime, redaction_id: str
    ) -> tuple[Redaction, Iterator[bytes]]:
        redaction = await self.get(session, principal, redaction_id)
        return redaction, runtime.storage.iter_chunks(redaction.blob_key)

    async def list_for_document(
        self, session: AsyncSession, principal: Principal, document_id: str, page: PageParams
    ) -> Page[RedactionRead]:
        await document_service.get(session, principal, document_id)
        rows = await RedactionRepository.from_session(session).list_for_document(
            principal, document_id, limit=page.limit, before=page.after
        )
        return Page[RedactionRead].from_rows(rows, page.limit, cursor=lambda r: r.id)

    async def anonymized_text(
        self,
        session: AsyncSession,
        principal: Principal,
        document_id: str,
        *,
        mode: AnonymizeMode,
        entity_types: list[str] | None,
    ) -> AnonymizedText:
        types = sorted(set(entity_types)) if entity_types else sorted(PII_TYPES)
        check_entity_types(types, "types")
        _, result = await document_service.get_processed(session, principal, document_id)
        entities = await self._entities(result, types, 0.0)
        by_page: dict[int | None, list[Entity]] = {}
        for entity in entities:
            by_page.setdefault(entity.page, []).append(entity)
        text = "\f".join(
            anonymize_text(page.text, by_page.get(page.number, []), mode=mode)
            for page in result.pages
        )
        return AnonymizedText(
            document_id=document_id,
            mode=mode,
            entity_types=types,
            counts=dict(Counter(e.type for e in entities)),
            text=text,
        )


redaction = RedactionService()
