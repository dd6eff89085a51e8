"""What the sync and async clients share: retry decisions, upload bodies with progress,
token bookkeeping. No I/O on the network here."""

from __future__ import annotations

import io
import json
import os
import random
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, TypeAlias

import httpx

from folio_client import __version__
from folio_client.errors import parse_retry_after

DEFAULT_URL = "http://127.0.0.1:8000"
API = "/api/v1"
RETRY_STATUSES = frozenset({429, 503})
USER_AGENT = f"folio-client-python/{__version__}"

Source: TypeAlias = "str | os.PathLike[str] | bytes | IO[bytes]"
Progress: TypeAlias = Callable[[int, int], None]  # (bytes sent, bytes in total)


@dataclass(frozen=True)
class RetryPolicy:
    """Retries 429 and 503 answers (the server did not act on them) and connection errors
    before a response, waiting what ``Retry-After`` (or ``X-RateLimit-Reset``) asks, else an
    exponential backoff with jitter. A wait longer than ``max_wait`` is not made: the error
    is raised at once, so a caller never sleeps for an hour on a daily quota."""

    max_retries: int = 3
    backoff: float = 0.5
    max_backoff: float = 8.0
    max_wait: float = 60.0

    def backoff_delay(self, attempt: int) -> float:
        ceiling = min(self.max_backoff, self.backoff * 2.0**attempt)
        return ceiling / 2 + random.uniform(0, ceiling / 2)  # jitter, not cryptography

    def delay(self, attempt: int, response: httpx.Response | None) -> float | None:
        """Seconds to wait before attempt ``attempt + 1``, or None to give up."""
        if attempt >= self.max_retries:
            return None
        if response is None:  # the request never got an answer
            return self.backoff_delay(attempt)
        if response.status_code not in RETRY_STATUSES:
            return None
        if response.status_code == 429 and _problem_code(response) == "QUOTA_EXCEEDED":
            return None  # a monthly quota does not come back by waiting
        asked = parse_retry_after(response.headers)
        wait = self.backoff_delay(attempt) if asked is None else asked
        return wait if wait <= self.max_wait else None


def _problem_code(response: httpx.Response) -> str | None:
    try:
        body = response.json()
    except ValueError:
        return None
    return body.get("code") if isinstance(body, dict) else None


@dataclass
class Tokens:
    """An access token and the refresh token that renews it."""

    access_token: str
    refresh_token: str
    expires_at: float  # time.monotonic() after which the access token is stale

    @classmethod
    def from_pair(cls, pair: Mapping[str, Any]) -> Tokens:
        # renew a little early so a request never leaves with a token about to expire
        lifetime = float(pair["expires_in"])
        margin = min(30.0, lifetime / 4)
        return cls(
            pair["access_token"], pair["refresh_token"], time.monotonic() + lifetime - margin
        )

    @property
    def stale(self) -> bool:
        return time.monotonic() >= self.expires_at


@dataclass
class Credentials:
    """An API key; or an e-mail and password that log in (and again when a refresh fails);
    or the refresh token of a session opened before (``folio remote login`` keeps one)."""

    api_key: str | None = field(default=None, repr=False)
    email: str | None = None
    password: str | None = field(default=None, repr=False)
    tokens: Tokens | None = field(default=None, repr=False)
    refresh_token: str | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.refresh_token is not None and self.tokens is None:
            self.tokens = Tokens("", self.refresh_token, expires_at=0.0)  # stale: refresh first
        if self.api_key is None and not self.can_log_in and self.tokens is None:
            raise ValueError("give api_key, or email and password, or refresh_token")

    @property
    def uses_password(self) -> bool:
        """Whether requests carry session tokens (renewed by the client), not an API key."""
        return self.api_key is None

    @property
    def can_log_in(self) -> bool:
        return self.email is not None and self.password is not None

    def header(self) -> dict[str, str]:
        token = self.api_key or (self.tokens.access_token if self.tokens else None)
        return {"Authorization": f"Bearer {token}"} if token else {}


