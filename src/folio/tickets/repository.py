from __future__ import annotations

from collections.abc import Sequence

from folio.core.principal import Principal
from folio.core.repository import TeamScopedRepository
from folio.tickets.models import Ticket, TicketStatus


class TicketRepository(TeamScopedRepository[Ticket]):
    model = Ticket

    async def list_page(
        self,
        principal: Principal,
        *,
        status: TicketStatus | None,
        limit: int,
        before: str | None,
    ) -> Sequence[Ticket]:
        statement = self.readable(principal)
        if status is not None:
            statement = statement.where(Ticket.status == status)
        return await self.page_before(statement, limit=limit, before=before)

    async def add(self, ticket: Ticket) -> None:
        await self.create(ticket, flush=True)
