"""redact and share: a redacted copy of the document (``POST /documents/{id}/redactions``)
and a share with one member of the team (``POST /documents/{id}/shares``, kind member)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any, Literal

from pydantic import Field
from sqlalchemy.ext.asyncio import AsyncSession

from folio.automations.actions.acting import acting_for, require_processed, unknown
from folio.automations.actions.base import Action, ActionContext
from folio.core.db import utcnow
from folio.core.errors import FieldError, UnprocessableDocument, ValidationFailed
from folio.core.permissions import Permission
from folio.redactions.schemas import RedactionCreate
from folio.redactions.service import check_entity_types
from folio.redactions.service import redaction as redaction_service
from folio.shares.repository import ShareRepository
from folio.shares.schemas import ShareCreate, ShareKind
from folio.shares.service import share as share_service
from folio.teams.access import member_permissions


class Redact(Action):
    kind: Literal["redact"]
    entity_types: list[Annotated[str, Field(max_length=50)]] = Field(min_length=1, max_length=50)
    min_confidence: float = Field(default=0.0, ge=0, le=1)

    async def check(self, session: AsyncSession, team_id: str, path: str) -> list[FieldError]:
        try:
            check_entity_types(self.entity_types, f"{path}.entity_types")
        except ValidationFailed as failed:
            return failed.errors
        return []

    def preview(self) -> str:
        return f"redact {', '.join(self.entity_types)}"

    async def run(self, context: ActionContext) -> dict[str, Any]:
        document = context.document
        assert document is not None
        require_processed(document)
        wanted = RedactionCreate(entity_types=self.entity_types, min_confidence=self.min_confidence)
        actor = acting_for(context.team_id, Permission.documents_read)
        try:
            made = await redaction_service.create(
                context.session, actor, context.runtime, document.id, wanted
            )
        except UnprocessableDocument as refused:  # a text or office file: no PDF to burn
            return {"skipped": refused.detail}
        return {"redaction_id": made.id, "entities": made.entity_count, "boxes": made.box_count}


class Share(Action):
    kind: Literal["share"]
    user_id: str = Field(min_length=1, max_length=40, description="A member of the team")
    days: int = Field(default=7, ge=1, le=365, description="How long the member may read it")

    async def check(self, session: AsyncSession, team_id: str, path: str) -> list[FieldError]:
        if await member_permissions(session, team_id, self.user_id) is None:
            return unknown(f"{path}.user_id", "not_a_member", f"No member {self.user_id}.")
        return []

    def preview(self) -> str:
        return f"share with member {self.user_id} for {self.days} days"

    async def run(self, context: ActionContext) -> dict[str, Any]:
        document = context.document
        assert document is not None
        shares = ShareRepository.from_session(context.session)
        existing = await shares.live_member_share(document.id, self.user_id, utcnow())
        if existing is not None:  # another event re-ran the rule: one share is enough
            return {"share_id": existing, "already_shared": True}
        created = await share_service.create(
            context.session,
            acting_for(context.team_id, Permission.documents_read),
            context.runtime,
            document.id,
            ShareCreate(
                kind=ShareKind.member,
                user_id=self.user_id,
                expires_at=utcnow() + self._lifetime(context),
            ),
        )
        return {"share_id": created.id, "expires_at": created.expires_at.isoformat()}

    def _lifetime(self, context: ActionContext) -> timedelta:
        """``days``, but never longer than a share may live (FOLIO_SHARE_LINK_MAX_TTL_S)."""
        longest = timedelta(seconds=context.runtime.settings.share_link_max_ttl_s)
        return min(timedelta(days=self.days), longest)
