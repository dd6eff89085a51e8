"""Field-level encryption at rest: what the SQLite file holds, what the API returns, key
rotation, the plaintext migration path and the start-up check for missing keys."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from typer.testing import CliRunner

from folio.app import create_app
from folio.cli import app as folio_cli
from folio.config import Settings
from folio.core import crypto
from folio.core.crypto import EncryptionError, EncryptionKeyMissing, KeyRing
from folio.encryption.service import rotate
from folio.webhooks.models import WebhookEndpoint
from folio.workers.celery_worker import check_encryption_keys
from tests.conftest import SCALEOUT, make_settings
from tests.helpers import upload_ok, wait_settled

# the raw values are read from the SQLite file; test_postgres.py reads PostgreSQL's
pytestmark = pytest.mark.skipif(SCALEOUT, reason="reads the SQLite file itself")
KEY_1 = crypto.new_key()
KEY_2 = crypto.new_key()
EMAIL = "jane.doe@example.com"
PII_TEXT = f"Customer: Jane Doe, {EMAIL}, IBAN DE89 3704 0044 0532 0130 00.\n".encode()
ENCRYPTED_AT_REST = (
    ("documents", "intelligence"),
    ("document_versions", "intelligence"),
    ("webhook_endpoints", "secret"),
)


@pytest.fixture(autouse=True)
def plaintext_afterwards() -> Iterator[None]:
    yield
    crypto.install(KeyRing({}, None))  # the ring is process-wide: leave none to other tests


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return {
        "encryption_keys": {"k1": KEY_1},
        "analysis_enabled": True,
        "webhook_allowed_hosts": ["127.0.0.1"],
    }


def stored(data_dir: Path, table: str, column: str) -> list[str]:
    """The raw text in the SQLite file, past every Folio and SQLAlchemy layer."""
    with sqlite3.connect(data_dir / "folio.db") as raw:
        rows = raw.execute(f"SELECT {column} FROM {table} WHERE {column} IS NOT NULL").fetchall()
    return [row[0] for row in rows]


async def encrypted_fixture_data(client: httpx.AsyncClient) -> tuple[str, str]:
    document = await upload_ok(client, content=PII_TEXT, filename="customer.txt")
    await wait_settled(client, document["id"])
    webhook = await client.post("/api/v1/webhooks", json={"url": "http://127.0.0.1:9/hook"})
    assert webhook.status_code == 201, webhook.text
    return document["id"], webhook.json()["secret"]


async def secret_of(app: FastAPI) -> str:
    async with app.state.runtime.db.session(write=False) as session:
        endpoint = (await session.execute(WebhookEndpoint.__table__.select())).first()
        assert endpoint is not None
        return str(endpoint.secret)


class TestAtRest:
    async def test_pii_and_webhook_secrets_are_ciphertext_in_the_file(
        self, app: FastAPI, client: httpx.AsyncClient, data_dir: Path
    ) -> None:
        document_id, secret = await encrypted_fixture_data(client)

        results = (await client.get(f"/api/v1/documents/{document_id}/results")).json()
        assert "email" in results["intelligence"]["pii"]["types"]
        assert EMAIL in json.dumps(results["intelligence"])  # decrypted for the API
        assert await secret_of(app) == secret  # and for signing deliveries
        for table, column in ENCRYPTED_AT_REST:
            values = stored(data_dir, table, column)
            assert values, table
            for value in values:
                assert value.startswith("fenc:v1:k1:"), (table, value[:40])
                assert EMAIL not in value and secret not in value

    async def test_rotation_re_encrypts_with_the_new_key_and_resumes(
        self, app: FastAPI, client: httpx.AsyncClient, data_dir: Path
    ) -> None:
        document_id, secret = await encrypted_fixture_data(client)
        both = KeyRing.from_config({"k1": KEY_1, "k2": KEY_2}, "k2")
        crypto.install(both)  # what a restart with both keys, k2 active, does

        first = await rotate(app.state.runtime.db, both)
        again = await rotate(app.state.runtime.db, both)

        assert first.rewritten == 3 and again.rewritten == 0
        assert first.retired_keys == ["k1"] and again.retired_keys == []
        for table, column in ENCRYPTED_AT_REST:
            assert all(v.startswith("fenc:v1:k2:") for v in stored(data_dir, table, column))
        results = (await client.get(f"/api/v1/documents/{document_id}/results")).json()
        assert EMAIL in json.dumps(results["intelligence"])
        assert await secret_of(app) == secret


class TestStartUp:
    async def test_a_missing_key_stops_the_start_with_a_clear_error(
        self, client: httpx.AsyncClient, data_dir: Path, tmp_path: Path
    ) -> None:
        await encrypted_fixture_data(client)
        copy = tmp_path / "copy"  # the running app holds its data directory's lock
        copy.mkdir()
        with (
            sqlite3.connect(data_dir / "folio.db") as source,
            sqlite3.connect(copy / "folio.db") as target,
        ):
            source.backup(target)
        for keys in ({}, {"k2": KEY_2}):
            restarted = create_app(make_settings(copy, encryption_keys=keys))
            with pytest.raises(EncryptionKeyMissing, match="key\\(s\\) k1"):
                async with restarted.router.lifespan_context(restarted):
                    pass
            with pytest.raises(EncryptionKeyMissing, match="key\\(s\\) k1"):  # a Celery worker
                await check_encryption_keys(make_settings(copy, encryption_keys=keys))

    @pytest.mark.parametrize(
        "overrides",
        [
            {"encryption_keys": {"k1": "too-short"}},
            {"encryption_keys": {"k1": KEY_1, "k2": KEY_2}},  # which one is active?
            {"encryption_keys": {"k1": KEY_1}, "encryption_active_key": "k9"},
            {"encryption_keys": {"bad id!": KEY_1}},
        ],
    )
    def test_bad_key_settings_stop_the_start(self, overrides: dict[str, object]) -> None:
        with pytest.raises(ValueError):
            Settings(_env_file=None, **overrides)  # type: ignore[call-arg]


class TestKeyRing:
    def test_values_decrypt_with_any_known_key_and_not_when_altered(self) -> None:
        old = KeyRing.from_config({"k1": KEY_1}, None)
        new = KeyRing.from_config({"k1": KEY_1, "k2": KEY_2}, "k2")
        sealed = old.encrypt("Jane Doe")

        assert sealed != old.encrypt("Jane Doe")  # a fresh nonce each time
        assert new.decrypt(sealed) == "Jane Doe" and not new.is_current(sealed)
        assert new.decrypt("written before encryption") == "written before encryption"
        altered = sealed[:-2] + ("A" if sealed[-2] != "A" else "B") + sealed[-1]
        with pytest.raises(EncryptionError):
            new.decrypt(altered)
        with pytest.raises(EncryptionError):  # another key id claimed: the tag fails too
            new.decrypt(sealed.replace(":k1:", ":k2:"))
        with pytest.raises(EncryptionKeyMissing):
            KeyRing.from_config({"k2": KEY_2}, None).decrypt(sealed)


class TestWithoutKeys:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, object]:
        return {"webhook_allowed_hosts": ["127.0.0.1"]}  # and no keys

    async def test_values_are_stored_as_before(
        self, client: httpx.AsyncClient, data_dir: Path
    ) -> None:
        await client.post("/api/v1/webhooks", json={"url": "http://127.0.0.1:9/hook"})
        (secret,) = stored(data_dir, "webhook_endpoints", "secret")
        assert secret.startswith("whsec_")


def test_rotate_command_encrypts_existing_plaintext(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with sqlite3.connect(data_dir / "folio.db") as raw:
        raw.execute(
            "INSERT INTO webhook_endpoints (id, team_id, url, event_types, secret, is_active, "
            "max_attempts, consecutive_failures, created_at, updated_at) VALUES ('whk_1', "
            "'team_x', 'http://127.0.0.1:9/', '[]', 'whsec_plain', 1, 5, 0, "
            "'2026-12-07 00:00:00', '2026-12-07 00:00:00')"
        )
    monkeypatch.setenv("FOLIO_ENCRYPTION_KEYS", json.dumps({"k1": KEY_1}))
    runner = CliRunner()

    first = runner.invoke(folio_cli, ["encryption", "rotate", "--data-dir", str(data_dir)])
    again = runner.invoke(folio_cli, ["encryption", "rotate", "--data-dir", str(data_dir)])

    assert first.exit_code == 0, first.output
    report = json.loads(first.stdout.strip().splitlines()[-1])
    assert report["active_key"] == "k1" and report["rewritten"] == 1
    assert json.loads(again.stdout.strip().splitlines()[-1])["rewritten"] == 0
    (secret,) = stored(data_dir, "webhook_endpoints", "secret")
    assert secret.startswith("fenc:v1:k1:")
    assert KeyRing.from_config({"k1": KEY_1}, None).decrypt(secret) == "whsec_plain"
    monkeypatch.setenv("FOLIO_ENCRYPTION_KEYS", json.dumps({"k2": KEY_2}))
    refused = runner.invoke(folio_cli, ["encryption", "rotate", "--data-dir", str(data_dir)])
    assert refused.exit_code == 1 and "k1" in refused.output


def test_every_stored_secret_is_an_encrypted_column() -> None:
    """A column that keeps a secret Folio must use again (not a hash of one) is encrypted at
    rest: a new one added in plain text fails here."""
    import folio.models  # noqa: F401  (every table registered)
    from folio.core.crypto import EncryptedJSON, EncryptedText
    from folio.core.db import Base

    plain = [
        f"{table.name}.{column.name}"
        for table in Base.metadata.sorted_tables
        for column in table.columns
        if any(word in column.name for word in ("secret", "password", "id_token"))
        and not column.name.endswith(("_hash", "_at"))
        and not isinstance(column.type, EncryptedText | EncryptedJSON)
    ]
    assert plain == []
