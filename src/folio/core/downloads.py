"""Responses that hand a stored file to the client as a download."""

from __future__ import annotations

from collections.abc import AsyncIterable, Iterable
from urllib.parse import quote

from starlette.responses import StreamingResponse


def attachment(filename: str) -> str:
    """``Content-Disposition`` for a download: an ASCII fallback (no quotes, so a stored name
    cannot break out of the header value) and the exact UTF-8 name (RFC 6266)."""
    ascii_name = filename.encode("ascii", "replace").decode().replace('"', "'").replace("?", "_")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"


def file_download(
    chunks: AsyncIterable[str | bytes] | Iterable[str | bytes],
    *,
    media_type: str,
    filename: str,
    size: int | None = None,
    headers: dict[str, str] | None = None,
) -> StreamingResponse:
    """Streams ``chunks`` as an attachment named ``filename``; ``size`` becomes the
    Content-Length when the file's length is known before it is sent."""
    sent = {"Content-Disposition": attachment(filename), **(headers or {})}
    if size is not None:
        sent["Content-Length"] = str(size)
    return StreamingResponse(chunks, media_type=media_type, headers=sent)
