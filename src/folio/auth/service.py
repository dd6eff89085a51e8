"""Accounts: register, sign in (with MFA), refresh, sign out, sessions, passwords, e-mail."""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from folio.auth.accounts import create_account
from folio.auth.errors import (
    AccountLocked,
    InvalidCredentials,
    InvalidMfaCode,
    InvalidToken,
    RegistrationClosed,
    TokenReused,
)
from folio.auth.mfa import mfa as mfa_service
from folio.auth.models import TokenPurpose
from folio.auth.repository import AuthRepository
from folio.auth.schemas import (
    ChangePasswordRequest,
    LoginRequest,
    LoginResult,
    MfaLoginRequest,
    RegisterRequest,
    ResetPasswordRequest,
    SessionRead,
    TokenPair,
)
from folio.auth.throttle import LoginThrottle
from folio.auth.tokens import issue_tokens, one_time_token, redeem, start_session
from folio.core.db import after_commit, after_rollback, utcnow
from folio.core.errors import NotFound
from folio.core.events import access_changed
from folio.core.mail import Mail
from folio.core.principal import Principal
from folio.core.runtime import Runtime
from folio.core.security import digest, hash_password, verify_password
from folio.ratelimit.limiter import build_storage
from folio.teams.repository import TeamRepository
from folio.users.models import User
from folio.users.service import user as user_service
from folio.users.service import user_read

VERIFY_TTL = timedelta(days=2)
RESET_TTL = timedelta(hours=1)
MFA_LOGIN_TTL = timedelta(minutes=5)
LOGIN_THROTTLES = "auth.login_throttles"
PasswordLoginCheck = Callable[[AsyncSession, User], Awaitable[None]]
# rules other domains add to a password sign-in, run once the password is right (single
# sign-on's "SSO required" raises there): auth imports none of them
PASSWORD_LOGIN_CHECKS: list[PasswordLoginCheck] = []


@dataclass(frozen=True)
class Client:
    ip: str | None
    user_agent: str | None


