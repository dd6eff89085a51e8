"""Quotas (current usage, the upload check) and the API-key usage figures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from folio.config import Settings
from folio.core.errors import FieldError, ValidationFailed
from folio.core.principal import Principal
from folio.usage.quotas import (
    Period,
    Quota,
    QuotaExceeded,
    current_period,
    plan_quotas,
    quota_limit,
)
from folio.usage.repository import UsageRepository
from folio.usage.schemas import CurrentUsage, DailyUsage, EndpointCount, KeyUsage, QuotaUsage

MAX_RANGE_DAYS = 366
TOP_ENDPOINTS = 10


def quota_usage(used: int, limit: int | None) -> QuotaUsage:
    remaining = None if limit is None else max(0, limit - used)
    return QuotaUsage(used=used, limit=limit, remaining=remaining)


@dataclass
class UploadAllowance:
    """A team's quota room at the start of an upload request; :meth:`admit` counts each
    accepted file in memory, so a batch's cumulative bytes and documents are checked."""

    team_id: str
    period: Period
    stored_bytes: int
    storage_limit: int | None
    documents: int
    documents_limit: int | None
    admitted: int = 0

    def admit(self, size_bytes: int) -> None:
        """Raises :class:`QuotaExceeded` if a file of ``size_bytes`` does not fit."""
        if self.storage_limit is not None and self.stored_bytes + size_bytes > self.storage_limit:
            raise QuotaExceeded(
                Quota.storage_bytes,
                used=self.stored_bytes,
                limit=self.storage_limit,
                resets_at=None,
                detail=(
                    f"The team stores {self.stored_bytes} of {self.storage_limit} bytes; this "
                    f"file ({size_bytes} bytes) does not fit. Delete documents or change plan."
                ),
            )
        if self.documents_limit is not None and self.documents >= self.documents_limit:
            raise QuotaExceeded(
                Quota.documents_processed,
                used=self.documents,
                limit=self.documents_limit,
                resets_at=self.period.resets_at,
                detail=(
                    f"The team has processed its {self.documents_limit} documents this month; "
                    f"the quota resets at {self.period.resets_at.isoformat()}."
                ),
            )
        self.stored_bytes += size_bytes
        self.documents += 1
        self.admitted += 1


