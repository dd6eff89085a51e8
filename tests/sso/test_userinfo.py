"""The userinfo endpoint after the code exchange: claims only the provider's userinfo holds
(as with Entra ID or Okta) are mapped, and an answer about another subject is refused. Real
`oidc-provider` (tests/sso/provider.mjs: account ``carol`` has e-mail and groups only at
userinfo; ``switcher``'s access token gets alice's userinfo)."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from joserfc import jws
from sqlalchemy import select
from tests.factories import Account
from tests.helpers import assert_problem
from tests.sso.conftest import OidcServer
from tests.sso.test_sso import bearer, create_provider, session_headers, sso_sign_in

from folio.sso.models import SsoSession
from folio.sso.oidc import IdTokenRejected, merge_userinfo
from folio.users.models import User

SSO_SETTINGS = pytest.mark.parametrize(
    "settings_overrides",
    [{"sso_allowed_hosts": ["127.0.0.1"], "public_url": "http://folio.test"}],
)


@pytest.fixture
async def admin_headers(app: FastAPI, client: httpx.AsyncClient) -> dict[str, str]:
    credentials = app.state.initial_credentials
    return await session_headers(client, credentials.email, credentials.password)


async def stored_id_token_claims(app: FastAPI) -> dict[str, Any]:
    """The claims of the ID token Folio kept for the one SSO session (its signature was
    verified at sign-in; here only what it says matters)."""
    async with app.state.runtime.db.session(write=False) as session:
        [row] = list(await session.scalars(select(SsoSession)))
    return dict(json.loads(jws.extract_compact(row.id_token.encode()).payload))


async def emails(app: FastAPI) -> set[str]:
    async with app.state.runtime.db.session(write=False) as session:
        return set(await session.scalars(select(User.email)))


@SSO_SETTINGS
class TestUserinfo:
    async def test_email_and_groups_only_at_userinfo_are_mapped(
        self,
        app: FastAPI,
        oidc: OidcServer,
        client: httpx.AsyncClient,
        admin: Account,
        admin_headers: dict[str, str],
    ) -> None:
        provider = await create_provider(client, oidc, admin_headers)
        answer, _ = await sso_sign_in(client, provider["id"], "carol")
        id_token = await stored_id_token_claims(app)
        # groups folio-admins (from userinfo) → admin of the team: may list its providers
        listed = await client.get("/api/v1/sso/providers", headers=bearer(answer))

        assert answer.status_code == 200, answer.text
        assert id_token["sub"] == "carol" and "email" not in id_token
        assert "groups" not in id_token and id_token["name"] == "Carol Acme"
        assert answer.json()["user"]["email"] == "carol@acme.test"
        assert answer.json()["team_id"] == admin.team_id
        assert listed.status_code == 200, listed.text
        assert [p["id"] for p in listed.json()["items"]] == [provider["id"]]

    async def test_a_userinfo_answer_about_another_subject_is_refused(
        self,
        app: FastAPI,
        oidc: OidcServer,
        client: httpx.AsyncClient,
        admin_headers: dict[str, str],
    ) -> None:
        provider = await create_provider(client, oidc, admin_headers)
        before = await emails(app)
        refused, _ = await sso_sign_in(client, provider["id"], "switcher")

        assert_problem(refused, 401, "SSO_TOKEN_INVALID")
        assert "another subject" in refused.json()["detail"]
        assert await emails(app) == before  # neither switcher nor alice was provisioned


# the claims the real provider put in alice's ID token and userinfo answer (provider.mjs)
ID_TOKEN = {
    "iss": "http://127.0.0.1:4000",
    "aud": "client-1",
    "sub": "alice",
    "exp": 1_900_000_300,
    "iat": 1_900_000_000,
    "nonce": "n-1",
    "at_hash": "x0X5gG7bC3hZ",
    "name": "Alice Acme",
    "groups": ["folio-admins"],
}


class TestMerge:
    def test_userinfo_adds_and_updates_profile_claims(self) -> None:
        userinfo = {"sub": "alice", "email": "alice@acme.test", "groups": ["staff", "admins"]}
        merged = merge_userinfo(ID_TOKEN, userinfo)
        assert merged["email"] == "alice@acme.test"
        assert merged["groups"] == ["staff", "admins"]
        assert merged["name"] == "Alice Acme"

    def test_the_id_token_wins_for_its_own_claims(self) -> None:
        userinfo = {
            "sub": "alice",
            "iss": "http://evil.test",
            "aud": "someone-else",
            "nonce": "other",
            "exp": 9_999_999_999,
        }
        merged = merge_userinfo(ID_TOKEN, userinfo)
        assert {k: merged[k] for k in ("iss", "aud", "nonce", "exp")} == {
            k: ID_TOKEN[k] for k in ("iss", "aud", "nonce", "exp")
        }

    def test_another_or_a_missing_subject_is_refused(self) -> None:
        for userinfo in ({"sub": "bob", "email": "bob@acme.test"}, {"email": "x@acme.test"}):
            with pytest.raises(IdTokenRejected):
                merge_userinfo(ID_TOKEN, userinfo)

    def test_no_userinfo_leaves_the_id_token_claims(self) -> None:
        assert merge_userinfo(ID_TOKEN, {}) == ID_TOKEN
