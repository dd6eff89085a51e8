"""Shared fixtures: a real SQLite file per test, the real app with its worker pool."""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from folio.app import create_app
from folio.config import Settings
from folio.core.db import create_engine
from folio.core.permissions import BuiltinRole
from folio.migrations import upgrade_database
from tests.factories import Account, client_for, create_account

pytest_plugins = ["tests.smtp", "tests.scaleout.stack"]

REPO = Path(__file__).resolve().parents[1]
CORPUS = Path(os.environ.get("FOLIO_CORPUS", REPO.parent / "shared" / "corpus"))
SCALEOUT = os.environ.get("FOLIO_TEST_BACKEND") == "scaleout"  # see tests/scaleout/stack.py


def corpus(relative: str) -> Path:
    path = CORPUS / relative
    if not path.exists():
        raise FileNotFoundError(f"corpus file missing: {path} (set FOLIO_CORPUS)")
    return path


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Migrated once per session through Alembic; every test gets its own copy."""
    path = tmp_path_factory.mktemp("template") / "folio.db"

    async def migrate() -> None:
        engine = create_engine(f"sqlite+aiosqlite:///{path}")
        await upgrade_database(engine)
        await engine.dispose()

    asyncio.run(migrate())
    return path


def make_settings(data_dir: Path, **overrides: object) -> Settings:
    defaults: dict[str, object] = {
        "data_dir": data_dir,
        "workers": 1,
        "worker_prestart": False,
        "log_json": False,
        "log_level": "WARNING",
        "job_time_limit_s": 120,
        # the spaCy model costs seconds per fresh worker; tests/documents/test_understanding.py
        # turns analysis on
        "analysis_enabled": False,
        "dispatcher_poll_s": 0.2,
        # a spawned worker (or sandbox) process imports the pipeline afresh, about 1.3 s of CPU
        # in every test that processes a document; forked from a server that imported it once,
        # it starts in ~0.1 s. `folio serve` (tests/e2e, docs, backup) keeps the default, spawn.
        "worker_start_method": "forkserver",
    }
    return Settings(_env_file=None, **{**defaults, **overrides})  # type: ignore[call-arg]


@pytest.fixture
def data_dir(tmp_path: Path, migrated_database: Path) -> Path:
    directory = tmp_path / "data"
    directory.mkdir()
    shutil.copy(migrated_database, directory / "folio.db")
    return directory


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    """Override in a test module (or parametrize) to change the app's settings."""
    return {}


@pytest.fixture
def settings(
    data_dir: Path, settings_overrides: dict[str, object], request: pytest.FixtureRequest
) -> Settings:
    if SCALEOUT:  # FOLIO_TEST_BACKEND=scaleout: PostgreSQL, Redis and Celery workers
        backend = request.getfixturevalue("scaleout_backend")
        return make_settings(data_dir, **{**backend, **settings_overrides})
    return make_settings(data_dir, **settings_overrides)


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[FastAPI]:
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
def admin(app: FastAPI) -> Account:
    """The admin that the first start created, with its one-time API key."""
    credentials = app.state.initial_credentials
    assert credentials is not None
    return Account(
        user_id="",
        email=credentials.email,
        team_id=credentials.team_id,
        api_key=credentials.api_key,
    )


@pytest.fixture
async def client(app: FastAPI, admin: Account) -> AsyncIterator[httpx.AsyncClient]:
    """Signed in as the first-start admin (owner of its team)."""
    async with client_for(app, admin) as http:
        yield http


@pytest.fixture
async def anonymous_client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(app) as http:
        yield http


@pytest.fixture
async def second_account(app: FastAPI) -> Account:
    """Another user with a team of their own: must never see the admin's data."""
    return await create_account(app, "bea@example.com")


@pytest.fixture
async def second_client(app: FastAPI, second_account: Account) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(app, second_account) as http:
        yield http


@pytest.fixture
async def viewer_account(app: FastAPI, admin: Account) -> Account:
    """A viewer in the admin's team (read-only)."""
    return await create_account(
        app, "vic@example.com", join_team=admin.team_id, role=BuiltinRole.viewer
    )


@pytest.fixture
async def viewer_client(app: FastAPI, viewer_account: Account) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(app, viewer_account) as http:
        yield http
