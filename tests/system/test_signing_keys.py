"""JWT signing-key rotation: by the admin endpoint or `folio admin rotate-signing-key`; new
tokens carry the new key id, tokens signed before keep working until they expire."""

from __future__ import annotations

import asyncio
import json
import sys
from datetime import timedelta
from pathlib import Path

import httpx
import jwt
import pytest
from fastapi import FastAPI

from folio.core.security import KeyRing
from tests.factories import Account
from tests.helpers import assert_problem

FOLIO = Path(sys.executable).with_name("folio")


async def admin_token(anonymous_client: httpx.AsyncClient, app: FastAPI, admin: Account) -> str:
    response = await anonymous_client.post(
        "/api/v1/auth/login",
        json={"email": admin.email, "password": app.state.initial_credentials.password},
    )
    assert response.status_code == 200, response.text
    return response.json()["tokens"]["access_token"]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def kid_of(token: str) -> str:
    return jwt.get_unverified_header(token)["kid"]


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return {"workers": 0}


class TestRotateEndpoint:
    async def test_new_tokens_use_the_new_key_and_old_ones_still_verify(
        self, app: FastAPI, admin: Account, anonymous_client: httpx.AsyncClient
    ) -> None:
        old_token = await admin_token(anonymous_client, app, admin)
        before = (
            await anonymous_client.get("/api/v1/system/signing-keys", headers=bearer(old_token))
        ).json()

        rotated = await anonymous_client.post(
            "/api/v1/system/signing-keys/rotate", headers=bearer(old_token)
        )
        new_token = await admin_token(anonymous_client, app, admin)
        old_still = await anonymous_client.get("/api/v1/auth/me", headers=bearer(old_token))
        forged = jwt.encode(
            {**jwt.decode(old_token, options={"verify_signature": False})},
            b"x" * 32,
            algorithm="HS256",
            headers={"kid": kid_of(old_token)},
        )
        refused = await anonymous_client.get("/api/v1/auth/me", headers=bearer(forged))

        assert rotated.status_code == 200, rotated.text
        body = rotated.json()
        assert body["current"] != before["current"] == kid_of(old_token)
        assert kid_of(new_token) == body["current"]
        retired = {k["kid"]: k for k in body["keys"]}[before["current"]]
        assert retired["current"] is False and retired["retired_at"] is not None
        assert old_still.status_code == 200
        assert_problem(refused, 401, "INVALID_TOKEN")
        stored = json.loads((app.state.settings.key_file).read_text())
        assert stored["current"] == body["current"] and before["current"] in stored["keys"]

    async def test_needs_system_admin(
        self,
        client: httpx.AsyncClient,
        viewer_client: httpx.AsyncClient,
        anonymous_client: httpx.AsyncClient,
    ) -> None:
        # API keys never carry system:admin, not even the admin's
        by_key = await client.post("/api/v1/system/signing-keys/rotate")
        by_viewer = await viewer_client.get("/api/v1/system/signing-keys")
        anonymous = await anonymous_client.post("/api/v1/system/signing-keys/rotate")

        assert_problem(by_key, 403, "FORBIDDEN")
        assert_problem(by_viewer, 403, "FORBIDDEN")
        assert_problem(anonymous, 401, "UNAUTHORIZED")


class TestSharedSecret:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, object]:
        return {"workers": 0, "jwt_secret": "s" * 40}

    async def test_a_secret_from_the_environment_cannot_rotate(
        self, app: FastAPI, admin: Account, anonymous_client: httpx.AsyncClient
    ) -> None:
        token = await admin_token(anonymous_client, app, admin)

        response = await anonymous_client.post(
            "/api/v1/system/signing-keys/rotate", headers=bearer(token)
        )

        assert_problem(response, 409, "CONFLICT")


class TestCli:
    async def test_a_running_server_picks_up_a_rotation_by_the_cli(
        self, app: FastAPI, admin: Account, anonymous_client: httpx.AsyncClient
    ) -> None:
        old_token = await admin_token(anonymous_client, app, admin)
        process = await asyncio.create_subprocess_exec(
            str(FOLIO),
            "admin",
            "rotate-signing-key",
            "--data-dir",
            str(app.state.settings.data_dir),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        stdout, stderr = await asyncio.wait_for(process.communicate(), 120)
        printed = json.loads(stdout)
        # a token the CLI-side ring signs with the new key verifies on the server at once
        cli_ring = KeyRing.load_or_create(app.state.settings.key_file)
        signed_elsewhere = jwt.decode(old_token, options={"verify_signature": False})
        by_new_key = cli_ring.encode(
            {k: signed_elsewhere[k] for k in ("sub", "sid", "typ")}, timedelta(minutes=5)
        )
        accepted = await anonymous_client.get("/api/v1/auth/me", headers=bearer(by_new_key))
        old_still = await anonymous_client.get("/api/v1/auth/me", headers=bearer(old_token))
        new_token = await admin_token(anonymous_client, app, admin)

        assert process.returncode == 0, stderr.decode()
        assert printed["current"] != kid_of(old_token)
        assert kid_of(old_token) in printed["keys"]
        assert kid_of(by_new_key) == printed["current"]
        assert accepted.status_code == 200
        assert old_still.status_code == 200
        assert kid_of(new_token) == printed["current"]


def test_keys_retired_longer_than_a_token_lives_are_dropped(tmp_path: Path) -> None:
    ring = KeyRing.load_or_create(tmp_path / "jwt-keys.json")
    first = ring.current
    token = ring.encode({"sub": "usr_1"}, timedelta(minutes=5))

    second = ring.rotate_stored(keep_retired=timedelta(hours=1))
    still = ring.decode(token)
    third = ring.rotate_stored(keep_retired=timedelta(0))
    reloaded = KeyRing.load_or_create(tmp_path / "jwt-keys.json")

    assert still["sub"] == "usr_1"
    assert [info.kid for info in reloaded.describe()] == sorted([third])
    assert first not in reloaded.keys and second not in reloaded.keys
