from __future__ import annotations

from datetime import datetime

from pydantic import Field

from folio.core.schemas import Schema
from folio.tickets.models import TicketStatus


class TicketCreate(Schema):
    user_name: str = Field(min_length=1, max_length=200, description="Who reports")
    error_type: str = Field(min_length=1, max_length=100, examples=["OCR Failure"])
    description: str = Field(min_length=1, max_length=10_000)
    batch_id: str | None = Field(default=None, max_length=40)
    document_id: str | None = Field(default=None, max_length=40)


class TicketStatusUpdate(Schema):
    status: TicketStatus


class TicketRead(Schema):
    id: str
    team_id: str
    user_name: str
    error_type: str
    description: str
    batch_id: str | None
    document_id: str | None
    status: TicketStatus
    created_by: str | None
    created_at: datetime
    updated_at: datetime
    resolved_at: datetime | None = Field(
        description="When it first became resolved or closed; never changes after"
    )
