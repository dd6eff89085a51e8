from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm.attributes import set_committed_value

from folio.core.db import rowcount, utcnow
from folio.core.principal import Principal
from folio.core.repository import TeamScopedRepository
from folio.credits.models import CreditAccount, CreditTransaction, TransactionKind


class CreditRepository(TeamScopedRepository[CreditTransaction]):
    model = CreditTransaction

    async def account(self, team_id: str, *, for_update: bool = False) -> CreditAccount | None:
        statement = select(CreditAccount).where(CreditAccount.team_id == team_id)
        if for_update:
            statement = statement.with_for_update()
        return await self.session.scalar(statement.execution_options(populate_existing=True))

    def _insert(self, table: Any) -> Any:
        if self.session.get_bind().dialect.name == "postgresql":
            return postgresql.insert(table)
        return sqlite.insert(table)

    async def open(self, team_id: str) -> bool:
        """Creates the team's account (balance 0) unless it exists; True when this call
        created it. Two processes opening it at once: one creates it, the other waits for
        that and finds it."""
        statement = (
            self._insert(CreditAccount)
            .values(team_id=team_id, balance=0)
            .on_conflict_do_nothing(index_elements=["team_id"])
        )
        return rowcount(await self.session.execute(statement)) == 1

    async def add_to_balance(self, account: CreditAccount, amount: int) -> bool:
        """Adds ``amount`` to the balance in one statement (negative: a debit, which must be
        covered: ``balance >= -amount`` is part of the WHERE). False, nothing changed, when
        it is not covered. ``account`` gets the new balance without being marked dirty, so no
        later flush writes back a value read earlier."""
        statement = update(CreditAccount).where(CreditAccount.team_id == account.team_id)
        if amount < 0:
            statement = statement.where(CreditAccount.balance >= -amount)
        statement = (
            statement.values(balance=CreditAccount.balance + amount, updated_at=utcnow())
            .returning(CreditAccount.balance)
            .execution_options(synchronize_session=False)
        )
        balance = await self.session.scalar(statement)
        if balance is None:
            return False
        set_committed_value(account, "balance", balance)
        return True

    def add(self, row: CreditAccount | CreditTransaction) -> None:
        self.session.add(row)

    async def list_page(
        self,
        principal: Principal,
        *,
        limit: int,
        before: str | None,
        kind: TransactionKind | None,
        start: datetime | None,
        end: datetime | None,
    ) -> Sequence[CreditTransaction]:
        statement = self.readable(principal)
        if kind is not None:
            statement = statement.where(CreditTransaction.kind == kind)
        if start is not None:
            statement = statement.where(CreditTransaction.created_at >= start)
        if end is not None:
            statement = statement.where(CreditTransaction.created_at < end)
        return await self.page_before(statement, limit=limit, before=before)

    async def usage_rows(
        self, principal: Principal, start: datetime, end: datetime
    ) -> Sequence[tuple[datetime, int]]:
        columns = (CreditTransaction.created_at, CreditTransaction.amount)
        statement = (
            self.readable(principal)
            .with_only_columns(*columns)
            .where(
                CreditTransaction.team_id == principal.team_id,
                CreditTransaction.kind.in_([TransactionKind.usage, TransactionKind.refund]),
                CreditTransaction.created_at >= start,
                CreditTransaction.created_at < end,
            )
        )
        return [(row[0], row[1]) for row in (await self.session.execute(statement)).all()]

    async def charged_for_chunk(self, chunk_id: str) -> int:
        """Credits still owed back for a chunk: its usage net of earlier refunds (positive)."""
        total = await self.session.scalar(
            select(func.coalesce(func.sum(CreditTransaction.amount), 0)).where(
                CreditTransaction.chunk_id == chunk_id,
                CreditTransaction.kind.in_([TransactionKind.usage, TransactionKind.refund]),
            )
        )
        return -int(total or 0)

    async def used_since(self, team_id: str, since: datetime) -> int:
        """For the account's own checks (limits, refills), which act for its team."""
        total = await self.session.scalar(
            self.owned_by(team_id)
            .with_only_columns(func.coalesce(func.sum(CreditTransaction.amount), 0))
            .where(
                CreditTransaction.kind.in_([TransactionKind.usage, TransactionKind.refund]),
                CreditTransaction.created_at >= since,
            )
        )
        return -int(total or 0)
