"""Support tickets (seed 003): open → in_progress → resolved → closed."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from folio.batches.repository import BatchRepository
from folio.core.db import utcnow
from folio.core.errors import Conflict, FieldError, NotFound, ValidationFailed
from folio.core.ids import IdPrefix, has_prefix, new_id
from folio.core.pagination import Page, PageParams
from folio.core.principal import Principal
from folio.documents.repository import DocumentRepository
from folio.tickets.models import Ticket, TicketStatus
from folio.tickets.repository import TicketRepository
from folio.tickets.schemas import TicketCreate

TRANSITIONS: dict[TicketStatus, frozenset[TicketStatus]] = {
    TicketStatus.open: frozenset(
        {TicketStatus.in_progress, TicketStatus.resolved, TicketStatus.closed}
    ),
    TicketStatus.in_progress: frozenset(
        {TicketStatus.open, TicketStatus.resolved, TicketStatus.closed}
    ),
    TicketStatus.resolved: frozenset({TicketStatus.in_progress, TicketStatus.closed}),
    TicketStatus.closed: frozenset(),
}
SETTLED = (TicketStatus.resolved, TicketStatus.closed)


class InvalidTransition(Conflict):
    code = "INVALID_TRANSITION"
    title = "The ticket cannot move to that status"


class TicketService:
    async def create(
        self, session: AsyncSession, principal: Principal, data: TicketCreate
    ) -> Ticket:
        await self._check_links(session, principal, data)
        ticket = Ticket(
            id=new_id(IdPrefix.ticket),
            team_id=principal.team_id,
            created_by=principal.user_id,
            status=TicketStatus.open,
            **data.model_dump(),
        )
        await TicketRepository.from_session(session).add(ticket)
        return ticket

    async def _check_links(
        self, session: AsyncSession, principal: Principal, data: TicketCreate
    ) -> None:
        """A ticket may only point at the team's own batch and document; an empty or malformed
        id is not found either (it would otherwise reach the foreign key)."""
        errors = []
        batch_id, document_id = data.batch_id, data.document_id
        if batch_id is not None and not (
            has_prefix(batch_id, IdPrefix.batch)
            and await BatchRepository.from_session(session).get(principal, batch_id)
        ):
            errors.append(FieldError("batch_id", "not_found", f"No batch {batch_id!r}."))
        if document_id is not None and not (
            has_prefix(document_id, IdPrefix.document)
            and await DocumentRepository.from_session(session).get(principal, document_id)
        ):
            errors.append(FieldError("document_id", "not_found", f"No document {document_id!r}."))
        if errors:
            raise ValidationFailed(errors)

    async def get(self, session: AsyncSession, principal: Principal, ticket_id: str) -> Ticket:
        ticket = await TicketRepository.from_session(session).get(principal, ticket_id)
        if ticket is None:
            raise NotFound(f"No ticket {ticket_id}.")
        return ticket

    async def list_tickets(
        self,
        session: AsyncSession,
        principal: Principal,
        page: PageParams,
        *,
        status: TicketStatus | None,
    ) -> Page[Ticket]:
        rows = await TicketRepository.from_session(session).list_page(
            principal, status=status, limit=page.limit, before=page.after
        )
        return Page.from_rows(rows, page.limit, cursor=lambda ticket: ticket.id)

    async def set_status(
        self, session: AsyncSession, principal: Principal, ticket_id: str, status: TicketStatus
    ) -> Ticket:
        ticket = await self.get(session, principal, ticket_id)
        allowed = TRANSITIONS[ticket.status]
        if status not in allowed:
            options = ", ".join(sorted(allowed)) or "none: closed is final"
            raise InvalidTransition(
                f"A {ticket.status} ticket cannot become {status} (allowed: {options}).",
                current_status=ticket.status,
            )
        ticket.status = status
        if status in SETTLED and ticket.resolved_at is None:
            ticket.resolved_at = utcnow()
        await session.flush()
        return ticket


ticket = TicketService()
