from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import Field, IPvAnyNetwork, StringConstraints

from folio.core.permissions import Permission
from folio.core.schemas import FutureDatetime, Schema

RATE_LIMIT_DESCRIPTION = (
    "Requests per minute for this key, at most the team plan's per-minute limit: a higher "
    "value is refused with 422 (code above_plan), not clamped. The key never gets more than "
    "the plan's limit, even if the plan is lowered later. Null: the plan's limit."
)

KeyName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
ALLOWED_IPS_DESCRIPTION = (
    "CIDRs (IPv4 or IPv6; a bare address is one host) this key may be used from; a request "
    "from elsewhere is refused with 403 ADDRESS_NOT_ALLOWED. Null: any address, unless the "
    "installation or the team requires an allow-list (then null is refused with 422)."
)
AllowedIps = Annotated[list[IPvAnyNetwork], Field(min_length=1, max_length=100)]


class KeyCreate(Schema):
    """A team has at most its plan's ``api_keys`` unrevoked keys (409 ``PLAN_LIMIT``)."""

    name: KeyName
    scopes: list[Permission] | None = Field(
        default=None, description="Defaults to all of your permissions in the team"
    )
    rate_limit_per_minute: int | None = Field(
        default=None, ge=1, le=1_000_000, description=RATE_LIMIT_DESCRIPTION
    )
    expires_at: FutureDatetime | None = None
    allowed_ips: AllowedIps | None = Field(default=None, description=ALLOWED_IPS_DESCRIPTION)


class KeyUpdate(Schema):
    name: KeyName | None = None
    scopes: list[Permission] | None = None
    rate_limit_per_minute: int | None = Field(
        default=None, ge=1, le=1_000_000, description=RATE_LIMIT_DESCRIPTION
    )
    is_active: bool | None = None
    expires_at: FutureDatetime | None = None
    allowed_ips: AllowedIps | None = Field(default=None, description=ALLOWED_IPS_DESCRIPTION)


class KeyRotate(Schema):
    grace_period_s: int = Field(
        default=24 * 3600, ge=0, le=30 * 24 * 3600, description="How long the old key keeps working"
    )


class KeyRead(Schema):
    id: str
    team_id: str
    user_id: str
    name: str
    masked_key: str
    scopes: list[str]
    rate_limit_per_minute: int | None
    status: str = Field(description="active | inactive | expired | revoked | rotated")
    is_active: bool
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None
    replaced_by: str | None
    grace_until: datetime | None
    allowed_ips: list[str] | None = Field(description="CIDRs the key may be used from; null: any")
    created_at: datetime


class KeyCreated(KeyRead):
    key: str = Field(description="The full key. Shown once; store it now.")
