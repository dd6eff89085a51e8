"""Search APIs that serve openly licensed images with their licence: Openverse and Wikimedia
Commons. Both clients speak the real request and response formats:

- Openverse ``GET {base}/images/?q=&page=&page_size=`` -> ``{"result_count", "page_count",
  "results": [{"id", "title", "url", "foreign_landing_url", "creator", "license",
  "license_version", "license_url", "attribution", "width", "height", ...}]}``
  (https://api.openverse.org/v1/#tag/images/operation/images_search).
- Commons ``GET api.php?action=query&generator=search&gsrnamespace=6&gsrsearch=&gsrlimit=
  &gsroffset=&prop=imageinfo&iiprop=url|size|mime|extmetadata&format=json&formatversion=2``
  -> ``{"query": {"pages": [{"title", "imageinfo": [{"url", "descriptionurl", "width",
  "height", "mime", "extmetadata": {"LicenseShortName": {"value"}, "Artist": {"value"},
  ...}}]}]}}`` (https://www.mediawiki.org/wiki/API:Imageinfo).
"""

from __future__ import annotations

import json
import re
from html import unescape
from typing import Any
from urllib.parse import urlencode

from folio.webcrawl.discovery import ImageRef
from folio.webcrawl.fetcher import Fetcher

TAGS = re.compile(r"<[^>]+>")
SEARCH_MAX_BYTES = 5 * 1024 * 1024


class SearchError(Exception):
    """The search API answered with something that is not its documented format."""


async def openverse_search(
    fetcher: Fetcher, base_url: str, keyword: str, page: int, *, page_size: int = 20
) -> list[ImageRef]:
    query = urlencode({"q": keyword, "page": page, "page_size": page_size})
    body = await _json(fetcher, f"{base_url.rstrip('/')}/images/?{query}")
    results = body.get("results")
    if not isinstance(results, list):
        raise SearchError("Openverse answered without a results list")
    refs = []
    for item in results:
        if not isinstance(item, dict) or not item.get("url"):
            continue
        license_name = _openverse_license(item)
        refs.append(
            ImageRef(
                url=str(item["url"]),
                page_url=item.get("foreign_landing_url"),
                alt=item.get("title"),
                found_in="openverse",
                label=keyword,
                license=license_name,
                license_url=item.get("license_url"),
                attribution=item.get("attribution"),
                title=item.get("title"),
                creator=item.get("creator"),
            )
        )
    return refs


def _openverse_license(item: dict[str, Any]) -> str | None:
    code = item.get("license")
    if not code:
        return None
    if code in ("cc0", "pdm"):
        return str(code).upper()
    version = item.get("license_version")
    return f"CC {str(code).upper()} {version}".strip() if version else f"CC {str(code).upper()}"


async def wikimedia_search(
    fetcher: Fetcher, api_url: str, keyword: str, page: int, *, page_size: int = 20
) -> list[ImageRef]:
    query = urlencode(
        {
            "action": "query",
            "format": "json",
            "formatversion": "2",
            "generator": "search",
            "gsrnamespace": "6",
            "gsrsearch": f"filetype:bitmap {keyword}",
            "gsrlimit": page_size,
            "gsroffset": (page - 1) * page_size,
            "prop": "imageinfo",
            "iiprop": "url|size|mime|extmetadata",
        }
    )
    body = await _json(fetcher, f"{api_url}?{query}")
    if "error" in body:
        raise SearchError(f"Commons error: {body['error']}"[:300])
    pages = (body.get("query") or {}).get("pages") or []
    if isinstance(pages, dict):  # formatversion=1 keys pages by id
        pages = list(pages.values())
    refs = []
    for item in sorted(pages, key=lambda p: p.get("index", 0)):
        info = (item.get("imageinfo") or [{}])[0]
        if not info.get("url"):
            continue
        meta = info.get("extmetadata") or {}
        artist = _plain(meta, "Artist")
        license_name = _plain(meta, "LicenseShortName")
        credit = ", ".join(x for x in (artist, license_name) if x) or None
        title = str(item.get("title", "")).removeprefix("File:")
        refs.append(
            ImageRef(
                url=info["url"],
                page_url=info.get("descriptionurl"),
                alt=_plain(meta, "ImageDescription") or title,
                found_in="wikimedia",
                label=keyword,
                license=license_name,
                license_url=_plain(meta, "LicenseUrl"),
                attribution=f'"{title}" by {credit}' if credit else title,
                title=title,
                creator=artist,
            )
        )
    return refs


def _plain(meta: dict[str, Any], key: str) -> str | None:
    value = (meta.get(key) or {}).get("value")
    if not isinstance(value, str):
        return None
    return unescape(TAGS.sub("", value)).strip() or None


async def _json(fetcher: Fetcher, url: str) -> dict[str, Any]:
    result = await fetcher.fetch(
        url, max_bytes=SEARCH_MAX_BYTES, headers={"accept": "application/json"}
    )
    try:
        body = json.loads(result.body)
    except ValueError as exc:
        raise SearchError(f"not JSON from {url[:100]}") from exc
    if not isinstance(body, dict):
        raise SearchError("the answer is not a JSON object")
    return body
