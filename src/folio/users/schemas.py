from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import Field, StringConstraints

from folio.core.schemas import Schema

Password = Annotated[
    str, Field(min_length=10, max_length=256, description="At least 10 characters")
]
Name = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]


class UserRead(Schema):
    id: str
    email: str
    name: str
    email_verified: bool
    mfa_enabled: bool
    is_admin: bool
    personal_team_id: str | None
    created_at: datetime


class UserUpdate(Schema):
    name: Name | None = None
