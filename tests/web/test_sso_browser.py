"""Single sign-on in real Chromium: "Sign in with SSO" on the sign-in view, the real
OpenID Connect provider's login and consent pages, back to Folio signed in; signing out
goes on to the provider's sign-out page."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.server import Server
from tests.sso.conftest import free_port, signing_key, start_provider, stop_provider
from tests.web.conftest import _first_start_credentials

pytestmark = [pytest.mark.e2e]


@pytest.fixture(scope="module")
def issuer() -> Iterator[str]:
    port = free_port()
    with tempfile.TemporaryDirectory() as directory:
        process = start_provider(Path(directory), port, [signing_key("web")])
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            stop_provider(process)


@pytest.fixture(scope="module")
def folio(tmp_path_factory: pytest.TempPathFactory, issuer: str) -> Iterator[str]:
    server = Server(
        tmp_path_factory.mktemp("web-sso") / "data", FOLIO_SSO_ALLOWED_HOSTS='["127.0.0.1"]'
    )
    server.env["FOLIO_PUBLIC_URL"] = server.url  # the redirect URI registered at the provider
    server.start()
    try:
        email, password, _ = _first_start_credentials(server)
        with httpx.Client(base_url=server.url, timeout=30) as http:
            login = http.post("/api/v1/auth/login", json={"email": email, "password": password})
            token = login.json()["tokens"]["access_token"]
            registered = httpx.post(
                f"{issuer}/reg",
                json={
                    "redirect_uris": [f"{server.url}/sso/callback"],
                    "post_logout_redirect_uris": [f"{server.url}/login"],
                    "grant_types": ["authorization_code"],
                    "response_types": ["code"],
                },
                timeout=10,
            ).json()
            created = http.post(
                "/api/v1/sso/providers",
                headers={"Authorization": f"Bearer {token}"},
                json={
                    "name": "Acme IdP",
                    "issuer": issuer,
                    "client_id": registered["client_id"],
                    "client_secret": registered["client_secret"],
                    "allowed_domains": ["acme.test"],
                    "auto_join": True,
                    "post_logout_redirect_uri": f"{server.url}/login",
                },
            )
            assert created.status_code == 201, created.text
        yield server.url
    finally:
        server.stop()


def test_sign_in_with_sso_and_sign_out_at_the_provider(
    browser: Browser, folio: str, issuer: str
) -> None:
    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{folio}/login")
    page.get_by_label("E-mail").fill("alice@acme.test")
    page.get_by_role("button", name="Sign in with SSO").click()
    page.wait_for_url(f"{issuer}/interaction/**")  # the provider's own login page
    page.locator("input[name=login]").fill("alice")
    page.locator("input[name=password]").fill("any password")
    page.locator("button[type=submit]").click()
    page.locator("button[type=submit]").click()  # consent: Folio may read e-mail and profile
    page.wait_for_url(f"{folio}/")
    expect(page.locator("#nav-user")).to_have_text("alice@acme.test")
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{issuer}/session/end**")  # RP-initiated logout at the provider
    assert errors == []
    context.close()
