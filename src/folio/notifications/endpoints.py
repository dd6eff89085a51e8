from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from folio.core.deps import Authenticated, DbSession, PageQuery
from folio.core.pagination import Page
from folio.core.responses import problems
from folio.notifications.schemas import (
    Category,
    NotificationRead,
    PreferencesRead,
    PreferencesUpdate,
    ReadAllResult,
)
from folio.notifications.service import notification as notification_service

router = APIRouter(prefix="/api/v1/notifications", tags=["notifications"])


@router.get(
    "",
    response_model=Page[NotificationRead],
    summary="Your notifications, newest first",
    responses=problems(401, 403, 422),
)
async def list_notifications(
    principal: Authenticated,
    session: DbSession,
    page: PageQuery,
    read: Annotated[bool | None, Query(description="true: read only; false: unread")] = None,
    category: Category | None = None,
) -> Page[NotificationRead]:
    return await notification_service.list_notifications(
        session, principal, page, read=read, category=category
    )


@router.post(
    "/read-all",
    response_model=ReadAllResult,
    summary="Mark all as read",
    responses=problems(401, 403),
)
async def mark_all_read(principal: Authenticated, session: DbSession) -> ReadAllResult:
    return ReadAllResult(marked_read=await notification_service.mark_all_read(session, principal))


@router.get(
    "/preferences",
    response_model=PreferencesRead,
    summary="E-mail on/off, categories and digest frequency",
    responses=problems(401, 403),
)
async def get_preferences(principal: Authenticated, session: DbSession) -> PreferencesRead:
    return await notification_service.preferences(session, principal)


@router.put(
    "/preferences",
    response_model=PreferencesRead,
    summary="Change your preferences",
    responses=problems(401, 403, 422),
)
async def update_preferences(
    data: PreferencesUpdate, principal: Authenticated, session: DbSession
) -> PreferencesRead:
    return await notification_service.update_preferences(session, principal, data)


@router.post(
    "/{notification_id}/read",
    response_model=NotificationRead,
    summary="Mark one as read",
    responses=problems(401, 403, 404),
)
async def mark_read(
    notification_id: str, principal: Authenticated, session: DbSession
) -> NotificationRead:
    return await notification_service.mark_read(session, principal, notification_id)