class UsageService:
    async def current(
        self,
        session: AsyncSession,
        principal: Principal,
        settings: Settings,
        *,
        unflushed_api_calls: int = 0,
    ) -> CurrentUsage:
        """The acting team's usage this calendar month against its plan's quotas."""
        period = current_period()
        repository = UsageRepository.from_session(session)
        limits = plan_quotas(settings, principal.plan, principal.quota_overrides)
        api_calls = unflushed_api_calls + await repository.team_api_calls(
            principal.team_id, period.start, period.end
        )
        documents = await repository.documents_processed(principal, period.start)
        storage = await repository.storage_bytes(principal)
        return CurrentUsage(
            team_id=principal.team_id,
            plan=principal.plan,
            period_start=period.starts_at,
            resets_at=period.resets_at,
            api_calls=quota_usage(api_calls, limits[Quota.api_calls]),
            documents_processed=quota_usage(documents, limits[Quota.documents_processed]),
            storage_bytes=quota_usage(storage, limits[Quota.storage_bytes]),
        )

    async def check_upload(
        self, session: AsyncSession, principal: Principal, settings: Settings, *, size_bytes: int
    ) -> None:
        """Call inside the upload's unit of work, once per accepted document and before it is
        added: raises :class:`QuotaExceeded` when the team's storage or monthly documents quota
        would be passed. Counts the document for the month; a rollback undoes the count."""
        allowance = await self.upload_allowance(session, principal, settings)
        allowance.admit(size_bytes)
        await self.count_uploads(session, allowance)

    async def upload_allowance(
        self, session: AsyncSession, principal: Principal, settings: Settings
    ) -> UploadAllowance:
        """The team's room for uploads, read once per request (a batch admits many files in
        memory). Reads the month's counter through an upsert, so on PostgreSQL concurrent
        uploads of the team wait for this unit of work instead of both passing the check."""
        period = current_period()
        repository = UsageRepository.from_session(session)
        storage_limit = quota_limit(
            settings, principal.plan, Quota.storage_bytes, principal.quota_overrides
        )
        documents_limit = quota_limit(
            settings, principal.plan, Quota.documents_processed, principal.quota_overrides
        )
        documents = 0
        if documents_limit is not None:
            documents = await repository.increment_documents(principal.team_id, period.start, 0)
        stored = 0
        if storage_limit is not None:
            stored = await repository.storage_bytes(principal)
        return UploadAllowance(
            team_id=principal.team_id,
            period=period,
            stored_bytes=stored,
            storage_limit=storage_limit,
            documents=documents,
            documents_limit=documents_limit,
        )

    async def count_uploads(self, session: AsyncSession, allowance: UploadAllowance) -> None:
        """Adds the documents ``allowance`` admitted to the month's counter (same unit of work:
        a rollback undoes the count)."""
        if allowance.admitted:
            await UsageRepository.from_session(session).increment_documents(
                allowance.team_id, allowance.period.start, allowance.admitted
            )

    async def check_processing(
        self, session: AsyncSession, principal: Principal, settings: Settings
    ) -> None:
        """Zero-retention processing, before it starts: a read only (no write lock is held
        while the document is processed); raises :class:`QuotaExceeded` when the team has
        processed its monthly documents."""
        limit = quota_limit(
            settings, principal.plan, Quota.documents_processed, principal.quota_overrides
        )
        if limit is None:
            return
        period = current_period()
        used = await UsageRepository.from_session(session).documents_processed(
            principal, period.start
        )
        if used >= limit:
            raise self._documents_exceeded(used, limit, period)

    async def count_processed(
        self, session: AsyncSession, principal: Principal, settings: Settings
    ) -> None:
        """Counts one zero-retention document for the month. Past the quota (another request
        of the team counted in the meantime) it raises, and the rollback undoes the count."""
        period = current_period()
        used = await UsageRepository.from_session(session).increment_documents(
            principal.team_id, period.start, 1
        )
        limit = quota_limit(
            settings, principal.plan, Quota.documents_processed, principal.quota_overrides
        )
        if limit is not None and used > limit:
            raise self._documents_exceeded(used - 1, limit, period)

    @staticmethod
    def _documents_exceeded(used: int, limit: int, period: Period) -> QuotaExceeded:
        return QuotaExceeded(
            Quota.documents_processed,
            used=used,
            limit=limit,
            resets_at=period.resets_at,
            detail=(
                f"The team has processed its {limit} documents this month; "
                f"the quota resets at {period.resets_at.isoformat()}."
            ),
        )

    async def usage_for_key(
        self, session: AsyncSession, principal: Principal, key_id: str, start: date, end: date
    ) -> KeyUsage:
        """Requests, errors, average latency, top routes and a daily series (every day from
        ``start`` to ``end`` inclusive, zeros included) of one key, within the principal's
        teams; a key of another team yields zeros, so check the key exists first."""
        if end < start or (end - start).days >= MAX_RANGE_DAYS:
            raise ValidationFailed(
                [
                    FieldError(
                        "end",
                        "invalid_range",
                        f"end must be on or after start, at most {MAX_RANGE_DAYS} days later.",
                    )
                ]
            )
        repository = UsageRepository.from_session(session)
        requests, errors, latency = await repository.key_totals(principal, key_id, start, end)
        top = await repository.key_top_routes(principal, key_id, start, end, limit=TOP_ENDPOINTS)
        per_day = {
            day: (int(n), int(e))
            for day, n, e in await repository.key_daily(principal, key_id, start, end)
        }
        days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
        return KeyUsage(
            key_id=key_id,
            start=start,
            end=end,
            requests=requests,
            errors=errors,
            avg_response_time_ms=round(latency / requests, 1) if requests else None,
            top_endpoints=[
                EndpointCount(endpoint=f"{method} {route}", method=method, route=route, count=n)
                for method, route, n in top
            ],
            daily_usage=[
                DailyUsage(
                    date=day,
                    requests=per_day.get(day, (0, 0))[0],
                    errors=per_day.get(day, (0, 0))[1],
                )
                for day in days
            ],
        )


usage = UsageService()
