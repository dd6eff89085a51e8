"""Typed exceptions: every error answer of the API is an RFC 9457 problem document, and the
exception raised for it carries that document (``code``, ``request_id``, field ``errors``)."""

from __future__ import annotations

import email.utils
import time
from typing import Any

import httpx


class FolioError(Exception):
    """Base class of everything this package raises on purpose."""


class FolioTimeoutError(FolioError):
    """A wait (``documents.wait``, ``batches.iter_results``) ran out of time."""


class APIError(FolioError):
    """The server answered with an error status; ``problem`` is its problem document."""

    def __init__(self, status: int, problem: dict[str, Any], headers: httpx.Headers) -> None:
        self.status = status
        self.problem = problem
        self.headers = headers
        self.code: str = str(problem.get("code") or "UNKNOWN")
        self.title: str = str(problem.get("title") or "")
        self.detail: str = str(problem.get("detail") or "")
        self.request_id: str | None = problem.get("request_id") or headers.get("x-request-id")
        self.errors: list[dict[str, Any]] = list(problem.get("errors") or [])
        super().__init__(f"{status} {self.code}: {self.detail or self.title}")


class BadRequestError(APIError):
    """400."""


class ValidationError(APIError):
    """422 ``VALIDATION_ERROR`` (see ``errors`` for the fields) or another 422."""


class UnprocessableDocumentError(ValidationError):
    """422 ``UNPROCESSABLE_DOCUMENT``: the file itself cannot be processed."""


class AuthenticationError(APIError):
    """401: no credential, or one that is wrong or expired and could not be refreshed."""


class PermissionDeniedError(APIError):
    """403."""


class NotFoundError(APIError):
    """404, also for another team's resource."""


class ConflictError(APIError):
    """409."""


class PayloadTooLargeError(APIError):
    """413."""


class UnsupportedMediaTypeError(APIError):
    """415."""


class RateLimitedError(APIError):
    """429 that was still refused after the retries (or whose wait exceeded the client's
    ``max_retry_wait``); ``retry_after`` is the server's Retry-After in seconds."""

    @property
    def retry_after(self) -> float | None:
        return parse_retry_after(self.headers)


class QuotaExceededError(APIError):
    """``QUOTA_EXCEEDED``: the team's monthly quota is used up (retrying will not help)."""


class ServiceUnavailableError(APIError):
    """503 still answered after the retries."""


class ServerError(APIError):
    """Any other 5xx."""


BY_CODE: dict[str, type[APIError]] = {
    "UNPROCESSABLE_DOCUMENT": UnprocessableDocumentError,
    "QUOTA_EXCEEDED": QuotaExceededError,
    "RATE_LIMITED": RateLimitedError,
}
BY_STATUS: dict[int, type[APIError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    413: PayloadTooLargeError,
    415: UnsupportedMediaTypeError,
    422: ValidationError,
    429: RateLimitedError,
    503: ServiceUnavailableError,
}


def parse_retry_after(headers: httpx.Headers) -> float | None:
    """Seconds from ``Retry-After`` (delta seconds or an HTTP date), else from
    ``X-RateLimit-Reset`` (Unix seconds) when nothing remains; None when neither says."""

    value = headers.get("retry-after")
    if value:
        value = value.strip()
        if value.isdigit():
            return float(value)
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            when = None
        if when is not None:
            return max(0.0, when.timestamp() - time.time())
    reset, remaining = headers.get("x-ratelimit-reset"), headers.get("x-ratelimit-remaining")
    if reset and remaining == "0":
        try:
            return max(0.0, float(reset) - time.time())
        except ValueError:
            return None
    return None


def error_for(response: httpx.Response) -> APIError:
    """The typed exception for an error answer (a body that is not a problem still maps)."""
    try:
        body = response.json()
    except ValueError:
        body = None
    problem: dict[str, Any] = (
        body
        if isinstance(body, dict)
        else {"status": response.status_code, "detail": response.text[:500]}
    )
    code = str(problem.get("code") or "")
    status = response.status_code
    cls = BY_CODE.get(code) or BY_STATUS.get(status)
    if cls is None:
        cls = ServerError if status >= 500 else APIError
    return cls(status, problem, response.headers)
