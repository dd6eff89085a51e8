"""Single sign-on against a real OpenID Connect provider (tests/sso/provider.mjs): the API
flow for scripts and the web flow end to end, provider management, tenancy, "SSO required"
and RP-initiated logout. The app runs in process; the provider is a real Node server."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi import FastAPI
from tests.factories import PASSWORD, Account, create_account
from tests.helpers import assert_problem
from tests.sso.conftest import OidcServer, sign_in_at_provider

from folio.core.db import utcnow
from folio.sso.models import SsoFlow

CALLBACK = "http://folio.test/sso/callback"
pytestmark = pytest.mark.parametrize(
    "settings_overrides",
    [{"sso_allowed_hosts": ["127.0.0.1"], "public_url": "http://folio.test"}],
)


async def session_headers(client: httpx.AsyncClient, email: str, password: str) -> dict[str, str]:
    """A password sign-in: provider management needs an interactive session."""
    answer = await client.post(
        "/api/v1/auth/login", json={"email": email, "password": password}, headers={}
    )
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['tokens']['access_token']}"}


@pytest.fixture
async def admin_headers(app: FastAPI, client: httpx.AsyncClient) -> dict[str, str]:
    credentials = app.state.initial_credentials
    return await session_headers(client, credentials.email, credentials.password)


async def create_provider(
    client: httpx.AsyncClient, oidc: OidcServer, headers: dict[str, str], **fields: Any
) -> dict[str, Any]:
    client_id, secret = oidc.register(CALLBACK, post_logout="http://folio.test/login")
    body = {
        "name": "Acme IdP",
        "issuer": oidc.issuer,
        "client_id": client_id,
        "client_secret": secret,
        "group_roles": {"folio-admins": "admin"},
        "allowed_domains": ["acme.test"],
        "auto_join": True,
        "post_logout_redirect_uri": "http://folio.test/login",
        **fields,
    }
    answer = await client.post("/api/v1/sso/providers", json=body, headers=headers)
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


async def sso_sign_in(
    client: httpx.AsyncClient, provider_id: str, account: str
) -> tuple[httpx.Response, dict[str, str]]:
    """The API flow: start, sign in at the provider, post code and state back."""
    started = await client.post("/api/v1/sso/flows", json={"provider_id": provider_id}, headers={})
    assert started.status_code == 201, started.text
    flow = started.json()
    back = sign_in_at_provider(flow["authorization_url"], account, CALLBACK)
    assert back.code and back.state, back
    answer = await client.post(
        f"/api/v1/sso/flows/{flow['flow_id']}/callback",
        json={"code": back.code, "state": back.state},
        headers={},
    )
    return answer, {"flow_id": flow["flow_id"], "code": back.code, "state": back.state}


def bearer(answer: httpx.Response, team_id: str | None = None) -> dict[str, str]:
    headers = {"Authorization": f"Bearer {answer.json()['tokens']['access_token']}"}
    return headers | ({"X-Team-ID": team_id} if team_id else {})


class TestApiFlow:
    async def test_signs_in_with_pkce_binds_the_team_and_refuses_a_replayed_state(
        self,
        oidc: OidcServer,
        client: httpx.AsyncClient,
        admin: Account,
        admin_headers: dict[str, str],
    ) -> None:
        provider = await create_provider(client, oidc, admin_headers)
        started = await client.post(
            "/api/v1/sso/flows", json={"email": "alice@acme.test"}, headers={}
        )
        query = parse_qs(urlsplit(started.json()["authorization_url"]).query)
        assert query["code_challenge_method"] == ["S256"] and query["nonce"] and query["state"]

        answer, replay = await sso_sign_in(client, provider["id"], "alice")
        assert answer.status_code == 200, answer.text
        result = answer.json()
        assert result["user"]["email"] == "alice@acme.test"
        assert result["team_id"] == admin.team_id
        me = await client.get("/api/v1/auth/me", headers=bearer(answer))
        assert me.json()["email"] == "alice@acme.test"
        # group folio-admins → admin of the provider's team: may read its providers
        listed = await client.get("/api/v1/sso/providers", headers=bearer(answer))
        assert [p["id"] for p in listed.json()["items"]] == [provider["id"]]
        # the session is bound to the provider's team: her own personal team is out of reach
        personal = await client.get(
            "/api/v1/documents", headers=bearer(answer, result["user"]["personal_team_id"])
        )
        assert_problem(personal, 404, "NOT_FOUND")

        replayed = await client.post(
            f"/api/v1/sso/flows/{replay['flow_id']}/callback",
            json={"code": replay["code"], "state": replay["state"]},
            headers={},
        )
        assert_problem(replayed, 401, "SSO_STATE_INVALID")
        entries = await client.get("/api/v1/audit/logs", params={"action": "sso.login"})
        assert [e["actor_user_id"] for e in entries.json()["items"]] == [result["user"]["id"]]

    async def test_group_mapping_auto_join_and_refusals(
        self, oidc: OidcServer, client: httpx.AsyncClient, admin_headers: dict[str, str]
    ) -> None:
        provider = await create_provider(client, oidc, admin_headers)
        bob, _ = await sso_sign_in(client, provider["id"], "bob")
        assert bob.status_code == 200, bob.text
        # group "staff" is unmapped: the default role, member, who may not manage providers
        refused = await client.get("/api/v1/sso/providers", headers=bearer(bob))
        assert_problem(refused, 403, "FORBIDDEN")
        wrong_domain, spent = await sso_sign_in(client, provider["id"], "mallory")
        assert_problem(wrong_domain, 403, "SSO_SIGN_IN_REFUSED")
        # the refused callback rolled back, yet its state stays spent
        again = await client.post(
            f"/api/v1/sso/flows/{spent['flow_id']}/callback",
            json={"code": spent["code"], "state": spent["state"]},
        )
        assert_problem(again, 401, "SSO_STATE_INVALID")
        unverified, _ = await sso_sign_in(client, provider["id"], "unverified")
        assert_problem(unverified, 403, "SSO_SIGN_IN_REFUSED")

    async def test_a_bad_state_is_refused_and_spends_nothing_else(
        self, oidc: OidcServer, client: httpx.AsyncClient, admin_headers: dict[str, str]
    ) -> None:
        provider = await create_provider(client, oidc, admin_headers)
        started = (
            await client.post("/api/v1/sso/flows", json={"provider_id": provider["id"]})
        ).json()
        back = sign_in_at_provider(started["authorization_url"], "alice", CALLBACK)
        forged = await client.post(
            f"/api/v1/sso/flows/{started['flow_id']}/callback",
            json={"code": back.code, "state": "forged"},
        )
        assert_problem(forged, 401, "SSO_STATE_INVALID")
        good = await client.post(
            f"/api/v1/sso/flows/{started['flow_id']}/callback",
            json={"code": back.code, "state": back.state},
        )
        assert good.status_code == 200, good.text

    async def test_an_expired_flow_is_refused(
        self,
        app: FastAPI,
        oidc: OidcServer,
        client: httpx.AsyncClient,
        admin_headers: dict[str, str],
    ) -> None:
        provider = await create_provider(client, oidc, admin_headers)
        started = (
            await client.post("/api/v1/sso/flows", json={"provider_id": provider["id"]})
        ).json()
        back = sign_in_at_provider(started["authorization_url"], "alice", CALLBACK)
        async with app.state.runtime.db.session() as session:  # FOLIO_SSO_FLOW_TTL_S later
            flow = await session.get(SsoFlow, started["flow_id"])
            assert flow is not None
            flow.expires_at = utcnow() - timedelta(seconds=1)
        late = await client.post(
            f"/api/v1/sso/flows/{started['flow_id']}/callback",
            json={"code": back.code, "state": back.state},
        )
        assert_problem(late, 401, "SSO_STATE_INVALID")

    async def test_without_auto_join_a_new_member_waits_for_approval(
        self,
        oidc: OidcServer,
        client: httpx.AsyncClient,
        admin: Account,
        admin_headers: dict[str, str],
    ) -> None:
        provider = await create_provider(client, oidc, admin_headers, auto_join=False)
        waiting, _ = await sso_sign_in(client, provider["id"], "bob")
        assert waiting.status_code == 200 and waiting.json()["pending_approval"] is True
        assert waiting.json()["tokens"] is None
        members = (await client.get(f"/api/v1/teams/{admin.team_id}/members")).json()
        bob = next(m for m in members if m["email"] == "bob@acme.test")
        approved = await client.post(
            f"/api/v1/teams/{admin.team_id}/members/{bob['user_id']}/approve"
        )
        assert approved.status_code == 200, approved.text
        signed_in, _ = await sso_sign_in(client, provider["id"], "bob")
        assert signed_in.json()["tokens"]["access_token"]

    async def test_logout_ends_the_session_and_names_the_providers_end_session(
        self, oidc: OidcServer, client: httpx.AsyncClient, admin_headers: dict[str, str]
    ) -> None:
        provider = await create_provider(client, oidc, admin_headers)
        answer, _ = await sso_sign_in(client, provider["id"], "alice")
        out = await client.post("/api/v1/sso/logout", headers=bearer(answer))
        url = out.json()["end_session_url"]
        assert url.startswith(f"{oidc.issuer}/session/end?")
        assert "id_token_hint=" in url and "post_logout_redirect_uri=" in url
        # the provider accepts it: its confirmation page, not an error
        async with httpx.AsyncClient(timeout=10) as browser:
            confirm = await browser.get(url)
        assert confirm.status_code == 200 and "logout" in confirm.text.lower()
        after = await client.get("/api/v1/auth/me", headers=bearer(answer))
        assert after.status_code == 401


class TestTenancy:
    async def test_another_teams_provider_cannot_sign_anyone_into_this_team(
        self,
        app: FastAPI,
        oidc: OidcServer,
        client: httpx.AsyncClient,
        admin: Account,
        admin_headers: dict[str, str],
        second_account: Account,
        second_client: httpx.AsyncClient,
    ) -> None:
        ours = await create_provider(client, oidc, admin_headers)
        bea_headers = await session_headers(second_client, second_account.email, PASSWORD)
        theirs = await create_provider(second_client, oidc, bea_headers)
        # both claim acme.test: Bea's team cannot route our people to its sign-in page
        by_domain = await client.post("/api/v1/sso/flows", json={"email": "alice@acme.test"})
        assert_problem(by_domain, 409, "SSO_PROVIDER_AMBIGUOUS")
        # alice is a member here; Bea's provider asserts her address: refused, not linked
        await create_account(app, "alice@acme.test", join_team=admin.team_id)
        refused, _ = await sso_sign_in(client, theirs["id"], "alice")
        assert_problem(refused, 403, "SSO_SIGN_IN_REFUSED")
        # a new user through Bea's provider lands in Bea's team and can never act in ours
        bob, _ = await sso_sign_in(client, theirs["id"], "bob")
        assert bob.json()["team_id"] == second_account.team_id
        here = await client.get("/api/v1/documents", headers=bearer(bob, admin.team_id))
        assert_problem(here, 404, "NOT_FOUND")
        # Bea neither sees nor changes our provider
        for method in ("GET", "PATCH", "DELETE"):
            answer = await second_client.request(
                method, f"/api/v1/sso/providers/{ours['id']}", json={}, headers=bea_headers
            )
            assert_problem(answer, 404, "NOT_FOUND")
        listed = await second_client.get("/api/v1/sso/providers")
        assert ours["id"] not in [p["id"] for p in listed.json()["items"]]


class TestProviders:
    async def test_secret_is_never_returned_and_management_needs_a_signed_in_admin(
        self,
        oidc: OidcServer,
        client: httpx.AsyncClient,
        viewer_client: httpx.AsyncClient,
        admin_headers: dict[str, str],
    ) -> None:
        provider = await create_provider(client, oidc, admin_headers)
        assert "client_secret" not in provider and provider["has_client_secret"] is True
        fetched = await client.get(f"/api/v1/sso/providers/{provider['id']}")
        assert "client_secret" not in fetched.json()
        body = {"name": "x", "issuer": oidc.issuer, "client_id": "x"}
        by_key = await client.post("/api/v1/sso/providers", json=body)
        assert_problem(by_key, 403, "INTERACTIVE_SESSION_REQUIRED")
        by_viewer = await viewer_client.get("/api/v1/sso/providers")
        assert_problem(by_viewer, 403, "FORBIDDEN")
        patched = await client.patch(
            f"/api/v1/sso/providers/{provider['id']}",
            json={"allowed_domains": ["Other.Test"], "client_secret": "new"},
            headers=admin_headers,
        )
        assert patched.json()["allowed_domains"] == ["other.test"]
        assert "client_secret" not in patched.json()
        deleted = await client.delete(
            f"/api/v1/sso/providers/{provider['id']}", headers=admin_headers
        )
        assert deleted.status_code == 204
        gone = await client.get(f"/api/v1/sso/providers/{provider['id']}")
        assert_problem(gone, 404, "NOT_FOUND")

    async def test_bad_input_is_a_problem_and_changes_nothing(
        self, oidc: OidcServer, client: httpx.AsyncClient, admin_headers: dict[str, str]
    ) -> None:
        unreachable = {"name": "x", "issuer": "http://127.0.0.1:9", "client_id": "x"}
        answer = await client.post("/api/v1/sso/providers", json=unreachable, headers=admin_headers)
        problem = assert_problem(answer, 422, "VALIDATION_ERROR")
        assert problem["errors"][0]["field"] == "issuer"
        team_only = {
            "name": "x",
            "issuer": oidc.issuer,
            "client_id": "x",
            "installation_wide": True,
            "sso_required": True,
        }
        answer = await client.post("/api/v1/sso/providers", json=team_only, headers=admin_headers)
        assert_problem(answer, 422, "VALIDATION_ERROR")
        flow = await client.post(
            "/api/v1/sso/flows",
            json={"email": "x@nowhere.test", "redirect_uri": "http://evil.test/cb"},
        )
        assert_problem(flow, 404, "NOT_FOUND")
        assert (await client.get("/api/v1/sso/providers")).json()["items"] == []

    async def test_installation_wide_providers_are_for_installation_admins(
        self,
        oidc: OidcServer,
        client: httpx.AsyncClient,
        admin_headers: dict[str, str],
        second_account: Account,
        second_client: httpx.AsyncClient,
    ) -> None:
        bea_headers = await session_headers(second_client, second_account.email, PASSWORD)
        body = {"name": "x", "issuer": oidc.issuer, "client_id": "x", "installation_wide": True}
        refused = await second_client.post("/api/v1/sso/providers", json=body, headers=bea_headers)
        assert_problem(refused, 403, "FORBIDDEN")
        wide = await create_provider(
            client,
            oidc,
            admin_headers,
            installation_wide=True,
            group_roles={},
            auto_join=False,
            allowed_domains=[],
        )
        assert wide["team_id"] is None
        # every team sees it; only an installation admin changes it
        listed = await second_client.get("/api/v1/sso/providers")
        assert wide["id"] in [p["id"] for p in listed.json()["items"]]
        changed = await second_client.patch(
            f"/api/v1/sso/providers/{wide['id']}", json={"name": "mine"}, headers=bea_headers
        )
        assert_problem(changed, 403, "FORBIDDEN")
        # it signs a user in with no team binding: their own personal team
        answer, _ = await sso_sign_in(client, wide["id"], "mallory")
        assert answer.status_code == 200 and answer.json()["team_id"] is None
        own = await client.get("/api/v1/documents", headers=bearer(answer))
        assert own.status_code == 200


class TestSsoRequired:
    async def test_password_login_is_refused_for_the_teams_members(
        self,
        app: FastAPI,
        oidc: OidcServer,
        client: httpx.AsyncClient,
        admin: Account,
        admin_headers: dict[str, str],
    ) -> None:
        member = await create_account(app, "carol@acme.test", join_team=admin.team_id)
        before = await session_headers(client, member.email, PASSWORD)
        provider = await create_provider(client, oidc, admin_headers)
        patched = await client.patch(
            f"/api/v1/sso/providers/{provider['id']}",
            json={"sso_required": True},
            headers=admin_headers,
        )
        assert patched.json()["sso_required"] is True
        # her password session ended with the rule; the admin's own goes on
        assert (await client.get("/api/v1/auth/me", headers=before)).status_code == 401
        assert (await client.get("/api/v1/auth/me", headers=admin_headers)).status_code == 200
        answer = await client.post(
            "/api/v1/auth/login", json={"email": member.email, "password": PASSWORD}, headers={}
        )
        problem = assert_problem(answer, 403, "SSO_REQUIRED")
        assert problem["provider_id"] == provider["id"]
        web = await client.post(
            "/web/session",
            json={"email": member.email, "password": PASSWORD},
            headers={"X-Folio-CSRF": "1"},
        )
        assert_problem(web, 403, "SSO_REQUIRED")
        # a wrong password still says only that: nothing about SSO leaks
        wrong = await client.post(
            "/api/v1/auth/login", json={"email": member.email, "password": "nope nope"}
        )
        assert_problem(wrong, 401, "INVALID_CREDENTIALS")
        # the installation admin keeps the password (a broken provider locks nobody out)
        credentials = app.state.initial_credentials
        await session_headers(client, credentials.email, credentials.password)


class TestWebFlow:
    async def test_lands_signed_in_with_the_refresh_cookie(
        self, oidc: OidcServer, client: httpx.AsyncClient, admin_headers: dict[str, str]
    ) -> None:
        await create_provider(client, oidc, admin_headers)
        csrf = {"X-Folio-CSRF": "1"}
        started = await client.post(
            "/web/sso/start", json={"email": "alice@acme.test"}, headers=csrf
        )
        assert started.status_code == 200, started.text
        flow = started.json()
        back = sign_in_at_provider(flow["authorization_url"], "alice", CALLBACK)
        page = await client.get(f"/sso/callback?code={back.code}&state={back.state}")
        assert page.status_code == 200 and "app.js" in page.text
        as_api = await client.post(
            f"/api/v1/sso/flows/{flow['flow_id']}/callback",
            json={"code": back.code, "state": back.state},
        )
        assert_problem(as_api, 401, "SSO_STATE_INVALID")  # a web flow finishes on the web
        finished = await client.post(
            "/web/sso/callback",
            json={"flow_id": flow["flow_id"], "code": back.code, "state": back.state},
            headers=csrf,
        )
        assert finished.status_code == 200, finished.text
        cookie = finished.headers["set-cookie"]
        assert "folio_refresh=" in cookie and "HttpOnly" in cookie and "Path=/web/session" in cookie
        assert "samesite=strict" in cookie.lower()
        refreshed = await client.post("/web/session/refresh", headers=csrf)
        assert refreshed.status_code == 200 and refreshed.json()["access_token"]
