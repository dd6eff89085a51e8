"""What the remote CLI prints: JSON for scripts, tables for people, problems on stderr, and
the exit code that says what failed."""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Iterator
from enum import IntEnum
from typing import Any, NoReturn

import httpx
import typer
from folio_client import (
    APIError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    FolioTimeoutError,
    NotFoundError,
    PayloadTooLargeError,
    PermissionDeniedError,
    QuotaExceededError,
    RateLimitedError,
    ServiceUnavailableError,
    UnsupportedMediaTypeError,
    ValidationError,
)
from pydantic import BaseModel
from rich.console import Console
from rich.markup import escape

from folio.remote.profiles import ProfileError

stdout = Console(highlight=False, soft_wrap=True)
stderr = Console(stderr=True, highlight=False, soft_wrap=True)


class Exit(IntEnum):
    """The exit codes (2 is typer's for a bad command line)."""

    OK = 0
    DOCUMENT_FAILED = 1  # a document's processing failed (upload --wait)
    AUTH = 3  # 401/403: a wrong, expired or too narrow credential
    NOT_FOUND = 4
    REJECTED = 5  # 400, 409, 413, 415, 422: the request or file was refused
    RATE_LIMITED = 6  # 429, quota
    SERVER = 7  # 5xx
    UNREACHABLE = 8  # no answer from the server
    TIMEOUT = 9  # a --wait or --timeout ran out
    NO_PROFILE = 10  # not logged in, or the profiles file cannot be used


EXIT_FOR: list[tuple[type[APIError], Exit]] = [
    (AuthenticationError, Exit.AUTH),
    (PermissionDeniedError, Exit.AUTH),
    (NotFoundError, Exit.NOT_FOUND),
    (QuotaExceededError, Exit.RATE_LIMITED),
    (RateLimitedError, Exit.RATE_LIMITED),
    (BadRequestError, Exit.REJECTED),
    (ValidationError, Exit.REJECTED),
    (ConflictError, Exit.REJECTED),
    (PayloadTooLargeError, Exit.REJECTED),
    (UnsupportedMediaTypeError, Exit.REJECTED),
    (ServiceUnavailableError, Exit.SERVER),
]


def exit_code(error: APIError) -> Exit:
    for kind, code in EXIT_FOR:
        if isinstance(error, kind):
            return code
    return Exit.SERVER if error.status >= 500 else Exit.REJECTED


def plain(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", by_alias=True)
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


def emit_json(value: Any) -> None:
    sys.stdout.write(json.dumps(plain(value), ensure_ascii=False) + "\n")
    sys.stdout.flush()


def problem_lines(error: APIError) -> list[str]:
    title = error.title or error.code
    lines = [f"[bold red]Error:[/] {escape(title)} ({error.status} {escape(error.code)})"]
    repeated = any(str(e.get("message", "")) in error.detail for e in error.errors)
    if error.detail and error.detail != title and not repeated:
        lines.append(f"  {escape(error.detail)}")
    lines += [
        f"  {escape(e.get('field', ''))}: {escape(e.get('message', ''))}" for e in error.errors
    ]
    if error.request_id:
        lines.append(f"  request id: {escape(error.request_id)}")
    return lines


def fail(
    code: Exit, message: str, *, as_json: bool, extra: dict[str, Any] | None = None
) -> NoReturn:
    if as_json:
        sys.stderr.write(json.dumps({"error": {"detail": message, **(extra or {})}}) + "\n")
    else:
        stderr.print(f"[bold red]Error:[/] {escape(message)}")
    raise typer.Exit(code=int(code))


def report(error: APIError, *, as_json: bool) -> Exit:
    """Prints the problem document on stderr; returns the exit code for it."""
    if as_json:
        sys.stderr.write(json.dumps({"error": error.problem}) + "\n")
    else:
        for line in problem_lines(error):
            stderr.print(line)
    return exit_code(error)


@contextlib.contextmanager
def reporting(as_json: bool) -> Iterator[None]:
    """Turns what can go wrong into a message on stderr and the exit code that says what."""
    try:
        yield
    except APIError as error:
        raise typer.Exit(code=int(report(error, as_json=as_json))) from None
    except ProfileError as error:
        fail(Exit.NO_PROFILE, str(error), as_json=as_json)
    except FolioTimeoutError as error:
        fail(Exit.TIMEOUT, str(error), as_json=as_json)
    except httpx.TransportError as error:
        fail(Exit.UNREACHABLE, f"no answer from the server: {error}", as_json=as_json)
