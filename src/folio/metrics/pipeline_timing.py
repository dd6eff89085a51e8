"""Times a pipeline run inside the worker process that does it, and records what came out.

A progress listener in front of the worker's own: the pipeline reports its stages and each
page as it finishes, so a page's time is the gap since the previous report, and its source in
the result says whether it was OCR. The pipeline itself stays free of metrics.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from folio.metrics import collectors
from folio.pipeline import ProgressListener
from folio.pipeline.ingest import kind_for_mime

NO_ENGINE = "none"
logger = logging.getLogger("folio.metrics")


class PipelineTimer:
    def __init__(self, listener: ProgressListener, mime_type: str) -> None:
        self.listener = listener
        self.kind = str(kind_for_mime(mime_type) or "unknown")
        self.started = time.perf_counter()
        self.stages: dict[str, float] = {}
        self.page_seconds: list[float] = []
        self._last_page = self.started

    # ---- ProgressListener -------------------------------------------------------------

    def stage(self, name: str) -> None:
        now = time.perf_counter()
        self.stages.setdefault(name, now)
        if name == "extraction":
            self._last_page = now
        self.listener.stage(name)

    def pages(self, done: int, total: int) -> None:
        now = time.perf_counter()
        while len(self.page_seconds) < done:
            self.page_seconds.append(now - self._last_page)
            self._last_page = now
        self.listener.pages(done, total)

    # ---- the outcome --------------------------------------------------------------------

    def record(self, message: tuple[Any, ...]) -> None:
        """``message`` is the worker's report: ``("result", result, …)`` or ``("error", …)``.
        Never raises: the report still goes to the parent."""
        try:
            self._record(message, time.perf_counter())
        except Exception:
            logger.warning("pipeline metrics not recorded", exc_info=True)

    def _record(self, message: tuple[Any, ...], finished: float) -> None:
        if message[0] != "result":
            collectors.record_document("failed", self.kind, NO_ENGINE)
            return
        result: dict[str, Any] = message[1]
        kind = str(result.get("kind") or self.kind)
        engine = (result.get("ocr") or {}).get("engine") or NO_ENGINE
        collectors.record_document("completed", kind, engine)
        self._record_pages(result.get("pages") or [], kind, engine)
        self._record_stages(kind, finished, len(result.get("pages") or []))

    def _record_pages(self, pages: list[dict[str, Any]], kind: str, engine: str) -> None:
        by_source: dict[str, int] = {}
        for index, page in enumerate(pages):
            source = str(page.get("source") or "native")
            by_source[source] = by_source.get(source, 0) + 1
            if source == "ocr" and index < len(self.page_seconds):
                collectors.observe_ocr_page(engine, self.page_seconds[index])
        for source, count in by_source.items():
            collectors.record_pages(kind, engine, source, count)

    def _record_stages(self, kind: str, finished: float, page_count: int) -> None:
        extraction = self.stages.get("extraction", self.started)
        analysis = self.stages.get("analysis", finished)
        collectors.observe_stage("extraction", kind, analysis - extraction)
        if "analysis" in self.stages:
            collectors.observe_stage("analysis", kind, finished - analysis)
            if page_count:
                collectors.observe_analysis_page(kind, (finished - analysis) / page_count)
