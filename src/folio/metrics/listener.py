"""``FOLIO_METRICS_LISTEN``: ``/metrics`` without credentials on a separate address, for a
network only operators reach (Prometheus in the same cluster, a loopback sidecar)."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable, Iterable
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from prometheus_client import CONTENT_TYPE_LATEST

from folio.core.runtime import Runtime
from folio.metrics.service import metrics as metrics_service

logger = logging.getLogger("folio.metrics")
SCRAPE_TIMEOUT_S = 10.0
StartResponse = Callable[[str, list[tuple[str, str]]], Any]


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        return None


def parse_address(listen: str) -> tuple[str, int]:
    host, _, port = listen.rpartition(":")
    if not host or not port.isdigit():
        raise ValueError(f"FOLIO_METRICS_LISTEN must be host:port, not {listen!r}")
    return host.strip("[]"), int(port)


class MetricsListener:
    """Serves scrapes from a thread; each one is gathered on the app's event loop."""

    def __init__(self, runtime: Runtime, listen: str) -> None:
        self.runtime = runtime
        self.address = parse_address(listen)
        self._server: WSGIServer | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    @property
    def port(self) -> int:
        assert self._server is not None
        return int(self._server.server_port)

    def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        host, port = self.address
        self._server = make_server(host, port, self._app, _Server, _QuietHandler)
        threading.Thread(
            target=self._server.serve_forever, name="folio-metrics-listener", daemon=True
        ).start()
        logger.info("metrics listener on %s:%s", host, self.port)

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def _app(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != "/metrics" or environ.get("REQUEST_METHOD") != "GET":
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"only GET /metrics here\n"]
        assert self._loop is not None
        future = asyncio.run_coroutine_threadsafe(metrics_service.scrape(self.runtime), self._loop)
        try:
            body = future.result(SCRAPE_TIMEOUT_S)
        except Exception:
            logger.exception("metrics scrape failed")
            start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
            return [b"scrape failed\n"]
        start_response("200 OK", [("Content-Type", CONTENT_TYPE_LATEST)])
        return [body]


def start_listener(runtime: Runtime) -> MetricsListener | None:
    """The listener ``FOLIO_METRICS_LISTEN`` asks for, started; None when unset."""
    listen = runtime.settings.metrics_listen
    if not listen:
        return None
    listener = MetricsListener(runtime, listen)
    listener.start()
    return listener
