from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from folio.core.schemas import Schema


class ExportFormat(StrEnum):
    csv = "csv"
    json = "json"


class AuditEntryRead(Schema):
    id: str
    created_at: datetime
    team_id: str | None
    actor_type: str
    actor_user_id: str | None
    actor_key_id: str | None
    action: str
    resource_type: str | None
    resource_id: str | None
    method: str
    route: str
    status_code: int
    outcome: str
    ip: str | None
    user_agent: str | None
    request_id: str | None
    changed_fields: list[str]
