from __future__ import annotations

from typing import Any

from folio.core.schemas import Schema


class Check(Schema):
    status: str
    detail: str | None = None
    latency_ms: float | None = None


class Health(Schema):
    status: str  # ok | degraded | failing
    version: str
    database: Check
    storage: Check
    workers: dict[str, Any]
    ocr_engines: dict[str, dict[str, Any]]