class AuthService:
    async def register(
        self, session: AsyncSession, runtime: Runtime, data: RegisterRequest, client: Client
    ) -> LoginResult:
        await self._check_registration(session, runtime, data)
        user = await create_account(
            session, email=str(data.email), password=data.password, name=data.name
        )
        await self._send_verification(session, runtime, user)
        tokens = await start_session(
            session, runtime, user, ip=client.ip, user_agent=client.user_agent
        )
        return LoginResult(tokens=tokens, user=user_read(user))

    async def _check_registration(
        self, session: AsyncSession, runtime: Runtime, data: RegisterRequest
    ) -> None:
        """``FOLIO_REGISTRATION``: open to anyone, by a pending invitation to this very
        address, or closed (accounts are made by system admins)."""
        mode = runtime.settings.registration
        if mode == "closed":
            raise RegistrationClosed(
                "This installation does not take sign-ups; ask an administrator for an account."
            )
        if mode == "invite":
            token = data.invitation_token
            invitation = (
                await TeamRepository.from_session(session).invitation_by_token(digest(token))
                if token
                else None
            )
            if (
                invitation is None
                or invitation.email != str(data.email).lower()
                or invitation.accepted_at is not None
                or invitation.revoked_at is not None
                or invitation.expires_at <= utcnow()
            ):
                raise RegistrationClosed(
                    "Sign-up is by invitation: send the invitation_token of a pending "
                    "invitation to this e-mail address.",
                    registration="invite",
                )

    async def login(
        self, session: AsyncSession, runtime: Runtime, data: LoginRequest, client: Client
    ) -> LoginResult:
        """Three brakes that every API process sees: failures per address (spraying many
        accounts) and per (account, address) in the rate-limit storage, so nobody elsewhere
        can lock the owner out, and an account-wide lock in the database after many failures
        from anywhere. The second is keyed by the e-mail as typed: an unknown account is
        refused exactly like a known one."""
        address = client.ip or "?"
        source = f"{str(data.email).strip().lower()}|{address}"
        by_address, by_source = self._throttles(runtime)
        self._refuse_if_blocked(await by_address.blocked_for(address))
        self._refuse_if_blocked(await by_source.blocked_for(source))
        user = await user_service.get_by_email(session, str(data.email))
        if user is not None:
            self._refuse_if_locked(user)
        password_hash = user.password_hash if user is not None and user.is_active else None
        # hashed before ``user`` is looked at: an unknown account costs the same argon2 time
        verified = verify_password(password_hash, data.password)
        if user is None or not verified:
            await by_address.record(address)
            await by_source.record(source)
            if user is not None and user.is_active:  # a disabled account has nothing to lock
                self._count_failure_after_rollback(session, runtime, user.id)
            raise InvalidCredentials("E-mail or password is wrong.")
        for check in PASSWORD_LOGIN_CHECKS:
            await check(session, user)
        await by_source.clear(source)
        user.failed_logins, user.locked_until = 0, None
        if user.mfa_enabled_at is not None:
            token = await one_time_token(session, user, TokenPurpose.mfa_login, MFA_LOGIN_TTL)
            return LoginResult(mfa_required=True, mfa_token=token)
        tokens = await start_session(
            session, runtime, user, ip=client.ip, user_agent=client.user_agent
        )
        return LoginResult(tokens=tokens, user=user_read(user))

    def _throttles(self, runtime: Runtime) -> tuple[LoginThrottle, LoginThrottle]:
        throttles = runtime.state.get(LOGIN_THROTTLES)
        if throttles is None:
            settings = runtime.settings
            storage = build_storage(settings)
            throttles = (
                LoginThrottle(
                    storage, settings.login_max_failures_per_ip, settings.login_ip_window_s
                ),
                LoginThrottle(
                    storage,
                    settings.login_max_failures,
                    settings.login_lockout_s,
                    kind="account-ip",
                ),
            )
            runtime.state[LOGIN_THROTTLES] = throttles
        return throttles

    def _refuse_if_blocked(self, seconds: float) -> None:
        if seconds > 0:
            raise AccountLocked("Too many failed sign-ins; try again later.", math.ceil(seconds))

    def _refuse_if_locked(self, user: User) -> None:
        if user.locked_until is not None and user.locked_until > utcnow():
            self._refuse_if_blocked((user.locked_until - utcnow()).total_seconds())

    def _count_failure_after_rollback(
        self, session: AsyncSession, runtime: Runtime, user_id: str
    ) -> None:
        async def count() -> None:
            async with runtime.db.independent() as own_session:
                user = await user_service.get(own_session, user_id)
                user.failed_logins += 1
                if user.failed_logins >= runtime.settings.login_max_failures_account:
                    lockout = timedelta(seconds=runtime.settings.login_lockout_s)
                    user.locked_until, user.failed_logins = utcnow() + lockout, 0

        after_rollback(session, count)

    async def login_mfa(
        self, session: AsyncSession, runtime: Runtime, data: MfaLoginRequest, client: Client
    ) -> LoginResult:
        user_id = await redeem(session, data.mfa_token, TokenPurpose.mfa_login)
        user = await user_service.get(session, user_id) if user_id else None
        if user is None:
            raise InvalidToken("The sign-in step has expired; sign in again.")
        self._refuse_if_locked(user)
        try:
            await mfa_service.check_code(session, user, data.code)
        except InvalidMfaCode:
            self._count_mfa_failure_after_rollback(session, runtime, user.id, data.mfa_token)
            raise
        user.mfa_failures = 0
        tokens = await start_session(
            session, runtime, user, ip=client.ip, user_agent=client.user_agent
        )
        return LoginResult(tokens=tokens, user=user_read(user))

    def _count_mfa_failure_after_rollback(
        self, session: AsyncSession, runtime: Runtime, user_id: str, mfa_token: str
    ) -> None:
        """The refused request rolls back, un-spending its token: count in a session of our
        own, and at the limit lock the account and spend the token for good."""

        async def count() -> None:
            async with runtime.db.independent() as own_session:
                user = await user_service.get(own_session, user_id)
                user.mfa_failures += 1
                if user.mfa_failures >= runtime.settings.mfa_max_failures:
                    lockout = timedelta(seconds=runtime.settings.login_lockout_s)
                    user.locked_until, user.mfa_failures = utcnow() + lockout, 0
                    await redeem(own_session, mfa_token, TokenPurpose.mfa_login)

        after_rollback(session, count)

    async def refresh(
        self,
        session: AsyncSession,
        runtime: Runtime,
        refresh_token: str,
        *,
        reuse_grace: timedelta = timedelta(0),
    ) -> TokenPair:
        """Rotates the refresh token. A spent one ends the whole session unless it was spent
        within ``reuse_grace``: a browser whose refresh answer was lost (a reload, a second
        tab) presents the spent cookie again, and must not be signed out for it."""
        repository = AuthRepository.from_session(session)
        row = await repository.refresh_token(digest(refresh_token))
        if row is None or row.expires_at <= utcnow():
            raise InvalidToken("The refresh token is not valid.")
        auth_session = await repository.get_session(row.session_id)
        if auth_session is None or auth_session.revoked_at is not None:
            raise InvalidToken("The session has ended; sign in again.")
        now = utcnow()
        if row.used_at is not None and now - row.used_at > reuse_grace:
            self._end_session_after_rollback(session, runtime, auth_session.id)
            raise TokenReused("This refresh token was already used; the session is ended.")
        row.used_at = row.used_at or now  # the grace counts from the first use
        auth_session.last_seen_at = now
        return await issue_tokens(session, runtime, auth_session.user_id, auth_session)

    def _end_session_after_rollback(
        self, session: AsyncSession, runtime: Runtime, session_id: str
    ) -> None:
        """Reuse of a spent refresh token means it leaked: end the whole family."""

        async def end() -> None:
            async with runtime.db.independent() as own_session:
                auth_session = await AuthRepository.from_session(own_session).get_session(
                    session_id
                )
                if auth_session is not None and auth_session.revoked_at is None:
                    auth_session.revoked_at = utcnow()
                    auth_session.revoked_reason = "refresh_token_reuse"
                    access_changed(own_session, session_id=session_id)

        after_rollback(session, end)

    async def logout(self, session: AsyncSession, principal: Principal) -> None:
        repository = AuthRepository.from_session(session)
        if principal.session_id is not None:
            auth_session = await repository.get_session(principal.session_id)
            if auth_session is not None and auth_session.revoked_at is None:
                auth_session.revoked_at, auth_session.revoked_reason = utcnow(), "logout"
                access_changed(session, session_id=auth_session.id)

    async def sessions(self, session: AsyncSession, principal: Principal) -> list[SessionRead]:
        rows = await AuthRepository.from_session(session).sessions_of(
            principal.user_id or "", utcnow()
        )
        return [
            SessionRead(
                id=row.id,
                user_agent=row.user_agent,
                ip=row.ip,
                created_at=row.created_at,
                last_seen_at=row.last_seen_at,
                expires_at=row.expires_at,
                current=row.id == principal.session_id,
            )
            for row in rows
        ]

    async def revoke_session(
        self, session: AsyncSession, principal: Principal, session_id: str
    ) -> None:
        auth_session = await AuthRepository.from_session(session).get_session(session_id)
        if auth_session is None or auth_session.user_id != principal.user_id:
            raise NotFound(f"No session {session_id}.")
        auth_session.revoked_at = auth_session.revoked_at or utcnow()
        auth_session.revoked_reason = auth_session.revoked_reason or "revoked"
        access_changed(session, session_id=auth_session.id)

    async def change_password(
        self, session: AsyncSession, principal: Principal, data: ChangePasswordRequest
    ) -> None:
        user = await user_service.get(session, principal.user_id or "")
        if not verify_password(user.password_hash, data.current_password):
            raise InvalidCredentials("The current password is wrong.")
        self._set_password(user, data.new_password)
        await AuthRepository.from_session(session).revoke_sessions(
            user.id, utcnow(), "password_changed", keep=principal.session_id
        )
        access_changed(session, user_id=user.id)

    def _set_password(self, user: User, password: str) -> None:
        user.password_hash = hash_password(password)
        user.password_changed_at = utcnow()
        user.failed_logins, user.locked_until = 0, None

    async def forgot_password(self, session: AsyncSession, runtime: Runtime, email: str) -> None:
        """Answers the same whether or not the account exists."""
        user = await user_service.get_by_email(session, email)
        if user is None or not user.is_active:
            return
        token = await one_time_token(session, user, TokenPurpose.reset_password, RESET_TTL)
        link = f"{runtime.settings.public_url}/reset-password?token={token}"
        self._mail_after_commit(
            session,
            runtime,
            Mail(
                to=user.email,
                subject="Reset your Folio password",
                body=f'Reset your password (valid 1 hour): {link}\n\nOr POST {{"token": '
                f'"{token}", "new_password": "…"}} to /api/v1/auth/password/reset.\n',
            ),
        )

    async def reset_password(self, session: AsyncSession, data: ResetPasswordRequest) -> None:
        user_id = await redeem(session, data.token, TokenPurpose.reset_password)
        if user_id is None:
            raise InvalidToken("The reset link is not valid or has expired.")
        user = await user_service.get(session, user_id)
        self._set_password(user, data.new_password)
        repository = AuthRepository.from_session(session)
        # an older link still in the mailbox must not undo this reset
        await repository.spend_tokens(user.id, TokenPurpose.reset_password, utcnow())
        await repository.revoke_sessions(user.id, utcnow(), "password_reset")
        access_changed(session, user_id=user.id)

    async def verify_email(self, session: AsyncSession, token: str) -> None:
        user_id = await redeem(session, token, TokenPurpose.verify_email)
        if user_id is None:
            raise InvalidToken("The verification link is not valid or has expired.")
        user = await user_service.get(session, user_id)
        user.email_verified_at = user.email_verified_at or utcnow()

    async def resend_verification(
        self, session: AsyncSession, runtime: Runtime, principal: Principal
    ) -> None:
        user = await user_service.get(session, principal.user_id or "")
        if user.email_verified_at is None:
            await self._send_verification(session, runtime, user)

    async def _send_verification(self, session: AsyncSession, runtime: Runtime, user: User) -> None:
        token = await one_time_token(session, user, TokenPurpose.verify_email, VERIFY_TTL)
        link = f"{runtime.settings.public_url}/verify-email?token={token}"
        self._mail_after_commit(
            session,
            runtime,
            Mail(
                to=user.email,
                subject="Confirm your e-mail address for Folio",
                body=f'Confirm your address: {link}\n\nOr POST {{"token": "{token}"}} to '
                "/api/v1/auth/verify-email.\n",
            ),
        )

    def _mail_after_commit(self, session: AsyncSession, runtime: Runtime, mail: Mail) -> None:
        async def send() -> None:
            await runtime.mailer.send(mail)

        after_commit(session, send)


auth = AuthService()
