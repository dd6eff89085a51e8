"""Sign-up, sign-in, tokens, sessions, passwords and e-mail links, over HTTP."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

import httpx
import jwt
import pyotp
import pytest
from fastapi import FastAPI
from sqlalchemy import update

from folio.auth.models import AuthSession, OneTimeToken
from folio.core.db import utcnow
from folio.users.models import User
from tests.helpers import assert_problem
from tests.smtp import Inbox

EMAIL, PASSWORD = "ann@example.com", "a long enough password"


async def register(client: httpx.AsyncClient, email: str = EMAIL) -> dict:
    response = await client.post(
        "/api/v1/auth/register", json={"email": email, "password": PASSWORD, "name": "Ann"}
    )
    assert response.status_code == 201, response.text
    return response.json()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def login(client: httpx.AsyncClient, password: str = PASSWORD) -> httpx.Response:
    return await client.post("/api/v1/auth/login", json={"email": EMAIL, "password": password})


class TestRegisterAndLogin:
    async def test_register_signs_in_with_a_personal_team(
        self, anonymous_client: httpx.AsyncClient
    ) -> None:
        registered = await register(anonymous_client)
        tokens = registered["tokens"]

        me = await anonymous_client.get("/api/v1/auth/me", headers=bearer(tokens["access_token"]))
        teams = await anonymous_client.get("/api/v1/teams", headers=bearer(tokens["access_token"]))

        assert me.json()["email"] == EMAIL
        assert me.json()["email_verified"] is False
        assert [t["role"] for t in teams.json()["items"]] == ["owner"]
        assert tokens["expires_in"] == 900 and tokens["refresh_expires_in"] > 6 * 24 * 3600

    async def test_duplicate_email(self, anonymous_client: httpx.AsyncClient) -> None:
        await register(anonymous_client)

        response = await anonymous_client.post(
            "/api/v1/auth/register", json={"email": EMAIL.upper(), "password": PASSWORD}
        )

        assert_problem(response, 409, "EMAIL_TAKEN")

    async def test_weak_password_is_refused(self, anonymous_client: httpx.AsyncClient) -> None:
        response = await anonymous_client.post(
            "/api/v1/auth/register", json={"email": EMAIL, "password": "short"}
        )

        assert_problem(response, 422, "VALIDATION_ERROR")

    async def test_wrong_password_then_lockout(self, anonymous_client: httpx.AsyncClient) -> None:
        await register(anonymous_client)

        failures = [await login(anonymous_client, "wrong password!") for _ in range(3)]
        locked = await login(anonymous_client)

        for failure in failures:
            assert_problem(failure, 401, "INVALID_CREDENTIALS")
        body = assert_problem(locked, 429, "ACCOUNT_LOCKED")
        assert int(locked.headers["retry-after"]) > 0
        assert body["retry_after_s"] > 0

    async def test_a_wrong_password_is_counted_although_the_request_rolled_back(
        self, app: FastAPI, anonymous_client: httpx.AsyncClient
    ) -> None:
        user_id = (await register(anonymous_client))["user"]["id"]

        refused = await login(anonymous_client, "wrong password!")

        assert_problem(refused, 401, "INVALID_CREDENTIALS")
        async with app.state.runtime.db.session(write=False) as session:
            user = await session.get(User, user_id)
        assert user is not None and user.failed_logins == 1

    async def test_unknown_account_looks_like_a_wrong_password(
        self, anonymous_client: httpx.AsyncClient
    ) -> None:
        response = await anonymous_client.post(
            "/api/v1/auth/login", json={"email": "nobody@example.com", "password": PASSWORD}
        )

        assert_problem(response, 401, "INVALID_CREDENTIALS")


class TestTokens:
    async def test_tampered_token(self, anonymous_client: httpx.AsyncClient) -> None:
        access = (await register(anonymous_client))["tokens"]["access_token"]
        header, payload, signature = access.split(".")
        forged = f"{header}.{payload}.{signature[:-4]}AAAA"

        response = await anonymous_client.get("/api/v1/auth/me", headers=bearer(forged))

        assert_problem(response, 401, "INVALID_TOKEN")
        assert response.headers["www-authenticate"] == "Bearer"

    async def test_token_signed_with_another_key(self, anonymous_client: httpx.AsyncClient) -> None:
        access = (await register(anonymous_client))["tokens"]["access_token"]
        claims = jwt.decode(access, options={"verify_signature": False})
        kid = jwt.get_unverified_header(access)["kid"]
        forged = jwt.encode(claims, "guessed secret", algorithm="HS256", headers={"kid": kid})

        response = await anonymous_client.get("/api/v1/auth/me", headers=bearer(forged))

        assert_problem(response, 401, "INVALID_TOKEN")

    async def test_expired_token(self, app: FastAPI, anonymous_client: httpx.AsyncClient) -> None:
        registered = await register(anonymous_client)
        keys = app.state.runtime.keys
        claims = {
            "sub": registered["user"]["id"],
            "sid": registered["tokens"]["session_id"],
            "typ": "access",
        }
        expired = keys.encode(claims, timedelta(seconds=-1))

        response = await anonymous_client.get("/api/v1/auth/me", headers=bearer(expired))

        body = assert_problem(response, 401, "INVALID_TOKEN")
        assert "expired" in body["detail"]

    async def test_refresh_rotates_and_reuse_ends_the_family(
        self, anonymous_client: httpx.AsyncClient
    ) -> None:
        first = (await register(anonymous_client))["tokens"]

        rotated = await anonymous_client.post(
            "/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]}
        )
        replay = await anonymous_client.post(
            "/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]}
        )
        newest = await anonymous_client.post(
            "/api/v1/auth/refresh", json={"refresh_token": rotated.json()["refresh_token"]}
        )
        access_after = await anonymous_client.get(
            "/api/v1/auth/me", headers=bearer(rotated.json()["access_token"])
        )

        assert rotated.status_code == 200
        assert rotated.json()["refresh_token"] != first["refresh_token"]
        assert_problem(replay, 401, "TOKEN_REUSED")
        assert_problem(newest, 401, "INVALID_TOKEN")  # the whole family is gone
        assert_problem(access_after, 401, "INVALID_TOKEN")

    async def test_a_reused_refresh_token_ends_its_session_although_refused(
        self, app: FastAPI, anonymous_client: httpx.AsyncClient
    ) -> None:
        first = (await register(anonymous_client))["tokens"]
        spent = {"refresh_token": first["refresh_token"]}
        await anonymous_client.post("/api/v1/auth/refresh", json=spent)

        replay = await anonymous_client.post("/api/v1/auth/refresh", json=spent)

        assert_problem(replay, 401, "TOKEN_REUSED")
        async with app.state.runtime.db.session(write=False) as session:
            ended = await session.get(AuthSession, first["session_id"])
        assert ended is not None and ended.revoked_reason == "refresh_token_reuse"

    async def test_logout_ends_the_session(self, anonymous_client: httpx.AsyncClient) -> None:
        tokens = (await register(anonymous_client))["tokens"]

        await anonymous_client.post("/api/v1/auth/logout", headers=bearer(tokens["access_token"]))
        after = await anonymous_client.get(
            "/api/v1/auth/me", headers=bearer(tokens["access_token"])
        )

        assert_problem(after, 401, "INVALID_TOKEN")


class TestSessions:
    async def test_list_and_revoke_another_device(
        self, anonymous_client: httpx.AsyncClient
    ) -> None:
        await register(anonymous_client)
        laptop = (await login(anonymous_client)).json()["tokens"]
        phone = (
            await anonymous_client.post(
                "/api/v1/auth/login",
                json={"email": EMAIL, "password": PASSWORD},
                headers={"User-Agent": "FolioPhone/1.0"},
            )
        ).json()["tokens"]

        listed = (
            await anonymous_client.get(
                "/api/v1/auth/sessions", headers=bearer(laptop["access_token"])
            )
        ).json()
        removed = await anonymous_client.delete(
            f"/api/v1/auth/sessions/{phone['session_id']}", headers=bearer(laptop["access_token"])
        )
        phone_after = await anonymous_client.get(
            "/api/v1/auth/me", headers=bearer(phone["access_token"])
        )

        assert {"FolioPhone/1.0"} <= {s["user_agent"] for s in listed}
        assert [s["current"] for s in listed].count(True) == 1
        assert removed.status_code == 204
        assert_problem(phone_after, 401, "INVALID_TOKEN")

    async def test_cannot_revoke_someone_elses_session(
        self, anonymous_client: httpx.AsyncClient
    ) -> None:
        tokens = (await register(anonymous_client))["tokens"]
        other = (await register(anonymous_client, "bob@example.com"))["tokens"]

        response = await anonymous_client.delete(
            f"/api/v1/auth/sessions/{tokens['session_id']}", headers=bearer(other["access_token"])
        )

        assert_problem(response, 404, "NOT_FOUND")


class TestPasswords:
    async def test_change_ends_other_sessions(self, anonymous_client: httpx.AsyncClient) -> None:
        first = (await register(anonymous_client))["tokens"]
        second = (await login(anonymous_client)).json()["tokens"]

        changed = await anonymous_client.post(
            "/api/v1/auth/password/change",
            headers=bearer(first["access_token"]),
            json={"current_password": PASSWORD, "new_password": "another long password"},
        )

        assert changed.status_code == 204
        assert (
            await anonymous_client.get("/api/v1/auth/me", headers=bearer(first["access_token"]))
        ).status_code == 200
        assert (
            await anonymous_client.get("/api/v1/auth/me", headers=bearer(second["access_token"]))
        ).status_code == 401
        assert_problem(await login(anonymous_client), 401, "INVALID_CREDENTIALS")

    async def test_forgot_and_reset_by_email(
        self, anonymous_client: httpx.AsyncClient, inbox: Inbox
    ) -> None:
        tokens = (await register(anonymous_client))["tokens"]

        forgot = await anonymous_client.post("/api/v1/auth/password/forgot", json={"email": EMAIL})
        unknown = await anonymous_client.post(
            "/api/v1/auth/password/forgot", json={"email": "nobody@example.com"}
        )
        token = inbox.token_for(EMAIL, "Reset")
        reset = await anonymous_client.post(
            "/api/v1/auth/password/reset",
            json={"token": token, "new_password": "a brand new password"},
        )
        reused = await anonymous_client.post(
            "/api/v1/auth/password/reset",
            json={"token": token, "new_password": "yet another password"},
        )

        assert forgot.status_code == unknown.status_code == 202
        assert forgot.json() == unknown.json()
        assert reset.status_code == 204
        assert_problem(reused, 401, "INVALID_TOKEN")
        assert (
            await anonymous_client.get("/api/v1/auth/me", headers=bearer(tokens["access_token"]))
        ).status_code == 401
        assert (await login(anonymous_client, "a brand new password")).status_code == 200

    async def test_a_reset_ends_every_outstanding_reset_link(
        self, anonymous_client: httpx.AsyncClient, inbox: Inbox
    ) -> None:
        """Issue 25 item 13: an older reset link still worked after a newer one was used."""
        await register(anonymous_client)
        await anonymous_client.post("/api/v1/auth/password/forgot", json={"email": EMAIL})
        older = inbox.token_for(EMAIL, "Reset")
        await anonymous_client.post("/api/v1/auth/password/forgot", json={"email": EMAIL})
        newer = inbox.token_for(EMAIL, "Reset")

        reset = await anonymous_client.post(
            "/api/v1/auth/password/reset",
            json={"token": newer, "new_password": "a brand new password"},
        )
        with_older = await anonymous_client.post(
            "/api/v1/auth/password/reset",
            json={"token": older, "new_password": "the attacker's password"},
        )

        assert older != newer and reset.status_code == 204
        assert_problem(with_older, 401, "INVALID_TOKEN")
        assert (await login(anonymous_client, "a brand new password")).status_code == 200

    async def test_verify_email(self, anonymous_client: httpx.AsyncClient, inbox: Inbox) -> None:
        tokens = (await register(anonymous_client))["tokens"]

        verified = await anonymous_client.post(
            "/api/v1/auth/verify-email", json={"token": inbox.token_for(EMAIL, "Confirm")}
        )
        me = await anonymous_client.get("/api/v1/auth/me", headers=bearer(tokens["access_token"]))

        assert verified.status_code == 204
        assert me.json()["email_verified"] is True


ACCOUNT_SECURITY_ROUTES = [
    ("PATCH", "/api/v1/auth/me", {"name": "Mallory"}, 200),
    ("GET", "/api/v1/auth/sessions", None, 200),
    ("DELETE", "/api/v1/auth/sessions/{session_id}", None, 204),
    (
        "POST",
        "/api/v1/auth/password/change",
        {"current_password": PASSWORD, "new_password": "another long password"},
        204,
    ),
    ("POST", "/api/v1/auth/mfa/enable", None, 200),
    ("POST", "/api/v1/auth/mfa/verify", {"code": "123456"}, 409),  # no set-up started
    ("POST", "/api/v1/auth/mfa/disable", {"password": PASSWORD, "code": "123456"}, 401),
]


class TestAccountSecurityNeedsASignedInSession:
    """Issue 25 item 2: a key scoped to documents:read could enable MFA, list and revoke
    sessions and edit the profile."""

    @pytest.mark.parametrize(("method", "path", "body", "status"), ACCOUNT_SECURITY_ROUTES)
    async def test_an_api_key_is_refused(
        self,
        anonymous_client: httpx.AsyncClient,
        method: str,
        path: str,
        body: dict | None,
        status: int,
    ) -> None:
        tokens = (await register(anonymous_client))["tokens"]
        created = await anonymous_client.post(
            "/api/v1/keys",
            headers=bearer(tokens["access_token"]),
            json={"name": "read only", "scopes": ["documents:read"]},
        )
        key = created.json()["key"]

        response = await anonymous_client.request(
            method,
            path.format(session_id=tokens["session_id"]),
            headers={"X-API-Key": key},
            json=body,
        )

        assert_problem(response, 403, "INTERACTIVE_SESSION_REQUIRED")
        still = await anonymous_client.get(
            "/api/v1/auth/me", headers=bearer(tokens["access_token"])
        )
        assert still.status_code == 200 and still.json()["name"] == "Ann"

    @pytest.mark.parametrize(("method", "path", "body", "status"), ACCOUNT_SECURITY_ROUTES)
    async def test_a_signed_in_session_is_served(
        self,
        anonymous_client: httpx.AsyncClient,
        method: str,
        path: str,
        body: dict | None,
        status: int,
    ) -> None:
        first = (await register(anonymous_client))["tokens"]
        other = (await login(anonymous_client)).json()["tokens"]

        response = await anonymous_client.request(
            method,
            path.format(session_id=other["session_id"]),
            headers=bearer(first["access_token"]),
            json=body,
        )

        assert response.status_code == status, response.text


async def early_in_a_time_step() -> float:
    """Now, moved to the start of a 30-second TOTP step if need be, so that codes of the
    previous, this and the next step stay valid for the length of a test."""
    phase = time.time() % 30
    if phase > 8:
        await asyncio.sleep(30 - phase + 0.2)
    return time.time()


def wrong_code(totp: pyotp.TOTP, now: float) -> str:
    valid = {totp.at(now + 30 * k) for k in range(-2, 3)}
    return next(c for c in ("000000", "111111", "222222", "333333", "444444") if c not in valid)


async def enable_mfa(client: httpx.AsyncClient, now: float) -> pyotp.TOTP:
    """Registers and turns MFA on with the previous step's code, leaving this step's unused."""
    access = (await register(client))["tokens"]["access_token"]
    setup = (await client.post("/api/v1/auth/mfa/enable", headers=bearer(access))).json()
    totp = pyotp.TOTP(setup["secret"])
    verified = await client.post(
        "/api/v1/auth/mfa/verify", headers=bearer(access), json={"code": totp.at(now - 30)}
    )
    assert verified.status_code == 200, verified.text
    return totp


async def second_step(
    client: httpx.AsyncClient, code: str, token: str | None = None
) -> httpx.Response:
    token = token or (await login(client)).json()["mfa_token"]
    return await client.post("/api/v1/auth/login/mfa", json={"mfa_token": token, "code": code})


class TestMfa:
    async def test_enable_login_in_two_steps_recovery_and_disable(
        self, anonymous_client: httpx.AsyncClient
    ) -> None:
        now = await early_in_a_time_step()
        access = (await register(anonymous_client))["tokens"]["access_token"]
        setup = (
            await anonymous_client.post("/api/v1/auth/mfa/enable", headers=bearer(access))
        ).json()
        totp = pyotp.TOTP(setup["secret"])
        wrong = await anonymous_client.post(
            "/api/v1/auth/mfa/verify",
            headers=bearer(access),
            json={"code": wrong_code(totp, now)},
        )
        codes = (
            await anonymous_client.post(
                "/api/v1/auth/mfa/verify", headers=bearer(access), json={"code": totp.at(now - 30)}
            )
        ).json()["recovery_codes"]

        step_one = (await login(anonymous_client)).json()
        step_two = await second_step(anonymous_client, totp.at(now), step_one["mfa_token"])
        with_recovery = await second_step(anonymous_client, codes[0])
        recovery_reused = await second_step(anonymous_client, codes[0])
        disabled = await anonymous_client.post(
            "/api/v1/auth/mfa/disable",
            headers=bearer(access),
            json={"password": PASSWORD, "code": totp.at(now + 30)},
        )

        assert setup["otpauth_uri"].startswith("otpauth://totp/Folio:")
        assert_problem(wrong, 401, "INVALID_MFA_CODE")
        assert len(codes) == 10 and len(set(codes)) == 10
        assert step_one["mfa_required"] is True and step_one["tokens"] is None
        assert step_two.status_code == 200 and step_two.json()["tokens"]["access_token"]
        assert with_recovery.status_code == 200
        assert_problem(recovery_reused, 401, "INVALID_MFA_CODE")
        assert disabled.status_code == 204
        assert (await login(anonymous_client)).json()["mfa_required"] is False

    async def test_a_code_works_once(self, anonymous_client: httpx.AsyncClient) -> None:
        """Issue 25 item 6: a TOTP code could be replayed within its window."""
        now = await early_in_a_time_step()
        totp = await enable_mfa(anonymous_client, now)

        first = await second_step(anonymous_client, totp.at(now))
        replayed = await second_step(anonymous_client, totp.at(now))
        older = await second_step(anonymous_client, totp.at(now - 30))
        newer = await second_step(anonymous_client, totp.at(now + 30))

        assert first.status_code == 200, first.text
        assert_problem(replayed, 401, "INVALID_MFA_CODE")
        assert_problem(older, 401, "INVALID_MFA_CODE")  # also used to turn MFA on
        assert newer.status_code == 200, newer.text

    async def test_wrong_codes_lock_the_account_and_spend_the_sign_in_token(
        self, app: FastAPI, anonymous_client: httpx.AsyncClient
    ) -> None:
        """Issue 25 item 6: a wrong code rolled back and so un-spent its token, uncounted."""
        now = await early_in_a_time_step()
        totp = await enable_mfa(anonymous_client, now)
        token = (await login(anonymous_client)).json()["mfa_token"]
        limit = app.state.runtime.settings.mfa_max_failures

        wrong = [
            await second_step(anonymous_client, wrong_code(totp, now), token) for _ in range(limit)
        ]
        right_code = await second_step(anonymous_client, totp.at(now), token)
        password_again = await login(anonymous_client)

        for response in wrong:
            assert_problem(response, 401, "INVALID_MFA_CODE")
        assert_problem(right_code, 401, "INVALID_TOKEN")
        assert_problem(password_again, 429, "ACCOUNT_LOCKED")

    async def test_mfa_token_expires(
        self, app: FastAPI, anonymous_client: httpx.AsyncClient
    ) -> None:
        access = (await register(anonymous_client))["tokens"]["access_token"]
        secret = (
            await anonymous_client.post("/api/v1/auth/mfa/enable", headers=bearer(access))
        ).json()["secret"]
        await anonymous_client.post(
            "/api/v1/auth/mfa/verify",
            headers=bearer(access),
            json={"code": pyotp.TOTP(secret).now()},
        )
        mfa_token = (await login(anonymous_client)).json()["mfa_token"]
        await expire_one_time_tokens(app)

        response = await anonymous_client.post(
            "/api/v1/auth/login/mfa",
            json={"mfa_token": mfa_token, "code": pyotp.TOTP(secret).now()},
        )

        assert_problem(response, 401, "INVALID_TOKEN")


async def expire_one_time_tokens(app: FastAPI) -> None:
    async with app.state.runtime.db.session() as session:
        await session.execute(update(OneTimeToken).values(expires_at=utcnow()))


@pytest.mark.parametrize("settings_overrides", [{"workers": 0}])
async def test_outbox_without_smtp(app: FastAPI, anonymous_client: httpx.AsyncClient) -> None:
    await register(anonymous_client)

    outbox = app.state.runtime.settings.outbox_dir
    mails = list(outbox.glob("*.eml"))

    assert len(mails) == 1
    assert b"verify-email?token=" in mails[0].read_bytes()
