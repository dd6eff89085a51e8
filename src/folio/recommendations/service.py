"""Recommendations of a document's analysis, and the actions that implement them after review.

A recommendation's id is derived from its document, results version and code, so the same
recommendation keeps its id however often it is listed; it is stored the first time it is
recorded (after processing) or listed.
"""

from __future__ import annotations

import base64
import hashlib

from sqlalchemy.ext.asyncio import AsyncSession

from folio.core.db import utcnow
from folio.core.errors import Conflict, NotFound, UnprocessableDocument
from folio.core.ids import IdPrefix, new_id
from folio.core.pagination import Page, PageParams
from folio.core.principal import Principal
from folio.core.runtime import Runtime
from folio.documents.models import Document
from folio.documents.service import document as document_service
from folio.pipeline.intelligence import PII_TYPES, Intelligence
from folio.recommendations.models import (
    ActionKind,
    ActionStatus,
    DocumentRecommendation,
    RecommendationAction,
)
from folio.recommendations.repository import RecommendationRepository
from folio.recommendations.schemas import (
    ActionRead,
    ImplementRequest,
    RecommendationRead,
    ReviewRequest,
)
from folio.redactions.schemas import RedactionCreate
from folio.redactions.service import REDACTABLE_KINDS, check_entity_types
from folio.redactions.service import redaction as redaction_service

# what to redact when a recommendation names no entity types
DEFAULT_REDACTION_TYPES = {
    "REMOVE_CARD_DATA": ["credit_card"],
    "RESTRICT_PHI_ACCESS": sorted(PII_TYPES),
}


def recommendation_id(document_id: str, version: int, code: str) -> str:
    digest = hashlib.sha256(f"{document_id}:{version}:{code}".encode()).digest()
    return f"{IdPrefix.recommendation}_{base64.b32encode(digest).decode().lower()[:26]}"


