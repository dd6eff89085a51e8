"""classify (with the team's own trained model) and share_with_member: through the services
of folio.classifiers and folio.shares, acting for the rule's team."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field
from sqlalchemy.ext.asyncio import AsyncSession

from folio.automations.actions.base import Action, ActionContext
from folio.classifiers.service import classifier as classifier_service
from folio.core.errors import FieldError
from folio.core.permissions import Permission
from folio.core.principal import Principal
from folio.shares.schemas import ShareCreate, ShareKind
from folio.shares.service import share as share_service
from folio.teams.access import member_permissions


class Classify(Action):
    kind: Literal["classify"]

    def preview(self) -> str:
        return "classify with the team's model"

    async def run(self, context: ActionContext) -> dict[str, Any]:
        assert context.document is not None
        await classifier_service.apply_to_document(
            context.session, context.runtime, context.document
        )
        return {"document_type": context.document.document_type}


class ShareWithMember(Action):
    kind: Literal["share_with_member"]
    user_id: str = Field(max_length=40, description="An active member of the team")

    async def check(self, session: AsyncSession, team_id: str, path: str) -> list[FieldError]:
        if await member_permissions(session, team_id, self.user_id) is None:
            return [FieldError(f"{path}.user_id", "not_a_member", "Not a member of the team.")]
        return []

    def preview(self) -> str:
        return f"share with member {self.user_id}"

    async def run(self, context: ActionContext) -> dict[str, Any]:
        assert context.document is not None
        acting = Principal(
            team_id=context.team_id,
            team_ids=frozenset({context.team_id}),
            permissions=frozenset({Permission.documents_read}),
            user_id=context.acting_user_id,
        )
        created = await share_service.create(
            context.session,
            acting,
            context.runtime,
            context.document.id,
            ShareCreate(kind=ShareKind.member, user_id=self.user_id),
        )
        return {"share_id": created.id}
