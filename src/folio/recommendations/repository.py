from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Select, select

from folio.core.principal import Principal
from folio.core.repository import TeamScopedRepository, team_scoped
from folio.recommendations.models import ActionStatus, DocumentRecommendation, RecommendationAction


class RecommendationRepository(TeamScopedRepository[DocumentRecommendation]):
    model = DocumentRecommendation

    def readable_actions(self, principal: Principal) -> Select[RecommendationAction]:
        return team_scoped(RecommendationAction, principal.team_ids)

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
        statement = self.readable(principal).where(
            DocumentRecommendation.document_id == document_id,
            DocumentRecommendation.version == version,
        )
        return await self.page_after(statement, limit=limit, after=after)

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
        statement = self.readable_actions(principal)
        if status is not None:
            statement = statement.where(RecommendationAction.status == status)
        if document_id is not None:
            statement = statement.where(RecommendationAction.document_id == document_id)
        return await self.page_before(
            statement, limit=limit, before=before, column=RecommendationAction.id
        )

    async def add(self, row: DocumentRecommendation | RecommendationAction) -> None:
        self.session.add(row)
        await self.session.flush()

    async def add_all(self, rows: Sequence[DocumentRecommendation]) -> None:
        self.session.add_all(rows)
        await self.session.flush()
