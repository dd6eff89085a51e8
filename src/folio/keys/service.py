"""API keys: created once (full key shown once), stored as a hash, scoped, rotated, revoked."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from ipaddress import IPv4Network, IPv6Network

from sqlalchemy.ext.asyncio import AsyncSession

from folio.config import Settings
from folio.core.db import utcnow
from folio.core.errors import FieldError, Forbidden, NotFound, ValidationFailed
from folio.core.events import access_changed
from folio.core.ids import IdPrefix, new_id
from folio.core.pagination import Page, PageParams
from folio.core.permissions import Permission
from folio.core.plans import PlanLimit, ensure_room, plan_limit
from folio.core.principal import Principal
from folio.core.security import digest, new_secret
from folio.keys.models import ApiKey
from folio.keys.repository import KeyRepository
from folio.keys.schemas import KeyCreate, KeyCreated, KeyRead, KeyRotate, KeyUpdate
from folio.ratelimit.policy import plan_minute_limit
from folio.teams.access import ensure_grantable
from folio.teams.models import Team
from folio.teams.repository import TeamRepository
from folio.usage.schemas import KeyUsage
from folio.usage.service import usage as usage_service

KEY_PREFIX = "fk_"
VISIBLE_CHARACTERS = 8


def new_key_secret() -> str:
    return f"{KEY_PREFIX}{new_secret(30)}"


def key_status(key: ApiKey) -> str:
    now = utcnow()
    if key.revoked_at is not None:
        return "revoked"
    if key.replaced_by is not None:
        return "rotated" if key.grace_until and key.grace_until > now else "revoked"
    if key.expires_at is not None and key.expires_at <= now:
        return "expired"
    return "active" if key.is_active else "inactive"


def key_read(key: ApiKey) -> KeyRead:
    return KeyRead(
        id=key.id,
        team_id=key.team_id,
        user_id=key.user_id,
        name=key.name,
        masked_key=f"{key.prefix}…",
        scopes=key.scopes,
        rate_limit_per_minute=key.rate_limit_per_minute,
        status=key_status(key),
        is_active=key.is_active,
        expires_at=key.expires_at,
        last_used_at=key.last_used_at,
        revoked_at=key.revoked_at,
        replaced_by=key.replaced_by,
        grace_until=key.grace_until,
        allowed_ips=key.allowed_ips,
        created_at=key.created_at,
    )


def team_requires_allowlist(team: Team | None) -> bool:
    return bool(team is not None and (team.settings or {}).get("require_key_ip_allowlist"))


def normalized_networks(wanted: Sequence[IPv4Network | IPv6Network] | None) -> list[str] | None:
    return None if wanted is None else sorted({str(network) for network in wanted})


def check_rate_limit(settings: Settings, principal: Principal, wanted: int | None) -> None:
    """A key's own per-minute limit may only lower the plan's: above it is refused (422), not
    clamped, so the caller learns the limit instead of finding it out through 429s."""
    ceiling = plan_minute_limit(settings, principal.plan)
    if wanted is not None and ceiling is not None and wanted > ceiling:
        raise ValidationFailed(
            [
                FieldError(
                    "rate_limit_per_minute",
                    "above_plan",
                    f"The team's {principal.plan} plan allows at most {ceiling} per minute.",
                )
            ]
        )


class KeyService:
    async def create(
        self, session: AsyncSession, principal: Principal, settings: Settings, data: KeyCreate
    ) -> KeyCreated:
        scopes = self._scopes(principal, data.scopes)
        check_rate_limit(settings, principal, data.rate_limit_per_minute)
        allowed_ips = normalized_networks(data.allowed_ips)
        if allowed_ips is None:
            await self._ensure_allowlist_optional(session, settings, principal.team_id)
        await self._ensure_key_room(session, principal, settings)
        secret = new_key_secret()
        key = await KeyRepository.from_session(session).add(
            ApiKey(
                id=new_id(IdPrefix.key),
                team_id=principal.team_id,
                user_id=principal.user_id or "",
                name=data.name,
                prefix=secret[: len(KEY_PREFIX) + VISIBLE_CHARACTERS],
                secret_hash=digest(secret),
                scopes=scopes,
                rate_limit_per_minute=data.rate_limit_per_minute,
                expires_at=data.expires_at,
                allowed_ips=allowed_ips,
            )
        )
        return KeyCreated(**key_read(key).model_dump(), key=secret)

    async def _ensure_allowlist_optional(
        self, session: AsyncSession, settings: Settings, team_id: str
    ) -> None:
        """A key without an allow-list is refused where the installation or the team requires
        one (a key of a required team without one is also refused at use)."""
        team = await TeamRepository.from_session(session).get_unscoped(team_id)
        if settings.api_keys_require_ip_allowlist or team_requires_allowlist(team):
            raise ValidationFailed(
                [
                    FieldError(
                        "allowed_ips",
                        "required_by_policy",
                        "API keys need an IP allow-list here (a list of CIDRs).",
                    )
                ]
            )

    async def _ensure_key_room(
        self, session: AsyncSession, principal: Principal, settings: Settings
    ) -> None:
        """The plan's ``api_keys``: revoked and rotated-away keys do not count; inactive and
        expired ones do (an update can re-arm them). Creations in one team take turns."""
        allowed = plan_limit(settings, principal.plan, PlanLimit.api_keys)
        if allowed is None:
            return
        await TeamRepository.from_session(session).lock(principal.team_id)
        used = await KeyRepository.from_session(session).count_unrevoked(principal.team_id)
        ensure_room(used, allowed, PlanLimit.api_keys, holder=f"The team's {principal.plan} plan")

    def _scopes(self, principal: Principal, wanted: list[Permission] | None) -> list[str]:
        if principal.user_id is None:
            raise Forbidden("Keys are created by users.")
        held = principal.permissions - {Permission.system_admin}
        scopes = frozenset(wanted) if wanted is not None else held
        ensure_grantable(principal.permissions, scopes)
        return sorted(str(scope) for scope in scopes)

    def _ensure_holds_scopes(self, principal: Principal, key: ApiKey) -> None:
        """Rotating hands out a new secret and updating re-arms a key: a team manager doing
        either to someone else's key must hold every scope it carries, or the rotation would
        grant what ``ensure_grantable`` refuses at creation."""
        if key.user_id != principal.user_id:
            ensure_grantable(principal.permissions, frozenset(Permission(s) for s in key.scopes))

    async def list_keys(
        self, session: AsyncSession, principal: Principal, page: PageParams
    ) -> Page[KeyRead]:
        own_only = not principal.can(Permission.team_manage)
        rows = await KeyRepository.from_session(session).list_page(
            principal, own_only=own_only, limit=page.limit, after=page.after
        )
        return Page.from_rows([key_read(k) for k in rows], page.limit, cursor=lambda k: k.id)

    async def _get(self, session: AsyncSession, principal: Principal, key_id: str) -> ApiKey:
        key = await KeyRepository.from_session(session).get(principal, key_id)
        visible = key is not None and (
            key.user_id == principal.user_id or principal.can(Permission.team_manage)
        )
        if key is None or not visible:
            raise NotFound(f"No API key {key_id}.")
        return key

    async def get(self, session: AsyncSession, principal: Principal, key_id: str) -> KeyRead:
        return key_read(await self._get(session, principal, key_id))

    async def update(
        self,
        session: AsyncSession,
        principal: Principal,
        settings: Settings,
        key_id: str,
        data: KeyUpdate,
    ) -> KeyRead:
        key = await self._get(session, principal, key_id)
        self._ensure_holds_scopes(principal, key)
        changes = data.model_dump(exclude_unset=True)
        check_rate_limit(settings, principal, changes.get("rate_limit_per_minute"))
        if changes.get("scopes") is not None:
            key.scopes = self._scopes(principal, data.scopes)
        for field in ("name", "is_active"):
            if changes.get(field) is not None:
                setattr(key, field, changes[field])
        for field in ("rate_limit_per_minute", "expires_at"):  # null clears these
            if field in changes:
                setattr(key, field, changes[field])
        if "allowed_ips" in changes:
            key.allowed_ips = normalized_networks(data.allowed_ips)
            if key.allowed_ips is None:
                await self._ensure_allowlist_optional(session, settings, key.team_id)
        access_changed(session, team_id=key.team_id, key_id=key.id)
        return key_read(key)

    async def rotate(
        self, session: AsyncSession, principal: Principal, key_id: str, data: KeyRotate
    ) -> KeyCreated:
        old = await self._get(session, principal, key_id)
        if key_status(old) not in ("active", "inactive"):
            raise NotFound(f"No active API key {key_id}.")
        self._ensure_holds_scopes(principal, old)
        secret = new_key_secret()
        new = await KeyRepository.from_session(session).add(
            ApiKey(
                id=new_id(IdPrefix.key),
                team_id=old.team_id,
                user_id=old.user_id,
                name=old.name,
                prefix=secret[: len(KEY_PREFIX) + VISIBLE_CHARACTERS],
                secret_hash=digest(secret),
                scopes=old.scopes,
                rate_limit_per_minute=old.rate_limit_per_minute,
                is_active=old.is_active,
                expires_at=old.expires_at,
                allowed_ips=old.allowed_ips,
            )
        )
        old.replaced_by = new.id
        old.grace_until = utcnow() + timedelta(seconds=data.grace_period_s)
        access_changed(session, team_id=old.team_id, key_id=old.id)
        return KeyCreated(**key_read(new).model_dump(), key=secret)

    async def usage(
        self,
        session: AsyncSession,
        principal: Principal,
        key_id: str,
        *,
        start: date | None,
        end: date | None,
    ) -> KeyUsage:
        await self._get(session, principal, key_id)  # 404 for keys you cannot see
        end = end or utcnow().date()
        start = start or end - timedelta(days=30)
        return await usage_service.usage_for_key(session, principal, key_id, start, end)

    async def revoke(self, session: AsyncSession, principal: Principal, key_id: str) -> None:
        key = await self._get(session, principal, key_id)
        key.revoked_at = key.revoked_at or utcnow()
        key.is_active = False
        access_changed(session, team_id=key.team_id, key_id=key.id)


key = KeyService()
