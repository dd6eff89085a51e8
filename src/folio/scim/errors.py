"""SCIM's own error format (RFC 7644 §3.12), the one deviation from RFC 9457 in Folio: SCIM
clients (identity providers) parse ``urn:ietf:params:scim:api:messages:2.0:Error`` bodies
served as ``application/scim+json``, and would not understand problem+json."""

from __future__ import annotations

import inspect
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from folio.core.problems import allowed_methods
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


SCIM_PREFIX = "/scim/"


def scim_http_errors(app: FastAPI) -> None:
    """Routing's own 404 and 405 under ``/scim/`` in SCIM's format, problem+json elsewhere."""
    fallback = app.exception_handlers[StarletteHTTPException]

    async def on_http_error(request: Request, error: Exception) -> Response:
        if request.url.path.startswith(SCIM_PREFIX) and isinstance(error, StarletteHTTPException):
            response = error_response(ScimError(error.status_code, str(error.detail)))
            response.headers.update(getattr(error, "headers", None) or {})
            if error.status_code == 405:
                response.headers["Allow"] = ", ".join(allowed_methods(app, request.url.path))
            return response
        answer = fallback(request, error)
        return await answer if inspect.isawaitable(answer) else answer

    app.add_exception_handler(StarletteHTTPException, on_http_error)
    app.add_exception_handler(ScimError, on_scim_error)


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
    412: "If-Match names another version than the resource's (meta.version): nothing changed",
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
