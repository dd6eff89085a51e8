"""Reminders for overdue workflow tasks: a periodic loop of the API process, like the
retention purge. Processes that run it at once take turns (``one_writer_at_a_time``), and a
task's reminder is written with the mark that it was sent, so none is sent twice."""

from __future__ import annotations

from datetime import datetime

from folio.core.background import Periodic
from folio.core.db import one_writer_at_a_time
from folio.core.runtime import Runtime
from folio.workflows.service import workflow as workflow_service

LOCK = "folio.workflow-reminders"


async def remind_overdue(runtime: Runtime, now: datetime | None = None) -> int:
    """Sends the reminders due at ``now`` (default: the current time); returns how many."""
    async with runtime.db.session() as session:
        await one_writer_at_a_time(session, LOCK)
        return await workflow_service.send_reminders(session, runtime, now)


def workflow_reminding(runtime: Runtime) -> Periodic | None:
    every = runtime.settings.workflow_reminder_interval_s
    if every <= 0:
        return None

    async def step() -> None:
        await remind_overdue(runtime)

    return Periodic("folio-workflow-reminders", step, every)
