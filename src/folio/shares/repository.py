from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Select, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from folio.core.principal import Principal
from folio.shares.models import DocumentShare


class ShareRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @classmethod
    def from_session(cls, session: AsyncSession) -> ShareRepository:
        return cls(session)

    def readable(self, principal: Principal) -> Select[DocumentShare]:
        return select(DocumentShare).where(DocumentShare.team_id.in_(principal.team_ids))

    async def add(self, share: DocumentShare) -> None:
        self.session.add(share)
        await self.session.flush()

    async def get(
        self, principal: Principal, document_id: str, share_id: str
    ) -> DocumentShare | None:
        return await self.session.scalar(
            self.readable(principal).where(
                DocumentShare.document_id == document_id, DocumentShare.id == share_id
            )
        )

    async def list_page(
        self, principal: Principal, document_id: str, *, limit: int, after: str | None
    ) -> Sequence[DocumentShare]:
        statement = (
            self.readable(principal)
            .where(DocumentShare.document_id == document_id)
            .order_by(DocumentShare.id)
            .limit(limit + 1)
        )
        if after is not None:
            statement = statement.where(DocumentShare.id > after)
        return (await self.session.scalars(statement)).all()

    async def by_token_hash(self, token_hash: str) -> DocumentShare | None:
        """The public download's lookup: the secret token is the only credential."""
        return await self.session.scalar(
            select(DocumentShare).where(DocumentShare.token_hash == token_hash)
        )

    async def get_for_update(self, share_id: str) -> DocumentShare | None:
        return await self.session.get(DocumentShare, share_id)

    async def count_download(self, share_id: str, now: datetime) -> None:
        await self.session.execute(
            update(DocumentShare)
            .where(DocumentShare.id == share_id)
            .values(download_count=DocumentShare.download_count + 1, last_accessed_at=now)
        )
