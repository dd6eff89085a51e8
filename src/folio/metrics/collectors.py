"""The metrics Folio's processes record, and one small function per thing observed.

Counters and histograms only: in multiprocess mode they add up across processes as they are.
Values read at scrape time (queue depth, workers, the database pool) are in :mod:`.live`.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import ParamSpec

from prometheus_client import Counter, Histogram

P = ParamSpec("P")
logger = logging.getLogger("folio.metrics")

HTTP_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)
STAGE_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600)
PAGE_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 16, 32)
LAG_BUCKETS = (0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30)

http_requests = Counter(
    "folio_http_requests",
    "HTTP requests answered, by route template, method and status code",
    ["route", "method", "status"],
)
http_duration = Histogram(
    "folio_http_request_duration_seconds",
    "Time to answer an HTTP request, by route template and method",
    ["route", "method"],
    buckets=HTTP_BUCKETS,
)
documents_processed = Counter(
    "folio_documents_processed",
    "Documents run through the pipeline, by outcome, kind and OCR engine",
    ["status", "kind", "engine"],
)
pages_processed = Counter(
    "folio_pages_processed",
    "Pages extracted, by document kind, OCR engine and where their text came from",
    ["kind", "engine", "source"],
)
stage_duration = Histogram(
    "folio_stage_duration_seconds",
    "Time a document spends in a pipeline stage (extraction, analysis)",
    ["stage", "kind"],
    buckets=STAGE_BUCKETS,
)
ocr_page_seconds = Histogram(
    "folio_ocr_page_seconds",
    "Time to extract one page with OCR, by engine",
    ["engine"],
    buckets=PAGE_BUCKETS,
)
analysis_page_seconds = Histogram(
    "folio_analysis_page_seconds",
    "Analysis time (language, classification, entities, PII ...) per page of a document",
    ["kind"],
    buckets=PAGE_BUCKETS,
)
webhook_deliveries = Counter(
    "folio_webhook_deliveries",
    "Webhook delivery attempts, by outcome: succeeded, retrying, failed (given up)",
    ["outcome"],
)
event_bus_lag = Histogram(
    "folio_event_bus_lag_seconds",
    "Time from an event's creation to its arrival at this process's real-time hub, by bus",
    ["bus"],
    buckets=LAG_BUCKETS,
)


def never_raises(record: Callable[P, None]) -> Callable[P, None]:
    """A sample that cannot be written (a full disk under the store) costs the sample, never
    the request or the job being measured."""

    @functools.wraps(record)
    def guarded(*args: P.args, **kwargs: P.kwargs) -> None:
        try:
            record(*args, **kwargs)
        except Exception as error:
            logger.warning("metric %s not recorded (%s)", record.__name__, type(error).__name__)

    return guarded


@never_raises
def observe_http(route: str, method: str, status: int, seconds: float) -> None:
    http_requests.labels(route, method, str(status)).inc()
    http_duration.labels(route, method).observe(seconds)


@never_raises
def record_document(status: str, kind: str, engine: str) -> None:
    documents_processed.labels(status, kind, engine).inc()


@never_raises
def record_pages(kind: str, engine: str, source: str, count: int) -> None:
    pages_processed.labels(kind, engine, source).inc(count)


@never_raises
def observe_stage(stage: str, kind: str, seconds: float) -> None:
    stage_duration.labels(stage, kind).observe(seconds)


@never_raises
def observe_ocr_page(engine: str, seconds: float) -> None:
    ocr_page_seconds.labels(engine).observe(seconds)


@never_raises
def observe_analysis_page(kind: str, seconds: float) -> None:
    analysis_page_seconds.labels(kind).observe(seconds)


@never_raises
def record_webhook_delivery(outcome: str) -> None:
    webhook_deliveries.labels(outcome).inc()


@never_raises
def observe_event_lag(bus: str, seconds: float) -> None:
    event_bus_lag.labels(bus).observe(max(seconds, 0.0))
