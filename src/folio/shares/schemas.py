from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import Field

from folio.core.schemas import AwareDatetime, Schema


class ShareKind(StrEnum):
    link = "link"  # a secret URL that downloads the original without signing in
    member = "member"  # a member of the team is told, and may read it even if their role may not


class ShareStatus(StrEnum):
    active = "active"
    expired = "expired"
    revoked = "revoked"


class ShareCreate(Schema):
    kind: ShareKind = ShareKind.link
    user_id: str | None = Field(default=None, description="The member, for kind=member")
    expires_at: AwareDatetime | None = Field(
        default=None, description="Default: in 7 days; at most FOLIO_SHARE_LINK_MAX_TTL_S ahead"
    )


class ShareRead(Schema):
    id: str
    team_id: str
    document_id: str
    kind: ShareKind
    status: ShareStatus
    recipient_user_id: str | None
    created_by: str | None
    expires_at: datetime
    revoked_at: datetime | None
    download_count: int
    last_accessed_at: datetime | None
    created_at: datetime


class ShareCreated(ShareRead):
    token: str | None = Field(default=None, description="Links only; shown once")
    url: str | None = Field(default=None, description="Links only: the public download URL")
