"""The stage list of a document: ``upload → extraction → analysis``, with timestamps."""

from __future__ import annotations

from typing import Any

from folio.core.db import utcnow
from folio.documents.models import StageName, StageStatus

UPLOAD_DONE_PROGRESS = 5
EXTRACTION_DONE_PROGRESS = 90
ANALYSIS_PROGRESS = 95


def initial_stages() -> list[dict[str, Any]]:
    now = utcnow().isoformat()
    return [
        {
            "name": StageName.upload,
            "status": StageStatus.completed,
            "started_at": now,
            "completed_at": now,
        },
        {"name": StageName.extraction, "status": StageStatus.pending},
        {"name": StageName.analysis, "status": StageStatus.pending},
    ]


def reset_processing_stages(stages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        stage
        if stage["name"] == StageName.upload
        else {"name": stage["name"], "status": StageStatus.pending}
        for stage in stages
    ]


def start_stage(stages: list[dict[str, Any]], name: StageName) -> list[dict[str, Any]]:
    """Marks ``name`` running and every earlier running stage completed."""
    now = utcnow().isoformat()
    updated = []
    for stage in stages:
        stage = dict(stage)
        if stage["name"] == name:
            stage.update(status=StageStatus.running, started_at=now)
            stage.pop("completed_at", None)
        elif stage["status"] == StageStatus.running:
            stage.update(status=StageStatus.completed, completed_at=now)
        updated.append(stage)
    return updated


def finish_stages(stages: list[dict[str, Any]], *, failed: bool) -> list[dict[str, Any]]:
    """Closes the stages once processing ends.

    Success completes every open stage. Failure fails the running stage (or, if none was
    running yet, the first pending one) and skips the stages never reached.
    """
    now = utcnow().isoformat()
    updated = [dict(stage) for stage in stages]
    open_stages = [s for s in updated if s["status"] in (StageStatus.running, StageStatus.pending)]
    if not failed:
        for stage in open_stages:
            stage.setdefault("started_at", now)
            stage.update(status=StageStatus.completed, completed_at=now)
        return updated
    culprit = next((s for s in open_stages if s["status"] == StageStatus.running), None)
    culprit = culprit or (open_stages[0] if open_stages else None)
    for stage in open_stages:
        if stage is culprit:
            stage.setdefault("started_at", now)
            stage.update(status=StageStatus.failed, completed_at=now)
        else:
            stage["status"] = StageStatus.skipped
    return updated


def extraction_progress(done: int, total: int) -> int:
    if total <= 0:
        return UPLOAD_DONE_PROGRESS
    span = EXTRACTION_DONE_PROGRESS - UPLOAD_DONE_PROGRESS
    return UPLOAD_DONE_PROGRESS + int(span * min(done, total) / total)
