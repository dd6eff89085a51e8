"""LDAP password sign-in: the directory checks the password (a bind as the user), Folio
issues its usual token pair. Only an active account this team's directory manages signs in."""

from __future__ import annotations

import asyncio

from sqlalchemy.ext.asyncio import AsyncSession

from folio.auth.errors import AccountLocked, InvalidCredentials
from folio.auth.models import TokenPurpose
from folio.auth.schemas import LoginResult
from folio.auth.service import MFA_LOGIN_TTL
from folio.auth.throttle import LoginThrottle
from folio.auth.tokens import one_time_token, start_session
from folio.core.errors import ServiceUnavailable
from folio.core.runtime import Runtime
from folio.directory import ldapclient
from folio.directory.ldapclient import LdapFailure
from folio.directory.models import DirectorySource
from folio.directory.repository import DirectoryAccountRepository
from folio.directory.schemas import LdapLogin
from folio.directory.service import connection_config, user_query
from folio.directory.service import ldap_directory as ldap_service
from folio.ratelimit.limiter import build_storage
from folio.users.repository import UserRepository
from folio.users.service import user_read

THROTTLE = "directory.ldap_login_throttle"
REFUSED = "Username or password is wrong, or LDAP sign-in is not enabled for this team."


def throttle(runtime: Runtime) -> LoginThrottle:
    found = runtime.state.get(THROTTLE)
    if found is None:
        settings = runtime.settings
        found = LoginThrottle(
            build_storage(settings),
            settings.login_max_failures_per_ip,
            settings.login_ip_window_s,
            kind="ldap-ip",
        )
        runtime.state[THROTTLE] = found
    return found


async def ldap_login(
    runtime: Runtime, data: LdapLogin, *, ip: str | None, user_agent: str | None
) -> LoginResult:
    """Failures per address are throttled as for password sign-in; an account with MFA
    continues with its second factor (``POST /api/v1/auth/login/mfa``), as there. The bind
    runs with no transaction open; the session is then written in one short unit of work."""
    address = ip or "?"
    blocked = await throttle(runtime).blocked_for(address)
    if blocked > 0:
        raise AccountLocked("Too many failed sign-ins; try again later.", int(blocked) + 1)
    async with runtime.db.session(write=False) as session:
        directory = await ldap_service.of_team(session, data.team_id)
    if directory is None or not directory.login_enabled:
        await throttle(runtime).record(address)
        raise InvalidCredentials(REFUSED)
    try:
        config = await connection_config(runtime, directory)
        entry = await asyncio.to_thread(
            ldapclient.authenticate,
            config,
            user_query(directory),
            directory.uid_attribute,
            data.username,
            data.password,
        )
    except LdapFailure as exc:
        raise ServiceUnavailable("The team's LDAP directory cannot be reached now.") from exc
    uid = entry.first(directory.uid_attribute) if entry is not None else None
    async with runtime.db.session() as session:
        result = await _sign_in(session, runtime, directory.team_id, uid, ip, user_agent)
    if result is None:
        await throttle(runtime).record(address)
        raise InvalidCredentials(REFUSED)
    return result


async def _sign_in(
    session: AsyncSession,
    runtime: Runtime,
    team_id: str,
    uid: str | None,
    ip: str | None,
    user_agent: str | None,
) -> LoginResult | None:
    """Only an active account this team's directory manages signs in."""
    accounts = DirectoryAccountRepository.from_session(session)
    account = await accounts.by_external_id(team_id, DirectorySource.ldap, uid) if uid else None
    user = await UserRepository.from_session(session).get(account.user_id) if account else None
    if account is None or not account.active or user is None or not user.is_active:
        return None
    if user.mfa_enabled_at is not None:
        token = await one_time_token(session, user, TokenPurpose.mfa_login, MFA_LOGIN_TTL)
        return LoginResult(mfa_required=True, mfa_token=token)
    tokens = await start_session(session, runtime, user, ip=ip, user_agent=user_agent)
    return LoginResult(tokens=tokens, user=user_read(user))
