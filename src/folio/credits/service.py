"""Credits: one per accepted image (valid, not a duplicate). Admins grant them (purchases
happen outside Folio); a failed chunk's usage is refunded. Crossing the low-balance threshold
announces ``credits.low``, reaching zero ``credits.depleted``; auto-refill is recorded as a
request for an admin grant."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from folio.core.db import utcnow
from folio.core.errors import Conflict, FieldError, NotFound, ValidationFailed
from folio.core.events import Event
from folio.core.ids import IdPrefix, new_id
from folio.core.pagination import Page, PageParams
from folio.core.principal import Principal
from folio.core.runtime import Runtime
from folio.credits.models import (
    DEFAULT_LOW_BALANCE,
    DEFAULT_REFILL,
    CreditAccount,
    CreditTransaction,
    TransactionKind,
)
from folio.credits.repository import CreditRepository
from folio.credits.schemas import (
    BalanceRead,
    CreditSettingsUpdate,
    GrantCreate,
    Granularity,
    UsageBucket,
    UsageRead,
)
from folio.events.service import event as event_service
from folio.teams.repository import TeamRepository


class InsufficientCredits(Conflict):
    code = "INSUFFICIENT_CREDITS"
    title = "The team does not have enough credits"


def month_start(now: datetime) -> datetime:
    return now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def bucket_start(day: date, granularity: Granularity) -> date:
    if granularity is Granularity.week:
        return day - timedelta(days=day.weekday())
    if granularity is Granularity.month:
        return day.replace(day=1)
    return day


class CreditService:
    async def account(
        self, session: AsyncSession, runtime: Runtime, team_id: str, *, for_update: bool = False
    ) -> CreditAccount:
        """The team's account, opened with the welcome credits on its first use (once, when
        several processes open it at the same time)."""
        repository = CreditRepository.from_session(session)
        account = await repository.account(team_id, for_update=for_update)
        if account is not None:
            return account
        opened = await repository.open(team_id)
        account = await repository.account(team_id, for_update=for_update)
        if account is None:  # the team was deleted meanwhile
            raise NotFound(f"No team {team_id}.")
        initial = runtime.settings.credits_initial_grant
        if opened and initial:
            await self._record(session, account, TransactionKind.grant, initial, "welcome credits")
        return account

    async def peek(self, session: AsyncSession, runtime: Runtime, team_id: str) -> CreditAccount:
        """For reads: an account not opened yet shows what opening it will give."""
        account = await CreditRepository.from_session(session).account(team_id)
        if account is None:
            account = CreditAccount(
                team_id=team_id,
                balance=runtime.settings.credits_initial_grant,
                low_balance_threshold=DEFAULT_LOW_BALANCE,
                auto_refill_enabled=False,
                refill_threshold=DEFAULT_LOW_BALANCE,
                refill_amount=DEFAULT_REFILL,
                monthly_limit=None,
            )
        return account

    async def _record(
        self,
        session: AsyncSession,
        account: CreditAccount,
        kind: TransactionKind,
        amount: int,
        description: str | None,
        *,
        job_id: str | None = None,
        chunk_id: str | None = None,
        created_by: str | None = None,
    ) -> CreditTransaction:
        """Changes the balance in the database (a debit only if the balance covers it, else
        :class:`InsufficientCredits`) and records the transaction with the balance after."""
        repository = CreditRepository.from_session(session)
        if amount and not await repository.add_to_balance(account, amount):
            raise InsufficientCredits(
                f"The team has {account.balance} credit(s); {-amount} are needed."
            )
        row = CreditTransaction(
            id=new_id(IdPrefix.credit_transaction),
            team_id=account.team_id,
            kind=kind,
            amount=amount,
            balance_after=account.balance,
            job_id=job_id,
            chunk_id=chunk_id,
            description=description,
            created_by=created_by,
        )
        repository.add(row)
        return row

    async def available(self, session: AsyncSession, runtime: Runtime, team_id: str) -> int:
        """What the team can spend now. Locks the team's account (opening it on first use)
        to the end of the transaction, so call it in the transaction that charges: no other
        process spends between this read and :meth:`charge` (a row lock on PostgreSQL;
        SQLite write transactions are exclusive anyway). Lock order: project, job, chunk,
        credit account."""
        account = await self.account(session, runtime, team_id, for_update=True)
        if account.monthly_limit is None:
            return account.balance
        used = await CreditRepository.from_session(session).used_since(
            team_id, month_start(utcnow())
        )
        return max(0, min(account.balance, account.monthly_limit - used))

    async def charge(
        self,
        session: AsyncSession,
        runtime: Runtime,
        team_id: str,
        amount: int,
        *,
        job_id: str,
        chunk_id: str,
    ) -> None:
        """Takes ``amount`` credits (the caller checked :meth:`available` in this transaction)
        and announces the thresholds this charge crosses. The debit is one conditional UPDATE:
        the balance never goes below zero; a charge it does not cover raises
        :class:`InsufficientCredits` and changes nothing."""
        if amount <= 0:
            return
        account = await self.account(session, runtime, team_id, for_update=True)
        before = account.balance
        await self._record(
            session,
            account,
            TransactionKind.usage,
            -amount,
            f"{amount} accepted image(s)",
            job_id=job_id,
            chunk_id=chunk_id,
        )
        await self._announce(session, runtime, account, before)

    async def _announce(
        self, session: AsyncSession, runtime: Runtime, account: CreditAccount, before: int
    ) -> None:
        after = account.balance
        data = {"balance": after, "threshold": account.low_balance_threshold}
        if after < account.low_balance_threshold <= before:
            await self._emit(session, runtime, account.team_id, "credits.low", data)
        if after <= 0 < before:
            await self._emit(session, runtime, account.team_id, "credits.depleted", data)
        if account.auto_refill_enabled and after < account.refill_threshold <= before:
            await self._record(
                session,
                account,
                TransactionKind.refill_request,
                0,
                f"auto-refill of {account.refill_amount} credits requested from an admin",
            )

    async def _emit(
        self, session: AsyncSession, runtime: Runtime, team_id: str, kind: str, data: dict
    ) -> None:
        await event_service.emit(session, runtime, Event(type=kind, team_id=team_id, data=data))

    async def refund_chunk(
        self, session: AsyncSession, runtime: Runtime, team_id: str, job_id: str, chunk_id: str
    ) -> int:
        owed = await CreditRepository.from_session(session).charged_for_chunk(chunk_id)
        if owed > 0:
            account = await self.account(session, runtime, team_id, for_update=True)
            await self._record(
                session,
                account,
                TransactionKind.refund,
                owed,
                "refund for a failed chunk",
                job_id=job_id,
                chunk_id=chunk_id,
            )
        return owed

    async def balance(
        self, session: AsyncSession, principal: Principal, runtime: Runtime
    ) -> BalanceRead:
        account = await self.peek(session, runtime, principal.team_id)
        used = await CreditRepository.from_session(session).used_since(
            principal.team_id, month_start(utcnow())
        )
        return BalanceRead(
            team_id=account.team_id,
            current_balance=account.balance,
            monthly_usage=used,
            monthly_limit=account.monthly_limit,
            low_balance_threshold=account.low_balance_threshold,
            auto_refill_enabled=account.auto_refill_enabled,
            refill_threshold=account.refill_threshold,
            refill_amount=account.refill_amount,
        )

    async def update_settings(
        self,
        session: AsyncSession,
        principal: Principal,
        runtime: Runtime,
        data: CreditSettingsUpdate,
    ) -> BalanceRead:
        account = await self.account(session, runtime, principal.team_id, for_update=True)
        changes = data.model_dump(exclude_unset=True)
        for field in ("low_balance_threshold", "auto_refill_enabled", "refill_threshold"):
            if changes.get(field) is not None:
                setattr(account, field, changes[field])
        if changes.get("refill_amount") is not None:
            account.refill_amount = changes["refill_amount"]
        if "monthly_limit" in changes:
            account.monthly_limit = changes["monthly_limit"]
        await session.flush()
        return await self.balance(session, principal, runtime)

    async def grant(
        self, session: AsyncSession, principal: Principal, runtime: Runtime, data: GrantCreate
    ) -> CreditTransaction:
        if await TeamRepository.from_session(session).get_unscoped(data.team_id) is None:
            raise NotFound(f"No team {data.team_id}.")
        account = await self.account(session, runtime, data.team_id, for_update=True)
        granted = await self._record(
            session,
            account,
            TransactionKind.grant,
            data.amount,
            data.description or "granted by an administrator",
            created_by=principal.user_id,
        )
        await session.flush()
        return granted

    async def transactions(
        self,
        session: AsyncSession,
        principal: Principal,
        runtime: Runtime,
        page: PageParams,
        *,
        kind: TransactionKind | None,
        start: date | None,
        end: date | None,
    ) -> Page[CreditTransaction]:
        rows = await CreditRepository.from_session(session).list_page(
            principal,
            limit=page.limit,
            before=page.after,
            kind=kind,
            start=_midnight(start) if start else None,
            end=_midnight(end + timedelta(days=1)) if end else None,
        )
        return Page.from_rows(rows, page.limit, cursor=lambda row: row.id)

    async def usage(
        self,
        session: AsyncSession,
        principal: Principal,
        *,
        granularity: Granularity,
        start: date | None,
        end: date | None,
    ) -> UsageRead:
        end = end or utcnow().date()
        start = start or end - timedelta(days=29)
        if start > end:
            raise ValidationFailed([FieldError("start_date", "invalid", "after end_date")])
        rows = await CreditRepository.from_session(session).usage_rows(
            principal, _midnight(start), _midnight(end + timedelta(days=1))
        )
        buckets: dict[date, int] = {}
        day = start
        while day <= end:
            buckets.setdefault(bucket_start(day, granularity), 0)
            day += timedelta(days=1)
        for created_at, amount in rows:
            key = bucket_start(created_at.astimezone(UTC).date(), granularity)
            buckets[key] = buckets.get(key, 0) - amount
        return UsageRead(
            granularity=granularity,
            start_date=start,
            end_date=end,
            total=sum(buckets.values()),
            buckets=[UsageBucket(start=k, credits_used=v) for k, v in sorted(buckets.items())],
        )


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


credit = CreditService()
