"""Turns a bearer token or API key into a :class:`Principal`, once per request."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from folio.auth.addresses import networks
from folio.auth.errors import InvalidToken, IpAllowlistRequired
from folio.auth.models import AuthSession
from folio.auth.repository import AuthRepository
from folio.auth.tokens import ACCESS
from folio.core.db import utcnow
from folio.core.errors import NotFound
from folio.core.permissions import Permission
from folio.core.principal import Credential, Principal, ScopedGrant
from folio.core.runtime import Runtime
from folio.core.security import InvalidToken as BadJwt
from folio.core.security import digest
from folio.keys.models import ApiKey
from folio.keys.repository import KeyRepository
from folio.keys.service import KEY_PREFIX, key_status, team_requires_allowlist
from folio.teams.access import member_grants
from folio.teams.models import Team
from folio.teams.repository import TeamRepository
from folio.users.models import User
from folio.users.repository import UserRepository


def credential_from_headers(headers: dict[bytes, bytes]) -> str | None:
    authorization = headers.get(b"authorization", b"").decode("latin-1").strip()
    scheme, _, value = authorization.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    api_key = headers.get(b"x-api-key", b"").decode("latin-1").strip()
    return api_key or None


async def resolve(runtime: Runtime, credential: str, team_header: str | None) -> Principal:
    async with runtime.db.session(write=False) as session:
        if credential.startswith(KEY_PREFIX):
            principal, last_used = await _from_api_key(
                session, credential, runtime.settings.api_keys_require_ip_allowlist
            )
        else:
            principal, last_used = await _from_access_token(
                session, runtime, credential, team_header
            )
    await _touch(runtime, principal, last_used)
    return principal


async def refresh(runtime: Runtime, principal: Principal) -> Principal:
    """``principal`` resolved again from the database, for a connection that outlives the
    request that signed it in (a WebSocket): the same key, or the same session acting in the
    same team, with today's permissions.

    Raises :class:`InvalidToken` when the key or session no longer holds (revoked, expired,
    signed out, account disabled, a key whose creator left the team) and :class:`NotFound`
    when the user is no longer a member of the team. An access token's own ``exp`` is not
    checked again: the session it was issued for is, with the session's expiry.
    """
    if principal.credential not in (Credential.user, Credential.api_key):
        return principal  # nothing stored can change (embedded single-team mode)
    async with runtime.db.session(write=False) as session:
        if principal.key_id is not None:
            key = await session.get(ApiKey, principal.key_id)
            if key is None:
                raise InvalidToken("The API key no longer exists.")
            return await _principal_for_key(
                session, key, runtime.settings.api_keys_require_ip_allowlist
            )
        return await _refreshed_user(session, principal)


async def _refreshed_user(session: AsyncSession, principal: Principal) -> Principal:
    if principal.session_id is not None:
        auth_session = await AuthRepository.from_session(session).get_session(principal.session_id)
        if (
            auth_session is None
            or _session_ended(auth_session, principal.user_id)
            or auth_session.expires_at <= utcnow()
        ):
            raise InvalidToken("The session of this token has ended.")
    user = await UserRepository.from_session(session).get(principal.user_id or "")
    if user is None or not user.is_active:
        raise InvalidToken("The account is disabled.")
    return await principal_for_user(
        session, user, principal.team_id, session_id=principal.session_id
    )


def _session_ended(auth_session: AuthSession, user_id: object) -> bool:
    return auth_session.revoked_at is not None or auth_session.user_id != user_id


async def _from_api_key(
    session: AsyncSession, secret: str, allowlist_required: bool
) -> tuple[Principal, datetime | None]:
    key = await KeyRepository.from_session(session).by_secret_hash(digest(secret))
    if key is None:
        raise InvalidToken("The API key is not valid (unknown, revoked, expired or inactive).")
    return await _principal_for_key(session, key, allowlist_required), key.last_used_at


async def _principal_for_key(
    session: AsyncSession, key: ApiKey, allowlist_required: bool
) -> Principal:
    if key_status(key) not in ("active", "rotated"):
        raise InvalidToken("The API key is not valid (unknown, revoked, expired or inactive).")
    owner = await UserRepository.from_session(session).get(key.user_id)
    if owner is None or not owner.is_active:
        raise InvalidToken("The API key's owner is disabled.")
    grants = await member_grants(session, key.team_id, key.user_id)
    if grants is None:
        raise InvalidToken("The API key's creator is no longer a member of its team.")
    team = await TeamRepository.from_session(session).get_unscoped(key.team_id)
    if key.allowed_ips is None and (allowlist_required or team_requires_allowlist(team)):
        raise IpAllowlistRequired(
            "This API key has no IP allow-list, which API keys need here: give it one "
            "(PATCH /api/v1/keys/{id} with allowed_ips).",
            team_id=key.team_id,
            user_id=key.user_id,
            key_id=key.id,
        )
    key_scopes = frozenset(Permission(s) for s in key.scopes)
    scoped = tuple(
        ScopedGrant(grant.permissions & key_scopes, grant.resource_ids) for grant in grants.scoped
    )
    return Principal(
        team_id=key.team_id,
        team_ids=frozenset({key.team_id}),
        permissions=key_scopes & grants.permissions,
        user_id=key.user_id,
        key_id=key.id,
        credential=Credential.api_key,
        plan=team.plan if team else "free",
        rate_limit_per_minute=key.rate_limit_per_minute,
        scoped_grants=scoped,
        quota_overrides=quota_overrides(team),
        allowed_networks=networks(key.allowed_ips),
    )


async def _from_access_token(
    session: AsyncSession, runtime: Runtime, token: str, team_header: str | None
) -> tuple[Principal, datetime | None]:
    try:
        claims = runtime.keys.decode(token)
    except BadJwt as exc:
        raise InvalidToken(f"The access token is not valid: {exc}.") from exc
    if claims.get("typ") != ACCESS:
        raise InvalidToken("This is not an access token.")
    auth_session = await AuthRepository.from_session(session).get_session(str(claims.get("sid")))
    if auth_session is None or _session_ended(auth_session, claims["sub"]):
        raise InvalidToken("The session of this token has ended.")
    user = await UserRepository.from_session(session).get(claims["sub"])
    if user is None or not user.is_active:
        raise InvalidToken("The account is disabled.")
    team_id = _bound_team(auth_session, team_header)
    principal = await principal_for_user(session, user, team_id, session_id=auth_session.id)
    return principal, auth_session.last_seen_at


def _bound_team(auth_session: AuthSession, team_header: str | None) -> str | None:
    """A session a team's identity provider started acts in that team only: another team
    answers as one the user is not a member of (issue 22)."""
    bound = auth_session.bound_team_id
    if bound is None:
        return team_header
    if team_header not in (None, bound):
        raise NotFound(f"No team {team_header}.")
    return bound


async def principal_for_user(
    session: AsyncSession, user: User, team_id: str | None = None, *, session_id: str | None = None
) -> Principal:
    """The user acting in ``team_id`` (default: their personal team)."""
    team_id = team_id or user.personal_team_id or ""
    grants = await member_grants(session, team_id, user.id)
    if grants is None:
        raise NotFound(f"No team {team_id}.")
    team = await TeamRepository.from_session(session).get_unscoped(team_id)
    permissions = grants.permissions | ({Permission.system_admin} if user.is_admin else set())
    return Principal(
        team_id=team_id,
        team_ids=frozenset({team_id}),
        permissions=permissions,
        user_id=user.id,
        credential=Credential.user,
        plan=team.plan if team else "free",
        session_id=session_id,
        scoped_grants=grants.scoped,
        quota_overrides=quota_overrides(team),
    )


def quota_overrides(team: Team | None) -> tuple[tuple[str, int | None], ...]:
    return tuple(sorted((team.quota_overrides or {}).items())) if team is not None else ()


async def _touch(runtime: Runtime, principal: Principal, last_used: datetime | None) -> None:
    """Records last use at most once per resolution period, not on every request, and
    whatever becomes of the request (which has no session yet: this runs in the middleware)."""
    resolution = timedelta(seconds=runtime.settings.api_key_last_used_resolution_s)
    now = utcnow()
    if last_used is not None and now - last_used < resolution:
        return
    async with runtime.db.independent() as session:
        if principal.key_id is not None:
            await session.execute(
                update(ApiKey).where(ApiKey.id == principal.key_id).values(last_used_at=now)
            )
        elif principal.session_id is not None:
            await session.execute(
                update(AuthSession)
                .where(AuthSession.id == principal.session_id)
                .values(last_seen_at=now)
            )
