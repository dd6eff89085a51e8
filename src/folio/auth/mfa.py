"""TOTP two-factor authentication with ten single-use recovery codes."""

from __future__ import annotations

import hmac
import secrets
import time

import pyotp
from sqlalchemy.ext.asyncio import AsyncSession

from folio.auth.errors import InvalidCredentials, InvalidMfaCode
from folio.auth.repository import AuthRepository
from folio.auth.schemas import MfaSetup, RecoveryCodes
from folio.core.db import utcnow
from folio.core.errors import Conflict
from folio.core.security import digest, verify_password
from folio.users.models import User

ISSUER = "Folio"
RECOVERY_CODES = 10


def _recovery_code() -> str:
    raw = secrets.token_hex(5)
    return f"{raw[:5]}-{raw[5:]}"


def _normalise(code: str) -> str:
    return code.strip().replace(" ", "").lower()


def totp_step(secret: str, code: str, *, after: int | None) -> int | None:
    """The time step whose code ``code`` is (one step either side for clock drift), if it is
    later than ``after``, the last step used: a code seen once cannot be replayed."""
    totp = pyotp.TOTP(secret)
    current = int(time.time()) // totp.interval
    for step in (current - 1, current, current + 1):
        if after is not None and step <= after:
            continue
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


class MfaService:
    def setup(self, user: User) -> MfaSetup:
        """A new secret; MFA is on only once a code from it is verified."""
        if user.mfa_enabled_at is not None:
            raise Conflict("Two-factor authentication is already on; disable it first.")
        user.mfa_secret = pyotp.random_base32()
        uri = pyotp.TOTP(user.mfa_secret).provisioning_uri(name=user.email, issuer_name=ISSUER)
        return MfaSetup(secret=user.mfa_secret, otpauth_uri=uri)

    async def enable(self, session: AsyncSession, user: User, code: str) -> RecoveryCodes:
        if user.mfa_secret is None or user.mfa_enabled_at is not None:
            raise Conflict("Start with POST /api/v1/auth/mfa/enable.")
        step = totp_step(user.mfa_secret, _normalise(code), after=None)
        if step is None:
            raise InvalidMfaCode("The code does not match; check the device's clock.")
        user.mfa_enabled_at, user.mfa_last_step = utcnow(), step
        codes = [_recovery_code() for _ in range(RECOVERY_CODES)]
        await AuthRepository.from_session(session).replace_recovery_codes(
            user.id, [digest(code) for code in codes]
        )
        return RecoveryCodes(recovery_codes=codes)

    async def disable(self, session: AsyncSession, user: User, password: str, code: str) -> None:
        if not verify_password(user.password_hash, password):
            raise InvalidCredentials("The password is wrong.")
        await self.check_code(session, user, code)
        user.mfa_secret = user.mfa_enabled_at = user.mfa_last_step = None
        await AuthRepository.from_session(session).replace_recovery_codes(user.id, [])

    async def check_code(self, session: AsyncSession, user: User, code: str) -> None:
        """A current TOTP code not used before, or an unused recovery code (then spent)."""
        normalised = _normalise(code)
        if user.mfa_secret:
            step = totp_step(user.mfa_secret, normalised, after=user.mfa_last_step)
            if step is not None:
                user.mfa_last_step = step
                return
        recovery = await AuthRepository.from_session(session).unused_recovery_code(
            user.id, digest(normalised)
        )
        if recovery is None:
            raise InvalidMfaCode("The authentication code is wrong.")
        recovery.used_at = utcnow()


mfa = MfaService()
