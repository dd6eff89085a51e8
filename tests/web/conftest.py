"""One real `folio serve` and one Debian Chromium (driven by Playwright) per test module."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import httpx
import pytest

from tests.e2e.server import Server
from tests.webcrawl.site import LocalSite, serve

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
REPO = Path(__file__).resolve().parents[2]
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = Path(__file__).with_name("artifacts")
ADMIN_LOGIN = re.compile(r"admin login:\s+(\S+) / (\S+)")
ADMIN_KEY = re.compile(r"admin API key:\s+(\S+)")

playwright_api = pytest.importorskip("playwright.sync_api")
if not CHROMIUM.exists() or not AXE.exists():
    pytest.skip("needs Debian's chromium and `npm ci` (make install)", allow_module_level=True)


@dataclass(frozen=True)
class Running:
    server: Server
    email: str
    password: str
    api_key: str

    def client(self, token: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token or self.api_key}"}
        return httpx.Client(base_url=self.server.url, timeout=60, headers=headers)


def _first_start_credentials(server: Server) -> tuple[str, str, str]:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        text = server.stderr_text()
        login, key = ADMIN_LOGIN.search(text), ADMIN_KEY.search(text)
        if login and key:
            return login.group(1), login.group(2), key.group(1)
        time.sleep(0.1)
    raise AssertionError(f"no first-start credentials printed:\n{server.stderr_text()}")


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    server = Server(
        tmp_path_factory.mktemp("web") / "data",
        FOLIO_WEBHOOK_ALLOWED_HOSTS='["127.0.0.1"]',  # the webhook test's receiver is on loopback
        # the datasets test crawls a site on loopback, quickly, with credits to spend
        FOLIO_CRAWLER_ALLOWED_HOSTS='["127.0.0.1"]',
        FOLIO_CRAWLER_TIMEOUT_S="1",
        FOLIO_CRAWLER_RETRIES="1",
        FOLIO_CRAWLER_BACKOFF_S="0.05",
        FOLIO_CRAWLER_POLL_S="0.1",
        FOLIO_CREDITS_INITIAL_GRANT="1000",
        # one browser user clicks through every page within a minute: more than the free
        # plan's 60 calls (the app waits out a 429, which would only make the tests slow)
        FOLIO_RATE_LIMIT_PLANS='{"free": {"minute": 1000, "hour": 10000, "day": 100000}}',
    )
    server.start()
    try:
        yield Running(server, *_first_start_credentials(server))
    finally:
        server.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with playwright_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class _Receiver(BaseHTTPRequestHandler):
    received: ClassVar[list[dict[str, str]]] = []

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length", "0"))
        self.received.append({**self.headers, "body": self.rfile.read(length).decode()})
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        return


@pytest.fixture(scope="module")
def receiver() -> Iterator[tuple[str, list[dict[str, str]]]]:
    """A webhook endpoint on loopback that records what it is sent."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/hook", _Receiver.received
    httpd.shutdown()


@pytest.fixture(scope="module")
def image_site() -> Iterator[LocalSite]:
    """The crawler tests' local site: pages with good, broken, tiny and disallowed images."""
    site = LocalSite(slow_s=1.5)
    with serve(site.app()) as base_url:
        site.base_url = base_url
        yield site


@pytest.fixture(scope="module")
def polite_site() -> Iterator[LocalSite]:
    """The same site asking for half a second between requests (robots.txt Crawl-delay): a
    crawl of it takes about ten seconds, time enough to stop it from the browser."""
    site = LocalSite(slow_s=0.5)
    site.robots_extra = "Crawl-delay: 0.5\n"
    with serve(site.app()) as base_url:
        site.base_url = base_url
        yield site


@pytest.fixture(scope="module")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
