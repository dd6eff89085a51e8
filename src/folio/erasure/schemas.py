from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Self

from pydantic import EmailStr, Field, StringConstraints, model_validator

from folio.core.schemas import Schema
from folio.erasure.models import ErasureAction, ErasureStatus

PersonName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=200)]


class ErasureCreate(Schema):
    email: EmailStr | None = None
    name: PersonName | None = None
    action: ErasureAction = Field(
        default=ErasureAction.report,
        description="report: find only; redact: mask the person in stored text and results "
        "and delete the original files; delete: delete the documents",
    )

    @model_validator(mode="after")
    def someone(self) -> Self:
        if self.email is None and self.name is None:
            raise ValueError("give the person's email, name or both")
        return self


class ErasureRead(Schema):
    id: str
    team_id: str
    requested_by: str | None
    email: str | None
    name: str | None
    action: ErasureAction
    status: ErasureStatus = Field(
        description="pending (accepted), running (documents being examined), completed, failed"
    )
    documents_examined: int = Field(description="Candidate documents examined so far")
    attempts: int
    error_message: str | None
    report: dict[str, Any] = Field(
        description="documents: each with where the person was found (entity type, page, "
        "or text) and what was done; totals. The matched text itself is never stored."
    )
    created_at: datetime
    started_at: datetime | None
    completed_at: datetime | None
