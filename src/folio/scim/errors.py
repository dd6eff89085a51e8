"""SCIM's own error format (RFC 7644 §3.12), the one deviation from RFC 9457 in Folio: SCIM
clients (identity providers) parse ``urn:ietf:params:scim:api:messages:2.0:Error`` bodies
served as ``application/scim+json``, and would not understand problem+json."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse

from folio.core.schemas import Schema

ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error"
MEDIA_TYPE = "application/scim+json"


class ScimError(Exception):
    def __init__(self, status: int, detail: str, scim_type: str | None = None) -> None:
        super().__init__(detail)
        self.status, self.detail, self.scim_type = status, detail, scim_type


class ScimErrorBody(Schema):
    schemas: list[str]
    status: str
    scimType: str | None = None
    detail: str


def scim_json(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE, headers=headers)


def error_response(error: ScimError) -> JSONResponse:
    body: dict[str, Any] = {"schemas": [ERROR_SCHEMA], "status": str(error.status)}
    if error.scim_type:
        body["scimType"] = error.scim_type
    body["detail"] = error.detail
    headers = {"WWW-Authenticate": 'Bearer realm="scim"'} if error.status == 401 else None
    return scim_json(body, error.status, headers)


async def on_scim_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, ScimError)
    return error_response(error)


def bad_request(detail: str, scim_type: str = "invalidValue") -> ScimError:
    return ScimError(400, detail, scim_type)


def not_found(detail: str) -> ScimError:
    return ScimError(404, detail)


def conflict(detail: str) -> ScimError:
    return ScimError(409, detail, "uniqueness")


SCIM_ERROR_DESCRIPTIONS = {
    400: "Bad request (scimType says why: invalidFilter, invalidSyntax, invalidValue, "
    "invalidPath, noTarget, mutability)",
    401: "No valid SCIM bearer token",
    404: "No such resource in this token's team",
    409: "userName or e-mail already taken (scimType uniqueness)",
    413: "The request body is too large",
}


def scim_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    return {
        status: {
            "model": ScimErrorBody,
            "description": SCIM_ERROR_DESCRIPTIONS[status],
            "content": {MEDIA_TYPE: {}},
        }
        for status in statuses
    }
