from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import String, cast, func, or_, select

from folio.core.leases import LeaseQueue
from folio.core.principal import Principal
from folio.core.repository import TeamScopedRepository
from folio.documents.models import Document, DocumentPage
from folio.erasure.models import ErasureRequest, ErasureStatus

QUEUE = LeaseQueue(
    ErasureRequest,
    expires=ErasureRequest.lease_expires_at,
    owner=ErasureRequest.lease_owner,
    held=ErasureRequest.status == ErasureStatus.running,
    free=ErasureRequest.status == ErasureStatus.pending,
    on_claim=lambda now: {
        "status": ErasureStatus.running,
        "attempts": ErasureRequest.attempts + 1,
        "started_at": func.coalesce(ErasureRequest.started_at, now),
    },
    on_release={"status": ErasureStatus.pending},
)


class ErasureRepository(TeamScopedRepository[ErasureRequest]):
    model = ErasureRequest

    async def list_page(
        self, principal: Principal, *, limit: int, before: str | None
    ) -> Sequence[ErasureRequest]:
        return await self.page_before(self.readable(principal), limit=limit, before=before)

    async def claim(self, holder: str, now: datetime, lease: timedelta) -> str | None:
        """The oldest pending request, or a running one whose runner's lease lapsed."""
        claimed = await QUEUE.claim(self.session, holder, now=now, lease=lease)
        return claimed[0] if claimed else None

    async def renew(self, request_id: str, holder: str, until: datetime) -> ErasureRequest | None:
        """The request if ``holder`` still holds it, its lease extended to ``until``; None
        once another runner took it over (then this one must not write)."""
        if not await QUEUE.renew(self.session, [request_id], holder, until):
            return None
        return await self.session.get(ErasureRequest, request_id, populate_existing=True)

    async def candidates(
        self, team_id: str, needles: Sequence[str], *, after: str | None = None, limit: int
    ) -> Sequence[Document]:
        """Documents of ``team_id`` whose name, stored text or analysis contains one of
        ``needles`` (case-insensitive): the ones worth a closer look, in id order after
        ``after``."""
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
        if after is not None:
            statement = statement.where(Document.id > after)
        return (await self.session.scalars(statement.order_by(Document.id).limit(limit))).all()
