from __future__ import annotations

from pydantic import Field

from folio.core.schemas import Schema
from folio.users.schemas import UserRead


class WebSession(Schema):
    """What the page keeps in memory: the short-lived access token. The refresh token stays in
    an HttpOnly cookie that scripts cannot read."""

    mfa_required: bool = False
    mfa_token: str | None = None
    access_token: str | None = None
    expires_in: int | None = None
    user: UserRead | None = None


class WebLogin(Schema):
    email: str = Field(min_length=3, max_length=320)
    password: str = Field(max_length=256)
