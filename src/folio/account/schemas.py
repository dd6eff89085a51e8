from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from folio.core.schemas import Schema
from folio.users.schemas import UserRead


class MembershipExport(Schema):
    team_id: str
    team_name: str
    role: str
    status: str
    joined_at: datetime


class KeyExport(Schema):
    id: str
    name: str
    team_id: str
    scopes: list[str]
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class DocumentExport(Schema):
    id: str
    team_id: str
    filename: str
    mime_type: str
    size_bytes: int
    sha256: str
    status: str
    document_type: str | None
    created_at: datetime


class AccountExport(Schema):
    """Everything Folio holds about the account: metadata, never other people's data."""

    exported_at: datetime
    profile: UserRead
    memberships: list[MembershipExport]
    api_keys: list[KeyExport] = Field(description="Metadata only: secrets are never stored")
    sessions: list[dict[str, Any]]
    audit_entries: list[dict[str, Any]] = Field(description="Requests the account made")
    documents: list[DocumentExport] = Field(
        description="Documents the account uploaded (their metadata; download the files "
        "themselves with GET /api/v1/documents/{id}/file)"
    )


class AccountDeletion(Schema):
    password: str = Field(max_length=256, description="Your current password")
    code: str | None = Field(
        default=None, max_length=20, description="A TOTP or recovery code, if two-factor is on"
    )
