from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import ConfigDict, EmailStr, Field, StringConstraints

from folio.core.permissions import Permission
from folio.core.schemas import AwareDatetime, Schema

TeamName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
RoleName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


class TeamSettings(Schema):
    default_permissions: list[Permission] = Field(default_factory=list)
    max_members: int | None = Field(default=None, ge=1, le=100_000)
    require_approval: bool = False
    require_key_ip_allowlist: bool = Field(
        default=False,
        description="Every API key of the team needs an IP allow-list: creating one without "
        "is refused (422) and keys without one are refused at use (403 IP_ALLOWLIST_REQUIRED)",
    )


class TeamCreate(Schema):
    name: TeamName
    description: str | None = Field(default=None, max_length=1000)
    settings: TeamSettings = Field(default_factory=TeamSettings)


class TeamUpdate(Schema):
    name: TeamName | None = None
    description: str | None = Field(default=None, max_length=1000)
    settings: TeamSettings | None = None


class TeamRead(Schema):
    id: str
    name: str
    description: str | None
    is_personal: bool
    plan: str
    settings: dict[str, Any]
    role: str | None = Field(default=None, description="Your role in this team")
    member_count: int | None = None
    created_at: datetime


class MemberRead(Schema):
    user_id: str
    email: str
    name: str
    role: str
    status: str
    joined_at: datetime


class MemberUpdate(Schema):
    role: str = Field(description="owner, admin, member, viewer or a custom role id")


class InvitationCreate(Schema):
    email: EmailStr
    role: str = "member"


class InvitationRead(Schema):
    id: str
    team_id: str
    email: str
    role: str
    status: str
    expires_at: datetime
    accepted_at: datetime | None
    created_at: datetime


class InvitationAccept(Schema):
    token: str = Field(min_length=10, max_length=200)


class RoleCreate(Schema):
    name: RoleName
    description: str | None = Field(default=None, max_length=1000)
    permissions: list[Permission]


class RoleUpdate(Schema):
    name: RoleName | None = None
    description: str | None = Field(default=None, max_length=1000)
    permissions: list[Permission] | None = None


class RoleRead(Schema):
    id: str
    team_id: str
    name: str
    description: str | None
    permissions: list[str]
    created_at: datetime


ResourceIds = Annotated[
    list[Annotated[str, StringConstraints(max_length=40)]], Field(max_length=500)
]


class AssignmentScope(Schema):
    """The resources a scoped assignment covers; its role's permissions hold only there."""

    model_config = ConfigDict(extra="forbid")

    document_ids: ResourceIds = Field(default_factory=list)
    batch_ids: ResourceIds = Field(default_factory=list)


class RoleAssignmentCreate(Schema):
    user_id: str
    role: str = Field(description="A built-in role name or a custom role id")
    scope: AssignmentScope | None = Field(
        default=None,
        description='Optional: e.g. {"document_ids": ["doc_…"]}; none means the whole team',
    )
    expires_at: AwareDatetime | None = Field(default=None, description="Optional; in the future")


class RoleAssignmentRead(Schema):
    id: str
    team_id: str
    user_id: str
    role: str
    scope: dict[str, Any]
    expires_at: datetime | None
    assigned_by: str | None
    created_at: datetime


class ScopedPermissions(Schema):
    permissions: list[str]
    scope: dict[str, Any]
    assignment_id: str
    expires_at: datetime | None


class PermissionAuditEntry(Schema):
    user_id: str
    email: str
    role: str
    permissions: list[str] = Field(description="Team-wide")
    scoped: list[ScopedPermissions] = Field(
        default_factory=list, description="Only on the documents or batches each scope names"
    )
    granted_by: list[str] = Field(description="The role and the assignments that grant them")
