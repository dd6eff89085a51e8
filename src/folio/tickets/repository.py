from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from folio.core.principal import Principal
from folio.tickets.models import Ticket, TicketStatus


class TicketRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @classmethod
    def from_session(cls, session: AsyncSession) -> TicketRepository:
        return cls(session)

    def readable(self, principal: Principal) -> Select[Ticket]:
        return select(Ticket).where(Ticket.team_id.in_(principal.team_ids))

    async def get(self, principal: Principal, ticket_id: str) -> Ticket | None:
        return await self.session.scalar(self.readable(principal).where(Ticket.id == ticket_id))

    async def list_page(
        self,
        principal: Principal,
        *,
        status: TicketStatus | None,
        limit: int,
        before: str | None,
    ) -> Sequence[Ticket]:
        statement = self.readable(principal).order_by(Ticket.id.desc()).limit(limit + 1)
        if status is not None:
            statement = statement.where(Ticket.status == status)
        if before is not None:
            statement = statement.where(Ticket.id < before)
        return (await self.session.scalars(statement)).all()

    async def add(self, ticket: Ticket) -> None:
        self.session.add(ticket)
        await self.session.flush()
