from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete

from folio.core.principal import Principal
from folio.core.repository import TeamScopedRepository
from folio.redactions.models import Redaction


class RedactionRepository(TeamScopedRepository[Redaction]):
    model = Redaction

    async def list_for_document(
        self, principal: Principal, document_id: str, *, limit: int, before: str | None
    ) -> Sequence[Redaction]:
        statement = self.readable(principal).where(Redaction.document_id == document_id)
        return await self.page_before(statement, limit=limit, before=before)

    async def add(self, redaction: Redaction) -> Redaction:
        return await self.create(redaction, flush=True)

    async def delete_for_document(self, document_id: str) -> None:
        """A document's redacted copies (their files go with the document's folder)."""
        await self.session.execute(delete(Redaction).where(Redaction.document_id == document_id))
