from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST

from folio.core.deps import AUTHENTICATES, MAY_FORBID, RuntimeDep, get_principal
from folio.core.responses import problems
from folio.metrics.service import metrics as metrics_service

router = APIRouter(tags=["system"])


async def check_metrics_reader(request: Request) -> None:
    """The metrics token, or a system admin's own credential (401 / 403 otherwise)."""
    token = request.app.state.settings.metrics_token
    if metrics_service.token_matches(request.headers.get("authorization"), token):
        return
    metrics_service.assert_reader(await get_principal(request))


setattr(check_metrics_reader, AUTHENTICATES, True)  # the OpenAPI document: bearer, 401, 403
setattr(check_metrics_reader, MAY_FORBID, True)
MetricsReader = Annotated[None, Depends(check_metrics_reader)]


@router.get(
    "/metrics",
    summary="Prometheus metrics of every Folio process on this data directory",
    response_class=Response,
    responses={
        200: {"content": {CONTENT_TYPE_LATEST: {}}, "description": "Prometheus text format"},
        **problems(401, 403, 503),
    },
)
async def get_metrics(reader: MetricsReader, runtime: RuntimeDep) -> Response:
    return Response(await metrics_service.scrape(runtime), media_type=CONTENT_TYPE_LATEST)
