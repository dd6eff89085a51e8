"""The PostgreSQL path (FOLIO_TEST_BACKEND=scaleout): the migration turns the encrypted
columns into text, and rotation encrypts a plaintext row written before encryption."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator

import asyncpg
import pytest

from folio.core import crypto
from folio.core.crypto import KeyRing
from folio.core.db import Database
from folio.encryption.service import rotate
from folio.webhooks.models import WebhookEndpoint
from tests.conftest import SCALEOUT
from tests.scaleout.stack import PG_URL, _with_database, create_database, drop_database, migrate

pytestmark = pytest.mark.skipif(not SCALEOUT, reason="needs PostgreSQL (FOLIO_TEST_BACKEND)")
ENCRYPTED = {
    ("documents", "intelligence"),
    ("document_versions", "intelligence"),
    ("webhook_endpoints", "secret"),
}


@pytest.fixture
def database() -> Iterator[str]:
    name = f"folio_crypto_{uuid.uuid4().hex[:8]}"
    asyncio.run(create_database(name))
    yield name
    asyncio.run(drop_database(name))
    crypto.install(KeyRing({}, None))


async def test_columns_are_text_and_rotation_encrypts_plaintext(database: str) -> None:
    url = _with_database(PG_URL, database)
    await migrate(url.replace("postgresql://", "postgresql+asyncpg://", 1))
    raw = await asyncpg.connect(url)
    try:
        columns = await raw.fetch(
            "SELECT table_name, column_name, data_type FROM information_schema.columns "
            "WHERE column_name IN ('intelligence', 'secret')"
        )
        assert {(c["table_name"], c["column_name"]) for c in columns} >= ENCRYPTED
        assert all(c["data_type"] == "text" for c in columns)
        await raw.execute(
            "INSERT INTO teams (id, name, is_personal, plan, settings, created_at, updated_at) "
            "VALUES ('team_1', 't', false, 'free', '{}', now(), now())"
        )
        await raw.execute(
            "INSERT INTO webhook_endpoints (id, team_id, url, event_types, secret, is_active, "
            "max_attempts, consecutive_failures, created_at, updated_at) VALUES ('whk_1', "
            "'team_1', 'http://x/', '[]', 'whsec_plain', true, 5, 0, now(), now())"
        )
        ring = KeyRing.from_config({"k1": crypto.new_key()}, None)
        crypto.install(ring)
        db = Database(url.replace("postgresql://", "postgresql+asyncpg://", 1))
        try:
            report = await rotate(db, ring)
            async with db.session(write=False) as session:
                endpoint = await session.get(WebhookEndpoint, "whk_1")
        finally:
            await db.dispose()

        assert report.rewritten == 1
        assert endpoint is not None and endpoint.secret == "whsec_plain"
        stored = await raw.fetchval("SELECT secret FROM webhook_endpoints")
        assert stored.startswith("fenc:v1:k1:") and "whsec_plain" not in stored
    finally:
        await raw.close()
