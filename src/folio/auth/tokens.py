"""Sessions and their tokens: a short-lived JWT access token and a rotating refresh token."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from folio.auth.models import AuthSession, OneTimeToken, RefreshToken, TokenPurpose
from folio.auth.repository import AuthRepository
from folio.auth.schemas import TokenPair
from folio.core.db import utcnow
from folio.core.ids import IdPrefix, new_id
from folio.core.runtime import Runtime
from folio.core.security import digest, new_secret
from folio.users.models import User

ACCESS = "access"


async def start_session(
    session: AsyncSession, runtime: Runtime, user: User, *, ip: str | None, user_agent: str | None
) -> TokenPair:
    now = utcnow()
    settings = runtime.settings
    auth_session = AuthSession(
        id=new_id(IdPrefix.session),
        user_id=user.id,
        ip=ip,
        user_agent=(user_agent or "")[:500] or None,
        last_seen_at=now,
        expires_at=now + timedelta(seconds=settings.refresh_token_ttl_s),
    )
    await AuthRepository.from_session(session).add(auth_session)
    return await issue_tokens(session, runtime, user.id, auth_session)


async def issue_tokens(
    session: AsyncSession, runtime: Runtime, user_id: str, auth_session: AuthSession
) -> TokenPair:
    settings = runtime.settings
    now = utcnow()
    refresh = new_secret()
    await AuthRepository.from_session(session).add(
        RefreshToken(
            token_hash=digest(refresh),
            session_id=auth_session.id,
            created_at=now,
            expires_at=auth_session.expires_at,
        )
    )
    access = runtime.keys.encode(
        {"sub": user_id, "sid": auth_session.id, "typ": ACCESS},
        timedelta(seconds=settings.access_token_ttl_s),
    )
    return TokenPair(
        access_token=access,
        expires_in=settings.access_token_ttl_s,
        refresh_token=refresh,
        refresh_expires_in=int((auth_session.expires_at - now).total_seconds()),
        session_id=auth_session.id,
    )


async def one_time_token(
    session: AsyncSession, user: User, purpose: TokenPurpose, ttl: timedelta
) -> str:
    token = new_secret()
    now = utcnow()
    await AuthRepository.from_session(session).add(
        OneTimeToken(
            token_hash=digest(token),
            user_id=user.id,
            purpose=purpose,
            created_at=now,
            expires_at=now + ttl,
        )
    )
    return token


async def redeem(session: AsyncSession, token: str, purpose: TokenPurpose) -> str | None:
    """Marks a one-time token used and returns its user id; None if unknown, spent or old."""
    row = await AuthRepository.from_session(session).one_time_token(digest(token), purpose)
    if row is None or row.used_at is not None or row.expires_at <= utcnow():
        return None
    row.used_at = utcnow()
    return row.user_id
