"""Structured logs: JSON lines by default (``FOLIO_LOG_JSON=false`` for console output)."""

from __future__ import annotations

import logging
import re

import structlog
from structlog.types import EventDict, WrappedLogger

from folio.core.middleware import request_id_var


def add_request_id(_logger: WrappedLogger, _name: str, event: EventDict) -> EventDict:
    request_id = request_id_var.get()
    if request_id:
        event["request_id"] = request_id
    return event


# a query parameter (or form field) whose value is a credential: ?token=, &api_key=, password=…
SECRET_PARAMETER = re.compile(
    r"(?i)([?&;\s\"']|^)"
    r"((?:access_|refresh_|id_|mfa_|reset_|share_)?token|(?:api_|access_|secret_)?key|apikey"
    r"|password|passwd|secret|client_secret|signature|credentials?)"
    r"=([^&\s\"'#]*)"
)
REDACTED = "[redacted]"


def redact_secrets(text: str) -> str:
    return SECRET_PARAMETER.sub(lambda m: f"{m[1]}{m[2]}={REDACTED}" if m[3] else m[0], text)


def redact_event(_logger: WrappedLogger, _name: str, event: EventDict) -> EventDict:
    """Every string of the line, uvicorn's access and WebSocket lines included: a URL's query
    may carry a key or token (``/api/v1/ws?token=``)."""
    return {key: redact_secrets(v) if isinstance(v, str) else v for key, v in event.items()}


def configure_logging(level: str = "INFO", *, json: bool = True) -> None:
    shared: list[structlog.types.Processor] = [
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        add_request_id,
    ]
    renderer = (
        structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer(colors=False)
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            redact_event,
            renderer,
        ],
    )
    handler = logging.StreamHandler()
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
