"""classify and move_to_batch: the team's trained classifier applied to the document (a
person's label still wins, as after processing), and the document filed under a batch
(Folio has batches; crawl projects are not folders)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field
from sqlalchemy.ext.asyncio import AsyncSession

from folio.automations.actions.acting import acting_for, require_processed, unknown
from folio.automations.actions.base import Action, ActionContext, ActionFailed
from folio.batches.repository import BatchRepository
from folio.batches.service import batch as batch_service
from folio.classifiers.repository import ClassifierRepository
from folio.classifiers.service import classifier as classifier_service
from folio.core.errors import FieldError


class Classify(Action):
    kind: Literal["classify"]

    async def check(self, session: AsyncSession, team_id: str, path: str) -> list[FieldError]:
        if await ClassifierRepository.from_session(session).active_for_team(team_id) is None:
            return unknown(
                f"{path}.kind", "no_model", "The team has no trained classifier: train one first."
            )
        return []

    def preview(self) -> str:
        return "classify with the team's classifier"

    async def run(self, context: ActionContext) -> dict[str, Any]:
        document = context.document
        assert document is not None
        require_processed(document)
        if document.intelligence is None:
            return {"skipped": "the document was processed without analysis"}
        model = await ClassifierRepository.from_session(context.session).active_for_team(
            context.team_id
        )
        if model is None:
            raise ActionFailed("the team has no active classifier any more")
        before = document.document_type
        await classifier_service.apply_to_document(context.session, context.runtime, document)
        classification = (document.intelligence or {}).get("classification") or {}
        return {
            "document_type": document.document_type,
            "previous_type": before,
            "confidence": classification.get("confidence"),
            "method": classification.get("method"),
        }


class MoveToBatch(Action):
    kind: Literal["move_to_batch"]
    batch_id: str = Field(min_length=1, max_length=40, description="A batch of the team")

    async def check(self, session: AsyncSession, team_id: str, path: str) -> list[FieldError]:
        found = await BatchRepository.from_session(session).get(acting_for(team_id), self.batch_id)
        if found is None:
            return unknown(f"{path}.batch_id", "unknown_batch", f"No batch {self.batch_id}.")
        return []

    def preview(self) -> str:
        return f"move to batch {self.batch_id}"

    async def run(self, context: ActionContext) -> dict[str, Any]:
        document = context.document
        assert document is not None
        repository = BatchRepository.from_session(context.session)
        target = await repository.get(acting_for(context.team_id), self.batch_id)
        if target is None:
            raise ActionFailed(f"the batch {self.batch_id} no longer exists")
        left = await batch_service.move_document(context.session, context.runtime, document, target)
        return {"batch_id": target.id, "left_batch_id": left}
