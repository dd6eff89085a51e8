"""Queries on retention policies, legal holds and the purge log, always within a team."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from folio.core.principal import Principal
from folio.core.repository import TeamScopedRepository
from folio.documents.models import Document, DocumentStatus
from folio.retention.models import LegalHold, PurgeRecord, RetentionPolicy, RetentionTarget

PURGE_BATCH = 200


class PolicyRepository(TeamScopedRepository[RetentionPolicy]):
    model = RetentionPolicy

    async def of_team(self, team_id: str) -> Sequence[RetentionPolicy]:
        return await self.get_all(self.owned_by(team_id).order_by(RetentionPolicy.id))

    async def team_ids_with_policies(self) -> Sequence[str]:
        """Every team that has a policy: the periodic purge acts for the system."""
        statement = select(RetentionPolicy.team_id).distinct()
        return (await self.session.scalars(statement)).all()

    async def team_ids_with_expiring(self, now: datetime) -> Sequence[str]:
        """Every team with a document whose ``delete_after`` has passed."""
        statement = select(Document.team_id).where(Document.delete_after <= now).distinct()
        return (await self.session.scalars(statement)).all()

    async def expired_documents(
        self, team_id: str, now: datetime, after_id: str | None
    ) -> Sequence[Document]:
        """The team's settled documents whose ``delete_after`` has passed, in id order."""
        statement = select(Document).where(
            Document.team_id == team_id,
            Document.delete_after <= now,
            Document.status.in_(
                (DocumentStatus.completed, DocumentStatus.failed, DocumentStatus.cancelled)
            ),
        )
        if after_id is not None:
            statement = statement.where(Document.id > after_id)
        return await self.get_all(statement.order_by(Document.id).limit(PURGE_BATCH))

    async def due_documents(
        self, policy: RetentionPolicy, before: datetime, after_id: str | None
    ) -> Sequence[Document]:
        """Documents of the policy's team whose processing ended before ``before`` and that
        still hold what the policy removes, ``PURGE_BATCH`` at a time in id order."""
        statement = select(Document).where(
            Document.team_id == policy.team_id,
            Document.status.in_(
                (DocumentStatus.completed, DocumentStatus.failed, DocumentStatus.cancelled)
            ),
            Document.completed_at < before,
        )
        if policy.document_type is not None:
            statement = statement.where(Document.document_type == policy.document_type)
        if policy.target is RetentionTarget.originals:
            statement = statement.where(Document.original_deleted_at.is_(None))
        elif policy.target is RetentionTarget.results:
            statement = statement.where(Document.results_deleted_at.is_(None), Document.version > 0)
        if after_id is not None:
            statement = statement.where(Document.id > after_id)
        return await self.get_all(statement.order_by(Document.id).limit(PURGE_BATCH))


class HoldRepository(TeamScopedRepository[LegalHold]):
    model = LegalHold

    async def list_page(
        self, principal: Principal, *, active_only: bool, limit: int, after: str | None
    ) -> Sequence[LegalHold]:
        statement = self.readable(principal)
        if active_only:
            statement = statement.where(LegalHold.released_at.is_(None))
        return await self.page_after(statement, limit=limit, after=after)

    async def team_is_held(self, team_id: str) -> bool:
        statement = select(LegalHold.id).where(
            LegalHold.team_id == team_id, LegalHold.released_at.is_(None)
        )
        return await self.session.scalar(statement.limit(1)) is not None

    async def holding(self, documents: Sequence[Document]) -> dict[str, LegalHold]:
        """The active hold on each held document of ``documents`` (by its id or its batch)."""
        if not documents:
            return {}
        team_ids = {document.team_id for document in documents}
        ids = [document.id for document in documents]
        batches = [document.batch_id for document in documents if document.batch_id]
        statement = (
            select(LegalHold)
            .where(
                LegalHold.team_id.in_(team_ids),
                LegalHold.released_at.is_(None),
                or_(LegalHold.document_id.in_(ids), LegalHold.batch_id.in_(batches)),
            )
            .order_by(LegalHold.id)
        )
        holds = await self.get_all(statement)
        found: dict[str, LegalHold] = {}
        for document in documents:
            for hold in holds:
                if hold.team_id == document.team_id and (
                    hold.document_id == document.id
                    or (hold.batch_id is not None and hold.batch_id == document.batch_id)
                ):
                    found[document.id] = hold
                    break
        return found


class PurgeLogRepository(TeamScopedRepository[PurgeRecord]):
    model = PurgeRecord

    async def list_page(
        self, principal: Principal, *, limit: int, before: str | None
    ) -> Sequence[PurgeRecord]:
        return await self.page_before(self.readable(principal), limit=limit, before=before)


def repositories(
    session: AsyncSession,
) -> tuple[PolicyRepository, HoldRepository, PurgeLogRepository]:
    return (
        PolicyRepository.from_session(session),
        HoldRepository.from_session(session),
        PurgeLogRepository.from_session(session),
    )
