"""Documents: upload, read, results, deletion, and what the job runner records."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from typing import Any

import anyio
from pydantic import TypeAdapter
from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession

from folio.core.db import after_commit, utcnow
from folio.core.errors import (
    Conflict,
    NotFound,
    UnprocessableDocument,
)
from folio.core.events import Event
from folio.core.pagination import PageParams, page_json
from folio.core.permissions import Permission
from folio.core.prepared import ResultRow
from folio.core.principal import Principal
from folio.core.runtime import Runtime
from folio.documents import lifecycle, uploads
from folio.documents import stages as stage_rules
from folio.documents.files import IncomingFile
from folio.documents.models import (
    Document,
    DocumentPage,
    DocumentStatus,
    DocumentVersion,
)
from folio.documents.repository import DocumentFilters, DocumentRepository
from folio.documents.results import pipeline_result_from_rows, results_from_rows
from folio.documents.results_cache import ResultsKey, results_cache
from folio.documents.schemas import DocumentResults, ProcessingOptions
from folio.documents.summary_cache import summary_cache
from folio.documents.uploads import document_event
from folio.events.service import event as event_service
from folio.idempotency.service import fingerprint
from folio.idempotency.service import idempotency as idempotency_service
from folio.jobs.models import JobPriority
from folio.jobs.service import job as job_service
from folio.pipeline import DocumentResult
from folio.templates.service import template as template_service

SCOPE_CREATE = "documents.create"
RESULTS_JSON = TypeAdapter(DocumentResults)
FINAL_EVENT_TYPES = {
    "document.processed",
    "document.failed",
    "document.deleted",
    "document.cancelled",
}


class DocumentBusy(Conflict):
    code = "DOCUMENT_BUSY"
    title = "The document is still being processed"


class Purged(Conflict):
    code = "PURGED"
    title = "Deleted by the team's retention policy or an erasure"


# checks a package built on documents adds (``folio.assembly``): each may refuse a deletion
DeletionGuard = Callable[[AsyncSession, Sequence[Document]], Awaitable[None]]
# the package keeping tags and custom fields (``folio.assembly``) turns the list filters on them
# into subqueries of document ids: (session, principal, tag names, (field name, value) pairs)
LabelFilter = Callable[
    [AsyncSession, Principal, Sequence[str], Sequence[tuple[str, str]]],
    Awaitable[list[Select[Any]]],
]
# and the documents whose tag or custom-field value is one of a search's words: (team ids, q)
LabelSearch = Callable[[frozenset[str], str], Select[Any]]


class DocumentService:
    def __init__(self) -> None:
        self._deletion_guards: list[DeletionGuard] = []
        self._label_filter: LabelFilter | None = None
        self._label_search: LabelSearch | None = None

    def search_labels_with(self, label_search: LabelSearch) -> None:
        self._label_search = label_search

    def filter_labels_with(self, label_filter: LabelFilter) -> None:
        self._label_filter = label_filter

    def guard_deletion(self, guard: DeletionGuard) -> None:
        self._deletion_guards.append(guard)

    async def check_deletable(self, session: AsyncSession, documents: Sequence[Document]) -> None:
        for guard in self._deletion_guards:
            await guard(session, documents)

    # ---- upload -------------------------------------------------------------------------

    async def upload_once(
        self,
        session: AsyncSession,
        principal: Principal,
        runtime: Runtime,
        incoming: IncomingFile,
        options: ProcessingOptions,
        *,
        idempotency_key: str | None,
    ) -> tuple[Document, bool]:
        """Uploads, unless the same Idempotency-Key already did: then returns that document."""
        if idempotency_key is None:
            return await self.upload(session, principal, runtime, incoming, options), False
        request_print = fingerprint([SCOPE_CREATE, incoming.filename, options.model_dump()])
        existing = await idempotency_service.replayed_resource(
            session,
            principal,
            scope=SCOPE_CREATE,
            key=idempotency_key,
            request_fingerprint=request_print,
        )
        if existing is not None:
            return await self.get(session, principal, existing), True
        document = await self.upload(session, principal, runtime, incoming, options)
        await idempotency_service.remember(
            session,
            principal,
            scope=SCOPE_CREATE,
            key=idempotency_key,
            request_fingerprint=request_print,
            resource_id=document.id,
        )
        return document, False

    async def upload(
        self,
        session: AsyncSession,
        principal: Principal,
        runtime: Runtime,
        incoming: IncomingFile,
        options: ProcessingOptions,
        *,
        batch_id: str | None = None,
    ) -> Document:
        """One file (see :mod:`folio.documents.uploads`); a refused file raises its error."""
        outcome = await self.upload_many(
            session, principal, runtime, [incoming], options, batch_id=batch_id
        )
        if outcome.rejected:
            raise outcome.rejected[0][1]
        return outcome.documents[0]

    async def upload_many(
        self,
        session: AsyncSession,
        principal: Principal,
        runtime: Runtime,
        files: Sequence[IncomingFile],
        options: ProcessingOptions,
        *,
        batch_id: str | None = None,
    ) -> uploads.Outcome:
        """Every good file of ``files`` becomes a document; each bad one is reported."""
        return await uploads.upload_files(
            session, principal, runtime, files, options, batch_id=batch_id
        )

    async def _enqueue(
        self,
        session: AsyncSession,
        runtime: Runtime,
        document: Document,
        options: ProcessingOptions,
    ) -> None:
        await job_service.enqueue(
            session,
            runtime,
            team_id=document.team_id,
            document_id=document.id,
            options=uploads.job_options(runtime, document, options),
            priority=options.job_priority,
        )

    # ---- reading ------------------------------------------------------------------------

    async def get(self, session: AsyncSession, principal: Principal, document_id: str) -> Document:
        document = await DocumentRepository.from_session(session).get(principal, document_id)
        if document is None:
            raise NotFound(f"No document {document_id}.")
        return document

    async def get_many(
        self, session: AsyncSession, principal: Principal, document_ids: Sequence[str]
    ) -> Sequence[Document]:
        """All of ``document_ids`` or a 404 naming the missing (another team's are missing)."""
        documents = await DocumentRepository.from_session(session).get_many(principal, document_ids)
        missing = sorted(set(document_ids) - {d.id for d in documents})
        if missing:
            raise NotFound(f"No document {', '.join(missing[:10])}.", missing=missing)
        return documents

    async def list_documents_json(
        self,
        session: AsyncSession,
        principal: Principal,
        runtime: Runtime,
        filters: DocumentFilters,
        page: PageParams,
    ) -> bytes:
        """A ``Page[DocumentRead]`` as JSON, its items serialised once per document change."""
        repository = DocumentRepository.from_session(session)
        among: list[Select[Any]] = []
        if filters.by_labels and self._label_filter is not None:
            among = await self._label_filter(session, principal, filters.tags, filters.fields)
        also = None
        if filters.query and self._label_search is not None:
            also = self._label_search(principal.team_ids, filters.query)
        keys = await repository.list_page_keys(
            principal, filters, limit=page.limit, before=page.after, among=among, also=also
        )
        visible = keys[: page.limit]  # one more was read to know whether there are more
        cache = summary_cache(runtime)
        items = {key.id: cache.kept_json(key.id, key.updated_at) for key in visible}
        missing = [document_id for document_id, item in items.items() if item is None]
        if missing:  # new or changed since they were kept
            for row in await repository.summary_rows(principal, missing):
                items[row.id] = cache.json_of(row)
        return page_json(
            [item for item in items.values() if item is not None],  # None: deleted since
            has_more=len(keys) > page.limit,
            last=visible[-1].id if visible else None,
        )

    async def settled_json(
        self, runtime: Runtime, principal: Principal, document_id: str, seconds: float
    ) -> bytes:
        """Long poll: the document (a ``DocumentRead`` as JSON) once it reaches a final status
        or time runs out."""
        row = await self._settled_row(runtime, principal, document_id, seconds)
        return summary_cache(runtime).json_of(row)

    async def _settled_row(
        self, runtime: Runtime, principal: Principal, document_id: str, seconds: float
    ) -> ResultRow:
        if seconds <= 0:
            return await self._summary(runtime, principal, document_id)
        deadline = time.monotonic() + min(seconds, runtime.settings.long_poll_max_s)
        async with runtime.bus.subscribe(maxsize=100) as events:
            while True:
                row = await self._summary(runtime, principal, document_id)
                remaining = deadline - time.monotonic()
                if row.status.is_final or remaining <= 0:
                    return row
                await self._next_final_event(events, document_id, wait_s=remaining)

    async def _summary(self, runtime: Runtime, principal: Principal, document_id: str) -> ResultRow:
        async with runtime.db.session(write=False) as session:
            return await self._summary_row(session, principal, document_id)

    async def _summary_row(
        self, session: AsyncSession, principal: Principal, document_id: str
    ) -> ResultRow:
        row = await DocumentRepository.from_session(session).summary_row(principal, document_id)
        if row is None:
            raise NotFound(f"No document {document_id}.")
        return row

    async def _next_final_event(
        self, events: asyncio.Queue[Event], document_id: str, *, wait_s: float
    ) -> None:
        try:
            async with asyncio.timeout(wait_s):
                while True:
                    event = await events.get()
                    if (
                        event.type in FINAL_EVENT_TYPES
                        and event.data.get("document_id") == document_id
                    ):
                        return
        except TimeoutError:
            return

    async def get_results(
        self,
        session: AsyncSession,
        principal: Principal,
        document_id: str,
        *,
        include_words: bool = True,
        version: int | None = None,
    ) -> DocumentResults:
        """The latest results, or those of an older ``version`` (they stay readable)."""
        document = await self.get(session, principal, document_id)
        return await self._results_of(session, document, include_words, version)

    async def _results_of(
        self, session: AsyncSession, document: Document, include_words: bool, version: int | None
    ) -> DocumentResults:
        pages, snapshot = await self._version_rows(session, document, version)
        return results_from_rows(document, pages, include_words=include_words, snapshot=snapshot)

    async def results_body(
        self,
        session: AsyncSession,
        principal: Principal,
        runtime: Runtime,
        document_id: str,
        *,
        include_words: bool = True,
        version: int | None = None,
    ) -> tuple[ResultsKey, bytes]:
        """``get_results`` as the JSON the API sends, from this process's cache when the
        document has not changed since it was built."""
        summary = await self._summary_row(session, principal, document_id)
        key = ResultsKey(summary.id, version or summary.version, summary.updated_at, include_words)
        cache = results_cache(runtime)
        body = cache.get(key)
        if body is None:
            document = await self.get(session, principal, document_id)
            results = await self._results_of(session, document, include_words, version)
            body = RESULTS_JSON.dump_json(results, by_alias=True)
            cache.put(key, body)
        return key, body

    async def _version_rows(
        self, session: AsyncSession, document: Document, version: int | None
    ) -> tuple[Sequence[DocumentPage], DocumentVersion | None]:
        """The pages of ``version`` and, for an older one, its snapshot row."""
        repository = DocumentRepository.from_session(session)
        if version is None or version == document.version:
            self.require_results(document)
            return await repository.get_pages(document, document.version), None
        snapshot = await repository.get_version(document, version)
        if snapshot is None:
            raise NotFound(f"Document {document.id} has no version {version}.")
        return await repository.get_pages(document, version), snapshot

    async def pipeline_result(
        self, session: AsyncSession, principal: Principal, document_id: str
    ) -> DocumentResult:
        """A processed document as the pipeline's result, for analyses run on demand."""
        document = await self.get(session, principal, document_id)
        return await self.pipeline_result_of(session, document)

    async def get_processed(
        self, session: AsyncSession, principal: Principal, document_id: str
    ) -> tuple[Document, DocumentResult]:
        """A readable document with its latest results (see :meth:`require_results`)."""
        document = await self.get(session, principal, document_id)
        return document, await self.pipeline_result_of(session, document)

    async def pipeline_result_of(
        self, session: AsyncSession, document: Document, version: int | None = None
    ) -> DocumentResult:
        """``document`` (already loaded for its principal) as the pipeline's result."""
        pages, snapshot = await self._version_rows(session, document, version)
        return pipeline_result_from_rows(document, pages, snapshot=snapshot)

    async def get_text(self, session: AsyncSession, principal: Principal, document_id: str) -> str:
        document = await self.get(session, principal, document_id)
        return await self.text_of(session, document, separator="\f")

    async def text_of(
        self, session: AsyncSession, document: Document, *, separator: str = "\n"
    ) -> str:
        """The text of the document's latest version, pages joined by ``separator``."""
        self.require_results(document)
        pages = await DocumentRepository.from_session(session).get_pages(document, document.version)
        return separator.join(page.text for page in pages)

    def require_results(self, document: Document) -> None:
        if document.results_deleted_at is not None:
            raise Purged(
                f"The results of {document.id} were deleted on "
                f"{document.results_deleted_at.isoformat()}.",
                deleted_at=document.results_deleted_at.isoformat(),
            )
        """The one rule for every reader of results (results, text, scans, redactions,
        templates, exports): a document that has any version has results, those of its
        latest good version, even if a later run failed; one that never succeeded answers
        422 when it failed and 409 while it waits or runs."""
        if document.version > 0:
            return
        if document.status == DocumentStatus.failed:
            raise UnprocessableDocument(
                document.error_message or "Processing failed.",
                reason=document.error_code,
                retryable=document.error_retryable,
            )
        if document.version == 0:
            raise Conflict(
                f"Document {document.id} is {document.status}; results are not ready.",
                document_status=document.status,
            )

    async def open_original(
        self, session: AsyncSession, principal: Principal, runtime: Runtime, document_id: str
    ) -> tuple[Document, Iterator[bytes]]:
        document = await self.get(session, principal, document_id)
        self.require_original(document)
        return document, runtime.storage.iter_chunks(document.blob_key)

    def require_original(self, document: Document) -> None:
        if document.original_deleted_at is not None:
            raise Purged(
                f"The original file of {document.id} was deleted on "
                f"{document.original_deleted_at.isoformat()}.",
                deleted_at=document.original_deleted_at.isoformat(),
            )

    # ---- changes ------------------------------------------------------------------------

    async def delete(
        self, session: AsyncSession, principal: Principal, runtime: Runtime, document_id: str
    ) -> None:
        document = await self.get(session, principal, document_id)
        await self.check_deletable(session, [document])
        await self.remove(session, runtime, document)

    async def remove(self, session: AsyncSession, runtime: Runtime, document: Document) -> None:
        """Deletes ``document`` (already loaded and checked) with every file under its
        folder (original, redactions) once the unit of work commits."""
        await job_service.cancel_for_documents(session, runtime, [document.id])
        await DocumentRepository.from_session(session).delete(document)
        folder = document.blob_key.rsplit("/", 1)[0]

        async def remove_files() -> None:
            await anyio.to_thread.run_sync(runtime.storage.delete_prefix, folder)

        after_commit(session, remove_files)
        await event_service.emit(session, runtime, document_event("document.deleted", document))

    async def cancel(
        self, session: AsyncSession, runtime: Runtime, documents: Sequence[Document]
    ) -> int:
        pending = [d for d in documents if not d.status.is_final]
        await job_service.cancel_for_documents(session, runtime, [d.id for d in pending])
        for document in pending:
            document.status = DocumentStatus.cancelled
            document.stages = stage_rules.finish_stages(document.stages, failed=True)
            document.error_code, document.error_message = "CANCELLED", "Cancelled by a user."
            document.error_retryable = True
            document.completed_at = utcnow()
            await event_service.emit(
                session, runtime, document_event("document.cancelled", document)
            )
        return len(pending)

    async def requeue(self, session: AsyncSession, runtime: Runtime, document: Document) -> None:
        """Processes a failed or cancelled document again with its stored options."""
        if not document.status.is_final or document.status == DocumentStatus.completed:
            raise Conflict(f"Document {document.id} is {document.status}.")
        self.require_original(document)
        lifecycle.reset_for_processing(document)
        options = ProcessingOptions.model_validate(document.options)
        await self._enqueue(session, runtime, document, options)

    async def process_again(
        self,
        session: AsyncSession,
        runtime: Runtime,
        document: Document,
        options: ProcessingOptions,
    ) -> None:
        """Another processing run with ``options``; its success becomes a new version."""
        if not document.status.is_final:
            raise DocumentBusy(
                f"Document {document.id} is {document.status}; wait for it or cancel it first.",
                document_status=document.status,
            )
        self.require_original(document)
        await template_service.check_requested(session, document.team_id, options.template)
        document.options = options.public()
        lifecycle.reset_for_processing(document)
        await self._enqueue(session, runtime, document, options)

    def merged_options(
        self, principal: Principal, document: Document, changes: ProcessingOptions | None
    ) -> ProcessingOptions:
        """The stored options with the ones ``changes`` sets explicitly. Asking for priority
        high needs documents:prioritize (403); a stored high priority that someone else chose
        is kept only for callers who hold it, others run the document at normal."""
        stored = dict(document.options)
        if changes is not None:
            explicit = changes.model_dump(mode="json", exclude_unset=True)
            if "priority" in explicit:
                uploads.ensure_may_prioritize(principal, changes)
            stored.update(explicit)
        merged = ProcessingOptions.model_validate(stored)
        if merged.job_priority == JobPriority.high and not principal.can(
            Permission.documents_prioritize
        ):
            merged = merged.model_copy(update={"priority": "normal"})
        return merged


document = DocumentService()
