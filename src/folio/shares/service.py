"""Document shares: expiring, revocable links that download the original without signing in,
and shares with a member of the team (told by a notification, allowed to read that document)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from folio.core.db import after_commit, utcnow
from folio.core.errors import FieldError, Forbidden, NotFound, ValidationFailed
from folio.core.events import Event
from folio.core.ids import IdPrefix, new_id
from folio.core.pagination import Page, PageParams
from folio.core.permissions import Permission
from folio.core.principal import Credential, Principal
from folio.core.runtime import Runtime
from folio.core.security import digest, new_secret
from folio.documents.models import Document
from folio.documents.service import document as document_service
from folio.events.catalog import DOCUMENT_SHARED
from folio.events.service import event as event_service
from folio.shares.models import DocumentShare
from folio.shares.repository import ShareRepository
from folio.shares.schemas import ShareCreate, ShareCreated, ShareKind, ShareRead, ShareStatus
from folio.teams.access import member_permissions
from folio.teams.roles import role as role_service

DEFAULT_TTL = timedelta(days=7)
PUBLIC_PATH = "/api/v1/shared/"


class ShareNotFound(NotFound):
    title = "No such share link"


def share_status(share: DocumentShare) -> ShareStatus:
    if share.revoked_at is not None:
        return ShareStatus.revoked
    return ShareStatus.expired if share.expires_at <= utcnow() else ShareStatus.active


def share_read(share: DocumentShare) -> ShareRead:
    return ShareRead(
        id=share.id,
        team_id=share.team_id,
        document_id=share.document_id,
        kind=ShareKind(share.kind),
        status=share_status(share),
        recipient_user_id=share.recipient_user_id,
        created_by=share.created_by,
        expires_at=share.expires_at,
        revoked_at=share.revoked_at,
        download_count=share.download_count or 0,
        last_accessed_at=share.last_accessed_at,
        created_at=share.created_at,
    )


class ShareService:
    async def create(
        self,
        session: AsyncSession,
        principal: Principal,
        runtime: Runtime,
        document_id: str,
        data: ShareCreate,
    ) -> ShareCreated:
        document = await document_service.get(session, principal, document_id)
        self._require_read(principal, document.id)
        share = DocumentShare(
            id=new_id(IdPrefix.share),
            team_id=document.team_id,
            document_id=document.id,
            kind=data.kind,
            created_by=principal.user_id,
            expires_at=self._expiry(runtime, data.expires_at),
            download_count=0,
        )
        token = None
        if data.kind == ShareKind.link:
            token = new_secret()
            share.token_hash = digest(token)
        else:
            await self._with_member(session, principal, share, data.user_id)
        await ShareRepository.from_session(session).add(share)
        await event_service.emit(session, runtime, self._shared_event(share, document))
        url = f"{runtime.settings.public_url}{PUBLIC_PATH}{token}" if token else None
        return ShareCreated(**share_read(share).model_dump(), token=token, url=url)

    def _require_read(self, principal: Principal, document_id: str) -> None:
        """Nobody shares what they may not read themselves."""
        read = Permission.documents_read
        if not principal.can(read) and not principal.can_on(read, {"document_id": document_id}):
            raise Forbidden("Sharing a document needs documents:read on it.")

    def _expiry(self, runtime: Runtime, wanted: datetime | None) -> datetime:
        now = utcnow()
        longest = timedelta(seconds=runtime.settings.share_link_max_ttl_s)
        expires_at = wanted or now + min(DEFAULT_TTL, longest)
        if not now < expires_at <= now + longest:
            raise ValidationFailed(
                [
                    FieldError(
                        "expires_at",
                        "out_of_range",
                        f"Must be in the future and at most {longest} ahead.",
                    )
                ]
            )
        return expires_at

    async def _with_member(
        self,
        session: AsyncSession,
        principal: Principal,
        share: DocumentShare,
        user_id: str | None,
    ) -> None:
        if not user_id or await member_permissions(session, share.team_id, user_id) is None:
            raise ValidationFailed(
                [FieldError("user_id", "not_a_member", "Name an active member of this team.")]
            )
        share.recipient_user_id = user_id
        assignment = await role_service.grant_document_read(
            session,
            share.team_id,
            user_id,
            share.document_id,
            expires_at=share.expires_at,
            assigned_by=principal.user_id,
        )
        share.assignment_id = assignment.id

    def _shared_event(self, share: DocumentShare, document: Document) -> Event:
        return Event(
            type=DOCUMENT_SHARED,
            team_id=share.team_id,
            data={
                "document_id": document.id,
                "filename": document.filename,
                "share_id": share.id,
                "kind": share.kind,
                "shared_by": share.created_by,
                "recipient_user_id": share.recipient_user_id,
                "expires_at": share.expires_at.isoformat(),
            },
        )

    async def list_shares(
        self, session: AsyncSession, principal: Principal, document_id: str, page: PageParams
    ) -> Page[ShareRead]:
        await document_service.get(session, principal, document_id)
        rows = await ShareRepository.from_session(session).list_page(
            principal, document_id, limit=page.limit, after=page.after
        )
        return Page.from_rows([share_read(r) for r in rows], page.limit, cursor=lambda s: s.id)

    async def revoke(
        self, session: AsyncSession, principal: Principal, document_id: str, share_id: str
    ) -> None:
        share = await ShareRepository.from_session(session).get_in_document(
            principal, document_id, share_id
        )
        if share is None:
            raise NotFound(f"No share {share_id} of document {document_id}.")
        share.revoked_at = share.revoked_at or utcnow()
        if share.assignment_id is not None:
            await role_service.withdraw(session, share.team_id, share.assignment_id)

    async def open_shared(
        self, session: AsyncSession, runtime: Runtime, token: str
    ) -> tuple[Document, Iterator[bytes]]:
        """The public download: the token is the credential; any failure looks the same."""
        share = await ShareRepository.from_session(session).by_token_hash(digest(token))
        if share is None or share.kind != ShareKind.link or share_status(share) != "active":
            raise ShareNotFound("No share link matches; it may have expired or been revoked.")
        reader = Principal(
            team_id=share.team_id,
            team_ids=frozenset({share.team_id}),
            permissions=frozenset({Permission.documents_read}),
            credential=Credential.share_link,
        )
        opened = await document_service.open_original(session, reader, runtime, share.document_id)
        self._count_download_after_commit(session, runtime, share.id)
        return opened

    def _count_download_after_commit(
        self, session: AsyncSession, runtime: Runtime, share_id: str
    ) -> None:
        """Counted in a write of its own (the download's session only reads), once the
        download's unit of work has ended well: a failed download does not count."""

        async def count() -> None:
            async with runtime.db.independent() as own_session:
                await ShareRepository.from_session(own_session).count_download(share_id, utcnow())

        after_commit(session, count)


share = ShareService()
