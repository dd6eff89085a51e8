"""A small local web site for crawl tests, served by uvicorn on loopback in a thread.

Pages put images in ``img``, ``srcset`` and ``og:image``; the images include byte-identical
and re-encoded/resized copies, a truncated JPEG, bytes that are not an image, a tiny image, a
folder robots.txt disallows, a page and an image that send ``X-Robots-Tag: noimageai``, a
slow, a failing and a flaky endpoint, and a redirect. Also a sitemap index (robots.txt
lists it) with a gzipped urlset and an image sitemap, a gzip bomb posing as a sitemap, and
``/many/{k}.html`` pages of generated pictures that repeat across pages (for crawls with
many chunks)."""

from __future__ import annotations

import asyncio
import gzip
import io
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import uvicorn
from PIL import Image
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route


def picture(seed: int, size: tuple[int, int] = (400, 300)) -> Image.Image:
    """A smooth, distinct picture: random 6x6 colours upscaled (stable perceptual hash)."""
    rng = np.random.default_rng(seed)
    small = rng.integers(0, 256, size=(6, 6, 3), dtype=np.uint8)
    return Image.fromarray(small, "RGB").resize(size, Image.Resampling.BICUBIC)


def encode(image: Image.Image, fmt: str = "JPEG", **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def rotated_with_metadata() -> bytes:
    """400x300 pixels stored, EXIF orientation 6 (display rotated: 300x400) and a GPS tag."""
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x010F] = "TestCam"
    return encode(picture(7), exif=exif.tobytes())


def build_images() -> dict[str, bytes]:
    cat = encode(picture(1))
    dog = picture(2, (800, 600))
    return {
        "hero.jpg": encode(picture(3)),
        "cat.jpg": cat,
        "cat-copy.jpg": cat,
        "cat-reencoded.png": encode(picture(1).resize((300, 225)), "PNG"),
        "dog.jpg": encode(dog),
        "dog-small.jpg": encode(dog.resize((320, 240)), quality=70),
        "bird.jpg": encode(picture(4)),
        "flaky.jpg": encode(picture(5)),
        "rotated.jpg": rotated_with_metadata(),
        "broken.jpg": encode(picture(6))[:3000],
        "garbage.jpg": b"<html>this is not an image</html>",
        "tiny.png": encode(picture(8, (16, 16)), "PNG"),
        "noai-header.jpg": encode(picture(9)),
        "noai-page.jpg": encode(picture(10)),
        "secret-only.jpg": encode(picture(11)),
        "hidden.jpg": encode(picture(12)),
        "slow.jpg": encode(picture(13)),
        "fail.jpg": encode(picture(14)),
        "outside.jpg": encode(picture(15)),
    }


INDEX = """<html><head><title>Pets</title>
<meta property="og:image" content="/img/hero.jpg"></head><body>
<img src="/img/cat.jpg" alt="a cat">
<img src="/img/dog-small.jpg" srcset="/img/dog-small.jpg 320w, /img/dog.jpg 800w" alt="a dog">
<a href="/gallery.html">gallery</a> <a href="/private/secret.html">secret</a>
<a href="/noai.html">no ai</a> <a href="http://elsewhere.invalid/page.html">elsewhere</a>
</body></html>"""

GALLERY = """<html><body>
<img src="/img/cat-copy.jpg" alt="the same cat"><img src="/img/cat-reencoded.png">
<img src="/img/broken.jpg"><img src="/img/garbage.jpg"><img src="/img/tiny.png">
<img src="/private/hidden.jpg"><img src="/img/slow.jpg"><img src="/img/fail.jpg">
<img src="/img/flaky.jpg"><img src="/img/noai-header.jpg"><img src="/img/rotated.jpg">
<img src="/img/redirect.jpg" alt="a bird"><img src="data:image/png;base64,AAAA">
<a href="/deep/level2.html">deeper</a>
</body></html>"""

PAGES = {
    "/": INDEX,
    "/gallery.html": GALLERY,
    "/private/secret.html": '<img src="/img/secret-only.jpg">',
    "/noai.html": '<img src="/img/noai-page.jpg">',
    "/deep/level2.html": '<img src="/img/outside.jpg">',
}
ROBOTS = "User-agent: *\nDisallow: /private/\n"
SITEMAP_INDEX = """<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>{base}/sitemaps/pages.xml.gz</loc></sitemap>
<sitemap><loc>{base}/sitemaps/images.xml</loc></sitemap>
</sitemapindex>"""
SITEMAP_PAGES = """<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>{base}/gallery.html</loc></url>
<url><loc>{base}/noai.html</loc></url>
<url><loc>{base}/private/secret.html</loc></url>
</urlset>"""
SITEMAP_IMAGES = """<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">
<url><loc>{base}/deep/level2.html</loc>
  <image:image><image:loc>{base}/img/bird.jpg</image:loc>
  <image:title>a bird</image:title></image:image></url>
</urlset>"""
MANY_PER_PAGE = 10
MANY_UNIQUE = 20  # /many/{n}.jpg shows picture n % MANY_UNIQUE: every one on several pages


