"""Politeness: robots.txt per origin (RFC 9309 via urllib.robotparser, plus its
``Crawl-delay`` and ``Sitemap`` lines) and the ``X-Robots-Tag: noai`` / ``noimageai``
opt-outs."""

from __future__ import annotations

import asyncio
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

from folio.webcrawl.discovery import AI_OPT_OUTS
from folio.webcrawl.fetcher import Fetcher, FetchError

ROBOTS_MAX_BYTES = 512 * 1024


@dataclass
class _Group:
    agents: list[str]
    delay: float | None = None


def crawl_delay(lines: Iterable[str], agent: str) -> float | None:
    """The ``Crawl-delay`` of the group that names ``agent`` (else of ``*``), in seconds.
    urllib.robotparser reads whole seconds only; ``Crawl-delay: 0.5`` is common."""
    groups: list[_Group] = []
    in_rules = False
    for raw in lines:
        key, sep, value = raw.split("#", 1)[0].partition(":")
        key, value = key.strip().lower(), value.strip()
        if not sep:
            continue
        if key == "user-agent":
            if in_rules or not groups:
                groups.append(_Group([]))
                in_rules = False
            groups[-1].agents.append(value.lower())
        elif key in ("allow", "disallow", "crawl-delay", "request-rate") and groups:
            in_rules = True
            if key == "crawl-delay" and groups[-1].delay is None:
                groups[-1].delay = _seconds(value)
    name = agent.split("/")[0].lower()
    named = [g for g in groups if any(a != "*" and a in name for a in g.agents)]
    anyone = [g for g in groups if "*" in g.agents]
    chosen = next(iter(named or anyone), None)
    return chosen.delay if chosen is not None else None


def _seconds(value: str) -> float | None:
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) and number >= 0 else None


@dataclass(frozen=True)
class Blocked:
    """Why a URL may not be fetched: ``robots_disallowed`` (its robots.txt says so),
    ``refused_address`` (the SSRF guard refused the host; the message names the setting that
    allows it) or ``unreachable`` (robots.txt could not be read: RFC 9309 §2.3.1.3-4 says to
    crawl nothing there, which is not the site's choice and is reported as such)."""

    reason: str
    message: str


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


class RobotsCache:
    """One parsed robots.txt per origin, fetched once through the crawler's fetcher. Its
    ``Crawl-delay`` (capped by the fetch policy) paces every later request to that host."""

    def __init__(self, fetcher: Fetcher, agent: str = "FolioCrawler") -> None:
        self.fetcher, self.agent = fetcher, agent
        self._parsers: dict[str, RobotFileParser] = {}
        self._failures: dict[str, FetchError] = {}  # origin -> why its robots.txt is missing
        self._delays: dict[str, float] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def allowed(self, url: str) -> bool:
        return await self.blocked(url) is None

    async def blocked(self, url: str) -> Blocked | None:
        """None when ``url`` may be fetched, else the true reason it may not."""
        if (await self._parser(url)).can_fetch(self.agent, url):
            return None
        return self.unreadable(url) or Blocked("robots_disallowed", "robots.txt disallows it")

    def unreadable(self, url: str) -> Blocked | None:
        """Why the robots.txt of ``url``'s origin could not be read (once it was tried); a
        4xx (no rules: everything allowed) counts only for a robots.txt crawled as a seed."""
        error = self._failures.get(origin_of(url))
        if error is None:
            return None
        if error.reason == "refused_address":
            return Blocked("refused_address", error.message)
        if error.status is not None and 400 <= error.status < 500:
            return Blocked(error.reason, error.message)
        return Blocked(
            "unreachable",
            f"robots.txt of {origin_of(url)} cannot be read ({error.reason}: {error.message}); "
            "nothing is fetched from the site until it can",
        )

    async def sitemaps(self, url: str) -> list[str]:
        """The ``Sitemap:`` URLs the robots.txt of ``url``'s origin lists."""
        return list((await self._parser(url)).site_maps() or [])

    async def delay(self, url: str) -> float | None:
        """The Crawl-delay in force for ``url``'s origin (after the policy's cap)."""
        await self._parser(url)
        return self._delays.get(origin_of(url))

    async def _parser(self, url: str) -> RobotFileParser:
        origin = origin_of(url)
        parser = self._parsers.get(origin)
        if parser is None:
            async with self._locks.setdefault(origin, asyncio.Lock()):
                parser = self._parsers.get(origin) or await self._load(origin)
                self._parsers[origin] = parser
        return parser

    async def _load(self, origin: str) -> RobotFileParser:
        parser = RobotFileParser(origin + "/robots.txt")
        try:
            result = await self.fetcher.fetch(origin + "/robots.txt", max_bytes=ROBOTS_MAX_BYTES)
        except FetchError as error:
            # RFC 9309 §2.3.1: a 4xx means no rules; an unreachable or 5xx robots.txt means
            # the crawler must assume everything is disallowed
            self._failures[origin] = error
            if error.status is not None and 400 <= error.status < 500:
                parser.allow_all = True  # type: ignore[attr-defined]  # typeshed lacks it
            else:
                parser.disallow_all = True  # type: ignore[attr-defined]  # typeshed lacks it
            return parser
        lines = result.body.decode("utf-8", errors="replace").splitlines()
        parser.parse(lines)
        rate = parser.request_rate(self.agent)
        delays = [crawl_delay(lines, self.agent), rate and rate.seconds / max(rate.requests, 1)]
        if wanted := max((d for d in delays if d), default=None):
            self._delays[origin] = self.fetcher.slow_down(origin, wanted)
        return parser


def forbids_ai_use(headers: Mapping[str, str], agent: str = "foliocrawler") -> bool:
    """True when ``X-Robots-Tag`` says ``noai`` or ``noimageai``, for every bot or for ours
    (``X-Robots-Tag: foliocrawler: noai``). Headers are lower-cased keys."""
    value = headers.get("x-robots-tag", "")
    for directive_group in value.split(","):
        group = directive_group.strip().lower()
        bot, sep, rules = group.partition(":")
        if sep and " " not in bot.strip() and bot.strip() not in AI_OPT_OUTS:
            if bot.strip() != agent:
                continue
            group = rules
        if any(token.strip() in AI_OPT_OUTS for token in group.split()):
            return True
    return False
