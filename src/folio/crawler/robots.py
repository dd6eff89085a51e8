"""Politeness: robots.txt per origin (RFC 9309 via urllib.robotparser) and the
``X-Robots-Tag: noai`` / ``noimageai`` opt-outs."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

from folio.crawler.discovery import AI_OPT_OUTS
from folio.crawler.fetcher import Fetcher, FetchError

ROBOTS_MAX_BYTES = 512 * 1024


class RobotsCache:
    """One parsed robots.txt per origin, fetched once through the crawler's fetcher."""

    def __init__(self, fetcher: Fetcher, agent: str = "FolioCrawler") -> None:
        self.fetcher, self.agent = fetcher, agent
        self._parsers: dict[str, RobotFileParser] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def allowed(self, url: str) -> bool:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        parser = self._parsers.get(origin)
        if parser is None:
            async with self._locks.setdefault(origin, asyncio.Lock()):
                parser = self._parsers.get(origin) or await self._load(origin)
                self._parsers[origin] = parser
        return parser.can_fetch(self.agent, url)

    async def _load(self, origin: str) -> RobotFileParser:
        parser = RobotFileParser(origin + "/robots.txt")
        try:
            result = await self.fetcher.fetch(origin + "/robots.txt", max_bytes=ROBOTS_MAX_BYTES)
        except FetchError as error:
            # RFC 9309 §2.3.1: a 4xx means no rules; an unreachable or 5xx robots.txt means
            # the crawler must assume everything is disallowed
            if error.status is not None and 400 <= error.status < 500:
                parser.allow_all = True
            else:
                parser.disallow_all = True
            return parser
        parser.parse(result.body.decode("utf-8", errors="replace").splitlines())
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
