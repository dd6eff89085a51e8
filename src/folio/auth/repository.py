from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, update

from folio.auth.models import AuthSession, OneTimeToken, RecoveryCode, RefreshToken, TokenPurpose
from folio.core.repository import Repository


class AuthRepository(Repository[AuthSession]):
    """A person's sign-in state: no table of it is team-owned."""

    model = AuthSession

    async def add(self, row: AuthSession | RefreshToken | OneTimeToken | RecoveryCode) -> None:
        self.session.add(row)
        await self.session.flush()

    async def get_session(self, session_id: str) -> AuthSession | None:
        return await self.session.get(AuthSession, session_id)

    async def sessions_of(self, user_id: str, now: datetime) -> Sequence[AuthSession]:
        statement = (
            select(AuthSession)
            .where(
                AuthSession.user_id == user_id,
                AuthSession.revoked_at.is_(None),
                AuthSession.expires_at > now,
            )
            .order_by(AuthSession.id)
        )
        return (await self.session.scalars(statement)).all()

    async def revoke_sessions(
        self, user_id: str, now: datetime, reason: str, *, keep: str | None = None
    ) -> None:
        statement = update(AuthSession).where(
            AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None)
        )
        if keep is not None:
            statement = statement.where(AuthSession.id != keep)
        await self.session.execute(statement.values(revoked_at=now, revoked_reason=reason))

    async def refresh_token(self, token_hash: str) -> RefreshToken | None:
        return await self.session.get(RefreshToken, token_hash)

    async def one_time_token(self, token_hash: str, purpose: TokenPurpose) -> OneTimeToken | None:
        return await self.session.scalar(
            select(OneTimeToken).where(
                OneTimeToken.token_hash == token_hash, OneTimeToken.purpose == purpose
            )
        )

    async def spend_tokens(self, user_id: str, purpose: TokenPurpose, now: datetime) -> None:
        await self.session.execute(
            update(OneTimeToken)
            .where(
                OneTimeToken.user_id == user_id,
                OneTimeToken.purpose == purpose,
                OneTimeToken.used_at.is_(None),
            )
            .values(used_at=now)
        )

    async def unused_recovery_code(self, user_id: str, code_hash: str) -> RecoveryCode | None:
        return await self.session.scalar(
            select(RecoveryCode).where(
                RecoveryCode.user_id == user_id,
                RecoveryCode.code_hash == code_hash,
                RecoveryCode.used_at.is_(None),
            )
        )

    async def replace_recovery_codes(self, user_id: str, hashes: list[str]) -> None:
        for code in (
            await self.session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == user_id))
        ).all():
            await self.session.delete(code)
        self.session.add_all([RecoveryCode(code_hash=h, user_id=user_id) for h in hashes])
        await self.session.flush()
