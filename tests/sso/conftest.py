"""A real OpenID Connect provider (npm `oidc-provider`, see provider.mjs) on a loopback port,
started once per session, and a browser-less user agent that signs in through its login and
consent pages with httpx."""

from __future__ import annotations

import json
import re
import socket
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx
import pytest
from joserfc.jwk import RSAKey

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
NODE_MODULE = REPO / "node_modules" / "oidc-provider"
FORM_ACTION = re.compile(r'<form[^>]*action="([^"]+)"')
PROMPT = re.compile(r'name="prompt" value="([^"]+)"')

if not NODE_MODULE.exists():
    pytest.skip("needs `npm ci` (oidc-provider)", allow_module_level=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def signing_key(kid: str) -> RSAKey:
    return RSAKey.generate_key(2048, parameters={"kid": kid, "use": "sig", "alg": "RS256"})


@dataclass
class OidcServer:
    issuer: str
    key: RSAKey  # the provider's own signing key: tests sign crafted tokens with it
    process: subprocess.Popen[str]

    def register(self, redirect_uri: str, post_logout: str | None = None) -> tuple[str, str]:
        """A client registered for Folio (RFC 7591 dynamic registration)."""
        body: dict[str, object] = {
            "redirect_uris": [redirect_uri],
            "grant_types": ["authorization_code"],
            "response_types": ["code"],
            "token_endpoint_auth_method": "client_secret_basic",
        }
        if post_logout:
            body["post_logout_redirect_uris"] = [post_logout]
        answer = httpx.post(f"{self.issuer}/reg", json=body, timeout=10)
        answer.raise_for_status()
        client = answer.json()
        return client["client_id"], client["client_secret"]


def start_provider(directory: Path, port: int, keys: list[RSAKey]) -> subprocess.Popen[str]:
    jwks = directory / f"jwks-{port}-{keys[0].kid}.json"
    jwks.write_text(json.dumps({"keys": [key.as_dict(private=True) for key in keys]}))
    process = subprocess.Popen(
        ["node", str(HERE / "provider.mjs"), str(port), str(jwks)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline()  # "ready <issuer>" once it listens
    if not line.startswith("ready"):
        process.kill()
        raise AssertionError(f"oidc-provider did not start: {line!r}")
    return process


def stop_provider(process: subprocess.Popen[str]) -> None:
    process.terminate()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture(scope="session")
def oidc(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OidcServer]:
    port, key = free_port(), signing_key("k1")
    process = start_provider(tmp_path_factory.mktemp("oidc"), port, [key])
    try:
        yield OidcServer(f"http://127.0.0.1:{port}", key, process)
    finally:
        stop_provider(process)


@dataclass(frozen=True)
class Redirect:
    """Where the provider sent the browser back, with the query it added."""

    url: str
    code: str | None
    state: str | None
    error: str | None


def sign_in_at_provider(authorization_url: str, account: str, redirect_prefix: str) -> Redirect:
    """What a browser does: follow redirects, fill in the login form with ``account``
    (the dev pages take any password), grant consent, until the provider redirects to
    ``redirect_prefix``."""
    with httpx.Client(timeout=10, follow_redirects=False) as browser:
        response = browser.get(authorization_url)
        for _ in range(12):
            if response.is_redirect:
                location = urljoin(str(response.url), response.headers["location"])
                if location.startswith(redirect_prefix):
                    query = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
                    return Redirect(
                        location, query.get("code"), query.get("state"), query.get("error")
                    )
                response = browser.get(location)
                continue
            action, prompt = FORM_ACTION.search(response.text), PROMPT.search(response.text)
            assert action and prompt, response.text[:500]
            form = {"prompt": prompt.group(1)}
            if prompt.group(1) == "login":
                form |= {"login": account, "password": "any"}
            response = browser.post(urljoin(str(response.url), action.group(1)), data=form)
    raise AssertionError("the provider never redirected back")
