"""Renders every error as RFC 9457 problem+json; nothing internal ever reaches a client."""

from __future__ import annotations

import logging
import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import iter_route_contexts
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import compile_path
from starlette.types import ASGIApp, Scope

from folio.core.errors import FieldError, FolioError, PayloadTooLarge, ValidationFailed
from folio.core.middleware import BODY_TOO_LARGE, request_id_var

logger = logging.getLogger("folio.errors")
PROBLEM_MEDIA_TYPE = "application/problem+json"
HTTP_CODES = {
    400: "BAD_REQUEST",
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    406: "NOT_ACCEPTABLE",
    409: "CONFLICT",
    413: "PAYLOAD_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
    422: "VALIDATION_ERROR",
    429: "RATE_LIMITED",
    503: "SERVICE_UNAVAILABLE",
}


def problem_body(
    *, status: int, code: str, title: str, detail: str, instance: str, **extra: Any
) -> dict[str, Any]:
    slug = code.lower().replace("_", "-")
    body = {
        "type": f"https://folio.dev/problems/{slug}",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": instance,
        "code": code,
        "request_id": request_id_var.get(),
    }
    body.update({key: value for key, value in extra.items() if value is not None})
    return body


def problem_response(
    status: int, body: dict[str, Any], headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


def render_folio_error(request: Request, error: FolioError) -> JSONResponse:
    extra = dict(error.extra)
    if isinstance(error, ValidationFailed):
        extra["errors"] = [vars(e) for e in error.errors]
    body = problem_body(
        status=error.status,
        code=error.code,
        title=error.title,
        detail=error.detail,
        instance=request.url.path,
        **extra,
    )
    return problem_response(error.status, body, error.headers or None)


def too_large_app(limit: int) -> ASGIApp:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        error = PayloadTooLarge(f"The request body is larger than the limit of {limit} bytes.")
        body = problem_body(
            status=413,
            code=error.code,
            title=error.title,
            detail=error.detail,
            instance=scope["path"],
            limit_bytes=limit,
        )
        await problem_response(413, body, {"Connection": "close"})(scope, receive, send)

    return app


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(FolioError)
    async def on_folio_error(request: Request, error: FolioError) -> JSONResponse:
        return render_folio_error(request, error)

    @app.exception_handler(RequestValidationError)
    async def on_validation_error(request: Request, error: RequestValidationError) -> JSONResponse:
        errors = [
            FieldError(".".join(str(part) for part in e["loc"]), e["type"], e["msg"])
            for e in error.errors()
        ]
        return render_folio_error(request, ValidationFailed(errors))

    @app.exception_handler(StarletteHTTPException)
    async def on_http_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
        limit = request.scope.get("state", {}).get(BODY_TOO_LARGE)
        if limit is not None:
            return render_folio_error(
                request,
                PayloadTooLarge(
                    f"The request body is larger than the limit of {limit} bytes.",
                    limit_bytes=limit,
                ),
            )
        code = HTTP_CODES.get(error.status_code, "HTTP_ERROR")
        body = problem_body(
            status=error.status_code,
            code=code,
            title=str(error.detail),
            detail=str(error.detail),
            instance=request.url.path,
        )
        headers = dict(getattr(error, "headers", None) or {})
        if error.status_code == 405:
            headers["Allow"] = ", ".join(allowed_methods(app, request.url.path))
        return problem_response(error.status_code, body, headers or None)


def allowed_methods(app: FastAPI, path: str) -> list[str]:
    """Every method the routes of ``path`` serve: Starlette's own ``Allow`` names only the
    methods of the first route whose path matched, not of the others on the same path."""
    table: list[tuple[re.Pattern[str], frozenset[str]]] | None = getattr(
        app.state, "method_table", None
    )
    if table is None:
        table = [
            (compile_path(context.path_format)[0], frozenset(context.methods or ()))
            for context in iter_route_contexts(app.routes)
            if context.path_format is not None
        ]
        app.state.method_table = table
    matches = [(pattern, methods) for pattern, methods in table if pattern.match(path)]
    # a literal segment outranks a parameter: /documents/bulk is not /documents/{document_id}
    fewest = min((pattern.groups for pattern, _ in matches), default=0)
    return sorted({m for pattern, methods in matches if pattern.groups == fewest for m in methods})


def internal_error_app(scope: Scope) -> ASGIApp:
    """The 500 answer to an unhandled exception; called while it is being handled, so the log
    line gets its traceback (and, inside the request-id middleware, the request id)."""
    logger.exception("unhandled error on %s %s", scope["method"], scope["path"])
    body = problem_body(
        status=500,
        code="INTERNAL_ERROR",
        title="Internal server error",
        detail="An unexpected error occurred; it has been logged.",
        instance=scope["path"],
    )
    return problem_response(500, body)
