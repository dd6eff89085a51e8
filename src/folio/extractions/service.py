"""Applying templates to processed documents: on request (a list of documents or a batch),
and the template an upload asked for once its job has a result. Every applied template is
stored as an ``Extraction``."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from folio.batches.repository import BatchRepository
from folio.config import Settings
from folio.core.errors import Conflict, FolioError, NotFound, ServiceUnavailable
from folio.core.events import Event
from folio.core.ids import IdPrefix, new_id
from folio.core.pagination import Page, PageParams
from folio.core.principal import Principal
from folio.core.runtime import Runtime
from folio.core.sandbox import SandboxBusy, SandboxCrashed, SandboxTimeout
from folio.documents.models import Document
from folio.documents.service import document as document_service
from folio.events.catalog import EXTRACTION_COMPLETED, VALIDATION_FAILED
from folio.events.service import event as event_service
from folio.extractions.schemas import ApplyItem, ApplyRequest, ApplyResult, ExtractionRead
from folio.pipeline import DocumentResult
from folio.pipeline.fields import (
    ExtractionResult,
    LocatorKind,
    RegexBudgetExceeded,
    Template,
    apply_template_all,
)
from folio.pipeline.fields.engine import apply_llm_locators
from folio.pipeline.fields.llm import ChatEndpoint
from folio.pipeline.fields.review import needs_review
from folio.templates.models import Extraction
from folio.templates.repository import ExtractionRepository
from folio.templates.service import ResolvedTemplate
from folio.templates.service import template as template_service

logger = logging.getLogger("folio.extractions")
T = TypeVar("T")


class TemplateTooCostly(FolioError):
    status = 422
    code = "RESOURCE_LIMIT"
    title = "Applying the template took more time or memory than allowed"


async def sandboxed(runtime: Runtime, function: Callable[..., T], *args: Any) -> T:
    """Runs a template's patterns in a sandbox process: a catastrophic one costs that
    process its time limit, never the API's event loop or threads."""
    settings = runtime.settings
    try:
        return await runtime.sandbox.run(function, *args)
    except RegexBudgetExceeded as exc:
        raise TemplateTooCostly(
            f"{exc}; simplify its patterns or apply it to fewer documents at once.",
            limit_s=exc.budget_s,
        ) from exc
    except SandboxTimeout as exc:
        raise TemplateTooCostly(
            f"Applying the template took longer than {settings.template_apply_timeout_s:g} s.",
            limit_s=settings.template_apply_timeout_s,
        ) from exc
    except SandboxCrashed as exc:
        raise TemplateTooCostly("Applying the template needed more memory than allowed.") from exc
    except SandboxBusy as exc:
        raise ServiceUnavailable("Templates are being applied at capacity; retry soon.") from exc


def extraction_row(
    document: Document,
    template_id: str,
    template: Template,
    extraction: ExtractionResult,
    *,
    created_by: str | None,
) -> Extraction:
    dumped: dict[str, Any] = extraction.model_dump(mode="json")
    return Extraction(
        id=new_id(IdPrefix.extraction),
        team_id=document.team_id,
        document_id=document.id,
        document_version=document.version,
        template_id=template_id,
        template_name=template.name,
        template_version=template.version,
        values={name: field["value"] for name, field in dumped["fields"].items()},
        fields=dumped["fields"],
        tables=dumped["tables"],
        validation=dumped["validation"],
        llm_pending=extraction.llm_pending,
        warnings=extraction.warnings,
        created_by=created_by,
    )


def extraction_events(rows: Sequence[Extraction]) -> list[Event]:
    """``extraction.completed`` for each row, and ``validation.failed`` for each whose
    validation rules did not pass (automation rules listen to both)."""
    events = []
    for row in rows:
        data = {
            "document_id": row.document_id,
            "extraction_id": row.id,
            "template_name": row.template_name,
            "validation_passed": (row.validation or {}).get("passed"),
        }
        events.append(Event(type=EXTRACTION_COMPLETED, team_id=row.team_id, data=data))
        if data["validation_passed"] is False:
            events.append(Event(type=VALIDATION_FAILED, team_id=row.team_id, data=data))
    return events


