from __future__ import annotations

from tests.webcrawl.conftest import test_site

__all__ = ["test_site"]
