from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, WebSocket
from starlette.datastructures import State
from starlette.websockets import WebSocketDisconnect

from folio.realtime.refusals import RefusalLog, SocketRefusals
from folio.realtime.service import realtime as realtime_service

router = APIRouter(tags=["real time"])


@router.websocket("/api/v1/ws")
async def events_socket(
    websocket: WebSocket,
    token: Annotated[str | None, Query(description="Access token or API key")] = None,
) -> None:
    """Events of your team as they happen: sign in with a header, ``?token=`` or a first
    ``{"type": "auth", "payload": {"token": …}}`` message, then ``subscribe`` to ``team``,
    ``system``, ``document:{id}`` or ``batch:{id}`` (with ``last_event_id`` to catch up).

    The credential is checked again whenever your membership, role, key or session changes,
    and every ``ws_reauth_interval_s``: new permissions arrive as ``auth:updated``; a check
    that fails sends ``auth:error`` and closes with 4401 (key or session ended) or 4403 (no
    longer in the team, or no ``documents:read``)."""
    await websocket.accept()
    runtime = websocket.app.state.runtime
    refused = SocketRefusals(refusal_log(websocket.app.state), websocket.scope)
    try:
        principal = await realtime_service.authenticate(
            websocket, runtime, websocket.scope, token, refused
        )
        if principal is not None:
            hub = websocket.app.state.hub
            await realtime_service.serve(websocket, runtime, hub, principal, refused)
    except WebSocketDisconnect:
        return


def refusal_log(state: State) -> RefusalLog:
    """The app's one log of refused sockets, feeding its activity recorder (made on first use,
    so the app factory need not know of it)."""
    log: RefusalLog | None = getattr(state, "ws_refusals", None)
    if log is None:
        log = state.ws_refusals = RefusalLog(state.activity.add)
    return log
