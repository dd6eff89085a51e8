"""Entry point of a pipeline worker process. Imports only the pipeline and the metrics it
records: no web, no database.

Protocol over a ``multiprocessing`` pipe. Parent → child: ``JobTicket`` or ``None`` (exit).
Child → parent: ``("stage", name)``, ``("pages", done, total)``,
``("result", result_json, intelligence_json_or_none, rss_mb)`` or
``("error", code, message, retryable, rss_mb)``.
"""

from __future__ import annotations

import logging
import os
import resource
import signal
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from folio.core.processes import die_with_parent, limit_memory, near_memory_limit
from folio.metrics.pipeline_timing import PipelineTimer
from folio.pipeline import (
    DocumentResult,
    Limits,
    PipelineError,
    PipelineOptions,
    ProgressListener,
    process_file,
)
from folio.pipeline.errors import ResourceLimit
from folio.pipeline.intelligence import IntelligenceOptions, analyze

PAGE_REPORT_INTERVAL_S = 0.25
MEMORY_MESSAGE = "The document needs more memory than the worker's limit allows."
logger = logging.getLogger("folio.worker")


@dataclass(frozen=True)
class JobTicket:
    job_id: str
    document_id: str
    path: str
    filename: str
    mime_type: str
    options: dict[str, Any]


class PipeProgress:
    """Reports progress to the parent, at most a few page updates per second."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self._last_pages_report = 0.0

    def stage(self, name: str) -> None:
        self.connection.send(("stage", name))

    def pages(self, done: int, total: int) -> None:
        now = time.monotonic()
        if done >= total or now - self._last_pages_report >= PAGE_REPORT_INTERVAL_S:
            self._last_pages_report = now
            self.connection.send(("pages", done, total))


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def pipeline_options(options: dict[str, Any], limits: Limits) -> PipelineOptions:
    return PipelineOptions(
        ocr=options.get("ocr", "auto"),
        ocr_engine=options.get("ocr_engine", "auto"),
        languages=tuple(options.get("language", ())),
        password=options.get("password"),
        limits=limits,
    )


def intelligence_options(options: dict[str, Any]) -> IntelligenceOptions | None:
    if not options.get("analyze", True):
        return None
    return IntelligenceOptions(
        security_scan=options.get("perform_security_scan", True),
        insights=options.get("generate_insights", True),
        compliance_frameworks=tuple(options.get("compliance_frameworks", ())),
        summary_length=options.get("summary_length", "medium"),
        extension_mismatch=options.get("extension_mismatch", False),
    )


def understand(
    result: DocumentResult, options: dict[str, Any], path: Path
) -> dict[str, Any] | None:
    """Analysis never fails a document whose text was extracted: it is reported instead."""
    wanted = intelligence_options(options)
    if wanted is None:
        return None
    try:
        return analyze(result, wanted, path=path).model_dump(mode="json")
    except Exception:
        logger.exception("analysis failed")
        result.warnings.append("Analysis failed; the extracted text is complete.")
        return None


def run_ticket(ticket: JobTicket, limits: Limits, connection: Connection) -> tuple[Any, ...]:
    timer = PipelineTimer(PipeProgress(connection), ticket.mime_type)
    message = _run_ticket(ticket, limits, timer)
    timer.record(message)  # metrics of this process, added up by the API's scrape
    return message


def _run_ticket(ticket: JobTicket, limits: Limits, progress: ProgressListener) -> tuple[Any, ...]:
    options = pipeline_options(ticket.options, limits)
    try:
        result = process_file(
            Path(ticket.path),
            options,
            progress,
            filename=ticket.filename,
            mime_type=ticket.mime_type,
        )
    except PipelineError as error:
        if near_memory_limit():
            return ("error", ResourceLimit.code, MEMORY_MESSAGE, False, float("inf"))
        return ("error", error.code, error.message, error.retryable, rss_mb())
    except MemoryError:
        return ("error", ResourceLimit.code, MEMORY_MESSAGE, False, float("inf"))
    except Exception:
        logger.exception("unexpected failure on %s", ticket.document_id)
        return (
            "error",
            "INTERNAL_ERROR",
            "Unexpected failure while processing the document.",
            True,
            rss_mb(),
        )
    intelligence = understand(result, ticket.options, Path(ticket.path))
    # a worker that came near its limit starts afresh, so the next job has all of it
    used = float("inf") if near_memory_limit(0.8) else rss_mb()
    return ("result", result.model_dump(mode="json"), intelligence, used)


def worker_main(connection: Connection, limits: dict[str, Any], memory_limit_mb: int = 0) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when workers stop
    die_with_parent()
    limit_memory(memory_limit_mb)  # a bomb raises MemoryError here, not on the host
    pipeline_limits = Limits.model_validate(limits)
    connection.send(("ready", os.getpid()))
    while True:
        try:
            ticket = connection.recv()
        except (EOFError, OSError):
            return
        if ticket is None:
            return
        connection.send(run_ticket(ticket, pipeline_limits, connection))