def llm_endpoint(settings: Settings) -> ChatEndpoint | None:
    if not settings.llm_base_url or not settings.llm_model:
        return None
    return ChatEndpoint(
        base_url=settings.llm_base_url,
        model=settings.llm_model,
        api_key=settings.llm_api_key,
        timeout_s=settings.llm_timeout_s,
    )


async def with_llm(
    settings: Settings, result: DocumentResult, template: Template, extraction: ExtractionResult
) -> ExtractionResult:
    """The template's ``llm`` locators asked of the configured endpoint (in a thread: the
    calls wait on the network), outside the sandbox, whose time limit is for regexes. Without
    an endpoint nothing leaves the machine and the fields stay in ``llm_pending``."""
    endpoint = llm_endpoint(settings)
    wants = any(loc.kind == LocatorKind.llm for spec in template.fields for loc in spec.locators)
    if endpoint is None or not wants:
        return extraction
    return await asyncio.to_thread(apply_llm_locators, result, template, extraction, endpoint)


async def extract_one(
    runtime: Runtime, result: DocumentResult, template: Template
) -> ExtractionResult:
    """One document's fields by ``template``: its patterns in the sandbox, then its ``llm``
    locators (for an upload's requested template and an automation's apply_template)."""
    budget = runtime.settings.template_regex_budget_s
    extraction = (await sandboxed(runtime, apply_template_all, [result], template, budget))[0]
    return await with_llm(runtime.settings, result, template, extraction)


def marked(row: Extraction, review_below: float) -> ExtractionRead:
    """The stored extraction with each top-level field marked for review when it is missing
    or its confidence is below ``review_below``; ``review`` lists those fields."""
    read = ExtractionRead.model_validate(row)
    for name, value in read.fields.items():
        value.needs_review = needs_review(value.value, value.confidence, review_below)
        if value.needs_review:
            read.review.append(name)
    return read


