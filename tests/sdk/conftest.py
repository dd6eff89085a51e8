"""The SDK (``clients/python``) against a real Folio server on a loopback port.

The package is imported from its source tree, so the tests need no install into the shared
virtualenv; ``make install`` installs it (editable) for readers.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from fastapi import FastAPI

from tests.live import serving
from tests.webhooks.conftest import receiver  # noqa: F401 - a real receiver for deliveries

SDK_SOURCE = Path(__file__).resolve().parents[2] / "clients" / "python" / "src"
if str(SDK_SOURCE) not in sys.path:
    sys.path.insert(0, str(SDK_SOURCE))


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return {"webhook_allowed_hosts": ["127.0.0.1"], "webhook_poll_s": 0.1}


@pytest.fixture
async def base_url(app: FastAPI) -> AsyncIterator[str]:
    """A real uvicorn serving the test's app; the sync client runs in a thread beside it."""
    async with serving(app) as url:
        yield url
