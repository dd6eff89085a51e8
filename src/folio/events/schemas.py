from __future__ import annotations

from datetime import datetime
from typing import Any

from folio.core.schemas import Schema


class EventRead(Schema):
    id: str
    type: str
    created_at: datetime
    team_id: str
    data: dict[str, Any]
