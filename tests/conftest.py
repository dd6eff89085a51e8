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
from folio.migrations import upgrade_database

REPO = Path(__file__).resolve().parents[1]
CORPUS = Path(os.environ.get("FOLIO_CORPUS", REPO.parent / "shared" / "corpus"))


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
        "dispatcher_poll_s": 0.2,
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
def settings(data_dir: Path, settings_overrides: dict[str, object]) -> Settings:
    return make_settings(data_dir, **settings_overrides)


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[FastAPI]:
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://folio.test", timeout=120
    ) as http:
        yield http
