"""Queries on a team's directory, its managed accounts, sync runs and SCIM tokens."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Select, select

from folio.core.principal import Principal
from folio.core.repository import TeamScopedRepository
from folio.directory.models import (
    DirectoryAccount,
    DirectorySource,
    DirectorySyncRun,
    LdapDirectory,
    ScimToken,
)
from folio.users.models import User


class LdapDirectoryRepository(TeamScopedRepository[LdapDirectory]):
    model = LdapDirectory

    async def of_team(self, team_id: str) -> LdapDirectory | None:
        return await self.get_one_or_none(self.owned_by(team_id))

    async def all_syncing(self) -> Sequence[LdapDirectory]:
        """Every directory with scheduled sync on: the periodic sync acts for the system."""
        statement = select(LdapDirectory).where(LdapDirectory.sync_enabled.is_(True))
        return await self.get_all(statement.order_by(LdapDirectory.id))


class DirectoryAccountRepository(TeamScopedRepository[DirectoryAccount]):
    model = DirectoryAccount

    async def of_source(self, team_id: str, source: DirectorySource) -> Sequence[DirectoryAccount]:
        statement = self.owned_by(team_id).where(DirectoryAccount.source == source)
        return await self.get_all(statement.order_by(DirectoryAccount.id))

    async def by_external_id(
        self, team_id: str, source: DirectorySource, external_id: str
    ) -> DirectoryAccount | None:
        statement = self.owned_by(team_id).where(
            DirectoryAccount.source == source, DirectoryAccount.external_id == external_id
        )
        return await self.get_one_or_none(statement)

    def with_users(self, team_id: str, source: DirectorySource) -> Select[DirectoryAccount, User]:
        return (
            select(DirectoryAccount, User)
            .join(User, User.id == DirectoryAccount.user_id)
            .where(DirectoryAccount.team_id == team_id, DirectoryAccount.source == source)
        )

    async def account_of_user(
        self, team_id: str, source: DirectorySource, user_id: str
    ) -> tuple[DirectoryAccount, User] | None:
        statement = self.with_users(team_id, source).where(DirectoryAccount.user_id == user_id)
        row = (await self.session.execute(statement)).first()
        return (row[0], row[1]) if row is not None else None

    async def accounts_with_users(
        self, statement: Select[DirectoryAccount, User]
    ) -> list[tuple[DirectoryAccount, User]]:
        return [(row[0], row[1]) for row in (await self.session.execute(statement)).all()]


class SyncRunRepository(TeamScopedRepository[DirectorySyncRun]):
    model = DirectorySyncRun

    async def list_page(
        self, principal: Principal, *, limit: int, before: str | None
    ) -> Sequence[DirectorySyncRun]:
        return await self.page_before(self.readable(principal), limit=limit, before=before)


class ScimTokenRepository(TeamScopedRepository[ScimToken]):
    model = ScimToken

    async def of_team(self, principal: Principal) -> Sequence[ScimToken]:
        return await self.get_all(self.readable(principal).order_by(ScimToken.id))

    async def by_hash(self, token_hash: str) -> ScimToken | None:
        statement = select(ScimToken).where(
            ScimToken.token_hash == token_hash, ScimToken.revoked_at.is_(None)
        )
        return await self.get_one_or_none(statement)


def is_due(directory: LdapDirectory, now: datetime) -> bool:
    last = directory.last_sync_at
    return last is None or (now - last).total_seconds() >= directory.sync_interval_s
