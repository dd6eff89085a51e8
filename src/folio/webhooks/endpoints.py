from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response

from folio.core.deps import DbSession, PageQuery, RuntimeDep, require
from folio.core.pagination import Page
from folio.core.permissions import Permission
from folio.core.principal import Principal
from folio.core.responses import problems
from folio.webhooks.schemas import (
    DeliveryRead,
    WebhookCreate,
    WebhookCreated,
    WebhookRead,
    WebhookTestResult,
    WebhookUpdate,
)
from folio.webhooks.service import webhook as webhook_service

router = APIRouter(prefix="/api/v1/webhooks", tags=["webhooks"])
WebhooksManage = Annotated[Principal, Depends(require(Permission.webhooks_manage))]


@router.post(
    "",
    status_code=201,
    response_model=WebhookCreated,
    summary="Register an endpoint (its signing secret is shown once)",
    responses=problems(401, 403, 422),
)
async def create_webhook(
    data: WebhookCreate, principal: WebhooksManage, session: DbSession, runtime: RuntimeDep
) -> WebhookCreated:
    return await webhook_service.create(session, principal, runtime, data)


@router.get(
    "",
    response_model=Page[WebhookRead],
    summary="List webhook endpoints",
    responses=problems(401, 403, 422),
)
async def list_webhooks(principal: WebhooksManage, session: DbSession, page: PageQuery):
    return await webhook_service.list_webhooks(session, principal, page)


@router.get(
    "/{webhook_id}",
    response_model=WebhookRead,
    summary="Get a webhook endpoint",
    responses=problems(401, 403, 404),
)
async def get_webhook(webhook_id: str, principal: WebhooksManage, session: DbSession):
    return await webhook_service.get(session, principal, webhook_id)


@router.patch(
    "/{webhook_id}",
    response_model=WebhookRead,
    summary="Update URL, event filter, retry policy; re-enable a disabled endpoint",
    responses=problems(401, 403, 404, 422),
)
async def update_webhook(
    webhook_id: str,
    data: WebhookUpdate,
    principal: WebhooksManage,
    session: DbSession,
    runtime: RuntimeDep,
):
    return await webhook_service.update(session, principal, runtime, webhook_id, data)


@router.delete(
    "/{webhook_id}",
    status_code=204,
    summary="Delete a webhook endpoint",
    responses=problems(401, 403, 404),
)
async def delete_webhook(
    webhook_id: str, principal: WebhooksManage, session: DbSession
) -> Response:
    await webhook_service.delete(session, principal, webhook_id)
    return Response(status_code=204)


@router.post(
    "/{webhook_id}/test",
    response_model=WebhookTestResult,
    summary="Send a signed test event now: status, latency, response excerpt",
    responses=problems(401, 403, 404),
)
async def test_webhook(
    webhook_id: str, principal: WebhooksManage, session: DbSession, runtime: RuntimeDep
) -> WebhookTestResult:
    return await webhook_service.test(session, principal, runtime, webhook_id)


@router.get(
    "/{webhook_id}/deliveries",
    response_model=Page[DeliveryRead],
    summary="The delivery log, newest first",
    responses=problems(401, 403, 404, 422),
)
async def list_deliveries(
    webhook_id: str, principal: WebhooksManage, session: DbSession, page: PageQuery
) -> Page[DeliveryRead]:
    return await webhook_service.deliveries(session, principal, webhook_id, page)


@router.post(
    "/{webhook_id}/deliveries/{delivery_id}/redeliver",
    response_model=DeliveryRead,
    summary="Queue a delivery again",
    responses=problems(401, 403, 404),
)
async def redeliver(
    webhook_id: str,
    delivery_id: str,
    principal: WebhooksManage,
    session: DbSession,
    runtime: RuntimeDep,
) -> DeliveryRead:
    return await webhook_service.redeliver(session, principal, runtime, webhook_id, delivery_id)
