"""Identity providers: a team's own, managed by its admins, and installation-wide ones,
managed by installation admins. The client secret is written, never read back."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from folio.auth.repository import AuthRepository
from folio.auth.service import PASSWORD_LOGIN_CHECKS
from folio.core.db import utcnow
from folio.core.errors import FieldError, Forbidden, NotFound, ValidationFailed
from folio.core.events import access_changed
from folio.core.ids import IdPrefix, new_id
from folio.core.pagination import Page, PageParams
from folio.core.permissions import Permission
from folio.core.principal import Principal
from folio.core.runtime import Runtime
from folio.sso.models import IdentityProvider
from folio.sso.oidc import OidcClient, ProviderUnavailable
from folio.sso.repository import ProviderRepository
from folio.sso.schemas import ClaimMapping, ProviderCreate, ProviderRead, ProviderUpdate
from folio.users.models import User

OIDC_CLIENT = "sso.oidc_client"
TEAM_ONLY = ("group_roles", "auto_join", "sso_required")


class SsoRequired(Forbidden):
    code = "SSO_REQUIRED"
    title = "This team signs in through its identity provider"


def oidc_client(runtime: Runtime) -> OidcClient:
    client = runtime.state.get(OIDC_CLIENT)
    if client is None:
        client = runtime.state[OIDC_CLIENT] = OidcClient(runtime.settings)
    assert isinstance(client, OidcClient)
    return client


def provider_read(provider: IdentityProvider) -> ProviderRead:
    return ProviderRead(
        id=provider.id,
        team_id=provider.team_id,
        name=provider.name,
        issuer=provider.issuer,
        client_id=provider.client_id,
        has_client_secret=provider.client_secret is not None,
        scopes=provider.scopes,
        claims=ClaimMapping.model_validate(provider.claims),
        group_roles=provider.group_roles,
        default_role=provider.default_role,
        allowed_domains=provider.allowed_domains,
        redirect_uris=provider.redirect_uris,
        post_logout_redirect_uri=provider.post_logout_redirect_uri,
        auto_join=provider.auto_join,
        jit_provisioning=provider.jit_provisioning,
        sso_required=provider.sso_required,
        is_active=provider.is_active,
        created_at=provider.created_at,
    )


class ProviderService:
    async def create(
        self, session: AsyncSession, principal: Principal, runtime: Runtime, data: ProviderCreate
    ) -> ProviderRead:
        if data.installation_wide:
            self._require_installation_admin(principal)
            self._refuse_team_only(data.model_dump(include=set(TEAM_ONLY)))
        issuer = str(data.issuer).rstrip("/")
        await self._check_discovery(runtime, issuer)
        provider = IdentityProvider(
            id=new_id(IdPrefix.identity_provider),
            team_id=None if data.installation_wide else principal.team_id,
            name=data.name,
            issuer=issuer,
            client_id=data.client_id,
            client_secret=data.client_secret,
            scopes=self._with_openid(data.scopes),
            claims=data.claims.model_dump(),
            group_roles=data.group_roles,
            default_role=data.default_role,
            allowed_domains=data.allowed_domains,
            redirect_uris=[str(uri) for uri in data.redirect_uris],
            post_logout_redirect_uri=(
                str(data.post_logout_redirect_uri) if data.post_logout_redirect_uri else None
            ),
            auto_join=data.auto_join,
            jit_provisioning=data.jit_provisioning,
            sso_required=data.sso_required,
            created_by=principal.user_id,
        )
        ProviderRepository.from_session(session).add(provider)
        await session.flush()
        if provider.sso_required:
            await self._sign_members_out(session, principal, provider)
        return provider_read(provider)

    @staticmethod
    def _with_openid(scopes: list[str]) -> list[str]:
        return list(dict.fromkeys(["openid", *scopes]))

    @staticmethod
    def _require_installation_admin(principal: Principal) -> None:
        if not principal.can(Permission.system_admin):
            raise Forbidden("Only installation admins manage installation-wide providers.")

    @staticmethod
    def _refuse_team_only(values: dict[str, object]) -> None:
        errors = [
            FieldError(field, "team_only", "Only a team's provider can have this.")
            for field, value in values.items()
            if value
        ]
        if errors:
            raise ValidationFailed(errors)

    async def _check_discovery(self, runtime: Runtime, issuer: str) -> None:
        try:
            await oidc_client(runtime).metadata(issuer)
        except ProviderUnavailable as exc:
            raise ValidationFailed([FieldError("issuer", "discovery_failed", exc.detail)]) from exc

    async def get(
        self, session: AsyncSession, principal: Principal, provider_id: str
    ) -> IdentityProvider:
        provider = await ProviderRepository.from_session(session).get(principal, provider_id)
        if provider is None:
            raise NotFound(f"No identity provider {provider_id}.")
        return provider

    async def get_read(
        self, session: AsyncSession, principal: Principal, provider_id: str
    ) -> ProviderRead:
        return provider_read(await self.get(session, principal, provider_id))

    async def list_providers(
        self, session: AsyncSession, principal: Principal, page: PageParams
    ) -> Page[ProviderRead]:
        rows = await ProviderRepository.from_session(session).list_page(
            principal, limit=page.limit, after=page.after
        )
        items = [provider_read(row) for row in rows]
        return Page.from_rows(items, page.limit, cursor=lambda provider: provider.id)

    async def _writable(
        self, session: AsyncSession, principal: Principal, provider_id: str
    ) -> IdentityProvider:
        provider = await self.get(session, principal, provider_id)
        if provider.team_id is None:
            self._require_installation_admin(principal)
        return provider

    async def update(
        self,
        session: AsyncSession,
        principal: Principal,
        provider_id: str,
        data: ProviderUpdate,
    ) -> ProviderRead:
        provider = await self._writable(session, principal, provider_id)
        changes = data.model_dump(exclude_unset=True, mode="json")
        if provider.team_id is None:
            self._refuse_team_only({k: v for k, v in changes.items() if k in TEAM_ONLY})
        if "scopes" in changes and changes["scopes"] is not None:
            changes["scopes"] = self._with_openid(changes["scopes"])
        newly_required = changes.get("sso_required") is True and not provider.sso_required
        for field, value in changes.items():
            nullable = field in ("client_secret", "post_logout_redirect_uri")
            if value is not None or nullable:
                setattr(provider, field, value)
        if newly_required and provider.is_active:
            await self._sign_members_out(session, principal, provider)
        return provider_read(provider)

    async def _sign_members_out(
        self, session: AsyncSession, principal: Principal, provider: IdentityProvider
    ) -> None:
        """ "SSO required" turned on ends the members' sessions (but this admin's current
        one), so no password session outlives the rule; they sign in again through SSO."""
        assert provider.team_id is not None
        members = await ProviderRepository.from_session(session).members_to_sign_out(
            provider.team_id
        )
        sessions, now = AuthRepository.from_session(session), utcnow()
        for user_id in members:
            await sessions.revoke_sessions(user_id, now, "sso_required", keep=principal.session_id)
            access_changed(session, user_id=user_id)

    async def delete(self, session: AsyncSession, principal: Principal, provider_id: str) -> None:
        await session.delete(await self._writable(session, principal, provider_id))

    async def refuse_password_login(self, session: AsyncSession, user: User) -> None:
        """ "SSO required": a member of such a team signs in through its provider. An
        installation admin keeps the password, so a broken provider locks nobody out."""
        if user.is_admin:
            return
        provider = await ProviderRepository.from_session(session).requiring_sso_for(user.id)
        if provider is not None:
            raise SsoRequired(
                f"Your team requires single sign-on: sign in with {provider.name}.",
                provider_id=provider.id,
            )


provider = ProviderService()
if provider.refuse_password_login not in PASSWORD_LOGIN_CHECKS:
    PASSWORD_LOGIN_CHECKS.append(provider.refuse_password_login)
