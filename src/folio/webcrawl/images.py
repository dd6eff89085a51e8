"""Image validation: type sniffed from the bytes, a full decode (corrupt or truncated files are
rejected with a reason), quality filters, EXIF orientation applied and metadata stripped,
a thumbnail, and the SHA-256 and perceptual hashes used for de-duplication."""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass
from typing import TypedDict, Unpack

import numpy as np
from PIL import Image, ImageOps
from scipy.fft import dct

SIGNATURES: tuple[tuple[bytes, int, str], ...] = (
    (b"\xff\xd8\xff", 0, "jpeg"),
    (b"\x89PNG\r\n\x1a\n", 0, "png"),
    (b"GIF87a", 0, "gif"),
    (b"GIF89a", 0, "gif"),
    (b"WEBP", 8, "webp"),
    (b"BM", 0, "bmp"),
    (b"II*\x00", 0, "tiff"),
    (b"MM\x00*", 0, "tiff"),
)
PIL_FORMATS = {"JPEG": "jpeg", "PNG": "png", "GIF": "gif", "WEBP": "webp", "BMP": "bmp"}
PIL_FORMATS["TIFF"] = "tiff"
# what a cleaned image is stored as: lossy stays lossy, everything else becomes PNG
STORED_AS = {"jpeg": "jpeg", "webp": "webp", "png": "png", "gif": "png", "bmp": "png"}
STORED_AS["tiff"] = "png"
MEDIA_TYPES = {"jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp"}
FORMAT_ALIASES = {"jpg": "jpeg", "tif": "tiff"}
# what Pillow reports for a JPEG that carries no metadata worth stripping
PLAIN_JPEG_INFO = frozenset(
    {
        "jfif",
        "jfif_version",
        "jfif_unit",
        "jfif_density",
        "dpi",
        "progressive",
        "progression",
        "adobe",
        "adobe_transform",
    }
)
THUMBNAIL_SIZE = 256


class FilterBounds(TypedDict, total=False):
    """The :class:`ImageFilters` fields besides ``formats``."""

    min_width: int
    min_height: int
    max_bytes: int | None
    min_aspect: float | None
    max_aspect: float | None
    max_pixels: int


@dataclass(frozen=True)
class ImageFilters:
    min_width: int = 0
    min_height: int = 0
    formats: frozenset[str] = frozenset()  # empty: every supported format
    max_bytes: int | None = None
    min_aspect: float | None = None  # width / height
    max_aspect: float | None = None
    max_pixels: int = 50_000_000

    @classmethod
    def from_names(cls, formats: list[str] | None, **bounds: Unpack[FilterBounds]) -> ImageFilters:
        names = {FORMAT_ALIASES.get(f.lower(), f.lower()) for f in formats or []}
        return cls(formats=frozenset(names), **bounds)


@dataclass(frozen=True)
class Rejection:
    reason: str  # stable code: not_an_image, corrupt, truncated, too_small, …
    message: str


@dataclass(frozen=True)
class CleanImage:
    content: bytes  # oriented, metadata stripped
    format: str  # stored format: jpeg | png | webp
    source_format: str  # sniffed from the downloaded bytes
    width: int
    height: int
    original_bytes: int
    sha256: str  # of the downloaded bytes: byte-identical copies share it
    phash: int  # 64-bit DCT perceptual hash
    thumbnail: bytes  # JPEG, at most THUMBNAIL_SIZE on its long side

    @property
    def media_type(self) -> str:
        return MEDIA_TYPES[self.format]

    @property
    def phash_hex(self) -> str:
        return f"{self.phash:016x}"


def sniff(data: bytes) -> str | None:
    for magic, offset, name in SIGNATURES:
        if data[offset : offset + len(magic)] == magic:
            if name == "webp" and data[:4] != b"RIFF":
                continue
            return name
    return None


def validate(data: bytes, filters: ImageFilters) -> CleanImage | Rejection:
    """CPU-bound: call it in a worker thread. Pillow releases the GIL while decoding."""
    if filters.max_bytes is not None and len(data) > filters.max_bytes:
        return Rejection("too_large", f"{len(data)} bytes, the limit is {filters.max_bytes}")
    kind = sniff(data)
    if kind is None:
        return Rejection("not_an_image", "the bytes are not JPEG, PNG, GIF, WebP, BMP or TIFF")
    if filters.formats and kind not in filters.formats:
        return Rejection("format_not_allowed", f"{kind} is not among {sorted(filters.formats)}")
    try:
        image = _decode(data, filters.max_pixels)
    except _Refused as refused:
        return refused.rejection
    problem = _filter_problem(image.width, image.height, filters)
    if problem is not None:
        return problem
    return _clean(image, data, kind)


