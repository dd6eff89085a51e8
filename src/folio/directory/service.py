"""A team's LDAP directory: its configuration, the connection test, the sync that creates,
updates and disables the accounts it manages, and LDAP password sign-in."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy.ext.asyncio import AsyncSession

from folio.core.db import utcnow
from folio.core.errors import FieldError, NotFound, ValidationFailed
from folio.core.ids import IdPrefix, new_id
from folio.core.netguard import TargetRefused, resolve_checked
from folio.core.pagination import Page, PageParams
from folio.core.principal import Principal
from folio.core.runtime import Runtime
from folio.directory import ldapclient, provisioning
from folio.directory.ldapclient import Entry, LdapConfig, LdapFailure, Query
from folio.directory.models import (
    DirectoryAccount,
    DirectorySource,
    DirectorySyncRun,
    LdapDirectory,
    SyncStatus,
    SyncTrigger,
)
from folio.directory.repository import (
    DirectoryAccountRepository,
    LdapDirectoryRepository,
    SyncRunRepository,
    is_due,
)
from folio.directory.schemas import LdapDirectoryRead, LdapDirectoryWrite
from folio.users.models import User

logger = logging.getLogger("folio.directory")
MAX_ERRORS = 100  # kept per run


def directory_read(directory: LdapDirectory) -> LdapDirectoryRead:
    return LdapDirectoryRead(
        id=directory.id,
        team_id=directory.team_id,
        url=directory.url,
        start_tls=directory.start_tls,
        verify_tls=directory.verify_tls,
        ca_certificate=directory.ca_certificate,
        bind_dn=directory.bind_dn,
        bind_password_set=bool(directory.bind_password),
        user_base=directory.user_base,
        user_filter=directory.user_filter,
        uid_attribute=directory.uid_attribute,
        email_attribute=directory.email_attribute,
        name_attribute=directory.name_attribute,
        group_base=directory.group_base,
        group_filter=directory.group_filter,
        group_member_attribute=directory.group_member_attribute,
        group_roles=dict(directory.group_roles or {}),
        default_role=directory.default_role,
        sync_enabled=directory.sync_enabled,
        sync_interval_s=directory.sync_interval_s,
        login_enabled=directory.login_enabled,
        last_sync_at=directory.last_sync_at,
        created_at=directory.created_at,
        updated_at=directory.updated_at,
    )


async def connection_config(runtime: Runtime, directory: LdapDirectory) -> LdapConfig:
    """The host is resolved and checked here (SSRF guard); the connection goes to the checked
    address, while TLS still verifies the certificate against the host name."""
    parts = urlsplit(directory.url)
    host = parts.hostname or ""
    port = parts.port or (636 if parts.scheme == "ldaps" else 389)
    try:
        addresses = await resolve_checked(
            host, port, runtime.settings.ldap_allowed_hosts, "FOLIO_LDAP_ALLOWED_HOSTS"
        )
    except TargetRefused as exc:
        raise LdapFailure(str(exc)) from exc
    return LdapConfig(
        url=directory.url,
        address=str(addresses[0]),
        start_tls=directory.start_tls,
        verify_tls=directory.verify_tls,
        ca_certificate=directory.ca_certificate,
        bind_dn=directory.bind_dn,
        bind_password=directory.bind_password,
        timeout_s=runtime.settings.ldap_timeout_s,
    )


def user_query(directory: LdapDirectory) -> Query:
    attributes = (directory.uid_attribute, directory.email_attribute, directory.name_attribute)
    return Query(directory.user_base, directory.user_filter, attributes)


def group_query(directory: LdapDirectory) -> Query | None:
    if directory.group_base is None:
        return None
    return Query(directory.group_base, directory.group_filter, (directory.group_member_attribute,))


Fetched = tuple[list[Entry], list[Entry]]  # users, groups


async def fetch(runtime: Runtime, directory: LdapDirectory) -> Fetched:
    """The directory's users and groups, read in a thread: no transaction is open meanwhile."""
    config = await connection_config(runtime, directory)
    queries = [user_query(directory)]
    groups = group_query(directory)
    if groups is not None:
        queries.append(groups)
    found = await asyncio.to_thread(ldapclient.entries, config, queries)
    return found[0], (found[1] if groups is not None else [])


