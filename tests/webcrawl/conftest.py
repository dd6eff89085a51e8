from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.webcrawl.site import LocalSite, serve


@pytest.fixture
def test_site() -> Iterator[LocalSite]:
    site = LocalSite()
    with serve(site.app()) as base_url:
        site.base_url = base_url
        yield site
