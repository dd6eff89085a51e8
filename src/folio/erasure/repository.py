from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import String, cast, func, or_, select

from folio.core.principal import Principal
from folio.core.repository import TeamScopedRepository
from folio.documents.models import Document, DocumentPage
from folio.erasure.models import ErasureRequest


class ErasureRepository(TeamScopedRepository[ErasureRequest]):
    model = ErasureRequest

    async def list_page(
        self, principal: Principal, *, limit: int, before: str | None
    ) -> Sequence[ErasureRequest]:
        return await self.page_before(self.readable(principal), limit=limit, before=before)

    async def candidates(self, team_id: str, needles: Sequence[str]) -> Sequence[Document]:
        """Documents of ``team_id`` whose name, stored text or analysis contains one of
        ``needles`` (case-insensitive): the ones worth a closer look."""
        page_hits = select(DocumentPage.document_id).where(
            DocumentPage.team_id == team_id,
            or_(*(func.lower(DocumentPage.text).contains(n.lower()) for n in needles)),
        )
        statement = select(Document).where(
            Document.team_id == team_id,
            or_(
                Document.id.in_(page_hits),
                *(
                    func.lower(cast(Document.intelligence, String)).contains(n.lower())
                    for n in needles
                ),
                *(func.lower(Document.filename).contains(n.lower()) for n in needles),
            ),
        )
        return (await self.session.scalars(statement.order_by(Document.id))).all()
