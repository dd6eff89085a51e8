"""Fixtures for the intelligence tests: corpus paths and documents generated with real libraries."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CORPUS = Path(os.environ.get("FOLIO_CORPUS", Path(__file__).resolve().parents[4] / "shared/corpus"))


@pytest.fixture(scope="session")
def corpus() -> Path:
    if not CORPUS.is_dir():
        pytest.skip(f"test corpus not found at {CORPUS} (set FOLIO_CORPUS)")
    return CORPUS
