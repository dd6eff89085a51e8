"""The upload path, for one file or a batch of them.

Per file, in one thread hop (a few files at a time, so their fsyncs overlap): the name
checked, the body streamed to disk and fsynced, the content sniffed. Then, once per request:
the team's processing defaults, the requested template and the quota room, against which each
file is admitted in memory (a batch counts its own bytes and documents). A refused file is
reported alone and leaves nothing behind. Together: the duplicate lookup, the inserts, the
``document.uploaded`` and ``job.created`` events and the jobs, so a 1,000-file batch costs a
handful of statements instead of thousands, and no write transaction waits on the disk.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
from sqlalchemy.ext.asyncio import AsyncSession

from folio.core.db import after_rollback
from folio.core.errors import (
    FolioError,
    Forbidden,
    PayloadTooLarge,
    UnprocessableDocument,
    UnsupportedMediaType,
)
from folio.core.events import Event
from folio.core.ids import IdPrefix, new_id
from folio.core.permissions import Permission
from folio.core.principal import Principal
from folio.core.runtime import Runtime
from folio.core.storage import BlobTooLarge, StoredBlob
from folio.documents import stages as stage_rules
from folio.documents.files import IncomingFile, clean_filename
from folio.documents.models import Document, DocumentStatus
from folio.documents.repository import DocumentRepository
from folio.documents.schemas import ProcessingOptions
from folio.events.service import event as event_service
from folio.jobs.models import JobPriority
from folio.jobs.service import job as job_service
from folio.pipeline import Sniffed, sniff
from folio.templates.service import template as template_service
from folio.usage.service import UploadAllowance
from folio.usage.service import usage as usage_service

TEAM_DEFAULTS = frozenset({"ocr", "ocr_engine"})  # processing settings a team can default
RECEIVE_WINDOW = 8  # files stored at once: their fsyncs overlap instead of queueing


class PriorityNotAllowed(Forbidden):
    code = "PRIORITY_NOT_ALLOWED"
    title = "Processing at high priority needs the documents:prioritize permission"


def ensure_may_prioritize(principal: Principal, options: ProcessingOptions) -> None:
    """``priority: high`` jumps every team's queue: only for holders of documents:prioritize
    (team owners and admins, and keys scoped for it)."""
    if options.job_priority == JobPriority.high and not principal.can(
        Permission.documents_prioritize
    ):
        raise PriorityNotAllowed(
            "priority high needs the documents:prioritize permission; send normal or low."
        )


def document_event(type_: str, document: Document, **data: Any) -> Event:
    payload = {
        "document_id": document.id,
        "batch_id": document.batch_id,
        "status": document.status,
        "progress": document.progress,
        **data,
    }
    return Event(type=type_, team_id=document.team_id, data=payload)


@dataclass(frozen=True)
class Received:
    """A file on disk and sniffed: it becomes a document if the quota admits it."""

    incoming: IncomingFile
    document_id: str
    filename: str
    stored: StoredBlob
    sniffed: Sniffed


@dataclass(frozen=True)
class UploadPlan:
    """What an upload request resolves once, whatever its number of files."""

    options: ProcessingOptions
    allowance: UploadAllowance


@dataclass(frozen=True)
class Outcome:
    """The documents made, in file order, and each refused file with its error."""

    documents: list[Document]
    rejected: list[tuple[IncomingFile, FolioError]]


async def upload_files(
    session: AsyncSession,
    principal: Principal,
    runtime: Runtime,
    files: Sequence[IncomingFile],
    options: ProcessingOptions,
    *,
    batch_id: str | None = None,
) -> Outcome:
    """Accepts every good file of ``files``; a bad one is refused and harms no other.

    The files are on disk before the first statement: a write transaction (SQLite's single
    writer) is held for the inserts only, not while a thousand files are fsynced."""
    ensure_may_prioritize(principal, options)  # before a byte is stored
    outcomes = await receive_all(runtime, principal, files)
    keys = [o.stored.key for o in outcomes if isinstance(o, Received)]
    if keys:
        after_rollback(session, lambda: discard(runtime, keys))
    try:
        plan = await prepare(session, principal, runtime, options)
        received, rejected = admit_all(plan, files, outcomes)
        admitted = {item.stored.key for item in received}
        await discard(runtime, [key for key in keys if key not in admitted])
        documents = await record(session, runtime, principal, plan, received, batch_id)
    except BaseException:
        await discard(runtime, keys)  # refused or failed: leave nothing behind
        raise
    return Outcome(documents, rejected)


async def prepare(
    session: AsyncSession, principal: Principal, runtime: Runtime, options: ProcessingOptions
) -> UploadPlan:
    options = await with_team_defaults(session, principal, options)
    await template_service.check_requested(session, principal.team_id, options.template)
    allowance = await usage_service.upload_allowance(session, principal, runtime.settings)
    return UploadPlan(options, allowance)


async def with_team_defaults(
    session: AsyncSession, principal: Principal, options: ProcessingOptions
) -> ProcessingOptions:
    """The team's OCR mode and engine fill in what the upload did not choose."""
    unset = TEAM_DEFAULTS - options.model_fields_set
    if not unset:
        return options
    defaults = await DocumentRepository.from_session(session).processing_settings(principal)
    if defaults is None:
        return options
    chosen = {key: getattr(defaults, key) for key in unset}
    return ProcessingOptions.model_validate({**options.model_dump(), **chosen})


