from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from folio.core.deps import DbSession, PageQuery, require
from folio.core.pagination import Page
from folio.core.permissions import Permission
from folio.core.principal import Principal
from folio.core.responses import problems
from folio.events.schemas import EventRead
from folio.events.service import event as event_service

router = APIRouter(prefix="/api/v1/events", tags=["events"])
DocumentsRead = Annotated[Principal, Depends(require(Permission.documents_read))]


@router.get(
    "",
    response_model=Page[EventRead],
    summary="Your team's events, oldest first; resume from next_cursor",
    responses=problems(401, 403, 422),
)
async def list_events(
    principal: DocumentsRead,
    session: DbSession,
    page: PageQuery,
    types: Annotated[list[str], Query(alias="type", description="Repeatable")] = [],  # noqa: B006
):
    return await event_service.list_events(session, principal, page, types)