class LocalSite:
    def __init__(self, slow_s: float = 3.0) -> None:
        self.images = build_images()
        self.slow_s = slow_s
        self.hits: dict[str, int] = {}
        self.lock = threading.Lock()
        self.base_url = ""
        self.user_agents: set[str] = set()
        self.robots_extra = ""  # more robots.txt lines (Crawl-delay, Sitemap …)
        self.robots_status = 200  # 404: no robots.txt; 500: a failing one
        self.starts: list[tuple[float, str]] = []  # (monotonic time, path) of each request

    def robots(self) -> str:
        return ROBOTS + self.robots_extra.replace("{base}", self.base_url)

    def count(self, path: str) -> int:
        with self.lock:
            self.starts.append((time.monotonic(), path))
            self.hits[path] = self.hits.get(path, 0) + 1
            return self.hits[path]

    async def page(self, request: Request) -> Response:
        path = request.url.path
        self.count(path)
        self.user_agents.add(request.headers.get("user-agent", ""))
        if path == "/robots.txt" and self.robots_status != 200:
            return PlainTextResponse("no robots here", status_code=self.robots_status)
        if path == "/robots.txt":
            return PlainTextResponse(self.robots())
        if path not in PAGES:
            return PlainTextResponse("not found", status_code=404)
        headers = {"X-Robots-Tag": "noimageai"} if path == "/noai.html" else {}
        return HTMLResponse(PAGES[path], headers=headers)

    async def image(self, request: Request) -> Response:
        name = request.path_params["name"]
        hit = self.count(f"/img/{name}")
        if name == "redirect.jpg":
            return RedirectResponse("/img/bird.jpg", status_code=302)
        if name == "fail.jpg" or (name == "flaky.jpg" and hit == 1):
            return PlainTextResponse("boom", status_code=500)
        if name == "slow.jpg":
            await asyncio.sleep(self.slow_s)
        if name not in self.images:
            return PlainTextResponse("not found", status_code=404)
        headers = {"X-Robots-Tag": "noai, noimageai"} if name == "noai-header.jpg" else {}
        return Response(self.images[name], media_type="image/jpeg", headers=headers)

    async def private_image(self, request: Request) -> Response:
        self.count(request.url.path)
        return Response(self.images["hidden.jpg"], media_type="image/jpeg")

    async def sitemap(self, request: Request) -> Response:
        path = request.url.path
        self.count(path)
        base = self.base_url
        if path == "/sitemap.xml":
            return Response(SITEMAP_INDEX.format(base=base), media_type="application/xml")
        if path == "/sitemaps/pages.xml.gz":
            body = gzip.compress(SITEMAP_PAGES.format(base=base).encode())
            return Response(body, media_type="application/gzip")
        if path == "/sitemaps/images.xml":
            return Response(SITEMAP_IMAGES.format(base=base), media_type="text/xml")
        if path == "/sitemaps/bomb.xml.gz":  # inflates to 60 MB of blanks
            return Response(gzip.compress(b" " * 60_000_000, 9), media_type="application/gzip")
        return PlainTextResponse("not found", status_code=404)

    async def many_page(self, request: Request) -> Response:
        page = int(request.path_params["page"])
        self.count(request.url.path)
        first = page * MANY_PER_PAGE
        images = "".join(f'<img src="/many/{n}.jpg">' for n in range(first, first + MANY_PER_PAGE))
        return HTMLResponse(f"<html><body>{images}</body></html>")

    async def many_image(self, request: Request) -> Response:
        number = int(request.path_params["number"])
        self.count(request.url.path)
        key = f"many-{number % MANY_UNIQUE}"
        with self.lock:
            if key not in self.images:
                self.images[key] = encode(picture(1000 + number % MANY_UNIQUE))
        return Response(self.images[key], media_type="image/jpeg")

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/img/{name}", self.image),
                Route("/private/hidden.jpg", self.private_image),
                Route("/sitemap.xml", self.sitemap),
                Route("/sitemaps/{name}", self.sitemap),
                Route("/many/{page:int}.html", self.many_page),
                Route("/many/{number:int}.jpg", self.many_image),
                Route("/{path:path}", self.page),
            ]
        )


@contextmanager
def serve(app: object) -> Iterator[str]:
    """Runs ``app`` with uvicorn on a free loopback port; yields its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", lifespan="off", access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