async def receive_all(
    runtime: Runtime, principal: Principal, files: Sequence[IncomingFile]
) -> list[Received | FolioError]:
    """Stores and sniffs ``files`` a window at a time: each file's outcome, in order."""
    outcomes: list[Received | FolioError] = []
    for start in range(0, len(files), RECEIVE_WINDOW):
        window = await asyncio.gather(
            *(receive(runtime, principal, f) for f in files[start : start + RECEIVE_WINDOW]),
            return_exceptions=True,
        )
        unexpected = [o for o in window if not isinstance(o, Received | FolioError)]
        if unexpected:  # a broken disk: nothing of the request stays
            stored = [o for o in [*outcomes, *window] if isinstance(o, Received)]
            await discard(runtime, [item.stored.key for item in stored])
            raise unexpected[0]
        # every one is by now: the filter only narrows the type
        outcomes.extend(o for o in window if isinstance(o, Received | FolioError))
    return outcomes


def admit_all(
    plan: UploadPlan,
    files: Sequence[IncomingFile],
    outcomes: Sequence[Received | FolioError],
) -> tuple[list[Received], list[tuple[IncomingFile, FolioError]]]:
    """The files the quota admits, in order (it counts the earlier files of the request),
    and every refused file with its error."""
    received: list[Received] = []
    rejected: list[tuple[IncomingFile, FolioError]] = []
    for incoming, outcome in zip(files, outcomes, strict=True):
        if isinstance(outcome, FolioError):
            rejected.append((incoming, outcome))
            continue
        try:
            plan.allowance.admit(outcome.stored.size)
        except FolioError as error:
            rejected.append((incoming, error))
            continue
        received.append(outcome)
    return received, rejected


async def receive(runtime: Runtime, principal: Principal, incoming: IncomingFile) -> Received:
    """The file's name checked, its body on disk (fsynced) and its type sniffed, in one
    thread hop; refused with a :class:`FolioError`, it leaves nothing behind."""
    filename = clean_filename(incoming.filename)
    document_id = new_id(IdPrefix.document)
    key = f"{principal.team_id}/{document_id}/original"
    stored = await anyio.to_thread.run_sync(store_and_sniff, runtime, key, incoming, filename)
    return Received(incoming, document_id, filename, *stored)


def store_and_sniff(
    runtime: Runtime, key: str, incoming: IncomingFile, filename: str
) -> tuple[StoredBlob, Sniffed]:
    limit = runtime.settings.max_upload_bytes
    try:
        stored = runtime.storage.put_stream(key, incoming.stream, max_bytes=limit)
    except BlobTooLarge as exc:
        raise PayloadTooLarge(f"The file is larger than the limit of {limit} bytes.") from exc
    try:
        return stored, check_content(runtime, stored, filename)
    except BaseException:
        runtime.storage.delete(key)
        raise


