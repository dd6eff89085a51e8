from __future__ import annotations

from datetime import datetime

from pydantic import EmailStr, Field

from folio.core.schemas import Schema
from folio.users.schemas import Name, Password, UserRead


class RegisterRequest(Schema):
    email: EmailStr
    password: Password
    name: Name = ""
    invitation_token: str | None = Field(
        default=None, max_length=200, description="Required when registration is by invitation"
    )


class LoginRequest(Schema):
    email: str = Field(min_length=3, max_length=320)
    password: str = Field(max_length=256)


class TokenPair(Schema):
    access_token: str
    token_type: str = "bearer"
    expires_in: int
    refresh_token: str
    refresh_expires_in: int
    session_id: str


class LoginResult(Schema):
    """Either tokens, or ``mfa_required`` with the token for the second step."""

    mfa_required: bool = False
    mfa_token: str | None = None
    tokens: TokenPair | None = None
    user: UserRead | None = None


class MfaLoginRequest(Schema):
    mfa_token: str = Field(max_length=200)
    code: str = Field(min_length=6, max_length=32, description="TOTP code or a recovery code")


class RefreshRequest(Schema):
    refresh_token: str = Field(max_length=200)


class LogoutRequest(Schema):
    refresh_token: str | None = Field(default=None, max_length=200)


class TokenRequest(Schema):
    token: str = Field(min_length=10, max_length=200)


class ForgotPasswordRequest(Schema):
    email: str = Field(min_length=3, max_length=320)


class ResetPasswordRequest(Schema):
    token: str = Field(min_length=10, max_length=200)
    new_password: Password


class ChangePasswordRequest(Schema):
    current_password: str = Field(max_length=256)
    new_password: Password


class SessionRead(Schema):
    id: str
    user_agent: str | None
    ip: str | None
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    current: bool


class MfaSetup(Schema):
    secret: str
    otpauth_uri: str


class MfaCode(Schema):
    code: str = Field(min_length=6, max_length=10)


class MfaDisableRequest(Schema):
    password: str = Field(max_length=256)
    code: str = Field(min_length=6, max_length=32)


class RecoveryCodes(Schema):
    recovery_codes: list[str]


class Message(Schema):
    message: str
