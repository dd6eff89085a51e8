from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, update

from folio.core.principal import Principal
from folio.core.repository import TeamScopedRepository
from folio.shares.models import DocumentShare


class ShareRepository(TeamScopedRepository[DocumentShare]):
    model = DocumentShare

    async def add(self, share: DocumentShare) -> None:
        await self.create(share, flush=True)

    async def get_in_document(
        self, principal: Principal, document_id: str, share_id: str
    ) -> DocumentShare | None:
        return await self.get_one_or_none(
            self.readable(principal).where(
                DocumentShare.document_id == document_id, DocumentShare.id == share_id
            )
        )

    async def list_page(
        self, principal: Principal, document_id: str, *, limit: int, after: str | None
    ) -> Sequence[DocumentShare]:
        statement = self.readable(principal).where(DocumentShare.document_id == document_id)
        return await self.page_after(statement, limit=limit, after=after)

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

    async def live_member_share(self, document_id: str, user_id: str, now: datetime) -> str | None:
        """The id of a member's share of the document that is neither revoked nor expired."""
        found: str | None = await self.session.scalar(
            select(DocumentShare.id).where(
                DocumentShare.document_id == document_id,
                DocumentShare.recipient_user_id == user_id,
                DocumentShare.revoked_at.is_(None),
                DocumentShare.expires_at > now,
            )
        )
        return found
