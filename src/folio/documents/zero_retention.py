"""Zero-retention processing: a file in, its results in the response, nothing kept.

No blob, no document, page, version, job or event row: the only traces are the team's
monthly document count (usage), the request's aggregated usage log line and its audit entry,
which the activity middleware writes for every POST (action ``documents.process``: who, when,
from where, the status; no file name, size or content). Size, pages and kind go to the
application log only.

The bytes live in a temporary file that the ``with`` block deletes whatever happens (a
refusal, a timeout, a client that went away). The file is processed in a sandbox process
(``runtime.processor``), never on the API's event loop or threads: one that runs past the
time limit is killed and replaced. No transaction is open while it runs: a read before, one
short write after.
"""

from __future__ import annotations

import logging
import tempfile
import time
from pathlib import Path
from typing import IO, Any

import anyio

from folio.core.errors import (
    FieldError,
    PayloadTooLarge,
    ServiceUnavailable,
    UnprocessableDocument,
    ValidationFailed,
)
from folio.core.limits import pipeline_limits
from folio.core.principal import Principal
from folio.core.runtime import Runtime
from folio.core.sandbox import SandboxBusy, SandboxCrashed, SandboxTimeout
from folio.documents.files import IncomingFile, clean_filename
from folio.documents.results import results_from_pipeline
from folio.documents.schemas import DocumentResults, ProcessingOptions
from folio.documents.uploads import sniff_accepted, with_team_defaults
from folio.documents.zero_retention_child import process_once
from folio.pipeline import DocumentResult, Sniffed
from folio.pipeline.errors import ResourceLimit
from folio.pipeline.intelligence import Intelligence
from folio.usage.service import usage as usage_service

logger = logging.getLogger("folio.zero_retention")
TEMP_PREFIX = "folio-process-"  # the temporary files' names start so (tests look for them)
CHUNK_BYTES = 1024 * 1024


def receive(incoming: IncomingFile, spool: IO[bytes], filename: str, limit: int) -> Sniffed:
    """Copies the upload into ``spool`` (refused past ``limit`` bytes) and sniffs it."""
    size = 0
    while chunk := incoming.stream.read(CHUNK_BYTES):
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(f"The file is larger than the limit of {limit} bytes.")
        spool.write(chunk)
    spool.flush()
    return sniff_accepted(Path(spool.name), filename, size)


def child_options(runtime: Runtime, options: ProcessingOptions, sniffed: Sniffed) -> dict[str, Any]:
    chosen = options.model_dump(mode="json", exclude={"priority", "template"})
    if options.analyze is None:
        chosen["analyze"] = runtime.settings.analysis_enabled
    chosen["extension_mismatch"] = sniffed.extension_mismatch
    return chosen


class ZeroRetentionService:
    async def process(
        self,
        runtime: Runtime,
        principal: Principal,
        incoming: IncomingFile,
        options: ProcessingOptions,
        *,
        include_words: bool = True,
    ) -> DocumentResults:
        if options.template is not None:
            raise ValidationFailed(
                [
                    FieldError(
                        "options.template",
                        "not_supported",
                        "Templates store their extraction; upload the document instead.",
                    )
                ]
            )
        filename = clean_filename(incoming.filename)
        async with runtime.db.session(write=False) as session:
            options = await with_team_defaults(session, principal, options)
            await usage_service.check_processing(session, principal, runtime.settings)
        started = time.monotonic()
        result, intelligence, size = await self._process_file(runtime, incoming, filename, options)
        async with runtime.db.session() as session:
            await usage_service.count_processed(session, principal, runtime.settings)
        logger.info(
            "zero-retention document processed: team %s, %s, %d bytes, %d pages, %d ms",
            principal.team_id,
            result.kind.value,
            size,
            len(result.pages),
            round((time.monotonic() - started) * 1000),
        )
        return results_from_pipeline(
            result, filename=filename, include_words=include_words, intelligence=intelligence
        )

    async def _process_file(
        self,
        runtime: Runtime,
        incoming: IncomingFile,
        filename: str,
        options: ProcessingOptions,
    ) -> tuple[DocumentResult, Intelligence | None, int]:
        settings = runtime.settings
        limit = min(settings.process_max_bytes, settings.max_upload_bytes)
        with tempfile.NamedTemporaryFile(prefix=TEMP_PREFIX) as spool:  # deleted on any exit
            sniffed = await anyio.to_thread.run_sync(receive, incoming, spool, filename, limit)
            answer = await self._run(runtime, spool.name, filename, sniffed, options)
            size = spool.tell()
        if answer[0] == "error":
            raise self._refusal(answer[1], answer[2])
        result = DocumentResult.model_validate(answer[1])
        intelligence = Intelligence.model_validate(answer[2]) if answer[2] else None
        return result, intelligence, size

    async def _run(
        self,
        runtime: Runtime,
        path: str,
        filename: str,
        sniffed: Sniffed,
        options: ProcessingOptions,
    ) -> tuple[Any, ...]:
        settings = runtime.settings
        limits = pipeline_limits(settings, max_pages=settings.process_max_pages)
        try:
            return await runtime.processor.run(
                process_once,
                path,
                filename,
                sniffed.mime_type,
                child_options(runtime, options, sniffed),
                limits.model_dump(),
            )
        except SandboxTimeout as exc:
            limit_s = settings.process_time_limit_s
            raise UnprocessableDocument(
                f"Processing took longer than {limit_s:g} s. Upload the document to "
                "POST /api/v1/documents to process it without this limit.",
                reason="PROCESSING_TIMEOUT",
                limit_s=limit_s,
            ) from exc
        except SandboxCrashed as exc:
            raise self._refusal(
                ResourceLimit.code,
                "The document needs more memory than the processing limit allows.",
            ) from exc
        except SandboxBusy as exc:
            raise ServiceUnavailable("Every zero-retention processor is busy; retry soon.") from exc

    @staticmethod
    def _refusal(code: str, message: str) -> UnprocessableDocument | ServiceUnavailable:
        if code == "INTERNAL_ERROR":
            return ServiceUnavailable("Processing failed unexpectedly; retry soon.")
        return UnprocessableDocument(message, reason=code)


zero_retention = ZeroRetentionService()
