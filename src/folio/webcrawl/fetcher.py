"""The one outbound fetcher of the crawler: SSRF guard, descriptive User-Agent, streamed size
cap, timeouts, bounded redirects, retries with backoff, per-host concurrency and pacing."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import httpx

from folio.core.netguard import GuardedTransport, HostNotFound, TargetRefused

USER_AGENT = "FolioCrawler/1.0 (+https://github.com/folio; dataset builder; honours robots.txt)"
REDIRECTS = frozenset({301, 302, 303, 307, 308})
RETRYABLE_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})


@dataclass(frozen=True)
class FetchPolicy:
    user_agent: str = USER_AGENT
    timeout_s: float = 15.0
    max_bytes: int = 20 * 1024 * 1024
    max_redirects: int = 5
    retries: int = 2
    backoff_s: float = 0.5
    per_host_concurrency: int = 8
    per_host_interval_s: float = 0.0  # pause between request starts to one host
    max_crawl_delay_s: float = 10.0  # a robots.txt Crawl-delay beyond this is capped
    allowed_hosts: tuple[str, ...] = ()
    allow_setting: str = "FOLIO_CRAWLER_ALLOWED_HOSTS"


class FetchError(Exception):
    """A request that did not produce a usable body; ``reason`` is a stable code:
    ``refused_address`` (the SSRF guard; the message names the allow-list setting),
    ``unreachable`` (no connection: the host does not resolve or refuses it), ``timeout``,
    ``connection`` (the connection broke), ``http_<status>``, ``too_large`` …"""

    def __init__(self, reason: str, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.reason, self.message, self.status = reason, message, status

    @property
    def retryable(self) -> bool:
        if self.reason in ("timeout", "connection", "unreachable"):
            return True
        return self.status is not None and self.status in RETRYABLE_STATUS


@dataclass(frozen=True)
class FetchResult:
    url: str  # as asked
    final_url: str  # after redirects
    status: int
    headers: Mapping[str, str]
    body: bytes

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()


@dataclass
class _HostGate:
    semaphore: asyncio.Semaphore
    interval_s: float
    last_start: float = float("-inf")
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def pace(self) -> None:
        """Waits until ``interval_s`` has passed since the previous request start; the
        interval may have grown since (a Crawl-delay read from robots.txt)."""
        if self.interval_s <= 0:
            self.last_start = time.monotonic()
            return
        async with self.lock:
            wait = self.last_start + self.interval_s - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            self.last_start = time.monotonic()


class Fetcher:
    """Use as ``async with Fetcher(policy) as fetcher``; share one per crawl."""

    def __init__(self, policy: FetchPolicy) -> None:
        self.policy = policy
        self._gates: dict[str, _HostGate] = {}
        self._client = httpx.AsyncClient(
            transport=GuardedTransport(policy.allowed_hosts, policy.allow_setting),
            timeout=httpx.Timeout(policy.timeout_s),
            headers={"user-agent": policy.user_agent},
            follow_redirects=False,
        )

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._client.aclose()

    async def fetch(
        self, url: str, *, max_bytes: int | None = None, headers: Mapping[str, str] | None = None
    ) -> FetchResult:
        """GET with retries on timeouts, connection errors, 429 and 5xx; raises FetchError."""
        attempt = 0
        while True:
            try:
                return await self._fetch_once(url, max_bytes or self.policy.max_bytes, headers)
            except FetchError as error:
                if not error.retryable or attempt >= self.policy.retries:
                    raise
            delay = self.policy.backoff_s * (2**attempt)
            await asyncio.sleep(delay * (0.5 + random.random()))  # jitter
            attempt += 1

    async def _fetch_once(
        self, url: str, max_bytes: int, headers: Mapping[str, str] | None
    ) -> FetchResult:
        current = url
        for _ in range(self.policy.max_redirects + 1):
            status, response_headers, body = await self._request(current, max_bytes, headers)
            if status in REDIRECTS and "location" in response_headers:
                current = urljoin(current, response_headers["location"])
                if urlsplit(current).scheme not in ("http", "https"):
                    raise FetchError("bad_redirect", f"redirect to a non-http URL: {current}")
                continue
            if status >= 400:
                raise FetchError(f"http_{status}", f"HTTP {status} from {current}", status=status)
            return FetchResult(url, current, status, response_headers, body)
        raise FetchError("too_many_redirects", f"more than {self.policy.max_redirects} redirects")

    async def _request(
        self, url: str, max_bytes: int, headers: Mapping[str, str] | None
    ) -> tuple[int, dict[str, str], bytes]:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise FetchError("bad_url", f"not an http(s) URL: {url[:200]}")
        gate = self._gate(parts.netloc.lower())
        async with gate.semaphore:
            await gate.pace()
            try:
                async with self._client.stream("GET", url, headers=headers) as response:
                    return (
                        response.status_code,
                        {k.lower(): v for k, v in response.headers.items()},
                        await self._read_capped(response, max_bytes),
                    )
            except HostNotFound as exc:
                raise FetchError("unreachable", str(exc)) from exc
            except TargetRefused as exc:
                raise FetchError("refused_address", str(exc)) from exc
            except httpx.TimeoutException as exc:
                raise FetchError("timeout", f"timed out after {self.policy.timeout_s} s") from exc
            except httpx.ConnectError as exc:
                message = f"cannot connect to {parts.netloc}: {exc}"[:300]
                raise FetchError("unreachable", message) from exc
            except httpx.HTTPError as exc:
                raise FetchError("connection", f"{type(exc).__name__}: {exc}"[:300]) from exc

    @staticmethod
    async def _read_capped(response: httpx.Response, max_bytes: int) -> bytes:
        if response.status_code >= 300:
            return b""
        declared = response.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > max_bytes:
            raise FetchError("too_large", f"declares {declared} bytes, the limit is {max_bytes}")
        chunks, size = [], 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > max_bytes:
                raise FetchError("too_large", f"more than {max_bytes} bytes")
            chunks.append(chunk)
        return b"".join(chunks)

    def slow_down(self, url: str, interval_s: float) -> float:
        """Raises the pause between request starts to ``url``'s host (robots.txt
        ``Crawl-delay``), capped by the policy; returns the interval now in force."""
        gate = self._gate(urlsplit(url).netloc.lower())
        wanted = min(max(interval_s, 0.0), self.policy.max_crawl_delay_s)
        gate.interval_s = max(gate.interval_s, wanted)
        return gate.interval_s

    def _gate(self, host: str) -> _HostGate:
        gate = self._gates.get(host)
        if gate is None:
            gate = _HostGate(
                asyncio.Semaphore(self.policy.per_host_concurrency),
                self.policy.per_host_interval_s,
            )
            self._gates[host] = gate
        return gate
