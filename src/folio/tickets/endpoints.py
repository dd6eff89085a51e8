from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from folio.core.deps import DbSession, PageQuery, require
from folio.core.pagination import Page
from folio.core.permissions import Permission
from folio.core.principal import Principal
from folio.core.responses import problems
from folio.tickets.models import TicketStatus
from folio.tickets.schemas import TicketCreate, TicketRead, TicketStatusUpdate
from folio.tickets.service import ticket as ticket_service

router = APIRouter(prefix="/api/v1/tickets", tags=["tickets"])

DocumentsRead = Annotated[Principal, Depends(require(Permission.documents_read))]
DocumentsWrite = Annotated[Principal, Depends(require(Permission.documents_write))]
TeamManage = Annotated[Principal, Depends(require(Permission.team_manage))]


@router.post(
    "",
    status_code=201,
    response_model=TicketRead,
    summary="Report a problem (status open)",
    responses=problems(401, 403, 422),
)
async def create_ticket(data: TicketCreate, principal: DocumentsWrite, session: DbSession):
    return await ticket_service.create(session, principal, data)


@router.get(
    "",
    response_model=Page[TicketRead],
    summary="List the team's tickets, newest first",
    responses=problems(401, 403, 422),
)
async def list_tickets(
    principal: DocumentsRead,
    session: DbSession,
    page: PageQuery,
    status: TicketStatus | None = None,
):
    return await ticket_service.list_tickets(session, principal, page, status=status)


@router.get(
    "/{ticket_id}",
    response_model=TicketRead,
    summary="Get a ticket",
    responses=problems(401, 403, 404),
)
async def get_ticket(ticket_id: str, principal: DocumentsRead, session: DbSession):
    return await ticket_service.get(session, principal, ticket_id)


@router.patch(
    "/{ticket_id}/status",
    response_model=TicketRead,
    summary="Move a ticket: open → in_progress → resolved → closed",
    responses=problems(401, 403, 404, 409, 422),
)
async def update_ticket_status(
    ticket_id: str, data: TicketStatusUpdate, principal: TeamManage, session: DbSession
):
    return await ticket_service.set_status(session, principal, ticket_id, data.status)
