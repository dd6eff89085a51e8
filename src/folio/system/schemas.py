from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import Field, StringConstraints

from folio.core.schemas import AwareDatetime, Schema

Message = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


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


class Component(Check):
    """One part of readiness: ``ok``, ``degraded`` (serves, but needs an operator) or
    ``error`` (cannot serve)."""

    observed: dict[str, Any] | None = Field(
        default=None, description="The figures the verdict was made on"
    )


class Liveness(Schema):
    status: str = Field(description="Always ok: the process answers")
    version: str


class Readiness(Schema):
    status: str = Field(description="ok | degraded (200) | failing (503)")
    version: str
    components: dict[str, Component] = Field(
        description="database, storage, disk, queue, workers; redis when configured"
    )


class MaintenanceCreate(Schema):
    message: Message
    active: bool = Field(default=True, description="false announces that maintenance is over")
    starts_at: AwareDatetime | None = None
    ends_at: AwareDatetime | None = None


class MaintenanceRead(Schema):
    active: bool
    message: str | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    announced_at: datetime | None = None
    event_id: str | None = None


class SystemStatus(Schema):
    status: str  # ok | degraded | failing, as /health
    version: str
    host: str
    pid: int
    workers: dict[str, Any]
    maintenance: MaintenanceRead


class BroadcastLevel(StrEnum):
    info = "info"
    warning = "warning"
    critical = "critical"


class BroadcastCreate(Schema):
    message: Message
    level: BroadcastLevel = BroadcastLevel.info


class SigningKeyRead(Schema):
    kid: str
    current: bool
    retired_at: datetime | None = Field(
        description="When it stopped signing; it verifies older tokens until they expire"
    )


class SigningKeys(Schema):
    current: str
    keys: list[SigningKeyRead]
