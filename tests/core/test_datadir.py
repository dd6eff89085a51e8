"""A fresh data directory and everything written into it are readable by their owner only."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from tests.helpers import upload_ok


@pytest.fixture(autouse=True)
def usual_umask() -> Iterator[None]:
    """The umask most systems start a service with; put back afterwards."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "srv" / "folio-data"  # not there yet: the first start creates it


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return {"workers": 0}


async def test_database_blobs_keys_and_outbox_are_owner_only(
    app: FastAPI, client: httpx.AsyncClient, anonymous_client: httpx.AsyncClient
) -> None:
    await upload_ok(client, content=b"a private letter", filename="letter.txt")
    registered = await anonymous_client.post(
        "/api/v1/auth/register",
        json={"email": "ann@example.com", "password": "correct horse battery", "name": "Ann"},
    )
    assert registered.status_code == 201, registered.text  # mails a live verification link

    settings = app.state.runtime.settings
    written = [path for path in settings.data_dir.rglob("*") if path.is_file()]
    assert stat.S_IMODE(settings.data_dir.stat().st_mode) == 0o700
    assert settings.data_dir / "folio.db" in written and settings.key_file in written
    assert any(path.suffix == ".eml" for path in written)
    assert any(path.read_bytes() == b"a private letter" for path in written)
    readable_by_others = {
        str(path.relative_to(settings.data_dir)): oct(stat.S_IMODE(path.stat().st_mode))
        for path in [*written, *(p for p in settings.data_dir.rglob("*") if p.is_dir())]
        if path.stat().st_mode & 0o077
    }
    assert readable_by_others == {}
