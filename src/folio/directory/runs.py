"""The LDAP work that talks to the directory server: the connection test, a sync run (manual
or scheduled) and nothing else. Each reads the settings in a short read, talks to the server
with no transaction open (a slow directory never holds the database's write lock), then
applies the result in one short write."""

from __future__ import annotations

from folio.core.db import utcnow
from folio.core.errors import NotFound
from folio.core.principal import Principal
from folio.core.runtime import Runtime
from folio.directory.ldapclient import LdapFailure
from folio.directory.models import DirectorySyncRun, LdapDirectory, SyncTrigger
from folio.directory.schemas import ConnectionTest
from folio.directory.service import Fetched, fetch
from folio.directory.service import ldap_directory as ldap_service


async def _directory(runtime: Runtime, team_id: str) -> LdapDirectory:
    async with runtime.db.session(write=False) as session:
        directory = await ldap_service.of_team(session, team_id)
    if directory is None:
        raise NotFound("This team has no LDAP directory; PUT one first.")
    return directory


async def test_connection(runtime: Runtime, principal: Principal) -> ConnectionTest:
    directory = await _directory(runtime, principal.team_id)
    try:
        users, groups = await fetch(runtime, directory)
    except LdapFailure as exc:
        return ConnectionTest(ok=False, users_found=0, groups_found=0, error=str(exc))
    return ConnectionTest(ok=True, users_found=len(users), groups_found=len(groups))


async def sync_team(
    runtime: Runtime, team_id: str, trigger: SyncTrigger, *, started_by: str | None = None
) -> DirectorySyncRun | None:
    directory = await _directory(runtime, team_id)
    started_at = utcnow()
    fetched: Fetched | LdapFailure
    try:
        fetched = await fetch(runtime, directory)
    except LdapFailure as exc:
        fetched = exc
    async with runtime.db.session() as session:
        return await ldap_service.record(
            session, directory.id, trigger, fetched, started_at=started_at, started_by=started_by
        )


async def sync_now(runtime: Runtime, principal: Principal) -> DirectorySyncRun:
    run = await sync_team(
        runtime, principal.team_id, SyncTrigger.manual, started_by=principal.user_id
    )
    if run is None:
        raise NotFound("The team's LDAP directory was removed during the sync.")
    return run