class ExtractionService:
    async def apply(
        self, runtime: Runtime, principal: Principal, template_id: str, data: ApplyRequest
    ) -> ApplyResult:
        """Reads and extracts in a read transaction, then stores everything in one short
        write: extracting a large batch never holds the (SQLite) write lock while it computes."""
        async with runtime.db.session(write=False) as session:
            resolved = await template_service.resolve(session, principal, template_id)
            documents = await self._targets(session, principal, data)
            extracted = await self._extract(runtime, session, resolved, documents)
        rows = {
            document.id: extraction_row(
                document,
                resolved.template_id,
                resolved.template,
                extraction,
                created_by=principal.user_id,
            )
            for document, extraction in zip(documents, extracted, strict=True)
            if extraction is not None
        }
        await self._store(runtime, list(rows.values()))
        items = [
            self._item(document, rows.get(document.id), extraction)
            for document, extraction in zip(documents, extracted, strict=True)
        ]
        return ApplyResult(
            template_id=resolved.template_id,
            template_name=resolved.template.name,
            template_version=resolved.template.version,
            extracted=len(rows),
            not_ready=len(items) - len(rows),
            results=items,
        )

    async def _targets(
        self, session: AsyncSession, principal: Principal, data: ApplyRequest
    ) -> Sequence[Document]:
        if data.document_ids is not None:
            return await document_service.get_many(session, principal, data.document_ids)
        repository = BatchRepository.from_session(session)
        batch = await repository.get(principal, data.batch_id or "")
        if batch is None:
            raise NotFound(f"No batch {data.batch_id}.")
        return await repository.documents(batch)

    async def _extract(
        self,
        runtime: Runtime,
        session: AsyncSession,
        resolved: ResolvedTemplate,
        documents: Sequence[Document],
    ) -> list[ExtractionResult | None]:
        """One sandbox call for all processed documents: they share one regex budget."""
        ready = [document for document in documents if document.version > 0]
        results = [await document_service.pipeline_result_of(session, d) for d in ready]
        extractions = (
            await sandboxed(
                runtime,
                apply_template_all,
                results,
                resolved.template,
                runtime.settings.template_regex_budget_s,
            )
            if results
            else []
        )
        refined = [
            await with_llm(runtime.settings, result, resolved.template, extraction)
            for result, extraction in zip(results, extractions, strict=True)
        ]
        done = iter(refined)
        return [next(done) if d.version > 0 else None for d in documents]

    async def _store(self, runtime: Runtime, rows: list[Extraction]) -> None:
        try:
            async with runtime.db.session() as session:
                await ExtractionRepository.from_session(session).add_all(rows)
                await event_service.emit_many(session, runtime, extraction_events(rows))
        except IntegrityError as exc:
            raise Conflict("A document was deleted while it was extracted; apply again.") from exc

    def _item(
        self, document: Document, row: Extraction | None, extraction: ExtractionResult | None
    ) -> ApplyItem:
        if row is None or extraction is None:
            return ApplyItem(
                document_id=document.id,
                status="not_ready",
                detail=f"The document is {document.status}; it has no results yet.",
            )
        return ApplyItem(
            document_id=document.id,
            status="extracted",
            extraction_id=row.id,
            document_version=row.document_version,
            values=row.values,
            validation_passed=extraction.validation.passed if extraction.validation else None,
        )

    async def extractions(
        self,
        session: AsyncSession,
        principal: Principal,
        document_id: str,
        page: PageParams,
        *,
        template: str | None,
        review_below: float = 0.8,
    ) -> Page[ExtractionRead]:
        await document_service.get(session, principal, document_id)
        rows = await ExtractionRepository.from_session(session).list_for_document(
            principal, document_id, template_name=template, limit=page.limit, before=page.after
        )
        listed: Page[Extraction] = Page.from_rows(rows, page.limit, cursor=lambda row: row.id)
        return Page[ExtractionRead](
            items=[marked(row, review_below) for row in listed.items],
            next_cursor=listed.next_cursor,
            has_more=listed.has_more,
        )

    async def apply_requested(
        self, session: AsyncSession, runtime: Runtime, document: Document, result: DocumentResult
    ) -> None:
        """The template named in the processing options (``{"template": "sale_deed"}``),
        applied to a new result in the job's transaction; a failure becomes a warning. It
        runs in a sandbox process with the same limits as a request's apply."""
        reference = document.options.get("template")
        if reference:
            await self.apply_reference(session, runtime, document, result, reference)

    async def apply_reference(
        self,
        session: AsyncSession,
        runtime: Runtime,
        document: Document,
        result: DocumentResult,
        reference: str,
    ) -> Extraction | None:
        """The team's template ``reference`` applied to ``result`` in the caller's unit of
        work (a job's, an automation step's); a failure becomes a warning and None."""
        found = await template_service.find_for_team(session, document.team_id, reference)
        if found is None:  # deleted since the upload
            document.warnings = [*document.warnings, f"template {reference} no longer exists"]
            return None
        try:
            extraction = await extract_one(runtime, result, found.template)
        except FolioError as error:
            document.warnings = [*document.warnings, f"template {reference}: {error.detail}"]
            return None
        except Exception:  # the document's text is fine; only its fields are missing
            logger.exception("template %s failed on %s", reference, document.id)
            document.warnings = [*document.warnings, f"template {reference} could not be applied"]
            return None
        row = extraction_row(
            document, found.template_id, found.template, extraction, created_by=None
        )
        await ExtractionRepository.from_session(session).add(row)
        await event_service.emit_many(session, runtime, extraction_events([row]))
        return row


extraction = ExtractionService()
