"""Finding images: ``<img src|srcset>``, ``<picture><source srcset>``, ``og:image`` and links in
HTML pages; page and image URLs in sitemaps (including the Google image extension)."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass, field
from urllib.parse import urldefrag, urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser

AI_OPT_OUTS = frozenset({"noai", "noimageai"})
OG_IMAGE_PROPERTIES = ("og:image", "og:image:url", "og:image:secure_url", "twitter:image")


@dataclass(frozen=True)
class ImageRef:
    """One candidate image and where it was found."""

    url: str
    page_url: str | None = None
    alt: str | None = None
    found_in: str = "url"  # img | srcset | og:image | sitemap | url | openverse | wikimedia
    label: str | None = None
    license: str | None = None
    license_url: str | None = None
    attribution: str | None = None
    title: str | None = None
    creator: str | None = None


@dataclass
class PageLinks:
    images: list[ImageRef] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    forbids_ai: bool = False  # <meta name="robots" content="noai|noimageai">


def normalize(url: str, base: str) -> str | None:
    """Absolute http(s) URL without fragment, or None for anything else."""
    url = url.strip()
    if not url or url.startswith(("data:", "javascript:", "mailto:", "blob:")):
        return None
    absolute, _ = urldefrag(urljoin(base, url))
    return absolute if urlsplit(absolute).scheme in ("http", "https") else None


def largest_srcset_candidate(srcset: str) -> str | None:
    """The candidate with the largest width (``640w``) or density (``2x``) descriptor."""
    best: tuple[float, str] | None = None
    for candidate in srcset.split(","):
        parts = candidate.strip().split()
        if not parts:
            continue
        size = 1.0
        if len(parts) > 1 and parts[1][:-1].replace(".", "", 1).isdigit():
            size = float(parts[1][:-1]) * (1 if parts[1].endswith("w") else 10_000)
        if best is None or size > best[0]:
            best = (size, parts[0])
    return best[1] if best else None


def parse_page(html: str, page_url: str) -> PageLinks:
    tree = LexborHTMLParser(html)
    base = page_url
    base_node = tree.css_first("base[href]")
    if base_node is not None:
        base = urljoin(page_url, base_node.attributes.get("href") or "")
    found = PageLinks()
    seen: set[str] = set()

    def add(raw: str | None, found_in: str, alt: str | None = None) -> None:
        url = normalize(raw or "", base)
        if url is not None and url not in seen:
            seen.add(url)
            found.images.append(ImageRef(url, page_url, alt or None, found_in))

    for meta in tree.css("meta[property], meta[name]"):
        key = (meta.attributes.get("property") or meta.attributes.get("name") or "").lower()
        if key in OG_IMAGE_PROPERTIES:
            add(meta.attributes.get("content"), "og:image")
        elif key in ("robots", "foliocrawler"):
            directives = (meta.attributes.get("content") or "").lower().replace(",", " ").split()
            found.forbids_ai = found.forbids_ai or bool(AI_OPT_OUTS & set(directives))
    for img in tree.css("img"):
        alt = (img.attributes.get("alt") or "").strip()
        add(img.attributes.get("src") or img.attributes.get("data-src"), "img", alt)
        if srcset := img.attributes.get("srcset"):
            add(largest_srcset_candidate(srcset), "srcset", alt)
    for source in tree.css("picture source[srcset]"):
        add(largest_srcset_candidate(source.attributes.get("srcset") or ""), "srcset")
    for anchor in tree.css("a[href]"):
        if (url := normalize(anchor.attributes.get("href") or "", base)) is not None:
            found.links.append(url)
    return found


@dataclass
class Sitemap:
    pages: list[str] = field(default_factory=list)
    images: list[ImageRef] = field(default_factory=list)
    sitemaps: list[str] = field(default_factory=list)  # children of a sitemap index


def parse_sitemap(xml: bytes, sitemap_url: str) -> Sitemap:
    """``<urlset>`` pages (and their ``<image:loc>``) or ``<sitemapindex>`` children.
    Expat refuses entity expansion bombs; malformed XML yields an empty sitemap."""
    result = Sitemap()
    try:
        root = ElementTree.fromstring(xml)
    except ElementTree.ParseError:
        return result
    for element in root:
        name = _local(element.tag)
        loc = _child_text(element, "loc")
        if loc is None or (url := normalize(loc, sitemap_url)) is None:
            continue
        if name == "sitemap":
            result.sitemaps.append(url)
        elif name == "url":
            result.pages.append(url)
            for image in element.iter():
                src = _child_text(image, "loc") if _local(image.tag) == "image" else None
                if src and (image_url := normalize(src, sitemap_url)) is not None:
                    title = _child_text(image, "title") or _child_text(image, "caption")
                    result.images.append(ImageRef(image_url, url, title, "sitemap"))
    return result


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child_text(element: ElementTree.Element, name: str) -> str | None:
    for child in element:
        if _local(child.tag) == name and child.text:
            return child.text.strip()
    return None
