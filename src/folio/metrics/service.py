"""Who may read the metrics, and one scrape: every process's samples plus live values."""

from __future__ import annotations

import hmac
import logging

import anyio

from folio.core.errors import Forbidden, ServiceUnavailable
from folio.core.permissions import Permission
from folio.core.principal import Principal
from folio.core.runtime import Runtime
from folio.metrics import live, store

logger = logging.getLogger("folio.metrics")


class MetricsService:
    def token_matches(self, authorization: str | None, token: str | None) -> bool:
        """``Authorization: Bearer <FOLIO_METRICS_TOKEN>``, compared in constant time."""
        if not token or not authorization:
            return False
        scheme, _, given = authorization.partition(" ")
        if scheme.lower() != "bearer":
            return False
        return hmac.compare_digest(given.strip().encode(), token.encode())

    def assert_reader(self, principal: Principal) -> None:
        """Without the metrics token, only a system admin reads what every team does."""
        if not principal.can(Permission.system_admin):
            raise Forbidden(
                "Metrics need the permission system:admin, or the metrics token "
                "(FOLIO_METRICS_TOKEN) as a bearer token."
            )

    async def scrape(self, runtime: Runtime) -> bytes:
        snapshot = await live.gather(runtime)
        try:
            # reading and adding up the processes' files is file work: off the event loop
            return await anyio.to_thread.run_sync(store.render, live.LiveCollector(snapshot))
        except Exception as error:  # a damaged sample file (the client raises RuntimeError)
            logger.exception("metrics could not be rendered")
            raise ServiceUnavailable("The metrics store cannot be read; retry shortly.") from error


metrics = MetricsService()