@dataclass
class Tally:
    seen: int = 0
    created: int = 0
    updated: int = 0
    disabled: int = 0
    errors: list[str] = field(default_factory=list)

    def error(self, message: str) -> None:
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(message)


def roles_by_dn(directory: LdapDirectory, groups: Sequence[Entry]) -> dict[str, str]:
    """Member DN (lower-cased) -> the highest role of the mapped groups listing it."""
    mapping = directory.group_roles or {}
    roles: dict[str, str] = {}
    for group in groups:
        role = mapping.get(group.dn.lower())
        if role is None:
            continue
        for member in group.every(directory.group_member_attribute):
            key = member.lower()
            roles[key] = provisioning.higher_role(roles.get(key), role) or role
    return roles


class LdapDirectoryService:
    # ---- configuration -----------------------------------------------------------------

    async def get(self, session: AsyncSession, principal: Principal) -> LdapDirectory:
        directory = await LdapDirectoryRepository.from_session(session).of_team(principal.team_id)
        if directory is None:
            raise NotFound("This team has no LDAP directory; PUT one first.")
        return directory

    async def put(
        self, session: AsyncSession, principal: Principal, data: LdapDirectoryWrite
    ) -> LdapDirectory:
        repository = LdapDirectoryRepository.from_session(session)
        directory = await repository.of_team(principal.team_id)
        values = data.model_dump(exclude={"bind_password"})
        if directory is None:
            directory = LdapDirectory(
                id=new_id(IdPrefix.ldap_directory),
                team_id=principal.team_id,
                created_by=principal.user_id,
                **values,
            )
            await repository.create(directory)
        else:
            self._keep_password_at_home(directory, data)
            for name, value in values.items():
                setattr(directory, name, value)
            directory.updated_at = utcnow()
        if "bind_password" in data.model_fields_set or directory.bind_password is None:
            directory.bind_password = data.bind_password
        await session.flush()
        return directory

    def _keep_password_at_home(self, directory: LdapDirectory, data: LdapDirectoryWrite) -> None:
        """The stored password is only ever sent to the server and account it was given for:
        a new URL or bind DN needs it again, or it could be sent to a server of anyone's."""
        moved = (directory.url, directory.bind_dn) != (data.url, data.bind_dn)
        if moved and directory.bind_password and "bind_password" not in data.model_fields_set:
            raise ValidationFailed(
                [
                    FieldError(
                        "bind_password",
                        "required",
                        "give the bind password again when the URL or the bind DN changes",
                    )
                ]
            )

    async def delete(self, session: AsyncSession, principal: Principal) -> None:
        """The accounts it created stay as they are; they are no longer synced."""
        await session.delete(await self.get(session, principal))

    # ---- sync: applying what was read (runs.py reads the directory first) ---------------

    async def record(
        self,
        session: AsyncSession,
        directory_id: str,
        trigger: SyncTrigger,
        fetched: Fetched | LdapFailure,
        *,
        started_at: datetime,
        started_by: str | None,
    ) -> DirectorySyncRun | None:
        """Applies a read of the directory in one short write and records the run. A read
        that failed changes nothing (nobody is disabled because a server was down). None when
        the directory was removed meanwhile."""
        directory = await session.get(LdapDirectory, directory_id)
        if directory is None:
            return None
        run = DirectorySyncRun(
            id=new_id(IdPrefix.directory_sync),
            team_id=directory.team_id,
            trigger=trigger,
            status=SyncStatus.succeeded,
            started_at=started_at,
            started_by=started_by,
            errors=[],
        )
        tally = Tally()
        if isinstance(fetched, LdapFailure):
            run.status = SyncStatus.failed
            tally.error(str(fetched))
        else:
            users, groups = fetched
            await self._apply(session, directory, users, roles_by_dn(directory, groups), tally)
        directory.last_sync_at = run.finished_at = utcnow()
        run.seen, run.created, run.updated = tally.seen, tally.created, tally.updated
        run.disabled, run.errors = tally.disabled, tally.errors
        session.add(run)
        await session.flush()
        return run

    async def _apply(
        self,
        session: AsyncSession,
        directory: LdapDirectory,
        users: Sequence[Entry],
        roles: dict[str, str],
        tally: Tally,
    ) -> None:
        accounts = DirectoryAccountRepository.from_session(session)
        managed = {
            account.external_id: (account, user)
            for account, user in await accounts.accounts_with_users(
                accounts.with_users(directory.team_id, DirectorySource.ldap)
            )
        }
        seen: set[str] = set()
        for entry in users:
            role = roles.get(entry.dn.lower()) or directory.default_role
            if role is None:
                continue  # in no mapped group: not one of this team's users
            uid = entry.first(directory.uid_attribute)
            email = entry.first(directory.email_attribute)
            if not uid or not email or "@" not in email:
                tally.error(f"{entry.dn}: no {directory.uid_attribute} or no e-mail; skipped")
                continue
            seen.add(uid)
            tally.seen += 1
            name = entry.first(directory.name_attribute) or ""
            try:
                async with session.begin_nested():
                    await self._apply_one(
                        session, directory, managed.get(uid), entry, uid, email, name, role, tally
                    )
            except provisioning.AccountNotManaged as exc:
                tally.error(f"{entry.dn}: {exc.detail}")
        for uid, (account, user) in managed.items():
            if uid not in seen and await provisioning.deactivate(session, account, user):
                tally.disabled += 1

    async def _apply_one(
        self,
        session: AsyncSession,
        directory: LdapDirectory,
        known: tuple[DirectoryAccount, User] | None,
        entry: Entry,
        uid: str,
        email: str,
        name: str,
        role: str,
        tally: Tally,
    ) -> None:
        if known is None:
            await provisioning.create_managed(
                session,
                team_id=directory.team_id,
                source=DirectorySource.ldap,
                external_id=uid,
                external_ref=entry.dn,
                email=email,
                name=name,
                role=role,
            )
            tally.created += 1
            return
        account, user = known
        changed = await provisioning.update_profile(session, account, user, email=email, name=name)
        if await provisioning.set_role(session, directory.team_id, user, role):
            changed.append("role")
        if account.external_ref != entry.dn:
            account.external_ref = entry.dn
            changed.append("dn")
        provisioning.changed_audit(session, account, changed)
        enabled = await provisioning.reactivate(session, account, user)
        if changed or enabled:
            tally.updated += 1

    async def runs(
        self, session: AsyncSession, principal: Principal, page: PageParams
    ) -> Page[DirectorySyncRun]:
        rows = await SyncRunRepository.from_session(session).list_page(
            principal, limit=page.limit, before=page.after
        )
        return Page.from_rows(rows, page.limit, cursor=lambda run: run.id)

    async def run(
        self, session: AsyncSession, principal: Principal, run_id: str
    ) -> DirectorySyncRun:
        run = await SyncRunRepository.from_session(session).get(principal, run_id)
        if run is None:
            raise NotFound(f"No sync run {run_id}.")
        return run

    async def claim_due(self, session: AsyncSession) -> list[str]:
        """The teams whose scheduled sync is due and that this process claimed."""
        now = utcnow()
        repository = LdapDirectoryRepository.from_session(session)
        claimed = []
        for directory in await repository.all_syncing():
            if is_due(directory, now) and await repository.claim(directory, now):
                claimed.append(directory.team_id)
        return claimed

    async def of_team(self, session: AsyncSession, team_id: str) -> LdapDirectory | None:
        """For work done for the system (the scheduled sync, sign-in): no principal."""
        return await LdapDirectoryRepository.from_session(session).of_team(team_id)


ldap_directory = LdapDirectoryService()
