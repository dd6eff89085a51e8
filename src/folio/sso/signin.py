"""Signing in through a provider: start (state, nonce, PKCE verifier kept server-side),
finish (the code exchanged, the ID token checked, the user found, linked or provisioned),
and RP-initiated logout. The session it starts is Folio's normal one; a team provider's
session acts in that team only, so another team's provider can never reach this team."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from authlib.common.security import generate_token
from sqlalchemy.ext.asyncio import AsyncSession

from folio.audit.service import audit as audit_service
from folio.auth.accounts import create_account
from folio.auth.repository import AuthRepository
from folio.auth.service import Client
from folio.auth.service import auth as auth_service
from folio.auth.tokens import start_session
from folio.core.db import after_rollback, utcnow
from folio.core.errors import (
    Conflict,
    FieldError,
    Forbidden,
    NotFound,
    Unauthorized,
    ValidationFailed,
)
from folio.core.ids import IdPrefix, new_id
from folio.core.permissions import BuiltinRole
from folio.core.principal import Principal
from folio.core.runtime import Runtime
from folio.core.security import digest, new_secret
from folio.sso import oidc
from folio.sso.models import FlowKind, IdentityProvider, SsoFlow, SsoIdentity, SsoSession
from folio.sso.repository import ProviderRepository
from folio.sso.schemas import FlowStarted, LogoutResult, SsoLoginResult
from folio.sso.service import oidc_client
from folio.teams.repository import TeamRepository
from folio.teams.service import team as team_service
from folio.users.models import User
from folio.users.service import user as user_service
from folio.users.service import user_read

ROLE_RANK = {BuiltinRole.viewer: 0, BuiltinRole.member: 1, BuiltinRole.admin: 2}
CALLBACK_PATH = "/sso/callback"


class StateInvalid(Unauthorized):
    code = "SSO_STATE_INVALID"
    title = "The sign-in is unknown, already used or expired; start again"


class ProviderAmbiguous(Conflict):
    code = "SSO_PROVIDER_AMBIGUOUS"
    title = "Several identity providers sign in this e-mail domain"


class SignInRefused(Forbidden):
    code = "SSO_SIGN_IN_REFUSED"
    title = "The identity provider's user may not sign in here"


@dataclass(frozen=True)
class Identity:
    subject: str
    email: str
    name: str
    groups: list[str]


class SignInService:
    async def start(
        self,
        session: AsyncSession,
        runtime: Runtime,
        *,
        provider_id: str | None,
        email: str | None,
        redirect_uri: str | None,
        kind: FlowKind,
    ) -> FlowStarted:
        repository = ProviderRepository.from_session(session)
        provider = await self._pick(repository, provider_id, email)
        redirect = self._redirect_uri(runtime, provider, redirect_uri)
        client = oidc_client(runtime)
        metadata = await client.metadata(provider.issuer)
        state, nonce, verifier = generate_token(43), generate_token(32), generate_token(64)
        now = utcnow()
        await repository.drop_expired_flows(now)
        flow = SsoFlow(
            id=new_id(IdPrefix.sso_flow),
            provider_id=provider.id,
            state_hash=digest(state),
            nonce=nonce,
            code_verifier=verifier,
            redirect_uri=redirect,
            kind=kind,
            created_at=now,
            expires_at=now + timedelta(seconds=runtime.settings.sso_flow_ttl_s),
        )
        repository.add(flow)
        url = client.authorization_url(
            metadata,
            oidc.Client(provider.client_id, provider.client_secret, redirect),
            scopes=provider.scopes,
            state=state,
            nonce=nonce,
            code_verifier=verifier,
        )
        return FlowStarted(
            flow_id=flow.id,
            provider_id=provider.id,
            authorization_url=url,
            redirect_uri=redirect,
            expires_at=flow.expires_at,
        )

    async def _pick(
        self, repository: ProviderRepository, provider_id: str | None, email: str | None
    ) -> IdentityProvider:
        if provider_id:
            provider = await repository.for_sign_in(provider_id)
            if provider is None:
                raise NotFound(f"No identity provider {provider_id}.")
            return provider
        domain = (email or "").rpartition("@")[2].strip().lower()
        if not domain:
            raise ValidationFailed(
                [FieldError("provider_id", "required", "Name a provider_id or an e-mail address.")]
            )
        claiming = [p for p in await repository.active() if domain in p.allowed_domains]
        # an installation admin's provider wins; among teams' providers the domain must be
        # unambiguous, or one team could route another team's people to its own sign-in page
        chosen = [p for p in claiming if p.team_id is None] or claiming
        if not chosen:
            raise NotFound(f"No identity provider signs in addresses at {domain}.")
        if len(chosen) > 1:
            raise ProviderAmbiguous(
                f"Several identity providers sign in addresses at {domain}; "
                "start with your provider_id (ask your admin for it)."
            )
        return chosen[0]

    def _redirect_uri(self, runtime: Runtime, provider: IdentityProvider, asked: str | None) -> str:
        default = f"{runtime.settings.public_url.rstrip('/')}{CALLBACK_PATH}"
        if asked is None:
            return default
        if asked != default and asked not in provider.redirect_uris:
            raise ValidationFailed(
                [
                    FieldError(
                        "redirect_uri",
                        "not_registered",
                        "Use PUBLIC_URL/sso/callback or one of the provider's redirect_uris.",
                    )
                ]
            )
        return asked

    async def finish(
        self,
        session: AsyncSession,
        runtime: Runtime,
        *,
        flow_id: str,
        code: str,
        state: str,
        kind: FlowKind,
        client: Client,
    ) -> SsoLoginResult:
        repository = ProviderRepository.from_session(session)
        flow = await repository.flow_by_state(flow_id, digest(state))
        if flow is None or flow.used_at is not None or flow.expires_at <= utcnow():
            raise StateInvalid("The sign-in is unknown, already used or expired; start again.")
        if flow.kind != kind:
            raise StateInvalid("This sign-in was started elsewhere; start again.")
        flow.used_at = utcnow()
        self._spend_after_rollback(session, runtime, flow.id)
        provider = await repository.for_sign_in(flow.provider_id)
        if provider is None:
            raise StateInvalid("The identity provider was turned off; start again.")
        claims, id_token = await self._verified_claims(runtime, provider, flow, code)
        identity = self._identity(provider, claims)
        user = await self._user_for(session, runtime, provider, identity)
        if user is None:
            return SsoLoginResult(pending_approval=True, team_id=provider.team_id)
        tokens = await start_session(
            session, runtime, user, ip=client.ip, user_agent=client.user_agent
        )
        auth_session = await AuthRepository.from_session(session).get_session(tokens.session_id)
        assert auth_session is not None
        auth_session.bound_team_id = provider.team_id
        repository.add(
            SsoSession(
                session_id=auth_session.id,
                provider_id=provider.id,
                id_token=id_token,
                created_at=utcnow(),
            )
        )
        self._audit(session, provider, user, client, kind)
        return SsoLoginResult(tokens=tokens, user=user_read(user), team_id=provider.team_id)

    def _spend_after_rollback(self, session: AsyncSession, runtime: Runtime, flow_id: str) -> None:
        """A refused callback rolls back: spend its state in a session of our own, so the
        same state can never be tried twice."""

        async def spend() -> None:
            async with runtime.db.independent() as own_session:
                flow = await own_session.get(SsoFlow, flow_id)
                if flow is not None and flow.used_at is None:
                    flow.used_at = utcnow()

        after_rollback(session, spend)

    async def _verified_claims(
        self, runtime: Runtime, provider: IdentityProvider, flow: SsoFlow, code: str
    ) -> tuple[dict[str, Any], str]:
        client = oidc_client(runtime)
        metadata = await client.metadata(provider.issuer)
        registration = oidc.Client(provider.client_id, provider.client_secret, flow.redirect_uri)
        answer = await client.exchange(
            metadata, registration, code=code, code_verifier=flow.code_verifier
        )
        id_token = str(answer["id_token"])
        claims = await client.validate_id_token(
            metadata, provider.client_id, id_token, nonce=flow.nonce
        )
        access_token = answer.get("access_token")
        if metadata.userinfo_endpoint and isinstance(access_token, str):
            # Entra ID, Okta … may put e-mail or groups only there
            userinfo = await client.userinfo(metadata, access_token)
            claims = oidc.merge_userinfo(claims, userinfo)
        return claims, id_token

    def _identity(self, provider: IdentityProvider, claims: dict[str, Any]) -> Identity:
        names = provider.claims
        email = claims.get(names.get("email", "email"))
        if not isinstance(email, str) or "@" not in email:
            raise SignInRefused("The provider sent no e-mail address; map the e-mail claim.")
        if claims.get("email_verified") is False:
            raise SignInRefused("The provider says this e-mail address is not verified.")
        email = email.strip().lower()
        domain = email.rpartition("@")[2]
        if provider.allowed_domains and domain not in provider.allowed_domains:
            raise SignInRefused(f"Addresses at {domain} may not sign in through this provider.")
        groups = claims.get(names.get("groups", "groups")) or []
        name = claims.get(names.get("name", "name"))
        return Identity(
            subject=str(claims["sub"]),
            email=email,
            name=name[:200] if isinstance(name, str) else "",
            groups=[str(g) for g in groups] if isinstance(groups, list) else [str(groups)],
        )

    async def _user_for(
        self,
        session: AsyncSession,
        runtime: Runtime,
        provider: IdentityProvider,
        identity: Identity,
    ) -> User | None:
        """The signed-in user, or None while a new member waits for a team admin."""
        repository = ProviderRepository.from_session(session)
        link = await repository.identity(provider.id, identity.subject)
        if link is not None:
            user = await self._active_user(session, link.user_id)
        else:
            user = await self._link(session, provider, identity)
            repository.add(
                SsoIdentity(
                    id=new_id(IdPrefix.sso_identity),
                    provider_id=provider.id,
                    subject=identity.subject,
                    user_id=user.id,
                )
            )
        if link is not None:
            link.last_login_at = utcnow()
        if provider.team_id is None:
            return user
        return await self._in_team(session, runtime, provider, user, identity)

    async def _active_user(self, session: AsyncSession, user_id: str) -> User:
        try:
            return await user_service.get(session, user_id)
        except NotFound as exc:
            raise SignInRefused("This account is disabled.") from exc

    async def _link(
        self, session: AsyncSession, provider: IdentityProvider, identity: Identity
    ) -> User:
        """An existing account by its e-mail address; a team's provider links only an
        account that is already a member of its team. Else a new account (JIT)."""
        existing = await user_service.get_by_email(session, identity.email)
        if existing is not None:
            if not existing.is_active:
                raise SignInRefused("This account is disabled.")
            if provider.team_id is not None:
                membership = await TeamRepository.from_session(session).membership(
                    provider.team_id, existing.id
                )
                if membership is None:
                    raise SignInRefused(
                        "This account is not a member of the provider's team; ask a team "
                        "admin for an invitation, then sign in again."
                    )
            return existing
        if not provider.jit_provisioning:
            raise SignInRefused("No account has this e-mail address; ask an admin for one.")
        # no password anyone knows: the account signs in through its provider (or resets one)
        return await create_account(
            session,
            email=identity.email,
            password=new_secret(),
            name=identity.name,
            verified=True,
        )

    async def _in_team(
        self,
        session: AsyncSession,
        runtime: Runtime,
        provider: IdentityProvider,
        user: User,
        identity: Identity,
    ) -> User | None:
        assert provider.team_id is not None
        role = self._mapped_role(provider, identity.groups)
        membership = await TeamRepository.from_session(session).membership(
            provider.team_id, user.id
        )
        if membership is None:
            team = await team_service.get_unscoped(session, provider.team_id)
            membership = await team_service.add_member(
                session, runtime, team, user.id, role, pending=not provider.auto_join
            )
        elif provider.group_roles and membership.role in ROLE_RANK:
            membership.role = role  # the provider's groups decide; an owner stays owner
        return user if membership.status == "active" else None

    def _mapped_role(self, provider: IdentityProvider, groups: list[str]) -> str:
        mapped = [provider.group_roles[g] for g in groups if g in provider.group_roles]
        if not mapped:
            return provider.default_role
        return max(mapped, key=lambda role: ROLE_RANK.get(BuiltinRole(role), 0))

    def _audit(
        self,
        session: AsyncSession,
        provider: IdentityProvider,
        user: User,
        client: Client,
        kind: FlowKind,
    ) -> None:
        audit_service.record(
            session,
            team_id=provider.team_id or user.personal_team_id,
            actor_type="user",
            actor_user_id=user.id,
            action="sso.login",
            resource_type="identity_provider",
            resource_id=provider.id,
            method="POST",
            route=f"sso {kind.value} sign-in",
            status_code=200,
            outcome="success",
            ip=(client.ip or "")[:64] or None,
            user_agent=(client.user_agent or "")[:500] or None,
            changed_fields=[],
        )

    async def logout(
        self, session: AsyncSession, runtime: Runtime, principal: Principal
    ) -> LogoutResult:
        """Ends the Folio session and, for an SSO one, says where the provider signs out."""
        end_session_url = None
        if principal.session_id is not None:
            sso = await ProviderRepository.from_session(session).sso_session(principal.session_id)
            provider = (
                await ProviderRepository.from_session(session).for_sign_in(sso.provider_id)
                if sso is not None
                else None
            )
            if sso is not None and provider is not None:
                end_session_url = await self._end_session_url(runtime, provider, sso.id_token)
        await auth_service.logout(session, principal)
        return LogoutResult(end_session_url=end_session_url)

    async def _end_session_url(
        self, runtime: Runtime, provider: IdentityProvider, id_token: str
    ) -> str | None:
        """None when the provider cannot be asked now: Folio's session ends all the same."""
        client = oidc_client(runtime)
        try:
            metadata = await client.metadata(provider.issuer)
        except oidc.ProviderUnavailable:
            return None
        return client.end_session_url(
            metadata, provider.client_id, id_token, provider.post_logout_redirect_uri
        )


signin = SignInService()