def base_headers(team_id: str | None) -> dict[str, str]:
    headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
    if team_id:
        headers["X-Team-Id"] = team_id
    return headers


def idempotency_key() -> str:
    return str(uuid.uuid4())


def options_form(options: Mapping[str, Any] | None, **extra: str | None) -> dict[str, str]:
    form = {name: value for name, value in extra.items() if value is not None}
    if options:
        form["options"] = json.dumps(dict(options))
    return form


class _Counter:
    """Bytes sent across every file of one request, for one progress callback."""

    def __init__(self, total: int, callback: Progress | None) -> None:
        self.total = total
        self.callback = callback
        self.sent: dict[int, int] = {}

    def report(self, part: int, sent: int) -> None:
        self.sent[part] = sent
        if self.callback is not None:
            self.callback(sum(self.sent.values()), self.total)


class _ProgressFile:
    """A binary file that reports how much of it has been read (httpx reads it in chunks
    while it sends the multipart body). Seeking back restarts its count, as on a retry."""

    def __init__(self, raw: IO[bytes], part: int, counter: _Counter) -> None:
        self.raw = raw
        self.part = part
        self.counter = counter
        self.sent = 0

    def read(self, size: int = -1) -> bytes:
        chunk = self.raw.read(size)
        if chunk:
            self.sent += len(chunk)
            self.counter.report(self.part, self.sent)
        return chunk

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        position = self.raw.seek(offset, whence)
        if whence == os.SEEK_SET and offset == 0:
            self.sent = 0
        return position

    def tell(self) -> int:
        return self.raw.tell()


class _Tail:
    """The rest of a caller's stream from where it stood, so that httpx's ``seek(0)`` goes
    back there; closing it leaves the caller's stream open."""

    def __init__(self, stream: IO[bytes], start: int) -> None:
        self.stream = stream
        self.start = start

    def read(self, size: int = -1) -> bytes:
        return self.stream.read(size)

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        if whence == os.SEEK_SET:
            return self.stream.seek(self.start + offset) - self.start
        return self.stream.seek(offset, whence) - self.start

    def tell(self) -> int:
        return self.stream.tell() - self.start

    def close(self) -> None:
        pass


@dataclass
class UploadFile:
    """One file to upload, re-openable for each attempt of the request."""

    filename: str
    opener: Callable[[], IO[bytes]]
    size: int

    @classmethod
    def from_source(cls, source: Source, filename: str | None = None) -> UploadFile:
        if isinstance(source, bytes):
            content = source
            return cls(filename or "upload", lambda: io.BytesIO(content), len(content))
        if isinstance(source, str | os.PathLike):
            path = Path(source)
            return cls(filename or path.name, lambda: path.open("rb"), path.stat().st_size)
        return cls._from_stream(source, filename)

    @classmethod
    def _from_stream(cls, stream: IO[bytes], filename: str | None) -> UploadFile:
        name = filename or Path(str(getattr(stream, "name", "upload"))).name
        if not stream.seekable():  # read once, so a retry can send it again
            content = stream.read()
            return cls(name, lambda: io.BytesIO(content), len(content))
        start = stream.tell()
        size = stream.seek(0, os.SEEK_END) - start
        stream.seek(start)
        return cls(name, lambda: _Tail(stream, start), size)  # type: ignore[arg-type,return-value]


def multipart_files(
    field_name: str, uploads: list[UploadFile], progress: Progress | None
) -> list[tuple[str, tuple[str, Any]]]:
    """httpx ``files=`` for one attempt; the caller closes the opened files afterwards."""
    counter = _Counter(sum(upload.size for upload in uploads), progress)
    return [
        (field_name, (upload.filename, _ProgressFile(upload.opener(), part, counter)))
        for part, upload in enumerate(uploads)
    ]


def close_files(files: list[tuple[str, tuple[str, Any]]]) -> None:
    for _, (_, wrapper) in files:
        wrapper.raw.close()
