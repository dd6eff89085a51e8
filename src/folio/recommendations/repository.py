from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from folio.core.principal import Principal
from folio.recommendations.models import ActionStatus, DocumentRecommendation, RecommendationAction


class RecommendationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @classmethod
    def from_session(cls, session: AsyncSession) -> RecommendationRepository:
        return cls(session)

    def readable(self, principal: Principal) -> Select[DocumentRecommendation]:
        return select(DocumentRecommendation).where(
            DocumentRecommendation.team_id.in_(principal.team_ids)
        )

    def readable_actions(self, principal: Principal) -> Select[RecommendationAction]:
        return select(RecommendationAction).where(
            RecommendationAction.team_id.in_(principal.team_ids)
        )

    async def get(
        self, principal: Principal, recommendation_id: str
    ) -> DocumentRecommendation | None:
        return await self.session.scalar(
            self.readable(principal).where(DocumentRecommendation.id == recommendation_id)
        )

    async def existing_ids(self, ids: Sequence[str]) -> set[str]:
        """Which of these derived ids are stored (ids embed their document: no team needed)."""
        rows = await self.session.scalars(
            select(DocumentRecommendation.id).where(DocumentRecommendation.id.in_(ids))
        )
        return set(rows)

    async def for_document(
        self,
        principal: Principal,
        document_id: str,
        version: int,
        *,
        limit: int,
        after: str | None,
    ) -> Sequence[DocumentRecommendation]:
        statement = (
            self.readable(principal)
            .where(
                DocumentRecommendation.document_id == document_id,
                DocumentRecommendation.version == version,
            )
            .order_by(DocumentRecommendation.id)
            .limit(limit + 1)
        )
        if after is not None:
            statement = statement.where(DocumentRecommendation.id > after)
        return (await self.session.scalars(statement)).all()

    async def latest_actions(
        self, principal: Principal, recommendation_ids: Sequence[str]
    ) -> dict[str, RecommendationAction]:
        statement = (
            self.readable_actions(principal)
            .where(RecommendationAction.recommendation_id.in_(recommendation_ids))
            .order_by(RecommendationAction.id)
        )
        return {a.recommendation_id: a for a in await self.session.scalars(statement)}

    async def pending_action(self, recommendation_id: str) -> RecommendationAction | None:
        return await self.session.scalar(
            select(RecommendationAction).where(
                RecommendationAction.recommendation_id == recommendation_id,
                RecommendationAction.status == ActionStatus.pending_review,
            )
        )

    async def get_action(self, principal: Principal, action_id: str) -> RecommendationAction | None:
        return await self.session.scalar(
            self.readable_actions(principal).where(RecommendationAction.id == action_id)
        )

    async def list_actions(
        self,
        principal: Principal,
        *,
        status: ActionStatus | None,
        document_id: str | None,
        limit: int,
        before: str | None,
    ) -> Sequence[RecommendationAction]:
        statement = (
            self.readable_actions(principal)
            .order_by(RecommendationAction.id.desc())
            .limit(limit + 1)
        )
        if before is not None:
            statement = statement.where(RecommendationAction.id < before)
        if status is not None:
            statement = statement.where(RecommendationAction.status == status)
        if document_id is not None:
            statement = statement.where(RecommendationAction.document_id == document_id)
        return (await self.session.scalars(statement)).all()

    async def add(self, row: DocumentRecommendation | RecommendationAction) -> None:
        self.session.add(row)
        await self.session.flush()

    async def add_all(self, rows: Sequence[DocumentRecommendation]) -> None:
        self.session.add_all(rows)
        await self.session.flush()
