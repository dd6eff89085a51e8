"""The scheduled LDAP sync: every ``directory_sync_check_s`` each API process looks for
directories whose ``sync_interval_s`` has passed, claims them, and syncs each it claimed
(``runs.sync_team``)."""

from __future__ import annotations

import logging

from folio.core.background import Periodic
from folio.core.runtime import Runtime
from folio.directory.models import SyncTrigger
from folio.directory.runs import sync_team
from folio.directory.service import ldap_directory

logger = logging.getLogger("folio.directory")


async def sync_due(runtime: Runtime) -> int:
    """Each due directory is claimed first (``last_sync_at`` moved on in one short write), so
    API processes that look at the same moment do not sync it twice."""
    async with runtime.db.session() as session:
        team_ids = await ldap_directory.claim_due(session)
    for team_id in team_ids:
        try:
            await sync_team(runtime, team_id, SyncTrigger.scheduled)
        except Exception:  # one team's failure must not stop the others
            logger.exception("scheduled LDAP sync of team %s failed", team_id)
    return len(team_ids)


def directory_syncing(runtime: Runtime) -> Periodic | None:
    every = runtime.settings.directory_sync_check_s
    if every <= 0:
        return None

    async def step() -> None:
        await sync_due(runtime)

    return Periodic("folio-directory-sync", step, every)