class _Refused(Exception):
    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.rejection = Rejection(reason, message)


def _decode(data: bytes, max_pixels: int) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.width * image.height > max_pixels:
                raise _Refused("too_many_pixels", f"{image.width}x{image.height} is too large")
            image.load()  # the full decode: a truncated or corrupt body fails here
    except _Refused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _Refused("too_many_pixels", str(exc)) from exc
    except OSError as exc:
        reason = "truncated" if "truncated" in str(exc).lower() else "corrupt"
        raise _Refused(reason, f"decoding failed: {exc}"[:300]) from exc
    except (SyntaxError, ValueError, Image.UnidentifiedImageError) as exc:
        raise _Refused("corrupt", f"decoding failed: {exc}"[:300]) from exc
    return image


def _filter_problem(width: int, height: int, filters: ImageFilters) -> Rejection | None:
    if width < filters.min_width or height < filters.min_height:
        return Rejection(
            "too_small",
            f"{width}x{height} is below the minimum {filters.min_width}x{filters.min_height}",
        )
    aspect = width / height
    if filters.min_aspect is not None and aspect < filters.min_aspect:
        return Rejection("aspect_ratio", f"aspect ratio {aspect:.3f} < {filters.min_aspect}")
    if filters.max_aspect is not None and aspect > filters.max_aspect:
        return Rejection("aspect_ratio", f"aspect ratio {aspect:.3f} > {filters.max_aspect}")
    return None


def _clean(image: Image.Image, data: bytes, kind: str) -> CleanImage:
    if getattr(image, "n_frames", 1) > 1:
        image.seek(0)
    oriented = ImageOps.exif_transpose(image)
    stored = STORED_AS[kind]
    if stored == "jpeg" and oriented.mode not in ("RGB", "L"):
        oriented = oriented.convert("RGB")
    if stored == "png" and oriented.mode not in ("RGB", "RGBA", "L", "LA", "P", "1", "I", "I;16"):
        oriented = oriented.convert("RGBA")
    out = io.BytesIO()
    # a fresh save writes no EXIF, XMP or ICC unless asked: metadata is stripped
    if kind == "jpeg" and set(image.info) <= PLAIN_JPEG_INFO:
        out.write(data)  # nothing to strip, nothing to rotate: keep the original bytes
    elif stored == "jpeg":
        oriented.save(out, "JPEG", quality=92)
    elif stored == "webp":
        oriented.save(out, "WEBP", quality=90)
    else:
        oriented.save(out, "PNG", compress_level=1)
    small = shrink(oriented)
    return CleanImage(
        content=out.getvalue(),
        format=stored,
        source_format=kind,
        width=oriented.width,
        height=oriented.height,
        original_bytes=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        phash=phash(small),  # the same hash as from the full image, at a fraction of the cost
        thumbnail=encode_thumbnail(small),
    )


def phash(image: Image.Image) -> int:
    """The DCT perceptual hash (Zauner 2010, as in ``imagehash.phash``): 32x32 grey, 2-D
    DCT, the 8x8 lowest frequencies compared with their median -> 64 bits."""
    # reducing_gap: a box reduction first, then Lanczos on the small image (several times
    # faster at the same hash)
    grey = image.convert("L").resize((32, 32), Image.Resampling.LANCZOS, reducing_gap=2.0)
    pixels = np.asarray(grey, dtype=np.float64)
    low = dct(dct(pixels, axis=0, norm="ortho"), axis=1, norm="ortho")[:8, :8]
    bits = (low > np.median(low)).flatten()
    return int.from_bytes(np.packbits(bits).tobytes(), "big")


def shrink(image: Image.Image, size: int = THUMBNAIL_SIZE) -> Image.Image:
    scale = size / max(image.width, image.height)
    if scale >= 1:
        return image
    target = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    return image.resize(target, Image.Resampling.BILINEAR, reducing_gap=2.0)


def encode_thumbnail(small: Image.Image) -> bytes:
    if small.mode not in ("RGB", "L"):
        small = small.convert("RGB")
    out = io.BytesIO()
    small.save(out, "JPEG", quality=80)
    return out.getvalue()


def hamming(a: int, b: int) -> int:
    return (a ^ b).bit_count()