class RecommendationService:
    async def materialize(self, session: AsyncSession, document: Document) -> None:
        """Stores the recommendations of the document's current results (idempotent)."""
        if not document.intelligence or not document.version:
            return
        recommendations = Intelligence.model_validate(document.intelligence).recommendations
        rows = [
            DocumentRecommendation(
                id=recommendation_id(document.id, document.version, rec.code),
                team_id=document.team_id,
                document_id=document.id,
                version=document.version,
                position=position,
                code=rec.code,
                title=rec.title,
                description=rec.description,
                priority=rec.priority,
                steps=rec.steps,
                action=rec.action,
                entity_types=rec.entity_types,
            )
            for position, rec in enumerate(recommendations)
        ]
        repository = RecommendationRepository.from_session(session)
        stored = await repository.existing_ids([row.id for row in rows])
        await repository.add_all([row for row in rows if row.id not in stored])

    async def list_for_document(
        self, session: AsyncSession, principal: Principal, document_id: str, page: PageParams
    ) -> Page[RecommendationRead]:
        document = await document_service.get(session, principal, document_id)
        await self.materialize(session, document)
        repository = RecommendationRepository.from_session(session)
        rows = await repository.for_document(
            principal, document.id, document.version, limit=page.limit, after=page.after
        )
        actions = await repository.latest_actions(principal, [row.id for row in rows])
        items = []
        for row in rows:
            item = RecommendationRead.model_validate(row)
            if row.id in actions:
                item.status, item.action_id = actions[row.id].status, actions[row.id].id
            items.append(item)
        return Page[RecommendationRead].from_rows(items, page.limit, cursor=lambda r: r.id)

    async def implement(
        self,
        session: AsyncSession,
        principal: Principal,
        recommendation_id: str,
        data: ImplementRequest,
    ) -> RecommendationAction:
        repository = RecommendationRepository.from_session(session)
        recommendation = await repository.get(principal, recommendation_id)
        if recommendation is None:
            raise NotFound(f"No recommendation {recommendation_id}.")
        pending = await repository.pending_action(recommendation.id)
        if pending is not None:
            raise Conflict(
                f"Action {pending.id} for this recommendation awaits review.", action_id=pending.id
            )
        kind = (
            ActionKind.redaction if recommendation.action == "redaction_job" else ActionKind.review
        )
        parameters = {}
        if kind == ActionKind.redaction:
            parameters = await self._redaction_parameters(session, principal, recommendation, data)
        action = RecommendationAction(
            id=new_id(IdPrefix.action),
            team_id=recommendation.team_id,
            recommendation_id=recommendation.id,
            document_id=recommendation.document_id,
            kind=kind,
            status=ActionStatus.pending_review,
            parameters=parameters,
            note=data.note,
            result={},
            requested_by=principal.user_id,
        )
        await repository.add(action)
        return action

    async def _redaction_parameters(
        self,
        session: AsyncSession,
        principal: Principal,
        recommendation: DocumentRecommendation,
        data: ImplementRequest,
    ) -> dict[str, list[str]]:
        document = await document_service.get(session, principal, recommendation.document_id)
        if document.kind not in REDACTABLE_KINDS:
            raise UnprocessableDocument(
                f"A {document.kind} document cannot be redacted into a PDF; use its "
                "anonymised text (GET /api/v1/documents/{id}/anonymized-text).",
                reason="REDACTION_UNSUPPORTED_KIND",
            )
        types = (
            data.entity_types
            or recommendation.entity_types
            or DEFAULT_REDACTION_TYPES.get(recommendation.code, sorted(PII_TYPES))
        )
        check_entity_types(types)
        return {"entity_types": sorted(set(types))}

    async def get_action(
        self, session: AsyncSession, principal: Principal, action_id: str
    ) -> RecommendationAction:
        action = await RecommendationRepository.from_session(session).get_action(
            principal, action_id
        )
        if action is None:
            raise NotFound(f"No action {action_id}.")
        return action

    async def list_actions(
        self,
        session: AsyncSession,
        principal: Principal,
        page: PageParams,
        *,
        status: ActionStatus | None,
        document_id: str | None,
    ) -> Page[ActionRead]:
        rows = await RecommendationRepository.from_session(session).list_actions(
            principal, status=status, document_id=document_id, limit=page.limit, before=page.after
        )
        return Page[ActionRead].from_rows(rows, page.limit, cursor=lambda a: a.id)

    async def approve(
        self,
        session: AsyncSession,
        principal: Principal,
        runtime: Runtime,
        action_id: str,
        data: ReviewRequest,
    ) -> RecommendationAction:
        """Runs the action: a redaction is written now; a review is recorded as done."""
        action = await self._pending(session, principal, action_id)
        if action.kind == ActionKind.redaction:
            created = await redaction_service.create(
                session,
                principal,
                runtime,
                action.document_id,
                RedactionCreate(entity_types=action.parameters["entity_types"]),
            )
            action.result = {
                "redaction_id": created.id,
                "file_url": f"/api/v1/redactions/{created.id}/file",
            }
        self._reviewed(action, principal, ActionStatus.completed, data)
        await session.flush()
        return action

    async def reject(
        self, session: AsyncSession, principal: Principal, action_id: str, data: ReviewRequest
    ) -> RecommendationAction:
        action = await self._pending(session, principal, action_id)
        self._reviewed(action, principal, ActionStatus.rejected, data)
        await session.flush()
        return action

    async def _pending(
        self, session: AsyncSession, principal: Principal, action_id: str
    ) -> RecommendationAction:
        action = await self.get_action(session, principal, action_id)
        if action.status != ActionStatus.pending_review:
            raise Conflict(f"Action {action.id} is already {action.status}.")
        return action

    def _reviewed(
        self,
        action: RecommendationAction,
        principal: Principal,
        status: ActionStatus,
        data: ReviewRequest,
    ) -> None:
        action.status, action.review_note = status, data.note
        action.reviewed_by, action.reviewed_at = principal.user_id, utcnow()


recommendation = RecommendationService()
