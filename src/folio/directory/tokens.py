"""SCIM bearer tokens of a team: made, rotated and revoked by a team admin; stored hashed."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from folio.core.db import utcnow
from folio.core.errors import NotFound
from folio.core.ids import IdPrefix, new_id
from folio.core.principal import Principal
from folio.core.runtime import Runtime
from folio.core.security import digest, new_secret
from folio.directory.models import ScimToken
from folio.directory.repository import ScimTokenRepository
from folio.directory.schemas import ScimTokenCreate, ScimTokenCreated, ScimTokenRead

TOKEN_PREFIX = "fscim_"
LAST_USED_RESOLUTION = timedelta(minutes=1)


def token_read(token: ScimToken) -> ScimTokenRead:
    return ScimTokenRead.model_validate(token)


class ScimTokenService:
    async def list_tokens(self, session: AsyncSession, principal: Principal) -> Sequence[ScimToken]:
        return await ScimTokenRepository.from_session(session).of_team(principal)

    async def create(
        self, session: AsyncSession, principal: Principal, data: ScimTokenCreate
    ) -> ScimTokenCreated:
        secret = TOKEN_PREFIX + new_secret()
        token = ScimToken(
            id=new_id(IdPrefix.scim_token),
            team_id=principal.team_id,
            name=data.name,
            token_hash=digest(secret),
            prefix=secret[: len(TOKEN_PREFIX) + 6],
            created_by=principal.user_id,
        )
        await ScimTokenRepository.from_session(session).create(token, flush=True)
        return ScimTokenCreated(**token_read(token).model_dump(), token=secret)

    async def _get(self, session: AsyncSession, principal: Principal, token_id: str) -> ScimToken:
        token = await ScimTokenRepository.from_session(session).get(principal, token_id)
        if token is None or token.revoked_at is not None:
            raise NotFound(f"No active SCIM token {token_id}.")
        return token

    async def rotate(
        self, session: AsyncSession, principal: Principal, token_id: str
    ) -> ScimTokenCreated:
        """A new secret under the same name; the old one stops at once."""
        old = await self._get(session, principal, token_id)
        old.revoked_at = utcnow()
        return await self.create(session, principal, ScimTokenCreate(name=old.name))

    async def revoke(self, session: AsyncSession, principal: Principal, token_id: str) -> None:
        (await self._get(session, principal, token_id)).revoked_at = utcnow()

    async def resolve(self, runtime: Runtime, secret: str) -> str | None:
        """The team a presented token acts for, or None. Last use is noted at most once a
        minute, in a unit of work of its own (the request may be a read)."""
        if not secret.startswith(TOKEN_PREFIX):
            return None
        async with runtime.db.session(write=False) as session:
            token = await ScimTokenRepository.from_session(session).by_hash(digest(secret))
        if token is None:
            return None
        now = utcnow()
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
            async with runtime.db.independent() as session:
                await session.execute(
                    update(ScimToken).where(ScimToken.id == token.id).values(last_used_at=now)
                )
        return token.team_id


scim_token = ScimTokenService()
