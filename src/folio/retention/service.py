"""Retention policies and legal holds of a team: the rules, the holds that block deletion."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from folio.batches.service import batch as batch_service
from folio.core.db import utcnow
from folio.core.errors import Conflict, NotFound
from folio.core.ids import IdPrefix, new_id
from folio.core.pagination import Page, PageParams
from folio.core.principal import Principal
from folio.documents.models import Document
from folio.documents.service import document as document_service
from folio.retention.models import LegalHold, PurgeRecord, RetentionPolicy
from folio.retention.repository import HoldRepository, PolicyRepository, PurgeLogRepository
from folio.retention.schemas import (
    LegalHoldCreate,
    LegalHoldRead,
    RetentionPolicyCreate,
    RetentionPolicyUpdate,
)


class DocumentHeld(Conflict):
    code = "LEGAL_HOLD"
    title = "A legal hold keeps this document"


def hold_read(hold: LegalHold) -> LegalHoldRead:
    return LegalHoldRead(
        id=hold.id,
        team_id=hold.team_id,
        document_id=hold.document_id,
        batch_id=hold.batch_id,
        reason=hold.reason,
        created_by=hold.created_by,
        created_at=hold.created_at,
        released_at=hold.released_at,
        released_by=hold.released_by,
        active=hold.released_at is None,
    )


class RetentionService:
    # ---- policies -----------------------------------------------------------------------

    async def list_policies(
        self, session: AsyncSession, principal: Principal
    ) -> Sequence[RetentionPolicy]:
        return await PolicyRepository.from_session(session).of_team(principal.team_id)

    async def create_policy(
        self, session: AsyncSession, principal: Principal, data: RetentionPolicyCreate
    ) -> RetentionPolicy:
        repository = PolicyRepository.from_session(session)
        for existing in await repository.of_team(principal.team_id):
            if (existing.target, existing.document_type) == (data.target, data.document_type):
                raise Conflict(
                    f"Policy {existing.id} already covers {data.target} of "
                    f"{data.document_type or 'every type'}; change its days instead.",
                    policy_id=existing.id,
                )
        return await repository.create(
            RetentionPolicy(
                id=new_id(IdPrefix.retention_policy),
                team_id=principal.team_id,
                target=data.target,
                days=data.days,
                document_type=data.document_type,
                created_by=principal.user_id,
            ),
            flush=True,
        )

    async def get_policy(
        self, session: AsyncSession, principal: Principal, policy_id: str
    ) -> RetentionPolicy:
        policy = await PolicyRepository.from_session(session).get(principal, policy_id)
        if policy is None:
            raise NotFound(f"No retention policy {policy_id}.")
        return policy

    async def update_policy(
        self,
        session: AsyncSession,
        principal: Principal,
        policy_id: str,
        data: RetentionPolicyUpdate,
    ) -> RetentionPolicy:
        policy = await self.get_policy(session, principal, policy_id)
        changes = data.model_dump(exclude_unset=True)
        if changes.get("days") is not None:
            policy.days = changes["days"]
        if "document_type" in changes:
            policy.document_type = changes["document_type"]
        policy.updated_at = utcnow()
        return policy

    async def delete_policy(
        self, session: AsyncSession, principal: Principal, policy_id: str
    ) -> None:
        policy = await self.get_policy(session, principal, policy_id)
        await session.delete(policy)

    # ---- legal holds --------------------------------------------------------------------

    async def list_holds(
        self, session: AsyncSession, principal: Principal, page: PageParams, *, active_only: bool
    ) -> Page[LegalHoldRead]:
        rows = await HoldRepository.from_session(session).list_page(
            principal, active_only=active_only, limit=page.limit, after=page.after
        )
        items = [hold_read(hold) for hold in rows]
        return Page.from_rows(items, page.limit, cursor=lambda read: read.id)

    async def place_hold(
        self, session: AsyncSession, principal: Principal, data: LegalHoldCreate
    ) -> LegalHoldRead:
        """The document or batch is loaded for ``principal`` first: another team's id is a
        404, as for one that does not exist."""
        if data.document_id is not None:
            await document_service.get(session, principal, data.document_id)
        if data.batch_id is not None:
            await batch_service.get(session, principal, data.batch_id)
        hold = await HoldRepository.from_session(session).create(
            LegalHold(
                id=new_id(IdPrefix.legal_hold),
                team_id=principal.team_id,
                document_id=data.document_id,
                batch_id=data.batch_id,
                reason=data.reason,
                created_by=principal.user_id,
                created_at=utcnow(),
            ),
            flush=True,
        )
        return hold_read(hold)

    async def get_hold(
        self, session: AsyncSession, principal: Principal, hold_id: str
    ) -> LegalHoldRead:
        return hold_read(await self._hold(session, principal, hold_id))

    async def _hold(self, session: AsyncSession, principal: Principal, hold_id: str) -> LegalHold:
        hold = await HoldRepository.from_session(session).get(principal, hold_id)
        if hold is None:
            raise NotFound(f"No legal hold {hold_id}.")
        return hold

    async def release_hold(
        self, session: AsyncSession, principal: Principal, hold_id: str
    ) -> LegalHoldRead:
        """The hold row stays, released: the record of who held what and when."""
        hold = await self._hold(session, principal, hold_id)
        if hold.released_at is None:
            hold.released_at, hold.released_by = utcnow(), principal.user_id
        return hold_read(hold)

    async def holds_on(
        self, session: AsyncSession, documents: Sequence[Document]
    ) -> dict[str, LegalHold]:
        return await HoldRepository.from_session(session).holding(documents)

    async def refuse_held(self, session: AsyncSession, documents: Sequence[Document]) -> None:
        """The deletion guard (``folio.assembly`` adds it to the documents service)."""
        held = await self.holds_on(session, documents)
        if held:
            document_id, hold = next(iter(held.items()))
            raise DocumentHeld(
                f"Document {document_id} is under legal hold {hold.id} ({hold.reason}); "
                "release the hold before deleting it.",
                hold_id=hold.id,
                document_id=document_id,
            )

    async def refuse_held_team(self, session: AsyncSession, team_id: str) -> None:
        """A team is deleted with its documents: not while any of them is held."""
        if await HoldRepository.from_session(session).team_is_held(team_id):
            raise DocumentHeld(
                f"Team {team_id} has documents under legal hold; release the holds first.",
                team_id=team_id,
            )

    # ---- purge log ----------------------------------------------------------------------

    async def purge_log(
        self, session: AsyncSession, principal: Principal, page: PageParams
    ) -> Page[PurgeRecord]:
        rows = await PurgeLogRepository.from_session(session).list_page(
            principal, limit=page.limit, before=page.after
        )
        return Page.from_rows(rows, page.limit, cursor=lambda record: record.id)


retention = RetentionService()
