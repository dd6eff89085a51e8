from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from folio.account.schemas import AccountDeletion, AccountExport
from folio.account.service import account as account_service
from folio.audit.recorder import ActivityRecorder
from folio.core.deps import Authenticated, DbSession, InteractiveSession, RuntimeDep
from folio.core.responses import problems

router = APIRouter(prefix="/api/v1/me", tags=["account"])


async def flush_activity(request: Request) -> None:
    """The buffered audit entries are written first: the export lists the latest requests."""
    recorder: ActivityRecorder = request.app.state.activity
    await recorder.flush()


Flushed = Annotated[None, Depends(flush_activity)]


@router.get(
    "/export",
    response_model=AccountExport,
    summary="Everything Folio holds about your account (profile, teams, keys, activity, uploads)",
    responses=problems(401),
)
async def export_account(
    principal: Authenticated, session: DbSession, flushed: Flushed
) -> AccountExport:
    return await account_service.export(session, principal)


@router.delete(
    "",
    status_code=204,
    summary="Delete your account (password, and a code with two-factor on); teams where you "
    "are alone go with it",
    responses=problems(401, 403, 409, 422),
)
async def delete_account(
    data: AccountDeletion, principal: InteractiveSession, session: DbSession, runtime: RuntimeDep
) -> Response:
    await account_service.delete_own(session, runtime, principal, data)
    return Response(status_code=204)
