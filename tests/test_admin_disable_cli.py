"""``folio admin disable|enable``: an operator stops an account from the command line, on a
real data directory, and its API key is refused by a server reading that directory."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import anyio
import httpx
import pytest

from tests.conftest import SCALEOUT
from tests.factories import Account
from tests.test_admin_plan import folio_admin


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return {"auth_cache_ttl_s": 0}  # a process without Redis keeps a credential this long


@pytest.mark.skipif(SCALEOUT, reason="the CLI here writes the embedded data directory")
async def test_a_disabled_users_key_is_refused_at_its_next_request_and_works_after_enable(
    data_dir: Path,
    client: httpx.AsyncClient,
    second_client: httpx.AsyncClient,
    second_account: Account,
) -> None:
    assert (await second_client.get("/api/v1/auth/me")).status_code == 200

    disabled = await anyio.to_thread.run_sync(
        folio_admin, data_dir, "disable", second_account.email
    )
    refused = await second_client.get("/api/v1/auth/me")
    others = await client.get("/api/v1/auth/me")
    await anyio.to_thread.run_sync(folio_admin, data_dir, "enable", second_account.email)
    again = await second_client.get("/api/v1/auth/me")

    assert disabled.returncode == 0, disabled.stderr
    assert refused.status_code == 401
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert others.status_code == 200
    assert again.status_code == 200


def test_disable_and_enable_by_email_and_id_are_audited(tmp_path: Path) -> None:
    made = folio_admin(tmp_path, "create-user", "bo@example.com", "--password", "long enough pw")
    assert made.returncode == 0, made.stderr
    user_id = json.loads(made.stdout)["id"]

    disabled = folio_admin(tmp_path, "disable", "BO@example.com")
    enabled = folio_admin(tmp_path, "enable", user_id)
    missing = folio_admin(tmp_path, "disable", "nobody@example.com")

    assert disabled.returncode == 0, disabled.stderr
    assert json.loads(disabled.stdout) == {
        "id": user_id,
        "email": "bo@example.com",
        "is_active": False,
    }
    assert json.loads(enabled.stdout)["is_active"] is True
    assert missing.returncode == 1 and "NOT_FOUND" in missing.stderr
    with sqlite3.connect(tmp_path / "folio.db") as db:
        active = db.execute("SELECT is_active FROM users WHERE id = ?", (user_id,)).fetchone()
        trail = db.execute(
            "SELECT action, resource_id, actor_type FROM audit_entries ORDER BY id"
        ).fetchall()
    assert active == (1,)
    assert trail == [
        ("admin.users.disable", user_id, "cli"),
        ("admin.users.enable", user_id, "cli"),
    ]