def check_content(runtime: Runtime, stored: StoredBlob, filename: str) -> Sniffed:
    return sniff_accepted(runtime.storage.local_path(stored.key), filename, stored.size)


def sniff_accepted(path: Path, filename: str, size: int) -> Sniffed:
    """The file's type, or a 422 (empty) or 415 (a type Folio does not process)."""
    if size == 0:
        raise UnprocessableDocument("The file is empty.", reason="EMPTY_FILE")
    sniffed = sniff(path, filename)
    if sniffed.kind is None:
        raise UnsupportedMediaType(
            f"Files of type {sniffed.mime_type} are not supported. Send PDF, an image "
            "(PNG, JPEG, TIFF, WEBP, BMP), DOCX, XLSX, PPTX, TXT, MD, CSV, HTML or EML."
        )
    return sniffed


async def record(
    session: AsyncSession,
    runtime: Runtime,
    principal: Principal,
    plan: UploadPlan,
    received: Sequence[Received],
    batch_id: str | None,
) -> list[Document]:
    """Inserts the documents, counts them, announces them and queues their jobs."""
    if not received:
        return []
    repository = DocumentRepository.from_session(session)
    documents = [new_document(principal, item, plan.options, batch_id) for item in received]
    await mark_duplicates(repository, principal.team_id, documents)
    await repository.add_all(documents)
    await usage_service.count_uploads(session, plan.allowance)
    events = [document_event("document.uploaded", d, filename=d.filename) for d in documents]
    await event_service.emit_many(session, runtime, events)
    priority = plan.options.job_priority
    await job_service.enqueue_many(
        session,
        runtime,
        [(d.team_id, d.id, job_options(runtime, d, plan.options), priority) for d in documents],
    )
    return documents


async def mark_duplicates(
    repository: DocumentRepository, team_id: str, documents: Sequence[Document]
) -> None:
    """``duplicate_of``: the oldest earlier document with the same content, stored before or
    earlier in this request."""
    originals = await repository.originals(team_id, [d.sha256 for d in documents])
    for document in documents:
        original = originals.get(document.sha256)
        document.duplicate_of = original
        originals[document.sha256] = min(original, document.id) if original else document.id


def new_document(
    principal: Principal,
    item: Received,
    options: ProcessingOptions,
    batch_id: str | None,
) -> Document:
    return Document(
        id=item.document_id,
        team_id=principal.team_id,
        batch_id=batch_id,
        filename=item.filename,
        mime_type=item.sniffed.mime_type,
        kind=item.sniffed.kind,
        declared_mime_type=item.incoming.content_type,
        extension_mismatch=item.sniffed.extension_mismatch,
        size_bytes=item.stored.size,
        sha256=item.stored.sha256,
        blob_key=item.stored.key,
        uploaded_by_user_id=principal.user_id,
        uploaded_by_key_id=principal.key_id,
        status=DocumentStatus.queued,
        stages=stage_rules.initial_stages(),
        progress=stage_rules.UPLOAD_DONE_PROGRESS,
        options=options.public(),
    )


def job_options(runtime: Runtime, document: Document, options: ProcessingOptions) -> dict[str, Any]:
    """What the job runner needs of the options (the priority is the job's own column)."""
    chosen = options.model_dump(mode="json", exclude={"priority"})
    if options.analyze is None:
        chosen["analyze"] = runtime.settings.analysis_enabled
    chosen["extension_mismatch"] = document.extension_mismatch
    return chosen


async def discard(runtime: Runtime, keys: Sequence[str]) -> None:
    """Deletes the blobs of documents that will not exist."""

    def delete_all() -> None:
        for key in keys:
            runtime.storage.delete(key)

    if keys:
        await anyio.to_thread.run_sync(delete_all)
