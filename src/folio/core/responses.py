"""Problem+json models and the ``responses=`` entries routes list for OpenAPI."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

DESCRIPTIONS = {
    400: "Bad request",
    401: "Authentication required",
    403: "Permission denied",
    404: "Not found (or another team's resource)",
    409: "Conflict with the current state",
    413: "Payload too large",
    415: "Unsupported media type",
    422: "Validation failed or the document could not be processed",
    429: "Rate limited",
    502: "An upstream service (such as an identity provider) failed",
    503: "Service unavailable",
}


class ProblemFieldError(BaseModel):
    field: str
    code: str
    message: str


class Problem(BaseModel):
    """RFC 9457 problem details, with Folio's stable ``code`` and the ``request_id``."""

    type: str
    title: str
    status: int
    detail: str
    instance: str
    code: str
    request_id: str
    errors: list[ProblemFieldError] | None = None


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    return {
        status: {
            "model": Problem,
            "description": DESCRIPTIONS[status],
            "content": {"application/problem+json": {}},
        }
        for status in statuses
    }
