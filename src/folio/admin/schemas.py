from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import Field, StringConstraints

from folio.core.schemas import Schema
from folio.usage.quotas import Quota

PlanName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20)]
QuotaValue = Annotated[int, Field(ge=0, le=2**62)]


class AdminUserRead(Schema):
    id: str
    email: str
    name: str
    is_active: bool
    is_admin: bool
    email_verified: bool
    mfa_enabled: bool
    personal_team_id: str | None
    created_at: datetime


class AdminTeamUpdate(Schema):
    plan: PlanName | None = Field(default=None, description="A plan the settings name")
    quota_overrides: dict[Quota, QuotaValue | None] | None = Field(
        default=None,
        description="This team's own monthly limits over its plan's: quota → number, or null "
        "for unlimited; an empty object removes every override",
    )


class TeamUsage(Schema):
    team_id: str
    name: str
    plan: str
    is_personal: bool
    quota_overrides: dict[str, int | None]
    members: int
    documents: int
    storage_bytes: int
    documents_processed: int = Field(description="This calendar month")
    api_calls: int = Field(description="This calendar month (flushed counts)")


class SystemUsage(Schema):
    period_start: datetime
    resets_at: datetime
    users: int
    active_users: int
    teams: int
    documents: int
    storage_bytes: int
    documents_processed: int
    api_calls: int
    per_team: list[TeamUsage]
