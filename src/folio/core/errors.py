"""One error hierarchy, rendered as RFC 9457 ``application/problem+json`` by ``app.py``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar


@dataclass(frozen=True)
class FieldError:
    field: str
    code: str
    message: str


class FolioError(Exception):
    status: ClassVar[int] = 500
    code: ClassVar[str] = "INTERNAL_ERROR"
    title: ClassVar[str] = "Internal server error"

    def __init__(self, detail: str | None = None, **extra: Any) -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.extra = extra
        self.headers: dict[str, str] = {}


class BadRequest(FolioError):
    status = 400
    code = "BAD_REQUEST"
    title = "Bad request"


class Unauthorized(FolioError):
    status = 401
    code = "UNAUTHORIZED"
    title = "Authentication required"


class Forbidden(FolioError):
    status = 403
    code = "FORBIDDEN"
    title = "Permission denied"


class InteractiveSessionRequired(Forbidden):
    code = "INTERACTIVE_SESSION_REQUIRED"
    title = "This needs a signed-in session, not an API key"


class NotFound(FolioError):
    status = 404
    code = "NOT_FOUND"
    title = "Resource not found"


class Conflict(FolioError):
    status = 409
    code = "CONFLICT"
    title = "Conflict with the current state"


class PayloadTooLarge(FolioError):
    status = 413
    code = "PAYLOAD_TOO_LARGE"
    title = "Payload too large"


class UnsupportedMediaType(FolioError):
    status = 415
    code = "UNSUPPORTED_MEDIA_TYPE"
    title = "Unsupported media type"


class ValidationFailed(FolioError):
    status = 422
    code = "VALIDATION_ERROR"
    title = "Request validation failed"

    def __init__(self, errors: list[FieldError], detail: str | None = None) -> None:
        super().__init__(detail or "; ".join(f"{e.field}: {e.message}" for e in errors))
        self.errors = errors


class UnprocessableDocument(FolioError):
    status = 422
    code = "UNPROCESSABLE_DOCUMENT"
    title = "The document could not be processed"


class ServiceUnavailable(FolioError):
    status = 503
    code = "SERVICE_UNAVAILABLE"
    title = "Service temporarily unavailable"
